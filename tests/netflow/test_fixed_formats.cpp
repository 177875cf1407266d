// SPDX-License-Identifier: MIT
// NetFlow v7 and v8: Cisco's fixed layouts, named through the element data, one v8 layout per
// aggregation scheme, schemes nfpcap does not know counted.
#include <doctest/doctest.h>

#include "../support/collecting_sink.hpp"
#include "../support/message_builder.hpp"
#include "nfpcap/netflow/version.hpp"

using namespace nfpcap;
using netflow::Reason;
using test::Msg;

namespace {

// One v7 record: v5's layout with the flags byte at 36 and router_sc at 48.
Msg& v7_record(Msg& m, std::uint8_t flags, const char* router_sc) {
    return m.rec()
        .ip4("198.51.100.10")
        .ip4("203.0.113.80")
        .ip4("192.0.2.254")  // src, dst, nexthop
        .u16(3)
        .u16(7)  // input, output
        .u32(12)
        .u32(5832)  // dPkts, dOctets
        .u32(91000)
        .u32(98800)  // First, Last
        .u16(51544)
        .u16(80)
        .u8(flags)
        .u8(0x1b)
        .u8(6)
        .u8(0x10)  // flags, tcp_flags, prot, tos
        .u16(64500)
        .u16(64501)
        .u8(24)
        .u8(16)
        .u16(0)  // masks, pad
        .ip4(router_sc);
}

// The head of v8's prefix/AS/protocol schemes: flows, dPkts, dOctets, First, Last.
Msg& v8_head(Msg& m) { return m.rec().u32(3).u32(40).u32(52000).u32(40000).u32(99000); }

}  // namespace

TEST_SUITE("netflow.v7") {

TEST_CASE("v7 records: v5's fields plus the flags byte and router_sc, named by the element data") {
    Msg m = Msg::v7(100000, 1700000000, 250000000, 1000);
    v7_record(m, 0x01, "192.0.2.1");
    v7_record(m, 0x00, "192.0.2.2");
    netflow::DecoderState state;
    test::CollectingSink sink;
    netflow::ExportHeader h;
    netflow::MessageContext ctx;
    const auto bytes = m.bytes();
    const auto tally = netflow::decode_message(bytes, ctx, state, sink, &h);
    CHECK_FALSE(tally.fatal);
    CHECK(tally.data_records == 2);
    CHECK(sink.issues.empty());
    CHECK(h.version == 7);
    CHECK(h.sequence == 1000);
    CHECK(h.domain == 0);  // v7's header has no engine fields
    REQUIRE(sink.records.size() == 2);
    const auto& r = sink.records[0];
    CHECK(r["sourceIPv4Address"] == "198.51.100.10");
    CHECK(r["exportFlags"] == "1");
    CHECK(r["tcpControlBits"] == "27");
    CHECK(r["protocolIdentifier"] == "6");
    CHECK(r["ipClassOfService"] == "16");
    CHECK(r["sourceIPv4PrefixLength"] == "24");
    CHECK(r["destinationIPv4PrefixLength"] == "16");
    CHECK(r["routerShortcut"] == "192.0.2.1");
    CHECK(sink.records[1]["routerShortcut"] == "192.0.2.2");
    // Times from sysUpTime and the header's seconds and nanoseconds: Last is 1.2 s before export.
    REQUIRE(r.end_ns);
    CHECK(*r.end_ns == 1700000000LL * 1'000'000'000 + 250'000'000 - 1'200'000'000);
}

TEST_CASE("v7 is recognized by its shape and counted per record") {
    Msg m = Msg::v7();
    v7_record(m, 0, "192.0.2.1");
    auto bytes = m.bytes();
    CHECK(netflow::looks_like_export(bytes));
    bytes.pop_back();  // a record cut short: the only one, so nothing is left to decode
    netflow::DecoderState state;
    test::CollectingSink sink;
    CHECK(test::decode(bytes, state, sink).fatal == Reason::length_mismatch);
}

}  // TEST_SUITE("netflow.v7")

TEST_SUITE("netflow.v8") {

TEST_CASE("every scheme 1-14 decodes records of its own size") {
    for (const netflow::AggregationInfo& scheme : netflow::v8_aggregations()) {
        CAPTURE(scheme.scheme);
        const netflow::Template* layout = netflow::v8_template(scheme.scheme);
        REQUIRE(layout != nullptr);
        CHECK(layout->id == scheme.scheme);
        CHECK(layout->min_record_length == scheme.record_size);
        for (const auto& f : layout->fields) {
            CAPTURE(f.id);
            CHECK(f.offset + f.length <= scheme.record_size);
            CHECK(f.element != nullptr);  // every field named, none as PEN.ID
        }
        Msg m = Msg::v8(scheme.scheme, 100000, 1700000000, 500, 1, 2);
        for (int i = 0; i < 3; ++i) m.rec().pad(scheme.record_size);
        const auto bytes = m.bytes();
        CHECK(netflow::looks_like_export(bytes));
        netflow::DecoderState state;
        test::CollectingSink sink;
        netflow::ExportHeader h;
        netflow::MessageContext ctx;
        const auto tally = netflow::decode_message(bytes, ctx, state, sink, &h);
        CHECK_FALSE(tally.fatal);
        CHECK(tally.data_records == 3);
        CHECK(sink.issues.empty());
        CHECK(h.aggregation == scheme.scheme);
        CHECK(h.aggregation_version == 2);
        CHECK(h.domain == 0x0102U);  // engine type 1, engine ID 2
        // A whole record more than the header announces is not a v8 datagram of this scheme.
        Msg more = Msg::v8(scheme.scheme, 100000, 1700000000, 500, 1, 2);
        for (int i = 0; i < 3; ++i) more.rec().pad(scheme.record_size);
        more.pad(scheme.record_size);  // a fourth record the count does not announce
        CHECK_FALSE(netflow::looks_like_export(more.bytes()));
    }
}

TEST_CASE("AS-ToS (9): interfaces at 24-27, ToS at 28, as Cisco's table has them") {
    Msg m = Msg::v8(9);
    v8_head(m).u16(64496).u16(64511).u16(2).u16(9).u8(0x28).u8(0).u16(0);
    netflow::DecoderState state;
    test::CollectingSink sink;
    test::decode(m.bytes(), state, sink);
    REQUIRE(sink.records.size() == 1);
    const auto& r = sink.records[0];
    CHECK(r["deltaFlowCount"] == "3");
    CHECK(r["packetDeltaCount"] == "40");
    CHECK(r["octetDeltaCount"] == "52000");
    CHECK(r["bgpSourceAsNumber"] == "64496");
    CHECK(r["bgpDestinationAsNumber"] == "64511");
    CHECK(r["ingressInterface"] == "2");
    CHECK(r["egressInterface"] == "9");
    CHECK(r["ipClassOfService"] == "40");
}

TEST_CASE("Prefix (5): destination mask first, then the source mask") {
    Msg m = Msg::v8(5);
    v8_head(m).ip4("198.51.100.0").ip4("203.0.113.0").u8(16).u8(24).u16(0).u16(1).u16(2).u16(3).u16(4);
    netflow::DecoderState state;
    test::CollectingSink sink;
    test::decode(m.bytes(), state, sink);
    REQUIRE(sink.records.size() == 1);
    const auto& r = sink.records[0];
    CHECK(r["sourceIPv4Prefix"] == "198.51.100.0");
    CHECK(r["destinationIPv4Prefix"] == "203.0.113.0");
    CHECK(r["destinationIPv4PrefixLength"] == "16");
    CHECK(r["sourceIPv4PrefixLength"] == "24");
    CHECK(r["egressInterface"] == "4");
}

TEST_CASE("Full Flow (8): the Catalyst flow scheme, addresses first, marked ToS and router_sc") {
    Msg m = Msg::v8(8);
    m.rec()
        .ip4("203.0.113.10")
        .ip4("198.51.100.20")
        .u16(443)
        .u16(50000)  // dst, src, dstport, srcport
        .u32(40)
        .u32(52000)
        .u32(40000)
        .u32(99000)  // packets, octets, First, Last
        .u16(9)
        .u16(2)
        .u8(0x20)
        .u8(6)
        .u8(0x28)
        .u8(0)  // output, input, tos, prot, marked_tos, pad
        .u32(5)
        .ip4("192.0.2.1");  // extra packets, router_sc
    netflow::DecoderState state;
    test::CollectingSink sink;
    test::decode(m.bytes(), state, sink);
    REQUIRE(sink.records.size() == 1);
    const auto& r = sink.records[0];
    CHECK(r["destinationIPv4Address"] == "203.0.113.10");
    CHECK(r["sourceIPv4Address"] == "198.51.100.20");
    CHECK(r["destinationTransportPort"] == "443");
    CHECK(r["sourceTransportPort"] == "50000");
    CHECK(r["ingressInterface"] == "2");
    CHECK(r["protocolIdentifier"] == "6");
    CHECK(r["postIpClassOfService"] == "40");
    CHECK(r["extraPackets"] == "5");
    CHECK(r["routerShortcut"] == "192.0.2.1");
    REQUIRE(r.start_ns);
    CHECK(*r.start_ns == 1700000000LL * 1'000'000'000 - 60'000'000'000);
}

TEST_CASE("an aggregation scheme nfpcap does not know is export traffic, counted as unknown_version") {
    Msg m = Msg::v8(15);
    m.rec().pad(32).rec().pad(32);
    const auto bytes = m.bytes();
    CHECK(netflow::looks_like_export(bytes));
    netflow::DecoderState state;
    test::CollectingSink sink;
    CHECK(test::decode(bytes, state, sink).fatal == Reason::unknown_version);
    CHECK(sink.records.empty());
    CHECK(netflow::v8_template(0) == nullptr);
    CHECK(netflow::v8_template(15) == nullptr);
}

TEST_CASE("records announced but missing are counted; the ones present decode") {
    Msg m = Msg::v8(1);
    v8_head(m).u16(1).u16(2).u16(3).u16(4);
    m.count(2);  // says 2, holds 1
    netflow::DecoderState state;
    test::CollectingSink sink;
    const auto tally = test::decode(m.bytes(), state, sink);
    CHECK_FALSE(tally.fatal);
    CHECK(tally.data_records == 1);
    CHECK(sink.count(Reason::length_mismatch) == 1);
}

}  // TEST_SUITE("netflow.v8")
