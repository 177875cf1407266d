// SPDX-License-Identifier: MIT
// Entry points: recognizing export messages, dispatching by version, hex input.
#include "nfpcap/netflow/decoder.hpp"

#include <fmt/format.h>

#include "decode_context.hpp"

namespace nfpcap::netflow {

namespace detail {

void Decode::report(Reason reason, const std::byte* at, std::uint16_t set_id, std::uint16_t template_id) {
    if (loses_data(reason)) {
        ++tally.data_loss_issues;
        if (!tally.first_loss) tally.first_loss = reason;
    } else {
        ++tally.anomalies;
    }
    Issue issue{reason, static_cast<std::uint32_t>(at - message.data()), set_id, template_id};
    sink.on_issue(context, issue);
}

}  // namespace detail

MessageTally decode_message(wire::Bytes payload, const MessageContext& context, DecoderState& state, DecodeSink& sink,
                            ExportHeader* header) {
    detail::Decode d{payload, context, state, sink};
    if (payload.size() < 2) {
        d.tally.fatal = Reason::header_truncated;
        return d.tally;
    }
    switch (wire::load_be16(payload.data())) {
    case 1: detail::decode_v1_v5(d, v1_template(), 16); break;
    case 5: detail::decode_v1_v5(d, v5_template(), 24); break;
    case 9: detail::decode_v9(d); break;
    case 10: detail::decode_ipfix(d); break;
    default: d.tally.fatal = Reason::unknown_version; break;
    }
    if (header != nullptr) *header = d.header;
    return d.tally;
}

std::optional<HeaderPeek> peek_header(wire::Bytes payload) noexcept {
    wire::Reader r(payload);
    HeaderPeek p;
    p.version = r.be16();
    switch (p.version) {
    case 5:
        r.skip(18);
        p.domain = r.be16();  // engine_type, engine_id
        break;
    case 9:
        r.skip(14);
        p.domain = r.be32();
        break;
    case 10:
        r.skip(10);
        p.domain = r.be32();
        break;
    default: break;
    }
    if (r.failed()) return std::nullopt;
    return p;
}

namespace {

// Walks set headers: each at least 4 bytes and inside the message, IDs not reserved.
bool sets_consistent(wire::Reader r, bool ipfix) noexcept {
    bool any = false;
    while (r.remaining() >= 4) {
        const std::uint16_t id = r.be16();
        const std::uint16_t length = r.be16();
        if (length < 4 || length - 4U > r.remaining()) return false;
        const bool valid_id = ipfix ? (id == 2 || id == 3 || id >= 256) : (id <= 1 || id >= 256);
        if (!valid_id) return false;
        r.skip(length - 4U);
        any = true;
    }
    return any && (ipfix ? r.empty() : true);
}

}  // namespace

bool looks_like_export(wire::Bytes payload) noexcept {
    wire::Reader r(payload);
    const std::uint16_t version = r.be16();
    const std::uint16_t count = r.be16();
    if (r.failed()) return false;
    switch (version) {
    // v1/v5: the records fill the datagram (less than a record left over). Cisco's limits of 24
    // and 30 records are not checked: softflowd sends v1 messages of 29 records.
    case 1: return count >= 1 && payload.size() >= 16 + 48U * count && payload.size() < 16 + 48U * (count + 1U);
    case 5: return count >= 1 && payload.size() >= 24 + 48U * count && payload.size() < 24 + 48U * (count + 1U);
    // Versions nfpcap does not decode but whose shape is unmistakable: v6/v7 (24-byte header,
    // 52-byte records) and v8 (28-byte header). Recognized so they are counted as
    // unknown_version export traffic instead of vanishing among foreign datagrams.
    case 6:
    case 7: return count >= 1 && payload.size() == 24 + 52U * count;
    case 8: return count >= 1 && payload.size() >= 28 + 16U * count && (payload.size() - 28) % count == 0;
    case 9: return payload.size() >= 24 && sets_consistent(wire::Reader(payload.subspan(20)), false);
    case 10:
        return count == payload.size() && payload.size() >= 20 &&
               sets_consistent(wire::Reader(payload.subspan(16)), true);
    default: return false;
    }
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
