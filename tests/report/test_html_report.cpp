// SPDX-License-Identifier: MIT
// The HTML report page: sections and ids, numbers as the text table prints them, escaping of
// everything from the capture, sort attributes, and bounded output for very large models.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstdio>
#include <limits>
#include <regex>
#include <string>
#include <vector>

#include "../../src/report/html_internal.hpp"
#include "nfpcap/report/html_report.hpp"

using namespace nfpcap;
using report::HtmlConnectionRow;
using report::HtmlReportData;
using report::HtmlReportOptions;
using report::HtmlTimeline;

namespace {

constexpr std::int64_t kSec = 1'000'000'000;
constexpr std::int64_t kT0 = 1'714'564'800 * kSec;  // 2024-05-01T12:00:00Z

std::string render(const HtmlReportData& data, const HtmlReportOptions& options = {}) {
    std::FILE* file = std::tmpfile();
    REQUIRE(file != nullptr);
    {
        report::Output out(file);
        report::write_html_report(out, data, options);
    }
    std::string text;
    std::rewind(file);
    char chunk[65536];
    std::size_t n = 0;
    while ((n = std::fread(chunk, 1, sizeof chunk, file)) > 0) text.append(chunk, n);
    std::fclose(file);
    return text;
}

std::size_t count(const std::string& haystack, const std::string& needle) {
    std::size_t n = 0;
    for (auto pos = haystack.find(needle); pos != std::string::npos; pos = haystack.find(needle, pos + needle.size())) {
        ++n;
    }
    return n;
}

// The text between `<section id="ID">` and its `</section>`.
std::string section(const std::string& page, const std::string& id) {
    const auto start = page.find("<section id=\"" + id + "\">");
    REQUIRE(start != std::string::npos);
    const auto end = page.find("</section>", start);
    REQUIRE(end != std::string::npos);
    return page.substr(start, end - start);
}

std::size_t svg_elements(const std::string& page) {
    std::size_t n = 0;
    for (const char* tag : {"<svg", "<path", "<rect", "<line", "<text", "<g ", "<g>", "<circle", "<polyline"}) {
        n += count(page, tag);
    }
    return n;
}

HtmlConnectionRow connection(const char* client, std::uint16_t cport, const char* server, std::uint16_t sport,
                             std::uint64_t bytes_to_server, std::uint64_t bytes_to_client) {
    HtmlConnectionRow c;
    c.start_ns = kT0;
    c.end_ns = kT0 + 927 * kSec;  // 15:27 min
    c.protocol = 6;
    c.service = "https";
    c.client = client;
    c.client_port = cport;
    c.server = server;
    c.server_port = sport;
    c.packets_to_server = 1234567;
    c.packets_to_client = 9;
    c.bytes_to_server = bytes_to_server;
    c.bytes_to_client = bytes_to_client;
    c.records = 2;
    c.direction_rule = "syn";
    c.exporter = "192.0.2.1:2055";
    return c;
}

HtmlTimeline timeline(std::size_t buckets, std::size_t groups, std::int64_t interval) {
    HtmlTimeline t;
    t.title = "All exporters";
    t.interval_ns = interval;
    for (std::size_t g = 0; g < groups; ++g) t.groups.push_back(fmt::format("group{}", g));
    for (std::size_t b = 0; b < buckets; ++b) {
        report::HtmlTimelineBucket bucket;
        bucket.start_ns = kT0 + static_cast<std::int64_t>(b) * interval;
        for (std::size_t g = 0; g < groups; ++g) {
            bucket.groups.push_back({1, 10 * (g + 1), 1000 * (groups - g) + b});
        }
        t.buckets.push_back(std::move(bucket));
    }
    return t;
}

HtmlReportData small_model() {
    HtmlReportData d;
    d.summary.files.push_back({"capture.pcap", "EN10MB", 42, ""});
    d.summary.first_ns = kT0;
    d.summary.last_ns = kT0 + 927 * kSec;
    d.summary.exporters = 1;
    d.summary.sessions = 1;
    d.summary.udp_datagrams = 1234567;
    d.summary.export_datagrams = 1234567;
    d.summary.decoded_datagrams = 1234560;
    d.summary.partial_datagrams = 7;
    d.summary.bytes = 4'456'448;  // 4.25M
    d.summary.packets = 1234576;
    d.summary.reasons.push_back(
        {"missing_template", "data set whose template this session has not seen (yet)", 7, true});
    d.connections.push_back(connection("10.0.0.2", 51000, "192.0.2.80", 443, 4'456'448 - 1000, 1000));
    d.connections.push_back(connection("10.0.0.10", 51001, "192.0.2.80", 443, 500, 20));
    d.timelines.push_back(timeline(30, 3, 10 * kSec));
    report::HtmlTopList top;
    top.title = "Hosts";
    top.key_heading = "Host";
    top.entries.push_back({"192.0.2.80", 2, 1234576, 4'456'968, 1.0});
    top.entries.push_back({"10.0.0.2", 1, 1234576, 4'456'448, 0.9999});
    d.top_talkers.push_back(top);
    report::HtmlExporterRow e;
    e.exporter = "192.0.2.1:2055";
    e.collector = "192.0.2.9:2055";
    e.version = 9;
    e.datagrams = 1234567;
    e.sequence_gaps = 2;
    e.sequence_missing = 40;
    e.sequence_loss = {{kT0 + 10 * kSec, 30}, {kT0 + 500 * kSec, 10}};
    e.issues.push_back({"missing_template",
                        "data set whose template this session has not seen (yet)",
                        20,
                        true,
                        {3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, 1597}});
    d.exporters.push_back(e);
    report::HtmlTemplateSession ts{"192.0.2.1:2055", "192.0.2.9:2055", 9, 0, {}};
    ts.templates.push_back(
        {256,
         false,
         8,
         true,
         1,
         {{"sourceIPv4Address", 8, 0, 4, false, false}, {"octetDeltaCount", 1, 0, 4, false, false}}});
    d.templates.push_back(ts);
    return d;
}

}  // namespace

TEST_SUITE("report.html") {

TEST_CASE("every section with its id, in order, once; nothing fetched") {
    for (const HtmlReportData& d : {HtmlReportData{}, small_model()}) {
        const std::string page = render(d);
        CHECK(page.rfind("<!DOCTYPE html>\n", 0) == 0);
        CHECK(page.find("<meta charset=\"utf-8\">") != std::string::npos);
        std::size_t last = 0;
        for (const char* id :
             {"summary", "timeline", "top-talkers", "services", "exporters", "connections", "templates"}) {
            CAPTURE(id);
            const std::string tag = fmt::format("<section id=\"{}\">", id);
            CHECK(count(page, tag) == 1);
            CHECK(page.find(tag) > last);
            last = page.find(tag);
            CHECK(count(page, fmt::format("href=\"#{}\"", id)) == 1);  // the table of contents
        }
        // One file: no external resources of any kind.
        for (const char* external : {"<link", "src=", "@import", "url(", "http://", "https://", "<iframe", "<img"}) {
            CAPTURE(external);
            CHECK(page.find(external) == std::string::npos);
        }
        CHECK(page.find("@media (prefers-color-scheme: dark)") != std::string::npos);
        CHECK(page.find("@media print") != std::string::npos);
        CHECK(page.rfind("</html>\n") == page.size() - 8);
    }
}

TEST_CASE("numbers as the text table prints them") {
    const std::string page = render(small_model());
    const std::string summary = section(page, "summary");
    CHECK(summary.find(">4.25M<") != std::string::npos);          // human_size
    CHECK(summary.find("4,456,448 bytes") != std::string::npos);  // exact, in the tooltip
    CHECK(summary.find(">15:27 min<") != std::string::npos);      // human_duration
    CHECK(summary.find("1,234,567") != std::string::npos);        // counts grouped
    CHECK(summary.find("2024-05-01 12:00:00 \u2013 12:15:27 UTC") != std::string::npos);
    const std::string conns = section(page, "connections");
    CHECK(conns.find(">12:00:00.000<") != std::string::npos);  // the date once, above the table
    CHECK(conns.find("All start on 2024-05-01 (UTC).") != std::string::npos);
    CHECK(conns.find("data-v=\"927000000000\">15:27 min<") != std::string::npos);
    CHECK(conns.find("data-v=\"4455448\" title=\"4,455,448 bytes\">4.25M<") != std::string::npos);
    CHECK(conns.find("data-v=\"1234567\">1,234,567<") != std::string::npos);
    CHECK(conns.find("All 2 connections.") != std::string::npos);
    const std::string top = section(page, "top-talkers");
    CHECK(top.find("99.9 %") != std::string::npos);
    CHECK(top.find("100 %") != std::string::npos);
    // Issue frames: the first few, and how many more.
    const std::string exporters = section(page, "exporters");
    CHECK(exporters.find("data-v=\"3\">3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610 <span class=\"muted\">and 8 "
                         "more</span>") != std::string::npos);
    CHECK(exporters.find(">40</span>") != std::string::npos);  // sequence loss
    CHECK(exporters.find("<svg class=\"spark\"") != std::string::npos);
}

TEST_CASE("connections over several days show their dates; without times a dash that sorts first") {
    HtmlReportData d = small_model();
    d.connections[1].start_ns = kT0 + 86400 * kSec;
    d.connections[1].end_ns = kT0 + 86401 * kSec;
    d.connections.push_back(d.connections[0]);
    d.connections.back().start_ns.reset();
    d.connections.back().end_ns.reset();
    d.connections.back().service.clear();
    const std::string conns = section(render(d), "connections");
    CHECK(conns.find(">2024-05-01 12:00:00.000<") != std::string::npos);
    CHECK(conns.find(">2024-05-02 12:00:00.000<") != std::string::npos);
    CHECK(conns.find("All start on") == std::string::npos);
    CHECK(count(conns, "<td class=\"time\" data-v=\"\">\u2013</td><td class=\"num\" data-v=\"\">\u2013</td>") == 1);
    CHECK(count(conns, "<td data-v=\"\">\u2013</td>") == 1);  // no service
}

TEST_CASE("local time when asked") {
    HtmlReportOptions o;
    o.local_time = true;
    const std::string page = render(small_model(), o);
    CHECK(page.find("Start (local)") != std::string::npos);
    CHECK(render(small_model()).find("Start (UTC)") != std::string::npos);
}

TEST_CASE("every text from the capture is escaped; data cannot leave the JSON script") {
    HtmlReportData d = small_model();
    const std::string evil = "</script><script>alert(1)</script><b onmouseover='x'>\"&";
    d.title = evil;
    d.command = evil;
    d.filter = evil;
    d.generator = evil;
    d.summary.files[0].name = evil;
    d.summary.files[0].error = evil;
    d.summary.reasons[0].description = evil;
    d.connections[0].client_name = evil;
    d.connections[0].server_name = evil;
    d.connections[0].service = evil;
    d.connections[1].exporter = evil;
    d.timelines[0].title = evil;
    d.timelines[0].groups[0] = evil;
    d.timelines[0].group_by = evil;
    d.top_talkers[0].title = evil;
    d.top_talkers[0].entries[0].key = evil;
    d.exporters[0].exporter = evil;
    d.exporters[0].description = evil;
    d.exporters[0].issues[0].reason = evil;
    d.templates[0].exporter = evil;
    d.templates[0].templates[0].fields[0].name = evil;
    const std::string page = render(d);
    // Only the page's own two scripts and its own markup.
    CHECK(count(page, "<script") == 2);
    CHECK(count(page, "</script>") == 2);
    CHECK(page.find("<b ") == std::string::npos);
    CHECK(page.find("onmouseover") != std::string::npos);  // as text
    const std::string markup = page.substr(0, page.find("<script type=\"application/json\""));
    CHECK(markup.find("onmouseover='") == std::string::npos);
    CHECK(count(page,
                "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;b onmouseover=&#39;x&#39;&gt;&quot;&amp;") >=
          15);
    // The embedded JSON holds the name with < and > as \u escapes.
    const auto json_start = page.find("<script type=\"application/json\" id=\"nfpcap-summary\">");
    REQUIRE(json_start != std::string::npos);
    const auto json_end = page.find("</script>", json_start);
    const std::string json = page.substr(json_start, json_end - json_start);
    CHECK(json.find("\\u003c/script\\u003e\\u003cscript\\u003ealert(1)") != std::string::npos);
}

TEST_CASE("sortable tables: every heading says how it sorts, every number cell holds its raw value") {
    const std::string page = render(small_model());
    const std::string conns = section(page, "connections");
    const std::regex th("<th( class=\"num\")? data-type=\"(num|key|text)\"[^>]*><button type=\"button\">");
    const auto headings = static_cast<std::size_t>(
        std::distance(std::sregex_iterator(conns.begin(), conns.end(), th), std::sregex_iterator()));
    CHECK(headings == 11);
    CHECK(count(conns, "<th ") + count(conns, "<th>") == 11);
    CHECK(conns.find("<table class=\"data sortable\" id=\"connections-table\">") != std::string::npos);
    // Every numeric cell: an integer in data-v.
    const std::regex num_cell("<td class=\"num\" data-v=\"([^\"]*)\"");
    std::size_t cells = 0;
    for (auto m = std::sregex_iterator(conns.begin(), conns.end(), num_cell); m != std::sregex_iterator(); ++m) {
        CHECK(std::regex_match((*m)[1].str(), std::regex("-?[0-9]+")));
        ++cells;
    }
    CHECK(cells == 2 * 6);  // duration, 4 counters, total bytes
    // Address keys order numerically (10.0.0.2 before 10.0.0.10), unlike their text.
    const std::regex host(
        "<td class=\"host\" data-v=\"([^\"]+)\"[^>]*>(<span class=\"name\">[^<]*</span> )?<span "
        "class=\"addr\">10\\.0\\.0\\.(2|10):");
    std::string key2, key10;
    for (auto m = std::sregex_iterator(conns.begin(), conns.end(), host); m != std::sregex_iterator(); ++m) {
        ((*m)[3].str() == "2" ? key2 : key10) = (*m)[1].str();
    }
    REQUIRE(!key2.empty());
    REQUIRE(!key10.empty());
    CHECK(key2 < key10);
    // The script that sorts and filters is there, and the filter control is hidden without it.
    CHECK(page.find("<div class=\"controls\" hidden>") != std::string::npos);
    CHECK(page.find("id=\"connections-filter\"") != std::string::npos);
    CHECK(page.find("function sortBy(") != std::string::npos);
}

TEST_CASE("the connection table shows the largest by bytes, in the order given, and says so") {
    std::vector<HtmlConnectionRow> rows;
    for (std::uint64_t b : {5ULL, 50ULL, 1ULL, 40ULL, 50ULL, 3ULL})
        rows.push_back(connection("10.0.0.1", 1, "10.0.0.2", 2, b, 0));
    CHECK(report::html::shown_connections(rows, 3) == std::vector<std::size_t>{1, 3, 4});
    CHECK(report::html::shown_connections(rows, 10).size() == 6);
    HtmlReportData d;
    d.connections = rows;
    d.connections_total = 600;
    HtmlReportOptions o;
    o.max_connections = 3;
    const std::string conns = section(render(d, o), "connections");
    CHECK(conns.find("3 of 600 connections are shown: the largest by bytes.") != std::string::npos);
    CHECK(count(conns, "<tr") == 3 + 1);
}

TEST_CASE("timelines are merged down to the bounds: fewer intervals and groups, same totals") {
    const HtmlTimeline t = timeline(1000, 12, kSec);
    const HtmlTimeline b = report::html::bounded_timeline(t, 240, 8);
    CHECK(b.buckets.size() <= 240);
    CHECK(b.buckets.size() >= 200);
    CHECK(b.interval_ns == 5 * kSec);  // whole multiples of the interval
    REQUIRE(b.groups.size() == 8);
    CHECK(b.groups.back() == "other");
    CHECK(b.groups.front() == "group0");  // the largest keep their stacking order
    std::uint64_t in = 0, out = 0, in_packets = 0, out_packets = 0;
    for (const auto& x : t.buckets) {
        for (const auto& c : x.groups) in += c.bytes, in_packets += c.packets;
    }
    for (const auto& x : b.buckets) {
        CHECK(x.groups.size() == 8);
        for (const auto& c : x.groups) out += c.bytes, out_packets += c.packets;
    }
    CHECK(in == out);
    CHECK(in_packets == out_packets);
    for (std::size_t i = 1; i < b.buckets.size(); ++i) {
        CHECK(b.buckets[i].start_ns - b.buckets[i - 1].start_ns == b.interval_ns);
    }
    // Gaps become empty intervals on the same grid.
    HtmlTimeline gaps = timeline(2, 1, kSec);
    gaps.buckets[1].start_ns = kT0 + 9 * kSec;
    const HtmlTimeline g = report::html::bounded_timeline(gaps, 240, 8);
    REQUIRE(g.buckets.size() == 10);
    CHECK(g.buckets[5].groups[0].bytes == 0);
    CHECK(g.buckets[9].groups[0].bytes == gaps.buckets[1].groups[0].bytes);
}

TEST_CASE("times at the ends of the range (saturated capture times) draw without overflow") {
    constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
    constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
    HtmlReportData d = small_model();
    HtmlTimeline t = timeline(3, 2, 1);
    t.buckets[0].start_ns = kMin;
    t.buckets[1].start_ns = 0;
    t.buckets[2].start_ns = kMax;
    d.timelines = {t};
    d.summary.first_ns = kMin;
    d.summary.last_ns = kMax;
    d.connections[0].start_ns = kMin;
    d.connections[0].end_ns = kMax;
    d.exporters[0].first_ns = kMin;
    d.exporters[0].last_ns = kMax;
    d.exporters[0].sequence_loss = {{kMin, 1}, {kMax, 2}};
    const std::string page = render(d);
    CHECK(count(section(page, "timeline"), "<svg class=\"chart\"") == 2);
    const HtmlTimeline b = report::html::bounded_timeline(t, 240, 8);
    REQUIRE(!b.buckets.empty());
    CHECK(b.buckets.size() <= 240);
    std::uint64_t bytes = 0;
    for (const auto& x : b.buckets) {
        for (const auto& c : x.groups) bytes += c.bytes;
    }
    CHECK(bytes == 2000 + 1000 + 2001 + 1001 + 2002 + 1002);
}

// Found by fuzz_report (corpus/report/report_svg_coordinate_overflow): once the page's timeline
// interval grew with a range of centuries, a chart coordinate of -3.4e21 was converted to long
// long (undefined behaviour). Coordinates are clamped; the page still draws.
TEST_CASE("report_svg_coordinate_overflow") {
    constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
    constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
    for (std::int64_t interval : {std::int64_t{1}, std::int64_t{184'467'440'737'095'517}, kMax}) {
        CAPTURE(interval);
        HtmlReportData d = small_model();
        HtmlTimeline t = timeline(3, 2, 1);
        t.interval_ns = interval;
        t.buckets[0].start_ns = kMin;
        t.buckets[1].start_ns = kMin + interval;
        t.buckets[2].start_ns = kMax;
        t.buckets[1].groups[0] = {UINT64_MAX, UINT64_MAX, UINT64_MAX};
        d.timelines = {t};
        d.summary.first_ns = kMin;
        d.summary.last_ns = kMax;
        const std::string page = render(d);
        CHECK(count(section(page, "timeline"), "<svg class=\"chart\"") == 2);
        CHECK(page.find("e+") == std::string::npos);  // no coordinate in exponent notation
    }
}

TEST_CASE("a very large model: bounded SVG elements, bounded rows") {
    HtmlReportData d = small_model();
    d.connections.clear();
    for (std::uint32_t i = 0; i < 100'000; ++i) {
        const std::string client = fmt::format("10.{}.{}.{}", i >> 16U, (i >> 8U) & 255U, i & 255U);
        d.connections.push_back(connection(client.c_str(), 40000, "192.0.2.80", 443, 100 + i % 977, i % 13));
    }
    d.timelines.clear();
    for (int e = 0; e < 20; ++e) d.timelines.push_back(timeline(5000, 30, kSec));
    d.exporters.clear();
    for (int e = 0; e < 2000; ++e) {
        report::HtmlExporterRow row;
        row.exporter = fmt::format("192.0.2.{}:{}", e % 250, 2000 + e);
        row.collector = "192.0.2.9:2055";
        row.version = 10;
        row.datagrams = static_cast<std::uint64_t>(e);
        row.sequence_gaps = 500;
        for (int k = 0; k < 500; ++k) {
            row.sequence_loss.push_back({kT0 + k * kSec, 1});
            ++row.sequence_missing;
        }
        d.exporters.push_back(std::move(row));
    }
    const std::string page = render(d);
    const HtmlReportOptions defaults;
    // 12 timelines x 2 charts x (240 hover columns + titles, 8 paths, ticks) and 500 small
    // loss charts of a few elements: bounded whatever the model holds.
    const std::size_t elements = svg_elements(page);
    CAPTURE(elements);
    CHECK(elements < 12 * 2 * 300 + 500 * 6 + 100);
    CHECK(count(section(page, "timeline"), "<svg class=\"chart\"") == 2 * defaults.max_timelines);
    CHECK(section(page, "timeline").find("8 more timelines not drawn") != std::string::npos);
    const std::string conns = section(page, "connections");
    CHECK(count(conns, "<tr") == defaults.max_connections + 1);
    CHECK(conns.find("2,000 of 100,000 connections are shown: the largest by bytes.") != std::string::npos);
    const std::string exporters = section(page, "exporters");
    CHECK(count(exporters, "<svg class=\"spark\"") == defaults.max_exporters);
    CHECK(exporters.find("The 500 sessions with the most datagrams of 2,000.") != std::string::npos);
    CHECK(page.size() < 8'000'000);
}

}  // TEST_SUITE("report.html")
