// SPDX-License-Identifier: MIT
// SctpReassembler: DATA chunks into user messages, fragments, stream order, duplicates, limits.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "nfpcap/capture/sctp_reassembly.hpp"

using nfpcap::capture::SctpLimits;
using nfpcap::capture::SctpMessage;
using nfpcap::capture::SctpPacket;
using nfpcap::capture::SctpReassembler;

namespace {

constexpr std::uint8_t kEnd = 1, kBegin = 2, kUnordered = 4, kWhole = kBegin | kEnd;

void put16(std::vector<std::byte>& v, unsigned x) {
    v.push_back(static_cast<std::byte>(x >> 8U));
    v.push_back(static_cast<std::byte>(x));
}
void put32(std::vector<std::byte>& v, std::uint32_t x) {
    put16(v, x >> 16U);
    put16(v, x & 0xffffU);
}

// One DATA chunk (padded), as RFC 9260 §3.3.1 lays it out.
std::vector<std::byte> data_chunk(std::uint8_t flags, std::uint32_t tsn, std::uint16_t stream, std::uint16_t ssn,
                                  const std::string& text) {
    std::vector<std::byte> v;
    v.push_back(std::byte{0});
    v.push_back(static_cast<std::byte>(flags));
    put16(v, static_cast<unsigned>(16 + text.size()));
    put32(v, tsn);
    put16(v, stream);
    put16(v, ssn);
    put32(v, 0);
    for (char c : text) v.push_back(static_cast<std::byte>(c));
    while (v.size() % 4 != 0) v.push_back(std::byte{0});
    return v;
}

std::vector<std::byte> sack_chunk() {
    std::vector<std::byte> v{std::byte{3}, std::byte{0}};
    put16(v, 16);
    put32(v, 0);
    put32(v, 65536);
    put16(v, 0);
    put16(v, 0);
    return v;
}

struct Feeder {
    SctpReassembler r;
    std::uint64_t frame = 0;
    std::uint32_t tag = 7;
    explicit Feeder(SctpLimits limits = {}) : r(limits) {}

    bool add(const std::vector<std::vector<std::byte>>& chunks) {
        std::vector<std::byte> bytes;
        for (const auto& c : chunks) bytes.insert(bytes.end(), c.begin(), c.end());
        SctpPacket p;
        p.frame = ++frame;
        p.time_ns = static_cast<std::int64_t>(frame);
        p.src = {nfpcap::wire::IpAddress::parse("192.0.2.1"), 40000};
        p.dst = {nfpcap::wire::IpAddress::parse("198.51.100.1"), 4739};
        p.tag = tag;
        p.chunks = bytes;
        return r.add(p);
    }
    std::vector<std::string> out() {
        std::vector<std::string> texts;
        SctpMessage m;
        while (r.next(m)) texts.emplace_back(reinterpret_cast<const char*>(m.data.data()), m.data.size());
        return texts;
    }
};

}  // namespace

TEST_SUITE("capture.sctp") {
    TEST_CASE("whole messages in stream order; other chunks skipped; bundles") {
        Feeder f;
        CHECK(f.add({data_chunk(kWhole, 1, 0, 0, "one")}));
        CHECK(f.add({sack_chunk(), data_chunk(kWhole, 2, 0, 1, "two"), data_chunk(kWhole, 3, 1, 0, "other stream")}));
        CHECK(f.out() == std::vector<std::string>{"one", "two", "other stream"});
        CHECK(f.r.counters().other_chunks == 1);
        CHECK(f.r.counters().associations == 1);
        CHECK(f.r.counters().messages == 3);
    }

    TEST_CASE("a stream's messages wait for the one due; retransmissions dropped") {
        Feeder f;
        CHECK(f.add({data_chunk(kWhole, 1, 0, 0, "a")}));
        CHECK(f.add({data_chunk(kWhole, 3, 0, 2, "c")}));
        CHECK(f.out() == std::vector<std::string>{"a"});
        CHECK(f.add({data_chunk(kWhole, 2, 0, 1, "b")}));
        CHECK(f.add({data_chunk(kWhole, 3, 0, 2, "c")}));  // the same TSN again
        CHECK(f.out() == std::vector<std::string>{"b", "c"});
        CHECK(f.r.counters().out_of_order == 1);
        CHECK(f.r.counters().duplicates == 1);
    }

    TEST_CASE("unordered messages go out as they come") {
        Feeder f;
        CHECK(f.add({data_chunk(kWhole, 1, 0, 0, "a")}));
        CHECK(f.add({data_chunk(kWhole, 3, 0, 2, "c")}));
        CHECK(f.add({data_chunk(kWhole | kUnordered, 4, 0, 0, "u")}));
        CHECK(f.out() == std::vector<std::string>{"a", "u"});
    }

    TEST_CASE("fragments put together by TSN, in any capture order") {
        Feeder f;
        CHECK(f.add({data_chunk(kBegin, 10, 0, 0, "he")}));
        CHECK(f.add({data_chunk(kEnd, 12, 0, 0, "lo")}));
        CHECK(f.out().empty());
        CHECK(f.add({data_chunk(0, 11, 0, 0, "l")}));
        CHECK(f.out() == std::vector<std::string>{"hello"});
        CHECK(f.r.counters().data_chunks == 3);
    }

    TEST_CASE("a gap is given up at the end, the rest goes out in order") {
        Feeder f;
        CHECK(f.add({data_chunk(kWhole, 1, 0, 0, "a")}));
        CHECK(f.add({data_chunk(kWhole, 4, 0, 3, "d")}));
        CHECK(f.add({data_chunk(kWhole, 3, 0, 2, "c")}));
        CHECK(f.add({data_chunk(kBegin, 9, 0, 7, "never ends")}));
        f.r.finish();
        CHECK(f.out() == std::vector<std::string>{"a", "c", "d"});
        CHECK(f.r.counters().gaps == 1);
        CHECK(f.r.counters().messages_skipped == 1);
        CHECK(f.r.counters().incomplete == 1);
    }

    TEST_CASE("bounds: waiting messages and held bytes") {
        SctpLimits limits;
        limits.max_waiting = 2;
        limits.max_message = 8;
        Feeder f(limits);
        CHECK(f.add({data_chunk(kWhole, 1, 0, 0, "a")}));
        for (std::uint16_t k = 0; k < 3; ++k) CHECK(f.add({data_chunk(kWhole, 10U + k, 0, 5U + k, "w")}));
        CHECK(f.out() == std::vector<std::string>{"a", "w", "w", "w"});  // the third waiting gave the gap up
        CHECK(f.r.counters().gaps == 1);
        CHECK(f.r.counters().messages_skipped == 4);
        CHECK(f.add({data_chunk(kBegin, 20, 1, 0, "12345")}));
        CHECK(f.add({data_chunk(kEnd, 21, 1, 0, "6789")}));  // 9 bytes: past max_message
        CHECK(f.out().empty());
        CHECK(f.r.counters().incomplete == 1);
    }

    TEST_CASE("malformed chunks: nothing of the packet is taken") {
        Feeder f;
        auto c = data_chunk(kWhole, 1, 0, 0, "abcd");
        c[3] = std::byte{60};  // longer than the packet
        CHECK_FALSE(f.add({c}));
        CHECK_FALSE(f.add({{std::byte{0}, std::byte{3}}}));  // shorter than a chunk header
        auto empty = data_chunk(kWhole, 2, 0, 0, "");  // DATA without data
        CHECK_FALSE(f.add({empty}));
        CHECK(f.add({}));  // no chunk at all: nothing to take, nothing wrong
        CHECK(f.out().empty());
        CHECK(f.r.counters().data_chunks == 0);
    }

    TEST_CASE("another verification tag is another association") {
        Feeder f;
        CHECK(f.add({data_chunk(kWhole, 1, 0, 0, "a")}));
        f.tag = 8;
        CHECK(f.add({data_chunk(kWhole, 1, 0, 0, "a again")}));  // same TSN, new association
        SctpMessage m;
        REQUIRE(f.r.next(m));
        CHECK(m.association == 1);
        REQUIRE(f.r.next(m));
        CHECK(m.association == 2);
    }
}
