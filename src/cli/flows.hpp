// SPDX-License-Identifier: MIT
// `nfpcap flows`: every decoded data record, one per line.
#pragma once
#include "flow_select.hpp"
#include "input.hpp"
#include "nfpcap/report/record_writer.hpp"

namespace nfpcap::cli {

struct FlowsOptions {
    InputOptions input;
    FlowSelectOptions select;
    report::Format format = report::Format::text;
    bool options_records = false;
    bool provenance = false;
    bool join_options = false;
};

CLI::App* setup_flows(CLI::App& app, FlowsOptions& options);
int run_flows(const FlowsOptions& options);

}  // namespace nfpcap::cli
