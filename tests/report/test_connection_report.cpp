// SPDX-License-Identifier: MIT
// The connection table: human sizes and durations, service column, text / JSON lines / CSV, footer.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstdio>
#include <limits>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nfpcap/report/connection_report.hpp"

using namespace nfpcap;
using analyze::Connection;
using analyze::DirectionRule;
using report::human_duration;
using report::human_size;
using report::service_of;

namespace {

constexpr std::uint64_t kKiB = 1024;
constexpr std::uint64_t kMiB = 1024 * kKiB;
constexpr std::uint64_t kGiB = 1024 * kMiB;
constexpr std::int64_t kMs = 1'000'000;
constexpr std::int64_t kSec = 1'000 * kMs;
constexpr std::int64_t kT0 = 1'700'000'000'123'456'789;  // 2023-11-14T22:13:20.123456789Z

wire::IpAddress ip(const char* text) { return wire::IpAddress::parse(text); }
wire::Endpoint ep(const char* addr, std::uint16_t port) { return {ip(addr), port}; }

Connection conn(std::uint8_t protocol, wire::Endpoint client, wire::Endpoint server) {
    Connection c;
    c.protocol = protocol;
    c.client = client;
    c.server = server;
    c.exporter = ep("192.0.2.9", 2055);
    return c;
}

// A TCP connection to https, paired from two records and decided by its SYN.
Connection https() {
    Connection c = conn(6, ep("10.0.0.1", 51000), ep("192.0.2.80", 443));
    c.has_time = true;
    c.start_ns = kT0;
    c.end_ns = kT0 + 2500 * kMs;
    c.packets = {12, 9};
    c.bytes = {1500, 64000};
    c.seen = {true, true};
    c.records = 2;
    c.rule = DirectionRule::syn;
    c.tcp_flags = {0x1b, 0x1b};  // SYN ACK PSH FIN each way
    return c;
}

// A one-way ICMPv6 echo request without times.
Connection ping6() {
    Connection c = conn(58, ep("2001:db8::1", 0), ep("2001:db8::2", 0));
    c.icmp_type = 128;
    c.packets = {4, 0};
    c.bytes = {416, 0};
    c.seen = {true, false};
    c.records = 1;
    c.rule = DirectionRule::icmp;
    return c;
}

std::string render(const analyze::Selection& selection, const report::ConnectionFooter& footer,
                   const report::NameMap& names, const report::ConnectionReportOptions& options) {
    std::FILE* file = std::tmpfile();
    REQUIRE(file != nullptr);
    {
        report::Output out(file);
        report::write_connections(out, selection, footer, names, options);
    }
    std::string text;
    std::rewind(file);
    char chunk[4096];
    std::size_t n = 0;
    while ((n = std::fread(chunk, 1, sizeof chunk, file)) > 0) text.append(chunk, n);
    std::fclose(file);
    return text;
}

report::ConnectionReportOptions format(report::Format f) {
    report::ConnectionReportOptions o;
    o.format = f;
    return o;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

}  // namespace

TEST_SUITE("report.connections") {

TEST_CASE("human_size: bytes below 1 KiB, then three significant digits in powers of 1024") {
    CHECK(human_size(0) == "0");
    CHECK(human_size(512) == "512");
    CHECK(human_size(1023) == "1023");
    CHECK(human_size(kKiB) == "1.00K");
    CHECK(human_size(1536) == "1.50K");
    CHECK(human_size(4352) == "4.25K");
    CHECK(human_size(10 * kKiB) == "10.0K");
    CHECK(human_size(43520) == "42.5K");
    CHECK(human_size(100 * kKiB) == "100K");
    CHECK(human_size(999 * kKiB) == "999K");
    CHECK(human_size(1023 * kKiB) == "1.00M");  // not "1023K": four digits would widen the column
    CHECK(human_size(4456448) == "4.25M");
    CHECK(human_size(42 * kMiB + kMiB / 2) == "42.5M");
    CHECK(human_size(425 * kGiB) == "425G");
    CHECK(human_size(1024 * kGiB) == "1.00T");
    CHECK(human_size(std::numeric_limits<std::uint64_t>::max()) == "16.0E");
}

TEST_CASE("human_duration: tenths below 1 s, whole seconds, then m:ss and h:mm:ss") {
    CHECK(human_duration(0) == "0.0 sec");
    CHECK(human_duration(-5 * kSec) == "0.0 sec");
    CHECK(human_duration(300 * kMs) == "0.3 sec");
    CHECK(human_duration(949 * kMs) == "0.9 sec");
    CHECK(human_duration(950 * kMs) == "1 sec");
    CHECK(human_duration(3 * kSec) == "3 sec");
    CHECK(human_duration(9400 * kMs) == "9 sec");
    CHECK(human_duration(10 * kSec) == "10 sec");
    CHECK(human_duration(59 * kSec) == "59 sec");
    CHECK(human_duration(59'499 * kMs) == "59 sec");
    CHECK(human_duration(59'500 * kMs) == "1:00 min");
    CHECK(human_duration(927 * kSec) == "15:27 min");
    CHECK(human_duration(3599 * kSec) == "59:59 min");
    CHECK(human_duration(3600 * kSec) == "1:00:00 h");
    CHECK(human_duration(4989 * kSec) == "1:23:09 h");
    CHECK(human_duration(100 * (3600 * kSec)) == "100:00:00 h");
}

TEST_CASE("service_of: ICMP type name, else the server's port, else the client's") {
    CHECK(service_of(conn(6, ep("10.0.0.1", 51000), ep("10.0.0.2", 443))) == "https");
    CHECK(service_of(conn(17, ep("10.0.0.1", 40000), ep("10.0.0.2", 53))) == "domain");
    // The port rule can leave a service port on the client's side when neither side is clear.
    CHECK(service_of(conn(6, ep("10.0.0.1", 22), ep("10.0.0.2", 50000))) == "ssh");
    CHECK(service_of(conn(6, ep("10.0.0.1", 50000), ep("10.0.0.2", 50001))).empty());

    Connection echo = conn(1, ep("10.0.0.1", 0), ep("10.0.0.2", 0));
    CHECK(service_of(echo).empty());  // no ICMP type known
    echo.icmp_type = 8;
    CHECK(service_of(echo) == "echo-request");
    echo.icmp_type = 99;
    CHECK(service_of(echo) == "type 99");
    CHECK(service_of(ping6()) == "echo-request");
}

TEST_CASE("JSON lines: one object per connection with stable keys") {
    const Connection a = https();
    const Connection b = ping6();
    analyze::Selection selection = analyze::Selection::of({a, b});
    selection.below_min_packets = 3;  // the footer is text only
    report::NameMap names;
    names.emplace(ip("10.0.0.1"), "laptop");
    names.emplace(ip("2001:db8::2"), "host \"two\"");
    const std::string out = render(selection, {}, names, format(report::Format::json));
    CHECK(
        out ==
        "{\"start\":\"2023-11-14T22:13:20.123Z\",\"end\":\"2023-11-14T22:13:22.623Z\",\"duration_ms\":2500,"
        "\"protocol\":6,\"protocol_name\":\"tcp\",\"service\":\"https\",\"client\":\"10.0.0.1\",\"client_port\":51000,"
        "\"server\":\"192.0.2.80\",\"server_port\":443,\"client_name\":\"laptop\",\"server_name\":null,"
        "\"packets_to_server\":12,\"packets_to_client\":9,\"bytes_to_server\":1500,\"bytes_to_client\":64000,"
        "\"records\":2,\"direction_rule\":\"syn\",\"one_way\":false,\"client_tcp_flags\":\".AP.SF\","
        "\"server_tcp_flags\":\".AP.SF\",\"state\":\"established\",\"exporter\":\"192.0.2.9:2055\"}\n"
        "{\"start\":null,\"end\":null,\"duration_ms\":null,\"protocol\":58,\"protocol_name\":\"ipv6-icmp\","
        "\"service\":\"echo-request\","
        "\"client\":\"2001:db8::1\",\"client_port\":0,\"server\":\"2001:db8::2\",\"server_port\":0,"
        "\"client_name\":null,\"server_name\":\"host \\\"two\\\"\",\"packets_to_server\":4,\"packets_to_client\":0,"
        "\"bytes_to_server\":416,\"bytes_to_client\":0,\"records\":1,\"direction_rule\":\"icmp\",\"one_way\":true,"
        "\"exporter\":\"192.0.2.9:2055\"}\n");

    SUBCASE("every direction rule is named") {
        // The names are the documented JSON values (man page), not whatever analyze::name says.
        const std::pair<DirectionRule, std::string_view> rules[] = {{DirectionRule::syn, "syn"},
                                                                    {DirectionRule::icmp, "icmp"},
                                                                    {DirectionRule::start, "start"},
                                                                    {DirectionRule::port, "port"}};
        for (const auto& [rule, expected] : rules) {
            Connection c = https();
            c.rule = rule;
            analyze::Selection one = analyze::Selection::of({c});
            const std::string line = render(one, {}, {}, format(report::Format::json));
            CAPTURE(line);
            CHECK(line.find(fmt::format("\"direction_rule\":\"{}\",", expected)) != std::string::npos);
        }
    }
    SUBCASE("nothing shown: no output") { CHECK(render({}, {}, {}, format(report::Format::json)).empty()); }
}

// What the hostile-number rules did to a connection is said with it: JSON "anomalies" (only
// when there are some: the keys of ordinary rows stay as they were), the CSV column, the footer.
TEST_CASE("anomalies: saturated counters, reversed and clamped times") {
    Connection a = https();
    a.packets = {UINT64_MAX, 9};
    a.saturated = a.reversed = a.time_clamped = true;
    Connection b = https();
    b.reversed = true;
    const Connection plain = https();
    const analyze::Selection selection = analyze::Selection::of({a, b, plain});
    const auto json = lines_of(render(selection, {}, {}, format(report::Format::json)));
    REQUIRE(json.size() == 3);
    CHECK(json[0].find("\"packets_to_server\":18446744073709551615,") != std::string::npos);
    CHECK(json[0].find(",\"anomalies\":[\"counter_saturated\",\"time_reversed\",\"time_clamped\"]}") !=
          std::string::npos);
    CHECK(json[1].find(",\"anomalies\":[\"time_reversed\"]}") != std::string::npos);
    CHECK(json[2].find("anomalies") == std::string::npos);
    const auto csv = lines_of(render(selection, {}, {}, format(report::Format::csv)));
    REQUIRE(csv.size() == 4);
    CHECK(csv[1].substr(csv[1].rfind(',')) == ",counter_saturated time_reversed time_clamped");
    CHECK(csv[2].substr(csv[2].rfind(',')) == ",time_reversed");
    CHECK(csv[3].back() == ',');
    report::ConnectionFooter footer;
    footer.saturated = 1;
    footer.reversed = 2;
    footer.time_clamped = 1;
    const std::string text = render(selection, footer, {}, format(report::Format::text));
    CHECK(text.find("1 connections with a counter stopped at 2^64-1 (saturated).") != std::string::npos);
    CHECK(text.find("2 connections with a record that ends before it starts (taken as lasting 0).") !=
          std::string::npos);
    CHECK(text.find("1 connections with times clamped to 1677..2262 (int64 nanoseconds).") != std::string::npos);
    CHECK(render(selection, {}, {}, format(report::Format::text)).find("saturated") == std::string::npos);
}

TEST_CASE("CSV: header, then one row per connection; names with commas quoted") {
    const Connection a = https();
    const Connection b = ping6();
    analyze::Selection selection = analyze::Selection::of({a, b});
    report::NameMap names;
    names.emplace(ip("192.0.2.80"), "web, \"front\"");
    const auto lines = lines_of(render(selection, {}, names, format(report::Format::csv)));
    REQUIRE(lines.size() == 3);
    CHECK(lines[0] ==
          "start,end,duration_ms,protocol,service,client,client_port,server,server_port,client_name,server_name,"
          "packets_to_server,packets_to_client,bytes_to_server,bytes_to_client,records,direction_rule,one_way,"
          "exporter,protocol_name,client_tcp_flags,server_tcp_flags,state,anomalies");
    CHECK(lines[1] ==
          "2023-11-14T22:13:20.123Z,2023-11-14T22:13:22.623Z,2500,6,https,10.0.0.1,51000,192.0.2.80,443,,"
          "\"web, \"\"front\"\"\",12,9,1500,64000,2,syn,false,192.0.2.9:2055,tcp,.AP.SF,.AP.SF,established,");
    CHECK(lines[2] ==
          ",,,58,echo-request,2001:db8::1,0,2001:db8::2,0,,,4,0,416,0,1,icmp,true,192.0.2.9:2055,ipv6-icmp,,,,");
}

TEST_CASE("text: aligned table, then the footer") {
    const Connection a = https();
    const Connection b = ping6();
    Connection v6 = conn(17, ep("2001:db8::1", 40000), ep("2001:db8::53", 53));
    v6.has_time = true;
    v6.start_ns = kT0 + 927 * kSec;
    v6.end_ns = v6.start_ns + 927 * kSec;
    v6.packets = {1, 1};
    v6.bytes = {60, 4456448};
    analyze::Selection selection = analyze::Selection::of({a, b, v6});
    selection.below_min_packets = 7;
    report::NameMap names;
    names.emplace(ip("10.0.0.1"), "laptop");
    report::ConnectionFooter footer;
    footer.connections = 10;
    footer.one_way = 2;
    footer.records = 19;
    footer.first_ns = kT0;
    footer.last_ns = kT0 + 1854 * kSec;
    footer.exporters = {ep("192.0.2.9", 2055)};
    report::ConnectionReportOptions options;
    options.min_packets = 10;

    const std::string out = render(selection, footer, names, options);
    CAPTURE(out);
    const auto lines = lines_of(out);
    REQUIRE(lines.size() >= 4);
    // Columns padded to their widest cell: every line's Flags column starts where the header's does.
    const std::size_t flags_at = lines[0].find("Flags");
    REQUIRE(flags_at != std::string::npos);
    for (std::size_t i = 1; i < 4; ++i) {
        CAPTURE(lines[i]);
        CHECK(lines[i].substr(flags_at - 2, 2) == "  ");
        CHECK(lines[i][flags_at] != ' ');
    }
    CHECK(lines[0].rfind("Start (UTC)", 0) == 0);
    for (const char* column : {"Duration", "Proto", "Service", "Client", "Server", "C>S pkts", "C>S bytes", "S>C pkts",
                               "S>C bytes", "Flags", "State"}) {
        CHECK(lines[0].find(column) != std::string::npos);
    }
    CHECK(lines[1].rfind("2023-11-14 22:13:20.123  ", 0) == 0);
    for (const char* cell : {" 3 sec  tcp ", "  https ", "  laptop (10.0.0.1):51000 ", "  192.0.2.80:443 ", "  12  ",
                             "  1.46K  ", "  9  "}) {
        CAPTURE(cell);
        CHECK(lines[1].find(cell) != std::string::npos);
    }
    CHECK(lines[1].substr(flags_at - 9) == "  62.5K  .AP.SF/.AP.SF  established");
    // No time: dashes. ICMP: no ports, so IPv6 without brackets.
    CHECK(lines[2].rfind("-  ", 0) == 0);
    CHECK(lines[2].find("ipv6-icmp") != std::string::npos);
    CHECK(lines[2].find("echo-request") != std::string::npos);
    CHECK(lines[2].find("2001:db8::1  ") != std::string::npos);
    CHECK(lines[2].find('[') == std::string::npos);
    // IPv6 with a port: brackets.
    CHECK(lines[3].find("15:27 min  udp ") != std::string::npos);
    CHECK(lines[3].find("domain") != std::string::npos);
    CHECK(lines[3].find("[2001:db8::1]:40000") != std::string::npos);
    CHECK(lines[3].find("[2001:db8::53]:53") != std::string::npos);
    CHECK(lines[3].substr(flags_at - 9, 7) == "  4.25M");
    CHECK(lines[3].substr(flags_at) == "-              -");  // not TCP: no flags, no state

    const std::string table_end = lines[3] + "\n";
    const std::string rest = out.substr(out.find(table_end) + table_end.size());
    CHECK(rest ==
          "\n3 of 10 connections shown (19 flow records; 2 one-way).\n"
          "7 connections with fewer than 10 packets skipped (-p 0 shows all).\n"
          "Time range: 2023-11-14 22:13:20.123 to 2023-11-14 22:44:14.123 (UTC).\n"
          "Exporter: 192.0.2.9:2055.\n");
}

TEST_CASE("text footer: each skip reason, several exporters, undecoded input") {
    const Connection a = https();
    analyze::Selection selection = analyze::Selection::of({a});
    selection.below_min_packets = 1;
    selection.other_hosts = 4;
    selection.beyond_top = 5;
    report::ConnectionFooter footer;
    footer.connections = 11;
    footer.records = 30;
    footer.exporters = {ep("192.0.2.9", 2055), ep("2001:db8::9", 4739)};
    footer.losses = {{2, "export datagrams not decoded: datagram shorter than its export header (header_truncated)"},
                     {30000, "export datagrams not decoded: session limit (20000 sessions) reached"}};
    footer.stats_hint = "nfpcap stats a.pcap";
    report::ConnectionReportOptions options;
    options.min_packets = 3;
    const std::string out = render(selection, footer, {}, options);
    const std::string footer_text = out.substr(out.find("\n\n") + 1);
    CHECK(footer_text ==
          "\n1 of 11 connections shown (30 flow records).\n"
          "1 connections with fewer than 3 packets skipped (-p 0 shows all).\n"
          "4 connections not involving --match-host skipped.\n"
          "5 smaller connections beyond --top skipped.\n"
          "Exporters: 192.0.2.9:2055 [2001:db8::9]:4739.\n"
          "2 export datagrams not decoded: datagram shorter than its export header (header_truncated).\n"
          "30000 export datagrams not decoded: session limit (20000 sessions) reached.\n"
          "`nfpcap stats a.pcap` says more.\n");
}

TEST_CASE("text with nothing to show: header and footer only") {
    const std::string out = render({}, {}, {}, {});
    const auto lines = lines_of(out);
    REQUIRE(lines.size() == 3);
    CHECK(lines[0].rfind("Start (UTC)  Duration  Proto  Service  Client  Server  C>S pkts", 0) == 0);
    CHECK(lines[1].empty());
    CHECK(lines[2] == "0 of 0 connections shown (0 flow records).");
}

TEST_CASE("text in local time says so") {
    const Connection a = https();
    analyze::Selection selection = analyze::Selection::of({a});
    report::ConnectionFooter footer;
    footer.first_ns = kT0;
    footer.last_ns = kT0;
    report::ConnectionReportOptions options;
    options.local_time = true;
    const std::string out = render(selection, footer, {}, options);
    CHECK(out.rfind("Start (local)", 0) == 0);
    CHECK(out.find(" (local).\n") != std::string::npos);
}

}  // TEST_SUITE("report.connections")
