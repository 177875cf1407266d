// SPDX-License-Identifier: MIT
// `nfpcap report`: one self-contained HTML page of a capture.
#pragma once
#include "flow_select.hpp"
#include "input.hpp"
#include "names.hpp"
#include "nfpcap/analyze/timeline.hpp"

namespace nfpcap::cli {

struct ReportOptions {
    InputOptions input;
    FlowSelectOptions select;
    NameOptions names;
    std::string output;
    std::string title;
    bool local_time = false;
    double window_seconds = 10;
    bool renormalize = false;
    bool merge_exporters = false;
    std::size_t max_connections = 2000;
    analyze::TimelineGroup group = analyze::TimelineGroup::proto;
};

CLI::App* setup_report(CLI::App& app, ReportOptions& options);
int run_report(const ReportOptions& options);

}  // namespace nfpcap::cli
