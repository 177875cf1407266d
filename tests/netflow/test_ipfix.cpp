// SPDX-License-Identifier: MIT
// IPFIX (RFC 7011) decoding: templates, data, options, varlen, enterprise, padding, damage.
#include <doctest/doctest.h>

#include "../support/collecting_sink.hpp"
#include "../support/message_builder.hpp"
#include "nfpcap/netflow/lists.hpp"

using namespace nfpcap;
using netflow::Reason;
using test::Msg;

TEST_SUITE("netflow.ipfix") {

TEST_CASE("template then data in one message") {
    netflow::DecoderState state;
    test::CollectingSink sink;
    auto msg = Msg::ipfix(7)
                   .templates()
                   .tmpl(256, {{8, 4}, {12, 4}, {7, 2}, {11, 2}, {4, 1}, {2, 8}, {1, 8}})
                   .data(256)
                   .ip4("10.0.0.1")
                   .ip4("192.168.1.2")
                   .u16(40000)
                   .u16(443)
                   .u8(6)
                   .u64(12)
                   .u64(3400)
                   .ip4("10.0.0.3")
                   .ip4("192.168.1.4")
                   .u16(53)
                   .u16(5353)
                   .u8(17)
                   .u64(1)
                   .u64(80)
                   .bytes();
    auto tally = test::decode(msg, state, sink);
    CHECK_FALSE(tally.fatal);
    CHECK(tally.templates == 1);
    CHECK(tally.data_records == 2);
    REQUIRE(sink.records.size() == 2);
    CHECK(sink.records[0].uint("sourceIPv4Address") == 0x0a000001U);
    CHECK(sink.records[0].uint("destinationIPv4Address") == 0xc0a80102U);
    CHECK(sink.records[0].uint("sourceTransportPort") == 40000U);
    CHECK(sink.records[0].uint("destinationTransportPort") == 443U);
    CHECK(sink.records[0].uint("protocolIdentifier") == 6U);
    CHECK(sink.records[0].uint("packetDeltaCount") == 12U);
    CHECK(sink.records[0].uint("octetDeltaCount") == 3400U);
    CHECK(sink.records[1].uint("sourceIPv4Address") == 0x0a000003U);
    CHECK(sink.records[1].uint("destinationTransportPort") == 5353U);
    CHECK(sink.records[1].uint("octetDeltaCount") == 80U);
    CHECK(sink.records[0]["sourceIPv4Address"] == "10.0.0.1");
    CHECK(sink.records[0]["destinationIPv4Address"] == "192.168.1.2");
    CHECK(sink.records[0]["sourceTransportPort"] == "40000");
    CHECK(sink.records[0]["destinationTransportPort"] == "443");
    CHECK(sink.records[0]["protocolIdentifier"] == "6");
    CHECK(sink.records[0]["packetDeltaCount"] == "12");
    CHECK(sink.records[0]["octetDeltaCount"] == "3400");
    CHECK(sink.records[1]["sourceTransportPort"] == "53");
    CHECK(sink.issues.empty());
}

TEST_CASE("data before its template is counted, not decoded; later data decodes") {
    netflow::DecoderState state;
    test::CollectingSink sink;
    auto data_only = Msg::ipfix().data(300).ip4("1.2.3.4").bytes();
    auto tally = test::decode(data_only, state, sink);
    CHECK(tally.missing_template_sets == 1);
    CHECK(sink.count(Reason::missing_template) == 1);
    CHECK(sink.records.empty());

    test::decode(Msg::ipfix().templates().tmpl(300, {{8, 4}}).bytes(), state, sink);
    test::decode(data_only, state, sink);
    REQUIRE(sink.records.size() == 1);
    CHECK(sink.records[0]["sourceIPv4Address"] == "1.2.3.4");
}

TEST_CASE("reduced-size encoding of unsigned and signed integers") {
    netflow::DecoderState state;
    test::CollectingSink sink;
    // octetDeltaCount (unsigned64) in 1, 2, 3, 5, 7 bytes; a signed element in 2 bytes.
    auto msg = Msg::ipfix()
                   .templates()
                   .tmpl(256, {{1, 1}, {1, 2}, {1, 3}, {1, 5}, {1, 7}, {434, 2}})
                   .data(256)
                   .u8(200)
                   .u16(65535)
                   .raw({1, 0, 0})
                   .raw({0, 0, 0, 1, 0})
                   .raw({1, 0, 0, 0, 0, 0, 0})
                   .u16(0xfffe)
                   .bytes();
    test::decode(msg, state, sink);
    REQUIRE(sink.records.size() == 1);
    auto values = sink.records[0].all("octetDeltaCount");
    REQUIRE(values.size() == 5);
    CHECK(values[0] == "200");
    CHECK(values[1] == "65535");
    CHECK(values[2] == "65536");
    CHECK(values[3] == "256");
    CHECK(values[4] == "281474976710656");
    CHECK(sink.records[0]["mibObjectValueInteger"] == "-2");
    CHECK(sink.issues.empty());
}

TEST_CASE("a repeated element keeps every value in order, one JSON array") {
    netflow::DecoderState state;
    test::CollectingSink sink;
    auto msg = Msg::ipfix()
                   .templates()
                   .tmpl(256, {{8, 4}, {8, 4}, {7, 2}})
                   .data(256)
                   .ip4("1.1.1.1")
                   .ip4("2.2.2.2")
                   .u16(9)
                   .bytes();
    test::decode(msg, state, sink);
    REQUIRE(sink.records.size() == 1);
    auto v = sink.records[0].all("sourceIPv4Address");
    REQUIRE(v.size() == 2);
    CHECK(v[0] == "1.1.1.1");
    CHECK(v[1] == "2.2.2.2");
    CHECK(sink.records[0].json == R"("sourceIPv4Address":["1.1.1.1","2.2.2.2"],"sourceTransportPort":9)");
}

TEST_CASE("variable-length fields: short and long length prefixes") {
    netflow::DecoderState state;
    test::CollectingSink sink;
    const std::string long_name(300, 'x');
    auto msg = Msg::ipfix()
                   .templates()
                   .tmpl(256, {{82, 65535}, {7, 2}})  // interfaceName (string), varlen
                   .data(256)
                   .varlen("eth0")
                   .u16(1)
                   .varlen(long_name)
                   .u16(2)
                   .varlen("")
                   .u16(3)
                   .bytes();
    test::decode(msg, state, sink);
    REQUIRE(sink.records.size() == 3);
    // The values without their length prefixes.
    CHECK(sink.records[0].raw("interfaceName")->size() == 4);
    CHECK(sink.records[1].raw("interfaceName")->size() == 300);
    CHECK(sink.records[2].raw("interfaceName")->empty());
    CHECK(sink.records[0].uint("sourceTransportPort") == 1U);
    CHECK(sink.records[1].uint("sourceTransportPort") == 2U);
    CHECK(sink.records[2].uint("sourceTransportPort") == 3U);
    CHECK(sink.records[0]["interfaceName"] == "\"eth0\"");
    CHECK(sink.records[0]["sourceTransportPort"] == "1");
    CHECK(sink.records[1]["interfaceName"] == "\"" + long_name + "\"");
    CHECK(sink.records[1]["sourceTransportPort"] == "2");
    CHECK(sink.records[2]["interfaceName"] == "\"\"");
    CHECK(sink.issues.empty());
}

TEST_CASE("a variable-length field running past the set is record_invalid; earlier records stay") {
    netflow::DecoderState state;
    test::CollectingSink sink;
    auto msg = Msg::ipfix().templates().tmpl(256, {{82, 65535}}).data(256).varlen("ok").u8(50).text("short").bytes();
    auto tally = test::decode(msg, state, sink);
    CHECK(sink.records.size() == 1);
    CHECK(sink.count(Reason::record_invalid) == 1);
    CHECK(tally.first_loss == Reason::record_invalid);
}

TEST_CASE("enterprise elements: known ones named by scope, unknown ones as PEN.ID hex, never IANA") {
    netflow::DecoderState state;
    test::CollectingSink sink;
    // CERT (6871) element 14 vs IANA element 14 (egressInterface); an unknown PEN.
    auto msg = Msg::ipfix()
                   .templates()
                   .tmpl(256, {{14, 4}, {14, 1, 6871}, {1, 2, 99999}})
                   .data(256)
                   .u32(5)
                   .u8(1)
                   .raw({0xab, 0xcd})
                   .bytes();
    test::decode(msg, state, sink);
    REQUIRE(sink.records.size() == 1);
    const auto& r = sink.records[0];
    CHECK(r.uint("egressInterface") == 5U);
    CHECK(r.uint("99999.1") == 0xabcdU);
    CHECK(r["egressInterface"] == "5");
    CHECK(r["99999.1"] == "abcd");
    bool has_cert = false;
    for (const auto& [name, value] : r.fields) has_cert = has_cert || name.rfind("cert:", 0) == 0;
    CHECK(has_cert);
}

TEST_CASE("RFC 5103 reverse elements take the forward element's type and a reverse name") {
    netflow::DecoderState state;
    test::CollectingSink sink;
    auto msg = Msg::ipfix()
                   .templates()
                   .tmpl(256, {{2, 8}, {2, 8, 29305}, {8, 4, 29305}})
                   .data(256)
                   .u64(10)
                   .u64(7)
                   .ip4("9.9.9.9")
                   .bytes();
    test::decode(msg, state, sink);
    REQUIRE(sink.records.size() == 1);
    CHECK(sink.records[0].uint("packetDeltaCount") == 10U);
    CHECK(sink.records[0].uint("reversePacketDeltaCount") == 7U);
    CHECK(sink.records[0].uint("reverseSourceIPv4Address") == 0x09090909U);
    CHECK(sink.records[0]["packetDeltaCount"] == "10");
    CHECK(sink.records[0]["reversePacketDeltaCount"] == "7");
    CHECK(sink.records[0]["reverseSourceIPv4Address"] == "9.9.9.9");
}

TEST_CASE("padding after the last record is not an error") {
    netflow::DecoderState state;
    test::CollectingSink sink;
    auto msg = Msg::ipfix()
                   .templates()
                   .tmpl(256, {{8, 4}, {4, 1}})
                   .pad(3)
                   .data(256)
                   .ip4("1.2.3.4")
                   .u8(6)
                   .ip4("5.6.7.8")
                   .u8(17)
                   .pad(3)
                   .bytes();
    auto tally = test::decode(msg, state, sink);
    CHECK(sink.records.size() == 2);
    CHECK(tally.templates == 1);
    CHECK(sink.issues.empty());
}

TEST_CASE("a field whose length does not fit its type is kept as hex and counted once per template") {
    netflow::DecoderState state;
    test::CollectingSink sink;
    auto msg = Msg::ipfix()
                   .templates()
                   .tmpl(256, {{8, 6}, {7, 2}})  // sourceIPv4Address in 6 bytes
                   .data(256)
                   .raw({1, 2, 3, 4, 5, 6})
                   .u16(80)
                   .raw({1, 2, 3, 4, 5, 6})
                   .u16(81)
                   .bytes();
    test::decode(msg, state, sink);
    REQUIRE(sink.records.size() == 2);
    CHECK(sink.records[0].raw("sourceIPv4Address")->size() == 6);  // all six bytes kept
    CHECK(sink.records[0].uint("sourceIPv4Address") == 0x010203040506U);
    CHECK(sink.records[0]["sourceIPv4Address"] == "010203040506");
    CHECK(sink.records[1]["sourceTransportPort"] == "81");
    CHECK(sink.count(Reason::field_length_mismatch) == 1);
}

TEST_CASE("options template and options records are decoded and marked") {
    netflow::DecoderState state;
    test::CollectingSink sink;
    auto msg = Msg::ipfix(1)
                   .options_templates()
                   .options_tmpl(257, {{149, 4}}, {{160, 8}, {41, 8}})
                   .data(257)
                   .u32(1)
                   .u64(1700000000000ULL)
                   .u64(999)
                   .bytes();
    auto tally = test::decode(msg, state, sink);
    CHECK(tally.options_templates == 1);
    CHECK(tally.options_records == 1);
    CHECK(tally.data_records == 0);
    REQUIRE(sink.records.size() == 1);
    CHECK(sink.records[0].options);
    CHECK(sink.records[0]["observationDomainId"] == "1");
    CHECK(sink.records[0]["exportedMessageTotalCount"] == "999");
    REQUIRE(state.system_init_ms);
    CHECK(*state.system_init_ms == 1700000000000LL);
}

TEST_CASE("flowStartSysUpTime in IPFIX uses systemInitTimeMilliseconds from options") {
    netflow::DecoderState state;
    test::CollectingSink sink;
    test::decode(Msg::ipfix()
                     .options_templates()
                     .options_tmpl(257, {{149, 4}}, {{160, 8}})
                     .data(257)
                     .u32(0)
                     .u64(1700000000000ULL)
                     .bytes(),
                 state, sink);
    test::decode(Msg::ipfix().templates().tmpl(256, {{22, 4}, {21, 4}}).data(256).u32(1000).u32(2500).bytes(), state,
                 sink);
    REQUIRE(sink.records.size() == 2);
    REQUIRE(sink.records[1].start_ns);
    CHECK(*sink.records[1].start_ns == 1700000001000LL * 1000000);
    CHECK(*sink.records[1].end_ns == 1700000002500LL * 1000000);
}

TEST_CASE("absolute time fields: milliseconds, seconds, NTP micro/nanoseconds, duration") {
    netflow::DecoderState state;
    test::CollectingSink sink;
    SUBCASE("milliseconds") {
        test::decode(Msg::ipfix()
                         .templates()
                         .tmpl(256, {{152, 8}, {153, 8}})
                         .data(256)
                         .u64(1700000000123ULL)
                         .u64(1700000001456ULL)
                         .bytes(),
                     state, sink);
        REQUIRE(sink.records.size() == 1);
        CHECK(*sink.records[0].start_ns == 1700000000123LL * 1000000);
        CHECK(*sink.records[0].end_ns == 1700000001456LL * 1000000);
        CHECK(sink.records[0]["flowStartMilliseconds"] == "2023-11-14T22:13:20.123Z");
    }
    SUBCASE("seconds and duration") {
        test::decode(
            Msg::ipfix().templates().tmpl(256, {{150, 4}, {161, 4}}).data(256).u32(1700000000).u32(1500).bytes(), state,
            sink);
        REQUIRE(sink.records.size() == 1);
        CHECK(*sink.records[0].start_ns == 1700000000LL * 1000000000);
        CHECK(*sink.records[0].end_ns == 1700000001500LL * 1000000);
    }
    SUBCASE("NTP nanoseconds") {
        // 2208988800 s between 1900 and 1970; fraction 0x80000000 = half a second.
        const std::uint64_t ntp = ((2208988800ULL + 1700000000ULL) << 32U) | 0x80000000ULL;
        test::decode(Msg::ipfix().templates().tmpl(256, {{156, 8}}).data(256).u64(ntp).bytes(), state, sink);
        REQUIRE(sink.records.size() == 1);
        CHECK(*sink.records[0].start_ns == 1700000000500000000LL);
    }
    SUBCASE("delta microseconds before export time") {
        test::decode(Msg::ipfix(0, 1700000000).templates().tmpl(256, {{158, 4}}).data(256).u32(2000000).bytes(), state,
                     sink);
        REQUIRE(sink.records.size() == 1);
        CHECK(*sink.records[0].start_ns == 1699999998LL * 1000000000);
    }
}

TEST_CASE("redefinition replaces the template from that message on; identical resends only refresh") {
    netflow::DecoderState state;
    test::CollectingSink sink;
    test::decode(Msg::ipfix().templates().tmpl(256, {{8, 4}}).bytes(), state, sink);
    test::decode(Msg::ipfix().templates().tmpl(256, {{8, 4}}).bytes(), state, sink);
    test::decode(Msg::ipfix().data(256).ip4("1.1.1.1").bytes(), state, sink);
    test::decode(Msg::ipfix().templates().tmpl(256, {{7, 2}}).data(256).u16(8080).bytes(), state, sink);
    REQUIRE(sink.templates.size() == 3);
    CHECK(sink.templates[0].change == netflow::TemplateChange::added);
    CHECK(sink.templates[1].change == netflow::TemplateChange::refreshed);
    CHECK(sink.templates[2].change == netflow::TemplateChange::redefined);
    REQUIRE(sink.records.size() == 2);
    CHECK(sink.records[0]["sourceIPv4Address"] == "1.1.1.1");
    CHECK(sink.records[1]["sourceTransportPort"] == "8080");
}

TEST_CASE("template withdrawal, and withdraw-all, over a reliable transport") {
    netflow::DecoderState state;
    state.honour_withdrawals = true;
    test::CollectingSink sink;
    test::decode(Msg::ipfix().templates().tmpl(256, {{8, 4}}).tmpl(257, {{7, 2}}).bytes(), state, sink);
    CHECK(state.templates.size() == 2);
    auto tally = test::decode(Msg::ipfix().templates().u16(256).u16(0).bytes(), state, sink);
    CHECK(tally.withdrawals == 1);
    CHECK(tally.withdrawals_ignored == 0);
    CHECK(state.find(256) == nullptr);
    CHECK(state.find(257) != nullptr);
    test::decode(Msg::ipfix().templates().u16(2).u16(0).bytes(), state, sink);
    CHECK(state.templates.empty());
}

TEST_CASE("RFC 7011 8.4: over UDP (the default) a withdrawal is counted and ignored") {
    netflow::DecoderState state;
    test::CollectingSink sink;
    test::decode(Msg::ipfix().templates().tmpl(256, {{8, 4}}).bytes(), state, sink);
    auto tally = test::decode(Msg::ipfix().templates().u16(256).u16(0).bytes(), state, sink);
    CHECK(tally.withdrawals == 1);
    CHECK(tally.withdrawals_ignored == 1);
    REQUIRE(state.find(256) != nullptr);
    REQUIRE(sink.templates.size() == 2);
    CHECK(sink.templates[1].change == netflow::TemplateChange::withdrawal_ignored);
    test::decode(Msg::ipfix().data(256).ip4("1.2.3.4").bytes(), state, sink);
    CHECK(sink.records.size() == 1);
}

TEST_CASE("a kept set decodes with its template later: marked late, offsets in its own message") {
    // What the session does with a set whose template it does not have: keep it, then
    // decode_kept_set once the template is known.
    class Keeping final : public netflow::DecodeSink {
    public:
        netflow::UnknownSetAction on_unknown_set(const netflow::MessageContext&, const netflow::ExportHeader& h,
                                                 const netflow::UnknownSet& set) override {
            header = h;
            id = set.set_id;
            offset = set.offset;
            bytes.assign(set.body.begin(), set.body.end());
            return netflow::UnknownSetAction::kept;
        }
        netflow::ExportHeader header;
        std::uint16_t id = 0;
        std::uint32_t offset = 0;
        std::vector<std::byte> bytes;
    };
    netflow::DecoderState state;
    Keeping keep;
    auto data = Msg::ipfix(1).data(300).u16(443).u16(80).u16(99).bytes();  // 2 records and a byte left over
    netflow::MessageContext ctx;
    ctx.frame = 7;
    auto tally = netflow::decode_message(data, ctx, state, keep);
    CHECK(tally.deferred_sets == 1);
    CHECK(tally.missing_template_sets == 0);
    CHECK_FALSE(tally.first_loss);
    CHECK(keep.offset == 16);
    test::CollectingSink sink;
    test::decode(Msg::ipfix(1).templates().tmpl(300, {{7, 2}, {11, 2}}).bytes(), state, sink, 9);
    tally =
        netflow::decode_kept_set({keep.id, keep.offset, keep.bytes}, *state.find(300), ctx, keep.header, state, sink);
    REQUIRE(sink.records.size() == 1);
    CHECK(sink.records[0].late);
    CHECK(sink.records[0].frame == 7);
    CHECK(sink.records[0].template_frame == 9);
    CHECK(sink.records[0]["destinationTransportPort"] == "80");
    CHECK(sink.issues.empty());  // what is left after a record is padding
    CHECK(tally.data_records == 1);
}

TEST_CASE("a datagram cut by the capture: whole sets decode, the cut is capture_truncated") {
    auto full =
        Msg::ipfix(1).templates().tmpl(256, {{8, 4}}).data(256).ip4("10.0.0.1").data(256).ip4("10.0.0.2").bytes();
    netflow::DecoderState state;
    test::CollectingSink sink;
    netflow::MessageContext ctx;
    ctx.cut_from = static_cast<std::uint32_t>(full.size());
    const std::vector<std::byte> cut(full.begin(), full.end() - 2);
    CHECK(netflow::looks_like_export(cut, ctx.cut_from));
    CHECK_FALSE(netflow::looks_like_export(cut));
    CHECK_FALSE(netflow::looks_like_export(cut, ctx.cut_from + 1));  // the header says otherwise
    auto tally = netflow::decode_message(cut, ctx, state, sink);
    CHECK_FALSE(tally.fatal);
    CHECK(tally.first_loss == Reason::capture_truncated);
    CHECK(sink.records.size() == 1);
    CHECK(sink.count(Reason::capture_truncated) == 1);
    CHECK(sink.count(Reason::set_truncated) == 0);
    // Uncut, the same bytes are a set running past the message.
    sink = {};
    ctx.cut_from = 0;
    auto bad = cut;
    bad[3] = static_cast<std::byte>(cut.size());
    tally = netflow::decode_message(bad, ctx, state, sink);
    CHECK(sink.count(Reason::set_truncated) == 1);
}

TEST_CASE("damage: bad set length, truncated set, reserved set ID, bad header length") {
    netflow::DecoderState state;
    test::CollectingSink sink;
    auto good = Msg::ipfix().templates().tmpl(256, {{8, 4}}).bytes();
    SUBCASE("set length below 4") {
        auto bad = good;
        bad[18] = std::byte{0};
        bad[19] = std::byte{2};
        auto tally = test::decode(bad, state, sink);
        CHECK(tally.first_loss == Reason::set_length_invalid);
    }
    SUBCASE("set longer than the message") {
        auto bad = good;
        bad[19] = std::byte{200};
        auto tally = test::decode(bad, state, sink);
        CHECK(tally.first_loss == Reason::set_truncated);
    }
    SUBCASE("reserved set ID is skipped, the next set decodes") {
        auto msg = Msg::ipfix().set(5).u32(0).templates().tmpl(256, {{8, 4}}).bytes();
        auto tally = test::decode(msg, state, sink);
        CHECK(sink.count(Reason::reserved_set_id) == 1);
        CHECK(tally.templates == 1);
    }
    SUBCASE("header length larger than the datagram") {
        auto bad = good;
        bad[3] = std::byte{static_cast<std::uint8_t>(good.size() + 10)};
        auto tally = test::decode(bad, state, sink);
        CHECK(tally.fatal == Reason::length_mismatch);
    }
    SUBCASE("options template with scope count 0") {
        auto msg = Msg::ipfix().options_templates().u16(300).u16(1).u16(0).u16(8).u16(4).bytes();
        auto tally = test::decode(msg, state, sink);
        CHECK(tally.first_loss == Reason::template_invalid);
        CHECK(state.find(300) == nullptr);
    }
    SUBCASE("template record cut short") {
        auto msg = Msg::ipfix().templates().u16(300).u16(3).u16(8).u16(4).bytes();
        auto tally = test::decode(msg, state, sink);
        CHECK(tally.first_loss == Reason::template_invalid);
    }
    SUBCASE("template whose records would be zero bytes is rejected") {
        auto msg = Msg::ipfix().templates().tmpl(300, {{210, 0}}).data(300).pad(4).bytes();
        auto tally = test::decode(msg, state, sink);
        CHECK(sink.count(Reason::template_invalid) == 1);
        CHECK(tally.data_records == 0);
    }
}

TEST_CASE("every prefix of a valid message decodes without reading past it") {
    auto msg = Msg::ipfix()
                   .templates()
                   .tmpl(256, {{8, 4}, {82, 65535}, {7, 2}})
                   .data(256)
                   .ip4("1.2.3.4")
                   .varlen("eth0")
                   .u16(1)
                   .bytes();
    for (std::size_t n = 0; n <= msg.size(); ++n) {
        CAPTURE(n);
        netflow::DecoderState state;
        test::CollectingSink sink;
        // A heap copy of exactly n bytes lets AddressSanitizer catch any overread.
        std::vector<std::byte> cut(msg.begin(), msg.begin() + static_cast<std::ptrdiff_t>(n));
        auto tally = test::decode(cut, state, sink);
        if (n < msg.size()) CHECK((tally.fatal || tally.first_loss || sink.records.empty()));
    }
}

}  // TEST_SUITE("netflow.ipfix")

TEST_SUITE("netflow.lists") {

TEST_CASE("RFC 6313 basicList and subTemplateList print as arrays, through the session's templates") {
    netflow::DecoderState state;
    test::CollectingSink sink;
    auto msg = Msg::ipfix()
                   .templates()
                   .tmpl(257, {{8, 4}, {7, 2}})
                   .tmpl(256, {{291, 65535}, {292, 65535}})
                   .data(256)
                   // basicList: semantic allOf(3), element interfaceName (82), variable length
                   .u8(1 + 2 + 2 + 5 + 5)
                   .u8(3)
                   .u16(82)
                   .u16(65535)
                   .varlen("eth0")
                   .varlen("eth1")
                   // subTemplateList: semantic, template 257, two records
                   .u8(1 + 2 + 12)
                   .u8(3)
                   .u16(257)
                   .ip4("10.0.0.1")
                   .u16(80)
                   .ip4("10.0.0.2")
                   .u16(443)
                   .bytes();
    test::decode(msg, state, sink);
    REQUIRE(sink.records.size() == 1);
    CHECK(sink.records[0].json ==
          R"("basicList":["eth0","eth1"],"subTemplateList":[{"sourceIPv4Address":"10.0.0.1","sourceTransportPort":80},)"
          R"({"sourceIPv4Address":"10.0.0.2","sourceTransportPort":443}])");
    CHECK(sink.issues.empty());
}

TEST_CASE("a basicList cut inside its header (enterprise bit, PEN missing) prints as hex") {
    netflow::DecoderState state;
    test::CollectingSink sink;
    test::decode(
        Msg::ipfix().templates().tmpl(256, {{291, 65535}}).data(256).u8(7).u8(3).u16(0x8052).u16(4).u16(0).bytes(),
        state, sink);
    REQUIRE(sink.records.size() == 1);
    CHECK(sink.records[0]["basicList"] == "03805200040000");
}

}  // TEST_SUITE("netflow.lists")

TEST_SUITE("netflow.lists") {

TEST_CASE("lists nested deeper than the limit are counted as list_too_deep, and only then") {
    // Template 256 holds one subTemplateList of template 256: every level is one record deeper.
    auto nested = [](int levels) {
        std::string value = std::string("\x03\x01\x00", 3);  // innermost: an empty list
        for (int i = 1; i < levels; ++i) {
            std::string record(1, static_cast<char>(value.size()));  // varlen prefix (< 255)
            record += value;
            value = std::string("\x03\x01\x00", 3) + record;
        }
        return value;
    };
    for (int levels : {netflow::kMaxListDepth + 1, netflow::kMaxListDepth + 2}) {
        CAPTURE(levels);
        netflow::DecoderState state;
        test::CollectingSink sink;
        test::decode(Msg::ipfix().templates().tmpl(256, {{292, 65535}}).data(256).varlen(nested(levels)).bytes(), state,
                     sink);
        REQUIRE(sink.records.size() == 1);
        CHECK(sink.count(Reason::list_too_deep) == (levels > netflow::kMaxListDepth + 1 ? 1 : 0));
    }
}

}  // TEST_SUITE("netflow.lists")
