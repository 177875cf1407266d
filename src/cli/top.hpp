// SPDX-License-Identifier: MIT
// `nfpcap top`: top-N statistics of flow records by a key (nfdump -s).
#pragma once
#include "flow_select.hpp"
#include "input.hpp"
#include "names.hpp"
#include "nfpcap/analyze/top.hpp"
#include "nfpcap/report/statistics_report.hpp"

namespace nfpcap::cli {

struct TopOptions {
    InputOptions input;
    FlowSelectOptions select;
    NameOptions names;
    std::string statistic = "srcip";
    analyze::TopOrder order = analyze::TopOrder::flows;
    std::size_t count = 10;
    bool renormalize = false;
    bool local_time = false;
    bool quiet = false;
    report::Format format = report::Format::text;
};

CLI::App* setup_top(CLI::App& app, TopOptions& options);
int run_top(const TopOptions& options);

}  // namespace nfpcap::cli
