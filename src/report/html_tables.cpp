// SPDX-License-Identifier: MIT
// The tables of the HTML report: top lists with bars, exporter sessions and their issues, the
// connection table (sortable: every cell that is not plain text carries its raw value in
// data-v), and each session's templates.
#include <algorithm>
#include <iterator>
#include <numeric>

#include "html_internal.hpp"
#include "nfpcap/analyze/services.hpp"
#include "nfpcap/netflow/template.hpp"
#include "nfpcap/report/connection_report.hpp"

namespace nfpcap::report::html {

namespace {

auto it(Buffer& out) { return fmt::appender(out); }

// How the script compares a column: num (data-v holds an integer; num_left is the same, shown
// left-aligned), key (data-v compared as a plain string) or text (what the cell shows, numbers
// inside compared as such).
enum class Sort : std::uint8_t { num, num_left, key, text };

struct Column {
    std::string_view heading;
    Sort sort;
    std::string_view title = {};  // what the heading means, when it is short
};

void write_head(Buffer& out, std::initializer_list<Column> columns) {
    out.append(std::string_view("<thead><tr>"));
    for (const Column& c : columns) {
        switch (c.sort) {
        case Sort::num: out.append(std::string_view("<th class=\"num\" data-type=\"num\"")); break;
        case Sort::num_left: out.append(std::string_view("<th data-type=\"num\"")); break;
        case Sort::key: out.append(std::string_view("<th data-type=\"key\"")); break;
        case Sort::text: out.append(std::string_view("<th data-type=\"text\"")); break;
        }
        if (!c.title.empty()) {
            out.append(std::string_view(" title=\""));
            escape(out, c.title);
            out.push_back('"');
        }
        out.append(std::string_view("><button type=\"button\">"));
        escape(out, c.heading);
        out.append(std::string_view("</button></th>"));
    }
    out.append(std::string_view("</tr></thead>\n"));
}

// A count cell: the number as text, its value for sorting.
void count_cell(Buffer& out, std::uint64_t v) {
    fmt::format_to(it(out), "<td class=\"num\" data-v=\"{}\">{}</td>", v, count_text(v));
}

// A size cell: human_size as the text table prints it, the exact count in its tooltip.
void size_cell(Buffer& out, std::uint64_t v) {
    fmt::format_to(it(out), "<td class=\"num\" data-v=\"{}\" title=\"{} bytes\">{}</td>", v, count_text(v),
                   human_size(v));
}

void text_cell(Buffer& out, std::string_view text, std::string_view cls = {}) {
    if (cls.empty()) {
        out.append(std::string_view("<td>"));
    } else {
        fmt::format_to(it(out), "<td class=\"{}\">", cls);
    }
    escape(out, text);
    out.append(std::string_view("</td>"));
}

// Sorts addresses numerically: family, the address bytes in hex, the port.
std::string address_key(const std::string& text, std::uint16_t port) {
    const wire::IpAddress a = wire::IpAddress::parse(text);
    if (a.family == 0) return fmt::format("9{}:{:05}", text, port);
    std::string key = fmt::format("{}", a.family);
    for (std::size_t i = 0; i < 16; ++i)
        fmt::format_to(std::back_inserter(key), "{:02x}", i < a.size() ? a.bytes[i] : 0);
    fmt::format_to(std::back_inserter(key), ":{:05}", port);
    return key;
}

std::string endpoint_text(const std::string& addr, std::uint16_t port, bool has_ports) {
    if (!has_ports) return addr;
    if (addr.find(':') != std::string::npos) return fmt::format("[{}]:{}", addr, port);
    return fmt::format("{}:{}", addr, port);
}

void endpoint_cell(Buffer& out, const std::string& addr, const std::string& name, std::uint16_t port, bool has_ports,
                   std::string_view title, std::string_view tag = {}) {
    const std::string key = address_key(addr, has_ports ? port : 0);
    fmt::format_to(it(out), "<td class=\"host\" data-v=\"");
    escape(out, key);
    out.push_back('"');
    if (!title.empty()) {
        out.append(std::string_view(" title=\""));
        escape(out, title);
        out.push_back('"');
    }
    out.push_back('>');
    if (!name.empty()) {
        out.append(std::string_view("<span class=\"name\">"));
        escape(out, name);
        out.append(std::string_view("</span> "));
    }
    out.append(std::string_view("<span class=\"addr\">"));
    escape(out, endpoint_text(addr, port, has_ports));
    out.append(std::string_view("</span>"));
    if (!tag.empty()) fmt::format_to(it(out), " {}", tag);
    out.append(std::string_view("</td>"));
}

std::string_view rule_text(std::string_view rule) {
    if (rule == "syn") return "client: sent the TCP SYN";
    if (rule == "icmp") return "client: sent the ICMP request";
    if (rule == "start") return "client: its traffic started first";
    if (rule == "port") return "client: the other side uses the service port";
    return {};
}

std::string protocol_text(std::uint8_t protocol) {
    auto name = analyze::protocol_name(protocol);
    return name.empty() ? std::to_string(protocol) : std::string(name);
}

void write_top_list(Buffer& out, const HtmlTopList& list, const Context& ctx) {
    out.append(std::string_view("<div class=\"toplist\">\n<h3>"));
    escape(out, list.title);
    out.append(std::string_view("</h3>\n<table class=\"top\">"));
    out.append(std::string_view("<thead><tr><th class=\"rank\">#</th><th>"));
    escape(out, list.key_heading);
    out.append(std::string_view(
        "</th><th class=\"barcol\">Share of bytes</th><th class=\"num\">Bytes</th><th class=\"num\">Packets</th>"
        "<th class=\"num\">Flows</th></tr></thead>\n<tbody>\n"));
    const std::size_t shown = std::min(list.entries.size(), ctx.options.max_top_entries);
    double peak = 0;
    for (std::size_t i = 0; i < shown; ++i) peak = std::max(peak, list.entries[i].share);
    for (std::size_t i = 0; i < shown; ++i) {
        const HtmlTopEntry& e = list.entries[i];
        fmt::format_to(it(out), "<tr><td class=\"rank\">{}</td>", i + 1);
        text_cell(out, e.key, "key");
        // Bars relative to the largest entry, so the list uses the width; the share says how much.
        const double w = peak > 0 ? std::clamp(e.share / peak, 0.0, 1.0) * 100.0 : 0.0;
        fmt::format_to(
            it(out),
            "<td class=\"barcol\"><svg class=\"bar\" viewBox=\"0 0 100 10\" preserveAspectRatio=\"none\" "
            "aria-hidden=\"true\"><rect width=\"{:.2f}\" height=\"10\"/></svg><span class=\"num\">{}</span></td>",
            w, share_text(e.share));
        size_cell(out, e.bytes);
        count_cell(out, e.packets);
        count_cell(out, e.flows);
        out.append(std::string_view("</tr>\n"));
    }
    out.append(std::string_view("</tbody></table>\n"));
    const std::uint64_t total = std::max<std::uint64_t>(list.total_keys, list.entries.size());
    if (total > shown) {
        fmt::format_to(it(out), "<p class=\"note\">The first {} of {}.</p>\n", count_text(shown), count_text(total));
    }
    out.append(std::string_view("</div>\n"));
}

std::string session_text(const std::string& exporter, const std::string& collector) {
    return fmt::format("{} \u2192 {}", exporter, collector);
}

// The frames an issue was found in (a few), sorted by the first.
void write_issue_frames(Buffer& out, const HtmlIssueFrames& issue, const Context& ctx) {
    const std::size_t n = std::min(issue.frames.size(), ctx.options.max_issue_frames);
    if (n == 0) {
        out.append(std::string_view("<td class=\"frames\" data-v=\"\"><span class=\"muted\">\u2013</span></td>"));
        return;
    }
    fmt::format_to(it(out), "<td class=\"frames\" data-v=\"{}\">", issue.frames.front());
    for (std::size_t i = 0; i < n; ++i) fmt::format_to(it(out), "{}{}", i ? ", " : "", issue.frames[i]);
    if (issue.count > n)
        fmt::format_to(it(out), " <span class=\"muted\">and {} more</span>", count_text(issue.count - n));
    out.append(std::string_view("</td>"));
}

}  // namespace

std::string_view version_name(std::uint16_t version) {
    switch (version) {
    case 1: return "NetFlow v1";
    case 5: return "NetFlow v5";
    case 7: return "NetFlow v7";
    case 9: return "NetFlow v9";
    case 10: return "IPFIX";
    default: return "unknown";
    }
}

void write_top_section(Buffer& out, std::string_view id, std::string_view heading, std::string_view empty,
                       const std::vector<HtmlTopList>& lists, const Context& ctx) {
    fmt::format_to(it(out), "<section id=\"{}\">\n<h2>{}</h2>\n", id, heading);
    bool any = false;
    out.append(std::string_view("<div class=\"toplists\">\n"));
    for (const HtmlTopList& list : lists) {
        if (list.entries.empty()) continue;
        any = true;
        write_top_list(out, list, ctx);
    }
    out.append(std::string_view("</div>\n"));
    if (!any) fmt::format_to(it(out), "<p class=\"empty\">{}</p>\n", empty);
    out.append(std::string_view("</section>\n"));
}

void write_exporters_section(Output& output, const HtmlReportData& data, const Context& ctx) {
    Buffer& out = output.buffer();
    out.append(std::string_view("<section id=\"exporters\">\n<h2>Exporters</h2>\n"));
    if (data.exporters.empty()) {
        out.append(std::string_view("<p class=\"empty\">No NetFlow/IPFIX export traffic found.</p>\n</section>\n"));
        return;
    }
    // The sessions with the most datagrams, in the order given.
    std::vector<std::size_t> rows(data.exporters.size());
    std::iota(rows.begin(), rows.end(), 0);
    if (rows.size() > ctx.options.max_exporters) {
        std::stable_sort(rows.begin(), rows.end(), [&](std::size_t a, std::size_t b) {
            return data.exporters[a].datagrams > data.exporters[b].datagrams;
        });
        rows.resize(ctx.options.max_exporters);
        std::sort(rows.begin(), rows.end());
        fmt::format_to(it(out), "<p class=\"note\">The {} sessions with the most datagrams of {}.</p>\n",
                       count_text(rows.size()), count_text(data.exporters.size()));
    }
    out.append(std::string_view("<div class=\"scroll\"><table class=\"data sortable\" id=\"exporters-table\">\n"));
    write_head(out,
               {{"Exporter", Sort::key},
                {"Collector", Sort::key},
                {"Version", Sort::text},
                {"Domain", Sort::num, "v9 source ID, IPFIX observation domain, v5 engine type \u00d7 256 + ID"},
                {"Datagrams", Sort::num},
                {"Data records", Sort::num},
                {"Options records", Sort::num},
                {"Templates", Sort::num, "templates held at the end (template records received)"},
                {"Sequence loss", Sort::num_left, "records (v5, IPFIX) or packets (v9) missing by sequence number"},
                {"Not decoded", Sort::num, "datagrams decoded in part or rejected whole"},
                {"Before template", Sort::num, "data sets that came before their template"},
                {"Frames", Sort::num}});
    out.append(std::string_view("<tbody>\n"));
    for (std::size_t i : rows) {
        const HtmlExporterRow& r = data.exporters[i];
        out.append(std::string_view("<tr>"));
        for (const std::string* ep : {&r.exporter, &r.collector}) {
            const auto colon = ep->rfind(':');
            std::string addr = colon == std::string::npos ? *ep : ep->substr(0, colon);
            if (addr.size() > 2 && addr.front() == '[' && addr.back() == ']') addr = addr.substr(1, addr.size() - 2);
            const auto port = colon == std::string::npos ? 0 : std::atoi(ep->c_str() + colon + 1);
            out.append(std::string_view("<td class=\"host\" data-v=\""));
            escape(out, address_key(addr, static_cast<std::uint16_t>(port)));
            out.append(std::string_view("\">"));
            escape(out, *ep);
            if (ep == &r.exporter && !r.description.empty()) {
                out.append(std::string_view("<div class=\"muted\">"));
                escape(out, r.description);
                out.append(std::string_view("</div>"));
            }
            out.append(std::string_view("</td>"));
        }
        text_cell(out, version_name(r.version), "nowrap");
        count_cell(out, r.domain);
        count_cell(out, r.datagrams);
        count_cell(out, r.data_records);
        count_cell(out, r.options_records);
        fmt::format_to(
            it(out),
            "<td class=\"num\" data-v=\"{}\" title=\"{} template records, {} options template records\">{}</td>",
            r.templates, count_text(r.template_records), count_text(r.options_template_records),
            count_text(r.templates));
        fmt::format_to(it(out), "<td class=\"loss\" data-v=\"{}\">", r.sequence_missing);
        write_loss_chart(out, r, ctx);
        out.append(std::string_view("</td>"));
        const std::uint64_t bad = r.partial_datagrams + r.malformed_datagrams;
        fmt::format_to(it(out), "<td class=\"num{}\" data-v=\"{}\" title=\"{} partial, {} malformed\">{}</td>",
                       bad ? " bad" : "", bad, count_text(r.partial_datagrams), count_text(r.malformed_datagrams),
                       count_text(bad));
        fmt::format_to(it(out), "<td class=\"num{}\" data-v=\"{}\"", r.missing_template_sets ? " warn" : "",
                       r.missing_template_sets);
        if (r.late_records) fmt::format_to(it(out), " title=\"{} records decoded late\"", count_text(r.late_records));
        fmt::format_to(it(out), ">{}</td>", count_text(r.missing_template_sets));
        fmt::format_to(it(out), "<td class=\"num\" data-v=\"{}\">{}\u2013{}</td></tr>\n", r.first_frame,
                       count_text(r.first_frame), count_text(r.last_frame));
        output.maybe_flush();
    }
    out.append(std::string_view("</tbody></table></div>\n"));

    // Issues: what could not be decoded, and anomalies, with the frames to look at.
    bool any = false;
    for (std::size_t i : rows) {
        for (const HtmlIssueFrames& issue : data.exporters[i].issues) {
            if (issue.count == 0) continue;
            if (!any) {
                out.append(std::string_view(
                    "<h3>Issues</h3>\n<div class=\"scroll\"><table class=\"data sortable\" id=\"issues-table\">\n"));
                write_head(out, {{"Session", Sort::text},
                                 {"Reason", Sort::text},
                                 {"Kind", Sort::text},
                                 {"Count", Sort::num},
                                 {"Frames", Sort::num_left},
                                 {"What it means", Sort::text}});
                out.append(std::string_view("<tbody>\n"));
                any = true;
            }
            const HtmlExporterRow& r = data.exporters[i];
            out.append(std::string_view("<tr>"));
            text_cell(out, session_text(r.exporter, r.collector), "host");
            out.append(std::string_view("<td><code>"));
            escape(out, issue.reason);
            out.append(std::string_view("</code></td>"));
            out.append(std::string_view(issue.loses_data ? "<td class=\"bad nowrap\">data lost</td>"
                                                         : "<td class=\"warn nowrap\">anomaly</td>"));
            count_cell(out, issue.count);
            write_issue_frames(out, issue, ctx);
            text_cell(out, issue.description, "muted");
            out.append(std::string_view("</tr>\n"));
            output.maybe_flush();
        }
    }
    if (any) out.append(std::string_view("</tbody></table></div>\n"));
    out.append(std::string_view("</section>\n"));
}

std::vector<std::size_t> shown_connections(const std::vector<HtmlConnectionRow>& rows, std::size_t max) {
    std::vector<std::size_t> shown(rows.size());
    std::iota(shown.begin(), shown.end(), 0);
    if (shown.size() <= max) return shown;
    // The largest by bytes (ties: the earlier row), then back in the order given.
    std::nth_element(shown.begin(), shown.begin() + static_cast<std::ptrdiff_t>(max), shown.end(),
                     [&](std::size_t a, std::size_t b) {
                         const auto ba = rows[a].bytes(), bb = rows[b].bytes();
                         return ba != bb ? ba > bb : a < b;
                     });
    shown.resize(max);
    std::sort(shown.begin(), shown.end());
    return shown;
}

void write_connections_section(Output& output, const HtmlReportData& data, const Context& ctx) {
    Buffer& out = output.buffer();
    out.append(std::string_view("<section id=\"connections\">\n<h2>Connections</h2>\n"));
    const std::uint64_t total = std::max<std::uint64_t>(data.connections_total, data.connections.size());
    if (data.connections.empty()) {
        out.append(std::string_view("<p class=\"empty\">No connections.</p>\n</section>\n"));
        return;
    }
    const std::vector<std::size_t> shown = shown_connections(data.connections, ctx.options.max_connections);
    const std::string start_heading = fmt::format("Start ({})", ctx.options.local_time ? "local" : "UTC");
    // Times without their date when every connection shown starts on the same day (it is said once).
    std::string day;
    bool one_day = true;
    for (std::size_t i : shown) {
        const auto& start = data.connections[i].start_ns;
        if (!start) continue;
        const std::string d = time_text(*start, ctx.zone).substr(0, 10);
        if (day.empty()) day = d;
        if (d != day) one_day = false;
    }
    one_day = one_day && !day.empty();
    out.append(std::string_view("<p class=\"note\" id=\"connections-shown\">"));
    if (shown.size() < total) {
        fmt::format_to(it(out), "{} of {} connections are shown: the largest by bytes.", count_text(shown.size()),
                       count_text(total));
    } else {
        fmt::format_to(it(out), "All {} connections.", count_text(total));
    }
    if (one_day) fmt::format_to(it(out), " All start on {} ({}).", day, ctx.zone.label);
    out.append(std::string_view(" Click a heading to sort.</p>\n"));
    // Shown by the script only: without it there is nothing to filter with.
    out.append(std::string_view(
        "<div class=\"controls\" hidden><label>Filter <input type=\"search\" id=\"connections-filter\" "
        "placeholder=\"address, name, service, protocol\u2026\" autocomplete=\"off\" spellcheck=\"false\"></label>"
        " <span id=\"connections-count\" class=\"muted\" aria-live=\"polite\"></span></div>\n"));

    bool several_exporters = false;
    for (std::size_t i : shown) {
        if (data.connections[i].exporter != data.connections[shown.front()].exporter) {
            several_exporters = true;
            break;
        }
    }
    out.append(
        std::string_view("<div class=\"scroll tall\"><table class=\"data sortable\" id=\"connections-table\">\n"));
    if (several_exporters) {
        write_head(out, {{start_heading, Sort::num_left},
                         {"Duration", Sort::num},
                         {"Proto", Sort::text},
                         {"Service", Sort::text},
                         {"Client", Sort::key},
                         {"Server", Sort::key},
                         {"C\u2192S pkts", Sort::num, "packets client to server"},
                         {"C\u2192S bytes", Sort::num, "bytes client to server"},
                         {"S\u2192C pkts", Sort::num, "packets server to client"},
                         {"S\u2192C bytes", Sort::num, "bytes server to client"},
                         {"Bytes", Sort::num, "both directions"},
                         {"Exporter", Sort::key}});
    } else {
        write_head(out, {{start_heading, Sort::num_left},
                         {"Duration", Sort::num},
                         {"Proto", Sort::text},
                         {"Service", Sort::text},
                         {"Client", Sort::key},
                         {"Server", Sort::key},
                         {"C\u2192S pkts", Sort::num, "packets client to server"},
                         {"C\u2192S bytes", Sort::num, "bytes client to server"},
                         {"S\u2192C pkts", Sort::num, "packets server to client"},
                         {"S\u2192C bytes", Sort::num, "bytes server to client"},
                         {"Bytes", Sort::num, "both directions"}});
    }
    out.append(std::string_view("<tbody>\n"));
    for (std::size_t i : shown) {
        const HtmlConnectionRow& c = data.connections[i];
        out.append(std::string_view(c.one_way ? "<tr class=\"oneway\">" : "<tr>"));
        if (c.start_ns) {
            const std::string text = time_text(*c.start_ns, ctx.zone, 3);
            fmt::format_to(it(out), "<td class=\"time\" data-v=\"{}\">{}</td>", *c.start_ns,
                           one_day ? text.substr(11) : text);
        } else {
            out.append(std::string_view("<td class=\"time\" data-v=\"\">\u2013</td>"));
        }
        if (c.start_ns && c.end_ns) {
            const std::int64_t d = span_ns(*c.start_ns, *c.end_ns);
            fmt::format_to(it(out), "<td class=\"num\" data-v=\"{}\">{}</td>", d, human_duration(d));
        } else {
            out.append(std::string_view("<td class=\"num\" data-v=\"\">\u2013</td>"));
        }
        text_cell(out, protocol_text(c.protocol));
        if (c.service.empty()) {
            out.append(std::string_view("<td data-v=\"\">\u2013</td>"));  // sorts before every name
        } else {
            text_cell(out, c.service);
        }
        endpoint_cell(out, c.client, c.client_name, c.client_port, c.has_ports, rule_text(c.direction_rule));
        endpoint_cell(out, c.server, c.server_name, c.server_port, c.has_ports, {},
                      c.one_way ? "<span class=\"tag\" title=\"seen in one direction only\">one-way</span>" : "");
        count_cell(out, c.packets_to_server);
        size_cell(out, c.bytes_to_server);
        count_cell(out, c.packets_to_client);
        size_cell(out, c.bytes_to_client);
        size_cell(out, c.bytes());
        if (several_exporters) {
            const auto colon = c.exporter.rfind(':');
            const std::string addr = colon == std::string::npos ? c.exporter : c.exporter.substr(0, colon);
            out.append(std::string_view("<td class=\"host\" data-v=\""));
            escape(out, address_key(addr, 0));
            out.append(std::string_view("\">"));
            escape(out, c.exporter);
            out.append(std::string_view("</td>"));
        }
        out.append(std::string_view("</tr>\n"));
        output.maybe_flush();
    }
    out.append(std::string_view("</tbody></table></div>\n</section>\n"));
}

void write_templates_section(Output& output, const HtmlReportData& data, const Context& ctx) {
    Buffer& out = output.buffer();
    out.append(std::string_view("<section id=\"templates\">\n<h2>Templates</h2>\n"));
    std::size_t sessions = 0, fields = 0, skipped_sessions = 0, skipped_templates = 0;
    for (const HtmlTemplateSession& s : data.templates) {
        if (s.templates.empty()) continue;
        if (sessions == ctx.options.max_template_sessions || fields >= ctx.options.max_template_fields) {
            ++skipped_sessions;
            skipped_templates += s.templates.size();
            continue;
        }
        ++sessions;
        out.append(std::string_view("<div class=\"tsession\">\n<h3>"));
        escape(out, session_text(s.exporter, s.collector));
        fmt::format_to(it(out), " <span class=\"muted\">{} \u00b7 domain {} \u00b7 {} template{}</span></h3>\n",
                       version_name(s.version), s.domain, s.templates.size(), s.templates.size() == 1 ? "" : "s");
        out.append(std::string_view("<div class=\"tgrid\">\n"));
        for (const HtmlTemplateRow& t : s.templates) {
            if (fields >= ctx.options.max_template_fields) {
                ++skipped_templates;
                continue;
            }
            fmt::format_to(it(out),
                           "<div class=\"template\"><h4>Template {} <span class=\"muted\">{} \u00b7 {} field{} \u00b7 "
                           "{}{} bytes \u00b7 frame {}</span></h4>\n",
                           t.id, t.options ? "options" : "data", t.fields.size(), t.fields.size() == 1 ? "" : "s",
                           t.fixed_length ? "" : "\u2265 ", t.record_length, t.frame);
            out.append(std::string_view(
                "<table class=\"fields\"><thead><tr><th class=\"num\">#</th><th>Field</th><th class=\"num\">ID</th>"
                "<th class=\"num\">PEN</th><th class=\"num\">Length</th></tr></thead><tbody>\n"));
            for (std::size_t i = 0; i < t.fields.size(); ++i) {
                const HtmlTemplateField& f = t.fields[i];
                ++fields;
                fmt::format_to(it(out), "<tr><td class=\"num\">{}</td><td><code>", i + 1);
                escape(out, f.name);
                out.append(std::string_view("</code>"));
                if (f.scope) out.append(std::string_view(" <span class=\"tag\">scope</span>"));
                if (f.length_mismatch) {
                    out.append(
                        std::string_view(" <span class=\"tag warn\" title=\"the length does not fit the element's "
                                         "type\">length</span>"));
                }
                fmt::format_to(
                    it(out), "</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
                    f.id, f.pen ? std::to_string(f.pen) : std::string("\u2013"),
                    f.length == netflow::kVariableLength ? std::string("variable") : std::to_string(f.length));
            }
            out.append(std::string_view("</tbody></table></div>\n"));
            output.maybe_flush();
        }
        out.append(std::string_view("</div></div>\n"));
    }
    if (sessions == 0) out.append(std::string_view("<p class=\"empty\">No templates (NetFlow v1/v5 have none).</p>\n"));
    if (skipped_sessions || skipped_templates) {
        fmt::format_to(it(out), "<p class=\"note\">{} more templates", count_text(skipped_templates));
        if (skipped_sessions) fmt::format_to(it(out), " of {} more sessions", count_text(skipped_sessions));
        out.append(std::string_view(" are not listed here: <code>nfpcap templates</code> lists them all.</p>\n"));
    }
    out.append(std::string_view("</section>\n"));
}

}  // namespace nfpcap::report::html
