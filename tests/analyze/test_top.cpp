// SPDX-License-Identifier: MIT
// Top-N statistics: keys, either-side counting, order and ties, totals, saturation, limits, and
// nfdump -s on a sample as the oracle.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "../support/sample_flows.hpp"
#include "nfpcap/analyze/top.hpp"

using namespace nfpcap;
using analyze::FlowRecord;
using analyze::TopField;
using analyze::TopOptions;
using analyze::TopOrder;
using analyze::TopResult;

namespace {

wire::IpAddress ip(const char* text) { return wire::IpAddress::parse(text); }

FlowRecord rec(const char* src, std::uint16_t sport, const char* dst, std::uint16_t dport, std::uint64_t packets,
               std::uint64_t bytes, std::uint8_t protocol = 6) {
    FlowRecord f;
    f.src = ip(src);
    f.dst = ip(dst);
    f.src_port = sport;
    f.dst_port = dport;
    f.protocol = protocol;
    f.packets = packets;
    f.bytes = bytes;
    f.exporter = {ip("192.0.2.9"), 2055};
    return f;
}

analyze::TopKey key(const char* text) {
    analyze::TopKey k;
    auto error = analyze::parse_top_key(text, k);
    REQUIRE_MESSAGE(!error, (error ? *error : ""));
    return k;
}

TopResult top(const std::vector<FlowRecord>& records, const char* k, TopOrder order = TopOrder::flows,
              std::size_t count = 10) {
    TopOptions o;
    o.key = key(k);
    o.order = order;
    o.count = count;
    analyze::TopTable t(o);
    for (const auto& r : records) t.add(r);
    return t.result();
}

std::vector<std::string> labels(const TopResult& r) {
    std::vector<std::string> out;
    for (const auto& row : r.rows) out.push_back(analyze::key_text(r.key, row));
    return out;
}

const std::vector<FlowRecord> kRecords = {
    rec("10.0.0.1", 51000, "10.0.0.2", 443, 10, 1000),
    rec("10.0.0.1", 51001, "10.0.0.3", 80, 20, 500),
    rec("10.0.0.4", 53000, "10.0.0.2", 53, 1, 60, 17),
    rec("2001:db8::1", 40000, "2001:db8::2", 443, 5, 9000),
};

}  // namespace

TEST_SUITE("analyze.top") {

TEST_CASE("srcip, dstip: flows, packets, bytes per address; totals of all records") {
    const TopResult r = top(kRecords, "srcip");
    CHECK(labels(r) == std::vector<std::string>{"10.0.0.1", "2001:db8::1", "10.0.0.4"});
    CHECK(r.rows[0].counters.flows == 2);
    CHECK(r.rows[0].counters.packets == 30);
    CHECK(r.rows[0].counters.bytes == 1500);
    CHECK(r.totals.flows == 4);
    CHECK(r.totals.packets == 36);
    CHECK(r.totals.bytes == 10560);
    CHECK(r.keys == 3);
    CHECK_FALSE(r.totals.saturated);
    CHECK(labels(top(kRecords, "dstip")) == std::vector<std::string>{"10.0.0.2", "2001:db8::2", "10.0.0.3"});
}

TEST_CASE("ip and port count each record for both sides, twice when both sides are one (nfdump)") {
    std::vector<FlowRecord> records = kRecords;
    records.push_back(rec("127.0.0.1", 8000, "127.0.0.1", 8000, 3, 300));
    const TopResult r = top(records, "ip");
    REQUIRE(!r.rows.empty());
    CHECK(analyze::key_text(r.key, r.rows[0]) == "10.0.0.1");  // 2 flows, 1500 bytes
    const auto lo =
        std::find_if(r.rows.begin(), r.rows.end(), [](const auto& row) { return row.address == ip("127.0.0.1"); });
    REQUIRE(lo != r.rows.end());
    CHECK(lo->counters.flows == 2);
    CHECK(lo->counters.packets == 6);
    CHECK(r.totals.flows == 5);
    std::uint64_t flows = 0;
    for (const auto& row : r.rows) flows += row.counters.flows;
    CHECK(flows == 2 * r.totals.flows);
    const TopResult p = top(records, "port", TopOrder::bytes, 0);
    CHECK(labels(p)[0] == "443");
    CHECK(p.rows[0].counters.bytes == 10000);
    CHECK(p.rows.size() == 8);  // 51000 443 51001 80 53000 53 40000 8000
}

TEST_CASE("order by flows, packets or bytes; ties broken by the other counters, then the key") {
    // 53 and 80 have one flow each: the bytes decide.
    CHECK(labels(top(kRecords, "dstport", TopOrder::flows)) == std::vector<std::string>{"443", "80", "53"});
    CHECK(labels(top(kRecords, "dstport", TopOrder::packets)) == std::vector<std::string>{"80", "443", "53"});
    CHECK(labels(top(kRecords, "dstport", TopOrder::bytes)) == std::vector<std::string>{"443", "80", "53"});
    // Equal counters everywhere: the key decides, whatever the order of the records.
    std::vector<FlowRecord> same;
    for (std::uint16_t p : {9, 3, 7, 1, 5}) same.push_back(rec("10.0.0.1", p, "10.0.0.2", 80, 1, 100));
    std::mt19937 rng(7);
    for (int round = 0; round < 5; ++round) {
        std::shuffle(same.begin(), same.end(), rng);
        CHECK(labels(top(same, "srcport")) == std::vector<std::string>{"1", "3", "5", "7", "9"});
    }
}

TEST_CASE("count cuts the rows, not the totals or the key count") {
    const TopResult r = top(kRecords, "srcport", TopOrder::bytes, 2);
    CHECK(r.rows.size() == 2);
    CHECK(r.keys == 4);
    CHECK(r.totals.flows == 4);
    CHECK(top(kRecords, "srcport", TopOrder::bytes, 0).rows.size() == 4);
}

TEST_CASE("sums saturate at 2^64-1 and say so") {
    std::vector<FlowRecord> records = {rec("10.0.0.1", 1, "10.0.0.2", 2, UINT64_MAX - 5, UINT64_MAX - 1),
                                       rec("10.0.0.1", 1, "10.0.0.2", 2, 10, 2)};
    const TopResult r = top(records, "srcip");
    REQUIRE(r.rows.size() == 1);
    CHECK(r.rows[0].counters.packets == UINT64_MAX);
    CHECK(r.rows[0].counters.bytes == UINT64_MAX);
    CHECK(r.rows[0].counters.saturated);
    CHECK(r.totals.bytes == UINT64_MAX);
    CHECK(r.totals.saturated);
    // A biflow record's two directions near 2^64 saturate too.
    FlowRecord bi = rec("10.0.0.1", 1, "10.0.0.2", 2, 1, UINT64_MAX);
    bi.biflow = true;
    bi.rev_bytes = 1;
    const TopResult b = top({bi}, "srcip");
    CHECK(b.rows[0].counters.bytes == UINT64_MAX);
    // Renormalized by the sampling interval.
    FlowRecord sampled = rec("10.0.0.1", 1, "10.0.0.2", 2, 3, UINT64_MAX / 2);
    sampled.sampling = 100;
    TopOptions o;
    o.key = key("srcip");
    o.renormalize = true;
    analyze::TopTable t(o);
    t.add(sampled);
    const TopResult s = t.result();
    CHECK(s.rows[0].counters.packets == 300);
    CHECK(s.rows[0].counters.bytes == UINT64_MAX);
    CHECK(s.totals.saturated);
}

TEST_CASE("srcnet / dstnet prefixes for IPv4 and IPv6") {
    std::vector<FlowRecord> records = {
        rec("10.1.2.3", 1, "10.9.0.1", 2, 1, 10), rec("10.1.2.200", 1, "10.9.0.1", 2, 1, 10),
        rec("10.1.3.1", 1, "10.9.0.1", 2, 1, 10), rec("2001:db8:0:1::5", 1, "2001:db8::1", 2, 1, 10),
        rec("2001:db8:0:1::6", 1, "2001:db8::1", 2, 1, 10)};
    CHECK(labels(top(records, "srcnet/24")) == std::vector<std::string>{"10.1.2.0/24", "2001:d00::/24", "10.1.3.0/24"});
    CHECK(labels(top(records, "srcnet/24/64")) ==
          std::vector<std::string>{"10.1.2.0/24", "2001:db8:0:1::/64", "10.1.3.0/24"});
    // One N: IPv4 takes at most 32 of it.
    CHECK(labels(top(records, "srcnet/64")) ==
          std::vector<std::string>{"2001:db8:0:1::/64", "10.1.2.3/32", "10.1.2.200/32", "10.1.3.1/32"});
    CHECK(labels(top(records, "dstnet/0")) == std::vector<std::string>{"0.0.0.0/0", "::/0"});
    CHECK(labels(top(records, "srcnet/16/128"))[0] == "10.1.0.0/16");
}

TEST_CASE("proto, exporter, AS numbers, interfaces") {
    std::vector<FlowRecord> records = kRecords;
    records[0].src_as = 64500;
    records[0].input_if = 3;
    records[1].dst_as = 64501;
    records[1].output_if = 9;
    records[3].exporter = {ip("2001:db8::9"), 4739};
    CHECK(labels(top(records, "proto")) == std::vector<std::string>{"tcp", "udp"});
    CHECK(labels(top(records, "exporter")) == std::vector<std::string>{"192.0.2.9:2055", "[2001:db8::9]:4739"});
    CHECK(labels(top(records, "srcas")) == std::vector<std::string>{"0", "64500"});
    CHECK(labels(top(records, "dstas", TopOrder::packets)) == std::vector<std::string>{"64501", "0"});
    CHECK(labels(top(records, "inif")) == std::vector<std::string>{"0", "3"});
    CHECK(labels(top(records, "outif", TopOrder::bytes)) == std::vector<std::string>{"0", "9"});
}

TEST_CASE("service: the port that names a service, ICMP types, protocols without ports") {
    std::vector<FlowRecord> records = {
        rec("10.0.0.1", 51000, "10.0.0.2", 443, 1, 1),    rec("10.0.0.2", 443, "10.0.0.1", 51000, 1, 1),
        rec("10.0.0.1", 40000, "10.0.0.2", 53, 1, 1, 17), rec("10.0.0.1", 40000, "10.0.0.2", 40001, 1, 1, 17),
        rec("10.0.0.1", 0, "10.0.0.2", 0, 1, 1, 1),       rec("10.0.0.1", 0, "10.0.0.2", 0, 1, 1, 47)};
    records[4].icmp_type = 8;
    const TopResult r = top(records, "service");
    // Equal counters after HTTPS: by key, i.e. protocol number then port.
    CHECK(labels(r) ==
          std::vector<std::string>{"https (tcp/443)", "icmp echo-request", "domain (udp/53)", "udp/40000", "gre"});
    CHECK(r.rows[0].counters.flows == 2);  // both directions of the HTTPS exchange
}

TEST_CASE("past max_keys, new keys are counted as untracked; totals still hold everything") {
    TopOptions o;
    o.key = key("srcport");
    o.max_keys = 3;
    o.count = 0;
    analyze::TopTable t(o);
    for (std::uint16_t p = 1; p <= 10; ++p) t.add(rec("10.0.0.1", p, "10.0.0.2", 80, 2, 100));
    t.add(rec("10.0.0.1", 1, "10.0.0.2", 80, 2, 100));  // a known key still counts in its row
    const TopResult r = t.result();
    CHECK(r.key_limit_reached);
    CHECK(r.keys == 3);
    CHECK(r.rows.size() == 3);
    CHECK(r.rows[0].port == 1);
    CHECK(r.rows[0].counters.flows == 2);
    CHECK(r.untracked.flows == 7);
    CHECK(r.untracked.bytes == 700);
    CHECK(r.totals.flows == 11);
}

TEST_CASE("many distinct keys: the table grows and keeps every count") {
    TopOptions o;
    o.key = key("srcip");
    o.count = 0;
    analyze::TopTable t(o);
    std::uint64_t n = 0;
    for (unsigned a = 0; a < 50; ++a) {
        for (unsigned b = 0; b < 200; ++b) {
            FlowRecord f = rec("10.0.0.1", 1, "10.0.0.2", 2, 1, 10);
            f.src.bytes[2] = static_cast<std::uint8_t>(a);
            f.src.bytes[3] = static_cast<std::uint8_t>(b);
            t.add(f);
            if (a == 7 && b == 9) t.add(f);
            ++n;
        }
    }
    const TopResult r = t.result();
    CHECK(r.keys == 10000);
    CHECK(r.rows.size() == 10000);
    CHECK(analyze::key_text(r.key, r.rows[0]) == "10.0.7.9");
    CHECK(r.rows[0].counters.flows == 2);
    std::uint64_t flows = 0;
    for (const auto& row : r.rows) flows += row.counters.flows;
    CHECK(flows == n + 1);
}

TEST_CASE("keys and orders parse; bad ones are errors") {
    analyze::TopKey k;
    CHECK_FALSE(analyze::parse_top_key("SRCIP", k));
    CHECK(k.field == TopField::srcip);
    CHECK_FALSE(analyze::parse_top_key("dstnet/16", k));
    CHECK(k.field == TopField::dstnet);
    CHECK(k.v4_bits == 16);
    CHECK(k.v6_bits == 16);
    CHECK_FALSE(analyze::parse_top_key("srcnet/48", k));
    CHECK(k.v4_bits == 32);
    CHECK(k.v6_bits == 48);
    CHECK_FALSE(analyze::parse_top_key("srcnet/24/56", k));
    CHECK(k.v4_bits == 24);
    CHECK(k.v6_bits == 56);
    for (const char* bad :
         {"srcipx", "", "srcnet", "srcnet/", "srcnet/129", "srcnet/33/64", "srcnet/24/129", "srcnet/x", "net/24"}) {
        CAPTURE(bad);
        CHECK(analyze::parse_top_key(bad, k));
    }
    TopOrder order = TopOrder::flows;
    CHECK_FALSE(analyze::parse_top_order("Bytes", order));
    CHECK(order == TopOrder::bytes);
    CHECK(analyze::parse_top_order("pps", order));
}

// nfdump 1.7.1 on the same flows (the nfcapd file of tests/data/filter/make-nfdump-oracle.sh):
//   nfdump -r FILE -s ip -n 5            127.0.0.1 64 flows, 184 packets, 297196 bytes;
//                                        ::1       40 flows, 108 packets,  53372 bytes
//   nfdump -r FILE -s port/bytes -n 3    8000 10/66/146856, 59258 2/18/121294, 8080 6/36/25072
TEST_CASE("the statistics nfdump -s gives for a sample") {
    const auto flows = test::sample_flows("softflowd-v9.pcap");
    const TopResult ips = top(flows, "ip");
    REQUIRE(ips.rows.size() == 2);
    CHECK(labels(ips) == std::vector<std::string>{"127.0.0.1", "::1"});
    CHECK(ips.rows[0].counters.flows == 64);
    CHECK(ips.rows[0].counters.packets == 184);
    CHECK(ips.rows[0].counters.bytes == 297196);
    CHECK(ips.rows[1].counters.flows == 40);
    CHECK(ips.rows[1].counters.packets == 108);
    CHECK(ips.rows[1].counters.bytes == 53372);
    CHECK(ips.totals.flows == 52);
    CHECK(ips.totals.packets == 146);
    CHECK(ips.totals.bytes == 175284);
    const TopResult ports = top(flows, "port", TopOrder::bytes, 3);
    CHECK(labels(ports) == std::vector<std::string>{"8000", "59258", "8080"});
    CHECK(ports.rows[0].counters.flows == 10);
    CHECK(ports.rows[0].counters.packets == 66);
    CHECK(ports.rows[0].counters.bytes == 146856);
    CHECK(ports.rows[1].counters.bytes == 121294);
    CHECK(ports.rows[2].counters.flows == 6);
    CHECK(ports.rows[2].counters.bytes == 25072);
}

}  // TEST_SUITE("analyze.top")
