// SPDX-License-Identifier: MIT
// Display filters: every keyword on records that match and records that do not, precedence,
// nfdump's negated flags, errors naming the token, and nfdump itself as the oracle on samples.
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "../support/sample_flows.hpp"
#include "nfpcap/analyze/filter.hpp"

using namespace nfpcap;
using analyze::Filter;
using analyze::FlowRecord;

namespace {

constexpr std::int64_t kSec = 1'000'000'000;
constexpr std::int64_t kT0 = 1'700'000'000 * kSec;

wire::IpAddress ip(const char* text) { return wire::IpAddress::parse(text); }

FlowRecord tcp(const char* src, std::uint16_t sport, const char* dst, std::uint16_t dport) {
    FlowRecord f;
    f.src = ip(src);
    f.dst = ip(dst);
    f.src_port = sport;
    f.dst_port = dport;
    f.protocol = 6;
    f.packets = 10;
    f.bytes = 1500;
    f.tcp_flags = 0x1b;  // ...AP.SF
    f.start_ns = kT0;
    f.end_ns = kT0 + 2 * kSec;
    f.exporter = {ip("192.0.2.9"), 2055};
    f.version = 9;
    f.domain = 1;
    return f;
}

Filter compile(const std::string& text) {
    Filter f;
    auto error = analyze::compile_filter(text, f);
    INFO(text);
    REQUIRE_MESSAGE(!error, (error ? error->describe() : ""));
    return f;
}

bool match(const std::string& text, const FlowRecord& r) { return compile(text).matches(r); }

analyze::FilterError error_of(const std::string& text) {
    Filter f;
    auto error = analyze::compile_filter(text, f);
    INFO(text);
    REQUIRE(error);
    return *error;
}

}  // namespace

TEST_SUITE("analyze.filter") {

TEST_CASE("empty filter and any match everything") {
    const FlowRecord r = tcp("10.0.0.1", 1000, "10.0.0.2", 80);
    CHECK(Filter{}.matches(r));
    CHECK(Filter{}.accepts_all());
    CHECK(compile("").matches(r));
    CHECK(compile("  # only a comment\n").accepts_all());
    CHECK(compile("any").matches(r));
    CHECK_FALSE(compile("not any").matches(r));
    CHECK_FALSE(compile("proto tcp").accepts_all());
}

TEST_CASE("proto by name and number") {
    FlowRecord r = tcp("10.0.0.1", 1000, "10.0.0.2", 80);
    CHECK(match("proto tcp", r));
    CHECK(match("proto 6", r));
    CHECK(match("PROTO TCP", r));
    CHECK_FALSE(match("proto udp", r));
    r.protocol = 17;
    CHECK(match("proto udp", r));
    r.protocol = 1;
    CHECK(match("proto icmp", r));
    CHECK_FALSE(match("proto icmp6", r));
    r.protocol = 58;
    CHECK(match("proto icmp6", r));
    CHECK(match("proto ipv6-icmp", r));
    CHECK(match("proto 58", r));
    r.protocol = 50;
    CHECK(match("proto esp", r));
}

TEST_CASE("host / ip: either side, src, dst, IPv4 and IPv6, lists") {
    const FlowRecord v4 = tcp("10.0.0.1", 1000, "192.0.2.80", 80);
    CHECK(match("host 10.0.0.1", v4));
    CHECK(match("host 192.0.2.80", v4));
    CHECK(match("ip 192.0.2.80", v4));
    CHECK_FALSE(match("host 10.0.0.2", v4));
    CHECK(match("src host 10.0.0.1", v4));
    CHECK_FALSE(match("dst host 10.0.0.1", v4));
    CHECK(match("dst ip 192.0.2.80", v4));
    const FlowRecord v6 = tcp("2001:db8::1", 1000, "2001:db8::80", 80);
    CHECK(match("host 2001:db8::80", v6));
    CHECK(match("src host 2001:DB8:0:0::1", v6));
    CHECK_FALSE(match("dst host 2001:db8::1", v6));
    CHECK_FALSE(match("host 10.0.0.1", v6));
    CHECK(match("host in [10.9.9.9 2001:db8::80]", v6));
    CHECK(match("src ip in [10.0.0.0/8, 172.16.0.0/12]", v4));
    CHECK_FALSE(match("dst ip in [10.0.0.0/8, 172.16.0.0/12]", v4));
}

TEST_CASE("net: CIDR on either side, IPv4 dotted masks, host bits ignored, families apart") {
    const FlowRecord v4 = tcp("10.1.2.3", 1000, "192.0.2.80", 80);
    CHECK(match("net 10.0.0.0/8", v4));
    CHECK(match("net 10.1.0.0/16", v4));
    CHECK(match("net 10.1.2.3/32", v4));
    CHECK_FALSE(match("net 10.1.2.4/32", v4));
    CHECK(match("net 10.200.0.0/8", v4));  // the host bits of the network are masked off
    CHECK(match("src net 10.0.0.0/8", v4));
    CHECK_FALSE(match("dst net 10.0.0.0/8", v4));
    CHECK(match("dst net 192.0.2.0/24", v4));
    CHECK(match("net 10.0.0.0 255.0.0.0", v4));
    CHECK_FALSE(match("net 10.0.0.0 255.255.0.0", v4));
    CHECK(match("net 0.0.0.0/0", v4));
    const FlowRecord v6 = tcp("2001:db8:1::5", 1000, "2001:db8:2::5", 80);
    CHECK(match("net 2001:db8::/32", v6));
    CHECK(match("src net 2001:db8:1::/48", v6));
    CHECK_FALSE(match("src net 2001:db8:2::/48", v6));
    CHECK(match("net 2001:db8:2::4/127", v6));
    CHECK_FALSE(match("net 2001:db8:2::6/127", v6));
    // Unlike nfdump (which keeps IPv4 in IPv6 form), an IPv6 network never holds an IPv4 address.
    CHECK_FALSE(match("net ::/0", v4));
    CHECK(match("net ::/0", v6));
    CHECK_FALSE(match("net 0.0.0.0/0", v6));
}

TEST_CASE("port: equality, comparisons, either side, lists") {
    const FlowRecord r = tcp("10.0.0.1", 51000, "10.0.0.2", 443);
    CHECK(match("port 443", r));
    CHECK(match("port 51000", r));
    CHECK_FALSE(match("port 80", r));
    CHECK(match("dst port 443", r));
    CHECK_FALSE(match("src port 443", r));
    for (const char* yes : {"dst port = 443", "dst port == 443", "dst port eq 443", "dst port EQ 443", "dst port > 442",
                            "dst port gt 442", "dst port >= 443", "dst port ge 443", "dst port < 444",
                            "dst port lt 444", "dst port <= 443", "dst port le 443", "dst port<=443", "dst port>442"}) {
        CAPTURE(yes);
        CHECK(match(yes, r));
    }
    for (const char* no : {"dst port = 444", "dst port > 443", "dst port < 443", "dst port >= 444", "dst port <= 442",
                           "src port < 1024"}) {
        CAPTURE(no);
        CHECK_FALSE(match(no, r));
    }
    CHECK(match("port > 50000", r));  // either side
    CHECK(match("port < 1024", r));
    CHECK(match("port in [22 80 443]", r));
    CHECK(match("port in [22,80,443]", r));
    CHECK(match("dst port in [ 443 ]", r));
    CHECK_FALSE(match("src port in [22 80 443]", r));
    CHECK_FALSE(match("port in [22 80]", r));
}

TEST_CASE("packets, bytes, in/out counters, scaling by 1000 as nfdump") {
    FlowRecord r = tcp("10.0.0.1", 1000, "10.0.0.2", 80);
    r.packets = 1500;
    r.bytes = 2'022;
    CHECK(match("packets > 1k", r));
    CHECK(match("packets 1500", r));
    CHECK(match("in packets >= 1500", r));
    CHECK_FALSE(match("packets > 1500", r));
    CHECK(match("bytes > 2k", r));  // k is 1000: 2022 > 2000
    CHECK_FALSE(match("bytes > 2048", r));
    CHECK(match("bytes < 1M", r));
    CHECK(match("bytes < 1g", r));
    r.bytes = 3'000'000'000;
    CHECK(match("bytes > 2G", r));
    CHECK(match("bytes = 3g", r));
    r.biflow = true;
    r.rev_packets = 7;
    r.rev_bytes = 700;
    CHECK(match("out packets 7", r));
    CHECK(match("out bytes < 1k", r));
    CHECK_FALSE(match("out bytes > 1k", r));
    r.bytes = UINT64_MAX;
    CHECK(match("bytes = 18446744073709551615", r));
}

TEST_CASE("duration in milliseconds; records without times never match it") {
    FlowRecord r = tcp("10.0.0.1", 1000, "10.0.0.2", 80);
    r.end_ns = *r.start_ns + 1'500'000'000;  // 1.5 s
    CHECK(match("duration 1500", r));
    CHECK(match("duration > 1000", r));
    CHECK(match("duration < 2000", r));
    CHECK_FALSE(match("duration > 1500", r));
    r.end_ns = *r.start_ns + 999'999;  // just under 1 ms: whole milliseconds, as nfdump
    CHECK(match("duration = 0", r));
    r.end_ns = *r.start_ns - kSec;  // ends before it starts: lasts 0
    CHECK(match("duration = 0", r));
    // Hostile times: the span of INT64_MIN .. INT64_MAX does not overflow.
    r.start_ns = INT64_MIN;
    r.end_ns = INT64_MAX;
    CHECK(match("duration > 18446744073708", r));
    r.start_ns.reset();
    r.end_ns.reset();
    CHECK_FALSE(match("duration >= 0", r));
    CHECK(match("not duration >= 0", r));
}

TEST_CASE("flags: all listed set; not flags: none set (nfdump)") {
    FlowRecord r = tcp("10.0.0.1", 1000, "10.0.0.2", 80);
    r.tcp_flags = 0x12;  // SYN|ACK
    CHECK(match("flags S", r));
    CHECK(match("flags A", r));
    CHECK(match("flags AS", r));
    CHECK(match("flags SA", r));
    CHECK(match("flags as", r));
    CHECK_FALSE(match("flags AR", r));  // R is not set
    CHECK_FALSE(match("flags X", r));
    CHECK_FALSE(match("not flags AR", r));  // A is set: not "none of A, R"
    CHECK(match("not flags RF", r));
    CHECK(match("not not flags AS", r));
    CHECK_FALSE(match("flags S and not flags AFRPU", r));  // not a bare SYN
    r.tcp_flags = 0x02;
    CHECK(match("flags S and not flags AFRPU", r));
    r.tcp_flags = 0x3f;
    CHECK(match("flags X", r));
    CHECK(match("flags UAPRSF", r));
    // De Morgan, as nfdump: not (flags AR or proto udp) = none of A, R and not UDP.
    r.tcp_flags = 0x02;
    CHECK(match("not (flags AR or proto udp)", r));
    r.tcp_flags = 0x10;
    CHECK_FALSE(match("not (flags AR or proto udp)", r));
    CHECK(match("not (flags AR and proto tcp)", FlowRecord{}));
}

TEST_CASE("interfaces, AS numbers, ToS, next hop") {
    FlowRecord r = tcp("10.0.0.1", 1000, "10.0.0.2", 80);
    r.input_if = 3;
    r.output_if = 7;
    r.src_as = 64500;
    r.dst_as = 4200000000;
    r.tos = 0xb8;
    r.next_hop = ip("10.0.0.254");
    CHECK(match("in if 3", r));
    CHECK_FALSE(match("in if 7", r));
    CHECK(match("out if 7", r));
    CHECK(match("if 7", r));
    CHECK(match("if 3", r));
    CHECK_FALSE(match("if 4", r));
    CHECK(match("out if > 5", r));
    CHECK(match("src as 64500", r));
    CHECK_FALSE(match("dst as 64500", r));
    CHECK(match("as 4200000000", r));
    CHECK(match("dst as > 65535", r));
    CHECK(match("as in [1 64500]", r));
    CHECK_FALSE(match("src as in [1 2]", r));
    CHECK(match("tos 184", r));
    CHECK(match("tos > 0", r));
    CHECK_FALSE(match("tos 0", r));
    CHECK(match("next ip 10.0.0.254", r));
    CHECK_FALSE(match("next ip 10.0.0.1", r));
}

TEST_CASE("exporter with and without port, router ip, version, domain, address families") {
    FlowRecord r = tcp("10.0.0.1", 1000, "10.0.0.2", 80);
    CHECK(match("exporter 192.0.2.9", r));
    CHECK(match("exporter 192.0.2.9:2055", r));
    CHECK_FALSE(match("exporter 192.0.2.9:4739", r));
    CHECK_FALSE(match("exporter 192.0.2.10", r));
    CHECK(match("router ip 192.0.2.9", r));
    r.exporter = {ip("2001:db8::9"), 4739};
    CHECK(match("exporter 2001:db8::9", r));
    CHECK(match("exporter [2001:db8::9]:4739", r));
    CHECK_FALSE(match("exporter [2001:db8::9]:2055", r));
    CHECK(match("version 9", r));
    CHECK_FALSE(match("version 10", r));
    CHECK(match("version >= 9", r));
    r.version = 5;
    CHECK(match("version 5", r));
    CHECK(match("domain 1", r));
    CHECK_FALSE(match("domain 2", r));
    CHECK(match("ipv4", r));
    CHECK(match("inet", r));
    CHECK_FALSE(match("ipv6", r));
    CHECK(match("inet6", tcp("::1", 1, "::2", 2)));
}

TEST_CASE("precedence: not binds tighter than and, and tighter than or") {
    FlowRecord udp53 = tcp("10.0.0.1", 5353, "10.0.0.2", 53);
    udp53.protocol = 17;
    const FlowRecord tcp80 = tcp("10.0.0.1", 1000, "10.0.0.2", 80);
    // or below and: udp or (tcp and port 8000)
    CHECK(match("proto udp or proto tcp and port 8000", udp53));
    CHECK_FALSE(match("proto udp or proto tcp and port 8000", tcp80));
    CHECK_FALSE(match("(proto udp or proto tcp) and port 8000", udp53));
    // not below and: (not udp) and port 53
    CHECK_FALSE(match("not proto udp and port 53", udp53));
    CHECK(match("not (proto udp and port 80)", udp53));
    CHECK(match("not proto udp or port 53", udp53));
    CHECK(match("! proto tcp && port 53 || port 80", udp53));
    CHECK(match("! proto tcp && port 53 || port 80", tcp80));
    CHECK_FALSE(match("!(proto tcp || port 53)", udp53));
    CHECK(match("NOT PROTO TCP AND PORT 53", udp53));
    CHECK(match("not not proto udp", udp53));
    CHECK(match("((proto udp))", udp53));
    // Long chains are one node: no deep recursion.
    std::string chain = "port 1";
    for (int i = 2; i < 5000; ++i) chain += " or port " + std::to_string(i);
    CHECK(match(chain, tcp80));
    CHECK_FALSE(match("not (" + chain + ")", tcp80));
}

TEST_CASE("errors name the offending token and its column") {
    CHECK(error_of("prot tcp").describe() == "filter: unknown keyword 'prot' at column 1");
    auto e = error_of("proto tcp and prot udp");
    CHECK(e.column == 15);
    CHECK(e.token == "prot");
    e = error_of("proto tcp and");
    CHECK(e.column == 14);
    CHECK(e.token.empty());
    CHECK(e.describe() == "filter: expected a filter primitive, got the end of the filter at column 14");
    CHECK(error_of("proto tcpx").describe() == "filter: unknown protocol 'tcpx' at column 7");
    CHECK(error_of("proto 256").describe() == "filter: '256' is out of range 0..255 at column 7");
    CHECK(error_of("port 70000").describe() == "filter: '70000' is out of range 0..65535 at column 6");
    CHECK(error_of("port > x").token == "x");
    CHECK(error_of("port != 80").describe() ==
          "filter: unknown comparison '!=' (= == > < >= <= eq gt lt ge le) at column 6");
    CHECK(error_of("host 1.2.3").describe() == "filter: expected an IPv4 or IPv6 address, got '1.2.3' at column 6");
    CHECK(error_of("net 10.0.0.0/33").describe() == "filter: prefix '10.0.0.0/33' has more than 32 bits at column 5");
    CHECK(error_of("net ::/129").column == 5);
    CHECK(error_of("net 10.0.0.0").column == 5);  // neither /bits nor a mask
    CHECK(error_of("flags SZ").describe() == "filter: unknown TCP flag 'Z' in 'SZ' (UAPRSFX) at column 7");
    CHECK(error_of("(proto tcp").describe() == "filter: unbalanced '(' at column 1");
    CHECK(error_of("proto tcp)").describe() == "filter: unbalanced ')' at column 10");
    CHECK(error_of("proto tcp port 80").describe() ==
          "filter: expected 'and', 'or' or the end, got 'port' at column 11");
    CHECK(error_of("port in [ ]").describe() == "filter: empty list at column 11");
    CHECK(error_of("port in [80").column == 9);
    CHECK(error_of("src proto tcp").describe() ==
          "filter: expected host, ip, net, port or as after 'src', got 'proto' at column 5");
    CHECK(error_of("bytes > 1.5k").token == "1.5k");
    CHECK(error_of("bytes > 99999999999999999999").token == "99999999999999999999");
    CHECK(error_of("bytes > 20000000000G").token == "20000000000G");  // scaled past 2^64
    CHECK(error_of("duration > 1s").token == "1s");                   // milliseconds, no suffix
    CHECK(error_of("exporter 192.0.2.9:99999").column == 10);
    CHECK(error_of("and").column == 1);
    CHECK(error_of("  or proto tcp").column == 3);
    std::string deep(300, '(');
    CHECK(error_of(deep + "any" + std::string(300, ')')).message.find("nesting") != std::string::npos);
}

TEST_CASE("a failed compile leaves the filter as it was") {
    Filter f = compile("proto udp");
    CHECK(analyze::compile_filter("proto", f));
    CHECK_FALSE(f.matches(tcp("10.0.0.1", 1, "10.0.0.2", 2)));
    CHECK_FALSE(analyze::compile_filter("", f));
    CHECK(f.accepts_all());
}

// nfdump 1.7.1 as the oracle: tests/data/filter/<sample>.nfdump.tsv lists the flows nfdump selects
// for each filter of filters.txt from the sample (made by make-nfdump-oracle.sh); nfpcap's filter
// must select the same flows from the same capture.
TEST_CASE("the flows nfdump selects from the samples") {
    for (const char* sample : {"softflowd-v9", "pmacct-nfprobe-ipfix"}) {
        CAPTURE(sample);
        const auto flows = test::sample_flows(std::string(sample) + ".pcap");
        REQUIRE(flows.size() == 52);
        std::ifstream in(std::string(NFPCAP_TEST_DATA_DIR) + "/filter/" + sample + ".nfdump.tsv");
        REQUIRE(in);
        std::string line;
        std::size_t cases = 0;
        while (std::getline(in, line)) {
            if (line.empty() || line[0] == '#') continue;
            const auto tab1 = line.find('\t'), tab2 = line.find('\t', tab1 + 1);
            const std::string text = line.substr(0, tab1);
            CAPTURE(text);
            std::vector<std::string> expected;
            std::istringstream keys(line.substr(tab2 + 1));
            for (std::string k; keys >> k;) expected.push_back(k);
            REQUIRE(std::to_string(expected.size()) == line.substr(tab1 + 1, tab2 - tab1 - 1));
            const Filter filter = compile(text);
            std::vector<std::string> got;
            for (const FlowRecord& f : flows) {
                if (!filter.matches(f)) continue;
                got.push_back(std::to_string(f.protocol) + "," + wire::to_string(f.src) + "," +
                              std::to_string(f.src_port) + "," + wire::to_string(f.dst) + "," +
                              std::to_string(f.dst_port) + "," + std::to_string(f.packets) + "," +
                              std::to_string(f.bytes));
            }
            // nfdump keeps an ICMP record's type * 256 + code as its destination port, where
            // nfpcap has no ports for ICMP: port tests are compared on TCP and UDP records only.
            if (text.find("port") != std::string::npos) {
                auto icmp = [](const std::string& k) { return k.rfind("1,", 0) == 0 || k.rfind("58,", 0) == 0; };
                expected.erase(std::remove_if(expected.begin(), expected.end(), icmp), expected.end());
                got.erase(std::remove_if(got.begin(), got.end(), icmp), got.end());
            }
            std::sort(expected.begin(), expected.end());
            std::sort(got.begin(), got.end());
            CHECK(got == expected);
            ++cases;
        }
        CHECK(cases > 80);
    }
}

}  // TEST_SUITE("analyze.filter")
