// SPDX-License-Identifier: MIT
// TcpReassembler: order, reordering, retransmission, overlap, gaps, FIN/RST, new SYN, limits.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "frame_builder.hpp"
#include "nfpcap/capture/frame.hpp"
#include "nfpcap/capture/tcp_reassembly.hpp"

using nfpcap::capture::TcpChunk;
using nfpcap::capture::TcpLimits;
using nfpcap::capture::TcpReassembler;
using nfpcap::capture::TcpSegment;
using nfpcap::test::text_bytes;
namespace flag = nfpcap::capture::tcp_flag;

namespace {

constexpr std::int64_t kSecond = 1'000'000'000;

const nfpcap::wire::Endpoint kClient{nfpcap::test::ip("192.0.2.1"), 40000};
const nfpcap::wire::Endpoint kServer{nfpcap::test::ip("192.0.2.2"), 4739};

/// What a chunk says, its bytes copied out.
struct Got {
    std::uint64_t frame, connection, offset, lost;
    std::string data;
    bool gap, first, midstream, fin, rst, from_client;
};

/// Feeds segments and collects chunks; `seq` given relative to the client's ISN 1000 (and the
/// server's ISN 5000).
class Harness {
public:
    explicit Harness(TcpLimits limits = {}) : r_(limits) {}

    void seg(bool from_client, std::uint32_t rel_seq, std::uint8_t flags, const std::string& data = "",
             std::int64_t t = 0, std::uint32_t announced = 0) {
        bytes_.push_back(text_bytes(data));
        TcpSegment s;
        s.frame = ++frame_;
        s.time_ns = t != 0 ? t : static_cast<std::int64_t>(frame_) * 1000;
        s.src = from_client ? kClient : kServer;
        s.dst = from_client ? kServer : kClient;
        s.seq = (from_client ? 1000U : 5000U) + rel_seq;
        s.flags = flags;
        s.payload = bytes_.back();
        s.length = announced != 0 ? announced : static_cast<std::uint32_t>(data.size());
        r_.add(s);
        drain();
    }
    void handshake() {
        seg(true, 0, flag::syn);
        seg(false, 0, flag::syn | flag::ack);
        seg(true, 1, flag::ack);
    }
    void finish() {
        r_.finish(frame_, 0);
        drain();
    }
    /// The client's bytes handed on, concatenated.
    [[nodiscard]] std::string client_stream() const {
        std::string s;
        for (const auto& g : got) {
            if (g.from_client) s += g.data;
        }
        return s;
    }

    std::vector<Got> got;
    TcpReassembler r_;

private:
    void drain() {
        TcpChunk c;
        while (r_.next(c)) {
            got.push_back({c.frame, c.connection, c.offset, c.bytes_lost, nfpcap::test::as_text(c.data), c.gap, c.first,
                           c.midstream, c.fin, c.rst, c.src == kClient});
        }
    }
    std::vector<nfpcap::test::ByteVec> bytes_;  // the "frames" stay alive while chunks view them
    std::uint64_t frame_ = 0;
};

}  // namespace

TEST_SUITE("capture.tcp_reassembly") {

TEST_CASE("in order: chunks as the segments come, offsets from the SYN, FIN on the last") {
    Harness h;
    h.handshake();
    CHECK(h.got.empty());  // SYN, SYN-ACK and ACK carry no bytes
    h.seg(true, 1, flag::ack | flag::psh, "hello ");
    h.seg(false, 1, flag::ack, "ack!");
    h.seg(true, 7, flag::ack | flag::psh | flag::fin, "world");
    REQUIRE(h.got.size() == 3);
    CHECK(h.got[0].data == "hello ");
    CHECK(h.got[0].offset == 0);
    CHECK(h.got[0].first);
    CHECK_FALSE(h.got[0].midstream);
    CHECK_FALSE(h.got[0].gap);
    CHECK(h.got[0].frame == 4);
    CHECK(h.got[1].data == "ack!");
    CHECK_FALSE(h.got[1].from_client);
    CHECK(h.got[2].data == "world");
    CHECK(h.got[2].offset == 6);
    CHECK(h.got[2].fin);
    CHECK_FALSE(h.got[2].first);
    CHECK(h.got[0].connection == 1);
    CHECK(h.got[1].connection == 1);
    CHECK(h.r_.counters().connections == 1);
    CHECK(h.r_.counters().bytes == 15);
    h.seg(false, 5, flag::ack | flag::fin);
    REQUIRE(h.got.size() == 4);
    CHECK(h.got[3].fin);
    CHECK(h.got[3].data.empty());
    CHECK(h.r_.connections() == 0);  // both sides closed: forgotten
}

TEST_CASE("out of order: held, then handed on in sequence order") {
    Harness h;
    h.handshake();
    h.seg(true, 1, flag::ack, "aaaa");
    h.seg(true, 9, flag::ack, "cccc");   // early
    h.seg(true, 13, flag::ack, "dddd");  // early
    CHECK(h.client_stream() == "aaaa");
    CHECK(h.r_.held_bytes() > 0);
    h.seg(true, 5, flag::ack, "bbbb");  // fills the hole: b, c, d at once
    CHECK(h.client_stream() == "aaaabbbbccccdddd");
    REQUIRE(h.got.size() == 4);
    CHECK(h.got[3].frame == 7);  // c and d became available at the frame of b
    CHECK(h.got[3].offset == 12);
    CHECK(h.r_.counters().out_of_order == 2);
    CHECK(h.r_.counters().gaps == 0);
    CHECK(h.r_.held_bytes() == 0);
}

TEST_CASE("retransmissions and overlaps are dropped, the first copy wins") {
    Harness h;
    h.handshake();
    h.seg(true, 1, flag::ack, "aaaa");
    h.seg(true, 1, flag::ack, "AAAA");       // a whole copy
    h.seg(true, 3, flag::ack, "AAbbbb");     // overlaps the end of what came
    h.seg(true, 13, flag::ack, "dddd");      // early
    h.seg(true, 11, flag::ack, "CCDDDDee");  // overlaps the held piece on both sides
    h.seg(true, 7, flag::ack, "cccc");       // fills the hole
    CHECK(h.client_stream() == "aaaabbbbccCCddddee");
    CHECK(h.r_.counters().retransmitted == 4);  // the last one overlaps bbbb by two bytes
    h.finish();
    CHECK(h.r_.counters().gaps == 0);
}

TEST_CASE("a missing segment: the data after it is handed on marked, with the bytes lost") {
    SUBCASE("at the sender's FIN") {
        Harness h;
        h.handshake();
        h.seg(true, 1, flag::ack, "aaaa");
        h.seg(true, 9, flag::ack, "cccc");
        h.seg(true, 13, flag::ack | flag::fin, "dd");
        REQUIRE(h.got.size() == 3);
        CHECK(h.got[1].data == "cccc");
        CHECK(h.got[1].gap);
        CHECK(h.got[1].lost == 4);
        CHECK(h.got[1].offset == 8);
        CHECK(h.got[2].data == "dd");
        CHECK_FALSE(h.got[2].gap);
        CHECK(h.got[2].fin);
        CHECK(h.r_.counters().gaps == 1);
        CHECK(h.r_.counters().bytes_lost == 4);
        h.seg(true, 5, flag::ack, "bbbb");  // too late: dropped
        CHECK(h.got.size() == 3);
    }
    SUBCASE("at the end of the capture") {
        Harness h;
        h.handshake();
        h.seg(true, 1, flag::ack, "aaaa");
        h.seg(true, 9, flag::ack, "cccc");
        CHECK(h.got.size() == 1);
        h.finish();
        REQUIRE(h.got.size() == 2);
        CHECK(h.got[1].gap);
        CHECK(h.got[1].lost == 4);
        CHECK_FALSE(h.got[1].fin);
        CHECK(h.r_.connections() == 0);
    }
    SUBCASE("after the hole timeout, in capture time") {
        TcpLimits limits;
        limits.hole_timeout_ns = 2 * kSecond;
        Harness h(limits);
        h.handshake();
        h.seg(true, 1, flag::ack, "aaaa", 10 * kSecond);
        h.seg(true, 9, flag::ack, "cccc", 11 * kSecond);
        h.seg(false, 1, flag::ack, "x", 12 * kSecond);  // within the timeout: still held
        CHECK(h.client_stream() == "aaaa");
        h.seg(false, 2, flag::ack, "y", 14 * kSecond);  // 3 s after the hole opened
        CHECK(h.client_stream() == "aaaacccc");
    }
    SUBCASE("when the bytes held pass the per-direction limit") {
        TcpLimits limits;
        limits.max_held_bytes = 300;
        Harness h(limits);
        h.handshake();
        h.seg(true, 101, flag::ack, std::string(100, 'b'));
        CHECK(h.got.empty());
        h.seg(true, 201, flag::ack, std::string(100, 'c'));  // 200 bytes + overhead: over 300
        REQUIRE_FALSE(h.got.empty());
        CHECK(h.got[0].gap);
        CHECK(h.got[0].lost == 100);
        CHECK(h.client_stream() == std::string(100, 'b') + std::string(100, 'c'));
        CHECK(h.r_.held_bytes() == 0);
    }
    SUBCASE("when the pieces held pass their limit") {
        TcpLimits limits;
        limits.max_held_segments = 4;
        Harness h(limits);
        h.handshake();
        for (std::uint32_t k = 0; k < 5; ++k) h.seg(true, 11 + 2 * k, flag::ack, "x");  // x at 10, 12, ... 18
        REQUIRE_FALSE(h.got.empty());
        CHECK(h.got[0].gap);
        CHECK(h.got[0].lost == 10);
        CHECK(h.r_.counters().gaps >= 1);
    }
}

TEST_CASE("a segment cut by the snap length is never data: its bytes count as lost") {
    Harness h;
    h.handshake();
    h.seg(true, 1, flag::ack, "aaaa");
    h.seg(true, 5, flag::ack, "bb", 0, 4);  // 4 bytes announced, 2 captured
    h.seg(true, 9, flag::ack, "cccc");
    REQUIRE(h.got.size() == 2);
    CHECK(h.client_stream() == "aaaacccc");
    CHECK(h.got[1].gap);
    CHECK(h.got[1].lost == 4);
    CHECK(h.r_.counters().truncated == 1);
}

TEST_CASE("a connection picked up without its SYN starts at the first byte seen, marked") {
    Harness h;
    h.seg(true, 77, flag::ack, "mid");
    h.seg(true, 80, flag::ack, "stream");
    REQUIRE(h.got.size() == 2);
    CHECK(h.got[0].midstream);
    CHECK(h.got[0].first);
    CHECK(h.got[0].offset == 0);
    CHECK(h.got[1].offset == 3);
    CHECK(h.client_stream() == "midstream");
}

TEST_CASE("pure ACKs and FINs of unknown connections create no state") {
    Harness h;
    h.seg(true, 1, flag::ack);
    h.seg(true, 1, flag::ack | flag::fin);
    h.seg(true, 1, flag::rst);
    CHECK(h.r_.connections() == 0);
    CHECK(h.r_.counters().connections == 0);
    CHECK(h.got.empty());
}

TEST_CASE("a new SYN on the same 4-tuple starts a new connection; a retransmitted SYN does not") {
    Harness h;
    h.handshake();
    h.seg(true, 0, flag::syn);  // the same ISN again
    h.seg(true, 1, flag::ack, "one");
    h.seg(true, 9, flag::ack, "held");  // a hole before it
    CHECK(h.r_.counters().connections == 1);
    h.seg(true, 100000, flag::syn);  // another ISN: the old connection ends, its held bytes handed on
    h.seg(true, 100001, flag::ack, "two");
    REQUIRE(h.got.size() == 3);
    CHECK(h.got[0].connection == 1);
    CHECK(h.got[1].data == "held");
    CHECK(h.got[1].gap);
    CHECK(h.got[2].connection == 2);
    CHECK(h.got[2].data == "two");
    CHECK(h.got[2].offset == 0);
    CHECK(h.got[2].first);
    CHECK(h.r_.counters().connections == 2);
}

TEST_CASE("a RST ends the connection: held bytes handed on, the reset marked") {
    Harness h;
    h.handshake();
    h.seg(true, 1, flag::ack, "aaaa");
    h.seg(true, 9, flag::ack, "cccc");
    h.seg(false, 1, flag::rst);
    REQUIRE(h.got.size() == 3);
    CHECK(h.got[1].data == "cccc");
    CHECK(h.got[1].gap);
    CHECK_FALSE(h.got[2].from_client);
    CHECK(h.got[2].rst);
    CHECK(h.r_.connections() == 0);
}

TEST_CASE("sequence numbers wrap around 2^32") {
    Harness h;
    // ISN 1000 + rel: make the stream cross the wrap.
    const std::uint32_t near_wrap = 0xffffffffU - 1000U - 3U;
    h.seg(true, near_wrap, flag::syn);
    h.seg(true, near_wrap + 1, flag::ack, "abcd");
    h.seg(true, near_wrap + 9, flag::ack, "ijkl");  // past the wrap, early
    h.seg(true, near_wrap + 5, flag::ack, "efgh");  // across it
    CHECK(h.client_stream() == "abcdefghijkl");
    CHECK(h.r_.counters().gaps == 0);
}

TEST_CASE("the number of connections is bounded") {
    TcpLimits limits;
    limits.max_connections = 2;
    TcpReassembler r(limits);
    auto data = text_bytes("x");
    for (std::uint16_t port = 1; port <= 3; ++port) {
        TcpSegment s;
        s.src = {nfpcap::test::ip("192.0.2.1"), port};
        s.dst = kServer;
        s.flags = flag::syn;
        r.add(s);
    }
    CHECK(r.connections() == 2);
    CHECK(r.counters().connection_limit == 1);
}

TEST_CASE("the bytes held in all are bounded") {
    TcpLimits limits;
    limits.max_total_held_bytes = 1000;
    TcpReassembler r(limits);
    auto data = nfpcap::test::ByteVec(200, std::byte{'z'});
    for (std::uint16_t port = 1; port <= 20; ++port) {
        TcpSegment s;
        s.src = {nfpcap::test::ip("192.0.2.1"), port};
        s.dst = kServer;
        s.seq = 1;
        s.flags = flag::syn;
        r.add(s);
        s.seq = 500;  // a hole of 498 bytes, then 200 held
        s.flags = flag::ack;
        s.payload = data;
        s.length = 200;
        r.add(s);
        CHECK(r.held_bytes() <= 1000);
    }
    TcpChunk c;
    std::uint64_t gaps = 0;
    while (r.next(c)) gaps += c.gap ? 1 : 0;
    CHECK(gaps == r.counters().gaps);
    CHECK(gaps >= 15);
}

// A flood that once would have cost quadratic work elsewhere: many one-byte pieces, each with a
// hole before it, then one segment over all of them. Bounded: the pieces held are capped.
TEST_CASE("one_byte_piece_flood: one-byte pieces are bounded by the piece limit") {
    Harness h;
    h.handshake();
    for (std::uint32_t k = 0; k < 20000; ++k) h.seg(true, 3 + 2 * k, flag::ack, "p");
    CHECK(h.r_.held_bytes() <= TcpLimits{}.max_held_segments * (1 + 64));
    h.finish();
    std::uint64_t lost = 0;
    for (const auto& g : h.got) lost += g.lost;
    CHECK(lost == h.r_.counters().bytes_lost);
    CHECK(h.client_stream().size() + lost == 2 * 20000 + 1);  // offsets 0 .. 40000
}

}  // TEST_SUITE("capture.tcp_reassembly")
