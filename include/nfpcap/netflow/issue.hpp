// SPDX-License-Identifier: MIT
// Why export data could not be (fully) decoded: named reasons, never exceptions.
#pragma once
#include <cstdint>
#include <string_view>

namespace nfpcap::netflow {

/// Every reason a datagram, set, template or record is counted instead of decoded.
/// Header-level reasons lose the whole datagram, set-level ones a set, anomalies nothing.
enum class Reason : std::uint8_t {
    // Datagram level: nothing in it is decoded.
    capture_truncated,  ///< the capture holds less than the UDP datagram (snaplen)
    header_truncated,   ///< shorter than the version's header
    length_mismatch,    ///< header length / record count disagrees with the datagram size
    unknown_version,    ///< version is not 1, 5, 7, 8, 9 or 10 (or a v8 aggregation scheme not 1-14)
    // Set level: the set (or the rest of it) is skipped, the rest of the datagram is decoded.
    set_truncated,       ///< a set header or set length runs past the end of the message
    set_length_invalid,  ///< a set length below 4
    reserved_set_id,     ///< set ID reserved by the RFC (v9: 2-255, IPFIX: 0, 1, 4-255)
    template_invalid,    ///< template record cut short, bad field or scope count, reserved ID
    template_limit,      ///< template not kept: the session holds the most templates (or fields) allowed
    template_too_large,  ///< template not kept: more fields, or a longer record, than allowed
    missing_template,    ///< data set without a template: none before it, nor while it waited
    pending_limit,       ///< data set kept for its template, dropped: the late-data buffer was full
    record_invalid,      ///< variable-length field runs past its record or set; set shorter than a record
    // Anomalies: counted, the record is still decoded.
    field_length_mismatch,     ///< field length does not fit its type: kept as raw bytes
    invalid_utf8,              ///< string field that is not UTF-8: printed escaped
    invalid_boolean,           ///< boolean other than 1 (true) or 2 (false)
    count_mismatch,            ///< v9 header record count differs from what the message holds
    trailing_bytes,            ///< bytes after the last record / set that are not padding
    list_too_deep,             ///< RFC 6313 lists nested deeper than kMaxListDepth: the rest as hex
    type_information_invalid,  ///< RFC 5610 type information not learnt: bad ID, name or type, or too many
    time_clamped,              ///< a flow time past int64 nanoseconds (1677..2262): clamped to the limit
    time_reversed,             ///< a flow that ends before it starts: analysis counts it as lasting 0
    count_,
};
/// Arrays indexed by Reason have this size (derived, never kept by hand).
inline constexpr std::size_t kReasonCount = static_cast<std::size_t>(Reason::count_);

/// Whether a reason means decoded data was lost (as opposed to an anomaly in decoded data).
[[nodiscard]] constexpr bool loses_data(Reason r) noexcept {
    return static_cast<std::uint8_t>(r) <= static_cast<std::uint8_t>(Reason::record_invalid);
}

/// Stable snake_case name, used as a key in `stats` output.
std::string_view name(Reason r) noexcept;
/// One-line human explanation.
std::string_view describe(Reason r) noexcept;

/// One reported problem, with where it was found.
struct Issue {
    Reason reason;
    std::uint32_t offset = 0;       ///< byte offset in the export datagram
    std::uint16_t set_id = 0;       ///< set / flowset ID where relevant
    std::uint16_t template_id = 0;  ///< template ID where relevant
};

}  // namespace nfpcap::netflow
