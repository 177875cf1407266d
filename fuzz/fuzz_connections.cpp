// SPDX-License-Identifier: MIT
// libFuzzer target: the connection table. Records with hostile times, counters and addresses
// (fuzz_input.hpp) go into tables kept across inputs (pairing windows of 0, 10 s and 292
// years; renormalised and merged), which now and then hand over their connections
// (take_finished, finish) to the text, JSON and CSV writers. Traps on a negative duration, an
// end before a start, or a counter total that wrapped instead of saturating.
#include <array>
#include <cstddef>
#include <cstdint>

#include "fuzz_input.hpp"
#include "nfpcap/analyze/connections.hpp"
#include "nfpcap/analyze/selection.hpp"
#include "nfpcap/report/connection_report.hpp"

using namespace nfpcap;

namespace {

void check(const analyze::ConnectionList& connections) {
    for (const auto& c : connections) {
        if (c.has_time && c.end_ns < c.start_ns) __builtin_trap();
        if (c.duration_ns() < 0) __builtin_trap();
        // A total below one of its parts wrapped.
        if (c.total_packets() < c.packets[0] || c.total_bytes() < c.bytes[1]) __builtin_trap();
    }
}

void write_all(const analyze::ConnectionList& connections, FuzzedDataProvider& in) {
    analyze::SelectOptions so;
    so.min_packets = in.ConsumeBool() ? 0 : in.ConsumeIntegral<std::uint64_t>();
    so.top = in.ConsumeIntegralInRange<std::size_t>(0, 5);
    so.sort = static_cast<analyze::SortKey>(in.ConsumeIntegralInRange<int>(0, 3));
    const analyze::Selection selection = analyze::select(connections, so);
    report::ConnectionFooter footer;
    footer.connections = connections.size();
    footer.keyless = connections.size() % 3;  // some runs say what had no flow key
    for (const auto& c : connections) {
        footer.saturated += c.saturated ? 1 : 0;
        footer.reversed += c.reversed ? 1 : 0;
        footer.time_clamped += c.time_clamped ? 1 : 0;
        if (c.has_time) {
            if (!footer.first_ns || c.start_ns < *footer.first_ns) footer.first_ns = c.start_ns;
            if (!footer.last_ns || c.end_ns > *footer.last_ns) footer.last_ns = c.end_ns;
        }
        footer.exporters.insert(c.exporter);
    }
    for (auto format : {report::Format::text, report::Format::json, report::Format::csv}) {
        fuzz::MemoryFile file;
        {
            report::Output out(file.file());
            const bool local = in.ConsumeBool(), quiet = in.ConsumeBool();
            report::write_connections(out, selection, footer, {}, {format, local, so.min_packets, true, false, quiet});
            report::write_connection_rows(out, selection, {}, {format, false, 0, in.ConsumeBool()}, true);
        }
        fuzz::check_no_negative_duration(file.text());
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static std::array<analyze::ConnectionTable, 4> tables = [] {
        analyze::ConnectionOptions wide;
        wide.window_ns = INT64_MAX;
        analyze::ConnectionOptions none;
        none.window_ns = 0;
        analyze::ConnectionOptions merged;
        merged.renormalize = merged.merge_exporters = true;
        return std::array<analyze::ConnectionTable, 4>{analyze::ConnectionTable{}, analyze::ConnectionTable{wide},
                                                       analyze::ConnectionTable{none},
                                                       analyze::ConnectionTable{merged}};
    }();
    static std::uint64_t inputs = 0;
    FuzzedDataProvider in(data, size);
    while (in.remaining_bytes() > 0) {
        const analyze::FlowRecord flow = fuzz::hostile_flow(in);
        for (auto& t : tables) t.add(flow);
    }
    FuzzedDataProvider choices(data, size);  // the same bytes again, for the writers' choices
    // A live run's hand-over at an arbitrary "now" (the --follow path).
    const auto finished = tables[0].take_finished(fuzz::hostile_time(choices));
    check(finished);
    if (!finished.empty()) write_all(finished, choices);
    // Now and then (and always once the tables are large) the whole table, as at the end of a run.
    if (++inputs % 64 == 0 || tables[1].records() > 20000) {
        for (auto& t : tables) {
            const auto connections = t.finish();
            check(connections);
            write_all(connections, choices);
        }
    }
    return 0;
}
