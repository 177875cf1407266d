// SPDX-License-Identifier: MIT
// Address text forms: the hand-written IPv4/IPv6 writers against the C library.
#include <arpa/inet.h>
#include <doctest/doctest.h>

#include <random>
#include <string>

#include "nfpcap/wire/address.hpp"
#include "nfpcap/wire/reader.hpp"

using namespace nfpcap;

namespace {

std::string v6_text(const std::array<std::uint8_t, 16>& b) {
    char buf[wire::kMaxAddressText + 1];
    return {buf, wire::write_ipv6(buf, reinterpret_cast<const std::byte*>(b.data()))};
}

std::string libc_text(const std::array<std::uint8_t, 16>& b) {
    char buf[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, b.data(), buf, sizeof buf);
    return buf;
}

}  // namespace

TEST_SUITE("wire.address") {

TEST_CASE("RFC 5952 text of IPv6 addresses") {
    auto parse = [](const char* text) {
        std::array<std::uint8_t, 16> b{};
        inet_pton(AF_INET6, text, b.data());
        return b;
    };
    CHECK(v6_text(parse("::")) == "::");
    CHECK(v6_text(parse("::1")) == "::1");
    CHECK(v6_text(parse("1::")) == "1::");
    CHECK(v6_text(parse("2001:db8:0:0:1:0:0:1")) == "2001:db8::1:0:0:1");
    CHECK(v6_text(parse("2001:db8:0:1:1:1:1:1")) == "2001:db8:0:1:1:1:1:1");
    CHECK(v6_text(parse("fe80::abcd:ef01")) == "fe80::abcd:ef01");
    CHECK(v6_text(parse("::ffff:192.0.2.1")) == "::ffff:192.0.2.1");
}

TEST_CASE("IPv6 text agrees with inet_ntop on random addresses with zero runs") {
    std::mt19937 rng(12345);
    for (int n = 0; n < 20000; ++n) {
        std::array<std::uint8_t, 16> b{};
        for (auto& x : b) x = static_cast<std::uint8_t>(rng());
        // Zero out random groups so runs of every length and position occur.
        for (std::size_t g = 0; g < 8; ++g) {
            if (rng() % 2) b[2 * g] = b[2 * g + 1] = 0;
        }
        // glibc prints IPv4-compatible (deprecated) addresses dotted; RFC 5952 does not.
        bool compat = true;
        for (std::size_t i = 0; i < 12; ++i) compat = compat && b[i] == 0;
        if (compat) continue;
        CAPTURE(libc_text(b));
        CHECK(v6_text(b) == libc_text(b));
    }
}

TEST_CASE("IPv4 and endpoint text") {
    const std::uint8_t a[] = {192, 0, 2, 255};
    char buf[wire::kMaxEndpointText + 1];
    CHECK(std::string(buf, wire::write_ipv4(buf, reinterpret_cast<const std::byte*>(a))) == "192.0.2.255");
    wire::Endpoint e{wire::IpAddress::parse("2001:db8::1"), 4739};
    CHECK(wire::to_string(e) == "[2001:db8::1]:4739");
    CHECK(wire::to_string(wire::Endpoint{wire::IpAddress::parse("10.0.0.1"), 0}) == "10.0.0.1:0");
}

}  // TEST_SUITE("wire.address")
