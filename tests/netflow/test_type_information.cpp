// SPDX-License-Identifier: MIT
// RFC 5610 type information: options records describing enterprise elements teach the session,
// whose templates then name and type those fields; bad descriptions are counted.
#include <doctest/doctest.h>

#include "../support/collecting_sink.hpp"
#include "../support/message_builder.hpp"

using namespace nfpcap;
using netflow::Reason;
using test::Msg;

namespace {

constexpr std::uint32_t kPen = 12345;  // an enterprise without a scope of its own in data/ie

// RFC 5610 §3.9: the type information options template (scope: PEN, element ID) and one record
// describing (kPen, id) as `name` of data type `type` (RFC 5610 code: 3 unsigned32, 13 string).
Msg& describe(Msg& m, std::uint16_t id, const std::string& name, std::uint8_t type, std::uint16_t template_id = 400) {
    return m.options_templates()
        .options_tmpl(template_id, {{346, 4}, {303, 2}}, {{339, 1}, {344, 1}, {345, 2}, {341, 65535}})
        .data(template_id)
        .u32(kPen)
        .u16(id)
        .u8(type)
        .u8(2)   // semantics: totalCounter
        .u16(3)  // units: packets
        .varlen(name);
}

// A data template 256 with one field (kPen, 1) of 4 bytes, and a record holding 77.
Msg& flow(Msg& m) { return m.templates().tmpl(256, {{1, 4, kPen}}).data(256).u32(77); }

}  // namespace

TEST_SUITE("netflow.rfc5610") {

TEST_CASE("a described element is named and typed in the session's templates") {
    netflow::DecoderState state;
    test::CollectingSink sink;
    Msg m = Msg::ipfix();
    describe(m, 1, "myCounter", 3);
    flow(m);
    const auto tally = test::decode(m.bytes(), state, sink);
    CHECK_FALSE(tally.fatal);
    CHECK(sink.issues.empty());
    REQUIRE(sink.records.size() == 2);  // the description, then the flow
    CHECK(sink.records[1]["12345:myCounter"] == "77");
    REQUIRE(state.definitions);
    CHECK(state.definitions->size() == 1);
    const netflow::Template* t = state.find(256);
    REQUIRE(t != nullptr);
    REQUIRE(t->fields[0].element != nullptr);
    CHECK(t->fields[0].element->type == ie::DataType::unsigned32);
    CHECK(t->fields[0].element->semantics == ie::Semantics::totalCounter);
    CHECK(t->fields[0].element->units == "packets");
}

TEST_CASE("a template sent before the description learns it too; records before keep their meaning") {
    netflow::DecoderState state;
    test::CollectingSink sink;
    Msg before = Msg::ipfix();
    flow(before);
    test::decode(before.bytes(), state, sink);
    Msg after = Msg::ipfix();
    describe(after, 1, "myCounter", 3);
    after.data(256).u32(78);
    test::decode(after.bytes(), state, sink);
    REQUIRE(sink.records.size() == 3);
    CHECK(sink.records[0]["12345.1"] == "0000004d");  // unknown then: its bytes
    CHECK(sink.records[2]["12345:myCounter"] == "78");
}

TEST_CASE("descriptions belong to their session") {
    netflow::DecoderState described, other;
    test::CollectingSink sink;
    Msg m = Msg::ipfix();
    describe(m, 1, "myCounter", 3);
    test::decode(m.bytes(), described, sink);
    Msg f = Msg::ipfix();
    flow(f);
    test::decode(f.bytes(), other, sink);
    REQUIRE(sink.records.size() == 2);
    CHECK(sink.records[1]["12345.1"] == "0000004d");
}

TEST_CASE("a redescription changes the meaning from then on; a resend changes nothing") {
    netflow::DecoderState state;
    test::CollectingSink sink;
    Msg m = Msg::ipfix();
    describe(m, 1, "myCounter", 3);
    flow(m);
    test::decode(m.bytes(), state, sink);
    Msg again = Msg::ipfix();
    describe(again, 1, "myCounter", 3);
    test::decode(again.bytes(), state, sink);
    CHECK(state.definitions->size() == 1);
    Msg renamed = Msg::ipfix();
    describe(renamed, 1, "myGauge", 3);
    renamed.data(256).u32(5);
    test::decode(renamed.bytes(), state, sink);
    CHECK(sink.records.back()["12345:myGauge"] == "5");
    CHECK(sink.issues.empty());
}

TEST_CASE("bad descriptions are counted, not learnt") {
    struct Case {
        const char* what;
        std::uint16_t id;
        std::string name;
        std::uint8_t type;
    };
    const Case cases[] = {
        {"unassigned data type", 1, "myCounter", 99},
        {"name with a space", 1, "my counter", 3},
        {"empty name", 1, "", 3},
        {"id above 32767", 40000, "myCounter", 3},
    };
    for (const Case& c : cases) {
        CAPTURE(c.what);
        netflow::DecoderState state;
        test::CollectingSink sink;
        Msg m = Msg::ipfix();
        describe(m, c.id, c.name, c.type);
        flow(m);
        const auto tally = test::decode(m.bytes(), state, sink);
        CHECK(tally.data_loss_issues == 0);  // an anomaly: everything is still decoded
        CHECK(sink.count(Reason::type_information_invalid) == 1);
        REQUIRE(sink.records.size() == 2);
        CHECK(sink.records[1]["12345.1"] == "0000004d");
    }
}

TEST_CASE("IANA's elements are not redefined by an exporter") {
    netflow::DecoderState state;
    test::CollectingSink sink;
    auto m = Msg::ipfix()
                 .options_templates()
                 .options_tmpl(400, {{346, 4}, {303, 2}}, {{339, 1}, {341, 65535}})
                 .data(400)
                 .u32(0)
                 .u16(8)
                 .u8(13)
                 .varlen("notAnAddress")
                 .templates()
                 .tmpl(256, {{8, 4}})
                 .data(256)
                 .ip4("192.0.2.1")
                 .bytes();
    test::decode(m, state, sink);
    CHECK(sink.issues.empty());
    REQUIRE(sink.records.size() == 2);
    CHECK(sink.records[1]["sourceIPv4Address"] == "192.0.2.1");
}

TEST_CASE("described elements in basicLists are read as described") {
    netflow::DecoderState state;
    test::CollectingSink sink;
    Msg m = Msg::ipfix();
    describe(m, 2, "myName", 13);
    // basicList (291): semantic 3 (allOf), element (kPen, 2) variable length, two strings.
    m.templates()
        .tmpl(257, {{291, 65535}})
        .data(257)
        .u8(9 + 3 + 3)
        .u8(3)
        .u16(0x8000 | 2)
        .u16(65535)
        .u32(kPen)
        .varlen("ab")
        .varlen("cd");
    test::decode(m.bytes(), state, sink);
    CHECK(sink.issues.empty());
    REQUIRE(sink.records.size() == 2);
    CHECK(sink.records[1].json.find("\"ab\"") != std::string::npos);
}

}  // TEST_SUITE("netflow.rfc5610")
