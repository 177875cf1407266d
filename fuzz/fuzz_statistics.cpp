// SPDX-License-Identifier: MIT
// libFuzzer target: top-N tables and timelines over records with hostile times and counters
// (fuzz_input.hpp), kept across inputs (every key kind; timelines of 1 ns, 1 s and 292-year
// intervals, a fixed from/to window), results written as text and JSON now and then. Traps when
// what was counted does not add up (unless a sum saturated, which must then be said).
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "fuzz_input.hpp"
#include "nfpcap/analyze/timeline.hpp"
#include "nfpcap/analyze/top.hpp"
#include "nfpcap/report/statistics_report.hpp"

using namespace nfpcap;

namespace {

constexpr std::size_t kTopFields = 15;  // analyze::TopField's members
using analyze::UInt128;

struct State {
    std::vector<analyze::TopTable> tops;
    std::vector<analyze::Timeline> timelines;
    std::uint64_t records = 0;

    State() {
        for (std::size_t f = 0; f < kTopFields; ++f) {
            analyze::TopOptions o;
            o.key.field = static_cast<analyze::TopField>(f);
            o.key.v4_bits = static_cast<std::uint8_t>(f * 2);
            o.key.v6_bits = static_cast<std::uint8_t>(f * 9);
            o.order = static_cast<analyze::TopOrder>(f % 3);
            o.count = f % 4;
            o.renormalize = f % 2 == 0;
            o.max_keys = 64;  // the limit is reached
            tops.emplace_back(o);
        }
        for (std::int64_t interval : {std::int64_t{1}, std::int64_t{1'000'000'000}, INT64_MAX}) {
            for (int fixed = 0; fixed < 2; ++fixed) {
                analyze::TimelineOptions o;
                o.interval_ns = interval;
                o.group = static_cast<analyze::TimelineGroup>((interval % 4 + fixed) % 4);
                o.max_intervals = 1000;
                o.max_groups = 4;
                o.renormalize = fixed == 1;
                if (fixed == 1 && interval > 1) {
                    o.from_ns = INT64_MIN;
                    o.to_ns = interval == INT64_MAX ? INT64_MAX : INT64_MIN + interval * 999;
                }
                timelines.emplace_back(o);
            }
        }
    }
};

void check(const analyze::TimelineResult& r) {
    if (r.totals.saturated || r.outside.saturated) return;
    UInt128 flows = UInt128{r.outside.flows} + r.untimed.flows,
            packets = UInt128{r.outside.packets} + r.untimed.packets;
    for (const auto& s : r.series) {
        for (const auto& c : s.intervals) {
            if (c.saturated) return;
            flows += c.flows;
            packets += c.packets;
        }
    }
    if (flows != r.totals.flows || packets != r.totals.packets) __builtin_trap();
}

void write(const State& s) {
    fuzz::MemoryFile file;
    report::Output out(file.file());
    for (const auto& t : s.tops) {
        const analyze::TopResult r = t.result();
        if (!r.totals.saturated) {
            for (const auto& row : r.rows) {
                if (row.counters.flows > 2 * r.totals.flows) __builtin_trap();  // either-side keys count twice
            }
        }
        // Every other host row named (a name with the characters CSV and JSON must quote).
        report::TopNames names;
        names.dns = analyze::ResolverStats{};
        for (std::size_t i = 0; i < r.rows.size(); i += 2) {
            if (auto host = analyze::key_host(r.key, r.rows[i])) names.names.emplace(*host, "a,\"name\"\n");
        }
        names.dns->asked = names.dns->named = names.names.size();
        report::write_top(out, r, {report::Format::text, false, false, 0, {}, {}}, names);
        report::write_top(out, r, {report::Format::json, true, false, 1, {}, {}}, names);
        report::write_top(out, r, {report::Format::csv, false, true, 0, {}, {}}, names);
    }
    for (const auto& t : s.timelines) {
        const analyze::TimelineResult r = t.result();
        check(r);
        report::write_timeline(out, r, {report::Format::text, false, false, 0, {}, {}});
        report::write_timeline(out, r, {report::Format::json, false, false, 2, {}, {}});
        report::write_timeline(out, r, {report::Format::csv, true, true, 0, {}, {}});
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static std::unique_ptr<State> state = std::make_unique<State>();
    static std::uint64_t inputs = 0;
    FuzzedDataProvider in(data, size);
    while (in.remaining_bytes() > 0) {
        const analyze::FlowRecord flow = fuzz::hostile_flow(in);
        for (auto& t : state->tops) t.add(flow);
        for (auto& t : state->timelines) t.add(flow);
        ++state->records;
    }
    if (++inputs % 32 == 0) write(*state);
    // Memory stays bounded: start over now and then (the timelines hold 1000 intervals each).
    if (state->records > 50000) state = std::make_unique<State>();
    return 0;
}
