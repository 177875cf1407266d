// SPDX-License-Identifier: MIT
// What the html_*.cpp files share: escaping, number and time text, axis ticks, the pieces of the page.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "nfpcap/report/html_report.hpp"

namespace nfpcap::report::html {

// --- Text (html_text.cpp) ---

/// Appends `s` escaped for HTML text and attribute values (& < > " '). Bytes that are not
/// UTF-8, and control characters other than tab and newline, are shown as `\xNN`.
void escape(Buffer& out, std::string_view s);
std::string escaped(std::string_view s);
/// A JSON string literal that is also safe inside <script>: no `<`, `>` or `&` appears
/// literally (they become \u003c, \u003e, \u0026), nor U+2028/U+2029.
void append_script_json_string(Buffer& out, std::string_view s);
/// Rewrites `<`, `>`, `&`, U+2028 and U+2029 of JSON text in `json` (they can only be inside
/// strings) as \u escapes, so that `</script>` in data cannot end the script element.
std::string script_safe_json(std::string_view json);

/// "1,234,567": counts in the page.
std::string count_text(std::uint64_t n);
/// "42.5 %", "0.3 %", "< 0.1 %", "100 %".
std::string share_text(double share);

/// How times are shown: UTC, or local time with the offset at the start of the capture.
struct TimeZone {
    bool local = false;
    std::int64_t offset_ns = 0;  ///< added to UTC to get the shown time
    std::string label;           ///< "UTC" or "UTC+02:00"
};
TimeZone make_zone(bool local, std::int64_t at_ns);
/// `to - from`, at least 0, saturated (capture times may sit at the ends of the range).
std::int64_t span_ns(std::int64_t from, std::int64_t to) noexcept;
/// `ns` as the zone shows it (UTC + offset), saturated at the ends of the range.
std::int64_t shown_ns(std::int64_t ns, const TimeZone& zone) noexcept;
/// "2024-05-01 12:00:00" (digits: fractional second digits, 0 or 3).
std::string time_text(std::int64_t ns, const TimeZone& zone, int digits = 0);

// --- Axes (html_svg.cpp) ---

struct Tick {
    double value = 0;
    std::string label;
};
/// Ticks at round 1024-based sizes (a power of two step: 256K, 512K, 768K, 1M) from 0 up to
/// at least `max`; at most `max_ticks` intervals.
std::vector<Tick> size_ticks(std::uint64_t max, std::size_t max_ticks = 5);
/// Ticks at round decimal counts (1, 2, 5 x 10^k) from 0 up to at least `max`.
std::vector<Tick> count_ticks(std::uint64_t max, std::size_t max_ticks = 5);
/// Ticks at round times (whole seconds, minutes, hours, days in the shown zone) inside
/// [t0, t1], labelled by what changes at that step.
std::vector<Tick> time_ticks(std::int64_t t0, std::int64_t t1, const TimeZone& zone, std::size_t max_ticks = 8);
/// "512K", "1.25M": a size axis label (exact at the 1024-based ticks, no trailing zeros).
std::string size_label(std::uint64_t v);

// --- Sections (html_svg.cpp, html_tables.cpp, html_page.cpp) ---

struct Context {
    const HtmlReportOptions& options;
    TimeZone zone;
};

/// A timeline merged down to the bounds: at most max_buckets intervals on one grid (empty
/// intervals filled with zeros) and max_groups groups (the smallest merged into "other").
HtmlTimeline bounded_timeline(const HtmlTimeline& t, std::size_t max_buckets, std::size_t max_groups);

void write_timeline_section(Buffer& out, const HtmlReportData& data, const Context& ctx);
/// The small sequence-loss chart of an exporter row.
void write_loss_chart(Buffer& out, const HtmlExporterRow& row, const Context& ctx);

void write_top_section(Buffer& out, std::string_view id, std::string_view heading, std::string_view empty,
                       const std::vector<HtmlTopList>& lists, const Context& ctx);
void write_exporters_section(Output& out, const HtmlReportData& data, const Context& ctx);
void write_connections_section(Output& out, const HtmlReportData& data, const Context& ctx);
void write_templates_section(Output& out, const HtmlReportData& data, const Context& ctx);

/// Indices of the rows the connection table shows: the `max` largest by bytes, in the order given.
std::vector<std::size_t> shown_connections(const std::vector<HtmlConnectionRow>& rows, std::size_t max);

// --- Page pieces (html_page.cpp, html_script.cpp) ---

std::string_view stylesheet();
std::string_view script();
/// The summary figures as one JSON document (for machines reading the page), safe inside <script>.
std::string summary_json(const HtmlReportData& data);

std::string_view version_name(std::uint16_t version);

}  // namespace nfpcap::report::html
