// SPDX-License-Identifier: MIT
// Top-N tables and timelines.
#include "nfpcap/report/statistics_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "nfpcap/report/host_names.hpp"

namespace nfpcap::report {

namespace {

std::string_view field_name(analyze::TopField f) noexcept {
    switch (f) {
    case analyze::TopField::srcip: return "srcip";
    case analyze::TopField::dstip: return "dstip";
    case analyze::TopField::ip: return "ip";
    case analyze::TopField::srcport: return "srcport";
    case analyze::TopField::dstport: return "dstport";
    case analyze::TopField::port: return "port";
    case analyze::TopField::proto: return "proto";
    case analyze::TopField::exporter: return "exporter";
    case analyze::TopField::srcas: return "srcas";
    case analyze::TopField::dstas: return "dstas";
    case analyze::TopField::inif: return "inif";
    case analyze::TopField::outif: return "outif";
    case analyze::TopField::service: return "service";
    case analyze::TopField::srcnet: return "srcnet";
    case analyze::TopField::dstnet: return "dstnet";
    }
    return "key";
}

std::string_view order_name(analyze::TopOrder o) noexcept {
    switch (o) {
    case analyze::TopOrder::flows: return "flows";
    case analyze::TopOrder::packets: return "packets";
    case analyze::TopOrder::bytes: return "bytes";
    }
    return "flows";
}

void append(Buffer& out, std::string_view s) { out.append(s.data(), s.data() + s.size()); }

void append_time(Buffer& out, std::int64_t ns, bool local) {
    if (local) {
        append_local_time(out, ns);
    } else {
        append_iso_time(out, ns);
    }
}

std::string time_text(const std::optional<std::int64_t>& ns, bool local) {
    if (!ns) return "-";
    Buffer b;
    append_time(b, *ns, local);
    return std::string(b.data(), b.size());
}

// Share of a total in percent, one decimal ("-" when the total is 0).
std::string share(std::uint64_t part, std::uint64_t total) {
    if (total == 0) return "-";
    return fmt::format("{:.1f}", 100.0 * static_cast<double>(part) / static_cast<double>(total));
}

void json_time(Buffer& out, std::string_view key, const std::optional<std::int64_t>& ns, bool local) {
    append(out, ",\"");
    append(out, key);
    append(out, "\":");
    if (!ns) {
        append(out, "null");
        return;
    }
    out.push_back('"');
    append_time(out, *ns, local);
    out.push_back('"');
}

void json_counters(Buffer& out, std::string_view key, const analyze::TopCounters& c) {
    fmt::format_to(std::back_inserter(out), ",\"{}\":{{\"flows\":{},\"packets\":{},\"bytes\":{},\"saturated\":{}}}",
                   key, c.flows, c.packets, c.bytes, c.saturated);
}

void json_counters(Buffer& out, std::string_view key, const analyze::TimelineCounters& c) {
    fmt::format_to(std::back_inserter(out), ",\"{}\":{{\"flows\":{},\"packets\":{},\"bytes\":{},\"saturated\":{}}}",
                   key, c.flows, c.packets, c.bytes, c.saturated);
}

}  // namespace

namespace {

void write_top_json(Output& out, const analyze::TopResult& r, const StatisticsReportOptions& o,
                    const TopNames& names) {
    Buffer& b = out.buffer();
    std::size_t rank = 0;
    const bool hosts = analyze::names_hosts(r.key);
    for (const auto& row : r.rows) {
        fmt::format_to(std::back_inserter(b), "{{\"rank\":{},\"key\":", ++rank);
        append_json_string(b, analyze::key_text(r.key, row));
        if (hosts) {
            append(b, ",\"name\":");
            const auto host = analyze::key_host(r.key, row);
            if (host) {
                append_json_name(b, names.names, *host);
            } else {
                append(b, "null");
            }
        }
        fmt::format_to(std::back_inserter(b), ",\"flows\":{},\"packets\":{},\"bytes\":{}", row.counters.flows,
                       row.counters.packets, row.counters.bytes);
        json_time(b, "first", row.counters.first_ns, o.local_time);
        json_time(b, "last", row.counters.last_ns, o.local_time);
        fmt::format_to(std::back_inserter(b), ",\"saturated\":{}}}\n", row.counters.saturated);
        out.maybe_flush();
        if (out.closed()) return;
    }
    if (o.quiet) return;
    fmt::format_to(std::back_inserter(b), "{{\"kind\":\"total\",\"statistic\":\"{}\",\"order\":\"{}\"",
                   field_name(r.key.field), order_name(r.order));
    json_counters(b, "records", r.totals);
    fmt::format_to(std::back_inserter(b), ",\"keys\":{}", r.keys);
    json_counters(b, "untracked", r.untracked);
    fmt::format_to(std::back_inserter(b), ",\"filtered_out\":{}}}\n", o.filtered_out);
}

// One row per key; the columns sqlite and pandas type by themselves (numbers bare, shares as
// numbers without a % sign, empty where a share or time has no value).
void write_top_csv(Output& out, const analyze::TopResult& r, const StatisticsReportOptions& o, const TopNames& names) {
    Buffer& b = out.buffer();
    const bool hosts = analyze::names_hosts(r.key);
    append(b, hosts ? "rank,key,name,flows,flows_pct,packets,packets_pct,bytes,bytes_pct,first,last,saturated\n"
                    : "rank,key,flows,flows_pct,packets,packets_pct,bytes,bytes_pct,first,last,saturated\n");
    auto pct = [](std::uint64_t part, std::uint64_t total) { return total == 0 ? std::string() : share(part, total); };
    std::size_t rank = 0;
    for (const auto& row : r.rows) {
        const auto& c = row.counters;
        fmt::format_to(std::back_inserter(b), "{},", ++rank);
        append_csv_field(b, analyze::key_text(r.key, row));
        if (hosts) {
            b.push_back(',');
            const auto host = analyze::key_host(r.key, row);
            const auto found = host ? names.names.find(*host) : names.names.end();
            if (found != names.names.end()) append_csv_field(b, found->second);
        }
        fmt::format_to(std::back_inserter(b), ",{},{},{},{},{},{},{},{},{}\n", c.flows, pct(c.flows, r.totals.flows),
                       c.packets, pct(c.packets, r.totals.packets), c.bytes, pct(c.bytes, r.totals.bytes),
                       c.first_ns ? time_text(c.first_ns, o.local_time) : "",
                       c.last_ns ? time_text(c.last_ns, o.local_time) : "", c.saturated);
        out.maybe_flush();
        if (out.closed()) return;
    }
}

void write_top_text(Output& out, const analyze::TopResult& r, const StatisticsReportOptions& o, const TopNames& names) {
    Buffer& b = out.buffer();
    const std::string_view name = field_name(r.key.field);
    if (!o.quiet) fmt::format_to(std::back_inserter(b), "Top {} {} by {}\n", r.rows.size(), name, order_name(r.order));
    std::vector<std::string> keys;
    std::size_t width = name.size();
    for (const auto& row : r.rows) {
        const auto host = analyze::key_host(r.key, row);
        keys.push_back(host ? named_text(names.names, *host, analyze::key_text(r.key, row))
                            : analyze::key_text(r.key, row));
        width = std::max(width, keys.back().size());
    }
    if (!o.quiet) {
        fmt::format_to(std::back_inserter(b), "{:<{}}  {:>10} {:>6}  {:>12} {:>6}  {:>14} {:>6}  {:<24}  {}\n", name,
                       width, "flows", "%", "packets", "%", "bytes", "%", "first", "last");
    }
    for (std::size_t i = 0; i < r.rows.size(); ++i) {
        const auto& c = r.rows[i].counters;
        fmt::format_to(std::back_inserter(b), "{:<{}}  {:>10} {:>6}  {:>12} {:>6}  {:>14} {:>6}  {:<24}  {}{}\n",
                       keys[i], width, c.flows, share(c.flows, r.totals.flows), c.packets,
                       share(c.packets, r.totals.packets), c.bytes, share(c.bytes, r.totals.bytes),
                       time_text(c.first_ns, o.local_time), time_text(c.last_ns, o.local_time),
                       c.saturated ? "  (saturated)" : "");
        out.maybe_flush();
        if (out.closed()) return;
    }
    if (o.quiet) return;
    fmt::format_to(std::back_inserter(b), "Total: {} flows, {} packets, {} bytes; {} distinct {}{}\n", r.totals.flows,
                   r.totals.packets, r.totals.bytes, r.keys, name, r.totals.saturated ? " (sums saturated)" : "");
    if (r.key.field == analyze::TopField::ip || r.key.field == analyze::TopField::port) {
        fmt::format_to(std::back_inserter(b), "(each flow counts for both of its sides: shares add up to 200%)\n");
    }
    if (r.key_limit_reached) {
        fmt::format_to(std::back_inserter(b), "Key limit reached: {} flows of later keys are in no row\n",
                       r.untracked.flows);
    }
    if (o.filtered_out > 0) fmt::format_to(std::back_inserter(b), "Filtered out: {} flows\n", o.filtered_out);
    if (names.dns) append_names_footer(b, *names.dns);
    append_loss_footer(b, o.losses, o.stats_hint);
}

// The counters of one interval over every group (the groups split the records: their sum).
analyze::TimelineCounters interval_total(const analyze::TimelineResult& r, std::size_t i) {
    analyze::TimelineCounters t;
    for (const auto& s : r.series) {
        const auto& c = s.intervals[i];
        t.flows = analyze::sat_add(t.flows, c.flows, t.saturated);
        t.packets = analyze::sat_add(t.packets, c.packets, t.saturated);
        t.bytes = analyze::sat_add(t.bytes, c.bytes, t.saturated);
        t.saturated = t.saturated || c.saturated;
    }
    return t;
}

bool grouped(const analyze::TimelineResult& r) {
    return r.series.size() > 1 || (r.series.size() == 1 && r.series[0].label != "all");
}

// One object per interval: its counters, and with groups each group's under "groups".
void write_timeline_json(Output& out, const analyze::TimelineResult& r, const StatisticsReportOptions& o) {
    Buffer& b = out.buffer();
    for (std::size_t i = 0; i < r.intervals; ++i) {
        const auto t = interval_total(r, i);
        append(b, "{\"start\":\"");
        append_time(b, r.interval_start(i), o.local_time);
        fmt::format_to(std::back_inserter(b), "\",\"flows\":{},\"packets\":{},\"bytes\":{},\"saturated\":{}", t.flows,
                       t.packets, t.bytes, t.saturated);
        if (grouped(r)) {
            append(b, ",\"groups\":{");
            bool first = true;
            for (const auto& s : r.series) {
                const auto& c = s.intervals[i];
                if (!first) b.push_back(',');
                first = false;
                append_json_string(b, s.label);
                fmt::format_to(std::back_inserter(b), ":{{\"flows\":{},\"packets\":{},\"bytes\":{},\"saturated\":{}}}",
                               c.flows, c.packets, c.bytes, c.saturated);
            }
            b.push_back('}');
        }
        append(b, "}\n");
        out.maybe_flush();
        if (out.closed()) return;
    }
    if (o.quiet) return;
    fmt::format_to(std::back_inserter(b), "{{\"kind\":\"total\",\"interval_ms\":{},\"intervals\":{}",
                   r.interval_ns / 1'000'000, r.intervals);
    json_counters(b, "records", r.totals);
    json_counters(b, "untimed", r.untimed);
    json_counters(b, "outside", r.outside);
    fmt::format_to(std::back_inserter(b),
                   ",\"reversed\":{},\"window_limited\":{},\"groups_limited\":{},\"filtered_out\":{}}}\n", r.reversed,
                   r.window_limited, r.groups_limited, o.filtered_out);
}

// Long form, as pandas and sqlite take it: one row per interval and group ("all" without groups).
void write_timeline_csv(Output& out, const analyze::TimelineResult& r, const StatisticsReportOptions& o) {
    Buffer& b = out.buffer();
    append(b, "start,group,flows,packets,bytes,saturated\n");
    for (std::size_t i = 0; i < r.intervals; ++i) {
        const std::string start = time_text(r.interval_start(i), o.local_time);
        for (const auto& s : r.series) {
            const auto& c = s.intervals[i];
            append(b, start);
            b.push_back(',');
            append_csv_field(b, s.label);
            fmt::format_to(std::back_inserter(b), ",{},{},{},{}\n", c.flows, c.packets, c.bytes, c.saturated);
            out.maybe_flush();
            if (out.closed()) return;
        }
    }
}

void write_timeline_text(Output& out, const analyze::TimelineResult& r, const StatisticsReportOptions& o) {
    Buffer& b = out.buffer();
    const bool groups = grouped(r);
    std::size_t width = 5;
    for (const auto& s : r.series) width = std::max(width, s.label.size());
    if (!o.quiet && groups) {
        fmt::format_to(std::back_inserter(b), "{:<24}  {:<{}}  {:>10}  {:>12}  {:>14}\n", "start", "group", width,
                       "flows", "packets", "bytes");
    } else if (!o.quiet) {
        fmt::format_to(std::back_inserter(b), "{:<24}  {:>10}  {:>12}  {:>14}\n", "start", "flows", "packets", "bytes");
    }
    for (std::size_t i = 0; i < r.intervals; ++i) {
        const std::string start = time_text(r.interval_start(i), o.local_time);
        for (const auto& s : r.series) {
            const auto& c = s.intervals[i];
            if (groups) {
                fmt::format_to(std::back_inserter(b), "{:<24}  {:<{}}  {:>10}  {:>12}  {:>14}{}\n", start, s.label,
                               width, c.flows, c.packets, c.bytes, c.saturated ? "  (saturated)" : "");
            } else {
                fmt::format_to(std::back_inserter(b), "{:<24}  {:>10}  {:>12}  {:>14}{}\n", start, c.flows, c.packets,
                               c.bytes, c.saturated ? "  (saturated)" : "");
            }
            out.maybe_flush();
            if (out.closed()) return;
        }
    }
    if (o.quiet) return;
    fmt::format_to(std::back_inserter(b), "Total: {} flows, {} packets, {} bytes in {} intervals of {} ms\n",
                   r.totals.flows, r.totals.packets, r.totals.bytes, r.intervals, r.interval_ns / 1'000'000);
    if (r.untimed.flows > 0) {
        fmt::format_to(std::back_inserter(b), "Without times: {} flows, {} packets, {} bytes (in no interval)\n",
                       r.untimed.flows, r.untimed.packets, r.untimed.bytes);
    }
    if (r.outside.flows > 0 || r.outside.packets > 0 || r.outside.bytes > 0) {
        fmt::format_to(std::back_inserter(b), "Outside the window: {} flows started, {} packets, {} bytes{}\n",
                       r.outside.flows, r.outside.packets, r.outside.bytes,
                       r.window_limited ? " (the window reached its limit of intervals)" : "");
    }
    if (r.reversed > 0) {
        fmt::format_to(std::back_inserter(b), "Ending before they start: {} flows (counted at their start)\n",
                       r.reversed);
    }
    if (r.groups_limited) fmt::format_to(std::back_inserter(b), "Group limit reached: later groups are in 'other'\n");
    if (o.filtered_out > 0) fmt::format_to(std::back_inserter(b), "Filtered out: {} flows\n", o.filtered_out);
    append_loss_footer(b, o.losses, o.stats_hint);
}

}  // namespace

void write_top(Output& out, const analyze::TopResult& r, const StatisticsReportOptions& o, const TopNames& names) {
    switch (o.format) {
    case Format::json: write_top_json(out, r, o, names); break;
    case Format::csv: write_top_csv(out, r, o, names); break;
    case Format::text:
    case Format::line:  // not offered: text
    case Format::count_: write_top_text(out, r, o, names); break;
    }
    out.flush();
}

void write_timeline(Output& out, const analyze::TimelineResult& r, const StatisticsReportOptions& o) {
    switch (o.format) {
    case Format::json: write_timeline_json(out, r, o); break;
    case Format::csv: write_timeline_csv(out, r, o); break;
    case Format::text:
    case Format::line:  // not offered: text
    case Format::count_: write_timeline_text(out, r, o); break;
    }
    out.flush();
}

}  // namespace nfpcap::report
