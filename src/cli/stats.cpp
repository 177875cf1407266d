// SPDX-License-Identifier: MIT
// `nfpcap stats`: decodes everything, prints only the accounting.
#include "stats.hpp"

#include <map>

namespace nfpcap::cli {

CLI::App* setup_stats(CLI::App& app, StatsOptions& options) {
    auto* sub = app.add_subcommand(
        "stats",
        "Count datagrams, records and problems, in total and per exporter session, and each session's sampling");
    add_format_option(*sub, options.format, {report::Format::text, report::Format::json}, "json is one document");
    add_input_options(*sub, options.input);
    return sub;
}

int run_stats(const StatsOptions& options) {
    analyze::OptionsSink sampling;  // decode every record, print none; keep what options data says
    pipeline::SinkConsumer consumer(sampling);
    session::SessionTable sessions(options.input.session_options());
    pipeline::RunResult run;
    const int rc = run_captures(options.input, sessions, consumer, &run);
    report::Output out(stdout);
    report::write_stats(out, run.inputs, sessions, options.format, &sampling.state());
    return finish_output(out, rc);
}

}  // namespace nfpcap::cli
