// SPDX-License-Identifier: MIT
// IP addresses and transport endpoints, with allocation-free text forms.
#pragma once
#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace nfpcap::wire {

/// An IPv4 or IPv6 address; IPv4 uses the first four bytes.
struct IpAddress {
    std::uint8_t family = 0;  // 0 (none), 4 or 6
    std::array<std::uint8_t, 16> bytes{};

    static IpAddress v4(std::span<const std::byte, 4> b) noexcept;
    static IpAddress v6(std::span<const std::byte, 16> b) noexcept;
    /// Parses dotted IPv4 or RFC 4291 IPv6 text; family 0 when it is neither.
    static IpAddress parse(const std::string& text);

    [[nodiscard]] std::size_t size() const noexcept { return family == 6 ? 16 : family == 4 ? 4 : 0; }
    friend auto operator<=>(const IpAddress&, const IpAddress&) = default;
};

struct Endpoint {
    IpAddress addr;
    std::uint16_t port = 0;
    friend auto operator<=>(const Endpoint&, const Endpoint&) = default;
};

/// Longest text forms, terminating NUL excluded.
inline constexpr std::size_t kMaxAddressText = 45;
inline constexpr std::size_t kMaxEndpointText = kMaxAddressText + 8;

/// Writes dotted-quad text; returns one past the last character written.
char* write_ipv4(char* out, const std::byte* four) noexcept;
/// Writes RFC 5952 text; returns one past the last character written.
char* write_ipv6(char* out, const std::byte* sixteen) noexcept;
char* write_address(char* out, const IpAddress& a) noexcept;
/// `addr:port`, IPv6 as `[addr]:port`.
char* write_endpoint(char* out, const Endpoint& e) noexcept;

std::string to_string(const IpAddress& a);
std::string to_string(const Endpoint& e);

/// Hash for unordered containers keyed by addresses and endpoints.
std::size_t hash_value(const IpAddress& a) noexcept;
std::size_t hash_value(const Endpoint& e) noexcept;

struct AddressHash {
    std::size_t operator()(const IpAddress& a) const noexcept { return hash_value(a); }
};

}  // namespace nfpcap::wire
