// SPDX-License-Identifier: MIT
// Entry points: recognizing export messages, dispatching by version, hex input.
#include "nfpcap/netflow/decoder.hpp"

#include <array>
#include <vector>

#include <fmt/format.h>

#include "decode_context.hpp"
#include "nfpcap/netflow/version.hpp"

namespace nfpcap::netflow {

namespace detail {

void Decode::report(Reason reason, const std::byte* at, std::uint16_t set_id, std::uint16_t template_id) {
    if (loses_data(reason)) {
        ++tally.data_loss_issues;
        if (!tally.first_loss) tally.first_loss = reason;
    } else {
        ++tally.anomalies;
    }
    Issue issue{reason, base_offset + static_cast<std::uint32_t>(at - message.data()), set_id, template_id};
    sink.on_issue(context, issue);
}

}  // namespace detail

void DecodeSink::on_run(const RecordRun& run) {
    // Each record's values on this frame, not in shared scratch: an on_record that decodes
    // (none does) cannot overwrite them.
    constexpr std::size_t kOnStack = 64;
    const std::size_t n = run.shared.tmpl->places.size();
    std::array<wire::Bytes, kOnStack> small;
    std::vector<wire::Bytes> large(n > kOnStack ? n : 0);
    wire::Bytes* values = n > kOnStack ? large.data() : small.data();
    for (std::size_t i = 0; i < run.count; ++i) on_record(run.at(i, values));
}

MessageTally decode_message(wire::Bytes payload, const MessageContext& context, DecoderState& state, DecodeSink& sink,
                            ExportHeader* header) {
    detail::Decode d{payload, context, state, sink};
    // A header the capture cut is the capture's loss, not the exporter's.
    const Reason short_header = d.cut() ? Reason::capture_truncated : Reason::header_truncated;
    if (payload.size() < 2) {
        d.tally.fatal = short_header;
        return d.tally;
    }
    const VersionInfo* info = version_info(wire::load_be16(payload.data()));
    if (info == nullptr || !info->decoded) {
        d.tally.fatal = Reason::unknown_version;
    } else if (payload.size() < info->header_size) {
        d.tally.fatal = short_header;
    } else {
        switch (info->version) {
        case 1:
        case 5:
        case 7:
        case 8: detail::decode_fixed(d, *info); break;
        case 9: detail::decode_v9(d); break;
        case 10: detail::decode_ipfix(d); break;
        default: d.tally.fatal = Reason::unknown_version; break;
        }
    }
    if (header != nullptr) *header = d.header;
    return d.tally;
}

MessageTally decode_kept_set(const UnknownSet& set, const Template& t, const MessageContext& context,
                             const ExportHeader& header, DecoderState& state, DecodeSink& sink,
                             bool previous_template) {
    detail::Decode d{set.body, context, state, sink};
    d.header = header;
    d.base_offset = set.offset + static_cast<std::uint32_t>(kSetHeaderSize);
    d.late = true;
    d.previous_template = previous_template;
    detail::decode_records(d, wire::Reader(set.body), set.set_id, t);
    return d.tally;
}

std::optional<HeaderPeek> peek_header(wire::Bytes payload) noexcept {
    if (payload.size() < 2) return std::nullopt;
    HeaderPeek p;
    p.version = wire::load_be16(payload.data());
    const VersionInfo* info = version_info(p.version);
    if (info == nullptr || !info->has_domain()) return p;
    if (payload.size() < std::size_t{info->domain_offset} + info->domain_size) return std::nullopt;
    p.domain = static_cast<std::uint32_t>(wire::load_be(payload.data() + info->domain_offset, info->domain_size));
    return p;
}

namespace {

// Walks set headers: each at least 4 bytes and inside the message, IDs not reserved. IPFIX
// messages end exactly with their last set; v9 datagrams may carry padding after it, a few
// bytes or (Cisco ACI, Palo Alto) zeros. `missing` bytes of the message were not captured: the
// last set may then run past what was, by no more than that.
bool sets_consistent(wire::Reader r, bool ipfix, std::size_t missing = 0) noexcept {
    bool any = false;
    while (r.remaining() >= kSetHeaderSize) {
        if (!ipfix && any && missing == 0 && detail::all_zero(r.rest())) return true;
        const std::uint16_t id = r.be16();
        const std::uint16_t length = r.be16();
        const bool valid_id = ipfix ? (id == 2 || id == 3 || id >= 256) : (id <= 1 || id >= 256);
        if (length < kSetHeaderSize || !valid_id) return false;
        if (length - kSetHeaderSize > r.remaining()) {
            return missing != 0 && length - kSetHeaderSize <= r.remaining() + missing;  // the cut set
        }
        r.skip(length - kSetHeaderSize);
        any = true;
    }
    if (missing != 0) return true;  // cut between sets, or inside a set header
    return any && (ipfix ? r.empty() : true);
}

}  // namespace

bool looks_like_export(wire::Bytes payload, std::uint32_t cut_from) noexcept {
    if (payload.size() < 4) return false;
    const VersionInfo* info = version_info(wire::load_be16(payload.data()));
    if (info == nullptr || payload.size() < info->header_size) return false;
    const std::size_t count = wire::load_be16(payload.data() + info->count_offset);
    const std::size_t header = info->header_size;
    if (cut_from > payload.size()) {
        // The capture holds the start: the header must be whole and agree with the datagram's
        // length, and what was captured after it must read as that version's contents.
        const std::size_t length = cut_from;
        const std::size_t missing = length - payload.size();
        if (info->record_size != 0) {
            const std::size_t record = info->record_size;
            return count >= 1 && length >= header + record * count && length < header + record * (count + 1);
        }
        if (!info->template_based) {
            return count >= 1 && length >= header + 16 * count && (length - header) % count == 0;
        }
        if (info->has_length && count != length) return false;
        return length >= header + kSetHeaderSize &&
               sets_consistent(wire::Reader(payload.subspan(header)), info->has_length, missing);
    }
    if (info->record_size != 0) {
        // Fixed formats: the records fill the datagram (less than a record left over). Cisco's
        // limits of 24/30 records are not checked: softflowd sends v1 messages of 29 records.
        // Versions nfpcap does not decode (v6) are recognized by the same shape, so they are
        // counted as unknown_version export traffic instead of vanishing.
        const std::size_t record = info->record_size;
        return count >= 1 && payload.size() >= header + record * count &&
               payload.size() < header + record * (count + 1);
    }
    if (!info->template_based) {
        // v8: the record size is the aggregation scheme's. A scheme nfpcap does not know is
        // recognized by records of 16 bytes at least filling the datagram, and counted.
        const AggregationInfo* scheme = version_info(8) == info && payload.size() > kV8AggregationOffset
                                            ? v8_aggregation(static_cast<std::uint8_t>(payload[kV8AggregationOffset]))
                                            : nullptr;
        if (scheme != nullptr) {
            const std::size_t record = scheme->record_size;
            return count >= 1 && payload.size() >= header + record * count &&
                   payload.size() < header + record * (count + 1);
        }
        return count >= 1 && payload.size() >= header + 16 * count && (payload.size() - header) % count == 0;
    }
    if (info->has_length && count != payload.size()) return false;
    return payload.size() >= header + kSetHeaderSize &&
           sets_consistent(wire::Reader(payload.subspan(header)), info->has_length);
}

StreamCut cut_stream_message(wire::Bytes available, bool end_of_stream, bool resynchronizing) noexcept {
    using Kind = StreamCut::Kind;
    if (available.size() < 4) return {end_of_stream ? Kind::invalid : Kind::need_more, 0};
    const VersionInfo* info = version_info(wire::load_be16(available.data()));
    if (info == nullptr || !info->template_based) return {Kind::invalid, 0};
    const std::size_t header = info->header_size;
    if (info->has_length) {
        const std::size_t length = wire::load_be16(available.data() + info->count_offset);
        if (length < header + kSetHeaderSize) return {Kind::invalid, 0};
        if (available.size() < length) return {end_of_stream ? Kind::invalid : Kind::need_more, 0};
        if (resynchronizing && !looks_like_export(available.first(length))) return {Kind::invalid, 0};
        return {Kind::message, length};
    }
    // v9: flowsets after the header until the next header (or the end of the stream).
    if (available.size() < header + kSetHeaderSize) return {end_of_stream ? Kind::invalid : Kind::need_more, 0};
    std::size_t at = header;
    bool any = false;
    while (true) {
        if (available.size() - at < 2) {
            if (!end_of_stream) return {Kind::need_more, 0};
            return any ? StreamCut{Kind::message, at} : StreamCut{Kind::invalid, 0};
        }
        const std::uint16_t id = wire::load_be16(available.data() + at);
        if (any && id == info->version) break;  // the next message's header
        if (available.size() - at < kSetHeaderSize) return {end_of_stream ? Kind::invalid : Kind::need_more, 0};
        const std::size_t length = wire::load_be16(available.data() + at + 2);
        const bool valid_id = id <= 1 || id >= 256;
        if (!valid_id || length < kSetHeaderSize) return {Kind::invalid, 0};
        if (available.size() - at < length) return {end_of_stream ? Kind::invalid : Kind::need_more, 0};
        at += length;
        any = true;
    }
    return {Kind::message, at};
}

std::optional<std::string> parse_hex(std::string_view text, std::vector<std::byte>& out) {
    out.clear();
    out.reserve(text.size() / 2);
    int high = -1;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        int v;
        if (c >= '0' && c <= '9') {
            v = c - '0';
        } else if (c >= 'a' && c <= 'f') {
            v = c - 'a' + 10;
        } else if (c >= 'A' && c <= 'F') {
            v = c - 'A' + 10;
        } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ':') {
            continue;
        } else {
            const auto shown = static_cast<unsigned char>(c);
            return shown >= 0x20 && shown < 0x7f ? fmt::format("not hex: '{}' at column {}", c, i + 1)
                                                 : fmt::format("not hex: byte 0x{:02x} at column {}", shown, i + 1);
        }
        if (high < 0) {
            high = v;
        } else {
            out.push_back(static_cast<std::byte>(high * 16 + v));
            high = -1;
        }
    }
    if (high >= 0) return std::string("odd number of hex digits (a byte is cut in half)");
    return std::nullopt;
}

std::optional<std::vector<std::byte>> parse_hex(std::string_view text) {
    std::vector<std::byte> out;
    if (parse_hex(text, out)) return std::nullopt;
    return out;
}

std::optional<MessageTally> decode_hex(std::string_view hex, const MessageContext& context, DecoderState& state,
                                       DecodeSink& sink) {
    auto bytes = parse_hex(hex);
    if (!bytes) return std::nullopt;
    return decode_message(*bytes, context, state, sink);
}

}  // namespace nfpcap::netflow
