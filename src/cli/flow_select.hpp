// SPDX-License-Identifier: MIT
// -Y/--filter, --from and --to: which flow records a command looks at.
#pragma once
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "nfpcap/analyze/filter.hpp"
#include "nfpcap/analyze/time_window.hpp"

namespace nfpcap::cli {

struct FlowSelectOptions {
    std::string filter;
    std::string from, to;
};

/// Adds -Y/--filter, --from and --to to a subcommand (`local`: it has --local).
void add_flow_select_options(CLI::App& app, FlowSelectOptions& options, bool local = true);

/// The compiled selection: filter and time window.
struct FlowSelector {
    analyze::Filter filter;
    analyze::TimeWindow window;
    std::uint64_t rejected = 0;  ///< records left out so far
    bool accept(const analyze::FlowRecord& flow) {
        if (window.contains(flow) && filter.matches(flow)) return true;
        ++rejected;
        return false;
    }
};

/// Compiles the options; on error prints one line ("nfpcap: filter: ... at column N",
/// "nfpcap: --from X: ...") and returns nullopt (a usage error). `local`: times without a zone
/// are local time.
std::optional<FlowSelector> make_flow_selector(const FlowSelectOptions& options, bool local);

}  // namespace nfpcap::cli
