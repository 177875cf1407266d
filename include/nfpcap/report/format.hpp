// SPDX-License-Identifier: MIT
// The output formats, one enum for every command (each command offers the ones that fit it).
//
// Key naming policy, the same in every format: records are named by IANA information elements
// (`sourceIPv4Address`, `octetDeltaCount`; enterprise elements `scope:name`, unknown ones
// `PEN.ID` / `v9.TYPE`), as the registries spell them; everything nfpcap derives (connections,
// stats, top, timeline: `client_address`, `export_datagrams`) is snake_case.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace nfpcap::report {

enum class Format : std::uint8_t {
    text,  ///< aligned text for people
    json,  ///< JSON lines (one object per line), or one JSON document for summaries
    csv,   ///< RFC 4180 CSV with a header row; numbers unquoted
    line,  ///< one compact line per flow record, like `nfdump -o line`
    count_,
};

/// The name on the command line ("text", "json", "csv", "line").
[[nodiscard]] std::string_view name(Format format) noexcept;
/// The format called `text` (case-insensitive), if it is one.
[[nodiscard]] std::optional<Format> parse_format(std::string_view text) noexcept;
/// "text, json or csv" for help texts.
[[nodiscard]] std::string describe_choices(std::span<const Format> formats);

}  // namespace nfpcap::report
