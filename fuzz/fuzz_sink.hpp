// SPDX-License-Identifier: MIT
// A sink for fuzz targets: formats every record as text and JSON (lists included), then forgets it.
#pragma once
#include "nfpcap/netflow/decoder.hpp"
#include "nfpcap/report/field_value.hpp"

namespace nfpcap::fuzz {

class FormattingSink final : public netflow::DecodeSink {
public:
    void on_record(const netflow::DataRecord& r) override {
        report::Buffer b;
        report::append_fields(b, *r.tmpl, r.values, r, report::ValueStyle::json);
        report::append_fields(b, *r.tmpl, r.values, r, report::ValueStyle::text);
        (void)r.times();
        bytes_ += b.size();
    }
    void on_issue(const netflow::MessageContext&, const netflow::Issue& i) override {
        bytes_ += netflow::name(i.reason).size() + netflow::describe(i.reason).size();
    }
    [[nodiscard]] std::size_t bytes() const noexcept { return bytes_; }

private:
    std::size_t bytes_ = 0;
};

}  // namespace nfpcap::fuzz
