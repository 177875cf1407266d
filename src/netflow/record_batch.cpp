// SPDX-License-Identifier: MIT
// Records copied out of their messages, replayed as DataRecords elsewhere.
#include "nfpcap/netflow/record_batch.hpp"

#include <algorithm>
#include <cstring>

namespace nfpcap::netflow {

void RecordBatch::clear() {
    bytes_.clear();
    fields_.clear();
    contexts_.clear();
    headers_.clear();
    templates_.clear();
    items_.clear();
    records_ = 0;
}

std::uint32_t RecordBatch::kept_template(const Template* t) {
    // Each template once a batch, not once each time records switch templates: a share is an
    // atomic increment of a count that the formatting threads release again, and that count's
    // cache line going back and forth between the cores took a tenth of the decoding thread.
    // Held here, a template's address cannot be taken by another one while the batch lives.
    if (templates_.empty() || templates_.back().get() != t) {
        auto kept = std::find_if(templates_.begin(), templates_.end(), [t](const auto& k) { return k.get() == t; });
        if (kept != templates_.end()) return static_cast<std::uint32_t>(kept - templates_.begin());
        templates_.push_back(t->shared_from_this());
    }
    return static_cast<std::uint32_t>(templates_.size() - 1);
}

void RecordBatch::keep_shared(Item& item, const DataRecord& r, wire::Bytes record_bytes) {
    if (contexts_.empty() || std::memcmp(&contexts_.back(), r.context, sizeof *r.context) != 0) {
        contexts_.push_back(*r.context);
    }
    item.context = static_cast<std::uint32_t>(contexts_.size() - 1);
    if (headers_.empty() || std::memcmp(&headers_.back(), r.header, sizeof *r.header) != 0) {
        headers_.push_back(*r.header);
    }
    item.header = static_cast<std::uint32_t>(headers_.size() - 1);
    item.tmpl = kept_template(r.tmpl);
    item.bytes_at = static_cast<std::uint32_t>(bytes_.size());
    item.bytes_size = static_cast<std::uint32_t>(record_bytes.size());
    bytes_.insert(bytes_.end(), record_bytes.begin(), record_bytes.end());
    item.state = r.state;
    item.system_init_ms = r.system_init_ms;
    item.late = r.late;
    item.previous_template = r.previous_template;
}

void RecordBatch::add(const DataRecord& r, std::string_view file) {
    ++records_;
    Item& item = items_.emplace_back();  // filled in place (a copy of it stalled on its own stores)
    item.file = file;
    keep_shared(item, r, r.bytes);
    // The decoder splits a fixed-length record by its template's places (DataRecord::values):
    // the replay can do that again rather than be handed every value's place (the check is
    // for records made otherwise, by hand).
    const Template& t = *r.tmpl;
    item.by_places = t.fixed_length && t.places.size() == r.values.size() &&
                     (r.values.empty() || r.values[0].data() == r.bytes.data() + t.places[0].offset);
    if (item.by_places) return;
    item.fields_at = static_cast<std::uint32_t>(fields_.size());
    item.fields_size = static_cast<std::uint32_t>(r.values.size());
    fields_.resize(fields_.size() + r.values.size());  // one capacity check, not one per value
    auto* field = fields_.data() + item.fields_at;
    for (const wire::Bytes& v : r.values) {
        // Every value is a part of the record's bytes (the decoder splits the record).
        const auto offset = v.empty() ? 0U : static_cast<std::uint32_t>(v.data() - r.bytes.data());
        *field++ = {item.bytes_at + offset, static_cast<std::uint32_t>(v.size())};
    }
}

void RecordBatch::add_run(const RecordRun& run, std::string_view file) {
    records_ += run.count;
    Item& item = items_.emplace_back();
    item.file = file;
    keep_shared(item, run.shared, run.bytes);
    item.bytes_size = static_cast<std::uint32_t>(run.record_length());
    item.count = static_cast<std::uint32_t>(run.count);
    item.by_places = true;
}

void RecordBatch::add_mark(std::uint32_t id) {
    ++records_;
    Item& item = items_.emplace_back();
    item.is_mark = true;
    item.mark = id;
}

void RecordBatch::replay(Visitor& visitor, std::vector<wire::Bytes>& values) const {
    for (const Item& item : items_) {
        if (item.is_mark) {
            visitor.mark(item.mark);
            continue;
        }
        DataRecord r;
        r.context = &contexts_[item.context];
        r.header = &headers_[item.header];
        r.tmpl = templates_[item.tmpl].get();
        r.state = item.state;
        r.system_init_ms = item.system_init_ms;
        r.late = item.late;
        r.previous_template = item.previous_template;
        if (!item.by_places) {
            values.clear();
            for (std::uint32_t k = 0; k < item.fields_size; ++k) {
                const auto [offset, length] = fields_[item.fields_at + k];
                values.emplace_back(bytes_.data() + offset, length);
            }
            r.bytes = wire::Bytes(bytes_.data() + item.bytes_at, item.bytes_size);
            r.values = values;
            visitor.record(r, item.file);
            continue;
        }
        const Template& t = *r.tmpl;
        values.resize(t.places.size());
        r.values = values;
        for (std::uint32_t i = 0; i < item.count; ++i) {
            const std::byte* at = bytes_.data() + item.bytes_at + std::size_t{i} * item.bytes_size;
            split_fixed(t, at, values.data());
            r.bytes = wire::Bytes(at, item.bytes_size);
            visitor.record(r, item.file);
        }
    }
}

}  // namespace nfpcap::netflow
