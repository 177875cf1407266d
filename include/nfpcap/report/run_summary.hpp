// SPDX-License-Identifier: MIT
// What a run read: per-file capture accounting, shared by every command's summary.
#pragma once
#include <string>
#include <vector>

#include "nfpcap/capture/capture_reader.hpp"
#include "nfpcap/report/output.hpp"
#include "nfpcap/session/session_table.hpp"

namespace nfpcap::report {

struct FileSummary {
    std::string name;
    std::string link_type;
    capture::CaptureCounters counters;
    std::string error;  ///< read error that ended the file early (empty: read to the end)
};

enum class SummaryFormat : std::uint8_t { text, json };

/// `nfpcap stats`: totals, frame accounting, reasons and one row per exporter session.
void write_stats(Output& out, const std::vector<FileSummary>& files, const session::SessionTable& sessions,
                 SummaryFormat format);

}  // namespace nfpcap::report
