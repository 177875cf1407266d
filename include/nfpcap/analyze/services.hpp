// SPDX-License-Identifier: MIT
// Names for IP protocols, transport ports and ICMP types, from tables the project carries.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace nfpcap::analyze {

/// Service name for (IP protocol, port) from the project's table ("https"), empty if none.
/// SCTP/DCCP fall back to nothing; UDP-Lite (136) uses the UDP names.
std::string_view service_name(std::uint8_t protocol, std::uint16_t port) noexcept;

/// ICMP (protocol 1) or ICMPv6 (58) type name ("echo-request"), empty if unknown.
std::string_view icmp_type_name(std::uint8_t protocol, std::uint8_t type) noexcept;

/// For request/reply ICMP types: the type of the request this one answers or asks
/// (echo-reply -> echo-request); nullopt for types that are neither.
/// Lets the analyzer pair echo-request with echo-reply and call the requester the client.
/// Only exchanges whose reply goes back to the requester count: the router/neighbor discovery
/// and MLD messages are left out, as their advertisements and reports are often unsolicited
/// and multicast.
struct IcmpRole {
    bool request;
    std::uint8_t request_type;
};
std::optional<IcmpRole> icmp_role(std::uint8_t protocol, std::uint8_t type) noexcept;

/// IANA protocol keyword ("tcp", "udp", "icmp", "ipv6-icmp"), empty if unknown.
std::string_view protocol_name(std::uint8_t protocol) noexcept;

/// Whether the port has a service name for this protocol (well-known or registered).
bool is_service_port(std::uint8_t protocol, std::uint16_t port) noexcept;

/// One row of the generated service table (tools/gen_services.py, Debian netbase).
struct ServiceEntry {
    std::uint8_t protocol;  // 6 tcp, 17 udp, 33 dccp, 132 sctp
    std::uint16_t port;
    std::string_view name;
};

/// One row of the generated protocol table: number and lowercase keyword.
struct ProtocolEntry {
    std::uint8_t number;
    std::string_view keyword;
};

/// The generated tables (src/analyze/services_table.cpp): services strictly sorted by
/// (protocol, port), protocols strictly sorted by number.
std::span<const ServiceEntry> service_table() noexcept;
std::span<const ProtocolEntry> protocol_table() noexcept;

}  // namespace nfpcap::analyze
