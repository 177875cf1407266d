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
    unsigned threads = 0;     ///< --threads (0: one per core)
    std::uint64_t count = 0;  ///< -c N: stop after N records (0: all)
};

/// `--threads N` of flows and connections: 0 (the default) is one per core.
void add_threads_option(CLI::App& sub, unsigned& threads);
/// The thread count to use: `threads`, or one per core for 0.
unsigned thread_count(unsigned threads);

CLI::App* setup_flows(CLI::App& app, FlowsOptions& options);
int run_flows(const FlowsOptions& options);

}  // namespace nfpcap::cli
