// SPDX-License-Identifier: MIT
// Owning copies of decoded records: the values become (offset, length) pairs into one copy of
// the record's bytes, so moving keeps every view valid and copying re-points them.
#include "nfpcap/netflow/record.hpp"

namespace nfpcap::netflow {

OwnedRecord::OwnedRecord(const DataRecord& r)
    : context_(*r.context),
      header_(*r.header),
      tmpl_(r.tmpl->shared_from_this()),
      state_(r.state),
      bytes_(r.bytes.begin(), r.bytes.end()),
      system_init_ms_(r.system_init_ms) {
    fields_.reserve(r.values.size());
    for (const wire::Bytes& v : r.values) {
        // Every value is a part of the record's bytes (the decoder splits the record).
        const auto offset = v.empty() ? 0U : static_cast<std::uint32_t>(v.data() - r.bytes.data());
        fields_.emplace_back(offset, static_cast<std::uint32_t>(v.size()));
    }
    point_views();
}

OwnedRecord::OwnedRecord(const OwnedRecord& o)
    : context_(o.context_),
      header_(o.header_),
      tmpl_(o.tmpl_),
      state_(o.state_),
      bytes_(o.bytes_),
      fields_(o.fields_),
      system_init_ms_(o.system_init_ms_) {
    point_views();
}

OwnedRecord::OwnedRecord(OwnedRecord&& o) noexcept
    : context_(o.context_),
      header_(o.header_),
      tmpl_(std::move(o.tmpl_)),
      state_(o.state_),
      bytes_(std::move(o.bytes_)),
      fields_(std::move(o.fields_)),
      system_init_ms_(o.system_init_ms_) {
    point_views();
}

OwnedRecord& OwnedRecord::operator=(const OwnedRecord& o) {
    if (this != &o) *this = OwnedRecord(o);
    return *this;
}

OwnedRecord& OwnedRecord::operator=(OwnedRecord&& o) noexcept {
    context_ = o.context_;
    header_ = o.header_;
    tmpl_ = std::move(o.tmpl_);
    state_ = o.state_;
    bytes_ = std::move(o.bytes_);
    fields_ = std::move(o.fields_);
    system_init_ms_ = o.system_init_ms_;
    point_views();
    return *this;
}

void OwnedRecord::point_views() {
    values_.clear();
    values_.reserve(fields_.size());
    for (const auto& [offset, length] : fields_) values_.emplace_back(bytes_.data() + offset, length);
    view_.context = &context_;
    view_.header = &header_;
    view_.tmpl = tmpl_.get();
    view_.state = state_;
    view_.bytes = wire::Bytes(bytes_);
    view_.values = values_;
    view_.system_init_ms = system_init_ms_;
}

}  // namespace nfpcap::netflow
