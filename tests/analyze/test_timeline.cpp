// SPDX-License-Identifier: MIT
// The timeline: exact spreading by duration, totals that add up on random and hostile records,
// the bounded window, groups, and a sample.
#include <doctest/doctest.h>

#include <random>
#include <stdexcept>
#include <vector>

#include "../support/sample_flows.hpp"
#include "nfpcap/analyze/timeline.hpp"

using namespace nfpcap;
using analyze::FlowRecord;
using analyze::Timeline;
using analyze::TimelineOptions;
using analyze::TimelineResult;

namespace {

constexpr std::int64_t kMs = 1'000'000;
constexpr std::int64_t kSec = 1000 * kMs;
constexpr std::int64_t kT0 = 1'700'000'000 * kSec;

FlowRecord rec(std::int64_t start_ms, std::int64_t end_ms, std::uint64_t packets, std::uint64_t bytes,
               std::uint8_t protocol = 6) {
    FlowRecord f;
    f.src = wire::IpAddress::parse("10.0.0.1");
    f.dst = wire::IpAddress::parse("10.0.0.2");
    f.protocol = protocol;
    f.packets = packets;
    f.bytes = bytes;
    f.start_ns = kT0 + start_ms * kMs;
    f.end_ns = kT0 + end_ms * kMs;
    return f;
}

TimelineResult run(const std::vector<FlowRecord>& records, TimelineOptions o = {}) {
    Timeline t(o);
    for (const auto& r : records) t.add(r);
    return t.result();
}

std::vector<std::uint64_t> packets_of(const TimelineResult& r, std::size_t series = 0) {
    std::vector<std::uint64_t> out;
    for (const auto& c : r.series.at(series).intervals) out.push_back(c.packets);
    return out;
}

// Everything added is in an interval, outside the window, or untimed: exactly.
void check_adds_up(const TimelineResult& r) {
    std::uint64_t flows = r.outside.flows + r.untimed.flows, packets = r.outside.packets + r.untimed.packets,
                  bytes = r.outside.bytes + r.untimed.bytes;
    for (const auto& s : r.series) {
        for (const auto& c : s.intervals) {
            flows += c.flows;
            packets += c.packets;
            bytes += c.bytes;
        }
    }
    CHECK(flows == r.totals.flows);
    CHECK(packets == r.totals.packets);
    CHECK(bytes == r.totals.bytes);
}

}  // namespace

TEST_SUITE("analyze.timeline") {

TEST_CASE("a record inside one interval; intervals aligned to multiples since 1970") {
    const TimelineResult r = run({rec(200, 700, 5, 500)});
    REQUIRE(r.intervals == 1);
    CHECK(r.first_start_ns == kT0);
    REQUIRE(r.series.size() == 1);
    CHECK(r.series[0].label == "all");
    CHECK(r.series[0].intervals[0].flows == 1);
    CHECK(r.series[0].intervals[0].packets == 5);
    CHECK(r.series[0].intervals[0].bytes == 500);
    check_adds_up(r);
}

TEST_CASE("a record over several intervals is spread by duration, exactly") {
    // 0.5 s .. 3.0 s: half of interval 0, all of 1 and 2.
    CHECK(packets_of(run({rec(500, 3000, 10, 0)})) == std::vector<std::uint64_t>{2, 4, 4});
    // 7 packets: 1.4, 2.8, 2.8 -> floors 1, 2, 2; the two units left go to the largest remainders.
    CHECK(packets_of(run({rec(500, 3000, 7, 0)})) == std::vector<std::uint64_t>{1, 3, 3});
    // 1 packet over 3 equal thirds: the tie goes to the earliest interval.
    CHECK(packets_of(run({rec(0, 3000, 1, 0)})) == std::vector<std::uint64_t>{1, 0, 0});
    // 2 packets over 0.9 s + 0.1 s.
    CHECK(packets_of(run({rec(100, 1100, 2, 0)})) == std::vector<std::uint64_t>{2, 0});
    // An end on an interval boundary does not touch the next interval.
    CHECK(packets_of(run({rec(0, 2000, 4, 0)})) == std::vector<std::uint64_t>{2, 2});
    // Flows count where they start.
    const TimelineResult r = run({rec(500, 3000, 10, 1000)});
    CHECK(r.series[0].intervals[0].flows == 1);
    CHECK(r.series[0].intervals[1].flows == 0);
    CHECK(r.series[0].intervals[1].bytes == 400);
    check_adds_up(r);
}

TEST_CASE("records without times are counted apart; ends before starts count at the start") {
    FlowRecord untimed = rec(0, 0, 3, 30);
    untimed.start_ns.reset();
    untimed.end_ns.reset();
    const TimelineResult r = run({untimed, rec(5000, 1000, 2, 20), rec(0, 100, 1, 10)});
    CHECK(r.untimed.flows == 1);
    CHECK(r.untimed.packets == 3);
    CHECK(r.reversed == 1);
    CHECK(r.intervals == 6);
    CHECK(packets_of(r) == std::vector<std::uint64_t>{1, 0, 0, 0, 0, 2});
    check_adds_up(r);
}

TEST_CASE("totals add up on random records, some spanning many intervals, some outside") {
    std::mt19937_64 rng(2024);
    for (int round = 0; round < 20; ++round) {
        CAPTURE(round);
        TimelineOptions o;
        o.interval_ns = static_cast<std::int64_t>(1 + rng() % (5 * kSec));
        o.max_intervals = 1 + rng() % 400;
        o.group = round % 2 ? analyze::TimelineGroup::proto : analyze::TimelineGroup::none;
        Timeline t(o);
        for (int i = 0; i < 300; ++i) {
            const auto start = static_cast<std::int64_t>(rng() % 600'000);
            FlowRecord f = rec(start, start + static_cast<std::int64_t>(rng() % 100'000), rng() % 1'000'000,
                               rng() % 4'000'000'000ULL, static_cast<std::uint8_t>(rng() % 3 ? 6 : 17));
            if (rng() % 10 == 0) f.end_ns = *f.start_ns;
            if (rng() % 20 == 0) f.packets = rng();  // up to 2^64-1 (sums below stay exact per series)
            if (rng() % 25 == 0) f.start_ns.reset();
            t.add(f);
        }
        const TimelineResult r = t.result();
        CHECK(r.intervals <= o.max_intervals);
        if (!r.totals.saturated) check_adds_up(r);
    }
}

TEST_CASE("hostile times: the whole int64 range, year 2262, before 1970; no overflow, bounded window") {
    TimelineOptions o;
    o.interval_ns = 1;  // one interval per nanosecond: 2^64 of them over the whole range
    o.max_intervals = 1000;
    FlowRecord all = rec(0, 0, UINT64_MAX - 100, UINT64_MAX - 200);  // the sums stay below 2^64
    all.start_ns = INT64_MIN;
    all.end_ns = INT64_MAX;
    FlowRecord late = rec(0, 0, 7, 70);
    late.start_ns = INT64_MAX - 3;
    late.end_ns = INT64_MAX;
    FlowRecord early = rec(0, 0, 5, 50);
    early.start_ns = -3'000'000'000 * kSec;  // 1875
    early.end_ns = INT64_MAX;
    Timeline t(o);
    t.add(all);
    t.add(late);
    t.add(early);
    const TimelineResult r = t.result();
    CHECK(r.intervals == 1000);
    CHECK(r.window_limited);
    CHECK(r.first_start_ns == INT64_MIN);
    CHECK(r.interval_start(999) == INT64_MIN + 999);
    check_adds_up(r);
    CHECK(r.outside.flows == 2);
    // Long intervals near the end of the range: interval starts clamp, nothing wraps.
    o.interval_ns = INT64_MAX;
    o.max_intervals = 3;
    const TimelineResult big = run({all, late, early}, o);
    CHECK(big.intervals == 3);
    check_adds_up(big);
    CHECK(big.first_start_ns == INT64_MIN);  // -2 * INT64_MAX, clamped
    CHECK(big.interval_start(2) == 0);
    CHECK(big.interval_start(3) == INT64_MAX);
}

TEST_CASE("an interval's sums saturate at 2^64-1 and say so") {
    const TimelineResult r = run({rec(0, 100, UINT64_MAX - 1, 1), rec(200, 300, 5, 1)});
    CHECK(r.series[0].intervals[0].packets == UINT64_MAX);
    CHECK(r.series[0].intervals[0].saturated);
    CHECK(r.series[0].total.saturated);
    CHECK(r.totals.packets == UINT64_MAX);
    CHECK(r.totals.saturated);
    CHECK(r.series[0].intervals[0].bytes == 2);
}

TEST_CASE("the window grows both ways up to max_intervals; the rest is outside") {
    TimelineOptions o;
    o.max_intervals = 5;
    const TimelineResult r = run({rec(10'000, 10'500, 1, 10), rec(7'000, 7'100, 2, 20), rec(20'000, 20'100, 4, 40)}, o);
    CHECK(r.intervals == 5);
    CHECK(r.first_start_ns == kT0 + 7 * kSec);
    CHECK(packets_of(r) == std::vector<std::uint64_t>{2, 0, 0, 1, 0});
    CHECK(r.window_limited);
    CHECK(r.outside.packets == 4);
    CHECK(r.outside.flows == 1);
    check_adds_up(r);
}

TEST_CASE("a from/to window is fixed; intervals start at from") {
    TimelineOptions o;
    o.from_ns = kT0 + 250 * kMs;
    o.to_ns = kT0 + 2250 * kMs;
    const TimelineResult r = run({rec(0, 1000, 4, 0), rec(1000, 1100, 1, 0), rec(5000, 5100, 8, 0)}, o);
    CHECK(r.intervals == 2);
    CHECK(r.first_start_ns == kT0 + 250 * kMs);
    CHECK(packets_of(r) == std::vector<std::uint64_t>{3 + 1, 0});  // 0.75 of the first record, the second
    CHECK(r.outside.packets == 1 + 8);
    CHECK_FALSE(r.window_limited);
    check_adds_up(r);
    o.to_ns = kT0 + 2251 * kMs;  // a partial last interval still counts as one
    CHECK(run({}, o).intervals == 3);
}

TEST_CASE("bad options are setup errors") {
    TimelineOptions o;
    o.interval_ns = 0;
    CHECK_THROWS_AS(Timeline{o}, std::invalid_argument);
    o.interval_ns = kSec;
    o.from_ns = kT0;
    o.to_ns = kT0;
    CHECK_THROWS_AS(Timeline{o}, std::invalid_argument);
    o.from_ns = INT64_MIN;
    o.to_ns = INT64_MAX;
    CHECK_THROWS_AS(Timeline{o}, std::invalid_argument);  // far more than max_intervals
    analyze::TimelineGroup g = analyze::TimelineGroup::none;
    CHECK_FALSE(analyze::parse_timeline_group("Service", g));
    CHECK(g == analyze::TimelineGroup::service);
    CHECK(analyze::parse_timeline_group("port", g));
}

TEST_CASE("groups by protocol, exporter, service; past max_groups the rest is 'other'") {
    std::vector<FlowRecord> records = {rec(0, 100, 1, 10, 6), rec(0, 100, 2, 20, 17), rec(1000, 1100, 4, 40, 6),
                                       rec(0, 100, 8, 80, 1)};
    TimelineOptions o;
    o.group = analyze::TimelineGroup::proto;
    TimelineResult r = run(records, o);
    REQUIRE(r.series.size() == 3);
    CHECK(r.series[0].label == "tcp");
    CHECK(r.series[1].label == "udp");
    CHECK(r.series[2].label == "icmp");
    CHECK(packets_of(r, 0) == std::vector<std::uint64_t>{1, 4});
    CHECK(r.series[0].total.packets == 5);
    CHECK_FALSE(r.groups_limited);
    o.max_groups = 1;
    r = run(records, o);
    REQUIRE(r.series.size() == 2);
    CHECK(r.series[1].label == "other");
    CHECK(r.series[1].total.packets == 10);
    CHECK(r.groups_limited);
    check_adds_up(r);
    o.max_groups = 32;
    o.group = analyze::TimelineGroup::service;
    records[0].dst_port = 443;
    records[2].dst_port = 443;
    r = run(records, o);
    CHECK(r.series[0].label == "https (tcp/443)");
    CHECK(r.series[0].total.packets == 5);
}

TEST_CASE("a sample: every record in an interval, totals as the records'") {
    const auto flows = test::sample_flows("softflowd-ipfix.pcap");
    REQUIRE(flows.size() == 52);
    TimelineOptions o;
    o.interval_ns = 100 * kMs;
    o.group = analyze::TimelineGroup::proto;
    const TimelineResult r = run(flows, o);
    std::uint64_t packets = 0, bytes = 0;
    for (const auto& f : flows) {
        packets += f.total_packets();
        bytes += f.total_bytes();
    }
    CHECK(r.totals.flows == 52);
    CHECK(r.totals.packets == packets);
    CHECK(r.totals.bytes == bytes);
    CHECK(r.untimed.flows == 0);
    CHECK(r.outside.flows == 0);
    CHECK(r.intervals >= 16);  // the traffic lasted about 2 s
    CHECK(r.intervals <= 40);
    check_adds_up(r);
}

}  // TEST_SUITE("analyze.timeline")
