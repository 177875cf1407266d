// SPDX-License-Identifier: MIT
// From decoded records to FlowRecords: key, counters, ICMP types, times, sampling.
#include <doctest/doctest.h>

#include <cstdint>
#include <optional>
#include <set>
#include <vector>

#include "../support/message_builder.hpp"
#include "nfpcap/analyze/flow.hpp"
#include "nfpcap/analyze/flow_sink.hpp"
#include "nfpcap/netflow/decoder.hpp"

using namespace nfpcap;
using analyze::FlowRecord;
using test::Msg;

namespace {

constexpr std::uint32_t kPenReverse = 29305;
constexpr std::uint32_t kPenCert = 6871;
constexpr std::int64_t kMs = 1'000'000;
constexpr std::int64_t kT0Ms = 1'700'000'000'000;  // flowStartMilliseconds of the test records

wire::IpAddress ip(const char* text) { return wire::IpAddress::parse(text); }

const wire::Endpoint kExporter{wire::IpAddress::parse("192.0.2.9"), 4739};

// Runs extract_flow (and announced_sampling for options records) inside the callback, where the
// record's views are valid, and keeps the owning results.
class FlowSink final : public netflow::DecodeSink {
public:
    explicit FlowSink(std::uint32_t sampling) : sampling_(sampling) {}

    std::vector<std::optional<FlowRecord>> flows;               // one per data record
    std::vector<std::optional<std::uint32_t>> announced;        // one per options record
    std::vector<std::optional<FlowRecord>> flows_from_options;  // one per options record
    std::vector<netflow::Issue> issues;

    void on_record(const netflow::DataRecord& r) override {
        if (r.is_options()) {
            announced.push_back(analyze::announced_sampling(r));
            flows_from_options.push_back(analyze::extract_flow(r, sampling_));
            return;
        }
        flows.push_back(analyze::extract_flow(r, sampling_));
    }
    void on_issue(const netflow::MessageContext&, const netflow::Issue& issue) override { issues.push_back(issue); }

private:
    std::uint32_t sampling_;
};

FlowSink decode(const std::vector<std::byte>& message, std::uint32_t sampling = 1) {
    netflow::DecoderState state;
    netflow::MessageContext ctx;
    ctx.frame = 1;
    ctx.exporter = kExporter;
    FlowSink sink(sampling);
    netflow::decode_message(message, ctx, state, sink);
    CHECK(sink.issues.empty());
    return sink;
}

// The only flow of a message.
FlowRecord only_flow(const std::vector<std::byte>& message, std::uint32_t sampling = 1) {
    FlowSink sink = decode(message, sampling);
    REQUIRE(sink.flows.size() == 1);
    REQUIRE(sink.flows[0].has_value());
    return *sink.flows[0];
}

// A NetFlow v5 message with one record; `sampling` is the header's raw mode/interval word.
std::vector<std::byte> v5(std::uint8_t protocol, std::uint16_t src_port, std::uint16_t dst_port,
                          std::uint16_t sampling = 0) {
    std::vector<std::byte> b;
    auto u8 = [&](unsigned v) { b.push_back(std::byte{static_cast<std::uint8_t>(v)}); };
    auto u16 = [&](unsigned v) {
        u8(v >> 8U);
        u8(v & 0xffU);
    };
    auto u32 = [&](std::uint32_t v) {
        u16(v >> 16U);
        u16(v & 0xffffU);
    };
    // Header: version, count, uptime 100 s, export 1700000000 s, flow sequence, engine, sampling.
    u16(5);
    u16(1);
    u32(100000);
    u32(1700000000);
    u32(0);
    u32(7);
    u8(0);
    u8(0);
    u16(sampling);
    u32(0x0a000001);
    u32(0x0a000002);
    u32(0);  // src 10.0.0.1, dst 10.0.0.2, nexthop
    u16(0);
    u16(0);  // input, output
    u32(5);
    u32(420);  // dPkts, dOctets
    u32(90000);
    u32(95000);  // First, Last (uptime ms)
    u16(src_port);
    u16(dst_port);
    u8(0);
    u8(0x1b);
    u8(protocol);
    u8(0);  // pad1, tcp_flags, prot, tos
    u16(0);
    u16(0);
    u8(0);
    u8(0);
    u16(0);  // AS numbers, masks, pad2
    return b;
}

}  // namespace

TEST_SUITE("analyze.flow") {

TEST_CASE("IPFIX IPv4 TCP record: key, counters, flags, times, exporter") {
    auto msg = Msg::ipfix(1)
                   .templates()
                   .tmpl(256, {{8, 4}, {12, 4}, {7, 2}, {11, 2}, {4, 1}, {6, 1}, {2, 8}, {1, 8}, {152, 8}, {153, 8}})
                   .data(256)
                   .ip4("10.0.0.1")
                   .ip4("192.0.2.80")
                   .u16(51000)
                   .u16(443)
                   .u8(6)
                   .u8(0x1b)
                   .u64(12)
                   .u64(3400)
                   .u64(kT0Ms)
                   .u64(kT0Ms + 2500)
                   .bytes();
    const FlowRecord f = only_flow(msg);
    CHECK(f.src == ip("10.0.0.1"));
    CHECK(f.dst == ip("192.0.2.80"));
    CHECK(f.src_port == 51000);
    CHECK(f.dst_port == 443);
    CHECK(f.protocol == 6);
    CHECK(f.tcp_flags == 0x1b);
    CHECK_FALSE(f.initial_tcp_flags);
    CHECK(f.packets == 12);
    CHECK(f.bytes == 3400);
    CHECK_FALSE(f.biflow);
    CHECK(f.rev_packets == 0);
    CHECK(f.rev_bytes == 0);
    CHECK_FALSE(f.icmp_type);
    REQUIRE(f.start_ns);
    REQUIRE(f.end_ns);
    CHECK(*f.start_ns == kT0Ms * kMs);
    CHECK(*f.end_ns == (kT0Ms + 2500) * kMs);
    CHECK(f.sampling == 1);
    CHECK(f.exporter == kExporter);
}

TEST_CASE("IPv6 addresses") {
    auto msg = Msg::ipfix()
                   .templates()
                   .tmpl(256, {{27, 16}, {28, 16}, {7, 2}, {11, 2}, {4, 1}, {2, 4}, {1, 4}})
                   .data(256)
                   .ip6("2001:db8::1")
                   .ip6("2001:db8::53")
                   .u16(40000)
                   .u16(53)
                   .u8(17)
                   .u32(1)
                   .u32(80)
                   .bytes();
    const FlowRecord f = only_flow(msg);
    CHECK(f.src == ip("2001:db8::1"));
    CHECK(f.dst == ip("2001:db8::53"));
    CHECK(f.src.family == 6);
    CHECK(f.src_port == 40000);
    CHECK(f.dst_port == 53);
    CHECK(f.protocol == 17);
    CHECK(f.packets == 1);
    CHECK(f.bytes == 80);
}

TEST_CASE("tcpControlBits of two bytes: the low byte holds the classic flags") {
    auto msg = Msg::ipfix()
                   .templates()
                   .tmpl(256, {{8, 4}, {12, 4}, {4, 1}, {6, 2}})
                   .data(256)
                   .ip4("10.0.0.1")
                   .ip4("10.0.0.2")
                   .u8(6)
                   .u16(0x0112)  // NS bit + SYN|ACK
                   .bytes();
    CHECK(only_flow(msg).tcp_flags == 0x12);
}

TEST_CASE("CERT initialTCPFlags (PEN 6871) is kept beside the cumulative flags") {
    auto msg = Msg::ipfix()
                   .templates()
                   .tmpl(256, {{8, 4}, {12, 4}, {4, 1}, {6, 1}, {14, 1, kPenCert}})
                   .data(256)
                   .ip4("10.0.0.1")
                   .ip4("10.0.0.2")
                   .u8(6)
                   .u8(0x1b)
                   .u8(0x02)
                   .bytes();
    const FlowRecord f = only_flow(msg);
    CHECK(f.tcp_flags == 0x1b);
    REQUIRE(f.initial_tcp_flags);
    CHECK(*f.initial_tcp_flags == 0x02);
}

TEST_CASE("packetTotalCount / octetTotalCount when there are no delta counters") {
    SUBCASE("totals only") {
        auto msg = Msg::ipfix()
                       .templates()
                       .tmpl(256, {{8, 4}, {12, 4}, {86, 8}, {85, 8}})
                       .data(256)
                       .ip4("10.0.0.1")
                       .ip4("10.0.0.2")
                       .u64(77)
                       .u64(7700)
                       .bytes();
        const FlowRecord f = only_flow(msg);
        CHECK(f.packets == 77);
        CHECK(f.bytes == 7700);
    }
    SUBCASE("delta before total: delta wins") {
        auto msg = Msg::ipfix()
                       .templates()
                       .tmpl(256, {{8, 4}, {12, 4}, {2, 4}, {1, 4}, {86, 8}, {85, 8}})
                       .data(256)
                       .ip4("10.0.0.1")
                       .ip4("10.0.0.2")
                       .u32(3)
                       .u32(300)
                       .u64(77)
                       .u64(7700)
                       .bytes();
        const FlowRecord f = only_flow(msg);
        CHECK(f.packets == 3);
        CHECK(f.bytes == 300);
    }
    SUBCASE("total before delta: delta wins") {
        auto msg = Msg::ipfix()
                       .templates()
                       .tmpl(256, {{8, 4}, {12, 4}, {86, 8}, {85, 8}, {2, 4}, {1, 4}})
                       .data(256)
                       .ip4("10.0.0.1")
                       .ip4("10.0.0.2")
                       .u64(77)
                       .u64(7700)
                       .u32(3)
                       .u32(300)
                       .bytes();
        const FlowRecord f = only_flow(msg);
        CHECK(f.packets == 3);
        CHECK(f.bytes == 300);
    }
}

TEST_CASE("RFC 5103 reverse counters (PEN 29305) go to the reverse direction") {
    SUBCASE("reverse delta counters") {
        auto msg = Msg::ipfix()
                       .templates()
                       .tmpl(256, {{8, 4}, {12, 4}, {2, 8}, {1, 8}, {2, 8, kPenReverse}, {1, 8, kPenReverse}})
                       .data(256)
                       .ip4("10.0.0.1")
                       .ip4("10.0.0.2")
                       .u64(10)
                       .u64(1000)
                       .u64(8)
                       .u64(64000)
                       .bytes();
        const FlowRecord f = only_flow(msg);
        CHECK(f.biflow);
        CHECK(f.packets == 10);
        CHECK(f.bytes == 1000);
        CHECK(f.rev_packets == 8);
        CHECK(f.rev_bytes == 64000);
    }
    SUBCASE("reverse totals") {
        auto msg = Msg::ipfix()
                       .templates()
                       .tmpl(256, {{8, 4}, {12, 4}, {86, 8}, {85, 8}, {86, 8, kPenReverse}, {85, 8, kPenReverse}})
                       .data(256)
                       .ip4("10.0.0.1")
                       .ip4("10.0.0.2")
                       .u64(10)
                       .u64(1000)
                       .u64(8)
                       .u64(64000)
                       .bytes();
        const FlowRecord f = only_flow(msg);
        CHECK(f.biflow);
        CHECK(f.packets == 10);
        CHECK(f.rev_packets == 8);
        CHECK(f.rev_bytes == 64000);
    }
    SUBCASE("reverse counters of zero still make a biflow record") {
        auto msg = Msg::ipfix()
                       .templates()
                       .tmpl(256, {{8, 4}, {12, 4}, {2, 8}, {2, 8, kPenReverse}})
                       .data(256)
                       .ip4("10.0.0.1")
                       .ip4("10.0.0.2")
                       .u64(4)
                       .u64(0)
                       .bytes();
        const FlowRecord f = only_flow(msg);
        CHECK(f.biflow);
        CHECK(f.packets == 4);
        CHECK(f.rev_packets == 0);
    }
    SUBCASE("other enterprise elements are ignored") {
        auto msg = Msg::ipfix()
                       .templates()
                       .tmpl(256, {{8, 4}, {12, 4}, {2, 8}, {2, 8, 9999}})
                       .data(256)
                       .ip4("10.0.0.1")
                       .ip4("10.0.0.2")
                       .u64(4)
                       .u64(99)
                       .bytes();
        const FlowRecord f = only_flow(msg);
        CHECK_FALSE(f.biflow);
        CHECK(f.packets == 4);
        CHECK(f.rev_packets == 0);
    }
}

TEST_CASE("ICMP type from the destination port (v5 style): type * 256 + code, ports cleared") {
    const FlowRecord request = only_flow(v5(1, 0, 8 * 256));
    REQUIRE(request.icmp_type);
    CHECK(*request.icmp_type == 8);
    CHECK(request.src_port == 0);
    CHECK(request.dst_port == 0);
    const FlowRecord unreachable = only_flow(v5(1, 0, 3 * 256 + 3));  // port unreachable
    REQUIRE(unreachable.icmp_type);
    CHECK(*unreachable.icmp_type == 3);
    const FlowRecord reply = only_flow(v5(1, 0, 0));
    REQUIRE(reply.icmp_type);
    CHECK(*reply.icmp_type == 0);
}

TEST_CASE("ICMP type from icmpTypeCodeIPv4 (32) and icmpTypeCodeIPv6 (139)") {
    SUBCASE("IPv4") {
        auto msg = Msg::ipfix()
                       .templates()
                       .tmpl(256, {{8, 4}, {12, 4}, {4, 1}, {7, 2}, {11, 2}, {32, 2}})
                       .data(256)
                       .ip4("10.0.0.1")
                       .ip4("10.0.0.2")
                       .u8(1)
                       .u16(0)
                       .u16(0)
                       .u16(0x0800)
                       .bytes();
        const FlowRecord f = only_flow(msg);
        REQUIRE(f.icmp_type);
        CHECK(*f.icmp_type == 8);
    }
    SUBCASE("IPv6") {
        auto msg = Msg::ipfix()
                       .templates()
                       .tmpl(256, {{27, 16}, {28, 16}, {4, 1}, {139, 2}})
                       .data(256)
                       .ip6("2001:db8::1")
                       .ip6("2001:db8::2")
                       .u8(58)
                       .u16(129 * 256)
                       .bytes();
        const FlowRecord f = only_flow(msg);
        REQUIRE(f.icmp_type);
        CHECK(*f.icmp_type == 129);
    }
    SUBCASE("the type code element wins over the destination port") {
        auto msg = Msg::ipfix()
                       .templates()
                       .tmpl(256, {{8, 4}, {12, 4}, {4, 1}, {11, 2}, {32, 2}})
                       .data(256)
                       .ip4("10.0.0.1")
                       .ip4("10.0.0.2")
                       .u8(1)
                       .u16(0x0300)
                       .u16(0x0800)
                       .bytes();
        const FlowRecord f = only_flow(msg);
        REQUIRE(f.icmp_type);
        CHECK(*f.icmp_type == 8);
        CHECK(f.dst_port == 0);
    }
    SUBCASE("icmpTypeIPv4 (176) wins over the type code") {
        auto msg = Msg::ipfix()
                       .templates()
                       .tmpl(256, {{8, 4}, {12, 4}, {4, 1}, {176, 1}, {32, 2}})
                       .data(256)
                       .ip4("10.0.0.1")
                       .ip4("10.0.0.2")
                       .u8(1)
                       .u8(13)
                       .u16(0x0800)
                       .bytes();
        const FlowRecord f = only_flow(msg);
        REQUIRE(f.icmp_type);
        CHECK(*f.icmp_type == 13);
    }
    SUBCASE("not ICMP: the type code is ignored and ports stay") {
        auto msg = Msg::ipfix()
                       .templates()
                       .tmpl(256, {{8, 4}, {12, 4}, {4, 1}, {7, 2}, {11, 2}, {32, 2}})
                       .data(256)
                       .ip4("10.0.0.1")
                       .ip4("10.0.0.2")
                       .u8(17)
                       .u16(5000)
                       .u16(2048)
                       .u16(0x0800)
                       .bytes();
        const FlowRecord f = only_flow(msg);
        CHECK_FALSE(f.icmp_type);
        CHECK(f.src_port == 5000);
        CHECK(f.dst_port == 2048);
    }
}

TEST_CASE("v5 record: counters and times from the fixed layout") {
    const FlowRecord f = only_flow(v5(6, 51000, 80));
    CHECK(f.src == ip("10.0.0.1"));
    CHECK(f.dst == ip("10.0.0.2"));
    CHECK(f.src_port == 51000);
    CHECK(f.dst_port == 80);
    CHECK(f.protocol == 6);
    CHECK(f.tcp_flags == 0x1b);
    CHECK(f.packets == 5);
    CHECK(f.bytes == 420);
    // Export at 1700000000 s with uptime 100 s: First 90 s, Last 95 s.
    REQUIRE(f.start_ns);
    REQUIRE(f.end_ns);
    CHECK(*f.start_ns == 1'699'999'990'000'000'000);
    CHECK(*f.end_ns == 1'699'999'995'000'000'000);
}

TEST_CASE("sampling: v5 header interval, samplingInterval in the record, or what the caller knows") {
    SUBCASE("v5 header: mode 1, interval 100") {
        CHECK(only_flow(v5(6, 51000, 80, (1U << 14U) | 100U)).sampling == 100);
    }
    SUBCASE("v5 header interval without a mode") { CHECK(only_flow(v5(6, 51000, 80, 64)).sampling == 64); }
    SUBCASE("v5 header without sampling keeps the caller's interval") {
        CHECK(only_flow(v5(6, 51000, 80, 0)).sampling == 1);
        CHECK(only_flow(v5(6, 51000, 80, 0), 10).sampling == 10);
    }
    SUBCASE("v5 header interval 1 means unsampled") {
        CHECK(only_flow(v5(6, 51000, 80, (1U << 14U) | 1U), 10).sampling == 10);
    }
    SUBCASE("IPFIX: the caller's interval (announced in options data)") {
        auto msg =
            Msg::ipfix().templates().tmpl(256, {{8, 4}, {12, 4}}).data(256).ip4("10.0.0.1").ip4("10.0.0.2").bytes();
        CHECK(only_flow(msg).sampling == 1);
        CHECK(only_flow(msg, 512).sampling == 512);
    }
    SUBCASE("samplingInterval (34) in the data record itself wins") {
        auto msg = Msg::ipfix()
                       .templates()
                       .tmpl(256, {{8, 4}, {12, 4}, {34, 4}})
                       .data(256)
                       .ip4("10.0.0.1")
                       .ip4("10.0.0.2")
                       .u32(1000)
                       .bytes();
        CHECK(only_flow(msg, 512).sampling == 1000);
    }
}

TEST_CASE("announced_sampling from options records") {
    SUBCASE("IPFIX samplingInterval (34)") {
        auto msg = Msg::ipfix()
                       .options_templates()
                       .options_tmpl(300, {{149, 4}}, {{34, 4}, {35, 1}})
                       .data(300)
                       .u32(1)
                       .u32(100)
                       .u8(2)
                       .bytes();
        FlowSink sink = decode(msg);
        REQUIRE(sink.announced.size() == 1);
        REQUIRE(sink.announced[0]);
        CHECK(*sink.announced[0] == 100);
        // An options record has no flow key: no flow from it.
        REQUIRE(sink.flows_from_options.size() == 1);
        CHECK_FALSE(sink.flows_from_options[0]);
    }
    SUBCASE("IPFIX samplingPacketInterval / samplingPacketSpace (305/306): 1 of every 100") {
        auto msg = Msg::ipfix()
                       .options_templates()
                       .options_tmpl(300, {{149, 4}}, {{305, 4}, {306, 4}})
                       .data(300)
                       .u32(1)
                       .u32(1)
                       .u32(99)
                       .bytes();
        FlowSink sink = decode(msg);
        REQUIRE(sink.announced.size() == 1);
        REQUIRE(sink.announced[0]);
        CHECK(*sink.announced[0] == 100);
    }
    SUBCASE("v9 SAMPLING_INTERVAL (34) in options data, scope System") {
        auto msg = Msg::v9(7)
                       .options_templates()
                       .options_tmpl(300, {{1, 4}}, {{34, 4}, {35, 1}})
                       .data(300)
                       .rec()
                       .u32(0)
                       .u32(64)
                       .u8(2)
                       .pad(3)
                       .bytes();
        FlowSink sink = decode(msg);
        REQUIRE(sink.announced.size() == 1);
        REQUIRE(sink.announced[0]);
        CHECK(*sink.announced[0] == 64);
    }
    SUBCASE("interval 1 or no sampling element: nothing announced") {
        auto msg = Msg::ipfix()
                       .options_templates()
                       .options_tmpl(300, {{149, 4}}, {{34, 4}})
                       .options_tmpl(301, {{149, 4}}, {{41, 8}})  // exportedMessageTotalCount
                       .data(300)
                       .u32(1)
                       .u32(1)
                       .data(301)
                       .u32(1)
                       .u64(5)
                       .bytes();
        FlowSink sink = decode(msg);
        REQUIRE(sink.announced.size() == 2);
        CHECK_FALSE(sink.announced[0]);
        CHECK_FALSE(sink.announced[1]);
    }
}

TEST_CASE("records without both addresses are not flows") {
    auto msg = Msg::ipfix()
                   .templates()
                   .tmpl(256, {{8, 4}, {7, 2}, {11, 2}, {2, 8}})
                   .data(256)
                   .ip4("10.0.0.1")
                   .u16(1)
                   .u16(2)
                   .u64(3)
                   .bytes();
    FlowSink sink = decode(msg);
    REQUIRE(sink.flows.size() == 1);
    CHECK_FALSE(sink.flows[0]);
}

TEST_CASE("times: a missing end is the start, a missing start is the end, none stays none") {
    SUBCASE("start only") {
        auto msg = Msg::ipfix()
                       .templates()
                       .tmpl(256, {{8, 4}, {12, 4}, {152, 8}})
                       .data(256)
                       .ip4("10.0.0.1")
                       .ip4("10.0.0.2")
                       .u64(kT0Ms)
                       .bytes();
        const FlowRecord f = only_flow(msg);
        REQUIRE(f.start_ns);
        REQUIRE(f.end_ns);
        CHECK(*f.start_ns == kT0Ms * kMs);
        CHECK(*f.end_ns == kT0Ms * kMs);
    }
    SUBCASE("end only") {
        auto msg = Msg::ipfix()
                       .templates()
                       .tmpl(256, {{8, 4}, {12, 4}, {153, 8}})
                       .data(256)
                       .ip4("10.0.0.1")
                       .ip4("10.0.0.2")
                       .u64(kT0Ms)
                       .bytes();
        const FlowRecord f = only_flow(msg);
        REQUIRE(f.start_ns);
        REQUIRE(f.end_ns);
        CHECK(*f.start_ns == kT0Ms * kMs);
        CHECK(*f.end_ns == kT0Ms * kMs);
    }
    SUBCASE("no time fields") {
        auto msg =
            Msg::ipfix().templates().tmpl(256, {{8, 4}, {12, 4}}).data(256).ip4("10.0.0.1").ip4("10.0.0.2").bytes();
        const FlowRecord f = only_flow(msg);
        CHECK_FALSE(f.start_ns);
        CHECK_FALSE(f.end_ns);
    }
}

TEST_CASE("v9 data record: IN_BYTES / IN_PKTS and uptime-relative times") {
    auto msg = Msg::v9(3, 100000, 1700000000)
                   .templates()
                   .tmpl(256, {{8, 4}, {12, 4}, {7, 2}, {11, 2}, {4, 1}, {2, 4}, {1, 4}, {22, 4}, {21, 4}})
                   .data(256)
                   .rec()
                   .ip4("10.1.1.1")
                   .ip4("10.2.2.2")
                   .u16(123)
                   .u16(123)
                   .u8(17)
                   .u32(2)
                   .u32(152)
                   .u32(98000)
                   .u32(99000)
                   .pad(3)
                   .bytes();
    const FlowRecord f = only_flow(msg);
    CHECK(f.src == ip("10.1.1.1"));
    CHECK(f.dst == ip("10.2.2.2"));
    CHECK(f.protocol == 17);
    CHECK(f.packets == 2);
    CHECK(f.bytes == 152);
    REQUIRE(f.start_ns);
    REQUIRE(f.end_ns);
    CHECK(*f.start_ns == 1'699'999'998'000'000'000);
    CHECK(*f.end_ns == 1'699'999'999'000'000'000);
}

TEST_CASE("analyze::FlowSink: every exporter that sent a flow, whatever order they come in") {
    const auto message = v5(6, 1024, 80);
    std::size_t handed = 0;
    analyze::FlowSink sink([&](const FlowRecord&) { ++handed; });
    const wire::Endpoint a{ip("192.0.2.1"), 2055}, b{ip("192.0.2.2"), 2055}, c{ip("192.0.2.1"), 9995};
    for (const wire::Endpoint& e : {a, b, a, a, c, b}) {
        netflow::DecoderState state;
        netflow::MessageContext ctx;
        ctx.exporter = e;
        netflow::decode_message(message, ctx, state, sink);
    }
    CHECK(handed == 6);
    CHECK(sink.flows() == 6);
    CHECK(sink.exporters() == std::set<wire::Endpoint>{a, b, c});
}

}  // TEST_SUITE("analyze.flow")

TEST_SUITE("analyze.flow") {

TEST_CASE("a template with both address families: the zero-filled one never wins") {
    // Exporters with one template for both families fill the unused addresses with zeros.
    for (bool v6_last : {true, false}) {
        CAPTURE(v6_last);
        auto msg = v6_last ? Msg::ipfix()
                                 .templates()
                                 .tmpl(256, {{8, 4}, {12, 4}, {27, 16}, {28, 16}, {4, 1}})
                                 .data(256)
                                 .ip4("10.0.0.1")
                                 .ip4("10.0.0.2")
                                 .ip6("::")
                                 .ip6("::")
                                 .u8(6)
                                 .data(256)
                                 .ip4("0.0.0.0")
                                 .ip4("0.0.0.0")
                                 .ip6("2001:db8::1")
                                 .ip6("2001:db8::2")
                                 .u8(6)
                                 .bytes()
                           : Msg::ipfix()
                                 .templates()
                                 .tmpl(256, {{27, 16}, {28, 16}, {8, 4}, {12, 4}, {4, 1}})
                                 .data(256)
                                 .ip6("::")
                                 .ip6("::")
                                 .ip4("10.0.0.1")
                                 .ip4("10.0.0.2")
                                 .u8(6)
                                 .data(256)
                                 .ip6("2001:db8::1")
                                 .ip6("2001:db8::2")
                                 .ip4("0.0.0.0")
                                 .ip4("0.0.0.0")
                                 .u8(6)
                                 .bytes();
        FlowSink sink = decode(msg);
        REQUIRE(sink.flows.size() == 2);
        REQUIRE(sink.flows[0]);
        REQUIRE(sink.flows[1]);
        CHECK(sink.flows[0]->src == ip("10.0.0.1"));
        CHECK(sink.flows[0]->dst == ip("10.0.0.2"));
        CHECK(sink.flows[1]->src == ip("2001:db8::1"));
        CHECK(sink.flows[1]->dst == ip("2001:db8::2"));
    }
}

}  // TEST_SUITE("analyze.flow")

TEST_SUITE("analyze.flow") {

TEST_CASE("interfaces, AS numbers, next hop, ToS, version, domain and template for filters") {
    SUBCASE("IPFIX, 4-byte interfaces and AS numbers") {
        auto msg = Msg::ipfix(77)
                       .templates()
                       .tmpl(300, {{8, 4}, {12, 4}, {10, 4}, {14, 4}, {16, 4}, {17, 4}, {15, 4}, {5, 1}})
                       .data(300)
                       .ip4("10.0.0.1")
                       .ip4("10.0.0.2")
                       .u32(3)
                       .u32(70000)
                       .u32(64500)
                       .u32(4200000000)
                       .ip4("10.0.0.254")
                       .u8(0xb8)
                       .bytes();
        const FlowRecord f = only_flow(msg);
        CHECK(f.input_if == 3);
        CHECK(f.output_if == 70000);
        CHECK(f.src_as == 64500);
        CHECK(f.dst_as == 4200000000);
        CHECK(f.next_hop == ip("10.0.0.254"));
        CHECK(f.tos == 0xb8);
        CHECK(f.version == 10);
        CHECK(f.domain == 77);
        CHECK(f.template_id == 300);
        CHECK(f.template_frame == 1);  // the frame of the test message
    }
    SUBCASE("v9, 2-byte fields and an IPv6 next hop beside a zero IPv4 one") {
        auto msg = Msg::v9(5)
                       .templates()
                       .tmpl(260, {{27, 16}, {28, 16}, {10, 2}, {14, 2}, {16, 2}, {17, 2}, {15, 4}, {62, 16}})
                       .data(260)
                       .rec()
                       .ip6("2001:db8::1")
                       .ip6("2001:db8::2")
                       .u16(1)
                       .u16(2)
                       .u16(65001)
                       .u16(65002)
                       .ip4("0.0.0.0")
                       .ip6("2001:db8::fe")
                       .bytes();
        const FlowRecord f = only_flow(msg);
        CHECK(f.input_if == 1);
        CHECK(f.output_if == 2);
        CHECK(f.src_as == 65001);
        CHECK(f.dst_as == 65002);
        CHECK(f.next_hop == ip("2001:db8::fe"));
        CHECK(f.version == 9);
        CHECK(f.domain == 5);
        CHECK(f.template_id == 260);
    }
    SUBCASE("v5: the fixed layout's fields; no template") {
        const FlowRecord f = only_flow(v5(6, 51000, 80));
        CHECK(f.version == 5);
        CHECK(f.template_id == 0);
        CHECK(f.template_frame == 0);
        CHECK(f.next_hop == ip("0.0.0.0"));
        CHECK(f.input_if == 0);
    }
    SUBCASE("nothing exported: zeros, no next hop") {
        auto msg =
            Msg::ipfix().templates().tmpl(256, {{8, 4}, {12, 4}}).data(256).ip4("10.0.0.1").ip4("10.0.0.2").bytes();
        const FlowRecord f = only_flow(msg);
        CHECK(f.next_hop.family == 0);
        CHECK(f.src_as == 0);
        CHECK(f.tos == 0);
    }
}

TEST_CASE("total packets and bytes: both directions, saturating") {
    FlowRecord f;
    f.packets = 3;
    f.rev_packets = 4;
    f.bytes = UINT64_MAX - 1;
    f.rev_bytes = 5;
    CHECK(f.total_packets() == 7);
    CHECK(f.total_bytes() == UINT64_MAX);
}

}  // TEST_SUITE("analyze.flow")

TEST_SUITE("analyze.flow") {

TEST_CASE("plan_flow: the fields extract_flow reads, in template order; scope fields and repeats left out") {
    using Fill = analyze::FlowPlan::Fill;
    netflow::Template t;
    t.version = 10;
    t.kind = netflow::TemplateKind::options;
    t.scope_count = 1;
    auto add = [&t](std::uint32_t pen, std::uint16_t id, std::uint16_t length, bool scope = false) {
        t.fields.push_back(netflow::make_field(pen, id, length, false));
        t.fields.back().scope = scope;
    };
    add(0, 8, 4, true);      // sourceIPv4Address as a scope: not a flow's
    add(0, 12, 4);           // destinationIPv4Address
    add(0, 2, 8);            // packetDeltaCount
    add(0, 210, 2);          // paddingOctets: not read
    add(0, 8, 4);            // sourceIPv4Address
    add(kPenReverse, 1, 8);  // reverse octetDeltaCount
    add(kPenCert, 14, 1);    // initialTCPFlags
    add(0, 32, 2);           // icmpTypeCodeIPv4 ...
    add(0, 139, 2);          // ... and icmpTypeCodeIPv6: each its own fill
    add(0, 8, 4);            // a second sourceIPv4Address
    t.fields.back().repeat_index = 1;
    const analyze::FlowPlan plan = analyze::plan_flow(t);
    std::vector<std::pair<std::uint16_t, Fill>> steps;
    for (const auto& step : plan) steps.emplace_back(step.field, step.fill);
    CHECK(steps == std::vector<std::pair<std::uint16_t, Fill>>{{1, Fill::dst_v4},
                                                               {2, Fill::packets},
                                                               {4, Fill::src_v4},
                                                               {5, Fill::rev_bytes},
                                                               {6, Fill::initial_tcp_flags},
                                                               {7, Fill::icmp_type_code_v4},
                                                               {8, Fill::icmp_type_code_v6}});
    SUBCASE("without a source address (the scope one aside) there is no flow key: no steps") {
        t.fields.erase(t.fields.begin() + 4);
        CHECK(analyze::plan_flow(t).size == 0);
    }
}

// Extracts every data record twice, with one FlowExtractor over all messages and with
// extract_flow (planned for each record), across one DecoderState.
class ExtractorSink final : public netflow::DecodeSink {
public:
    std::vector<std::optional<FlowRecord>> kept, planned;
    void on_record(const netflow::DataRecord& r) override {
        kept.push_back(extract_(r));
        planned.push_back(analyze::extract_flow(r));
    }

private:
    analyze::FlowExtractor extract_;
};

TEST_CASE("FlowExtractor: a template's plan is kept, and a new template (same ID, other fields) gets its own") {
    // Template 256 redefined with its addresses swapped and the counter moved, and 257 in between.
    const std::vector<std::vector<std::byte>> messages{
        Msg::ipfix()
            .templates()
            .tmpl(256, {{8, 4}, {12, 4}, {4, 1}, {2, 4}})
            .tmpl(257, {{27, 16}, {28, 16}, {4, 1}})
            .data(256)
            .ip4("10.0.0.1")
            .ip4("10.0.0.2")
            .u8(6)
            .u32(5)
            .ip4("10.0.0.3")
            .ip4("10.0.0.4")
            .u8(17)
            .u32(6)
            .data(257)
            .ip6("2001:db8::1")
            .ip6("2001:db8::2")
            .u8(58)
            .data(256)
            .ip4("10.0.0.5")
            .ip4("10.0.0.6")
            .u8(6)
            .u32(7)
            .bytes(),
        Msg::ipfix()
            .templates()
            .tmpl(256, {{2, 4}, {12, 4}, {8, 4}})
            .data(256)
            .u32(9)
            .ip4("10.0.0.8")
            .ip4("10.0.0.7")
            .bytes(),
        Msg::ipfix().templates().tmpl(256, {{2, 4}, {12, 4}}).data(256).u32(9).ip4("10.0.0.8").bytes(),
    };
    netflow::DecoderState state;
    netflow::MessageContext ctx;
    ctx.exporter = kExporter;
    ExtractorSink sink;
    for (const auto& message : messages) {
        ++ctx.frame;
        netflow::decode_message(message, ctx, state, sink);
    }
    REQUIRE(sink.kept.size() == 6);
    struct Expected {
        const char* src;
        const char* dst;
        std::uint8_t protocol;
        std::uint64_t packets;
    };
    const Expected expected[] = {{"10.0.0.1", "10.0.0.2", 6, 5},
                                 {"10.0.0.3", "10.0.0.4", 17, 6},
                                 {"2001:db8::1", "2001:db8::2", 58, 0},
                                 {"10.0.0.5", "10.0.0.6", 6, 7},
                                 {"10.0.0.7", "10.0.0.8", 0, 9}};
    for (std::size_t i = 0; i < 5; ++i) {
        CAPTURE(i);
        REQUIRE(sink.kept[i]);
        CHECK(sink.kept[i]->src == ip(expected[i].src));
        CHECK(sink.kept[i]->dst == ip(expected[i].dst));
        CHECK(sink.kept[i]->protocol == expected[i].protocol);
        CHECK(sink.kept[i]->packets == expected[i].packets);
        REQUIRE(sink.planned[i]);
        CHECK(sink.planned[i]->src == sink.kept[i]->src);
        CHECK(sink.planned[i]->packets == sink.kept[i]->packets);
    }
    // The last definition has no source address: no flow key, whatever the one before had.
    CHECK_FALSE(sink.kept[5]);
    CHECK_FALSE(sink.planned[5]);
}

TEST_CASE("FlowExtractor: templates in turn, each read by its own plan") {
    // Twelve templates in three layouts (by their number modulo 3), each record's protocol its
    // template's number, twice round: a plan taken for the wrong template shows.
    netflow::DecoderState state;
    netflow::MessageContext ctx;
    ctx.exporter = kExporter;
    ExtractorSink sink;
    constexpr std::uint16_t kTemplates = 12;
    for (int round = 0; round < 2; ++round) {
        for (std::uint16_t i = 0; i < kTemplates; ++i) {
            const auto id = static_cast<std::uint16_t>(256 + i);
            const auto protocol = static_cast<std::uint8_t>(i);
            Msg m = Msg::ipfix();
            if (round == 0) {
                m.templates();
                if (i % 3 == 0) m.tmpl(id, {{8, 4}, {12, 4}, {4, 1}});
                if (i % 3 == 1) m.tmpl(id, {{12, 4}, {8, 4}, {4, 1}});
                if (i % 3 == 2) m.tmpl(id, {{4, 1}, {8, 4}, {12, 4}});
            }
            m.data(id);
            if (i % 3 == 2) m.u8(protocol);
            m.ip4("10.0.0.1").ip4("10.0.0.2");
            if (i % 3 != 2) m.u8(protocol);
            ++ctx.frame;
            netflow::decode_message(m.bytes(), ctx, state, sink);
        }
    }
    REQUIRE(sink.kept.size() == 2 * kTemplates);
    for (std::size_t n = 0; n < sink.kept.size(); ++n) {
        CAPTURE(n);
        const std::size_t i = n % kTemplates;
        REQUIRE(sink.kept[n]);
        CHECK(sink.kept[n]->protocol == i);
        CHECK(sink.kept[n]->src == ip(i % 3 == 1 ? "10.0.0.2" : "10.0.0.1"));
        CHECK(sink.kept[n]->dst == ip(i % 3 == 1 ? "10.0.0.1" : "10.0.0.2"));
    }
}

}  // TEST_SUITE("analyze.flow")
