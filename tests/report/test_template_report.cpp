// SPDX-License-Identifier: MIT
// `templates`: the bounded, deduplicated history per template ID and what it summarizes.
#include <doctest/doctest.h>

#include <cstdio>
#include <string>

#include "../support/message_builder.hpp"
#include "nfpcap/report/template_report.hpp"
#include "nfpcap/session/session_table.hpp"

using namespace nfpcap;
using test::Msg;

namespace {

// Messages through a session table into the collector, as pipeline::run hands them on.
struct Run {
    session::SessionTable table;
    report::TemplateCollector collector;
    std::uint64_t frame = 0;

    void send(std::vector<std::byte> payload) {
        source::Message m;
        m.frame = ++frame;
        m.time_ns = 1'700'000'000'000'000'000 + static_cast<std::int64_t>(frame) * 1'000'000;
        m.exporter = {wire::IpAddress::parse("192.0.2.1"), 4739};
        m.collector = {wire::IpAddress::parse("127.0.0.1"), 2055};
        m.payload = payload;
        m.length = static_cast<std::uint32_t>(payload.size());
        collector.on_message_begins(m);
        const auto result = table.process(m, collector);
        collector.on_message(m, result);
    }
    std::string write(report::Format format) {
        std::FILE* f = std::tmpfile();
        {
            report::Output out(f);
            collector.write(out, format);
        }
        std::rewind(f);
        std::string text;
        char buf[4096];
        for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) text.append(buf, n);
        std::fclose(f);
        return text;
    }
};

// Template 256 whose second field is `length` bytes long (each length its own layout), with
// one data record in the same message.
std::vector<std::byte> definition(std::uint16_t length, std::uint32_t sequence) {
    Msg m = Msg::ipfix(1, 1700000000, sequence);
    m.templates().tmpl(256, {{8, 4}, {82, length}}).data(256).ip4("10.0.0.1");
    for (std::uint16_t i = 0; i < length; ++i) m.u8(0x61);
    return m.bytes();
}

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

}  // namespace

TEST_SUITE("report.templates") {

TEST_CASE("templates_redefinition_flood: at most 10 listed, the rest summarized with its records") {
    Run run;
    for (std::uint16_t i = 0; i < 100; ++i) run.send(definition(static_cast<std::uint16_t>(1 + i), i));
    const std::string text = run.write(report::Format::text);
    CHECK(count(text, "  template 256 (data, 2 fields") == report::TemplateCollector::kMaxKept);
    CHECK(text.find("defined in frame 1;") != std::string::npos);  // the first stays
    CHECK(text.find("redefined in frame 100, in force at the end; 1 records") != std::string::npos);
    CHECK(text.find("template 256: 90 more definitions (90 layouts, frames 2 to 91, 90 records) not listed") !=
          std::string::npos);
    // The latest others are the ones kept.
    CHECK(text.find("redefined in frame 92;") != std::string::npos);
    CHECK(text.find("redefined in frame 91;") == std::string::npos);
}

TEST_CASE("templates_same_layout_again: a redefinition back to a listed layout is a count, not a copy") {
    Run run;
    for (std::uint32_t i = 0; i < 50; ++i) run.send(definition(i % 2 == 0 ? 4 : 8, i));
    const std::string json = run.write(report::Format::json);
    CHECK(count(json, "\"event\":") == 2);
    CHECK(json.find("\"event\":\"defined\",\"frame\":1,\"resends\":24,\"last_frame\":49") != std::string::npos);
    CHECK(json.find("\"event\":\"redefined\",\"frame\":2,\"resends\":24,\"last_frame\":50,\"current\":true") !=
          std::string::npos);
    CHECK(count(json, "\"records\":25,") == 2);  // each record counted on its layout's entry
    CHECK(json.find("summarized") == std::string::npos);
}

TEST_CASE("templates_resend: an identical resend in force stays one entry") {
    Run run;
    for (std::uint32_t i = 0; i < 5; ++i) run.send(definition(4, i));
    const std::string text = run.write(report::Format::text);
    CHECK(count(text, "  template 256 (") == 1);
    CHECK(text.find("defined in frame 1, resent 4 times until frame 5; 5 records") != std::string::npos);
}

}  // TEST_SUITE("report.templates")
