// SPDX-License-Identifier: MIT
// NetFlow v1 and v5: fixed layouts mapped to IANA names, header times, sampling bits.
#include <doctest/doctest.h>

#include "../support/collecting_sink.hpp"
#include "../support/message_builder.hpp"

using namespace nfpcap;
using netflow::Reason;

namespace {

// A v5 message built by hand: header then `n` records.
std::vector<std::byte> v5(std::uint16_t count, std::size_t records, std::uint16_t sampling = 0) {
    std::vector<std::byte> b;
    auto u8 = [&](unsigned v) { b.push_back(std::byte{static_cast<std::uint8_t>(v)}); };
    auto u16 = [&](unsigned v) {
        u8(v >> 8U);
        u8(v);
    };
    auto u32 = [&](std::uint32_t v) {
        u16(v >> 16U);
        u16(v & 0xffffU);
    };
    u16(5);
    u16(count);
    u32(100000);
    u32(1700000000);
    u32(500000000);
    u32(42);
    u8(1);
    u8(2);
    u16(sampling);
    for (std::size_t i = 0; i < records; ++i) {
        u32(0x0a000001);
        u32(0x0a000002);
        u32(0x0a0000fe);  // src, dst, nexthop
        u16(3);
        u16(4);  // input, output
        u32(10);
        u32(1500);  // dPkts, dOctets
        u32(90000);
        u32(99000);  // First, Last
        u16(1234);
        u16(80);  // ports
        u8(0);
        u8(0x1b);
        u8(6);
        u8(0x10);  // pad1, tcp_flags, prot, tos
        u16(64512);
        u16(65000);  // src_as, dst_as
        u8(24);
        u8(16);
        u16(0);  // masks, pad2
    }
    return b;
}

}  // namespace

TEST_SUITE("netflow.v5") {

TEST_CASE("v5 record fields by IANA name, times from uptime with nanoseconds") {
    netflow::DecoderState state;
    test::CollectingSink sink;
    auto tally = test::decode(v5(2, 2), state, sink);
    CHECK(tally.data_records == 2);
    REQUIRE(sink.records.size() == 2);
    const auto& r = sink.records[0];
    // The decoded values, field by field (the bytes each field was given)...
    CHECK(r.uint("sourceIPv4Address") == 0x0a000001U);
    CHECK(r.uint("destinationIPv4Address") == 0x0a000002U);
    CHECK(r.uint("ipNextHopIPv4Address") == 0x0a0000feU);
    CHECK(r.uint("ingressInterface") == 3U);
    CHECK(r.uint("egressInterface") == 4U);
    CHECK(r.uint("packetDeltaCount") == 10U);
    CHECK(r.uint("octetDeltaCount") == 1500U);
    CHECK(r.uint("flowStartSysUpTime") == 90000U);
    CHECK(r.uint("flowEndSysUpTime") == 99000U);
    CHECK(r.uint("sourceTransportPort") == 1234U);
    CHECK(r.uint("destinationTransportPort") == 80U);
    CHECK(r.uint("tcpControlBits") == 0x1bU);  // from offset 37, past pad1
    CHECK(r.uint("protocolIdentifier") == 6U);
    CHECK(r.uint("ipClassOfService") == 0x10U);
    CHECK(r.uint("bgpSourceAsNumber") == 64512U);
    CHECK(r.uint("bgpDestinationAsNumber") == 65000U);
    CHECK(r.uint("sourceIPv4PrefixLength") == 24U);
    CHECK(r.uint("destinationIPv4PrefixLength") == 16U);
    CHECK(r.raw("sourceIPv4Address")->size() == 4);
    CHECK(r.raw_fields.size() == 18);
    // ... and as the report prints them.
    CHECK(r["sourceIPv4Address"] == "10.0.0.1");
    CHECK(r["destinationIPv4Address"] == "10.0.0.2");
    CHECK(r["ipNextHopIPv4Address"] == "10.0.0.254");
    CHECK(r["ingressInterface"] == "3");
    CHECK(r["egressInterface"] == "4");
    CHECK(r["packetDeltaCount"] == "10");
    CHECK(r["octetDeltaCount"] == "1500");
    CHECK(r["sourceTransportPort"] == "1234");
    CHECK(r["destinationTransportPort"] == "80");
    CHECK(r["tcpControlBits"] == "27");
    CHECK(r["protocolIdentifier"] == "6");
    CHECK(r["ipClassOfService"] == "16");
    CHECK(r["bgpSourceAsNumber"] == "64512");
    CHECK(r["bgpDestinationAsNumber"] == "65000");
    CHECK(r["sourceIPv4PrefixLength"] == "24");
    CHECK(r["destinationIPv4PrefixLength"] == "16");
    // Export at 1700000000.5 with uptime 100 s: first at uptime 90 s = 10 s earlier.
    CHECK(*r.start_ns == 1699999990500000000LL);
    CHECK(*r.end_ns == 1699999999500000000LL);
    CHECK(sink.issues.empty());
}

TEST_CASE("v5 header: sampling mode and interval, engine as domain") {
    netflow::DecoderState state;
    test::CollectingSink sink;
    netflow::ExportHeader h;
    netflow::MessageContext ctx;
    netflow::decode_message(v5(1, 1, (1U << 14U) | 100U), ctx, state, sink, &h);
    CHECK(h.sampling_mode() == 1);
    CHECK(h.sampling_interval() == 100);
    CHECK(h.domain == 0x0102);
    CHECK(h.sequence == 42);
}

TEST_CASE("count larger than the records present decodes what is there") {
    netflow::DecoderState state;
    test::CollectingSink sink;
    auto tally = test::decode(v5(3, 2), state, sink);
    CHECK(tally.data_records == 2);
    CHECK(tally.first_loss == Reason::length_mismatch);
}

TEST_CASE("count zero or no record at all is fatal") {
    netflow::DecoderState state;
    test::CollectingSink sink;
    CHECK(test::decode(v5(0, 0), state, sink).fatal == Reason::length_mismatch);
    CHECK(test::decode(v5(1, 0), state, sink).fatal == Reason::length_mismatch);
}

TEST_CASE("v1 layout: protocol, tos and flags at their v1 offsets") {
    std::vector<std::byte> b(16 + 48);
    auto put = [&](std::size_t at, std::initializer_list<unsigned> bytes) {
        for (auto v : bytes) b[at++] = std::byte{static_cast<std::uint8_t>(v)};
    };
    put(0, {0, 1, 0, 1});            // version 1, count 1
    put(16, {192, 0, 2, 1});         // srcaddr
    put(16 + 38, {17, 0x20, 0x02});  // prot, tos, flags
    netflow::DecoderState state;
    test::CollectingSink sink;
    test::decode(b, state, sink);
    REQUIRE(sink.records.size() == 1);
    CHECK(sink.records[0].uint("sourceIPv4Address") == 0xc0000201U);
    CHECK(sink.records[0].uint("protocolIdentifier") == 17U);
    CHECK(sink.records[0].uint("ipClassOfService") == 0x20U);
    CHECK(sink.records[0].uint("tcpControlBits") == 0x02U);
    CHECK(sink.records[0]["sourceIPv4Address"] == "192.0.2.1");
    CHECK(sink.records[0]["protocolIdentifier"] == "17");
    CHECK(sink.records[0]["ipClassOfService"] == "32");
    CHECK(sink.records[0]["tcpControlBits"] == "2");
}

TEST_CASE("unknown version is fatal and named") {
    netflow::DecoderState state;
    test::CollectingSink sink;
    std::vector<std::byte> b(40);
    b[1] = std::byte{6};  // Cisco's v6, recognized and counted, never decoded
    CHECK(test::decode(b, state, sink).fatal == Reason::unknown_version);
}

}  // TEST_SUITE("netflow.v5")

TEST_SUITE("netflow.detect") {

TEST_CASE("looks_like_export accepts real shapes and rejects DNS-like noise") {
    CHECK(netflow::looks_like_export(v5(2, 2)));
    CHECK_FALSE(netflow::looks_like_export(v5(3, 2)));
    auto ipfix = test::Msg::ipfix().templates().tmpl(256, {{8, 4}}).bytes();
    CHECK(netflow::looks_like_export(ipfix));
    auto v9 = test::Msg::v9().templates().tmpl(256, {{8, 4}}).bytes();
    CHECK(netflow::looks_like_export(v9));
    // A DNS query whose ID happens to be 9.
    const std::uint8_t dns[] = {0x00, 0x09, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 'e', 'x',
                                'a',  'm',  'p',  'l',  'e',  0x03, 'c',  'o',  'm',  0x00, 0x00, 0x01, 0x00, 0x01};
    CHECK_FALSE(netflow::looks_like_export(std::as_bytes(std::span(dns))));
}

TEST_CASE("hex input decodes like bytes; bad hex is rejected") {
    netflow::DecoderState state;
    test::CollectingSink sink;
    netflow::MessageContext ctx;
    auto msg = test::Msg::ipfix().templates().tmpl(256, {{8, 4}}).data(256).ip4("1.2.3.4").bytes();
    std::string hex;
    for (auto b : msg) hex += fmt::format("{:02x}", static_cast<unsigned>(b));
    auto tally = netflow::decode_hex(hex, ctx, state, sink);
    REQUIRE(tally);
    CHECK(tally->data_records == 1);
    CHECK_FALSE(netflow::decode_hex("0a0z", ctx, state, sink));
    CHECK_FALSE(netflow::parse_hex("abc"));
}

}  // TEST_SUITE("netflow.detect")
