// SPDX-License-Identifier: MIT
// What a run read: per-file capture accounting, shared by every command's summary.
#pragma once
#include <string>
#include <vector>

#include "nfpcap/analyze/options_state.hpp"
#include "nfpcap/report/output.hpp"
#include "nfpcap/session/session_table.hpp"
#include "nfpcap/source/source.hpp"

namespace nfpcap::report {

/// Per-input accounting (capture counters, read errors) as the source reported it.
using FileSummary = source::InputSummary;

/// `nfpcap stats`: totals, frame accounting, reasons and one row per exporter session; with
/// `options`, each session's sampling (what its options data announced, how its data records'
/// rates were resolved).
void write_stats(Output& out, const std::vector<FileSummary>& files, const session::SessionTable& sessions,
                 Format format, const analyze::OptionsState* options = nullptr);

}  // namespace nfpcap::report
