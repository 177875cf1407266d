// SPDX-License-Identifier: MIT
// IPv4 / IPv6 fragment reassembly: order, duplicates, gaps, interleaving, limits and timeouts.
#include <doctest/doctest.h>
#include <pcap/dlt.h>

#include <algorithm>
#include <array>
#include <optional>
#include <string>

#include "frame_builder.hpp"
#include "nfpcap/capture/reassembly.hpp"

using nfpcap::capture::FrameInfo;
using nfpcap::capture::Reassembler;
using nfpcap::capture::ReassemblyLimits;
using nfpcap::test::ByteVec;
using nfpcap::test::Frame;
using nfpcap::test::ipv4_fragment;
using nfpcap::test::ipv6_fragment;

namespace {

constexpr std::int64_t kSecond = 1'000'000'000;
constexpr std::int64_t kT0 = 1'700'000'000 * kSecond;

// A 40-byte UDP datagram (8-byte header, 32-byte payload) cut into [0,16) [16,32) [32,40).
ByteVec datagram(std::string_view text = "0123456789abcdefghijklmnopqrstuv", std::uint16_t sport = 4739) {
    return Frame::payload(text).udp(sport, 2055).bytes();
}

/// Parses `f` as a raw IP fragment and hands it to `r`; returns the whole datagram if completed.
std::optional<ByteVec> feed(Reassembler& r, const Frame& f, std::int64_t time_ns = kT0) {
    FrameInfo info = nfpcap::capture::parse_frame(DLT_RAW, f.view());
    REQUIRE(info.kind == FrameInfo::Kind::fragment);
    auto whole = r.add(info, time_ns);
    if (!whole) return std::nullopt;
    return ByteVec(whole->begin(), whole->end());
}

/// The UDP payload of a reassembled datagram, as text.
std::string udp_text(const ByteVec& whole) {
    FrameInfo info;
    nfpcap::capture::parse_udp(whole, info);
    REQUIRE(info.kind == FrameInfo::Kind::udp);
    return nfpcap::test::as_text(info.udp_payload);
}

}  // namespace

TEST_SUITE("capture.reassembly") {

TEST_CASE("IPv4 fragments in order") {
    Reassembler r;
    auto d = datagram();
    CHECK_FALSE(feed(r, ipv4_fragment(d, 0, 16, 1)));
    CHECK(r.pending() == 1);
    CHECK_FALSE(feed(r, ipv4_fragment(d, 16, 32, 1)));
    auto whole = feed(r, ipv4_fragment(d, 32, 40, 1));
    REQUIRE(whole);
    CHECK(*whole == d);
    CHECK(udp_text(*whole) == "0123456789abcdefghijklmnopqrstuv");
    CHECK(r.reassembled() == 1);
    CHECK(r.pending() == 0);
    CHECK(r.dropped_fragments() == 0);
    r.drop_all();
    CHECK(r.dropped_fragments() == 0);
}

TEST_CASE("IPv4 fragments in every order") {
    auto d = datagram();
    std::array<std::size_t, 3> order{0, 1, 2};
    const std::array<std::pair<std::size_t, std::size_t>, 3> parts{{{0, 16}, {16, 32}, {32, 40}}};
    int permutations = 0;
    do {
        CAPTURE(order[0]);
        CAPTURE(order[1]);
        CAPTURE(order[2]);
        Reassembler r;
        std::optional<ByteVec> whole;
        for (std::size_t i = 0; i < order.size(); ++i) {
            auto [begin, end] = parts.at(order.at(i));
            whole = feed(r, ipv4_fragment(d, begin, end, 7));
            CHECK(whole.has_value() == (i + 1 == order.size()));
        }
        REQUIRE(whole);
        CHECK(*whole == d);
        CHECK(r.reassembled() == 1);
        CHECK(r.pending() == 0);
        ++permutations;
    } while (std::next_permutation(order.begin(), order.end()));
    CHECK(permutations == 6);
}

TEST_CASE("a duplicate fragment does not disturb reassembly") {
    Reassembler r;
    auto d = datagram();
    CHECK_FALSE(feed(r, ipv4_fragment(d, 0, 16, 2)));
    CHECK_FALSE(feed(r, ipv4_fragment(d, 0, 16, 2)));
    CHECK_FALSE(feed(r, ipv4_fragment(d, 16, 32, 2)));
    CHECK_FALSE(feed(r, ipv4_fragment(d, 16, 32, 2)));
    auto whole = feed(r, ipv4_fragment(d, 32, 40, 2));
    REQUIRE(whole);
    CHECK(*whole == d);
    CHECK(r.reassembled() == 1);
    CHECK(r.dropped_fragments() == 0);

    SUBCASE("a copy arriving after completion waits alone and is dropped at the end") {
        CHECK_FALSE(feed(r, ipv4_fragment(d, 32, 40, 2)));
        CHECK(r.pending() == 1);
        r.drop_all();
        CHECK(r.dropped_fragments() == 1);
        CHECK(r.reassembled() == 1);
    }
}

TEST_CASE("overlapping fragments still complete") {
    Reassembler r;
    auto d = datagram();
    CHECK_FALSE(feed(r, ipv4_fragment(d, 0, 24, 3)));
    auto whole = feed(r, ipv4_fragment(d, 16, 40, 3));
    REQUIRE(whole);
    CHECK(*whole == d);
}

TEST_CASE("a missing fragment never completes; drop_all counts what waited") {
    Reassembler r;
    auto d = datagram();
    CHECK_FALSE(feed(r, ipv4_fragment(d, 0, 16, 4)));
    CHECK_FALSE(feed(r, ipv4_fragment(d, 32, 40, 4)));
    CHECK(r.pending() == 1);
    CHECK(r.reassembled() == 0);
    CHECK(r.dropped_fragments() == 0);
    r.drop_all();
    CHECK(r.pending() == 0);
    CHECK(r.dropped_fragments() == 2);
    r.drop_all();
    CHECK(r.dropped_fragments() == 2);
}

TEST_CASE("IPv6 fragments") {
    auto d = datagram("an IPv6 datagram cut in 3 pieces");
    REQUIRE(d.size() == 40);
    SUBCASE("in order") {
        Reassembler r;
        CHECK_FALSE(feed(r, ipv6_fragment(d, 0, 16, 0x80000001)));
        CHECK_FALSE(feed(r, ipv6_fragment(d, 16, 32, 0x80000001)));
        auto whole = feed(r, ipv6_fragment(d, 32, 40, 0x80000001));
        REQUIRE(whole);
        CHECK(udp_text(*whole) == "an IPv6 datagram cut in 3 pieces");
    }
    SUBCASE("last first") {
        Reassembler r;
        CHECK_FALSE(feed(r, ipv6_fragment(d, 32, 40, 9)));
        CHECK_FALSE(feed(r, ipv6_fragment(d, 0, 16, 9)));
        auto whole = feed(r, ipv6_fragment(d, 16, 32, 9));
        REQUIRE(whole);
        CHECK(*whole == d);
        CHECK(r.reassembled() == 1);
    }
}

TEST_CASE("fragments of two datagrams interleaved") {
    Reassembler r;
    auto a = datagram("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 1000);
    auto b = datagram("BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB", 2000);

    SUBCASE("different IDs") {
        CHECK_FALSE(feed(r, ipv4_fragment(a, 0, 16, 10)));
        CHECK_FALSE(feed(r, ipv4_fragment(b, 0, 16, 11)));
        CHECK_FALSE(feed(r, ipv4_fragment(b, 16, 32, 11)));
        CHECK_FALSE(feed(r, ipv4_fragment(a, 16, 32, 10)));
        CHECK(r.pending() == 2);
        auto whole_b = feed(r, ipv4_fragment(b, 32, 40, 11));
        REQUIRE(whole_b);
        CHECK(*whole_b == b);
        auto whole_a = feed(r, ipv4_fragment(a, 32, 40, 10));
        REQUIRE(whole_a);
        CHECK(*whole_a == a);
    }
    SUBCASE("same ID from different sources") {
        CHECK_FALSE(feed(r, ipv4_fragment(a, 0, 16, 12, "192.0.2.1")));
        CHECK_FALSE(feed(r, ipv4_fragment(b, 0, 16, 12, "198.51.100.1")));
        CHECK_FALSE(feed(r, ipv4_fragment(a, 16, 32, 12, "192.0.2.1")));
        CHECK_FALSE(feed(r, ipv4_fragment(b, 16, 32, 12, "198.51.100.1")));
        auto whole_a = feed(r, ipv4_fragment(a, 32, 40, 12, "192.0.2.1"));
        REQUIRE(whole_a);
        CHECK(*whole_a == a);
        auto whole_b = feed(r, ipv4_fragment(b, 32, 40, 12, "198.51.100.1"));
        REQUIRE(whole_b);
        CHECK(*whole_b == b);
    }
    SUBCASE("an IPv4 and an IPv6 datagram") {
        CHECK_FALSE(feed(r, ipv4_fragment(a, 0, 16, 13)));
        CHECK_FALSE(feed(r, ipv6_fragment(b, 0, 16, 13)));
        auto whole_b = feed(r, ipv6_fragment(b, 16, 40, 13));
        REQUIRE(whole_b);
        CHECK(*whole_b == b);
        auto whole_a = feed(r, ipv4_fragment(a, 16, 40, 13));
        REQUIRE(whole_a);
        CHECK(*whole_a == a);
    }
    CHECK(r.reassembled() == 2);
    CHECK(r.pending() == 0);
    CHECK(r.dropped_fragments() == 0);
}

TEST_CASE("inconsistent fragments are given up on") {
    Reassembler r;
    auto d = datagram();
    // Bytes [begin, end) of `d` with the more-fragments flag as given.
    auto piece = [&d](std::size_t begin, std::size_t end, std::uint16_t id, bool more) {
        return Frame::of(nfpcap::test::slice(d, begin, end), nfpcap::test::kProtoUdp)
            .ipv4("192.0.2.1", "192.0.2.2",
                  nfpcap::test::Ip4().id(id).fragment(static_cast<std::uint32_t>(begin), more));
    };
    SUBCASE("two different last fragments") {
        CHECK_FALSE(feed(r, piece(0, 16, 20, true)));
        CHECK_FALSE(feed(r, piece(32, 40, 20, false)));
        CHECK_FALSE(feed(r, piece(16, 24, 20, false)));
        CHECK(r.dropped_fragments() == 3);
    }
    SUBCASE("a fragment past the end the last one set") {
        CHECK_FALSE(feed(r, piece(16, 24, 21, false)));
        CHECK_FALSE(feed(r, piece(24, 40, 21, true)));
        CHECK(r.dropped_fragments() == 2);
    }
    SUBCASE("a last fragment ending before data already received") {
        CHECK_FALSE(feed(r, piece(24, 40, 22, true)));
        CHECK_FALSE(feed(r, piece(16, 24, 22, false)));
        CHECK(r.dropped_fragments() == 2);
        CHECK_FALSE(feed(r, piece(0, 16, 22, true)));  // starts a new, never completed entry
        r.drop_all();
        CHECK(r.dropped_fragments() == 3);
    }
    CHECK(r.pending() == 0);
    CHECK(r.reassembled() == 0);
}

TEST_CASE("the number of datagrams pending is bounded") {
    ReassemblyLimits limits;
    limits.max_pending = 2;
    Reassembler r(limits);
    auto d = datagram();
    CHECK_FALSE(feed(r, ipv4_fragment(d, 0, 16, 30)));
    CHECK_FALSE(feed(r, ipv4_fragment(d, 0, 16, 31)));
    CHECK(r.pending() == 2);
    CHECK(r.limit_hits() == 0);

    CHECK_FALSE(feed(r, ipv4_fragment(d, 0, 16, 32)));  // a third datagram: refused
    CHECK(r.pending() == 2);
    CHECK(r.limit_hits() == 1);
    CHECK(r.dropped_fragments() == 1);

    // Datagrams already pending still take fragments and complete, which makes room.
    CHECK_FALSE(feed(r, ipv4_fragment(d, 16, 32, 30)));
    REQUIRE(feed(r, ipv4_fragment(d, 32, 40, 30)));
    CHECK(r.pending() == 1);
    CHECK_FALSE(feed(r, ipv4_fragment(d, 0, 16, 33)));
    CHECK(r.pending() == 2);
    CHECK(r.limit_hits() == 1);
}

TEST_CASE("pending datagrams expire after the timeout, in capture time") {
    ReassemblyLimits limits;
    limits.timeout_ns = 5 * kSecond;
    Reassembler r(limits);
    auto d = datagram();

    SUBCASE("completed within the timeout") {
        CHECK_FALSE(feed(r, ipv4_fragment(d, 0, 16, 40), kT0));
        CHECK_FALSE(feed(r, ipv4_fragment(d, 16, 32, 40), kT0 + 2 * kSecond));
        CHECK(feed(r, ipv4_fragment(d, 32, 40, 40), kT0 + 4 * kSecond));
        CHECK(r.dropped_fragments() == 0);
    }
    SUBCASE("expired by a later fragment of another datagram") {
        CHECK_FALSE(feed(r, ipv4_fragment(d, 0, 16, 41), kT0));
        CHECK_FALSE(feed(r, ipv4_fragment(d, 16, 32, 41), kT0 + kSecond));
        CHECK_FALSE(feed(r, ipv4_fragment(d, 0, 16, 42), kT0 + 6 * kSecond));
        CHECK(r.dropped_fragments() == 2);
        CHECK(r.pending() == 1);
    }
    SUBCASE("the rest of an expired datagram starts anew and does not complete") {
        CHECK_FALSE(feed(r, ipv4_fragment(d, 0, 16, 43), kT0));
        CHECK_FALSE(feed(r, ipv4_fragment(d, 16, 32, 43), kT0 + 10 * kSecond));
        CHECK_FALSE(feed(r, ipv4_fragment(d, 32, 40, 43), kT0 + 10 * kSecond));
        CHECK(r.dropped_fragments() == 1);
        CHECK(r.pending() == 1);
        r.drop_all();
        CHECK(r.dropped_fragments() == 3);
    }
    CHECK(r.limit_hits() == 0);
}

// Defect: capture times at the int64 ends (saturated hostile timestamps) made the timeout
// arithmetic overflow (undefined behaviour).
TEST_CASE("time_overflow: fragments at the ends of time expire without overflowing") {
    Reassembler r;
    auto d = datagram();
    CHECK_FALSE(feed(r, ipv4_fragment(d, 0, 16, 1), INT64_MAX));
    CHECK_FALSE(feed(r, ipv4_fragment(d, 0, 16, 2), INT64_MIN));  // the first one has timed out
    CHECK(r.pending() == 1);
    CHECK(r.dropped_fragments() == 1);
    CHECK_FALSE(feed(r, ipv4_fragment(d, 0, 16, 3), INT64_MAX));
    CHECK(r.dropped_fragments() == 2);
}

}  // TEST_SUITE("capture.reassembly")

TEST_SUITE("capture.reassembly") {

// Defect: a capture that repeats one fragment of one datagram 160,000 times took seconds (and a
// 37 MB one 121 s of CPU): each copy was compared with every range kept before it. Copies are
// now found in the datagram's interval map, and a datagram takes at most max_fragments.
TEST_CASE("fragment_flood: one fragment repeated 160,000 times is bounded in work and memory") {
    Reassembler r;
    auto d = datagram();
    auto copy = ipv4_fragment(d, 0, 16, 77);
    FrameInfo info = nfpcap::capture::parse_frame(DLT_RAW, copy.view());
    REQUIRE(info.kind == FrameInfo::Kind::fragment);
    constexpr std::uint64_t kCopies = 160'000;
    const std::uint64_t limit = ReassemblyLimits{}.max_fragments;
    for (std::uint64_t i = 0; i < kCopies; ++i) CHECK_FALSE(r.add(info, kT0));
    CHECK(r.pending() <= 1);
    // Every (limit + 1)-th copy ends a datagram at the limit; the copies in between are duplicates.
    CHECK(r.limit_hits() == kCopies / (limit + 1));
    CHECK(r.duplicates() == kCopies - r.limit_hits() * 2 - (r.pending() == 1 ? 1 : 0));
    r.drop_all();
    CHECK(r.dropped_fragments() == kCopies);
    CHECK(r.reassembled() == 0);
}

TEST_CASE("copies do not count against completion; a datagram past the fragment limit is given up") {
    ReassemblyLimits limits;
    limits.max_fragments = 4;
    Reassembler r(limits);
    auto d = datagram();
    CHECK_FALSE(feed(r, ipv4_fragment(d, 0, 16, 5)));
    CHECK_FALSE(feed(r, ipv4_fragment(d, 0, 16, 5)));
    CHECK(r.duplicates() == 1);
    CHECK_FALSE(feed(r, ipv4_fragment(d, 16, 32, 5)));
    CHECK(feed(r, ipv4_fragment(d, 32, 40, 5)));  // the 4th fragment completes it
    CHECK_FALSE(feed(r, ipv4_fragment(d, 0, 16, 6)));
    for (int i = 0; i < 4; ++i) CHECK_FALSE(feed(r, ipv4_fragment(d, 16, 32, 6)));  // the 5th is over
    CHECK(r.limit_hits() == 1);
    CHECK(r.pending() == 0);
    CHECK(r.dropped_fragments() == 5);
}

TEST_CASE("many small fragments in a scrambled order merge into one interval") {
    // 8-byte fragments of a 4,096-byte datagram, every seventh first, then the rest.
    ByteVec text(4096 - 8);
    for (std::size_t i = 0; i < text.size(); ++i) text[i] = static_cast<std::byte>('a' + i % 26);
    auto d = Frame::of(text).udp(4739, 2055).bytes();
    Reassembler r;
    std::optional<ByteVec> whole;
    std::vector<std::size_t> order;
    for (std::size_t k = 0; k < d.size() / 8; k += 7) order.push_back(k);
    for (std::size_t k = 0; k < d.size() / 8; ++k) {
        if (k % 7 != 0) order.push_back(k);
    }
    ReassemblyLimits limits;
    limits.max_fragments = 1024;
    Reassembler big(limits);
    for (std::size_t i = 0; i < order.size(); ++i) {
        auto k = order[i];
        auto got = feed(big, ipv4_fragment(d, k * 8, k * 8 + 8, 9));
        if (got) {
            CHECK(i + 1 == order.size());
            whole = got;
        }
    }
    REQUIRE(whole);
    CHECK(*whole == d);
}

}  // TEST_SUITE("capture.reassembly")
