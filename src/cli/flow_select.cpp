// SPDX-License-Identifier: MIT
// -Y/--filter, --from and --to.
#include "flow_select.hpp"

#include <fmt/format.h>

namespace nfpcap::cli {

void add_flow_select_options(CLI::App& app, FlowSelectOptions& options, bool local) {
    app.add_option("-Y,--filter", options.filter,
                   "Only flows matching this nfdump-syntax filter, e.g. 'proto tcp and dst port 443' (see nfpcap(1))")
        ->type_name("FILTER");
    app.add_option(
           "--from", options.from,
           std::string("Only flows starting at or after this time: ISO 8601 (2024-01-31T12:00:00[.f][Z|+hh:mm]; ") +
               (local ? "UTC without a zone, local time with --local" : "UTC without a zone") +
               ") or seconds since 1970")
        ->type_name("TIME");
    app.add_option("--to", options.to, "Only flows starting before this time (as --from)")->type_name("TIME");
}

std::optional<FlowSelector> make_flow_selector(const FlowSelectOptions& options, bool local) {
    FlowSelector s;
    if (auto error = analyze::compile_filter(options.filter, s.filter)) {
        fmt::print(stderr, "nfpcap: {}\n", error->describe());
        return std::nullopt;
    }
    for (const auto& [name, text, slot] :
         {std::tuple{"--from", &options.from, &s.window.from_ns}, std::tuple{"--to", &options.to, &s.window.to_ns}}) {
        if (text->empty()) continue;
        std::int64_t ns = 0;
        if (auto error = analyze::parse_time(*text, ns, local)) {
            fmt::print(stderr, "nfpcap: {} {}: {}\n", name, *text, *error);
            return std::nullopt;
        }
        *slot = ns;
    }
    if (s.window.from_ns && s.window.to_ns && *s.window.to_ns <= *s.window.from_ns) {
        fmt::print(stderr, "nfpcap: --to {} is not after --from {}\n", options.to, options.from);
        return std::nullopt;
    }
    return s;
}

}  // namespace nfpcap::cli
