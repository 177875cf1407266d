// SPDX-License-Identifier: MIT
// Limits against hostile exports (template floods, huge templates) and loops that must progress.
#include <doctest/doctest.h>

#include "../support/collecting_sink.hpp"
#include "../support/message_builder.hpp"
#include "nfpcap/session/session_table.hpp"

using namespace nfpcap;
using netflow::Reason;
using test::Msg;

namespace {

// Counts only: floods of hundreds of thousands of templates must not be kept by the test either.
struct CountingOnly final : netflow::DecodeSink {
    std::size_t records = 0;
    std::size_t templates = 0;
    std::array<std::size_t, netflow::kReasonCount> reasons{};
    void on_record(const netflow::DataRecord&) override { ++records; }
    void on_template(const netflow::MessageContext&, const netflow::ExportHeader&, const netflow::Template&,
                     netflow::TemplateChange) override {
        ++templates;
    }
    void on_issue(const netflow::MessageContext&, const netflow::Issue& i) override {
        ++reasons[static_cast<std::size_t>(i.reason)];
    }
};

struct Feed {
    session::SessionTable table;
    CountingOnly sink;
    std::uint64_t frame = 0;

    explicit Feed(session::SessionOptions options = {}) : table(std::move(options)) {}

    void send(wire::IpAddress exporter, std::uint16_t port, const std::vector<std::byte>& payload) {
        source::Message d;
        d.frame = ++frame;
        d.exporter = {exporter, port};
        d.collector = {wire::IpAddress::parse("127.0.0.1"), 2055};
        d.payload = payload;
        d.length = static_cast<std::uint32_t>(payload.size());
        table.process(d, sink);
    }
};

std::size_t stored_templates(const session::SessionTable& t) {
    std::size_t n = 0;
    for (const auto& s : t.sessions()) n += s.state.templates.size();
    return n;
}

std::size_t stored_fields(const session::SessionTable& t) {
    std::size_t n = 0;
    for (const auto& s : t.sessions()) {
        for (const auto& [id, tmpl] : s.state.templates) n += tmpl->fields.size();
    }
    return n;
}

// Stats add up: every export datagram decoded, partial or malformed.
void check_accounting(const session::Totals& totals) {
    const auto& c = totals.counters;
    CHECK(totals.datagrams == totals.not_export_datagrams + c.datagrams + totals.session_limit_datagrams);
    CHECK(c.datagrams == c.decoded_datagrams + c.partial_datagrams + c.malformed_datagrams);
}

std::size_t reason(const session::Totals& totals, Reason r) {
    return totals.counters.reasons[static_cast<std::size_t>(r)];
}

std::vector<std::byte> template_with_fields(std::uint16_t version, std::uint16_t id, std::size_t fields) {
    Msg m = version == 10 ? Msg::ipfix(1) : Msg::v9(1);
    m.templates().u16(id).u16(static_cast<std::uint16_t>(fields));
    for (std::size_t i = 0; i < fields; ++i) m.u16(static_cast<std::uint16_t>(1 + i % 100)).u16(4);
    return m.bytes();
}

}  // namespace

TEST_SUITE("netflow.limits") {

TEST_CASE("a flood of 65,280 template IDs from one exporter keeps max_templates and counts the rest") {
    Feed f;
    const auto exporter = wire::IpAddress::parse("10.0.0.1");
    std::size_t sent = 0;
    for (std::uint32_t first = 256; first <= 65535; first += 1000) {
        Msg m = Msg::ipfix(1);
        m.templates();
        for (std::uint32_t id = first; id < first + 1000 && id <= 65535; ++id, ++sent) {
            m.tmpl(static_cast<std::uint16_t>(id), {{8, 4}, {12, 4}});
        }
        f.send(exporter, 5000, m.bytes());
    }
    const auto totals = f.table.totals();
    CHECK(sent == 65280);
    CHECK(stored_templates(f.table) == netflow::DecoderLimits{}.max_templates);
    CHECK(reason(totals, Reason::template_limit) == sent - netflow::DecoderLimits{}.max_templates);
    CHECK(totals.counters.template_records == sent);
    check_accounting(totals);
    // Data of a kept template still decodes; data of a dropped one is a missing template.
    f.send(exporter, 5000, Msg::ipfix(1).data(256).ip4("1.1.1.1").ip4("2.2.2.2").bytes());
    f.send(exporter, 5000, Msg::ipfix(1).data(65535).ip4("1.1.1.1").ip4("2.2.2.2").bytes());
    CHECK(f.sink.records == 1);
    // The set waits for its template until the end of the run, then counts as missing.
    CHECK(reason(f.table.totals(), Reason::missing_template) == 0);
    f.table.finish(f.sink);
    CHECK(reason(f.table.totals(), Reason::missing_template) == 1);
}

TEST_CASE("5,000 exporters with 64 templates each stay within the total field budget") {
    session::SessionOptions options;
    options.max_template_fields_total = 600000;
    Feed f(options);
    std::size_t sent = 0;
    for (std::uint32_t e = 0; e < 5000; ++e) {
        auto exporter = wire::IpAddress::parse(fmt::format("10.{}.{}.1", e / 256, e % 256));
        Msg m = Msg::ipfix(1);
        m.templates();
        for (std::uint16_t id = 256; id < 256 + 64; ++id, ++sent) m.tmpl(id, {{8, 4}, {12, 4}, {7, 2}, {11, 2}});
        f.send(exporter, 5000, m.bytes());
    }
    const auto totals = f.table.totals();
    CHECK(f.table.sessions().size() == 5000);
    CHECK(stored_fields(f.table) <= options.max_template_fields_total);
    CHECK(stored_fields(f.table) == 600000);  // the budget is used to the last template that fits
    CHECK(stored_templates(f.table) == 150000);
    CHECK(reason(totals, Reason::template_limit) == sent - 150000);
    check_accounting(totals);
}

TEST_CASE("one template ID redefined 20,000 times keeps one template") {
    Feed f;
    const auto exporter = wire::IpAddress::parse("10.0.0.1");
    for (int i = 0; i < 20000; ++i) {
        const std::uint16_t length = i % 2 == 0 ? 4 : 8;  // every message changes the definition
        f.send(exporter, 5000, Msg::v9(1).templates().tmpl(300, {{1, length}, {2, length}}).bytes());
    }
    const auto totals = f.table.totals();
    CHECK(stored_templates(f.table) == 1);
    CHECK(f.table.sessions()[0].state.stored_fields == 2);
    CHECK(totals.counters.template_records == 20000);
    CHECK(f.sink.templates == 20000);
    CHECK(totals.counters.decoded_datagrams == 20000);
    check_accounting(totals);
}

TEST_CASE("a template of more fields than max_template_fields is template_too_large") {
    for (std::uint16_t version : {9, 10}) {
        CAPTURE(version);
        netflow::DecoderState state;
        test::CollectingSink sink;
        test::decode(template_with_fields(version, 256, 1024), state, sink);
        CHECK(state.templates.size() == 1);
        test::decode(template_with_fields(version, 257, 1025), state, sink);
        CHECK(state.templates.size() == 1);
        CHECK(sink.count(Reason::template_too_large) == 1);
        // Redefining a kept template as too large keeps the old definition.
        test::decode(template_with_fields(version, 256, 4000), state, sink);
        CHECK(sink.count(Reason::template_too_large) == 2);
        REQUIRE(state.find(256) != nullptr);
        CHECK(state.find(256)->fields.size() == 1024);
        CHECK(state.stored_fields == 1024);
    }
}

TEST_CASE("a template whose record cannot fit a datagram is template_too_large") {
    netflow::DecoderState state;
    test::CollectingSink sink;
    auto tally = test::decode(Msg::ipfix(1).templates().tmpl(256, {{1, 40000}, {2, 40000}}).bytes(), state, sink);
    CHECK(state.templates.empty());
    CHECK(sink.count(Reason::template_too_large) == 1);
    CHECK(tally.first_loss == Reason::template_too_large);
}

TEST_CASE("withdrawn templates give their fields back to the budget") {
    netflow::DecoderState state;
    state.honour_withdrawals = true;  // as over TCP
    state.limits.max_stored_fields = 4;
    test::CollectingSink sink;
    test::decode(Msg::ipfix(1).templates().tmpl(256, {{8, 4}, {12, 4}, {7, 2}}).bytes(), state, sink);
    test::decode(Msg::ipfix(1).templates().tmpl(257, {{8, 4}, {12, 4}}).bytes(), state, sink);
    CHECK(sink.count(Reason::template_limit) == 1);
    CHECK(state.stored_fields == 3);
    test::decode(Msg::ipfix(1).templates().u16(256).u16(0).bytes(), state, sink);  // withdrawal
    CHECK(state.stored_fields == 0);
    test::decode(Msg::ipfix(1).templates().tmpl(257, {{8, 4}, {12, 4}}).bytes(), state, sink);
    CHECK(state.stored_fields == 2);
    CHECK(state.templates.size() == 1);
}

}  // TEST_SUITE("netflow.limits")

TEST_SUITE("netflow.progress") {

TEST_CASE("a template of zero-length fields is template_invalid and its data cannot spin") {
    for (std::uint16_t version : {9, 10}) {
        CAPTURE(version);
        netflow::DecoderState state;
        test::CollectingSink sink;
        Msg m = version == 10 ? Msg::ipfix(1) : Msg::v9(1);
        auto tally = test::decode(m.templates().tmpl(256, {{8, 0}, {12, 0}}).data(256).pad(64).bytes(), state, sink);
        CHECK(state.templates.empty());
        CHECK(sink.count(Reason::template_invalid) == 1);
        CHECK(sink.count(Reason::missing_template) == 1);
        CHECK(sink.records.empty());
        CHECK(tally.first_loss == Reason::template_invalid);
    }
}

TEST_CASE("variable-length fields of length zero advance one byte per record") {
    netflow::DecoderState state;
    test::CollectingSink sink;
    // One variable-length field: each record is its 1-byte prefix (0), so 1,000 bytes are 1,000 records.
    test::decode(Msg::ipfix(1).templates().tmpl(256, {{82, 65535}}).data(256).pad(1000).bytes(), state, sink);
    CHECK(sink.records.size() == 1000);
    CHECK(sink.count(Reason::record_invalid) == 0);
}

TEST_CASE("a 65535 field count in a short template record stops at the set end") {
    for (std::uint16_t version : {9, 10}) {
        CAPTURE(version);
        netflow::DecoderState state;
        test::CollectingSink sink;
        Msg m = version == 10 ? Msg::ipfix(1) : Msg::v9(1);
        test::decode(m.templates().u16(256).u16(65535).u16(8).u16(4).bytes(), state, sink);
        CHECK(state.templates.empty());
        CHECK(sink.count(Reason::template_invalid) == 1);
    }
}

TEST_CASE("empty sets and sets of only a header are skipped, never looped on") {
    netflow::DecoderState state;
    test::CollectingSink sink;
    Msg m = Msg::ipfix(1);
    for (int i = 0; i < 100; ++i) m.set(2).set(3).set(300);
    auto tally = test::decode(m.bytes(), state, sink);
    CHECK(!tally.fatal);
    CHECK(sink.count(Reason::missing_template) == 100);
}

TEST_CASE("a v9 options template with zero scope and option lengths before data is template_invalid") {
    netflow::DecoderState state;
    test::CollectingSink sink;
    test::decode(Msg::v9(1).options_templates().u16(256).u16(0).u16(0).u16(1).bytes(), state, sink);
    CHECK(state.templates.empty());
    CHECK(sink.count(Reason::template_invalid) == 1);
}

// Defect: a data set with fewer bytes than one record (and not zero padding) vanished without
// any count.
TEST_CASE("data set shorter than one record is record_invalid, not dropped silently") {
    for (std::uint16_t version : {9, 10}) {
        CAPTURE(version);
        netflow::DecoderState state;
        test::CollectingSink sink;
        Msg m = version == 10 ? Msg::ipfix(1) : Msg::v9(1);
        auto tally = test::decode(m.templates().tmpl(256, {{8, 4}, {12, 4}}).data(256).raw({1, 2, 3, 4, 5}).bytes(),
                                  state, sink);
        CHECK(sink.records.empty());
        CHECK(sink.count(Reason::record_invalid) == 1);
        CHECK(tally.first_loss == Reason::record_invalid);
        // Zero padding shorter than a record stays no issue.
        test::CollectingSink quiet;
        Msg p = version == 10 ? Msg::ipfix(1) : Msg::v9(1);
        test::decode(p.data(256).pad(3).bytes(), state, quiet);
        CHECK(quiet.issues.empty());
    }
}

}  // TEST_SUITE("netflow.progress")

TEST_SUITE("netflow.regressions") {

// Defect (found by fuzz_decoder): a dateTimeMilliseconds value past year 2262 was multiplied
// into int64 nanoseconds, a signed overflow (undefined behaviour) in printing and flow times.
// Since the hostile-number rules (wire/saturating.hpp): the flow time is clamped to the last
// nanosecond of 2262 and counted (time_clamped), not dropped.
TEST_CASE("milliseconds_overflow: a time past year 2262 prints as bytes and gives a clamped flow time") {
    netflow::DecoderState state;
    test::CollectingSink sink;
    test::decode(Msg::ipfix(1)
                     .templates()
                     .tmpl(256, {{152, 8}, {153, 8}, {161, 4}})
                     .data(256)
                     .u64(0x0100000000000000ULL)
                     .u64(~0ULL)
                     .u32(1000)
                     .bytes(),
                 state, sink);
    REQUIRE(sink.records.size() == 1);
    CHECK(sink.records[0]["flowStartMilliseconds"] == "0100000000000000");
    CHECK(sink.records[0].start_ns == INT64_MAX);
    CHECK(sink.records[0].end_ns == INT64_MAX);
    REQUIRE(sink.issues.size() == 1);
    CHECK(sink.issues[0].reason == netflow::Reason::time_clamped);
    // A duration past the limit: the end is clamped.
    test::CollectingSink sink2;
    test::decode(Msg::ipfix(1)
                     .templates()
                     .tmpl(257, {{152, 8}, {161, 4}, {158, 8}})
                     .data(257)
                     .u64(1'700'000'000'000ULL)
                     .u32(0xffffffffU)
                     .u64(~0ULL)
                     .bytes(),
                 state, sink2);
    REQUIRE(sink2.records.size() == 1);
    CHECK(sink2.records[0].start_ns == 1'700'000'000'000'000'000LL);
    CHECK(sink2.records[0].end_ns == 1'700'000'000'000'000'000LL + 0xffffffffLL * 1'000'000);
    CHECK(sink2.issues.empty());
    test::CollectingSink sink3;
    test::decode(Msg::ipfix(1)
                     .templates()
                     .tmpl(258, {{152, 8}, {161, 4}})
                     .data(258)
                     .u64(9'223'372'036'854ULL)  // the last whole millisecond of 2262
                     .u32(1000)
                     .bytes(),
                 state, sink3);
    REQUIRE(sink3.records.size() == 1);
    CHECK(sink3.records[0].end_ns == INT64_MAX);
    REQUIRE(sink3.issues.size() == 1);
    CHECK(sink3.issues[0].reason == netflow::Reason::time_clamped);
}

// A start before 1677: flowStartDeltaMicroseconds sent in 8 bytes, 2^64-1 us before the export.
TEST_CASE("time_before_1677_clamped") {
    netflow::DecoderState state;
    test::CollectingSink sink;
    test::decode(Msg::ipfix(1).templates().tmpl(256, {{158, 8}}).data(256).u64(~0ULL).bytes(), state, sink);
    REQUIRE(sink.records.size() == 1);
    CHECK(sink.records[0].start_ns == INT64_MIN);
    REQUIRE(sink.issues.size() == 1);
    CHECK(sink.issues[0].reason == netflow::Reason::time_clamped);
}

// An end before the start is decoded as sent, and counted (the analysis takes it as lasting 0).
TEST_CASE("time_reversed_counted") {
    netflow::DecoderState state;
    test::CollectingSink sink;
    test::decode(Msg::ipfix(1)
                     .templates()
                     .tmpl(256, {{152, 8}, {153, 8}})
                     .data(256)
                     .u64(2000)
                     .u64(1000)
                     .u64(1000)
                     .u64(1000)
                     .bytes(),
                 state, sink);
    REQUIRE(sink.records.size() == 2);
    CHECK(sink.records[0].end_ns < sink.records[0].start_ns);
    REQUIRE(sink.issues.size() == 1);
    CHECK(sink.issues[0].reason == netflow::Reason::time_reversed);
}

}  // TEST_SUITE("netflow.regressions")
