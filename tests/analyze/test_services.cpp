// SPDX-License-Identifier: MIT
// Service, protocol and ICMP type names from the project's own tables.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "nfpcap/analyze/services.hpp"

using namespace nfpcap::analyze;

namespace {

constexpr std::uint8_t kIcmp = 1;
constexpr std::uint8_t kTcp = 6;
constexpr std::uint8_t kUdp = 17;
constexpr std::uint8_t kDccp = 33;
constexpr std::uint8_t kIcmpV6 = 58;
constexpr std::uint8_t kSctp = 132;
constexpr std::uint8_t kUdpLite = 136;

}  // namespace

TEST_SUITE("analyze.services") {

TEST_CASE("well-known service names") {
    CHECK(service_name(kTcp, 443) == "https");
    CHECK(service_name(kUdp, 443) == "https");
    CHECK(service_name(kUdp, 53) == "domain");
    CHECK(service_name(kTcp, 53) == "domain");
    CHECK(service_name(kTcp, 22) == "ssh");
    CHECK(service_name(kTcp, 80) == "http");
    CHECK(service_name(kUdp, 123) == "ntp");
    CHECK(service_name(kTcp, 1) == "tcpmux");  // first row of the table
    SUBCASE("the same port can name different services per protocol") {
        CHECK(service_name(kTcp, 514) == "shell");
        CHECK(service_name(kUdp, 514) == "syslog");
    }
}

TEST_CASE("unknown ports and protocols have no name") {
    CHECK(service_name(kTcp, 0).empty());
    CHECK(service_name(kTcp, 65535).empty());
    CHECK(service_name(kTcp, 49999).empty());
    CHECK(service_name(kUdp, 22).empty());  // ssh is TCP only in the table
    CHECK(service_name(kIcmp, 80).empty());
    CHECK(service_name(0, 443).empty());
    CHECK(service_name(255, 443).empty());
}

TEST_CASE("UDP-Lite uses UDP names; SCTP and DCCP do not fall back") {
    CHECK(service_name(kUdpLite, 53) == "domain");
    CHECK(service_name(kUdpLite, 123) == "ntp");
    CHECK(service_name(kSctp, 443).empty());
    CHECK(service_name(kDccp, 443).empty());
    CHECK(service_name(kSctp, 5672) == "amqp");  // netbase's one SCTP entry
}

TEST_CASE("is_service_port agrees with service_name") {
    CHECK(is_service_port(kTcp, 443));
    CHECK(is_service_port(kUdp, 53));
    CHECK(is_service_port(kUdpLite, 53));
    CHECK_FALSE(is_service_port(kTcp, 49999));
    CHECK_FALSE(is_service_port(kUdp, 22));
    CHECK_FALSE(is_service_port(kIcmp, 8));
    for (const ServiceEntry& e : service_table()) {
        CAPTURE(e.protocol);
        CAPTURE(e.port);
        CHECK(is_service_port(e.protocol, e.port));
        CHECK(service_name(e.protocol, e.port) == e.name);
    }
}

TEST_CASE("generated tables are sorted and non-empty") {
    auto services = service_table();
    REQUIRE(services.size() > 100);
    for (std::size_t i = 1; i < services.size(); ++i) {
        CAPTURE(i);
        const auto& a = services[i - 1];
        const auto& b = services[i];
        CHECK((a.protocol < b.protocol || (a.protocol == b.protocol && a.port < b.port)));
    }
    for (const ServiceEntry& e : services) {
        CHECK(!e.name.empty());
        CHECK((e.protocol == kTcp || e.protocol == kUdp || e.protocol == kSctp || e.protocol == kDccp));
    }
    auto protocols = protocol_table();
    REQUIRE(!protocols.empty());
    for (std::size_t i = 1; i < protocols.size(); ++i) {
        CHECK(protocols[i - 1].number < protocols[i].number);
    }
}

TEST_CASE("IP protocol keywords") {
    CHECK(protocol_name(1) == "icmp");
    CHECK(protocol_name(2) == "igmp");
    CHECK(protocol_name(6) == "tcp");
    CHECK(protocol_name(17) == "udp");
    CHECK(protocol_name(47) == "gre");
    CHECK(protocol_name(50) == "esp");
    CHECK(protocol_name(58) == "ipv6-icmp");
    CHECK(protocol_name(132) == "sctp");
    CHECK(protocol_name(136) == "udplite");
    CHECK(protocol_name(0) == "hopopt");  // not netbase's socket-level "ip" pseudo entry
    CHECK(protocol_name(7).empty());
    CHECK(protocol_name(200).empty());
    CHECK(protocol_name(255).empty());
}

TEST_CASE("ICMP type names") {
    SUBCASE("IPv4") {
        CHECK(icmp_type_name(kIcmp, 0) == "echo-reply");
        CHECK(icmp_type_name(kIcmp, 3) == "destination-unreachable");
        CHECK(icmp_type_name(kIcmp, 4) == "source-quench");
        CHECK(icmp_type_name(kIcmp, 5) == "redirect");
        CHECK(icmp_type_name(kIcmp, 8) == "echo-request");
        CHECK(icmp_type_name(kIcmp, 9) == "router-advertisement");
        CHECK(icmp_type_name(kIcmp, 10) == "router-solicitation");
        CHECK(icmp_type_name(kIcmp, 11) == "time-exceeded");
        CHECK(icmp_type_name(kIcmp, 12) == "parameter-problem");
        CHECK(icmp_type_name(kIcmp, 13) == "timestamp-request");
        CHECK(icmp_type_name(kIcmp, 14) == "timestamp-reply");
        CHECK(icmp_type_name(kIcmp, 1).empty());
        CHECK(icmp_type_name(kIcmp, 128).empty());
        CHECK(icmp_type_name(kIcmp, 255).empty());
    }
    SUBCASE("IPv6") {
        CHECK(icmp_type_name(kIcmpV6, 1) == "destination-unreachable");
        CHECK(icmp_type_name(kIcmpV6, 2) == "packet-too-big");
        CHECK(icmp_type_name(kIcmpV6, 3) == "time-exceeded");
        CHECK(icmp_type_name(kIcmpV6, 4) == "parameter-problem");
        CHECK(icmp_type_name(kIcmpV6, 128) == "echo-request");
        CHECK(icmp_type_name(kIcmpV6, 129) == "echo-reply");
        CHECK(icmp_type_name(kIcmpV6, 133) == "router-solicitation");
        CHECK(icmp_type_name(kIcmpV6, 134) == "router-advertisement");
        CHECK(icmp_type_name(kIcmpV6, 135) == "neighbor-solicitation");
        CHECK(icmp_type_name(kIcmpV6, 136) == "neighbor-advertisement");
        CHECK(icmp_type_name(kIcmpV6, 137) == "redirect");
        CHECK(icmp_type_name(kIcmpV6, 143) == "mld-v2-report");
        CHECK(icmp_type_name(kIcmpV6, 0).empty());
        CHECK(icmp_type_name(kIcmpV6, 8).empty());  // the v4 echo-request number
        CHECK(icmp_type_name(kIcmpV6, 255).empty());
    }
    SUBCASE("other protocols have no ICMP types") {
        CHECK(icmp_type_name(kTcp, 8).empty());
        CHECK(icmp_type_name(kUdp, 0).empty());
    }
}

TEST_CASE("ICMP request/reply roles") {
    auto check_pair = [](std::uint8_t protocol, std::uint8_t request, std::uint8_t reply) {
        CAPTURE(protocol);
        CAPTURE(request);
        auto req = icmp_role(protocol, request);
        REQUIRE(req.has_value());
        CHECK(req->request);
        CHECK(req->request_type == request);
        auto rep = icmp_role(protocol, reply);
        REQUIRE(rep.has_value());
        CHECK_FALSE(rep->request);
        CHECK(rep->request_type == request);
        // Both ends of a pair have names.
        CHECK(!icmp_type_name(protocol, request).empty());
        CHECK(!icmp_type_name(protocol, reply).empty());
    };
    SUBCASE("echo v4") { check_pair(kIcmp, 8, 0); }
    SUBCASE("echo v6") { check_pair(kIcmpV6, 128, 129); }
    SUBCASE("timestamp") { check_pair(kIcmp, 13, 14); }
    SUBCASE("address mask") { check_pair(kIcmp, 17, 18); }
    SUBCASE("extended echo") {
        check_pair(kIcmp, 42, 43);
        check_pair(kIcmpV6, 160, 161);
    }
    SUBCASE("errors and unsolicited messages have no role") {
        CHECK_FALSE(icmp_role(kIcmp, 3).has_value());
        CHECK_FALSE(icmp_role(kIcmp, 11).has_value());
        CHECK_FALSE(icmp_role(kIcmp, 9).has_value());
        CHECK_FALSE(icmp_role(kIcmpV6, 1).has_value());
        CHECK_FALSE(icmp_role(kIcmpV6, 134).has_value());
        CHECK_FALSE(icmp_role(kIcmpV6, 136).has_value());
        CHECK_FALSE(icmp_role(kIcmpV6, 143).has_value());
        CHECK_FALSE(icmp_role(kIcmpV6, 0).has_value());
    }
    SUBCASE("the numbers belong to their own protocol") {
        CHECK_FALSE(icmp_role(kIcmpV6, 8).has_value());
        CHECK_FALSE(icmp_role(kIcmp, 128).has_value());
        CHECK_FALSE(icmp_role(kTcp, 8).has_value());
    }
    SUBCASE("a reply's request_type is a request of the same protocol") {
        for (std::uint8_t protocol : {kIcmp, kIcmpV6}) {
            for (unsigned t = 0; t < 256; ++t) {
                auto type = static_cast<std::uint8_t>(t);
                auto role = icmp_role(protocol, type);
                if (!role) continue;
                CAPTURE(protocol);
                CAPTURE(t);
                auto back = icmp_role(protocol, role->request_type);
                REQUIRE(back.has_value());
                CHECK(back->request);
                CHECK(back->request_type == role->request_type);
            }
        }
    }
}

}  // TEST_SUITE("analyze.services")
