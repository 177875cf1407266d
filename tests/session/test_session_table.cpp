// SPDX-License-Identifier: MIT
// Session scoping of templates and the accounting that adds up.
#include <doctest/doctest.h>

#include "../support/collecting_sink.hpp"
#include "../support/message_builder.hpp"
#include "nfpcap/session/session_table.hpp"

using namespace nfpcap;
using test::Msg;

namespace {

struct Feed {
    session::SessionTable table;
    test::CollectingSink sink;
    std::uint64_t frame = 0;
    std::vector<std::vector<std::byte>> keep;  // datagrams must outlive nothing, but keep tidy

    explicit Feed(session::SessionOptions options = {}) : table(std::move(options)) {}

    void send(const char* exporter, std::uint16_t port, std::vector<std::byte> payload, std::uint16_t dst_port = 2055) {
        keep.push_back(std::move(payload));
        source::Message d;
        d.frame = ++frame;
        d.exporter = {wire::IpAddress::parse(exporter), port};
        d.collector = {wire::IpAddress::parse("127.0.0.1"), dst_port};
        d.payload = keep.back();
        d.length = static_cast<std::uint32_t>(keep.back().size());
        table.process(d, sink);
    }
};

}  // namespace

TEST_SUITE("session.table") {

TEST_CASE("two exporters reusing a template ID never mix") {
    Feed f;
    f.send("10.0.0.1", 5000, Msg::ipfix(1).templates().tmpl(256, {{8, 4}}).bytes());
    f.send("10.0.0.2", 5000, Msg::ipfix(1).templates().tmpl(256, {{7, 2}}).bytes());
    f.send("10.0.0.1", 5000, Msg::ipfix(1).data(256).ip4("1.1.1.1").bytes());
    f.send("10.0.0.2", 5000, Msg::ipfix(1).data(256).u16(443).bytes());
    REQUIRE(f.sink.records.size() == 2);
    CHECK(f.sink.records[0]["sourceIPv4Address"] == "1.1.1.1");
    CHECK(f.sink.records[1]["sourceTransportPort"] == "443");
    CHECK(f.table.sessions().size() == 2);
}

TEST_CASE("observation domains and source ports are separate sessions") {
    Feed f;
    f.send("10.0.0.1", 5000, Msg::ipfix(1).templates().tmpl(256, {{8, 4}}).bytes());
    f.send("10.0.0.1", 5000, Msg::ipfix(2).data(256).ip4("1.1.1.1").bytes());  // other domain
    f.send("10.0.0.1", 5001, Msg::ipfix(1).data(256).ip4("1.1.1.1").bytes());  // other port
    CHECK(f.sink.records.empty());
    f.table.finish(f.sink);  // never came: counted at the end
    auto totals = f.table.totals();
    CHECK(totals.counters.missing_template_sets == 2);
    CHECK(totals.counters.partial_datagrams == 2);
    CHECK(f.table.sessions().size() == 3);
}

TEST_CASE("redefinition mid-capture applies from that datagram on") {
    Feed f;
    f.send("10.0.0.1", 5000, Msg::v9().templates().tmpl(300, {{8, 4}}).bytes());
    f.send("10.0.0.1", 5000, Msg::v9().data(300).rec().ip4("1.2.3.4").bytes());
    f.send("10.0.0.1", 5000, Msg::v9().templates().tmpl(300, {{7, 2}, {11, 2}}).bytes());
    f.send("10.0.0.1", 5000, Msg::v9().data(300).rec().u16(1).u16(2).bytes());
    REQUIRE(f.sink.records.size() == 2);
    CHECK(f.sink.records[0]["sourceIPv4Address"] == "1.2.3.4");
    CHECK(f.sink.records[1]["destinationTransportPort"] == "2");
}

TEST_CASE("every datagram is counted exactly once") {
    Feed f;
    f.send("10.0.0.1", 5000, Msg::ipfix().templates().tmpl(256, {{8, 4}}).data(256).ip4("1.1.1.1").bytes());
    f.send("10.0.0.1", 5000, Msg::ipfix().data(999).ip4("1.1.1.1").bytes());  // missing template
    std::vector<std::byte> noise{std::byte{0x12}, std::byte{0x34}, std::byte{0x56}};
    f.send("10.0.0.9", 53, noise, 53);  // not export
    auto cut = Msg::ipfix().templates().tmpl(257, {{8, 4}}).bytes();
    cut[3] = std::byte{static_cast<std::uint8_t>(cut.size() + 8)};  // header says longer
    f.send("10.0.0.1", 5000, cut);                                  // known exporter: malformed
    f.table.finish(f.sink);
    auto t = f.table.totals();
    CHECK(t.datagrams == 4);
    CHECK(t.not_export_datagrams == 1);
    CHECK(t.counters.datagrams == 3);
    CHECK(t.counters.decoded_datagrams == 1);
    CHECK(t.counters.partial_datagrams == 1);
    CHECK(t.counters.malformed_datagrams == 1);
    CHECK(t.counters.reasons[static_cast<std::size_t>(netflow::Reason::length_mismatch)] == 1);
    CHECK(t.counters.reasons[static_cast<std::size_t>(netflow::Reason::missing_template)] == 1);
    CHECK(t.datagrams == t.not_export_datagrams + t.counters.datagrams + t.session_limit_datagrams);
}

TEST_CASE("--port makes any datagram on that port export traffic, unknown versions counted") {
    session::SessionOptions options;
    options.ports = {2055};
    Feed f(options);
    std::vector<std::byte> bogus(30);
    bogus[1] = std::byte{42};
    f.send("10.0.0.1", 5000, bogus, 2055);
    f.send("10.0.0.1", 5000, Msg::ipfix().templates().tmpl(256, {{8, 4}}).bytes(), 4739);  // other port
    auto t = f.table.totals();
    CHECK(t.not_export_datagrams == 1);
    CHECK(t.counters.malformed_datagrams == 1);
    CHECK(t.counters.reasons[static_cast<std::size_t>(netflow::Reason::unknown_version)] == 1);
}

TEST_CASE("sequence gaps are counted per session") {
    Feed f;
    f.send("10.0.0.1", 5000, Msg::v9(0, 1, 1, 10).templates().tmpl(256, {{8, 4}}).bytes());
    f.send("10.0.0.1", 5000, Msg::v9(0, 1, 1, 11).templates().tmpl(256, {{8, 4}}).bytes());
    f.send("10.0.0.1", 5000, Msg::v9(0, 1, 1, 14).templates().tmpl(256, {{8, 4}}).bytes());
    auto t = f.table.totals();
    CHECK(t.counters.sequence_gaps == 1);
    CHECK(t.counters.sequence_missing == 2);
}

TEST_CASE("the v9 header count is informational: every flowset is decoded") {
    // softflowd counts only data records; some exporters count less still.
    Feed f;
    f.send("10.0.0.1", 5000,
           Msg::v9()
               .templates()
               .tmpl(256, {{8, 4}})
               .data(256)
               .rec()
               .ip4("1.1.1.1")
               .data(256)
               .rec()
               .ip4("2.2.2.2")
               .count(1)
               .bytes());
    CHECK(f.sink.records.size() == 2);
}

}  // TEST_SUITE("session.table")
