// SPDX-License-Identifier: MIT
// Late data: sets kept until their template arrives, the pending limits, the end of the input,
// a first pass's templates; withdrawals by transport; exporter restarts; cut datagrams.
#include <doctest/doctest.h>

#include "../support/message_builder.hpp"
#include "../support/session_feed.hpp"
#include "nfpcap/session/lookahead.hpp"

using namespace nfpcap;
using netflow::Reason;
using test::Arrival;
using test::Feed;
using test::Msg;

namespace {

std::vector<std::byte> ipfix_template(std::uint32_t sequence = 0, std::uint32_t domain = 1) {
    return Msg::ipfix(domain, 1700000000, sequence).templates().tmpl(256, {{8, 4}, {12, 4}}).bytes();
}

std::vector<std::byte> ipfix_data(const char* src, std::uint32_t sequence = 0, std::uint16_t id = 256) {
    return Msg::ipfix(1, 1700000000, sequence).data(id).ip4(src).ip4("192.0.2.1").bytes();
}

}  // namespace

TEST_SUITE("session.late") {

TEST_CASE("data before its template in the same v9 datagram is decoded, marked late") {
    // softflowd's PACKET_V9_TEMPLATE_MIXED: the data flowset comes before the template flowset.
    Feed f;
    auto r = f.send(Msg::v9()
                        .data(1024)
                        .rec()
                        .ip4("10.0.0.1")
                        .ip4("10.0.0.2")
                        .rec()
                        .ip4("10.0.0.3")
                        .ip4("10.0.0.4")
                        .templates()
                        .tmpl(1024, {{8, 4}, {12, 4}})
                        .bytes());
    REQUIRE(f.sink.records.size() == 2);
    CHECK(f.sink.records[0]["sourceIPv4Address"] == "10.0.0.1");
    CHECK(f.sink.records[1]["destinationIPv4Address"] == "10.0.0.4");
    CHECK(f.sink.records[0].late);
    CHECK(f.sink.records[0].frame == 1);
    CHECK(f.sink.records[0].template_frame == 1);
    CHECK(r.verdict == session::Verdict::decoded);
    CHECK(r.waiting_sets == 0);
    const auto t = f.totals();
    CHECK(t.counters.data_records == 2);
    CHECK(t.counters.late_data_records == 2);
    CHECK(t.counters.late_sets == 1);
    CHECK(t.counters.missing_template_sets == 0);
    CHECK(f.table.pending_bytes() == 0);
}

TEST_CASE("IPFIX data before its template is decoded when the template comes, in capture order") {
    Feed f;
    f.send(ipfix_data("10.0.0.1"));
    f.send(ipfix_data("10.0.0.2"));
    CHECK(f.sink.records.empty());
    CHECK(f.table.pending_bytes() > 0);
    f.send(ipfix_template());
    f.send(ipfix_data("10.0.0.3"));
    REQUIRE(f.sink.records.size() == 3);
    CHECK(f.sink.records[0]["sourceIPv4Address"] == "10.0.0.1");
    CHECK(f.sink.records[0].frame == 1);
    CHECK(f.sink.records[0].late);
    CHECK(f.sink.records[0].template_frame == 3);
    CHECK(f.sink.records[1]["sourceIPv4Address"] == "10.0.0.2");
    CHECK(f.sink.records[1].frame == 2);
    CHECK_FALSE(f.sink.records[2].late);
    CHECK(f.sink.records[2].frame == 4);
    // The kept bytes were copies: the feed overwrote each payload after it was processed.
    CHECK(f.sink.records[1]["destinationIPv4Address"] == "192.0.2.1");
    CHECK(f.table.pending_bytes() == 0);
    f.finish();
    const auto t = f.totals();
    CHECK(t.counters.late_data_records == 2);
    CHECK(t.counters.data_records == 3);
    CHECK(t.counters.missing_template_sets == 0);
    CHECK(t.counters.decoded_datagrams == 4);
    CHECK(test::adds_up(t));
}

TEST_CASE("data whose template never comes is missing_template at the end, its datagram partial") {
    Feed f;
    f.send(ipfix_template());
    auto r = f.send(Msg::ipfix(1).data(256).ip4("10.0.0.1").ip4("10.0.0.2").data(300).u32(7).bytes());
    CHECK(r.verdict == session::Verdict::decoded);  // nothing lost yet: set 300 waits
    CHECK(r.waiting_sets == 1);
    CHECK(f.reason(Reason::missing_template) == 0);
    f.finish();
    const auto t = f.totals();
    CHECK(t.counters.missing_template_sets == 1);
    CHECK(f.reason(Reason::missing_template) == 1);
    CHECK(t.counters.decoded_datagrams == 1);
    CHECK(t.counters.partial_datagrams == 1);
    CHECK(test::adds_up(t));
    REQUIRE(f.sink.issues.size() == 1);
    CHECK(f.sink.issues[0].template_id == 300);
    CHECK(f.sink.issues[0].offset == 16 + 12);  // the set header, after the header and set 256
    CHECK(f.table.pending_bytes() == 0);
}

TEST_CASE("sets of several templates wait apart and come out in their own order") {
    Feed f;
    f.send(Msg::ipfix(1).data(257).u16(1).data(256).ip4("10.0.0.1").ip4("10.0.0.2").bytes());
    f.send(Msg::ipfix(1).data(257).u16(2).bytes());
    f.send(Msg::ipfix(1).templates().tmpl(257, {{7, 2}}).bytes());
    REQUIRE(f.sink.records.size() == 2);
    CHECK(f.sink.records[0]["sourceTransportPort"] == "1");
    CHECK(f.sink.records[1]["sourceTransportPort"] == "2");
    f.send(ipfix_template());
    REQUIRE(f.sink.records.size() == 3);
    CHECK(f.sink.records[2].frame == 1);
    CHECK(f.sink.records[2].template_frame == 4);
}

TEST_CASE("--pending-limit 0 keeps nothing: missing_template at once, as a live collector") {
    session::SessionOptions o;
    o.pending_limit = 0;
    Feed f(o);
    auto r = f.send(ipfix_data("10.0.0.1"));
    CHECK(r.verdict == session::Verdict::partial);
    CHECK(f.reason(Reason::missing_template) == 1);
    f.send(ipfix_template());
    CHECK(f.sink.records.empty());
}

TEST_CASE("a full late-data buffer drops new sets as pending_limit; the total and the per-session bound") {
    const std::size_t one = ipfix_data("10.0.0.1").size() - 16 - 4 + sizeof(session::PendingSet);
    SUBCASE("total") {
        session::SessionOptions o;
        o.pending_limit = 2 * one + 2 * sizeof(session::PendingMessage);
        Feed f(o);
        for (const char* src : {"10.0.0.1", "10.0.0.2", "10.0.0.3"}) f.send(ipfix_data(src));
        CHECK(f.reason(Reason::pending_limit) == 1);
        f.send(ipfix_template());
        CHECK(f.sink.records.size() == 2);
        f.finish();
        const auto t = f.totals();
        CHECK(t.counters.partial_datagrams == 1);
        CHECK(t.counters.missing_template_sets == 0);
        CHECK(test::adds_up(t));
    }
    SUBCASE("per session") {
        session::SessionOptions o;
        o.pending_limit_session = one + sizeof(session::PendingMessage);
        Feed f(o);
        f.send(ipfix_data("10.0.0.1"));
        f.send(ipfix_data("10.0.0.2"));                       // over this session's bound
        f.send(ipfix_data("10.0.0.3"), Arrival{"10.0.0.9"});  // another session has room
        CHECK(f.reason(Reason::pending_limit) == 1);
        f.send(ipfix_template());
        f.send(ipfix_template(), Arrival{"10.0.0.9"});
        CHECK(f.sink.records.size() == 2);
    }
}

TEST_CASE("a first pass's templates decode what the full buffer cannot keep, at once and in order") {
    session::SessionOptions o;
    o.pending_limit = 1;  // nothing fits
    Feed f(o);
    // What a first pass learnt: template 256 in message 3 of this session.
    auto tmpl = netflow::make_template(256, netflow::TemplateKind::data, 0, {{0, 8, 4}, {0, 12, 4}}, 10);
    tmpl->frame = 3;
    session::TemplateHistory history;
    source::Message m;
    m.exporter = {wire::IpAddress::parse("10.0.0.1"), 5000};
    m.collector = {wire::IpAddress::parse("127.0.0.1"), 2055};
    const auto data = ipfix_data("10.0.0.1");
    m.payload = data;
    history.add(session::SessionKey::of(m), 3, *tmpl);
    f.table.set_lookahead(&history);
    f.send(ipfix_data("10.0.0.1"));
    f.send(ipfix_data("10.0.0.2"));
    REQUIRE(f.sink.records.size() == 2);
    CHECK(f.sink.records[0].late);
    CHECK(f.sink.records[0].template_frame == 3);
    CHECK(f.sink.records[1]["sourceIPv4Address"] == "10.0.0.2");
    f.send(ipfix_template());
    f.send(ipfix_data("10.0.0.4"));  // after its definition: as it came
    REQUIRE(f.sink.records.size() == 3);
    CHECK_FALSE(f.sink.records[2].late);
    CHECK(f.reason(Reason::pending_limit) == 0);
    CHECK(f.totals().counters.late_data_records == 2);
}

TEST_CASE("a state-only message restores state without output, but the late records it frees are handed on") {
    Feed f;
    f.send(ipfix_data("10.0.0.1"));
    f.send(Msg::ipfix(1).templates().tmpl(256, {{8, 4}, {12, 4}}).data(256).ip4("1.1.1.1").ip4("2.2.2.2").bytes(),
           Arrival{.state_only = true});
    REQUIRE(f.sink.records.size() == 1);
    CHECK(f.sink.records[0]["sourceIPv4Address"] == "10.0.0.1");
    CHECK(f.sink.templates.empty());
}

TEST_CASE("a datagram the capture cut is export traffic: its whole sets decoded, the cut counted") {
    auto full = Msg::ipfix(1)
                    .templates()
                    .tmpl(256, {{8, 4}, {12, 4}})
                    .data(256)
                    .ip4("10.0.0.1")
                    .ip4("10.0.0.2")
                    .data(256)
                    .ip4("10.0.0.3")
                    .ip4("10.0.0.4")
                    .bytes();
    for (std::size_t cut : {full.size() - 3, full.size() - 12, std::size_t{16 + 16 + 12 + 2}}) {
        CAPTURE(cut);
        Feed f;  // an exporter never seen before
        auto r = f.send(full, Arrival{.cut_to = cut});
        CHECK(r.is_export());
        CHECK(r.verdict == session::Verdict::partial);
        CHECK(r.reason == Reason::capture_truncated);
        CHECK(f.sink.records.size() == 1);  // the first data set is whole in every cut
        CHECK(f.reason(Reason::capture_truncated) == 1);
        CHECK(f.reason(Reason::set_truncated) == 0);
        CHECK(test::adds_up(f.totals()));
    }
    SUBCASE("v9 and v5") {
        Feed f;
        auto v9 = Msg::v9().templates().tmpl(300, {{8, 4}}).data(300).rec().ip4("1.1.1.1").rec().ip4("2.2.2.2").bytes();
        auto r = f.send(v9, Arrival{.cut_to = v9.size() - 2});
        CHECK(r.verdict == session::Verdict::partial);
        CHECK(f.reason(Reason::capture_truncated) == 1);
        CHECK(f.reason(Reason::count_mismatch) == 0);
        Feed g;
        auto five = test::v5(0, 3);
        r = g.send(five, Arrival{.cut_to = 24 + 48 + 10});
        CHECK(r.verdict == session::Verdict::partial);
        CHECK(g.sink.records.size() == 1);
        CHECK(g.reason(Reason::capture_truncated) == 1);
        CHECK(g.reason(Reason::length_mismatch) == 0);
    }
    SUBCASE("a cut header is malformed, and foreign traffic stays foreign") {
        Feed f;
        f.send(ipfix_template());
        auto r = f.send(ipfix_data("10.0.0.1"), Arrival{.cut_to = 10});
        CHECK(r.verdict == session::Verdict::malformed);
        CHECK(r.reason == Reason::capture_truncated);
        std::vector<std::byte> dns(300, std::byte{0x41});
        r = f.send(dns, Arrival{"10.0.0.53", 53, 0, source::Transport::udp_datagram, 0, 100});
        CHECK_FALSE(r.is_export());
    }
}

}  // TEST_SUITE("session.late")

TEST_SUITE("session.withdrawals") {

TEST_CASE("over UDP a withdrawal is ignored and counted: later data still decodes") {
    Feed f;
    f.send(ipfix_template());
    f.send(Msg::ipfix(1).templates().u16(256).u16(0).bytes());  // withdraw 256
    f.send(Msg::ipfix(1).templates().u16(2).u16(0).bytes());    // withdraw all data templates
    f.send(ipfix_data("10.0.0.1"));
    CHECK(f.sink.records.size() == 1);
    const auto t = f.totals();
    CHECK(t.counters.template_withdrawals == 2);
    CHECK(t.counters.template_withdrawals_ignored == 2);
    REQUIRE(f.sink.templates.size() == 3);
    CHECK(f.sink.templates[1].change == netflow::TemplateChange::withdrawal_ignored);
}

TEST_CASE(
    "over TCP withdrawals are honoured: one, all data templates (2 in set 2), all options templates (3 in set 3)") {
    const Arrival tcp{.transport = source::Transport::tcp_stream, .stream = 1};
    Feed f;
    f.send(Msg::ipfix(1)
               .templates()
               .tmpl(256, {{8, 4}, {12, 4}})
               .tmpl(257, {{7, 2}})
               .options_templates()
               .options_tmpl(258, {{149, 4}}, {{160, 8}})
               .bytes(),
           tcp);
    auto state = [&] { return &f.table.sessions().front().state; };
    f.send(Msg::ipfix(1).templates().u16(256).u16(0).bytes(), tcp);
    CHECK(state()->find(256) == nullptr);
    CHECK(state()->find(257) != nullptr);
    f.send(ipfix_data("10.0.0.1"), tcp);  // waits: a new definition may come
    CHECK(f.sink.records.empty());
    f.send(Msg::ipfix(1).templates().u16(2).u16(0).bytes(), tcp);
    CHECK(state()->find(257) == nullptr);
    CHECK(state()->find(258) != nullptr);
    f.send(Msg::ipfix(1).options_templates().u16(3).u16(0).bytes(), tcp);
    CHECK(state()->templates.empty());
    f.finish();
    CHECK(f.totals().counters.template_withdrawals == 3);
    CHECK(f.totals().counters.template_withdrawals_ignored == 0);
    CHECK(f.totals().counters.missing_template_sets == 1);
}

}  // TEST_SUITE("session.withdrawals")

TEST_SUITE("session.restart") {

TEST_CASE("after a restart data waits for the new incarnation's template and is decoded with it") {
    Feed f;
    auto tmpl = [](std::uint32_t seq, std::uint32_t uptime, std::initializer_list<test::F> fields) {
        return Msg::v9(0, uptime, 1700000000, seq).templates().tmpl(256, fields).bytes();
    };
    f.send(tmpl(1, 100000, {{8, 4}}));
    f.send(Msg::v9(0, 101000, 1700000001, 2).data(256).rec().ip4("10.0.0.1").bytes());
    // Restarted: the sequence starts again, the uptime is shorter than the time since.
    auto r = f.send(Msg::v9(0, 300, 1700000010, 1).data(256).rec().u16(443).u16(80).bytes());
    CHECK(r.sequence == session::SequenceClass::restart);
    CHECK(r.waiting_sets == 1);
    CHECK(f.sink.records.size() == 1);
    f.send(tmpl(2, 1300, {{7, 2}, {11, 2}}));  // the new layout
    REQUIRE(f.sink.records.size() == 2);
    CHECK(f.sink.records[1].late);
    CHECK_FALSE(f.sink.records[1].previous_template);
    CHECK(f.sink.records[1]["sourceTransportPort"] == "443");
    CHECK(f.totals().counters.restarts == 1);
}

TEST_CASE("after a restart with no new template, the data is decoded with the old one at the end, flagged") {
    Feed f;
    f.send(Msg::v9(0, 100000, 1700000000, 1).templates().tmpl(256, {{8, 4}}).bytes());
    f.send(Msg::v9(0, 500, 1700000010, 1).data(256).rec().ip4("10.0.0.9").bytes());
    CHECK(f.sink.records.empty());
    f.finish();
    REQUIRE(f.sink.records.size() == 1);
    CHECK(f.sink.records[0].late);
    CHECK(f.sink.records[0].previous_template);
    CHECK(f.sink.records[0]["sourceIPv4Address"] == "10.0.0.9");
    CHECK(f.totals().counters.previous_template_records == 1);
    CHECK(f.totals().counters.missing_template_sets == 0);
}

TEST_CASE("data waiting for a template of the old incarnation is lost at the restart") {
    Feed f;
    f.send(Msg::v9(0, 100000, 1700000000, 5).data(256).rec().ip4("10.0.0.1").bytes());
    f.send(Msg::v9(0, 200, 1700000010, 0).templates().tmpl(256, {{8, 4}}).bytes());
    CHECK(f.sink.records.empty());
    CHECK(f.totals().counters.missing_template_sets == 1);
    CHECK(f.totals().counters.partial_datagrams == 1);
    CHECK(test::adds_up(f.totals()));
}

}  // TEST_SUITE("session.restart")
