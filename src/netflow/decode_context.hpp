// SPDX-License-Identifier: MIT
// What the version decoders share while decoding one message (internal to netflow/).
#pragma once
#include <algorithm>
#include <vector>

#include "nfpcap/netflow/decoder.hpp"
#include "nfpcap/netflow/version.hpp"

namespace nfpcap::netflow::detail {

struct Decode {
    wire::Bytes message;  ///< the message (a kept set: the set's body)
    const MessageContext& context;
    DecoderState& state;
    DecodeSink& sink;
    MessageTally tally{};
    ExportHeader header{};
    std::uint32_t base_offset = 0;   ///< offset of `message` in its export message (kept sets)
    bool late = false;               ///< records are decoded after their message (kept sets)
    bool previous_template = false;  ///< with the definition of before an exporter restart
    bool cut_reported = false;       ///< capture_truncated was reported
    /// Templates replaced while this message is decoded (recompiled with what the exporter
    /// described): kept until it ends, since the set being decoded may still use one.
    std::vector<std::shared_ptr<const Template>> retired{};

    /// Whether the capture holds less of the message than the transport carried (snaplen).
    [[nodiscard]] bool cut() const noexcept { return context.cut_from > message.size(); }
    /// Reports an issue at `at` (a position inside `message`).
    void report(Reason reason, const std::byte* at, std::uint16_t set_id = 0, std::uint16_t template_id = 0);
    /// Reports where the capture cut the message (once): what follows was not captured.
    void report_cut(const std::byte* at, std::uint16_t set_id = 0) {
        if (cut_reported) return;
        cut_reported = true;
        report(Reason::capture_truncated, at, set_id);
    }
    void report(Reason reason, wire::Bytes at, std::uint16_t set_id = 0, std::uint16_t template_id = 0) {
        report(reason, at.empty() ? message.data() + message.size() : at.data(), set_id, template_id);
    }
};

// Version decoders: each reads its header from `d.message` and everything after it.
/// v1/v5/v7/v8, the fixed formats: the version's header, then records of its built-in layout.
void decode_fixed(Decode& d, const VersionInfo& version);
void decode_v9(Decode& d);
void decode_ipfix(Decode& d);

// Template sets (template_sets.cpp).
void decode_v9_template_set(Decode& d, wire::Reader body, std::uint16_t set_id);
void decode_v9_options_template_set(Decode& d, wire::Reader body, std::uint16_t set_id);
void decode_ipfix_template_set(Decode& d, wire::Reader body, std::uint16_t set_id);

// Data sets (data_sets.cpp): records of a compiled template, padding handled by the RFC rule.
/// A data set of the message: decoded with the session's template, or handed to the sink
/// (DecodeSink::on_unknown_set) when there is none.
void decode_data_set(Decode& d, wire::Reader body, std::uint16_t set_id);
/// The records of a data set of template `t` (and those of a fixed layout, v1/v5/v7/v8).
void decode_records(Decode& d, wire::Reader body, std::uint16_t set_id, const Template& t);

// Type information (type_information.cpp).
/// RFC 5610: an options record of a template that describes_elements teaches the session the
/// element it describes; the session's templates that use that element are compiled again.
void learn_type_information(Decode& d, const Template& t, std::span<const wire::Bytes> values, std::uint16_t set_id);

/// Whether every byte is zero (padding).
inline bool all_zero(wire::Bytes b) noexcept {
    for (std::byte x : b) {
        if (x != std::byte{0}) return false;
    }
    return true;
}

/// RFC 3629 validity of a string field.
bool valid_utf8(wire::Bytes s) noexcept;

}  // namespace nfpcap::netflow::detail
