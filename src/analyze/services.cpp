// SPDX-License-Identifier: MIT
// Service and protocol lookups over the generated tables; hand-written ICMP/ICMPv6 type names.
#include "nfpcap/analyze/services.hpp"

#include <algorithm>
#include <cstddef>
#include <utility>

namespace nfpcap::analyze {
namespace {

constexpr std::uint8_t kIcmp = 1;
constexpr std::uint8_t kIcmpV6 = 58;
constexpr std::uint8_t kUdp = 17;
constexpr std::uint8_t kUdpLite = 136;

// IANA "ICMP Type Numbers" (RFC 792, 950, 1256, 1393, 1788, 2521, 8335); deprecated types keep
// their names so old captures still read.
std::string_view icmp_v4_name(std::uint8_t type) noexcept {
    switch (type) {
    case 0: return "echo-reply";
    case 3: return "destination-unreachable";
    case 4: return "source-quench";
    case 5: return "redirect";
    case 6: return "alternate-host-address";
    case 8: return "echo-request";
    case 9: return "router-advertisement";
    case 10: return "router-solicitation";
    case 11: return "time-exceeded";
    case 12: return "parameter-problem";
    case 13: return "timestamp-request";
    case 14: return "timestamp-reply";
    case 15: return "information-request";
    case 16: return "information-reply";
    case 17: return "address-mask-request";
    case 18: return "address-mask-reply";
    case 30: return "traceroute";
    case 31: return "conversion-error";
    case 32: return "mobile-host-redirect";
    case 33: return "ipv6-where-are-you";
    case 34: return "ipv6-i-am-here";
    case 35: return "mobile-registration-request";
    case 36: return "mobile-registration-reply";
    case 37: return "domain-name-request";
    case 38: return "domain-name-reply";
    case 39: return "skip";
    case 40: return "photuris";
    case 42: return "extended-echo-request";
    case 43: return "extended-echo-reply";
    default: return {};
    }
}

// IANA "ICMPv6 Type Numbers" (RFC 4443, 4861, 2710, 3810, 3122, 4620, 6275, 3971, 4286, 5568,
// 6550, 6743, 6775, 7731, 8335).
std::string_view icmp_v6_name(std::uint8_t type) noexcept {
    switch (type) {
    case 1: return "destination-unreachable";
    case 2: return "packet-too-big";
    case 3: return "time-exceeded";
    case 4: return "parameter-problem";
    case 128: return "echo-request";
    case 129: return "echo-reply";
    case 130: return "mld-query";
    case 131: return "mld-report";
    case 132: return "mld-done";
    case 133: return "router-solicitation";
    case 134: return "router-advertisement";
    case 135: return "neighbor-solicitation";
    case 136: return "neighbor-advertisement";
    case 137: return "redirect";
    case 138: return "router-renumbering";
    case 139: return "node-information-query";
    case 140: return "node-information-response";
    case 141: return "inverse-neighbor-solicitation";
    case 142: return "inverse-neighbor-advertisement";
    case 143: return "mld-v2-report";
    case 144: return "home-agent-discovery-request";
    case 145: return "home-agent-discovery-reply";
    case 146: return "mobile-prefix-solicitation";
    case 147: return "mobile-prefix-advertisement";
    case 148: return "certification-path-solicitation";
    case 149: return "certification-path-advertisement";
    case 150: return "experimental-mobility";
    case 151: return "multicast-router-advertisement";
    case 152: return "multicast-router-solicitation";
    case 153: return "multicast-router-termination";
    case 154: return "fmipv6";
    case 155: return "rpl-control";
    case 156: return "ilnpv6-locator-update";
    case 157: return "duplicate-address-request";
    case 158: return "duplicate-address-confirmation";
    case 159: return "mpl-control";
    case 160: return "extended-echo-request";
    case 161: return "extended-echo-reply";
    default: return {};
    }
}

// (request, reply) type pairs whose reply is addressed to the requester.
constexpr std::pair<std::uint8_t, std::uint8_t> kIcmpV4Pairs[] = {
    {8, 0},    // echo
    {13, 14},  // timestamp
    {15, 16},  // information
    {17, 18},  // address mask
    {37, 38},  // domain name
    {42, 43},  // extended echo
};
constexpr std::pair<std::uint8_t, std::uint8_t> kIcmpV6Pairs[] = {
    {128, 129},  // echo
    {139, 140},  // node information
    {144, 145},  // home agent address discovery
    {160, 161},  // extended echo
};

template <std::size_t N>
std::optional<IcmpRole> find_role(const std::pair<std::uint8_t, std::uint8_t> (&pairs)[N], std::uint8_t type) noexcept {
    for (const auto& [request, reply] : pairs) {
        if (type == request) return IcmpRole{true, request};
        if (type == reply) return IcmpRole{false, request};
    }
    return std::nullopt;
}

}  // namespace

std::string_view service_name(std::uint8_t protocol, std::uint16_t port) noexcept {
    // UDP-Lite shares UDP's port registry (RFC 3828 §3.3); SCTP and DCCP have their own, so
    // they get only their own entries, never TCP's.
    if (protocol == kUdpLite) protocol = kUdp;
    auto table = service_table();
    auto it = std::lower_bound(table.begin(), table.end(), std::pair{protocol, port},
                               [](const ServiceEntry& e, std::pair<std::uint8_t, std::uint16_t> k) {
                                   return std::pair{e.protocol, e.port} < k;
                               });
    if (it == table.end() || it->protocol != protocol || it->port != port) return {};
    return it->name;
}

std::string_view icmp_type_name(std::uint8_t protocol, std::uint8_t type) noexcept {
    if (protocol == kIcmp) return icmp_v4_name(type);
    if (protocol == kIcmpV6) return icmp_v6_name(type);
    return {};
}

std::optional<IcmpRole> icmp_role(std::uint8_t protocol, std::uint8_t type) noexcept {
    if (protocol == kIcmp) return find_role(kIcmpV4Pairs, type);
    if (protocol == kIcmpV6) return find_role(kIcmpV6Pairs, type);
    return std::nullopt;
}

std::string_view protocol_name(std::uint8_t protocol) noexcept {
    auto table = protocol_table();
    auto it = std::lower_bound(table.begin(), table.end(), protocol,
                               [](const ProtocolEntry& e, std::uint8_t n) { return e.number < n; });
    if (it == table.end() || it->number != protocol) return {};
    return it->keyword;
}

bool is_service_port(std::uint8_t protocol, std::uint16_t port) noexcept {
    return !service_name(protocol, port).empty();
}

}  // namespace nfpcap::analyze
