// SPDX-License-Identifier: MIT
// What each NetFlow / IPFIX version looks like on the wire, in one table the rest of nfpcap asks.
#pragma once
#include <cstdint>
#include <span>
#include <string_view>

namespace nfpcap::netflow {

/// What a version's header sequence number counts (the unit of sequence loss).
enum class SequenceUnit : std::uint8_t {
    none,            ///< v1: no sequence number
    flows,           ///< v5/v7/v8: flow records sent before this message
    export_packets,  ///< v9 (RFC 3954 §5.1): export packets sent before this one
    data_records,    ///< IPFIX (RFC 7011 §3.1): data records sent before this message
    count_,
};

/// Where a version's record times come from.
enum class TimeBase : std::uint8_t {
    sys_uptime,   ///< records carry milliseconds of exporter uptime; the header maps them to wall time
    export_time,  ///< IPFIX: absolute time fields, or deltas from the export time / system init time
    count_,
};

/// One version's wire rules: the only place that knows header and record sizes.
struct VersionInfo {
    std::uint16_t version = 0;
    std::string_view name;          ///< "NetFlow v5", "IPFIX"
    std::uint16_t header_size = 0;  ///< bytes of the message header
    std::uint16_t record_size = 0;  ///< fixed-format record bytes; 0 for template-based versions
    bool template_based = false;    ///< v9/IPFIX: records described by templates sent in-band
    bool decoded = false;           ///< nfpcap decodes its records (others are recognized and counted)
    bool has_length = false;        ///< IPFIX: the header holds the message length (stream framing)
    SequenceUnit sequence = SequenceUnit::none;
    TimeBase time_base = TimeBase::sys_uptime;
    /// Where the header keeps the record count (v1-v9) or message length (IPFIX): 2 bytes at 2.
    std::uint8_t count_offset = 2;
    /// The observation domain: IPFIX domain, v9 source ID, v5/v8 engine type and ID (as one
    /// number, type * 256 + ID); `domain_size` 0 when the header has none.
    std::uint8_t domain_offset = 0;
    std::uint8_t domain_size = 0;
    std::uint8_t sequence_offset = 0;     ///< the 4-byte sequence number (unless `sequence` is none)
    std::uint8_t uptime_offset = 4;       ///< the 4-byte sysUptime (ms); 0 when the header has none (IPFIX)
    std::uint8_t export_time_offset = 8;  ///< the 4-byte export time in seconds (unix_secs, IPFIX Export Time)

    [[nodiscard]] constexpr bool has_domain() const noexcept { return domain_size != 0; }
};

/// The table, or nullptr for a version that is not NetFlow / IPFIX.
[[nodiscard]] const VersionInfo* version_info(std::uint16_t version) noexcept;

/// Every known version, in version order.
[[nodiscard]] std::span<const VersionInfo> known_versions() noexcept;

/// Versions nfpcap decodes, as text for help and errors ("1, 5, 7, 8, 9 or 10").
[[nodiscard]] std::string_view decoded_versions_text() noexcept;

/// One NetFlow v8 router-based aggregation scheme (Cisco's v8 export format): the header's
/// aggregation byte selects the record layout, so each scheme has its own record size.
struct AggregationInfo {
    std::uint8_t scheme = 0;
    std::string_view name;  ///< Cisco's name ("AS", "Prefix-Port")
    std::uint16_t record_size = 0;
};

/// The scheme, or nullptr for one nfpcap does not know (counted as unknown_version).
[[nodiscard]] const AggregationInfo* v8_aggregation(std::uint8_t scheme) noexcept;
/// Every known v8 scheme (1-14), in scheme order.
[[nodiscard]] std::span<const AggregationInfo> v8_aggregations() noexcept;

/// Fixed sizes of the formats the version table describes (RFC 3954 §5.1, RFC 7011 §3.1, Cisco's
/// NetFlow v1/v5/v7/v8 export formats), checked at compile time in version.cpp.
inline constexpr std::uint16_t kV1HeaderSize = 16;
inline constexpr std::uint16_t kV5HeaderSize = 24;
inline constexpr std::uint16_t kV7HeaderSize = 24;
inline constexpr std::uint16_t kV8HeaderSize = 28;
inline constexpr std::uint16_t kV9HeaderSize = 20;
inline constexpr std::uint16_t kIpfixHeaderSize = 16;
inline constexpr std::uint16_t kV1RecordSize = 48;
inline constexpr std::uint16_t kV5RecordSize = 48;
inline constexpr std::uint16_t kV7RecordSize = 52;
inline constexpr std::uint8_t kV8AggregationOffset = 22;  ///< the scheme byte; the version after it
inline constexpr std::size_t kSetHeaderSize = 4;          ///< v9 flowset / IPFIX set header

}  // namespace nfpcap::netflow
