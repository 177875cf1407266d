// SPDX-License-Identifier: MIT
// NetFlow v1 and v5: a fixed header and 48-byte records read through built-in templates.
#include "decode_context.hpp"

namespace nfpcap::netflow::detail {

void decode_fixed(Decode& d, const VersionInfo& version, const Template& layout) {
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
    }
    if (r.failed()) {
        d.tally.fatal = Reason::header_truncated;
        return;
    }
    h.has_uptime = true;
    h.export_time_ns = static_cast<std::int64_t>(secs) * 1'000'000'000 + nsecs;

    const std::size_t present = r.remaining() / version.record_size;
    if (h.count == 0 || (present == 0 && !d.cut())) {
        d.tally.fatal = Reason::length_mismatch;
        return;
    }
    if (present < h.count && !d.cut()) {
        // Decode what is there; the rest was announced but is missing.
        d.report(Reason::length_mismatch, r.rest());
    }
    const std::size_t n = std::min<std::size_t>(present, h.count);
    for (std::size_t i = 0; i < n; ++i) emit_fixed_record(d, layout, r.bytes(version.record_size));
    if (d.cut() && n < h.count) {
        d.report_cut(r.rest().data());  // the capture holds only the first records
        return;
    }
    if (!r.empty()) d.report(Reason::trailing_bytes, r.rest());
}

}  // namespace nfpcap::netflow::detail
