// SPDX-License-Identifier: MIT
// The fixed formats: NetFlow v1, v5, v7 and v8, a header and records read through built-in
// templates (v8: one per aggregation scheme, chosen by the header).
#include "decode_context.hpp"

namespace nfpcap::netflow::detail {

namespace {

// The layout of this message's records, nullptr when nfpcap does not know it.
const Template* layout_of(const ExportHeader& h) {
    switch (h.version) {
    case 1: return &v1_template();
    case 5: return &v5_template();
    case 7: return &v7_template();
    case 8: return v8_template(h.aggregation);
    default: return nullptr;
    }
}

}  // namespace

void decode_fixed(Decode& d, const VersionInfo& version) {
    wire::Reader r(d.message);
    ExportHeader& h = d.header;
    h.version = r.be16();
    h.count = r.be16();
    h.sys_uptime_ms = r.be32();
    const std::uint32_t secs = r.be32();
    const std::uint32_t nsecs = r.be32();
    if (version.version == 5) {  // flow_sequence, engine_type, engine_id, sampling_interval
        h.sequence = r.be32();
        h.engine_type = r.u8();
        h.engine_id = r.u8();
        h.sampling = r.be16();
        h.domain = (static_cast<std::uint32_t>(h.engine_type) << 8U) | h.engine_id;
    } else if (version.version == 7) {  // flow_sequence, 4 reserved bytes
        h.sequence = r.be32();
        r.skip(4);
    } else if (version.version == 8) {  // flow_sequence, engine, aggregation and its version, reserved
        h.sequence = r.be32();
        h.engine_type = r.u8();
        h.engine_id = r.u8();
        h.aggregation = r.u8();
        h.aggregation_version = r.u8();
        r.skip(4);
        h.domain = (static_cast<std::uint32_t>(h.engine_type) << 8U) | h.engine_id;
    }
    if (r.failed()) {
        d.tally.fatal = Reason::header_truncated;
        return;
    }
    h.has_uptime = true;
    h.export_time_ns = static_cast<std::int64_t>(secs) * 1'000'000'000 + nsecs;
    const Template* layout = layout_of(h);
    if (layout == nullptr) {
        // A v8 aggregation scheme nfpcap has no layout for: the records cannot be delimited.
        d.tally.fatal = Reason::unknown_version;
        return;
    }

    const std::size_t record_size = layout->min_record_length;
    const std::size_t present = r.remaining() / record_size;
    if (h.count == 0 || (present == 0 && !d.cut())) {
        d.tally.fatal = Reason::length_mismatch;
        return;
    }
    if (present < h.count && !d.cut()) {
        // Decode what is there; the rest was announced but is missing.
        d.report(Reason::length_mismatch, r.rest());
    }
    const std::size_t n = std::min<std::size_t>(present, h.count);
    decode_records(d, wire::Reader(r.bytes(n * record_size)), 0, *layout);
    if (d.cut() && n < h.count) {
        d.report_cut(r.rest().data());  // the capture holds only the first records
        return;
    }
    if (!r.empty()) d.report(Reason::trailing_bytes, r.rest());
}

}  // namespace nfpcap::netflow::detail
