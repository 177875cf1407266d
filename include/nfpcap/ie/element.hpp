// SPDX-License-Identifier: MIT
// Information element definitions: the generated IANA / NetFlow v9 / enterprise table.
#pragma once
#include <cstdint>
#include <span>
#include <string_view>

namespace nfpcap::ie {

/// RFC 7012 §3.1 abstract data types.
enum class DataType : std::uint8_t {
    octetArray,
    unsigned8,
    unsigned16,
    unsigned32,
    unsigned64,
    signed8,
    signed16,
    signed32,
    signed64,
    float32,
    float64,
    boolean,
    macAddress,
    string,
    dateTimeSeconds,
    dateTimeMilliseconds,
    dateTimeMicroseconds,
    dateTimeNanoseconds,
    ipv4Address,
    ipv6Address,
    basicList,
    subTemplateList,
    subTemplateMultiList,
};

/// RFC 7012 §3.2 data type semantics (none when the registry leaves it empty).
enum class Semantics : std::uint8_t {
    none,
    quantity,
    totalCounter,
    deltaCounter,
    identifier,
    flags,
    list,
    snmpCounter,
    snmpGauge,
};

/// Private enterprise numbers the registry uses for NetFlow v9 field types.
inline constexpr std::uint32_t kPenNetflow = 4294967294U;       // v9 types < 32768
inline constexpr std::uint32_t kPenNetflowExtra = 4294967295U;  // v9 types >= 32768, id = type - 32768
/// The pseudo-scope of fields of the fixed formats (NetFlow v7 router_sc, v8's extra packets)
/// that have no IANA element; they print by their bare names, as v9 field types do.
inline constexpr std::uint32_t kPenNetflowFixed = 4294967293U;

struct Element {
    std::uint32_t pen;
    std::uint16_t id;
    std::string_view name;
    DataType type;
    Semantics semantics;
    std::string_view units;
};

/// The generated table, sorted by (pen, id).
std::span<const Element> all_elements() noexcept;

}  // namespace nfpcap::ie
