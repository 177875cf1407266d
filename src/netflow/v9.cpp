// SPDX-License-Identifier: MIT
// NetFlow v9 (RFC 3954): header, then flowsets — templates (0), options templates (1), data (>= 256).
#include "decode_context.hpp"

namespace nfpcap::netflow::detail {

void decode_v9(Decode& d) {
    wire::Reader r(d.message);
    ExportHeader& h = d.header;
    h.version = r.be16();
    h.count = r.be16();
    h.sys_uptime_ms = r.be32();
    const std::uint32_t secs = r.be32();
    h.sequence = r.be32();
    h.domain = r.be32();
    if (r.failed()) {
        d.tally.fatal = Reason::header_truncated;
        return;
    }
    h.has_uptime = true;
    h.export_time_ns = static_cast<std::int64_t>(secs) * 1'000'000'000;

    std::uint32_t flowsets = 0;
    while (r.remaining() >= kSetHeaderSize) {
        // Zeros after the last flowset are padding of the datagram (Cisco ACI, Palo Alto), not
        // a flowset of length 0.
        if (flowsets > 0 && all_zero(r.rest())) break;
        const std::byte* at = r.rest().data();
        const std::uint16_t set_id = r.be16();
        const std::uint16_t set_length = r.be16();
        if (set_length < 4) {
            // Cannot find the next flowset: the rest of the message is lost.
            d.report(Reason::set_length_invalid, at, set_id);
            return;
        }
        if (set_length - 4U > r.remaining()) {
            if (d.cut()) {
                d.report_cut(at, set_id);  // the capture holds only the start of this flowset
            } else {
                d.report(Reason::set_truncated, at, set_id);
            }
            return;
        }
        wire::Reader body = r.sub(set_length - 4U);
        ++flowsets;
        if (set_id == 0) {
            decode_v9_template_set(d, body, set_id);
        } else if (set_id == 1) {
            decode_v9_options_template_set(d, body, set_id);
        } else if (set_id >= 256) {
            decode_data_set(d, body, set_id);
        } else {
            d.report(Reason::reserved_set_id, at, set_id);
        }
    }
    if (d.cut()) {
        // Cut at (or inside the header of) a flowset: the rest of the datagram was not captured.
        d.report_cut(r.rest().data());
        return;
    }
    // Some exporters pad the message itself; a few zero bytes are not worth a word.
    if (!r.empty() && !all_zero(r.rest())) d.report(Reason::trailing_bytes, r.rest());
    // RFC 3954 §5.1 counts template and data records; many exporters (softflowd among them)
    // count only data records, and some count flowsets. Any of these is no anomaly.
    const std::uint32_t data = d.tally.data_records + d.tally.options_records;
    const std::uint32_t records = data + d.tally.templates + d.tally.options_templates;
    const bool plausible =
        h.count == records || h.count == data || h.count == d.tally.data_records || h.count == flowsets;
    // Sets kept for a template that comes later are not in the tally: the count cannot be checked.
    if (!plausible && d.tally.missing_template_sets == 0 && d.tally.deferred_sets == 0 &&
        d.tally.data_loss_issues == 0) {
        d.report(Reason::count_mismatch, d.message.first(4));
    }
}

}  // namespace nfpcap::netflow::detail
