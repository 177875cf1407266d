// SPDX-License-Identifier: MIT
// The timeline: a window of intervals per group, packets and bytes spread exactly by duration.
#include "nfpcap/analyze/timeline.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

#include "nfpcap/analyze/services.hpp"
#include "nfpcap/analyze/top.hpp"

namespace nfpcap::analyze {

namespace {

// floor(a / b) for b > 0.
Int128 floor_div(Int128 a, Int128 b) noexcept {
    const Int128 q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}

std::int64_t clamp64(Int128 v) noexcept {
    if (v > INT64_MAX) return INT64_MAX;
    if (v < INT64_MIN) return INT64_MIN;
    return static_cast<std::int64_t>(v);
}

std::uint64_t clamp_u64(UInt128 v, bool& saturated) noexcept {
    if (v > UINT64_MAX) {
        saturated = true;
        return UINT64_MAX;
    }
    return static_cast<std::uint64_t>(v);
}

void add_to(TimelineCounters& c, std::uint64_t packets, std::uint64_t bytes) noexcept {
    c.flows = sat_add(c.flows, std::uint64_t{1}, c.saturated);
    c.packets = sat_add(c.packets, packets, c.saturated);
    c.bytes = sat_add(c.bytes, bytes, c.saturated);
}

}  // namespace

std::optional<std::string> parse_timeline_group(std::string_view text, TimelineGroup& out) {
    std::string t(text);
    for (char& c : t) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    if (t == "none")
        out = TimelineGroup::none;
    else if (t == "proto")
        out = TimelineGroup::proto;
    else if (t == "exporter")
        out = TimelineGroup::exporter;
    else if (t == "service")
        out = TimelineGroup::service;
    else
        return std::string(text) + ": not a grouping (none, proto, exporter, service)";
    return std::nullopt;
}

std::int64_t TimelineResult::interval_start(std::size_t i) const noexcept {
    return clamp64(static_cast<Int128>(origin_ns) + (first_index + static_cast<Int128>(i)) * interval_ns);
}

Timeline::Timeline(TimelineOptions options) : options_(std::move(options)) {
    if (options_.interval_ns <= 0) throw std::invalid_argument("the interval must be longer than 0");
    if (options_.max_intervals == 0) throw std::invalid_argument("max_intervals must be at least 1");
    if (options_.from_ns) origin_ = *options_.from_ns;
    if (options_.from_ns && options_.to_ns) {
        if (*options_.to_ns <= *options_.from_ns) throw std::invalid_argument("the window ends before it starts");
        const Int128 n =
            floor_div(static_cast<Int128>(*options_.to_ns) - *options_.from_ns - 1, options_.interval_ns) + 1;
        if (n > static_cast<Int128>(options_.max_intervals)) {
            throw std::invalid_argument("the window holds more than " + std::to_string(options_.max_intervals) +
                                        " intervals: use a longer interval or a shorter window");
        }
        fixed_ = have_window_ = true;
        lo_ = 0;
        hi_ = n - 1;
    }
}

std::size_t Timeline::group_of(const FlowRecord& flow) {
    std::array<std::uint8_t, 20> key{};
    std::string label;
    switch (options_.group) {
    case TimelineGroup::none: break;
    case TimelineGroup::proto: key[0] = flow.protocol; break;
    case TimelineGroup::exporter:
        key[0] = flow.exporter.addr.family;
        std::copy(flow.exporter.addr.bytes.begin(), flow.exporter.addr.bytes.end(), key.begin() + 1);
        key[17] = static_cast<std::uint8_t>(flow.exporter.port >> 8U);
        key[18] = static_cast<std::uint8_t>(flow.exporter.port);
        break;
    case TimelineGroup::service: {
        const auto [protocol, port] = flow_service(flow);
        key[0] = protocol;
        key[1] = static_cast<std::uint8_t>(port >> 8U);
        key[2] = static_cast<std::uint8_t>(port);
        break;
    }
    }
    // Few groups: a linear scan over compact keys beats a map, and allocates nothing.
    for (std::size_t i = 0; i < keys_.size(); ++i) {
        if (keys_[i] == key) return i;
    }
    if (keys_.size() >= options_.max_groups) {
        if (!other_) {
            other_ = groups_.size();
            groups_.push_back({"other", std::deque<Cell>(static_cast<std::size_t>(hi_ - lo_ + 2))});
        }
        return *other_;
    }
    switch (options_.group) {
    case TimelineGroup::none: label = "all"; break;
    case TimelineGroup::proto: {
        const std::string_view name = protocol_name(flow.protocol);
        label = name.empty() ? std::to_string(flow.protocol) : std::string(name);
        break;
    }
    case TimelineGroup::exporter: label = wire::to_string(flow.exporter); break;
    case TimelineGroup::service: {
        const auto [protocol, port] = flow_service(flow);
        label = service_text(protocol, port);
        break;
    }
    }
    // ("other" only exists once the groups are full: it stays last.)
    groups_.push_back(Group{label, std::deque<Cell>(static_cast<std::size_t>(hi_ - lo_ + 2))});
    keys_.push_back(key);
    return keys_.size() - 1;
}

void Timeline::cover(Int128 first, Int128 last) {
    const auto max = static_cast<Int128>(options_.max_intervals);
    Int128 new_lo = lo_, new_hi = hi_;
    if (!have_window_) {
        new_lo = first;
        new_hi = std::min(last, first + max - 1);
        if (new_hi < last) window_limited_ = true;
        have_window_ = true;
        lo_ = new_lo;
        hi_ = new_lo - 1;  // empty: grown below
    } else {
        Int128 room = max - (hi_ - lo_ + 1);
        if (first < lo_) {
            const Int128 ext = std::min(lo_ - first, room);
            if (ext < lo_ - first) window_limited_ = true;
            new_lo = lo_ - ext;
            room -= ext;
        }
        if (last > hi_) {
            const Int128 ext = std::min(last - hi_, room);
            if (ext < last - hi_) window_limited_ = true;
            new_hi = hi_ + ext;
        }
    }
    for (Group& g : groups_) {
        for (Int128 i = new_lo; i < lo_; ++i) g.cells.emplace_front();
        for (Int128 i = hi_; i < new_hi; ++i) g.cells.emplace_back();
    }
    lo_ = new_lo;
    hi_ = new_hi;
}

void Timeline::range_add(Group& g, Int128 from, Int128 to, Int128 value, bool bytes) {
    if (value == 0 || from > to) return;
    const Int128 x = std::max(from, lo_), y = std::min(to, hi_);
    const Int128 inside = x <= y ? y - x + 1 : 0;
    const auto out = static_cast<UInt128>(value) * static_cast<UInt128>(to - from + 1 - inside);
    (bytes ? outside_bytes_ : outside_packets_) += out;
    if (inside == 0) return;
    Cell& first = g.cells[static_cast<std::size_t>(x - lo_)];
    Cell& end = g.cells[static_cast<std::size_t>(y + 1 - lo_)];
    (bytes ? first.bytes : first.packets) += value;
    (bytes ? end.bytes : end.packets) -= value;
}

void Timeline::spread(Group& g, Int128 a, Int128 b, std::int64_t start, std::int64_t end, std::uint64_t value,
                      bool bytes) {
    if (value == 0) return;
    if (a == b) {
        range_add(g, a, a, value, bytes);
        return;
    }
    // Exact shares C * overlap / D, floored; the units left go to the largest remainders.
    const UInt128 c = value;
    const UInt128 d = span_ns(start, end);
    const Int128 w = options_.interval_ns;
    const UInt128 ov_a = static_cast<UInt128>(origin_ + (a + 1) * w - start);
    const UInt128 ov_b = static_cast<UInt128>(static_cast<Int128>(end) - (origin_ + b * w));
    const Int128 m = b - a - 1;
    const UInt128 f_a = c * ov_a / d, r_a = c * ov_a % d;
    const UInt128 f_b = c * ov_b / d, r_b = c * ov_b % d;
    const UInt128 q = m > 0 ? c * static_cast<UInt128>(w) / d : 0;
    const UInt128 r = m > 0 ? c * static_cast<UInt128>(w) % d : 0;
    UInt128 left = c - f_a - f_b - q * static_cast<UInt128>(m);
    struct Part {
        UInt128 remainder;
        int order;  // position in time: first, interior, last
        UInt128 size;
        UInt128 given = 0;
    };
    std::array<Part, 3> parts{{{r_a, 0, 1}, {r, 1, static_cast<UInt128>(m)}, {r_b, 2, 1}}};
    std::array<Part*, 3> by{&parts[0], &parts[1], &parts[2]};
    std::sort(by.begin(), by.end(), [](const Part* x, const Part* y) {
        return x->remainder != y->remainder ? x->remainder > y->remainder : x->order < y->order;
    });
    for (Part* p : by) {
        p->given = std::min(p->size, left);
        left -= p->given;
    }
    range_add(g, a, a, static_cast<Int128>(f_a + parts[0].given), bytes);
    range_add(g, b, b, static_cast<Int128>(f_b + parts[2].given), bytes);
    if (m > 0) {
        range_add(g, a + 1, b - 1, static_cast<Int128>(q), bytes);
        range_add(g, a + 1, a + static_cast<Int128>(parts[1].given), 1, bytes);
    }
}

void Timeline::add(const FlowRecord& flow) {
    std::uint64_t packets = flow.total_packets(), bytes = flow.total_bytes();
    if (options_.renormalize && flow.sampling > 1) {
        packets = sat_mul(packets, flow.sampling, saturated_);
        bytes = sat_mul(bytes, flow.sampling, saturated_);
    }
    add_to(totals_, packets, bytes);
    if (!flow.start_ns) {
        add_to(untimed_, packets, bytes);
        return;
    }
    const std::int64_t start = *flow.start_ns;
    std::int64_t end = flow.end_ns.value_or(start);
    if (end < start) {
        ++reversed_;
        end = start;
    }
    const Int128 w = options_.interval_ns;
    const Int128 a = floor_div(static_cast<Int128>(start) - origin_, w);
    const Int128 b = end > start ? floor_div(static_cast<Int128>(end) - 1 - origin_, w) : a;
    if (!fixed_) cover(a, b);
    const std::size_t gi = group_of(flow);
    Group& g = groups_[gi];
    if (a >= lo_ && a <= hi_) {
        std::uint64_t& f = g.cells[static_cast<std::size_t>(a - lo_)].flows;
        f = sat_add(f, std::uint64_t{1}, saturated_);
    } else {
        ++outside_flows_;
    }
    spread(g, a, b, start, end, packets, false);
    spread(g, a, b, start, end, bytes, true);
}

TimelineResult Timeline::result() const {
    TimelineResult r;
    r.interval_ns = options_.interval_ns;
    const bool any = have_window_ && hi_ >= lo_;
    r.intervals = any ? static_cast<std::size_t>(hi_ - lo_ + 1) : 0;
    r.origin_ns = static_cast<std::int64_t>(origin_);
    r.first_index = any ? lo_ : 0;
    r.first_start_ns = r.interval_start(0);
    r.totals = totals_;
    r.totals.saturated = r.totals.saturated || saturated_;
    r.untimed = untimed_;
    r.reversed = reversed_;
    r.window_limited = window_limited_;
    r.groups_limited = other_.has_value();
    r.outside.flows = outside_flows_;
    r.outside.packets = clamp_u64(outside_packets_, r.outside.saturated);
    r.outside.bytes = clamp_u64(outside_bytes_, r.outside.saturated);
    for (const Group& g : groups_) {
        TimelineSeries s;
        s.label = g.label;
        s.intervals.resize(r.intervals);
        Int128 packets = 0, bytes = 0;
        UInt128 sum_packets = 0, sum_bytes = 0;
        for (std::size_t i = 0; i < r.intervals && i < g.cells.size(); ++i) {
            packets += g.cells[i].packets;
            bytes += g.cells[i].bytes;
            TimelineCounters& c = s.intervals[i];
            c.flows = g.cells[i].flows;
            c.packets = clamp_u64(static_cast<UInt128>(packets), c.saturated);
            c.bytes = clamp_u64(static_cast<UInt128>(bytes), c.saturated);
            s.total.flows = sat_add(s.total.flows, c.flows, s.total.saturated);
            sum_packets += static_cast<UInt128>(packets);
            sum_bytes += static_cast<UInt128>(bytes);
            s.total.saturated = s.total.saturated || c.saturated;
        }
        s.total.packets = clamp_u64(sum_packets, s.total.saturated);
        s.total.bytes = clamp_u64(sum_bytes, s.total.saturated);
        r.series.push_back(std::move(s));
    }
    return r;
}

}  // namespace nfpcap::analyze
