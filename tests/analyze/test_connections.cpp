// SPDX-License-Identifier: MIT
// Pairing flow records into connections, deciding client and server, and choosing what to show.
#include <doctest/doctest.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <numeric>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "nfpcap/analyze/connections.hpp"
#include "nfpcap/analyze/selection.hpp"

using namespace nfpcap;
using analyze::Connection;
using analyze::ConnectionOptions;
using analyze::ConnectionTable;
using analyze::DirectionRule;
using analyze::FlowRecord;

namespace {

constexpr std::uint8_t kIcmp = 1;
constexpr std::uint8_t kTcp = 6;
constexpr std::uint8_t kUdp = 17;
constexpr std::uint8_t kIcmpV6 = 58;

constexpr std::uint8_t kSyn = 0x02;
constexpr std::uint8_t kAck = 0x10;
constexpr std::uint8_t kSynAckPshFin = 0x1b;

constexpr std::int64_t kMs = 1'000'000;
constexpr std::int64_t kSec = 1'000 * kMs;
constexpr std::int64_t kT0 = 1'700'000'000 * kSec;

wire::IpAddress ip(const char* text) { return wire::IpAddress::parse(text); }
wire::Endpoint ep(const char* addr, std::uint16_t port) { return {ip(addr), port}; }

// A flow record built one property at a time; times are milliseconds after kT0.
struct Rec {
    FlowRecord f;

    Rec(const char* src, std::uint16_t src_port, const char* dst, std::uint16_t dst_port,
        std::uint8_t protocol = kTcp) {
        f.src = ip(src);
        f.dst = ip(dst);
        f.src_port = src_port;
        f.dst_port = dst_port;
        f.protocol = protocol;
        f.packets = 10;
        f.bytes = 1000;
        f.tcp_flags = protocol == kTcp ? kSynAckPshFin : 0;
        f.start_ns = kT0;
        f.end_ns = kT0 + kSec;
        f.exporter = ep("192.0.2.9", 2055);
    }
    Rec& ms(std::int64_t start, std::int64_t end) {
        f.start_ns = kT0 + start * kMs;
        f.end_ns = kT0 + end * kMs;
        return *this;
    }
    Rec& no_time() {
        f.start_ns.reset();
        f.end_ns.reset();
        return *this;
    }
    Rec& counts(std::uint64_t packets, std::uint64_t bytes) {
        f.packets = packets;
        f.bytes = bytes;
        return *this;
    }
    Rec& reverse(std::uint64_t packets, std::uint64_t bytes) {
        f.biflow = true;
        f.rev_packets = packets;
        f.rev_bytes = bytes;
        return *this;
    }
    Rec& flags(std::uint8_t flags) {
        f.tcp_flags = flags;
        return *this;
    }
    Rec& initial_flags(std::uint8_t flags) {
        f.initial_tcp_flags = flags;
        return *this;
    }
    Rec& icmp(std::uint8_t type) {
        f.icmp_type = type;
        f.src_port = f.dst_port = 0;
        return *this;
    }
    Rec& exporter(const char* addr, std::uint16_t port = 2055) {
        f.exporter = ep(addr, port);
        return *this;
    }
    Rec& sampling(std::uint32_t n) {
        f.sampling = n;
        return *this;
    }
};

std::vector<Connection> pair(const std::vector<Rec>& records, ConnectionOptions options = {}) {
    ConnectionTable table(options);
    for (const Rec& r : records) table.add(r.f);
    CHECK(table.records() == records.size());
    const auto list = table.finish();
    return {list.begin(), list.end()};
}

Connection only(const std::vector<Rec>& records, ConnectionOptions options = {}) {
    auto connections = pair(records, options);
    REQUIRE(connections.size() == 1);
    return connections.front();
}

}  // namespace

TEST_SUITE("analyze.connections") {

TEST_CASE("two reverse unidirectional records are one connection") {
    const Connection c = only({Rec("10.0.0.1", 51000, "10.0.0.2", 443).counts(12, 1500).ms(0, 2000),
                               Rec("10.0.0.2", 443, "10.0.0.1", 51000).counts(9, 64000).ms(10, 1990)});
    CHECK(c.client == ep("10.0.0.1", 51000));
    CHECK(c.server == ep("10.0.0.2", 443));
    CHECK(c.protocol == kTcp);
    CHECK(c.packets[0] == 12);
    CHECK(c.bytes[0] == 1500);
    CHECK(c.packets[1] == 9);
    CHECK(c.bytes[1] == 64000);
    CHECK(c.total_packets() == 21);
    CHECK(c.total_bytes() == 65500);
    CHECK(c.records == 2);
    CHECK(c.biflow_records == 0);
    CHECK_FALSE(c.one_way());
    CHECK(c.has_time);
    CHECK(c.start_ns == kT0);
    CHECK(c.end_ns == kT0 + 2000 * kMs);
    CHECK(c.duration_ns() == 2000 * kMs);
    CHECK(c.exporter == ep("192.0.2.9", 2055));
}

TEST_CASE("records that nearly touch are paired; the window decides how near") {
    // The reply starts 3 s after the request ended.
    const std::vector<Rec> records{Rec("10.0.0.1", 40000, "10.0.0.53", 53, kUdp).ms(0, 100),
                                   Rec("10.0.0.53", 53, "10.0.0.1", 40000, kUdp).ms(3100, 3200)};
    SUBCASE("default window (10 s)") {
        const Connection c = only(records);
        CHECK_FALSE(c.one_way());
        CHECK(c.duration_ns() == 3200 * kMs);
    }
    SUBCASE("window 5 s") {
        ConnectionOptions o;
        o.window_ns = 5 * kSec;
        CHECK(pair(records, o).size() == 1);
    }
    SUBCASE("window 1 s: two one-way connections") {
        ConnectionOptions o;
        o.window_ns = 1 * kSec;
        auto connections = pair(records, o);
        REQUIRE(connections.size() == 2);
        CHECK(connections[0].one_way());
        CHECK(connections[1].one_way());
    }
    SUBCASE("window 0: overlapping or touching ranges still pair") {
        ConnectionOptions o;
        o.window_ns = 0;
        CHECK(pair({Rec("10.0.0.1", 40000, "10.0.0.53", 53, kUdp).ms(0, 100),
                    Rec("10.0.0.53", 53, "10.0.0.1", 40000, kUdp).ms(100, 150)},
                   o)
                  .size() == 1);
        CHECK(pair({Rec("10.0.0.1", 40000, "10.0.0.53", 53, kUdp).ms(0, 100),
                    Rec("10.0.0.53", 53, "10.0.0.1", 40000, kUdp).ms(101, 150)},
                   o)
                  .size() == 2);
    }
}

TEST_CASE("records of one 5-tuple far apart in time are separate connections") {
    auto connections = pair({Rec("10.0.0.1", 40000, "10.0.0.53", 53, kUdp).ms(0, 100),
                             Rec("10.0.0.53", 53, "10.0.0.1", 40000, kUdp).ms(50, 120),
                             Rec("10.0.0.1", 40000, "10.0.0.53", 53, kUdp).ms(60'000, 60'100),
                             Rec("10.0.0.53", 53, "10.0.0.1", 40000, kUdp).ms(60'050, 60'120)});
    REQUIRE(connections.size() == 2);
    for (const Connection& c : connections) {
        CHECK(c.records == 2);
        CHECK_FALSE(c.one_way());
        CHECK(c.client == ep("10.0.0.1", 40000));
    }
    CHECK(connections[0].start_ns == kT0);
    CHECK(connections[1].start_ns == kT0 + 60 * kSec);
    CHECK(connections[1].end_ns == kT0 + 60'120 * kMs);
}

TEST_CASE("records split by the exporter's active timeout are merged") {
    const Connection c = only({Rec("10.0.0.1", 51000, "10.0.0.2", 22).counts(100, 10'000).ms(0, 60'000),
                               Rec("10.0.0.2", 22, "10.0.0.1", 51000).counts(90, 90'000).ms(5, 60'000),
                               Rec("10.0.0.1", 51000, "10.0.0.2", 22).counts(100, 10'000).ms(60'000, 120'000),
                               Rec("10.0.0.2", 22, "10.0.0.1", 51000).counts(90, 90'000).ms(60'001, 120'000),
                               Rec("10.0.0.1", 51000, "10.0.0.2", 22).counts(7, 700).ms(120'000, 125'000)});
    CHECK(c.records == 5);
    CHECK(c.client == ep("10.0.0.1", 51000));
    CHECK(c.packets[0] == 207);
    CHECK(c.bytes[0] == 20'700);
    CHECK(c.packets[1] == 180);
    CHECK(c.bytes[1] == 180'000);
    CHECK(c.start_ns == kT0);
    CHECK(c.end_ns == kT0 + 125 * kSec);
    CHECK(c.rule == DirectionRule::start);
}

TEST_CASE("records of an exporter that announced its timeouts join across the larger one") {
    // An SSH session idle for 40 s, twice: past a 10 s window, within the 60 s active timeout
    // the exporter announced (FlowRecord::split_gap_ns, from options 36/37).
    auto split = [](std::int64_t gap_ns) {
        std::vector<Rec> records{Rec("10.0.0.1", 51000, "10.0.0.2", 22).ms(0, 5'000),
                                 Rec("10.0.0.1", 51000, "10.0.0.2", 22).ms(45'000, 50'000),
                                 Rec("10.0.0.1", 51000, "10.0.0.2", 22).ms(90'000, 95'000)};
        for (auto& r : records) r.f.split_gap_ns = gap_ns;
        return pair(records);
    };
    CHECK(split(0).size() == 3);
    const auto joined = split(60 * kSec);
    REQUIRE(joined.size() == 1);
    CHECK(joined[0].records == 3);
    CHECK(joined[0].end_ns == kT0 + 95 * kSec);
    // A gap the announced timeout does not cover still splits.
    CHECK(split(30 * kSec).size() == 3);

    // --follow waits for the widest gap before handing a connection out.
    ConnectionTable table;
    Rec first("10.0.0.1", 51000, "10.0.0.2", 22);
    first.ms(0, 5'000).f.split_gap_ns = 60 * kSec;
    table.add(first.f);
    CHECK(table.take_finished(kT0 + 30 * kSec).empty());
    CHECK(table.take_finished(kT0 + 66 * kSec).size() == 1);
}

TEST_CASE("observations of one connection by two exporters stay apart, each counted once") {
    // Two routers on one path export the same conversation (both directions each).
    const std::vector<Rec> records{
        Rec("10.0.0.1", 51000, "10.0.0.2", 443).counts(12, 1500).ms(0, 2000).exporter("192.0.2.1"),
        Rec("10.0.0.2", 443, "10.0.0.1", 51000).counts(9, 64000).ms(10, 1990).exporter("192.0.2.1"),
        Rec("10.0.0.1", 51000, "10.0.0.2", 443).counts(11, 1400).ms(5, 2005).exporter("192.0.2.2"),
        Rec("10.0.0.2", 443, "10.0.0.1", 51000).counts(9, 64000).ms(15, 1995).exporter("192.0.2.2")};
    const auto apart = pair(records);
    REQUIRE(apart.size() == 2);
    CHECK(apart[0].exporter == ep("192.0.2.1", 2055));
    CHECK(apart[0].total_packets() == 21);
    CHECK(apart[1].exporter == ep("192.0.2.2", 2055));
    CHECK(apart[1].total_packets() == 20);
    CHECK(apart[0].exporters.empty());

    ConnectionOptions merge;
    merge.merge_exporters = true;
    const Connection c = only(records, merge);
    // The largest observation, not the sum; both exporters listed, its own first.
    CHECK(c.total_packets() == 21);
    CHECK(c.total_bytes() == 65500);
    CHECK(c.exporter == ep("192.0.2.1", 2055));
    CHECK(c.exporters == std::vector<wire::Endpoint>{ep("192.0.2.1", 2055), ep("192.0.2.2", 2055)});
    CHECK(c.client == ep("10.0.0.1", 51000));
}

TEST_CASE("merge_exporters keeps observations apart in time, and one exporter's own connections") {
    ConnectionOptions merge;
    merge.merge_exporters = true;
    // The same 5-tuple an hour later is another connection, by either exporter.
    const auto later = pair({Rec("10.0.0.1", 51000, "10.0.0.2", 443).ms(0, 1000).exporter("192.0.2.1"),
                             Rec("10.0.0.1", 51000, "10.0.0.2", 443).ms(3'600'000, 3'601'000).exporter("192.0.2.2")},
                            merge);
    CHECK(later.size() == 2);
    CHECK(later[0].exporters.empty());
    // A second exporter's long observation bridges two connections of the first: the first's
    // two stay (they are not observations of one another), the bridge merges into one of them.
    const auto bridged =
        pair({Rec("10.0.0.1", 51000, "10.0.0.2", 443).ms(0, 1000).exporter("192.0.2.1"),
              Rec("10.0.0.1", 51000, "10.0.0.2", 443).ms(30'000, 31'000).exporter("192.0.2.1"),
              Rec("10.0.0.1", 51000, "10.0.0.2", 443).counts(5, 500).ms(0, 31'000).exporter("192.0.2.2")},
             merge);
    CHECK(bridged.size() == 2);
    // A single exporter: nothing to merge, nothing listed.
    const Connection one = only({Rec("10.0.0.1", 51000, "10.0.0.2", 443)}, merge);
    CHECK(one.exporters.empty());
}

TEST_CASE("TCP state from the flags of both directions") {
    using analyze::TcpState;
    constexpr std::uint8_t kRst = 0x04, kFin = 0x01, kPsh = 0x08;
    auto state = [](std::uint8_t client, std::optional<std::uint8_t> server) {
        std::vector<Rec> records{Rec("10.0.0.1", 51000, "10.0.0.2", 443).flags(client).initial_flags(client)};
        if (server) records.push_back(Rec("10.0.0.2", 443, "10.0.0.1", 51000).flags(*server).initial_flags(*server));
        return analyze::tcp_state(only(records));
    };
    CHECK(state(kSyn | kAck | kPsh | kFin, kSyn | kAck | kPsh | kFin) == TcpState::established);
    CHECK(state(kSyn, kAck | kRst) == TcpState::refused);
    CHECK(state(kSyn | kAck | kPsh, kSyn | kAck | kRst) == TcpState::reset);
    CHECK(state(kSyn, std::nullopt) == TcpState::half_open);
    CHECK(state(kAck | kPsh, std::nullopt) == TcpState::one_way);
    CHECK(state(0, 0) == TcpState::none);  // no flags exported: nothing to say
    CHECK(analyze::tcp_state(only({Rec("10.0.0.1", 5000, "10.0.0.2", 53, kUdp)})) == TcpState::none);
    CHECK(analyze::name(TcpState::half_open) == "half-open");
    CHECK(analyze::name(TcpState::none).empty());
}

TEST_CASE("records without times join the connection of their 5-tuple") {
    const Connection c =
        only({Rec("10.0.0.1", 51000, "10.0.0.2", 80).ms(0, 100), Rec("10.0.0.2", 80, "10.0.0.1", 51000).no_time()});
    CHECK(c.records == 2);
    CHECK_FALSE(c.one_way());
    CHECK(c.has_time);
    CHECK(c.start_ns == kT0);
    CHECK(c.end_ns == kT0 + 100 * kMs);

    const Connection untimed =
        only({Rec("10.0.0.1", 51000, "10.0.0.2", 80).no_time(), Rec("10.0.0.2", 80, "10.0.0.1", 51000).no_time()});
    CHECK(untimed.records == 2);
    CHECK_FALSE(untimed.has_time);
    CHECK(untimed.client == ep("10.0.0.1", 51000));
    CHECK(untimed.rule == DirectionRule::port);
}

TEST_CASE("different protocols or ports are different connections") {
    auto connections =
        pair({Rec("10.0.0.1", 5000, "10.0.0.2", 5001, kTcp), Rec("10.0.0.2", 5001, "10.0.0.1", 5000, kUdp),
              Rec("10.0.0.1", 5000, "10.0.0.2", 5002, kTcp), Rec("10.0.0.1", 5000, "10.0.0.3", 5001, kTcp)});
    CHECK(connections.size() == 4);
    for (const Connection& c : connections) CHECK(c.one_way());
}

TEST_CASE("an RFC 5103 biflow record is a connection by itself") {
    SUBCASE("forward and reverse counters") {
        const Connection c = only({Rec("10.0.0.1", 51000, "10.0.0.2", 443).counts(12, 1500).reverse(9, 64000)});
        CHECK(c.records == 1);
        CHECK(c.biflow_records == 1);
        CHECK_FALSE(c.one_way());
        CHECK(c.client == ep("10.0.0.1", 51000));
        CHECK(c.packets[0] == 12);
        CHECK(c.bytes[0] == 1500);
        CHECK(c.packets[1] == 9);
        CHECK(c.bytes[1] == 64000);
    }
    SUBCASE("reverse counters land on the right side when the server is the source") {
        const Connection c = only({Rec("10.0.0.2", 443, "10.0.0.1", 51000).counts(9, 64000).reverse(12, 1500)});
        CHECK(c.client == ep("10.0.0.1", 51000));
        CHECK(c.rule == DirectionRule::port);
        CHECK(c.packets[0] == 12);
        CHECK(c.bytes[0] == 1500);
        CHECK(c.packets[1] == 9);
        CHECK(c.bytes[1] == 64000);
    }
    SUBCASE("no reverse traffic: one-way") {
        const Connection c = only({Rec("10.0.0.1", 51000, "10.0.0.2", 443).counts(3, 180).reverse(0, 0)});
        CHECK(c.one_way());
        CHECK(c.seen[0]);
        CHECK_FALSE(c.seen[1]);
    }
    SUBCASE("only reverse traffic: one-way, the other side seen") {
        const Connection c = only({Rec("10.0.0.1", 51000, "10.0.0.2", 443).counts(0, 0).reverse(3, 180)});
        CHECK(c.one_way());
        CHECK(c.total_packets() == 3);
    }
}

TEST_CASE("a record without a peer is a one-way connection, not dropped") {
    auto connections = pair({Rec("10.0.0.1", 51000, "10.0.0.2", 443).flags(kSyn).counts(3, 180),
                             Rec("10.0.0.1", 40000, "10.0.0.53", 53, kUdp).ms(100, 100).counts(1, 60),
                             Rec("10.0.0.2", 443, "10.0.0.1", 52000).flags(kSynAckPshFin).ms(500, 900)});
    REQUIRE(connections.size() == 3);
    for (const Connection& c : connections) {
        CHECK(c.one_way());
        CHECK(c.records == 1);
    }
    // Order of first record.
    CHECK(connections[0].rule == DirectionRule::syn);
    CHECK(connections[0].client == ep("10.0.0.1", 51000));
    CHECK(connections[0].packets[0] == 3);
    CHECK(connections[0].packets[1] == 0);
    CHECK(connections[1].client == ep("10.0.0.1", 40000));
    CHECK(connections[1].rule == DirectionRule::port);
    // Only the server's half was seen: the port still names the client, its counters go to_client.
    CHECK(connections[2].client == ep("10.0.0.1", 52000));
    CHECK(connections[2].server == ep("10.0.0.2", 443));
    CHECK(connections[2].rule == DirectionRule::port);
    CHECK(connections[2].packets[0] == 0);
    CHECK(connections[2].packets[1] == 10);
    CHECK_FALSE(connections[2].seen[0]);
    CHECK(connections[2].seen[1]);
}

TEST_CASE("client by TCP SYN without ACK, whichever record comes first") {
    // The server's record starts earlier (exporter clocks, or the client's record was split) and
    // the client uses the lower port: only the SYN names the client.
    const Rec client = Rec("10.0.0.1", 80, "10.0.0.2", 50000).flags(kSyn).ms(100, 200);
    const Rec server = Rec("10.0.0.2", 50000, "10.0.0.1", 80).flags(kSyn | kAck).ms(0, 200);
    for (bool client_first : {true, false}) {
        CAPTURE(client_first);
        const Connection c = client_first ? only({client, server}) : only({server, client});
        CHECK(c.rule == DirectionRule::syn);
        CHECK(c.client == ep("10.0.0.1", 80));
        CHECK(c.server == ep("10.0.0.2", 50000));
        CHECK(c.opened[0]);
        CHECK_FALSE(c.opened[1]);
        CHECK(c.tcp_flags[0] == kSyn);
        CHECK(c.tcp_flags[1] == (kSyn | kAck));
    }
}

TEST_CASE("the exported initial TCP flags decide when the cumulative flags cannot") {
    const Rec client = Rec("10.0.0.1", 80, "10.0.0.2", 50000).initial_flags(kSyn).ms(100, 200);
    const Rec server = Rec("10.0.0.2", 50000, "10.0.0.1", 80).initial_flags(kSyn | kAck).ms(0, 200);
    for (bool client_first : {true, false}) {
        CAPTURE(client_first);
        const Connection c = client_first ? only({client, server}) : only({server, client});
        CHECK(c.rule == DirectionRule::syn);
        CHECK(c.client == ep("10.0.0.1", 80));
        CHECK(c.tcp_flags[0] == kSynAckPshFin);
    }
}

TEST_CASE("without a lone SYN, the side that started first is the client") {
    // Both sides' cumulative flags have SYN and ACK; the earlier start wins over the port.
    const Rec early = Rec("10.0.0.2", 443, "10.0.0.1", 51000).ms(0, 1000);
    const Rec late = Rec("10.0.0.1", 51000, "10.0.0.2", 443).ms(1, 1000);
    for (bool early_first : {true, false}) {
        CAPTURE(early_first);
        const Connection c = early_first ? only({early, late}) : only({late, early});
        CHECK(c.rule == DirectionRule::start);
        CHECK(c.client == ep("10.0.0.2", 443));
        CHECK(c.server == ep("10.0.0.1", 51000));
        CHECK(c.packets[0] == 10);
        REQUIRE(c.first_start[0]);
        REQUIRE(c.first_start[1]);
        CHECK(*c.first_start[0] < *c.first_start[1]);
    }
    SUBCASE("SYN on both sides (simultaneous open) falls back to the start") {
        const Connection c = only({Rec("10.0.0.1", 51000, "10.0.0.2", 443).flags(kSyn).ms(5, 10),
                                   Rec("10.0.0.2", 443, "10.0.0.1", 51000).flags(kSyn).ms(0, 10)});
        CHECK(c.rule == DirectionRule::start);
        CHECK(c.client == ep("10.0.0.2", 443));
    }
    SUBCASE("UDP") {
        const Connection c = only({Rec("10.0.0.53", 53, "10.0.0.1", 40000, kUdp).ms(2, 10),
                                   Rec("10.0.0.1", 40000, "10.0.0.53", 53, kUdp).ms(1, 10)});
        CHECK(c.rule == DirectionRule::start);
        CHECK(c.client == ep("10.0.0.1", 40000));
    }
}

TEST_CASE("same start: the well-known, service or lower port is the server's") {
    struct Case {
        std::uint16_t a, b;  // ports of 10.0.0.1 and 10.0.0.2
        std::uint16_t server_port;
    };
    const Case cases[] = {
        {51000, 443, 443},                         // a service port
        {443, 51000, 443},     {900, 8080, 8080},  // a named service beats an unnamed port below 1024
        {50000, 900, 900},                         // below 1024 beats above
        {40000, 50000, 40000},                     // neither: the lower port
        {50000, 40000, 40000},
    };
    for (const Case& k : cases) {
        for (bool a_first : {true, false}) {
            CAPTURE(k.a);
            CAPTURE(k.b);
            CAPTURE(a_first);
            const Rec ra = Rec("10.0.0.1", k.a, "10.0.0.2", k.b).ms(0, 100);
            const Rec rb = Rec("10.0.0.2", k.b, "10.0.0.1", k.a).ms(0, 100);
            const Connection c = a_first ? only({ra, rb}) : only({rb, ra});
            CHECK(c.rule == DirectionRule::port);
            CHECK(c.server.port == k.server_port);
            CHECK(c.client.port == (k.server_port == k.a ? k.b : k.a));
        }
    }
    SUBCASE("equal ports: the first record's source stays the client") {
        const Connection c = only({Rec("10.0.0.2", 40000, "10.0.0.1", 40000, kUdp).ms(0, 100),
                                   Rec("10.0.0.1", 40000, "10.0.0.2", 40000, kUdp).ms(0, 100)});
        CHECK(c.rule == DirectionRule::port);
        CHECK(c.client == ep("10.0.0.2", 40000));
    }
}

TEST_CASE("ICMP echo: the requester is the client, whatever the times say") {
    struct Case {
        std::uint8_t protocol, request, reply;
        const char *a, *b;
    };
    const Case cases[] = {{kIcmp, 8, 0, "10.0.0.1", "10.0.0.2"}, {kIcmpV6, 128, 129, "2001:db8::1", "2001:db8::2"}};
    for (const Case& k : cases) {
        CAPTURE(k.protocol);
        // The reply's record starts first (exporter clock skew).
        const Rec request = Rec(k.a, 0, k.b, 0, k.protocol).icmp(k.request).counts(4, 336).ms(10, 3000);
        const Rec reply = Rec(k.b, 0, k.a, 0, k.protocol).icmp(k.reply).counts(4, 336).ms(0, 3000);
        for (bool request_first : {true, false}) {
            CAPTURE(request_first);
            const Connection c = request_first ? only({request, reply}) : only({reply, request});
            CHECK(c.rule == DirectionRule::icmp);
            CHECK(c.client.addr == ip(k.a));
            CHECK(c.server.addr == ip(k.b));
            REQUIRE(c.icmp_type);
            CHECK(*c.icmp_type == k.request);
            CHECK_FALSE(c.one_way());
            CHECK(c.total_packets() == 8);
        }
        // A lone request.
        const Connection alone = only({request});
        CHECK(alone.rule == DirectionRule::icmp);
        CHECK(alone.client.addr == ip(k.a));
        CHECK(alone.one_way());
        // A lone reply: the requester (its destination) is still the client.
        const Connection answer = only({reply});
        CHECK(answer.rule == DirectionRule::icmp);
        CHECK(answer.client.addr == ip(k.a));
        CHECK(answer.server.addr == ip(k.b));
        REQUIRE(answer.icmp_type);
        CHECK(*answer.icmp_type == k.request);
        CHECK(answer.packets[0] == 0);
        CHECK(answer.packets[1] == 4);
        CHECK(answer.one_way());
    }
}

TEST_CASE("ICMP answers in a biflow record's reverse counters (softflowd -b) are the replies of the request") {
    // softflowd -b: the requests in one record, their replies in another whose forward direction
    // is empty (its type, 0, describes no packet: extract_flow leaves it unset), same two ends.
    for (const std::uint8_t protocol : {kIcmp, kIcmpV6}) {
        CAPTURE(protocol);
        const char *a = protocol == kIcmp ? "127.0.0.1" : "2001:db8::1",
                   *b = protocol == kIcmp ? "127.0.0.2" : "2001:db8::2";
        const Rec request =
            Rec(a, 0, b, 0, protocol).icmp(protocol == kIcmp ? 8 : 128).counts(4, 336).reverse(0, 0).ms(0, 615);
        const Rec replies = Rec(a, 0, b, 0, protocol).counts(0, 0).reverse(4, 336).ms(0, 615);
        // An ICMP error after the ping, answering a UDP datagram: an answer too many for the echo.
        const Rec error = Rec(a, 0, b, 0, protocol).counts(0, 0).reverse(1, 106).ms(750, 750);
        REQUIRE(replies.f.icmp_answers_only());
        for (bool replies_first : {false, true}) {
            CAPTURE(replies_first);
            const auto cs = replies_first ? pair({replies, request, error}) : pair({request, replies, error});
            REQUIRE(cs.size() == 2);
            const Connection& echo = cs[0].icmp_type ? cs[0] : cs[1];
            const Connection& other = cs[0].icmp_type ? cs[1] : cs[0];
            CHECK(echo.client.addr == ip(a));
            CHECK(echo.packets == std::array<std::uint64_t, 2>{4, 4});
            CHECK(echo.bytes == std::array<std::uint64_t, 2>{336, 336});
            CHECK(echo.records == 2);
            CHECK_FALSE(echo.one_way());
            // The error: no type exported; its sender is the client, as a one-way record shows it.
            CHECK_FALSE(other.icmp_type);
            CHECK(other.client.addr == ip(b));
            CHECK(other.packets == std::array<std::uint64_t, 2>{1, 0});
            CHECK(other.bytes[0] == 106);
            CHECK(other.one_way());
        }
    }
    SUBCASE("answers of no request seen: a row of their own, the sender the client") {
        const Connection c = only({Rec("10.0.0.1", 0, "10.0.0.3", 0, kIcmp).counts(0, 0).reverse(1, 66).ms(0, 0)});
        CHECK_FALSE(c.icmp_type);
        CHECK(c.client.addr == ip("10.0.0.3"));
        CHECK(c.packets[0] == 1);
    }
}

TEST_CASE("ICMP echo of an address to itself (ping of loopback): the request still decides") {
    const Connection c = only({Rec("127.0.0.1", 0, "127.0.0.1", 0, kIcmp).icmp(8).counts(3, 252).ms(0, 2000),
                               Rec("127.0.0.1", 0, "127.0.0.1", 0, kIcmp).icmp(0).counts(3, 252).ms(0, 2000)});
    CHECK(c.rule == DirectionRule::icmp);
    CHECK(c.client == ep("127.0.0.1", 0));
    REQUIRE(c.icmp_type);
    CHECK(*c.icmp_type == 8);
    CHECK(c.records == 2);
    CHECK(c.total_packets() == 6);
}

TEST_CASE("ICMP without a request/reply role keeps its type; the port rule leaves the sender as client") {
    const Connection c = only({Rec("10.0.0.254", 0, "10.0.0.1", 0, kIcmp).icmp(3).ms(0, 0)});
    REQUIRE(c.icmp_type);
    CHECK(*c.icmp_type == 3);
    CHECK(c.rule == DirectionRule::port);
    CHECK(c.client.addr == ip("10.0.0.254"));
}

TEST_CASE("IPv6 flows pair like IPv4") {
    const Connection c = only({Rec("2001:db8::53", 53, "2001:db8::1", 40000, kUdp).counts(1, 120).ms(3, 4),
                               Rec("2001:db8::1", 40000, "2001:db8::53", 53, kUdp).counts(1, 60).ms(0, 1)});
    CHECK(c.client == ep("2001:db8::1", 40000));
    CHECK(c.server == ep("2001:db8::53", 53));
    CHECK(c.bytes[0] == 60);
    CHECK(c.bytes[1] == 120);
    CHECK(c.rule == DirectionRule::start);
    // An IPv4 flow with the same ports is another connection.
    CHECK(pair({Rec("2001:db8::1", 40000, "2001:db8::53", 53, kUdp), Rec("10.0.0.1", 40000, "10.0.0.53", 53, kUdp)})
              .size() == 2);
}

TEST_CASE("sampling renormalisation multiplies counters only when asked") {
    const std::vector<Rec> records{Rec("10.0.0.1", 51000, "10.0.0.2", 443).counts(2, 300).sampling(100).ms(0, 10),
                                   Rec("10.0.0.2", 443, "10.0.0.1", 51000).counts(3, 4000).sampling(100).ms(1, 10),
                                   Rec("10.0.0.3", 51000, "10.0.0.2", 443).counts(1, 50).reverse(2, 70).sampling(10)};
    SUBCASE("off (default)") {
        auto connections = pair(records);
        REQUIRE(connections.size() == 2);
        CHECK(connections[0].packets[0] == 2);
        CHECK(connections[0].bytes[0] == 300);
        CHECK(connections[0].packets[1] == 3);
        CHECK(connections[0].bytes[1] == 4000);
        CHECK(connections[1].packets[1] == 2);
    }
    SUBCASE("on") {
        ConnectionOptions o;
        o.renormalize = true;
        auto connections = pair(records, o);
        REQUIRE(connections.size() == 2);
        CHECK(connections[0].packets[0] == 200);
        CHECK(connections[0].bytes[0] == 30'000);
        CHECK(connections[0].packets[1] == 300);
        CHECK(connections[0].bytes[1] == 400'000);
        // Reverse (biflow) counters are scaled too.
        CHECK(connections[1].packets[0] == 10);
        CHECK(connections[1].bytes[0] == 500);
        CHECK(connections[1].packets[1] == 20);
        CHECK(connections[1].bytes[1] == 700);
    }
}

TEST_CASE("finish hands over every connection in order of first record and empties the table") {
    ConnectionTable table;
    table.add(Rec("10.0.0.1", 1001, "10.0.0.2", 80).ms(5000, 6000).f);
    table.add(Rec("10.0.0.1", 1002, "10.0.0.2", 80).ms(0, 100).f);
    table.add(Rec("10.0.0.2", 80, "10.0.0.1", 1001).ms(5001, 6000).f);
    auto connections = table.finish();
    REQUIRE(connections.size() == 2);
    CHECK(connections[0].client.port == 1001);
    CHECK(connections[1].client.port == 1002);
    CHECK(table.records() == 3);
    CHECK(table.finish().empty());
    // A later record of the same 5-tuple starts a new connection.
    table.add(Rec("10.0.0.2", 80, "10.0.0.1", 1001).ms(5001, 6000).f);
    auto again = table.finish();
    REQUIRE(again.size() == 1);
    CHECK(again[0].records == 1);
}

TEST_CASE("decide_direction swaps every per-side field together") {
    Connection c;
    c.protocol = kUdp;
    c.client = ep("10.0.0.2", 53);
    c.server = ep("10.0.0.1", 40000);
    c.packets = {1, 2};
    c.bytes = {100, 200};
    c.tcp_flags = {0, 0};
    c.first_start = {kT0 + 5, kT0};
    c.seen = {false, true};
    analyze::decide_direction(c);
    CHECK(c.rule == DirectionRule::start);
    CHECK(c.client == ep("10.0.0.1", 40000));
    CHECK(c.server == ep("10.0.0.2", 53));
    CHECK(c.packets[0] == 2);
    CHECK(c.packets[1] == 1);
    CHECK(c.bytes[0] == 200);
    CHECK(c.bytes[1] == 100);
    CHECK(c.first_start[0] == kT0);
    CHECK(c.seen[0]);
    CHECK_FALSE(c.seen[1]);
}

TEST_CASE("direction rule names") {
    CHECK(analyze::name(DirectionRule::syn) == "syn");
    CHECK(analyze::name(DirectionRule::icmp) == "icmp");
    CHECK(analyze::name(DirectionRule::start) == "start");
    CHECK(analyze::name(DirectionRule::port) == "port");
}

// ---- selection ----

namespace {

// Connections with the given packet and byte totals, one second apart, `duration_ms` long.
struct Spec {
    const char* client;
    const char* server;
    std::uint64_t packets, bytes;
    std::int64_t duration_ms;
};

analyze::ConnectionList make(const std::vector<Spec>& specs) {
    ConnectionTable table;
    std::int64_t at = 0;
    std::uint16_t port = 40000;
    for (const Spec& s : specs) {
        table.add(Rec(s.client, port++, s.server, 443).counts(s.packets, s.bytes).ms(at, at + s.duration_ms).f);
        at += 1000;
    }
    return table.finish();
}

std::vector<std::uint64_t> bytes_of(const analyze::Selection& s) {
    std::vector<std::uint64_t> out;
    for (const Connection& c : s) out.push_back(c.total_bytes());
    return out;
}

std::vector<std::uint64_t> packets_of(const analyze::Selection& s) {
    std::vector<std::uint64_t> out;
    for (const Connection& c : s) out.push_back(c.total_packets());
    return out;
}

}  // namespace

TEST_CASE("select: at least min_packets in both directions together") {
    const auto connections = make({{"10.0.0.1", "10.0.0.9", 9, 100, 10},
                                   {"10.0.0.1", "10.0.0.9", 10, 200, 10},
                                   {"10.0.0.1", "10.0.0.9", 1, 300, 10}});
    analyze::SelectOptions o;
    auto s = analyze::select(connections, o);  // default: 10
    CHECK(bytes_of(s) == std::vector<std::uint64_t>{200});
    CHECK(s.below_min_packets == 2);
    CHECK(s.other_hosts == 0);
    CHECK(s.beyond_top == 0);
    o.min_packets = 0;
    s = analyze::select(connections, o);
    CHECK(bytes_of(s) == std::vector<std::uint64_t>{100, 200, 300});
    CHECK(s.below_min_packets == 0);
}

TEST_CASE("select: match_hosts on either side, IPv4 or IPv6") {
    const auto connections = make({{"10.0.0.1", "10.0.0.9", 10, 100, 10},
                                   {"10.0.0.2", "10.0.0.1", 10, 200, 10},
                                   {"10.0.0.3", "10.0.0.9", 10, 300, 10},
                                   {"2001:db8::1", "2001:db8::9", 10, 400, 10},
                                   {"10.0.0.3", "10.0.0.9", 1, 500, 10}});
    analyze::SelectOptions o;
    o.match_hosts = {ip("10.0.0.1")};
    auto s = analyze::select(connections, o);
    CHECK(bytes_of(s) == std::vector<std::uint64_t>{100, 200});
    CHECK(s.other_hosts == 3);  // host filter counts first, before the packet threshold
    CHECK(s.below_min_packets == 0);

    o.match_hosts = {ip("2001:db8::9"), ip("10.0.0.3")};
    s = analyze::select(connections, o);
    CHECK(bytes_of(s) == std::vector<std::uint64_t>{300, 400});
    CHECK(s.other_hosts == 2);
    CHECK(s.below_min_packets == 1);
}

TEST_CASE("select: top N by bytes, then the chosen order") {
    const auto connections = make({{"10.0.0.1", "10.0.0.9", 50, 100, 4000},
                                   {"10.0.0.2", "10.0.0.9", 20, 900, 1000},
                                   {"10.0.0.3", "10.0.0.9", 10, 500, 3000},
                                   {"10.0.0.4", "10.0.0.9", 40, 700, 2000}});
    analyze::SelectOptions o;
    SUBCASE("by start (default)") {
        CHECK(bytes_of(analyze::select(connections, o)) == std::vector<std::uint64_t>{100, 900, 500, 700});
    }
    SUBCASE("by bytes") {
        o.sort = analyze::SortKey::bytes;
        CHECK(bytes_of(analyze::select(connections, o)) == std::vector<std::uint64_t>{900, 700, 500, 100});
    }
    SUBCASE("by packets") {
        o.sort = analyze::SortKey::packets;
        CHECK(bytes_of(analyze::select(connections, o)) == std::vector<std::uint64_t>{100, 700, 900, 500});
    }
    SUBCASE("by duration") {
        o.sort = analyze::SortKey::duration;
        CHECK(bytes_of(analyze::select(connections, o)) == std::vector<std::uint64_t>{100, 500, 700, 900});
    }
    SUBCASE("top 2, shown by start") {
        o.top = 2;
        auto s = analyze::select(connections, o);
        CHECK(bytes_of(s) == std::vector<std::uint64_t>{900, 700});
        CHECK(s.beyond_top == 2);
    }
    SUBCASE("top 3 by packets") {
        o.top = 3;
        o.sort = analyze::SortKey::packets;
        auto s = analyze::select(connections, o);
        CHECK(bytes_of(s) == std::vector<std::uint64_t>{700, 900, 500});
        CHECK(s.beyond_top == 1);
    }
    SUBCASE("top larger than what is there cuts nothing") {
        o.top = 10;
        auto s = analyze::select(connections, o);
        CHECK(s.shown.size() == 4);
        CHECK(s.beyond_top == 0);
    }
    SUBCASE("top applies after the filters") {
        o.top = 1;
        o.min_packets = 30;
        auto s = analyze::select(connections, o);
        CHECK(bytes_of(s) == std::vector<std::uint64_t>{700});
        CHECK(s.below_min_packets == 2);
        CHECK(s.beyond_top == 1);
    }
}

TEST_CASE("take_finished hands out what no record can join any more, and forgets it") {
    ConnectionOptions options;  // window 10 s
    ConnectionTable table(options);
    table.add(Rec("10.0.0.1", 51000, "10.0.0.2", 443).ms(0, 1000).f);
    table.add(Rec("10.0.0.3", 51001, "10.0.0.2", 443).ms(0, 30000).f);
    table.add(Rec("10.0.0.4", 51002, "10.0.0.2", 80).no_time().f);
    // 11 s: the first ended 10 s ago, not more
    CHECK(table.take_finished(kT0 + 11000 * kMs).empty());
    auto done = table.take_finished(kT0 + 11001 * kMs);
    REQUIRE(done.size() == 1);
    CHECK(done.front().client == ep("10.0.0.1", 51000));
    CHECK(done.front().server == ep("10.0.0.2", 443));  // the direction is decided as in finish()
    // The second still joins its record; the first is gone: its 5-tuple starts over.
    table.add(Rec("10.0.0.2", 443, "10.0.0.3", 51001).ms(29000, 31000).counts(5, 500).flags(kAck).f);
    table.add(Rec("10.0.0.2", 443, "10.0.0.1", 51000).ms(12000, 12500).counts(3, 300).flags(kAck).f);
    const auto rest = table.finish();
    REQUIRE(rest.size() == 3);
    CHECK(rest[0].client == ep("10.0.0.3", 51001));
    CHECK(rest[0].packets[1] == 5);
    CHECK(rest[0].records == 2);
    CHECK(rest[1].records == 1);  // no time: never finished by time, handed out at the end
    CHECK(rest[2].records == 1);
    CHECK(rest[2].client == ep("10.0.0.1", 51000));
    CHECK(rest[2].packets == std::array<std::uint64_t, 2>{0, 3});
    CHECK(table.records() == 5);
}

TEST_CASE("take_finished near the ends of the time range does not overflow") {
    ConnectionTable table;
    table.add(Rec("10.0.0.1", 51000, "10.0.0.2", 443).f);
    CHECK(table.take_finished(INT64_MIN).empty());
    CHECK(table.take_finished(INT64_MAX).size() == 1);
    CHECK(table.finish().empty());
}

TEST_CASE("select: equal keys keep their order (of first record, or of --top)") {
    analyze::SelectOptions o;
    o.min_packets = 0;
    SUBCASE("descending, ties in order of first record") {
        const auto connections = make({{"10.0.0.1", "10.0.0.9", 11, 100, 10},
                                       {"10.0.0.2", "10.0.0.9", 12, 200, 10},
                                       {"10.0.0.3", "10.0.0.9", 13, 100, 10},
                                       {"10.0.0.4", "10.0.0.9", 14, 200, 10}});
        o.sort = analyze::SortKey::bytes;
        CHECK(packets_of(analyze::select(connections, o)) == std::vector<std::uint64_t>{12, 14, 11, 13});
    }
    SUBCASE("--top, then by start: equal starts stay in --top's order") {
        ConnectionTable table;
        table.add(Rec("10.0.0.1", 1, "10.0.0.9", 443).counts(10, 100).ms(5000, 5010).f);
        table.add(Rec("10.0.0.2", 1, "10.0.0.9", 443).counts(10, 300).ms(9000, 9010).f);
        table.add(Rec("10.0.0.3", 1, "10.0.0.9", 443).counts(10, 200).ms(5000, 5010).f);
        table.add(Rec("10.0.0.4", 1, "10.0.0.9", 443).counts(10, 50).ms(1000, 1010).f);
        const auto connections = table.finish();
        o.top = 3;  // 300, 200, 100; then by start, the two at 5 s in that order
        CHECK(bytes_of(analyze::select(connections, o)) == std::vector<std::uint64_t>{200, 100, 300});
    }
    SUBCASE("many, out of order, with repeats: a stable sort by start") {
        ConnectionTable table;
        constexpr int kCount = 5000;
        std::vector<std::int64_t> starts;
        for (int i = 0; i < kCount; ++i) {
            const std::int64_t start = (i * 7919) % 1000;  // each start five times, scattered
            starts.push_back(start);
            const std::string client = fmt::format("10.0.{}.{}", i >> 8, i & 0xff);
            table.add(
                Rec(client.c_str(), 1, "10.0.0.9", 443).counts(static_cast<std::uint64_t>(i), 1).ms(start, start).f);
        }
        const auto connections = table.finish();
        std::vector<std::uint64_t> expected(kCount);
        std::iota(expected.begin(), expected.end(), 0);
        std::stable_sort(expected.begin(), expected.end(),
                         [&](std::uint64_t a, std::uint64_t b) { return starts[a] < starts[b]; });
        CHECK(packets_of(analyze::select(connections, o)) == expected);
    }
}

TEST_CASE("Selection::addresses: both ends of each connection shown, in order") {
    const auto connections = make({{"10.0.0.1", "10.0.0.9", 10, 100, 10},
                                   {"2001:db8::1", "2001:db8::9", 10, 200, 10},
                                   {"10.0.0.3", "10.0.0.8", 1, 300, 10},
                                   {"10.0.0.4", "10.0.0.2", 10, 400, 10}});
    const auto s = analyze::select(connections, {});
    const auto addresses = s.addresses();
    REQUIRE(addresses.size() == 2 * s.size());
    std::size_t k = 0;
    for (const Connection& c : s) {
        CAPTURE(k);
        const std::set<wire::IpAddress> ends{addresses[2 * k], addresses[2 * k + 1]};
        CHECK(ends == std::set<wire::IpAddress>{c.client.addr, c.server.addr});
        ++k;
    }
    CHECK(k == 3);
    const auto rows = analyze::Selection::of({connections[2]});
    CHECK(rows.addresses() == std::vector<wire::IpAddress>{ip("10.0.0.3"), ip("10.0.0.8")});
}

}  // TEST_SUITE("analyze.connections")

TEST_SUITE("analyze.connections") {

// Regressions: the pairing window and the duration overflowed (signed, undefined) on hostile times.
TEST_CASE("connection_end_at_2262_limit") {
    // Both records end at the last representable nanosecond (year 2262): end + window must not
    // wrap to a time before 1970 and split them.
    Rec a("10.0.0.1", 51000, "10.0.0.2", 443);
    a.f.start_ns = INT64_MAX - kSec;
    a.f.end_ns = INT64_MAX;
    Rec b("10.0.0.2", 443, "10.0.0.1", 51000);
    b.f.start_ns = INT64_MAX - kSec / 2;
    b.f.end_ns = INT64_MAX;
    const Connection c = only({a, b});
    CHECK(c.end_ns == INT64_MAX);
    CHECK(c.duration_ns() == kSec);
}

TEST_CASE("connection_start_before_1900") {
    // A start before 1900 and an end near 2262: the duration saturates instead of going negative.
    Rec a("10.0.0.1", 51000, "10.0.0.2", 443);
    a.f.start_ns = -2'300'000'000 * kSec;  // 1897
    a.f.end_ns = INT64_MAX - 1;
    const Connection c = only({a});
    CHECK(c.duration_ns() == INT64_MAX);
    // A record at INT64_MIN with the widest window: both sums of the window test clamp.
    Rec b("10.0.0.2", 443, "10.0.0.1", 51000);
    b.f.start_ns = INT64_MIN;
    b.f.end_ns = INT64_MIN;
    ConnectionOptions o;
    o.window_ns = INT64_MAX;
    const Connection d = only({a, b}, o);
    CHECK(d.start_ns == INT64_MIN);
    CHECK(d.end_ns == INT64_MAX - 1);
    CHECK(d.duration_ns() == INT64_MAX);
    // A duration longer than int64 nanoseconds hold (292 years; these are 365) is clamped, and
    // the connection says so.
    CHECK(c.time_clamped);
    CHECK(d.time_clamped);
    CHECK_FALSE(only({Rec("10.0.0.1", 51000, "10.0.0.2", 443)}).time_clamped);
}

// Defect: a record whose end is before its start printed "duration_ms": -9223372036854 (an end
// at 1970 after a start in 2262). The record now lasts 0, and the connection says so.
TEST_CASE("connection_end_before_start_duration_not_negative") {
    Rec a("10.0.0.1", 51000, "10.0.0.2", 80);
    a.f.start_ns = INT64_MAX - 854'775'807;  // 2262-04-11T23:47:16Z
    a.f.end_ns = 0;
    const Connection c = only({a});
    CHECK(c.start_ns == a.f.start_ns);
    CHECK(c.end_ns == c.start_ns);
    CHECK(c.duration_ns() == 0);
    CHECK(c.reversed);
    CHECK(c.clamped());
    // With a normal record of the same connection: the span is theirs, still flagged.
    Rec b("10.0.0.2", 80, "10.0.0.1", 51000);
    b.ms(0, 1000);
    Rec r("10.0.0.1", 51000, "10.0.0.2", 80);
    r.ms(500, 100);
    const Connection d = only({b, r});
    CHECK(d.duration_ns() == kSec);
    CHECK(d.reversed);
    CHECK_FALSE(only({b}).clamped());
}

// Defect: a counter near 2^64 summed over two records wrapped (to 4 packets).
TEST_CASE("connection_counter_near_2_64_saturates") {
    Rec a("10.0.0.1", 51000, "10.0.0.2", 443);
    a.f.packets = UINT64_MAX - 5;
    a.f.bytes = UINT64_MAX - 5;
    Rec b = a;
    b.f.packets = 10;
    b.f.bytes = 10;
    const Connection c = only({a, b});
    CHECK(c.packets[0] == UINT64_MAX);
    CHECK(c.bytes[0] == UINT64_MAX);
    CHECK(c.saturated);
    // Two directions whose sum passes 2^64: the total saturates and says so.
    Rec up("10.0.0.1", 51000, "10.0.0.2", 443), down("10.0.0.2", 443, "10.0.0.1", 51000);
    up.f.bytes = UINT64_MAX - 1;
    down.f.bytes = 2;
    const Connection d = only({up, down});
    CHECK(d.bytes[0] + 1 == UINT64_MAX);
    CHECK(d.total_bytes() == UINT64_MAX);
    CHECK(d.saturated);
    // A biflow record's reverse counters too.
    Rec bi("10.0.0.1", 51000, "10.0.0.2", 443);
    bi.f.biflow = true;
    bi.f.rev_packets = UINT64_MAX;
    Rec bi2 = bi;
    const Connection e = only({bi, bi2});
    CHECK(e.packets[1] == UINT64_MAX);
    CHECK(e.saturated);
    // Below the limit nothing is flagged.
    CHECK_FALSE(only({Rec("10.0.0.1", 51000, "10.0.0.2", 443)}).saturated);
}

// --renormalize: counters times the sampling interval saturate instead of wrapping.
TEST_CASE("connection_counter_times_sampling_saturates") {
    Rec a("10.0.0.1", 51000, "10.0.0.2", 443);
    a.f.packets = std::uint64_t{1} << 60U;
    a.f.sampling = 1000;
    ConnectionOptions o;
    o.renormalize = true;
    const Connection c = only({a}, o);
    CHECK(c.packets[0] == UINT64_MAX);
    CHECK(c.bytes[0] == 1'000'000);
    CHECK(c.saturated);
    CHECK_FALSE(only({a}).saturated);  // without --renormalize: the counter as exported
}

// A time the decoder clamped (netflow::FlowTimes::clamped) marks its connection.
TEST_CASE("connection_time_clamped_is_said") {
    Rec a("10.0.0.1", 51000, "10.0.0.2", 443);
    a.f.time_clamped = true;
    a.f.end_ns = INT64_MAX;
    CHECK(only({a}).time_clamped);
    CHECK_FALSE(only({Rec("10.0.0.1", 51000, "10.0.0.2", 443)}).time_clamped);
}

}  // TEST_SUITE("analyze.connections")

TEST_SUITE("analyze.connections") {

// The table's own storage: past its first index size (1024 keys) and chunk (16384 entries),
// IPv4 inline and IPv6 through the pool, and what take_finished keeps still pairing.
TEST_CASE("PageSupply: blocks made ahead are taken once, by size") {
    analyze::detail::PageSupply supply;
    constexpr std::size_t kBlock = std::size_t{6} << 20;
    constexpr std::size_t kOther = std::size_t{4} << 20;
    supply.want(kBlock);
    supply.want(kOther);
    supply.want(kBlock);  // asked once
    CHECK(supply.ready() == 0);
    supply.prepare();
    CHECK(supply.ready() == 2);
    supply.prepare();  // nothing more asked
    CHECK(supply.ready() == 2);
    analyze::detail::PageBlock block = supply.take(kBlock);
    CHECK(block.size() == kBlock);
    CHECK(static_cast<const unsigned char*>(block.data())[kBlock - 1] == 0);  // touched, still zero
    CHECK(supply.ready() == 1);
    const analyze::detail::PageBlock made_here = supply.take(kBlock);  // none ready: made now
    CHECK(made_here.size() == kBlock);
    CHECK(supply.ready() == 1);
    supply.want(kOther);  // ready already: not asked again
    supply.prepare();
    CHECK(supply.ready() == 1);
    CHECK(supply.take(kOther).size() == kOther);
    CHECK(supply.ready() == 0);
}

TEST_CASE("a table whose pages another thread prepares while it is filled pairs as one filled alone") {
    // Several entry chunks and slot arrays of huge-page size (the ones made ahead).
    constexpr int kCount = 300000;
    std::vector<FlowRecord> records;
    for (int i = 0; i < kCount; ++i) {
        const std::string client = fmt::format("10.{}.{}.{}", i >> 16, i >> 8 & 0xff, i & 0xff);
        records.push_back(Rec(client.c_str(), static_cast<std::uint16_t>(1024 + i % 3000), "192.0.2.1", 443)
                              .counts(static_cast<std::uint64_t>(i % 97 + 1), 100)
                              .ms(i % 1000, i % 1000 + 10)
                              .f);
        if (i % 4 == 0) {
            FlowRecord reply = records.back();
            std::swap(reply.src, reply.dst);
            std::swap(reply.src_port, reply.dst_port);
            records.push_back(reply);
        }
    }
    ConnectionTable alone, helped;
    for (std::size_t at = 0; at < records.size(); at += 4096) {
        alone.add(std::span(records).subspan(at, std::min<std::size_t>(4096, records.size() - at)));
    }
    std::atomic<bool> done{false};
    std::thread helper([&] {
        while (!done.load()) {
            helped.prepare_pages();
            std::this_thread::yield();
        }
    });
    for (std::size_t at = 0; at < records.size(); at += 4096) {
        helped.add(std::span(records).subspan(at, std::min<std::size_t>(4096, records.size() - at)));
    }
    done = true;
    helper.join();
    const auto expected = alone.finish();
    const auto got = helped.finish();
    REQUIRE(got.size() == expected.size());
    CHECK(got.size() == kCount);
    for (std::size_t k = 0; k < got.size(); ++k) {
        const Connection a = got[k], b = expected[k];
        if (a.client != b.client || a.server != b.server || a.packets != b.packets || a.records != b.records) {
            CAPTURE(k);
            FAIL("differs from the table filled alone");
        }
    }
}

TEST_CASE("many connections: reverse records find theirs after the table grew, IPv4 and IPv6") {
    ConnectionTable table;
    constexpr int kCount = 20000;
    auto addr = [](int i, bool v6) {
        const std::string text = v6 ? fmt::format("2001:db8::{:x}:{:x}", i >> 8, i & 0xff)
                                    : fmt::format("10.{}.{}.{}", i >> 16, (i >> 8) & 0xff, i & 0xff);
        return wire::IpAddress::parse(text);
    };
    auto record = [&](int i, bool reply, std::int64_t at_ms) {
        FlowRecord f = Rec("10.0.0.1", 1, "10.0.0.2", 2).ms(at_ms, at_ms + 100).f;
        const bool v6 = i % 3 == 0;
        f.src = addr(i, v6);
        f.dst = addr(i / 7, v6);  // servers shared by several clients
        f.src_port = static_cast<std::uint16_t>(1024 + i % 50000);
        f.dst_port = 443;
        if (reply) {
            std::swap(f.src, f.dst);
            std::swap(f.src_port, f.dst_port);
            f.packets = 3;
        }
        return f;
    };
    for (int i = 0; i < kCount; ++i) table.add(record(i, false, i < kCount / 2 ? 0 : 60'000));
    for (int i = 0; i < kCount; ++i) table.add(record(i, true, i < kCount / 2 ? 50 : 60'050));
    CHECK(table.size() == kCount);
    // The first half ended at 150 ms: gone at 30 s, with the addresses only they named.
    const auto done = table.take_finished(kT0 + 30 * kSec);
    REQUIRE(done.size() == kCount / 2);
    CHECK(table.size() == kCount / 2);
    for (std::size_t k = 0; k < done.size(); k += 997) {
        const Connection c = done[k];
        CAPTURE(k);
        CHECK(c.client == wire::Endpoint{addr(static_cast<int>(k), k % 3 == 0), static_cast<std::uint16_t>(1024 + k)});
        CHECK(c.records == 2);
        CHECK(c.packets == std::array<std::uint64_t, 2>{10, 3});
    }
    // The kept half still pairs: one more reply each, no new connection.
    for (int i = kCount / 2; i < kCount; ++i) table.add(record(i, true, 60'080));
    CHECK(table.size() == kCount / 2);
    const auto rest = table.finish();
    REQUIRE(rest.size() == kCount / 2);
    for (std::size_t k = 0; k < rest.size(); ++k) {
        const Connection c = rest[k];
        if (c.records != 3 || c.packets[1] != 6) {
            CAPTURE(k);
            FAIL("connection not paired");
        }
    }
    analyze::SelectOptions o;
    o.match_hosts = {addr(kCount / 2 + 2, true), addr(kCount - 1, false), addr(5, true)};  // the last one gone
    const auto s = analyze::select(rest, o);
    CHECK(s.size() == 2);
}

TEST_CASE("merge_exporters: indices of the merged ones follow the dropped observations") {
    ConnectionOptions merge;
    merge.merge_exporters = true;
    std::vector<Rec> records;
    for (std::uint16_t port = 1000; port < 1010; ++port) {
        records.push_back(Rec("10.0.0.1", port, "10.0.0.2", 443).counts(10, 100).exporter("192.0.2.1"));
        records.push_back(Rec("10.0.0.1", port, "10.0.0.2", 443).counts(port % 2 ? 20 : 5, 100).exporter("192.0.2.2"));
    }
    const auto connections = pair(records, merge);
    REQUIRE(connections.size() == 10);
    for (std::size_t k = 0; k < connections.size(); ++k) {
        const Connection& c = connections[k];
        CAPTURE(k);
        CHECK(c.client.port == 1000 + k);
        CHECK(c.exporter == ep(k % 2 ? "192.0.2.2" : "192.0.2.1", 2055));
        REQUIRE(c.exporters.size() == 2);
        CHECK(c.exporters[0] == c.exporter);
    }
}

TEST_CASE("a batch of records (ConnectionTable::add of a span) pairs exactly as one record at a time") {
    // More connections than an entry chunk holds and than the first index holds, IPv4 and
    // pooled IPv6 addresses, replies, ICMP exchanges, two exporters, records far apart in time.
    constexpr int kCount = 70000;
    std::vector<FlowRecord> records;
    for (int i = 0; i < kCount; ++i) {
        const bool v6 = i % 5 == 0;
        const std::string client =
            v6 ? fmt::format("2001:db8::{:x}", i % 9000) : fmt::format("10.1.{}.{}", i >> 8 & 0xff, i & 0xff);
        const std::string server = v6 ? "2001:db8::1:1" : fmt::format("192.0.2.{}", i % 200);
        Rec r(client.c_str(), static_cast<std::uint16_t>(1024 + i % 3000), server.c_str(), 443,
              i % 7 == 0 ? kUdp : kTcp);
        r.ms(i % 100, i % 100 + 10).exporter(i % 11 == 0 ? "192.0.2.250" : "192.0.2.9");
        if (i % 13 == 0) r = Rec(client.c_str(), 0, server.c_str(), 0, v6 ? kIcmpV6 : kIcmp).icmp(v6 ? 128 : 8);
        records.push_back(r.f);
        if (i % 3 == 0) {  // the reply, a little later
            FlowRecord reply = r.f;
            std::swap(reply.src, reply.dst);
            std::swap(reply.src_port, reply.dst_port);
            if (reply.icmp_type) reply.icmp_type = v6 ? 129 : 0;
            reply.packets = 4;
            records.push_back(reply);
        }
        if (i % 17 == 0) {  // the same 5-tuple much later: another connection
            Rec later = r;
            records.push_back(later.ms(900'000, 900'010).f);
        }
    }
    ConnectionTable one_by_one, batched;
    for (const FlowRecord& f : records) one_by_one.add(f);
    for (std::size_t at = 0; at < records.size(); at += 4096) {
        batched.add(std::span(records).subspan(at, std::min<std::size_t>(4096, records.size() - at)));
    }
    CHECK(batched.records() == one_by_one.records());
    const auto expected = one_by_one.finish();
    const auto got = batched.finish();
    REQUIRE(got.size() == expected.size());
    CHECK(got.size() > 65536);
    auto text = [](const Connection& c) {
        return fmt::format("{} {} {} {} {} {} {}/{} {}/{} {} {} {}", wire::to_string(c.client),
                           wire::to_string(c.server), c.protocol, c.icmp_type.value_or(255), c.start_ns, c.end_ns,
                           c.packets[0], c.packets[1], c.bytes[0], c.bytes[1], c.records, wire::to_string(c.exporter),
                           name(c.rule));
    };
    for (std::size_t k = 0; k < got.size(); ++k) {
        if (text(got[k]) != text(expected[k])) {
            CAPTURE(k);
            CHECK(text(got[k]) == text(expected[k]));
            break;
        }
    }
}

}  // TEST_SUITE("analyze.connections")
