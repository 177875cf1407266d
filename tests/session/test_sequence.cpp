// SPDX-License-Identifier: MIT
// Sequence accounting per session: lost in the version's unit, duplicates, reordering and
// restarts in datagrams, across the 32-bit wrap, with the IPFIX readings exporters use.
#include <doctest/doctest.h>

#include "../support/message_builder.hpp"
#include "../support/session_feed.hpp"

using namespace nfpcap;
using test::Feed;
using test::Msg;

namespace {

struct V5 {
    std::uint32_t sequence;
    std::uint16_t flows;
};

session::Counters run_v5(const std::vector<V5>& messages) {
    Feed f;
    std::uint32_t uptime = 100000;
    for (const V5& m : messages) f.send(test::v5(m.sequence, m.flows, uptime += 1000));
    return f.table.sessions().front().counters;
}

// softflowd-v5-live.pcap of samples/cases: sequence numbers and flows per datagram.
const std::vector<V5> kLive = {{0, 7}, {7, 3}, {10, 8}, {18, 4}, {22, 9}, {31, 5}, {36, 10}, {46, 6}};

std::vector<std::byte> ipfix_records(std::uint32_t sequence, std::size_t records, std::uint16_t id = 256) {
    Msg m = Msg::ipfix(1, 1700000000, sequence).data(id);
    for (std::size_t i = 0; i < records; ++i) m.ip4("10.0.0.1").ip4("10.0.0.2");
    return m.bytes();
}

std::vector<std::byte> ipfix_template(std::uint32_t sequence) {
    return Msg::ipfix(1, 1700000000, sequence).templates().tmpl(256, {{8, 4}, {12, 4}}).bytes();
}

}  // namespace

TEST_SUITE("session.sequence") {

TEST_CASE("v5: in sequence, nothing to say") {
    const auto c = run_v5(kLive);
    CHECK(c.sequence_missing == 0);
    CHECK(c.sequence_gaps == 0);
    CHECK(c.sequence_duplicates == 0);
    CHECK(c.sequence_reordered == 0);
    CHECK(c.restarts == 0);
}

TEST_CASE("v5: deleted datagrams are lost flows") {
    auto gap = kLive;
    gap.erase(gap.begin() + 5);  // sequence 31, 5 flows
    gap.erase(gap.begin() + 2);  // sequence 10, 8 flows
    const auto c = run_v5(gap);
    CHECK(c.sequence_missing == 13);
    CHECK(c.sequence_gaps == 2);
    CHECK(c.sequence_reordered == 0);
}

TEST_CASE("v5: a datagram twice is one duplicate, nothing lost") {
    auto dup = kLive;
    dup.insert(dup.begin() + 4, dup[3]);
    Feed f;
    std::uint32_t uptime = 100000;
    for (std::size_t i = 0; i < dup.size(); ++i) {
        // The copy has the same bytes (the uptime too).
        if (i != 4) uptime += 1000;
        f.send(test::v5(dup[i].sequence, dup[i].flows, uptime));
    }
    const auto& c = f.table.sessions().front().counters;
    CHECK(c.sequence_duplicates == 1);
    CHECK(c.sequence_missing == 0);
    CHECK(c.restarts == 0);
}

TEST_CASE("v5: two datagrams swapped are one reordered, nothing lost") {
    auto swapped = kLive;
    std::swap(swapped[4], swapped[5]);
    const auto c = run_v5(swapped);
    CHECK(c.sequence_reordered == 1);
    CHECK(c.sequence_missing == 0);
    CHECK(c.restarts == 0);
}

// Found by fuzz_fixture: a capture time at the int64 end (a fixture time of year 0000, clamped;
// a saturated pcapng time) minus the previous one overflowed (signed, undefined behaviour).
TEST_CASE("capture_time_at_int64_limit") {
    Feed f;
    f.send(test::v5(0, 2, 3000), {.time_ns = 1'700'000'000'000'000'000});
    f.send(test::v5(2, 3, 1000), {.time_ns = INT64_MIN});
    f.send(test::v5(5, 4, 900), {.time_ns = INT64_MAX});
    const auto& c = f.table.sessions().front().counters;
    CHECK(c.sequence_missing == 0);
    CHECK(c.sequence_duplicates == 0);
}

TEST_CASE("v5: a restart from the same port is one restart, not 2^32 flows lost") {
    // softflowd-v5-restart.pcap: 0, 2, 5 | 0, 1, 3 (flows 2, 3, 4 | 1, 2, 4).
    Feed f;
    f.send(test::v5(0, 2, 3000));
    f.send(test::v5(2, 3, 5000));
    f.send(test::v5(5, 4, 9499));
    f.send(test::v5(0, 1, 1647), {.time_ns = f.time_ns + 4'000'000'000});
    f.send(test::v5(1, 2, 3000));
    f.send(test::v5(3, 4, 5000));
    const auto& c = f.table.sessions().front().counters;
    CHECK(c.restarts == 1);
    CHECK(c.sequence_missing == 0);
    CHECK(c.sequence_duplicates == 0);
}

TEST_CASE("v5: the sequence wraps without a gap; a gap across the wrap is counted right") {
    CHECK(run_v5({{0xfffffffdU, 5}, {2, 4}, {6, 1}}).sequence_missing == 0);
    const auto c = run_v5({{0xfffffffdU, 5}, {12, 4}});
    CHECK(c.sequence_missing == 10);
    CHECK(c.restarts == 0);
}

TEST_CASE("v5: an uptime that steps back by seconds is no restart (fprobe)") {
    Feed f;
    f.send(test::v5(0, 2, 1048581000));
    f.send(test::v5(2, 2, 1048576547));
    CHECK(f.table.sessions().front().counters.restarts == 0);
}

TEST_CASE("v9: an uptime that stays 0 is no restart; one that goes back to near 0 is") {
    Feed f;
    for (std::uint32_t seq = 1; seq <= 4; ++seq) {
        f.send(Msg::v9(0, 0, 1700000000, seq).templates().tmpl(256, {{8, 4}}).bytes());
    }
    CHECK(f.table.sessions().front().counters.restarts == 0);
    Feed g;
    g.send(Msg::v9(0, 600000, 1700000000, 7).templates().tmpl(256, {{8, 4}}).bytes());
    g.send(Msg::v9(0, 601000, 1700000001, 8).templates().tmpl(256, {{8, 4}}).bytes());
    g.send(Msg::v9(0, 500, 1700000002, 9).templates().tmpl(256, {{8, 4}}).bytes());  // booted, numbers go on
    CHECK(g.table.sessions().front().counters.restarts == 1);
}

TEST_CASE("v9: a message sent before the previous one is reordered, not a restart (cisco-asr9k-v9.hex)") {
    // The fixture's frame 2 was sent a second before frame 1: sequence, uptime and export time
    // all read earlier, the boot time (export time - uptime) is the same.
    Feed f;
    f.send(Msg::v9(2177, 0x659cc05f, 0x58468e55, 0x0175c703).templates().tmpl(260, {{8, 4}}).bytes());
    f.send(Msg::v9(2177, 0x659cbc71, 0x58468e54, 0x0175c6a1).data(260).rec().ip4("10.0.0.1").bytes());
    const auto& c = f.table.sessions().front().counters;
    CHECK(c.restarts == 0);
    CHECK(c.sequence_reordered == 1);
    REQUIRE(f.sink.records.size() == 1);
    CHECK_FALSE(f.sink.records[0].previous_template);
}

TEST_CASE("v9: the sequence back from a later boot, or with a later clock, is a restart") {
    // The exporter process restarted 30 s after its last message: its uptime (since it started)
    // is longer than the gap was, but its boot time moved.
    Feed f;
    f.send(Msg::v9(0, 600000, 1700000000, 500).templates().tmpl(256, {{8, 4}}).bytes());
    f.send(Msg::v9(0, 20000, 1700000020, 1).templates().tmpl(256, {{8, 4}}).bytes(),
           {.time_ns = f.time_ns + 5'000'000'000});
    CHECK(f.table.sessions().front().counters.restarts == 1);
    // The router's NetFlow process restarted, the router did not: the uptime goes on.
    Feed g;
    g.send(Msg::v9(0, 600000, 1700000000, 500).templates().tmpl(256, {{8, 4}}).bytes());
    g.send(Msg::v9(0, 610000, 1700000010, 1).templates().tmpl(256, {{8, 4}}).bytes());
    CHECK(g.table.sessions().front().counters.restarts == 1);
}

TEST_CASE("IPFIX: at the same export second, a number nearer the last than 0 is reordering") {
    Feed f;
    f.send(ipfix_template(1000));
    f.send(ipfix_records(1010, 5));
    f.send(ipfix_records(1000, 10));  // sent before: the same second, 10 records back
    CHECK(f.table.sessions().front().counters.restarts == 0);
    Feed g;
    g.send(ipfix_template(1000));
    g.send(ipfix_records(5000, 5));
    g.send(ipfix_records(0, 10));  // started over
    CHECK(g.table.sessions().front().counters.restarts == 1);
}

TEST_CASE("v9: export packets lost, duplicated, reordered") {
    auto run = [](const std::vector<std::uint32_t>& sequences) {
        Feed f;
        f.send(Msg::v9(0, 100000, 1700000000, sequences[0]).templates().tmpl(256, {{8, 4}}).bytes());
        for (std::size_t i = 1; i < sequences.size(); ++i) {
            f.send(Msg::v9(0, 100000 + 1000 * static_cast<std::uint32_t>(i), 1700000000, sequences[i])
                       .data(256)
                       .rec()
                       .ip4("10.0.0.1")
                       .bytes());
        }
        return f.table.sessions().front().counters;
    };
    auto c = run({1, 2, 4, 5, 7, 8, 9});
    CHECK(c.sequence_missing == 2);
    CHECK(c.sequence_gaps == 2);
    c = run({1, 2, 3, 5, 4, 6});
    CHECK(c.sequence_missing == 0);
    CHECK(c.sequence_reordered == 1);
    c = run({1, 2, 3, 4, 4, 5});  // the same number, other bytes (uptime): no copy, no restart
    CHECK(c.sequence_duplicates == 0);
    CHECK(c.restarts == 0);
    CHECK(c.sequence_missing == 0);
}

TEST_CASE("IPFIX: data records lost, by RFC 7011's reading (records before the message)") {
    // pmacct-nfprobe-ipfix.pcap: sequence 0, 3, 11, 17, 24 with 3, 8, 6, 7, 8 records.
    Feed f;
    f.send(ipfix_template(0));
    f.send(ipfix_records(0, 3));
    f.send(ipfix_records(3, 8));
    f.send(ipfix_records(17, 7));  // 11 (6 records) deleted
    f.send(ipfix_records(24, 8));
    const auto& c = f.table.sessions().front().counters;
    CHECK(c.sequence_missing == 6);
    CHECK(c.sequence_gaps == 1);
}

TEST_CASE("IPFIX: softflowd's reading (records including the message's own), and its restart") {
    Feed f;
    f.send(Msg::ipfix(1, 1700000000, 0).templates().tmpl(256, {{8, 4}, {12, 4}}).bytes());
    f.send(ipfix_records(3, 3));
    f.send(ipfix_records(7, 4));
    f.send(ipfix_records(12, 5));
    CHECK(f.table.sessions().front().counters.sequence_missing == 0);
    f.send(Msg::ipfix(1, 1700000005, 0).templates().tmpl(256, {{8, 4}, {12, 4}}).bytes());
    f.send(ipfix_records(4, 4));
    f.send(ipfix_records(9, 5));
    f.send(ipfix_records(15, 6));
    const auto& c = f.table.sessions().front().counters;
    CHECK(c.restarts == 1);
    CHECK(c.sequence_missing == 0);
    CHECK(c.sequence_reordered == 0);
}

TEST_CASE("IPFIX: an export time far back is a restart") {
    Feed f;
    f.send(Msg::ipfix(1, 1700000000, 100).templates().tmpl(256, {{8, 4}, {12, 4}}).bytes());
    f.send(Msg::ipfix(1, 1600000000, 200).templates().tmpl(256, {{8, 4}, {12, 4}}).bytes());
    CHECK(f.table.sessions().front().counters.restarts == 1);
}

TEST_CASE("IPFIX: messages whose sets wait for the template are sized when it comes") {
    SUBCASE("nothing lost") {
        Feed f;
        f.send(ipfix_records(2, 3));
        f.send(ipfix_records(5, 2));
        f.send(ipfix_records(7, 4));
        f.send(ipfix_template(11));
        f.send(ipfix_records(11, 1));
        const auto& c = f.table.sessions().front().counters;
        CHECK(f.sink.records.size() == 10);
        CHECK(c.sequence_missing == 0);
        CHECK(c.sequence_gaps == 0);
    }
    SUBCASE("a message lost among them shows once their size is known") {
        Feed f;
        f.send(ipfix_records(2, 3));
        f.send(ipfix_records(7, 4));  // 5 (2 records) deleted
        f.send(ipfix_template(11));
        f.send(ipfix_records(11, 1));
        const auto& c = f.table.sessions().front().counters;
        CHECK(c.sequence_missing == 2);
    }
}

TEST_CASE("duplicates: the same number and bytes as any of the last kRecent messages") {
    // The tracker's own rule, fed headers: a copy of a message further back than the last one
    // is found; the same number with other bytes, or a copy older than the window, is not.
    session::SequenceTracker t;
    auto header = [](std::uint32_t sequence, std::uint64_t digest) {
        session::SequenceHeader h;
        h.version = 9;
        h.sequence = sequence;
        h.uptime_ms = 100000 + sequence;
        h.export_secs = 1700000000;
        h.capture_ns = std::int64_t{sequence} * 1'000'000;
        h.digest = digest;
        return h;
    };
    constexpr std::uint32_t kSent = session::SequenceTracker::kRecent + 8;
    for (std::uint32_t s = 1; s <= kSent; ++s) {
        CHECK(t.classify(header(s, 0xd0000000ULL + s)) != session::SequenceClass::duplicate);
    }
    CHECK(t.classify(header(kSent - 20, 0xd0000000ULL + kSent - 20)) == session::SequenceClass::duplicate);
    CHECK(t.classify(header(kSent - 30, 0xe0000000ULL)) != session::SequenceClass::duplicate);
    CHECK(t.classify(header(3, 0xd0000000ULL + 3)) != session::SequenceClass::duplicate);
    CHECK(t.counts().duplicates == 1);
}

}  // TEST_SUITE("session.sequence")
