// SPDX-License-Identifier: MIT
// The HTML report page: skeleton, stylesheet (light, dark, print), header and summary; the
// other sections come from html_svg.cpp and html_tables.cpp. Nothing is fetched: one file.
#include <algorithm>
#include <iterator>
#include <set>

#include "html_internal.hpp"
#include "nfpcap/report/connection_report.hpp"

namespace nfpcap::report::html {

namespace {

auto it(Buffer& out) { return fmt::appender(out); }

// Colours: the Okabe-Ito palette (distinguishable with the common colour-vision deficiencies),
// slightly lighter on dark backgrounds; grey for "other". Print always uses the light scheme.
constexpr std::string_view kStyle = R"CSS(
:root {
  color-scheme: light dark;
  --bg: #ffffff; --fg: #1f2328; --muted: #59636e; --line: #d8dee4; --soft: #f6f8fa; --card: #ffffff;
  --accent: #0a5bb0; --bad: #b42318; --warn: #8a5a00; --ok: #1a7f37; --tag: #eef1f4;
  --c0: #0072b2; --c1: #e69f00; --c2: #009e73; --c3: #cc79a7; --c4: #56b4e9; --c5: #d55e00; --c6: #c9b600;
  --co: #a3acb6;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0f1419; --fg: #e6edf3; --muted: #9aa4ae; --line: #2d343c; --soft: #171d24; --card: #151b21;
    --accent: #6cb6ff; --bad: #ff8178; --warn: #e3b341; --ok: #57c46a; --tag: #222a32;
    --c0: #3c9ee6; --c1: #eba626; --c2: #1db58c; --c3: #dc8fbd; --c4: #7fc8f2; --c5: #ec7a36; --c6: #efe15a;
    --co: #6c7681;
  }
}
* { box-sizing: border-box; }
html { background: var(--bg); color: var(--fg); }
body {
  margin: 0 auto; max-width: 1320px; padding: 0 28px 40px;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans", "Liberation Sans", Arial, sans-serif;
  font-variant-numeric: tabular-nums;
}
code, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 12.5px; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
header.page { display: flex; flex-wrap: wrap; align-items: baseline; justify-content: space-between; gap: 4px 24px; padding: 24px 0 10px; }
header.page h1 { margin: 0; font-size: 22px; font-weight: 650; letter-spacing: -0.01em; }
header.page .sub { margin: 2px 0 0; color: var(--muted); }
header.page .meta { margin: 0; color: var(--muted); font-size: 12.5px; text-align: right; max-width: 60%; overflow-wrap: anywhere; }
nav.toc { position: sticky; top: 0; z-index: 3; background: var(--bg); border-bottom: 1px solid var(--line); padding: 8px 0; margin-bottom: 8px; }
nav.toc a { margin-right: 18px; font-weight: 500; }
section { padding: 8px 0 18px; }
h2 { font-size: 18px; font-weight: 650; margin: 18px 0 12px; padding-top: 14px; border-top: 1px solid var(--line); }
section:first-of-type h2 { border-top: 0; }
h3 { font-size: 15px; font-weight: 600; margin: 16px 0 8px; }
h4 { font-size: 12px; font-weight: 600; margin: 10px 0 4px; color: var(--muted); text-transform: uppercase; letter-spacing: 0.04em; }
.muted { color: var(--muted); font-weight: normal; }
.note, .empty { color: var(--muted); margin: 6px 0 10px; }
.ok { color: var(--ok); }
.bad { color: var(--bad); }
.warn { color: var(--warn); }
td.bad[data-v="0"], td.warn[data-v="0"] { color: inherit; }
.tag { display: inline-block; padding: 0 6px; border-radius: 9px; background: var(--tag); color: var(--muted); font-size: 11px; line-height: 17px; vertical-align: 1px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 12px; margin: 4px 0 16px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; background: var(--card); }
.card .label { color: var(--muted); font-size: 12px; }
.card .value { font-size: 22px; font-weight: 620; margin: 2px 0; white-space: nowrap; }
.card .detail { color: var(--muted); font-size: 12px; }
.columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(440px, 1fr)); gap: 8px 32px; }
table { border-collapse: collapse; }
table.data, table.top, table.plain { width: 100%; }
th, td { padding: 4px 10px 4px 0; text-align: left; vertical-align: top; }
th { font-size: 12px; font-weight: 600; color: var(--muted); white-space: nowrap; border-bottom: 1px solid var(--line); }
td { border-bottom: 1px solid var(--line); }
.num { text-align: right; white-space: nowrap; }
td.time, td.frames, td.nowrap { white-space: nowrap; }
th:last-child, td:last-child { padding-right: 0; }
tbody tr:hover { background: var(--soft); }
th button { all: unset; cursor: pointer; }
#exporters-table th, #issues-table th { white-space: normal; vertical-align: bottom; }
th button:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
th[aria-sort] { color: var(--fg); }
th[aria-sort="ascending"] button::after { content: " \25B2"; font-size: 9px; }
th[aria-sort="descending"] button::after { content: " \25BC"; font-size: 9px; }
td.host .name { font-weight: 550; }
td.host .name + .addr { color: var(--muted); }
.scroll { overflow: auto; }
.scroll.tall { max-height: 78vh; border-bottom: 1px solid var(--line); }
.scroll thead th { position: sticky; top: 0; background: var(--bg); z-index: 1; }
.controls { margin: 4px 0 10px; display: flex; align-items: center; gap: 12px; }
.controls input { font: inherit; padding: 5px 10px; width: 340px; border: 1px solid var(--line); border-radius: 6px; background: var(--card); color: var(--fg); }
.controls input:focus { outline: 2px solid var(--accent); outline-offset: -1px; }
tr.oneway td { }
figure.timeline { margin: 0 0 22px; }
figure.timeline figcaption { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 14px; }
figure.timeline figcaption h3 { margin: 8px 0 2px; }
ul.legend { list-style: none; display: flex; flex-wrap: wrap; gap: 4px 18px; padding: 0; margin: 6px 0 2px; font-size: 12.5px; }
ul.legend .num { color: var(--muted); margin-left: 2px; }
.swatch { display: inline-block; width: 11px; height: 11px; border-radius: 2px; margin-right: 6px; vertical-align: -1px; }
.s0 { fill: var(--c0); background: var(--c0); } .s1 { fill: var(--c1); background: var(--c1); }
.s2 { fill: var(--c2); background: var(--c2); } .s3 { fill: var(--c3); background: var(--c3); }
.s4 { fill: var(--c4); background: var(--c4); } .s5 { fill: var(--c5); background: var(--c5); }
.s6 { fill: var(--c6); background: var(--c6); } .so { fill: var(--co); background: var(--co); }
svg.chart { display: block; width: 100%; height: auto; font-size: 11px; overflow: visible; }
svg.chart text { fill: var(--muted); }
svg.chart .ylabels text { text-anchor: end; }
svg.chart .grid line { stroke: var(--line); shape-rendering: crispEdges; }
svg.chart .xaxis line { stroke: var(--muted); shape-rendering: crispEdges; }
svg.chart .series path { stroke: var(--bg); stroke-width: 0.6; stroke-linejoin: round; }
svg.chart .hover rect { fill: var(--fg); fill-opacity: 0; }
svg.chart .hover rect:hover { fill-opacity: 0.08; }
.toplists { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(520px, 100%), 1fr)); gap: 8px 36px; }
table.top td.rank, table.top th.rank { width: 2em; color: var(--muted); text-align: right; padding-right: 12px; }
table.top td.key { overflow-wrap: anywhere; }
table.top .barcol { width: 34%; white-space: nowrap; }
table.top td.barcol svg { display: inline-block; width: calc(100% - 58px); height: 10px; vertical-align: -1px; }
table.top td.barcol .num { display: inline-block; width: 54px; color: var(--muted); }
svg.bar rect { fill: var(--c0); }
svg.spark { display: inline-block; vertical-align: middle; margin-left: 8px; }
svg.spark line { stroke: var(--line); }
svg.spark path { fill: var(--c5); }
td.loss { white-space: nowrap; }
.tgrid { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(380px, 100%), 1fr)); gap: 6px 28px; }
.tgrid > * { min-width: 0; }
table.fields td:nth-child(2) { overflow-wrap: anywhere; }
.template h4 { text-transform: none; letter-spacing: 0; font-size: 13px; color: var(--fg); margin: 12px 0 4px; }
table.fields { width: 100%; font-size: 12.5px; }
table.fields td, table.fields th { padding: 2px 10px 2px 0; }
footer.page { margin-top: 28px; padding-top: 10px; border-top: 1px solid var(--line); color: var(--muted); font-size: 12px; }
@media print {
  :root {
    color-scheme: light;
    --bg: #ffffff; --fg: #000000; --muted: #4a525a; --line: #c8ced4; --soft: #ffffff; --card: #ffffff;
    --accent: #000000; --bad: #a01d12; --warn: #6d4700; --ok: #14662c; --tag: #eef1f4;
    --c0: #0072b2; --c1: #e69f00; --c2: #009e73; --c3: #cc79a7; --c4: #56b4e9; --c5: #d55e00; --c6: #c9b600;
    --co: #a3acb6;
  }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { max-width: none; padding: 0; font-size: 10pt; }
  nav.toc, .controls, .noprint { display: none !important; }
  .scroll, .scroll.tall { overflow: visible; max-height: none; border: 0; }
  .scroll thead th { position: static; }
  thead { display: table-header-group; }
  tr, figure, .card, .template, svg { break-inside: avoid; }
  h2, h3, h4 { break-after: avoid; }
  th[aria-sort] button::after { content: none; }
  tbody tr:hover { background: none; }
  svg.chart .hover { display: none; }
}
)CSS";

void card(Buffer& out, std::string_view label, std::string_view value, std::string_view detail,
          std::string_view title = {}) {
    out.append(std::string_view("<div class=\"card\"><div class=\"label\">"));
    escape(out, label);
    out.append(std::string_view("</div><div class=\"value\""));
    if (!title.empty()) {
        out.append(std::string_view(" title=\""));
        escape(out, title);
        out.push_back('"');
    }
    out.push_back('>');
    escape(out, value);
    out.append(std::string_view("</div><div class=\"detail\">"));
    escape(out, detail);
    out.append(std::string_view("</div></div>\n"));
}

std::string plural(std::uint64_t n, std::string_view one, std::string_view many) {
    return fmt::format("{} {}", count_text(n), n == 1 ? one : many);
}

std::string range_text(const HtmlSummary& s, const TimeZone& zone) {
    if (!s.first_ns || !s.last_ns) return "no flow times";
    const std::string a = time_text(*s.first_ns, zone), b = time_text(*s.last_ns, zone);
    // The end without its date when it is the same day.
    const std::string end = a.substr(0, 10) == b.substr(0, 10) ? b.substr(11) : b;
    return fmt::format("{} \u2013 {} {}", a, end, zone.label);
}

void reason_rows(Buffer& out, const std::vector<HtmlReasonCount>& reasons, bool loses_data) {
    for (const HtmlReasonCount& r : reasons) {
        if (r.count == 0 || r.loses_data != loses_data) continue;
        fmt::format_to(it(out), "<tr><td><code>");
        escape(out, r.name);
        fmt::format_to(it(out), "</code></td><td class=\"num {}\">{}</td><td class=\"muted\">",
                       loses_data ? "bad" : "warn", count_text(r.count));
        escape(out, r.description);
        out.append(std::string_view("</td></tr>\n"));
    }
}

void write_summary(Buffer& out, const HtmlReportData& data, const Context& ctx) {
    const HtmlSummary& s = data.summary;
    out.append(std::string_view("<section id=\"summary\">\n<h2>Summary</h2>\n<div class=\"cards\">\n"));
    std::string duration = "\u2013";
    if (s.first_ns && s.last_ns) duration = human_duration(span_ns(*s.first_ns, *s.last_ns));
    card(out, "Time range", duration, range_text(s, ctx.zone));
    card(out, "Exporters", count_text(s.exporters), plural(s.sessions, "session", "sessions"));
    card(out, "Export datagrams", count_text(s.export_datagrams),
         fmt::format("of {} UDP datagrams", count_text(s.udp_datagrams)));
    card(out, "Flow records", count_text(s.data_records),
         fmt::format("{} options, {} template records", count_text(s.options_records), count_text(s.template_records)));
    card(out, "Connections", count_text(std::max<std::uint64_t>(s.connections, data.connections_total)),
         fmt::format("from {}", plural(s.flows, "flow record", "flow records")));
    card(out, "Bytes", human_size(s.bytes), plural(s.packets, "packet", "packets"),
         fmt::format("{} bytes", count_text(s.bytes)));
    out.append(std::string_view("</div>\n<div class=\"columns\">\n<div>\n<h3>Capture files</h3>\n"));
    out.append(std::string_view(
        "<table class=\"plain\"><thead><tr><th>File</th><th>Link type</th><th class=\"num\">Frames</th></tr></thead>"
        "<tbody>\n"));
    for (const HtmlCaptureFile& f : s.files) {
        out.append(std::string_view("<tr><td><code>"));
        escape(out, f.name);
        out.append(std::string_view("</code>"));
        if (!f.error.empty()) {
            out.append(std::string_view("<div class=\"bad\">read stopped early: "));
            escape(out, f.error);
            out.append(std::string_view("</div>"));
        }
        out.append(std::string_view("</td><td>"));
        escape(out, f.link_type);
        fmt::format_to(it(out), "</td><td class=\"num\">{}</td></tr>\n", count_text(f.frames));
    }
    out.append(std::string_view("</tbody></table>\n"));
    if (!data.filter.empty()) {
        out.append(std::string_view("<p class=\"note\">Only flows matching <code>"));
        escape(out, data.filter);
        out.append(std::string_view("</code>.</p>\n"));
    }
    out.append(std::string_view("</div>\n<div>\n<h3>Decoding</h3>\n<p>"));
    fmt::format_to(it(out), "{}: {} decoded", plural(s.export_datagrams, "export datagram", "export datagrams"),
                   count_text(s.decoded_datagrams));
    if (s.partial_datagrams)
        fmt::format_to(it(out), ", <span class=\"bad\">{} partly</span>", count_text(s.partial_datagrams));
    if (s.malformed_datagrams) {
        fmt::format_to(it(out), ", <span class=\"bad\">{} malformed</span>", count_text(s.malformed_datagrams));
    }
    if (s.session_limit_datagrams) {
        fmt::format_to(it(out), ", <span class=\"bad\">{} over the session limit</span>",
                       count_text(s.session_limit_datagrams));
    }
    out.push_back('.');
    if (s.not_export_datagrams) {
        fmt::format_to(it(out), " {} not export traffic.",
                       plural(s.not_export_datagrams, "other UDP datagram was", "other UDP datagrams were"));
    }
    out.append(std::string_view("</p>\n"));
    if (s.missing_template_sets) {
        fmt::format_to(it(out), "<p class=\"warn\">{} came before their template and could not be decoded.</p>\n",
                       plural(s.missing_template_sets, "data set", "data sets"));
    }
    if (s.sequence_gaps) {
        fmt::format_to(it(out), "<p class=\"warn\">Sequence numbers: {}, {} missing.</p>\n",
                       plural(s.sequence_gaps, "gap", "gaps"), count_text(s.sequence_missing));
    }
    const auto count_of = [](const std::vector<HtmlReasonCount>& v, bool lost) {
        std::uint64_t n = 0;
        for (const auto& r : v) n += r.loses_data == lost ? r.count : 0;
        return n;
    };
    const std::uint64_t lost = count_of(s.reasons, true) + count_of(s.frame_issues, true);
    const std::uint64_t anomalies = count_of(s.reasons, false) + count_of(s.frame_issues, false);
    if (lost == 0 && anomalies == 0) {
        out.append(std::string_view("<p class=\"ok\">Nothing was lost: every export datagram was decoded.</p>\n"));
    } else {
        out.append(std::string_view(
            "<table class=\"plain\" id=\"reasons\"><thead><tr><th>Reason</th><th class=\"num\">Count</th>"
            "<th>What it means</th></tr></thead><tbody>\n"));
        reason_rows(out, s.frame_issues, true);
        reason_rows(out, s.reasons, true);
        reason_rows(out, s.frame_issues, false);
        reason_rows(out, s.reasons, false);
        out.append(
            std::string_view("</tbody></table>\n<p class=\"note\">Red: data lost. Amber: anomalies, decoded "
                             "all the same. <code>nfpcap stats</code> gives the same counts.</p>\n"));
    }
    out.append(std::string_view("</div>\n</div>\n</section>\n"));
}

void write_header(Buffer& out, const HtmlReportData& data, const Context& ctx) {
    out.append(std::string_view("<header class=\"page\"><div><h1>"));
    escape(out, data.title);
    out.append(std::string_view("</h1><p class=\"sub\">"));
    const auto& files = data.summary.files;
    for (std::size_t i = 0; i < files.size() && i < 5; ++i) {
        if (i) out.append(std::string_view(", "));
        escape(out, files[i].name);
    }
    if (files.size() > 5) fmt::format_to(it(out), " and {} more", files.size() - 5);
    if (!files.empty()) out.append(std::string_view(" \u00b7 "));
    escape(out, range_text(data.summary, ctx.zone));
    out.append(std::string_view("</p></div><p class=\"meta\">"));
    if (!data.command.empty()) {
        out.append(std::string_view("<code>"));
        escape(out, data.command);
        out.append(std::string_view("</code>"));
    }
    out.append(std::string_view("</p></header>\n"));
    out.append(std::string_view(
        "<nav class=\"toc\"><a href=\"#summary\">Summary</a><a href=\"#timeline\">Timeline</a>"
        "<a href=\"#top-talkers\">Top talkers</a><a href=\"#services\">Services</a><a href=\"#exporters\">Exporters</a>"
        "<a href=\"#connections\">Connections</a><a href=\"#templates\">Templates</a></nav>\n"));
}

}  // namespace

std::string_view stylesheet() { return kStyle; }

}  // namespace nfpcap::report::html

namespace nfpcap::report {

void write_html_report(Output& output, const HtmlReportData& data, const HtmlReportOptions& options) {
    using namespace html;
    Context ctx{options, make_zone(options.local_time, data.summary.first_ns.value_or(0))};
    Buffer& out = output.buffer();
    out.append(
        std::string_view("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                         "<meta name=\"color-scheme\" content=\"light dark\">\n<meta name=\"generator\" content=\""));
    escape(out, data.generator);
    out.append(std::string_view("\">\n<title>"));
    escape(out, data.title);
    if (!data.summary.files.empty()) {
        out.append(std::string_view(" \u2013 "));
        escape(out, data.summary.files.front().name);
    }
    out.append(std::string_view("</title>\n<style>"));
    out.append(stylesheet());
    out.append(std::string_view("</style>\n</head>\n<body>\n"));
    write_header(out, data, ctx);
    out.append(std::string_view("<main>\n"));
    write_summary(out, data, ctx);
    output.maybe_flush();
    write_timeline_section(out, data, ctx);
    output.maybe_flush();
    write_top_section(out, "top-talkers", "Top talkers", "No hosts.", data.top_talkers, ctx);
    write_top_section(out, "services", "Top ports and services", "No services.", data.top_services, ctx);
    output.maybe_flush();
    write_exporters_section(output, data, ctx);
    write_connections_section(output, data, ctx);
    write_templates_section(output, data, ctx);
    out.append(std::string_view("</main>\n<footer class=\"page\">"));
    fmt::format_to(it(out), "Times in {}. Sizes in powers of 1024 (1K = 1,024 bytes). Made by ", ctx.zone.label);
    escape(out, data.generator);
    out.append(std::string_view(".</footer>\n<script type=\"application/json\" id=\"nfpcap-summary\">"));
    out.append(summary_json(data));
    out.append(std::string_view("</script>\n<script>\n"));
    out.append(script());
    out.append(std::string_view("</script>\n</body>\n</html>\n"));
    output.flush();
}

}  // namespace nfpcap::report
