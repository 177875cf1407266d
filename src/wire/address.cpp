// SPDX-License-Identifier: MIT
// IP address text forms: a hand-written IPv4 writer (hot in every output) and inet_ntop for IPv6.
#include "nfpcap/wire/address.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

namespace nfpcap::wire {

IpAddress IpAddress::v4(std::span<const std::byte, 4> b) noexcept {
    IpAddress a;
    a.family = 4;
    std::memcpy(a.bytes.data(), b.data(), 4);
    return a;
}

IpAddress IpAddress::v6(std::span<const std::byte, 16> b) noexcept {
    IpAddress a;
    a.family = 6;
    std::memcpy(a.bytes.data(), b.data(), 16);
    return a;
}

IpAddress IpAddress::parse(const std::string& text) {
    IpAddress a;
    if (inet_pton(AF_INET, text.c_str(), a.bytes.data()) == 1) {
        a.family = 4;
    } else if (inet_pton(AF_INET6, text.c_str(), a.bytes.data()) == 1) {
        a.family = 6;
    }
    return a;
}

char* write_ipv4(char* out, const std::byte* four) noexcept {
    for (int i = 0; i < 4; ++i) {
        auto v = static_cast<unsigned>(four[i]);
        if (v >= 100) {
            *out++ = static_cast<char>('0' + v / 100);
            *out++ = static_cast<char>('0' + v / 10 % 10);
        } else if (v >= 10) {
            *out++ = static_cast<char>('0' + v / 10);
        }
        *out++ = static_cast<char>('0' + v % 10);
        if (i != 3) *out++ = '.';
    }
    return out;
}

char* write_ipv6(char* out, const std::byte* sixteen) noexcept {
    // RFC 5952: lowercase hex without leading zeros, the longest run (>= 2) of zero groups as
    // "::" (the first on a tie), IPv4-mapped addresses with a dotted tail.
    std::uint16_t groups[8];
    for (std::size_t i = 0; i < 8; ++i) {
        groups[i] = static_cast<std::uint16_t>((static_cast<unsigned>(sixteen[2 * i]) << 8U) |
                                               static_cast<unsigned>(sixteen[2 * i + 1]));
    }
    const bool mapped =
        groups[0] == 0 && groups[1] == 0 && groups[2] == 0 && groups[3] == 0 && groups[4] == 0 && groups[5] == 0xffff;
    const int count = mapped ? 6 : 8;
    int best = -1, best_len = 0;
    for (int i = 0; i < count;) {
        if (groups[i] != 0) {
            ++i;
            continue;
        }
        int j = i;
        while (j < count && groups[j] == 0) ++j;
        if (j - i > best_len) {
            best = i;
            best_len = j - i;
        }
        i = j;
    }
    if (best_len < 2) best = -1;
    static constexpr char kHex[] = "0123456789abcdef";
    for (int i = 0; i < count; ++i) {
        if (i == best) {
            *out++ = ':';
            if (i == 0) *out++ = ':';
            i += best_len - 1;
            continue;
        }
        unsigned g = groups[i];
        bool started = false;
        for (int shift = 12; shift >= 0; shift -= 4) {
            unsigned nibble = (g >> static_cast<unsigned>(shift)) & 15U;
            if (nibble != 0 || started || shift == 0) {
                *out++ = kHex[nibble];
                started = true;
            }
        }
        if (i != count - 1) *out++ = ':';
    }
    if (mapped) {
        if (best < 0 || best + best_len != count) *out++ = ':';
        out = write_ipv4(out, sixteen + 12);
    }
    return out;
}

char* write_address(char* out, const IpAddress& a) noexcept {
    const auto* p = reinterpret_cast<const std::byte*>(a.bytes.data());
    if (a.family == 4) return write_ipv4(out, p);
    if (a.family == 6) return write_ipv6(out, p);
    *out++ = '-';
    return out;
}

char* write_endpoint(char* out, const Endpoint& e) noexcept {
    if (e.addr.family == 6) *out++ = '[';
    out = write_address(out, e.addr);
    if (e.addr.family == 6) *out++ = ']';
    *out++ = ':';
    char digits[5];
    int n = 0;
    unsigned port = e.port;
    do {
        digits[n++] = static_cast<char>('0' + port % 10);
        port /= 10;
    } while (port != 0);
    while (n > 0) *out++ = digits[--n];
    return out;
}

std::string to_string(const IpAddress& a) {
    char buf[kMaxAddressText + 1];
    return {buf, write_address(buf, a)};
}

std::string to_string(const Endpoint& e) {
    char buf[kMaxEndpointText + 1];
    return {buf, write_endpoint(buf, e)};
}

std::size_t hash_value(const IpAddress& a) noexcept {
    // FNV-1a over the used bytes: cheap and good enough for a handful of exporters.
    std::size_t h = 1469598103934665603ULL ^ a.family;
    for (std::size_t i = 0; i < a.size(); ++i) {
        h = (h ^ a.bytes[i]) * 1099511628211ULL;
    }
    return h;
}

std::size_t hash_value(const Endpoint& e) noexcept { return (hash_value(e.addr) ^ e.port) * 1099511628211ULL; }

}  // namespace nfpcap::wire
