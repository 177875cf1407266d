// SPDX-License-Identifier: MIT
// `nfpcap [connections]`: the connection table, hosts and services resolved.
#pragma once
#include <optional>
#include "flow_select.hpp"
#include "input.hpp"
#include "names.hpp"
#include "nfpcap/analyze/connections.hpp"
#include "nfpcap/analyze/selection.hpp"
#include "nfpcap/report/connection_report.hpp"

namespace nfpcap::cli {

struct ConnectionsOptions {
    InputOptions input;
    FlowSelectOptions select;
    report::Format format = report::Format::text;
    bool local_time = false;
    bool quiet = false;  ///< -q: rows only
    NameOptions names;
    std::vector<std::string> match_hosts;
    /// -p: unset means 10 for the text table, 0 for JSON and CSV (machines want every row).
    std::optional<std::uint64_t> min_packets;
    [[nodiscard]] std::uint64_t min_packets_or_default() const noexcept {
        return min_packets.value_or(format == report::Format::text ? 10 : 0);
    }
    std::size_t top = 0;
    analyze::SortKey sort = analyze::SortKey::start;
    double window_seconds = 10;
    bool renormalize = false;
    bool merge_exporters = false;
    bool follow = false;   ///< print each connection once it is complete
    unsigned threads = 0;  ///< --threads (0: one per core)
};

CLI::App* setup_connections(CLI::App& app, ConnectionsOptions& options);
int run_connections(const ConnectionsOptions& options);

}  // namespace nfpcap::cli
