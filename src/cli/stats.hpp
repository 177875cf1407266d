// SPDX-License-Identifier: MIT
// `nfpcap stats`: exact accounting of a capture, in total and per exporter session.
#pragma once
#include "input.hpp"

namespace nfpcap::cli {

struct StatsOptions {
    InputOptions input;
    report::Format format = report::Format::text;
};

CLI::App* setup_stats(CLI::App& app, StatsOptions& options);
int run_stats(const StatsOptions& options);

}  // namespace nfpcap::cli
