// SPDX-License-Identifier: MIT
// Writes the browser test's large synthetic HTML report (reports of captures are
// `nfpcap report`'s): many connections, a day of intervals, loss, issues, hostile names.
//   html_report_sample [--local] --synthetic N -o OUT.html
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "nfpcap/report/html_report.hpp"

using namespace nfpcap;

namespace {

constexpr std::int64_t kMs = 1'000'000;
constexpr std::int64_t kSec = 1000 * kMs;

report::HtmlTopList top_list(std::string title, std::string heading,
                             const std::map<std::string, report::HtmlTopEntry>& by_key, std::uint64_t total_bytes) {
    report::HtmlTopList list;
    list.title = std::move(title);
    list.key_heading = std::move(heading);
    for (const auto& [key, e] : by_key) list.entries.push_back(e);
    std::stable_sort(list.entries.begin(), list.entries.end(),
                     [](const auto& a, const auto& b) { return a.bytes > b.bytes; });
    for (auto& e : list.entries)
        e.share = total_bytes ? static_cast<double>(e.bytes) / static_cast<double>(total_bytes) : 0;
    list.total_keys = list.entries.size();
    return list;
}

void add_to(std::map<std::string, report::HtmlTopEntry>& m, const std::string& key, std::uint64_t packets,
            std::uint64_t bytes) {
    auto& e = m[key];
    e.key = key;
    ++e.flows;
    e.packets += packets;
    e.bytes += bytes;
}

// A deterministic large model: `n` connections, a day of one-minute intervals per exporter,
// many services, sequence loss, issues, and names that must be escaped.
void synthetic(std::size_t n, report::HtmlReportData& data) {
    std::uint64_t state = 88172645463325252ULL;
    auto next = [&state] {  // xorshift64
        state ^= state << 13U;
        state ^= state >> 7U;
        state ^= state << 17U;
        return state;
    };
    constexpr std::int64_t kT0 = 1'714'521'600'000'000'000;  // 2024-05-01T00:00:00Z
    constexpr std::int64_t kMinute = 60 * kSec;
    const char* services[] = {"https", "domain", "http",  "ssh",    "imaps", "ntp",
                              "smtp",  "ldap",   "mysql", "syslog", "snmp",  "kerberos"};
    const char* exporters[] = {"192.0.2.1:2055", "192.0.2.2:2055", "[2001:db8::7]:4739"};
    data.title = "Synthetic capture <report>";
    data.command = "nfpcap report -o big.html synthetic.pcap";
    data.summary.files.push_back({"synthetic <\"capture\">.pcap", "EN10MB", 9'000'000, ""});
    data.summary.first_ns = kT0;
    data.summary.last_ns = kT0 + 1440 * kMinute - 1;
    data.summary.exporters = 3;
    data.summary.sessions = 3;
    data.summary.udp_datagrams = data.summary.export_datagrams = 3'000'000;
    data.summary.decoded_datagrams = 2'999'000;
    data.summary.partial_datagrams = 1000;
    data.summary.data_records = 90'000'000;
    data.summary.reasons.push_back(
        {"missing_template", "data set whose template this session has not seen (yet)", 1000, true});
    data.summary.reasons.push_back({"invalid_utf8", "string field that is not UTF-8: printed escaped", 12, false});
    for (std::size_t i = 0; i < n; ++i) {
        report::HtmlConnectionRow c;
        c.start_ns = kT0 + static_cast<std::int64_t>(next() % (1440ULL * 60'000ULL)) * kMs;
        c.end_ns = *c.start_ns + static_cast<std::int64_t>(next() % 600'000ULL) * kMs;
        c.protocol = next() % 5 == 0 ? 17 : 6;
        c.service = services[next() % std::size(services)];
        c.client = fmt::format("10.{}.{}.{}", next() % 4, next() % 256, next() % 256);
        c.server = fmt::format("198.51.100.{}", next() % 256);
        c.client_port = static_cast<std::uint16_t>(32768 + next() % 28000);
        c.server_port = 443;
        if (i % 1000 == 0) c.server_name = "<img src=x onerror=\"window.__pwned=1\">";
        c.packets_to_server = 1 + next() % 5000;
        c.packets_to_client = next() % 9000;
        c.bytes_to_server = c.packets_to_server * (60 + next() % 1400);
        c.bytes_to_client = c.packets_to_client * (60 + next() % 1400);
        c.records = 2;
        c.direction_rule = "syn";
        c.one_way = c.packets_to_client == 0;
        c.exporter = exporters[i % 3];
        data.summary.packets += c.packets_to_server + c.packets_to_client;
        data.summary.bytes += c.bytes();
        data.connections.push_back(std::move(c));
    }
    data.summary.connections = n;
    data.summary.flows = 2 * n;
    for (std::size_t e = 0; e < 3; ++e) {
        report::HtmlTimeline t;
        t.title = exporters[e];
        t.group_by = "service";
        t.interval_ns = kMinute;
        for (const char* s : services) t.groups.emplace_back(s);
        for (std::int64_t m = 0; m < 1440; ++m) {
            report::HtmlTimelineBucket b;
            b.start_ns = kT0 + m * kMinute;
            const double day = 0.6 + 0.4 * std::sin(static_cast<double>(m) / 1440.0 * 6.283 - 1.8);
            for (std::size_t g = 0; g < t.groups.size(); ++g) {
                const auto base = static_cast<std::uint64_t>(day * 4e6 / static_cast<double>(g + 1));
                const std::uint64_t bytes = base + next() % (base / 4 + 1);
                b.groups.push_back({bytes / 4000, bytes / 700, bytes});
            }
            t.buckets.push_back(std::move(b));
        }
        data.timelines.push_back(std::move(t));

        report::HtmlExporterRow row;
        row.exporter = exporters[e];
        row.collector = "192.0.2.9:2055";
        row.version = e == 2 ? 10 : 9;
        row.description = e == 0 ? "edge router <rtr-1>" : "";
        row.first_frame = 1 + e;
        row.last_frame = 9'000'000 - e;
        row.first_ns = kT0;
        row.last_ns = kT0 + 1440 * kMinute;
        row.datagrams = 1'000'000;
        row.decoded_datagrams = e == 1 ? 999'000 : 1'000'000;
        row.partial_datagrams = e == 1 ? 1000 : 0;
        row.data_records = 30'000'000;
        row.templates = 4;
        row.template_records = 2880;
        if (e != 0) {
            for (int k = 0; k < 300; ++k) {
                const std::uint64_t missing = 1 + next() % (e == 1 ? 200 : 20);
                row.sequence_loss.push_back({kT0 + static_cast<std::int64_t>(next() % 1440) * kMinute, missing});
                row.sequence_missing += missing;
                ++row.sequence_gaps;
            }
            std::sort(row.sequence_loss.begin(), row.sequence_loss.end(),
                      [](const auto& a, const auto& b) { return a.time_ns < b.time_ns; });
        }
        if (e == 1) {
            row.missing_template_sets = 1000;
            report::HtmlIssueFrames issue{
                "missing_template", "data set whose template this session has not seen (yet)", 1000, true, {}};
            for (std::uint64_t f = 0; f < 100; ++f) issue.frames.push_back(2 + 3 * f);
            row.issues.push_back(std::move(issue));
        }
        data.exporters.push_back(std::move(row));

        report::HtmlTemplateSession ts{
            exporters[e], "192.0.2.9:2055", static_cast<std::uint16_t>(e == 2 ? 10 : 9), 0, {}};
        for (std::uint16_t id = 256; id < 260; ++id) {
            report::HtmlTemplateRow tr;
            tr.id = id;
            tr.frame = 1 + e;
            tr.options = id == 259;
            for (const char* f : {"sourceIPv4Address", "destinationIPv4Address", "sourceTransportPort",
                                  "destinationTransportPort", "protocolIdentifier", "octetDeltaCount",
                                  "packetDeltaCount", "flowStartMilliseconds", "flowEndMilliseconds"}) {
                tr.fields.push_back({f, static_cast<std::uint16_t>(tr.fields.size() + 1), 0, 4, false, false});
            }
            tr.fields.push_back({"</script><script>window.__pwned=2</script>", 999, 6871, 65535, false, true});
            tr.record_length = 40;
            tr.fixed_length = false;
            ts.templates.push_back(std::move(tr));
        }
        data.templates.push_back(std::move(ts));
    }
    std::map<std::string, report::HtmlTopEntry> hosts, svc;
    for (const auto& c : data.connections) {
        add_to(hosts, c.server_name.empty() ? c.server : c.server_name + " (" + c.server + ")",
               c.packets_to_server + c.packets_to_client, c.bytes());
        add_to(svc, c.service + (c.protocol == 6 ? " (TCP/443)" : " (UDP/443)"),
               c.packets_to_server + c.packets_to_client, c.bytes());
    }
    data.top_talkers.push_back(top_list("Servers by bytes", "Host", hosts, data.summary.bytes));
    data.top_services.push_back(top_list("Services by bytes", "Service", svc, data.summary.bytes));
}

}  // namespace

int main(int argc, char** argv) {
    std::string out_path;
    std::size_t synthetic_n = 0;
    report::HtmlReportOptions options;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "-o" && i + 1 < argc) {
            out_path = argv[++i];
        } else if (a == "--synthetic" && i + 1 < argc) {
            synthetic_n = std::stoul(argv[++i]);
        } else if (a == "--local") {
            options.local_time = true;
        }
    }
    if (out_path.empty() || synthetic_n == 0) {
        fmt::print(stderr, "usage: html_report_sample [--local] --synthetic N -o OUT.html\n");
        return 2;
    }
    report::HtmlReportData data;
    data.generator = "nfpcap (html_report_sample)";
    synthetic(synthetic_n, data);
    std::FILE* f = std::fopen(out_path.c_str(), "wb");
    if (!f) {
        fmt::print(stderr, "html_report_sample: cannot write {}: {}\n", out_path, std::strerror(errno));
        return 1;
    }
    {
        report::Output out(f);
        report::write_html_report(out, data, options);
        if (out.closed()) return 1;
    }
    return std::fclose(f) == 0 ? 0 : 1;
}
