// SPDX-License-Identifier: MIT
// TCP streams cut into export messages: split across segments, back to back, after a gap.
#include <doctest/doctest.h>

#include <vector>

#include "../support/message_builder.hpp"
#include "nfpcap/source/stream_framer.hpp"

using namespace nfpcap;
using test::Msg;

namespace {

std::vector<std::byte> concat(std::initializer_list<std::vector<std::byte>> parts) {
    std::vector<std::byte> out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

struct Cut {
    std::vector<std::vector<std::byte>> messages;
    std::vector<bool> after_gap;
};

Cut drain(source::StreamFramer& f) {
    Cut c;
    wire::Bytes m;
    bool gap = false;
    while (f.next(m, gap)) {
        c.messages.emplace_back(m.begin(), m.end());
        c.after_gap.push_back(gap);
    }
    return c;
}

std::vector<std::byte> ipfix_message(std::uint32_t sequence) {
    return Msg::ipfix(1, 1700000000, sequence)
        .templates()
        .tmpl(256, {{8, 4}, {12, 4}})
        .data(256)
        .ip4("10.0.0.1")
        .ip4("10.0.0.2")
        .bytes();
}

}  // namespace

TEST_SUITE("source.stream_framer") {

TEST_CASE("IPFIX messages back to back, split at every byte boundary, come out whole and in order") {
    const auto a = ipfix_message(0);
    const auto b = ipfix_message(1);
    const auto stream = concat({a, b, a});
    for (std::size_t split = 1; split < stream.size(); ++split) {
        CAPTURE(split);
        source::StreamFramer f;
        f.feed(wire::Bytes(stream).first(split));
        Cut first = drain(f);
        f.feed(wire::Bytes(stream).subspan(split));
        Cut second = drain(f);
        first.messages.insert(first.messages.end(), second.messages.begin(), second.messages.end());
        REQUIRE(first.messages.size() == 3);
        CHECK(first.messages[0] == a);
        CHECK(first.messages[1] == b);
        CHECK(first.messages[2] == a);
        CHECK(f.counters().bytes_lost == 0);
    }
}

TEST_CASE("after missing bytes the framer resynchronizes on the next valid header and counts the loss") {
    const auto a = ipfix_message(0);
    const auto b = ipfix_message(1);
    const auto c = ipfix_message(2);
    source::StreamFramer f;
    f.feed(a);
    // The middle of b is missing: its tail arrives after a gap, then c.
    const auto tail = std::vector<std::byte>(b.begin() + 10, b.end());
    f.feed(wire::Bytes(b).first(5));
    f.feed(concat({tail, c}), 5);  // 5 bytes of b never captured
    const Cut cut = drain(f);
    REQUIRE(cut.messages.size() == 2);
    CHECK(cut.messages[0] == a);
    CHECK_FALSE(cut.after_gap[0]);
    CHECK(cut.messages[1] == c);
    CHECK(cut.after_gap[1]);
    CHECK(f.counters().bytes_lost == b.size());  // 5 buffered + 5 missing + the tail skipped
    CHECK(f.counters().resyncs == 1);
}

TEST_CASE("NetFlow v9 over TCP: a message ends at the next v9 header, or at the end of the stream") {
    const auto a = Msg::v9(1, 1000, 1700000000, 0).templates().tmpl(256, {{8, 4}}).bytes();
    const auto b = Msg::v9(1, 1001, 1700000000, 1).data(256).ip4("10.0.0.1").bytes();
    source::StreamFramer f;
    f.feed(concat({a, b}));
    Cut cut = drain(f);
    REQUIRE(cut.messages.size() == 1);  // b may go on: its end is not known yet
    CHECK(cut.messages[0] == a);
    f.finish();
    cut = drain(f);
    REQUIRE(cut.messages.size() == 1);
    CHECK(cut.messages[0] == b);
}

TEST_CASE("bytes that never form a message are dropped within the buffer bound") {
    source::StreamFramer f(1024);
    std::vector<std::byte> noise(5000, std::byte{0x41});
    f.feed(noise);
    f.finish();
    const Cut cut = drain(f);
    CHECK(cut.messages.empty());
    CHECK(f.counters().bytes_lost == noise.size());
}

}  // TEST_SUITE("source.stream_framer")
