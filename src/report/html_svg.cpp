// SPDX-License-Identifier: MIT
// The SVG charts of the HTML report: stacked timelines, sequence-loss bars, and their axes.
// Every chart is bounded (buckets, groups, ticks), so its size does not grow with the capture.
#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <numeric>

#include "html_internal.hpp"
#include "nfpcap/report/connection_report.hpp"

namespace nfpcap::report::html {

namespace {

constexpr std::int64_t kMs = 1'000'000;
constexpr std::int64_t kSec = 1000 * kMs;
constexpr std::int64_t kMin = 60 * kSec;
constexpr std::int64_t kHour = 60 * kMin;
constexpr std::int64_t kDay = 24 * kHour;

auto it(Buffer& out) { return fmt::appender(out); }

std::uint64_t ceil_div(std::uint64_t a, std::uint64_t b) noexcept { return a / b + (a % b != 0); }

std::uint64_t saturating_mul(std::uint64_t a, std::uint64_t b) noexcept {
    std::uint64_t r = 0;
    return __builtin_mul_overflow(a, b, &r) ? std::numeric_limits<std::uint64_t>::max() : r;
}

// Time arithmetic on hostile captures: saturate instead of overflowing.
std::int64_t sat_add(std::int64_t a, std::int64_t b) noexcept {
    std::int64_t r = 0;
    if (!__builtin_add_overflow(a, b, &r)) return r;
    return b > 0 ? std::numeric_limits<std::int64_t>::max() : std::numeric_limits<std::int64_t>::min();
}

// A double back to a time, clamped to the range (a bare cast of an out-of-range double is UB).
std::int64_t to_time(double v) noexcept {
    if (!(v > -9.2e18)) return std::numeric_limits<std::int64_t>::min();
    if (!(v < 9.2e18)) return std::numeric_limits<std::int64_t>::max();
    return static_cast<std::int64_t>(v);
}

// Index of `off` of `span` in `bins` equal bins, always inside [0, bins).
std::size_t bin_of(double off, double span, std::size_t bins) noexcept {
    const double x = span > 0 ? off / span * static_cast<double>(bins) : 0;
    if (!(x > 0)) return 0;
    if (!(x < static_cast<double>(bins))) return bins - 1;
    return static_cast<std::size_t>(x);
}

// "1.5", "2", "1.125": at most `decimals` decimals, no trailing zeros.
std::string trimmed(double v, int decimals) {
    std::string s = fmt::format("{:.{}f}", v, decimals);
    if (s.find('.') != std::string::npos) {
        while (s.back() == '0') s.pop_back();
        if (s.back() == '.') s.pop_back();
    }
    return s;
}

// Count axis labels: "5,000", or on an axis that reaches ten thousand "5k", "20k", "1.5M".
std::string count_label(std::uint64_t v, bool compact) {
    if (!compact || v < 1000) return count_text(v);
    static constexpr const char* kUnits[] = {"k", "M", "G", "T", "P", "E"};
    double x = static_cast<double>(v) / 1000.0;
    std::size_t u = 0;
    while (x >= 1000 && u + 1 < std::size(kUnits)) {
        x /= 1000;
        ++u;
    }
    return trimmed(x, 2) + kUnits[u];
}

// "100 ms", "10 sec", "5 min", "1 h", "1 d": the width of a timeline interval.
std::string interval_text(std::int64_t ns) {
    if (ns < kSec) return fmt::format("{} ms", trimmed(static_cast<double>(ns) / kMs, 3));
    if (ns < kMin || ns % kMin != 0) return fmt::format("{} sec", trimmed(static_cast<double>(ns) / kSec, 3));
    if (ns < kHour || ns % kHour != 0) return fmt::format("{} min", ns / kMin);
    if (ns < kDay || ns % kDay != 0) return fmt::format("{} h", ns / kHour);
    return fmt::format("{} d", ns / kDay);
}

// A coordinate with one decimal: enough on a 960-unit canvas, and short.
struct Num {
    double v;
};

}  // namespace

}  // namespace nfpcap::report::html

template <>
struct fmt::formatter<nfpcap::report::html::Num> : formatter<string_view> {
    auto format(nfpcap::report::html::Num n, format_context& ctx) const {
        // Far-off coordinates (a time range of centuries) are clamped to what a canvas can mean
        // and a long long holds; not-a-number is 0.
        const double v = std::isfinite(n.v) ? std::clamp(n.v, -1e9, 1e9) : 0.0;
        const double r = std::round(v * 10.0) / 10.0;
        if (r == std::floor(r)) return fmt::format_to(ctx.out(), "{}", static_cast<long long>(r));
        return fmt::format_to(ctx.out(), "{:.1f}", r);
    }
};

namespace nfpcap::report::html {

std::string size_label(std::uint64_t v) {
    if (v < 1024) return std::to_string(v);
    static constexpr char kUnits[] = "KMGTPE";
    double x = static_cast<double>(v) / 1024.0;
    std::size_t u = 0;
    while (x >= 1024 && u + 1 < sizeof kUnits - 1) {
        x /= 1024;
        ++u;
    }
    return trimmed(x, 3) + kUnits[u];
}

std::vector<Tick> size_ticks(std::uint64_t max, std::size_t max_ticks) {
    max = std::max<std::uint64_t>(max, 1);
    max_ticks = std::max<std::size_t>(max_ticks, 1);
    std::uint64_t step = 1;
    while (ceil_div(max, step) > max_ticks && step < (std::uint64_t{1} << 62U)) step *= 2;
    std::vector<Tick> ticks;
    for (std::uint64_t i = 0; i <= ceil_div(max, step); ++i) {
        const std::uint64_t v = saturating_mul(i, step);
        ticks.push_back({static_cast<double>(v), size_label(v)});
    }
    return ticks;
}

std::vector<Tick> count_ticks(std::uint64_t max, std::size_t max_ticks) {
    max = std::max<std::uint64_t>(max, 1);
    max_ticks = std::max<std::size_t>(max_ticks, 1);
    std::uint64_t step = 1;
    for (std::uint64_t decade = 1;; decade *= 10) {
        bool found = false;
        for (std::uint64_t m : {1U, 2U, 5U}) {
            step = saturating_mul(decade, m);
            if (ceil_div(max, step) <= max_ticks) {
                found = true;
                break;
            }
        }
        if (found || decade > std::numeric_limits<std::uint64_t>::max() / 100) break;
    }
    std::vector<Tick> ticks;
    const bool compact = saturating_mul(ceil_div(max, step), step) >= 10000;
    for (std::uint64_t i = 0; i <= ceil_div(max, step); ++i) {
        const std::uint64_t v = saturating_mul(i, step);
        ticks.push_back({static_cast<double>(v), count_label(v, compact)});
    }
    return ticks;
}

std::vector<Tick> time_ticks(std::int64_t t0, std::int64_t t1, const TimeZone& zone, std::size_t max_ticks) {
    static constexpr std::int64_t kSteps[] = {
        kMs,       2 * kMs,  5 * kMs,   10 * kMs,  20 * kMs,  50 * kMs,   100 * kMs, 200 * kMs, 500 * kMs, kSec,
        2 * kSec,  5 * kSec, 10 * kSec, 15 * kSec, 30 * kSec, kMin,       2 * kMin,  5 * kMin,  10 * kMin, 15 * kMin,
        30 * kMin, kHour,    2 * kHour, 3 * kHour, 6 * kHour, 12 * kHour, kDay,      2 * kDay,  7 * kDay,  14 * kDay};
    max_ticks = std::max<std::size_t>(max_ticks, 1);
    if (t1 < t0) std::swap(t0, t1);
    const std::uint64_t span =
        std::max<std::uint64_t>(static_cast<std::uint64_t>(t1) - static_cast<std::uint64_t>(t0), 1);
    std::int64_t step = 0;
    for (std::int64_t s : kSteps) {
        if (span / static_cast<std::uint64_t>(s) <= max_ticks) {
            step = s;
            break;
        }
    }
    if (step == 0) {  // longer than 14 weeks: whole days in 1, 2, 5 x 10^k
        const std::uint64_t days = span / static_cast<std::uint64_t>(kDay) / max_ticks + 1;
        std::uint64_t n = 1;  // 1, 2, 5, 10, 20, 50 ... days
        for (std::uint64_t decade = 1; n < days && decade < 1'000'000; decade *= 10) {
            for (std::uint64_t m : {1U, 2U, 5U}) {
                n = decade * m;
                if (n >= days) break;
            }
        }
        step = static_cast<std::int64_t>(std::min<std::uint64_t>(n, 100'000)) * kDay;
    }
    const std::int64_t s0 = shown_ns(t0, zone);
    const std::int64_t s1 = shown_ns(t1, zone);
    // The first multiple of `step` at or after s0 (without computing the one before: that may
    // lie below the range).
    std::int64_t rem = s0 % step;
    if (rem < 0) rem += step;
    std::int64_t v = s0;
    if (rem != 0 && __builtin_add_overflow(s0, step - rem, &v)) return {};
    int digits = step >= 100 * kMs ? 1 : step >= 10 * kMs ? 2 : 3;
    std::vector<Tick> ticks;
    std::string previous_date;
    while (v <= s1 && ticks.size() <= 2 * max_ticks + 2) {
        const std::int64_t utc = sat_add(v, t0 - s0);      // back from the shown zone
        const std::string text = time_text(utc, zone, 3);  // "YYYY-MM-DD HH:MM:SS.mmm"
        const std::string date = text.substr(0, text.size() - 13);
        const std::string clock = text.substr(text.size() - 12);
        std::string label;
        if (step >= kDay) {
            label = date.size() >= 5 ? date.substr(date.size() - 5) : date;  // "05-01"
        } else {
            if (step < kSec) {
                label = clock.substr(0, 9 + static_cast<std::size_t>(digits));
            } else if (step < kMin) {
                label = clock.substr(0, 8);
            } else {
                label = clock.substr(0, 5);
            }
            if (!previous_date.empty() && date != previous_date && date.size() >= 5) {
                label = date.substr(date.size() - 5) + " " + label;
            }
        }
        previous_date = date;
        ticks.push_back({static_cast<double>(utc), label});
        if (__builtin_add_overflow(v, step, &v)) break;
    }
    return ticks;
}

HtmlTimeline bounded_timeline(const HtmlTimeline& t, std::size_t max_buckets, std::size_t max_groups) {
    HtmlTimeline r;
    r.title = t.title;
    r.group_by = t.group_by;
    r.interval_ns = std::max<std::int64_t>(t.interval_ns, 1);
    max_buckets = std::max<std::size_t>(max_buckets, 1);
    max_groups = std::max<std::size_t>(max_groups, 2);
    if (t.buckets.empty()) {
        r.groups = t.groups;
        return r;
    }

    // Groups: the largest by bytes keep their place (stacking order), the rest become "other".
    std::size_t ngroups = t.groups.size();
    for (const auto& b : t.buckets) ngroups = std::max(ngroups, b.groups.size());
    std::vector<std::uint64_t> total(ngroups, 0);
    for (const auto& b : t.buckets) {
        for (std::size_t g = 0; g < b.groups.size(); ++g) total[g] += b.groups[g].bytes + b.groups[g].packets;
    }
    auto name_of = [&](std::size_t g) { return g < t.groups.size() ? t.groups[g] : fmt::format("group {}", g + 1); };
    std::vector<std::size_t> order(ngroups);
    std::iota(order.begin(), order.end(), 0);
    std::vector<bool> keep(ngroups, false);
    std::size_t kept = 0;
    {
        std::vector<std::size_t> by_size = order;
        std::stable_sort(by_size.begin(), by_size.end(),
                         [&](std::size_t a, std::size_t b) { return total[a] > total[b]; });
        const std::size_t room = ngroups <= max_groups ? ngroups : max_groups - 1;
        for (std::size_t g : by_size) {
            if (kept == room) break;
            if (name_of(g) == "other") continue;  // the caller's own "other" joins ours
            keep[g] = true;
            ++kept;
        }
    }
    std::vector<std::size_t> slot(ngroups, 0);
    for (std::size_t g = 0; g < ngroups; ++g) {
        if (!keep[g]) continue;
        slot[g] = r.groups.size();
        r.groups.push_back(name_of(g));
    }
    const bool has_other = kept < ngroups;
    const std::size_t other = r.groups.size();
    if (has_other) {
        r.groups.emplace_back("other");
        for (std::size_t g = 0; g < ngroups; ++g) {
            if (!keep[g]) slot[g] = other;
        }
    }

    // Intervals: one grid from the first bucket, neighbours merged so at most max_buckets remain.
    std::int64_t first = t.buckets.front().start_ns, last = first;
    for (const auto& b : t.buckets) {
        first = std::min(first, b.start_ns);
        last = std::max(last, b.start_ns);
    }
    const auto interval = static_cast<std::uint64_t>(r.interval_ns);
    const std::uint64_t span = static_cast<std::uint64_t>(last) - static_cast<std::uint64_t>(first);
    const std::uint64_t steps = span / interval;  // intervals after the first
    const std::uint64_t n = steps == std::numeric_limits<std::uint64_t>::max() ? steps : steps + 1;
    const std::uint64_t factor = std::max<std::uint64_t>(ceil_div(n, max_buckets), 1);
    const std::uint64_t wide = std::max<std::uint64_t>(saturating_mul(interval, factor), 1);
    r.interval_ns = static_cast<std::int64_t>(std::min<std::uint64_t>(wide, std::numeric_limits<std::int64_t>::max()));
    const std::uint64_t m = ceil_div(n, factor);
    r.buckets.resize(m);
    for (std::uint64_t i = 0; i < m; ++i) {
        const std::uint64_t off =
            std::min<std::uint64_t>(saturating_mul(i, wide), std::numeric_limits<std::int64_t>::max());
        r.buckets[i].start_ns = sat_add(first, static_cast<std::int64_t>(off));
        r.buckets[i].groups.resize(r.groups.size());
    }
    for (const auto& b : t.buckets) {
        const std::uint64_t i = (static_cast<std::uint64_t>(b.start_ns) - static_cast<std::uint64_t>(first)) / wide;
        auto& dst = r.buckets[std::min<std::uint64_t>(i, m - 1)];
        for (std::size_t g = 0; g < b.groups.size(); ++g) {
            auto& c = dst.groups[slot[g]];
            c.flows += b.groups[g].flows;
            c.packets += b.groups[g].packets;
            c.bytes += b.groups[g].bytes;
        }
    }
    return r;
}

namespace {

std::string group_class(const HtmlTimeline& t, std::size_t g) {
    if (t.groups[g] == "other") return "so";
    return fmt::format("s{}", g % 7);
}

enum class Metric : std::uint8_t { bytes, packets };

std::uint64_t value(const HtmlCounts& c, Metric m) { return m == Metric::bytes ? c.bytes : c.packets; }

std::string metric_text(std::uint64_t v, Metric m) {
    return m == Metric::bytes ? fmt::format("{} ({} bytes)", human_size(v), count_text(v))
                              : fmt::format("{} packets", count_text(v));
}

// One stacked step-area chart of a bounded timeline: a path per group, a hover column (with a
// <title> tooltip) per non-empty interval, and round ticks on both axes.
void write_stacked_chart(Buffer& out, const HtmlTimeline& t, Metric metric, double height, const Context& ctx) {
    constexpr double kW = 960, kLeft = 58, kRight = 14, kTop = 10, kBottom = 24;
    const double plot_w = kW - kLeft - kRight, plot_h = height - kTop - kBottom;
    const std::size_t n = t.buckets.size(), ng = t.groups.size();

    std::vector<std::uint64_t> totals(n, 0);
    std::uint64_t max = 0;
    for (std::size_t b = 0; b < n; ++b) {
        for (const auto& c : t.buckets[b].groups) totals[b] += value(c, metric);
        max = std::max(max, totals[b]);
    }
    const std::vector<Tick> yticks = metric == Metric::bytes ? size_ticks(max) : count_ticks(max);
    const double ymax = std::max(yticks.back().value, 1.0);
    auto y_of = [&](double v) { return kTop + plot_h - plot_h * v / ymax; };
    auto x_of = [&](std::size_t b) { return kLeft + plot_w * static_cast<double>(b) / static_cast<double>(n); };
    const std::int64_t t0 = t.buckets.front().start_ns;
    std::int64_t t1 = t0;
    for (std::size_t b = 0; b < n; ++b) t1 = sat_add(t1, t.interval_ns);

    const std::string_view what = metric == Metric::bytes ? "Bytes" : "Packets";
    fmt::format_to(it(out), "<svg class=\"chart\" viewBox=\"0 0 {} {}\" role=\"img\" data-metric=\"{}\"><title>",
                   Num{kW}, Num{height}, metric == Metric::bytes ? "bytes" : "packets");
    fmt::format_to(it(out), "{} per {}, ", what, interval_text(t.interval_ns));
    escape(out, t.title);
    out.append(std::string_view("</title>\n<g class=\"grid\">"));
    for (const Tick& tick : yticks) {
        const double y = y_of(tick.value);
        fmt::format_to(it(out), "<line x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\"/>", Num{kLeft}, Num{kW - kRight}, Num{y},
                       Num{y});
    }
    out.append(std::string_view("</g>\n<g class=\"ylabels\">"));
    for (const Tick& tick : yticks) {
        fmt::format_to(it(out), "<text x=\"{}\" y=\"{}\">{}</text>", Num{kLeft - 6}, Num{y_of(tick.value) + 4},
                       tick.label);
    }
    out.append(std::string_view("</g>\n<g class=\"series\">"));
    std::vector<std::uint64_t> base(n, 0);
    for (std::size_t g = 0; g < ng; ++g) {
        bool any = false;
        for (std::size_t b = 0; b < n && !any; ++b) any = value(t.buckets[b].groups[g], metric) != 0;
        if (!any) continue;
        std::vector<std::uint64_t> top(n);
        for (std::size_t b = 0; b < n; ++b) top[b] = base[b] + value(t.buckets[b].groups[g], metric);
        // Top edge left to right, bottom edge back: steps, since each value holds for its interval.
        fmt::format_to(it(out), "<path class=\"{}\" d=\"M{} {}", group_class(t, g), Num{x_of(0)},
                       Num{y_of(static_cast<double>(top[0]))});
        for (std::size_t b = 0; b < n; ++b) {
            fmt::format_to(it(out), "H{}", Num{x_of(b + 1)});
            if (b + 1 < n) fmt::format_to(it(out), "V{}", Num{y_of(static_cast<double>(top[b + 1]))});
        }
        fmt::format_to(it(out), "V{}", Num{y_of(static_cast<double>(base[n - 1]))});
        for (std::size_t b = n; b-- > 0;) {
            fmt::format_to(it(out), "H{}", Num{x_of(b)});
            if (b > 0) fmt::format_to(it(out), "V{}", Num{y_of(static_cast<double>(base[b - 1]))});
        }
        out.append(std::string_view("Z\"><title>"));
        escape(out, t.groups[g]);
        out.append(std::string_view("</title></path>"));
        base = std::move(top);
    }
    fmt::format_to(it(out), "</g>\n<g class=\"xaxis\"><line x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\"/>", Num{kLeft},
                   Num{kW - kRight}, Num{kTop + plot_h}, Num{kTop + plot_h});
    for (const Tick& tick : time_ticks(t0, t1, ctx.zone)) {
        const double x = kLeft + plot_w * (tick.value - static_cast<double>(t0)) /
                                     (static_cast<double>(t1) - static_cast<double>(t0));
        const std::string_view anchor = x < kLeft + 24 ? "start" : x > kW - kRight - 24 ? "end" : "middle";
        fmt::format_to(
            it(out),
            "<line x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\"/><text x=\"{}\" y=\"{}\" text-anchor=\"{}\">{}</text>",
            Num{x}, Num{x}, Num{kTop + plot_h}, Num{kTop + plot_h + 4}, Num{x}, Num{height - 6}, anchor, tick.label);
    }
    out.append(std::string_view("</g>\n<g class=\"hover\">"));
    for (std::size_t b = 0; b < n; ++b) {
        if (totals[b] == 0) continue;
        const auto& bucket = t.buckets[b];
        fmt::format_to(it(out), "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"><title>", Num{x_of(b)}, Num{kTop},
                       Num{x_of(b + 1) - x_of(b)}, Num{plot_h});
        fmt::format_to(
            it(out), "{} \u2013 {} {}", time_text(bucket.start_ns, ctx.zone, t.interval_ns < kSec ? 3 : 0),
            time_text(sat_add(bucket.start_ns, t.interval_ns), ctx.zone, t.interval_ns < kSec ? 3 : 0).substr(11),
            ctx.zone.label);
        for (std::size_t g = ng; g-- > 0;) {  // top of the stack first, as drawn
            const std::uint64_t v = value(bucket.groups[g], metric);
            if (v == 0) continue;
            out.push_back('\n');
            escape(out, t.groups[g]);
            fmt::format_to(it(out), ": {}", metric_text(v, metric));
        }
        fmt::format_to(it(out), "\nTotal: {}</title></rect>", metric_text(totals[b], metric));
    }
    out.append(std::string_view("</g></svg>\n"));
}

void write_legend(Buffer& out, const HtmlTimeline& t) {
    std::vector<std::uint64_t> bytes(t.groups.size(), 0), packets(t.groups.size(), 0);
    std::uint64_t all = 0;
    for (const auto& b : t.buckets) {
        for (std::size_t g = 0; g < b.groups.size(); ++g) {
            bytes[g] += b.groups[g].bytes;
            packets[g] += b.groups[g].packets;
            all += b.groups[g].bytes;
        }
    }
    out.append(std::string_view("<ul class=\"legend\">"));
    for (std::size_t g = t.groups.size(); g-- > 0;) {  // as stacked: top first
        if (bytes[g] == 0 && packets[g] == 0) continue;
        fmt::format_to(it(out), "<li><span class=\"swatch {}\"></span>", group_class(t, g));
        escape(out, t.groups[g]);
        fmt::format_to(it(out), " <span class=\"num\" title=\"{} bytes, {} packets\">{} \u00b7 {}</span></li>",
                       count_text(bytes[g]), count_text(packets[g]), human_size(bytes[g]),
                       share_text(all ? static_cast<double>(bytes[g]) / static_cast<double>(all) : 0));
    }
    out.append(std::string_view("</ul>\n"));
}

}  // namespace

void write_timeline_section(Buffer& out, const HtmlReportData& data, const Context& ctx) {
    out.append(std::string_view("<section id=\"timeline\">\n<h2>Timeline</h2>\n"));
    std::size_t drawn = 0;
    std::vector<std::string> skipped;
    for (const HtmlTimeline& raw : data.timelines) {
        if (raw.buckets.empty()) continue;
        if (drawn == ctx.options.max_timelines) {
            skipped.push_back(raw.title);
            continue;
        }
        ++drawn;
        const HtmlTimeline t = bounded_timeline(raw, ctx.options.max_timeline_buckets, ctx.options.max_timeline_groups);
        const std::int64_t end = sat_add(t.buckets.back().start_ns, t.interval_ns);
        out.append(std::string_view("<figure class=\"timeline\">\n<figcaption><h3>"));
        escape(out, t.title);
        fmt::format_to(it(out), "</h3><span class=\"muted\">{} to {} {} \u00b7 per {} \u00b7 by ",
                       time_text(t.buckets.front().start_ns, ctx.zone), time_text(end, ctx.zone), ctx.zone.label,
                       interval_text(t.interval_ns));
        escape(out, t.group_by);
        out.append(std::string_view("</span></figcaption>\n"));
        write_legend(out, t);
        out.append(std::string_view("<h4>Bytes</h4>\n"));
        write_stacked_chart(out, t, Metric::bytes, 220, ctx);
        out.append(std::string_view("<h4>Packets</h4>\n"));
        write_stacked_chart(out, t, Metric::packets, 150, ctx);
        out.append(std::string_view("</figure>\n"));
    }
    if (drawn == 0) out.append(std::string_view("<p class=\"empty\">No flow times to draw.</p>\n"));
    if (!skipped.empty()) {
        fmt::format_to(it(out), "<p class=\"note\">{} more timelines not drawn:", skipped.size());
        for (std::size_t i = 0; i < skipped.size() && i < 20; ++i) {
            out.append(std::string_view(i ? ", " : " "));
            escape(out, skipped[i]);
        }
        out.append(std::string_view(skipped.size() > 20 ? ", \u2026</p>\n" : ".</p>\n"));
    }
    out.append(std::string_view("</section>\n"));
}

void write_loss_chart(Buffer& out, const HtmlExporterRow& row, const Context& ctx) {
    if (row.sequence_missing == 0 && row.sequence_loss.empty()) {
        out.append(std::string_view("<span class=\"ok\">none</span>"));
        return;
    }
    fmt::format_to(it(out), "<span class=\"num\">{}</span> <span class=\"muted\">in {} gap{}</span>",
                   count_text(row.sequence_missing), count_text(row.sequence_gaps), row.sequence_gaps == 1 ? "" : "s");
    if (row.sequence_loss.empty()) return;
    std::int64_t t0 = row.sequence_loss.front().time_ns, t1 = t0;
    for (const auto& p : row.sequence_loss) {
        t0 = std::min(t0, p.time_ns);
        t1 = std::max(t1, p.time_ns);
    }
    if (row.first_ns) t0 = std::min(t0, *row.first_ns);
    if (row.last_ns) t1 = std::max(t1, *row.last_ns);
    const std::size_t bins = std::max<std::size_t>(ctx.options.max_loss_points, 1);
    std::vector<std::uint64_t> sum(bins, 0);
    const double span = static_cast<double>(t1) - static_cast<double>(t0) + 1;
    for (const auto& p : row.sequence_loss) {
        sum[bin_of(static_cast<double>(p.time_ns) - static_cast<double>(t0), span, bins)] += p.missing;
    }
    const std::uint64_t peak = *std::max_element(sum.begin(), sum.end());
    const std::size_t peak_bin = static_cast<std::size_t>(std::max_element(sum.begin(), sum.end()) - sum.begin());
    constexpr double kW = 110, kH = 24;
    const double bw = kW / static_cast<double>(bins);
    fmt::format_to(it(out),
                   "<svg class=\"spark\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" role=\"img\"><title>",
                   Num{kW}, Num{kH}, Num{kW}, Num{kH});
    const std::int64_t peak_at =
        to_time(static_cast<double>(t0) + span * (static_cast<double>(peak_bin) + 0.5) / static_cast<double>(bins));
    fmt::format_to(it(out), "Sequence loss {} to {} {}: {} missing in {} gaps; most ({}) near {}</title>",
                   time_text(t0, ctx.zone), time_text(t1, ctx.zone), ctx.zone.label, count_text(row.sequence_missing),
                   count_text(row.sequence_gaps), count_text(peak), time_text(peak_at, ctx.zone));
    fmt::format_to(it(out), "<line x1=\"0\" x2=\"{}\" y1=\"{}\" y2=\"{}\"/><path d=\"", Num{kW}, Num{kH - 0.5},
                   Num{kH - 0.5});
    for (std::size_t i = 0; i < bins; ++i) {
        if (sum[i] == 0 || peak == 0) continue;
        // At least 2 units tall, so that a single lost record shows.
        const double h = std::max(2.0, (kH - 2) * static_cast<double>(sum[i]) / static_cast<double>(peak));
        fmt::format_to(it(out), "M{} {}h{}v{}h{}Z", Num{bw * static_cast<double>(i)}, Num{kH},
                       Num{std::max(bw - 0.4, 0.6)}, Num{-h}, Num{-std::max(bw - 0.4, 0.6)});
    }
    out.append(std::string_view("\"/></svg>"));
}

}  // namespace nfpcap::report::html
