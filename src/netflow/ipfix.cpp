// SPDX-License-Identifier: MIT
// IPFIX (RFC 7011): message header, then sets — templates (2), options templates (3), data (>= 256).
#include "decode_context.hpp"

namespace nfpcap::netflow::detail {

void decode_ipfix(Decode& d) {
    wire::Reader r(d.message);
    ExportHeader& h = d.header;
    h.version = r.be16();
    h.length = r.be16();
    const std::uint32_t export_time = r.be32();
    h.sequence = r.be32();
    h.domain = r.be32();
    if (r.failed()) {
        d.tally.fatal = Reason::header_truncated;
        return;
    }
    h.export_time_ns = static_cast<std::int64_t>(export_time) * 1'000'000'000;
    // A datagram cut by the capture: the header's length is the datagram's, the sets that were
    // captured whole are decoded.
    const bool cut = d.cut() && h.length > d.message.size() && h.length <= d.context.cut_from;
    if (h.length < kIpfixHeaderSize || (h.length > d.message.size() && !cut)) {
        d.tally.fatal = Reason::length_mismatch;
        return;
    }
    // RFC 7011 §3.1: the message is `length` bytes; anything after it is not part of it.
    wire::Reader sets(d.message.first(std::min<std::size_t>(h.length, d.message.size())));
    sets.skip(kIpfixHeaderSize);
    if (h.length < d.message.size()) d.report(Reason::trailing_bytes, d.message.subspan(h.length));
    const auto truncated = [&](const std::byte* at, std::uint16_t set_id) {
        if (cut) {
            d.report_cut(at, set_id);
        } else {
            d.report(Reason::set_truncated, at, set_id);
        }
    };

    while (!sets.empty()) {
        const std::byte* at = sets.rest().data();
        const std::uint16_t set_id = sets.be16();
        const std::uint16_t set_length = sets.be16();
        if (sets.failed()) {
            truncated(at, 0);
            return;
        }
        if (set_length < 4) {
            d.report(Reason::set_length_invalid, at, set_id);
            return;
        }
        if (set_length - 4U > sets.remaining()) {
            truncated(at, set_id);
            return;
        }
        wire::Reader body = sets.sub(set_length - 4U);
        if (set_id == 2 || set_id == 3) {
            decode_ipfix_template_set(d, body, set_id);
        } else if (set_id >= 256) {
            decode_data_set(d, body, set_id);
        } else {
            d.report(Reason::reserved_set_id, at, set_id);
        }
    }
    if (cut) d.report_cut(sets.rest().data());  // cut exactly between two sets
}

}  // namespace nfpcap::netflow::detail
