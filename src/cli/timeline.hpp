// SPDX-License-Identifier: MIT
// `nfpcap timeline`: flows, packets and bytes per time interval (tshark -z io,stat).
#pragma once
#include "flow_select.hpp"
#include "input.hpp"
#include "nfpcap/analyze/timeline.hpp"
#include "nfpcap/report/statistics_report.hpp"

namespace nfpcap::cli {

struct TimelineOptions {
    InputOptions input;
    FlowSelectOptions select;
    double interval_seconds = 1.0;
    analyze::TimelineGroup group = analyze::TimelineGroup::none;
    std::size_t max_intervals = 100'000;
    bool renormalize = false;
    bool local_time = false;
    bool quiet = false;
    report::Format format = report::Format::text;
};

CLI::App* setup_timeline(CLI::App& app, TimelineOptions& options);
int run_timeline(const TimelineOptions& options);

}  // namespace nfpcap::cli
