// SPDX-License-Identifier: MIT
// NetFlow v9 (RFC 3954) decoding: flowsets, options with scopes, uptime-relative times, padding.
#include <doctest/doctest.h>

#include "../support/collecting_sink.hpp"
#include "../support/message_builder.hpp"

using namespace nfpcap;
using netflow::Reason;
using test::Msg;

TEST_SUITE("netflow.v9") {

TEST_CASE("template and data; times from sysUptime and unix_secs") {
    netflow::DecoderState state;
    test::CollectingSink sink;
    // Exported at 1700000000 s with uptime 100000 ms; flow from uptime 40000 to 99000.
    auto msg = Msg::v9(5, 100000, 1700000000)
                   .templates()
                   .tmpl(260, {{8, 4}, {12, 4}, {4, 1}, {22, 4}, {21, 4}, {2, 4}, {1, 4}})
                   .pad(0)
                   .data(260)
                   .rec()
                   .ip4("172.16.0.1")
                   .ip4("172.16.0.2")
                   .u8(1)
                   .u32(40000)
                   .u32(99000)
                   .u32(3)
                   .u32(252)
                   .pad(3)
                   .bytes();
    auto tally = test::decode(msg, state, sink);
    CHECK_FALSE(tally.fatal);
    REQUIRE(sink.records.size() == 1);
    const auto& r = sink.records[0];
    CHECK(r.uint("sourceIPv4Address") == 0xac100001U);
    CHECK(r.uint("destinationIPv4Address") == 0xac100002U);
    CHECK(r.uint("protocolIdentifier") == 1U);
    CHECK(r.uint("flowStartSysUpTime") == 40000U);
    CHECK(r.uint("flowEndSysUpTime") == 99000U);
    CHECK(r["sourceIPv4Address"] == "172.16.0.1");
    CHECK(r["protocolIdentifier"] == "1");
    CHECK(r["flowStartSysUpTime"] == "40000");
    REQUIRE(r.start_ns);
    CHECK(*r.start_ns == (1700000000LL - 60) * 1000000000);
    CHECK(*r.end_ns == (1700000000LL - 1) * 1000000000);
    CHECK(sink.issues.empty());
}

TEST_CASE("uptime wrap: a flow that started before the 32-bit uptime wrapped") {
    netflow::DecoderState state;
    test::CollectingSink sink;
    // Uptime now 1000 ms (just wrapped); flow started at 0xFFFFFC18 = 1000 ms before the wrap.
    auto msg = Msg::v9(0, 1000, 1700000000)
                   .templates()
                   .tmpl(256, {{22, 4}, {21, 4}})
                   .data(256)
                   .rec()
                   .u32(0xFFFFFC18U)
                   .u32(500)
                   .bytes();
    test::decode(msg, state, sink);
    REQUIRE(sink.records.size() == 1);
    CHECK(*sink.records[0].start_ns == 1700000000LL * 1000000000 - 2000LL * 1000000);
    CHECK(*sink.records[0].end_ns == 1700000000LL * 1000000000 - 500LL * 1000000);
}

TEST_CASE("v9-only field types are named from the NetFlow registry; >= 32768 too") {
    netflow::DecoderState state;
    test::CollectingSink sink;
    auto msg = Msg::v9()
                   .templates()
                   .tmpl(256, {{8, 4}, {148, 4}, {33002, 2}})  // flowId, fwExtEvent(ASA)
                   .data(256)
                   .rec()
                   .ip4("1.1.1.1")
                   .u32(77)
                   .u16(2030)
                   .bytes();
    test::decode(msg, state, sink);
    REQUIRE(sink.records.size() == 1);
    CHECK(sink.records[0].uint("flowId") == 77U);
    CHECK(sink.records[0].uint("firewallEventExtended") == 2030U);
    CHECK(sink.records[0]["flowId"] == "77");
    // 33002 - 32768 = 234 in the NetFlow extra scope.
    CHECK(sink.records[0].fields[2].first == "firewallEventExtended");
    CHECK(sink.records[0].fields[2].second == "2030");
}

TEST_CASE("unknown v9 field type keeps its bytes under v9.TYPE") {
    netflow::DecoderState state;
    test::CollectingSink sink;
    test::decode(Msg::v9().templates().tmpl(256, {{32767, 2}}).data(256).rec().u16(0xbeef).bytes(), state, sink);
    REQUIRE(sink.records.size() == 1);
    CHECK(sink.records[0].uint("v9.32767") == 0xbeefU);
    CHECK(sink.records[0]["v9.32767"] == "beef");
}

TEST_CASE("options template with system and interface scope; options records kept apart") {
    netflow::DecoderState state;
    test::CollectingSink sink;
    auto msg = Msg::v9(1)
                   .options_templates()
                   .options_tmpl(300, {{1, 4}, {2, 4}}, {{34, 4}, {35, 1}})
                   .pad(2)
                   .data(300)
                   .rec()
                   .ip4("10.1.1.1")
                   .u32(3)
                   .u32(100)
                   .u8(2)
                   .pad(3)
                   .bytes();
    auto tally = test::decode(msg, state, sink);
    CHECK(tally.options_templates == 1);
    CHECK(tally.options_records == 1);
    REQUIRE(sink.records.size() == 1);
    CHECK(sink.records[0].options);
    CHECK(sink.records[0].uint("scopeSystem") == 0x0a010101U);
    CHECK(sink.records[0].uint("scopeInterface") == 3U);
    CHECK(sink.records[0].uint("samplingInterval") == 100U);
    CHECK(sink.records[0].uint("samplingAlgorithm") == 2U);
    CHECK(sink.records[0]["scopeSystem"] == "0a010101");
    CHECK(sink.records[0]["scopeInterface"] == "3");
    CHECK(sink.records[0]["samplingInterval"] == "100");
    CHECK(sink.issues.empty());
}

TEST_CASE("variable-length fields in v9") {
    netflow::DecoderState state;
    test::CollectingSink sink;
    test::decode(Msg::v9().templates().tmpl(256, {{82, 65535}}).data(256).rec().varlen("Gi0/1").bytes(), state, sink);
    REQUIRE(sink.records.size() == 1);
    CHECK(sink.records[0].raw("interfaceName")->size() == 5);
    CHECK(sink.records[0]["interfaceName"] == "\"Gi0/1\"");
}

TEST_CASE("a v9 scope type and a field type of the same number are different elements") {
    // Scope 1 (System) and field type 1 (IN_BYTES): each printed once, under its own name.
    netflow::DecoderState state;
    test::CollectingSink sink;
    auto msg = Msg::v9(1)
                   .options_templates()
                   .options_tmpl(300, {{1, 4}}, {{1, 8}})
                   .pad(2)
                   .data(300)
                   .rec()
                   .ip4("10.1.1.1")
                   .u64(4096)
                   .bytes();
    test::decode(msg, state, sink);
    REQUIRE(sink.records.size() == 1);
    CHECK(sink.records[0].uint("scopeSystem") == 0x0a010101U);
    CHECK(sink.records[0].uint("octetDeltaCount") == 4096U);
    CHECK(sink.records[0].json == R"("scopeSystem":"0a010101","octetDeltaCount":4096)");
}

TEST_CASE("header record count that disagrees is an anomaly, not a loss") {
    netflow::DecoderState state;
    test::CollectingSink sink;
    auto tally = test::decode(Msg::v9().templates().tmpl(256, {{8, 4}}).count(5).bytes(), state, sink);
    CHECK(sink.count(Reason::count_mismatch) == 1);
    CHECK_FALSE(tally.first_loss);
}

TEST_CASE("flowset ID 2..255 is reserved; template ID below 256 is invalid") {
    netflow::DecoderState state;
    test::CollectingSink sink;
    test::decode(Msg::v9().set(7).u32(0).templates().tmpl(12, {{8, 4}}).bytes(), state, sink);
    CHECK(sink.count(Reason::reserved_set_id) == 1);
    CHECK(sink.count(Reason::template_invalid) == 1);
    CHECK(state.templates.empty());
}

TEST_CASE("short v9 header is fatal") {
    netflow::DecoderState state;
    test::CollectingSink sink;
    auto msg = Msg::v9().bytes();
    msg.resize(12);
    CHECK(test::decode(msg, state, sink).fatal == Reason::header_truncated);
}

}  // TEST_SUITE("netflow.v9")
