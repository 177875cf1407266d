// SPDX-License-Identifier: MIT
// What a run read: per-file capture accounting, shared by every command's summary.
#pragma once
#include <string>
#include <vector>

#include "nfpcap/report/output.hpp"
#include "nfpcap/session/session_table.hpp"
#include "nfpcap/source/source.hpp"

namespace nfpcap::report {

/// Per-input accounting (capture counters, read errors) as the source reported it.
using FileSummary = source::InputSummary;

/// `nfpcap stats`: totals, frame accounting, reasons and one row per exporter session.
void write_stats(Output& out, const std::vector<FileSummary>& files, const session::SessionTable& sessions,
                 Format format);

}  // namespace nfpcap::report
