// SPDX-License-Identifier: MIT
// `nfpcap stats`: decodes everything, prints only the accounting.
#include "stats.hpp"

#include <map>

namespace nfpcap::cli {

CLI::App* setup_stats(CLI::App& app, StatsOptions& options) {
    auto* sub = app.add_subcommand("stats", "Count datagrams, records and problems, in total and per exporter session");
    const std::map<std::string, report::SummaryFormat> formats{{"text", report::SummaryFormat::text},
                                                               {"json", report::SummaryFormat::json}};
    add_choices(sub->add_option("-f,--format", options.format, "Output format: text or json")->type_name("FORMAT"),
                formats);
    add_input_options(*sub, options.input);
    return sub;
}

int run_stats(const StatsOptions& options) {
    pipeline::Consumer discard;  // decode every record, print none
    session::SessionTable sessions(options.input.session_options());
    pipeline::RunResult run;
    const int rc = run_captures(options.input, sessions, discard, &run);
    report::Output out(stdout);
    report::write_stats(out, run.inputs, sessions, options.format);
    return rc;
}

}  // namespace nfpcap::cli
