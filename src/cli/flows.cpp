// SPDX-License-Identifier: MIT
// `nfpcap flows`: decoded records in capture order as text, JSON lines or CSV.
#include "flows.hpp"

#include <map>

namespace nfpcap::cli {

CLI::App* setup_flows(CLI::App& app, FlowsOptions& options) {
    auto* sub = app.add_subcommand("flows", "Print every decoded flow record, one per line, in capture order");
    const std::map<std::string, report::RecordFormat> formats{
        {"text", report::RecordFormat::text}, {"json", report::RecordFormat::json}, {"csv", report::RecordFormat::csv}};
    add_choices(sub->add_option("-f,--format", options.format, "Output format: text, json (JSON lines) or csv")
                    ->type_name("FORMAT"),
                formats);
    sub->add_flag("--options", options.options_records, "Also print options records (marked \"kind\":\"options\")");
    add_input_options(*sub, options.input);
    return sub;
}

int run_flows(const FlowsOptions& options) {
    report::Output out(stdout);
    report::RecordWriter writer(out, {options.format, options.options_records});
    session::SessionTable sessions({options.input.ports});
    std::vector<report::FileSummary> summaries;
    const bool several = options.input.files.size() > 1;
    int rc = read_captures(
        options.input, sessions, writer, summaries, [&] { return out.closed(); },
        [&](const std::string& name) {
            if (several) writer.set_file(name);
        });
    out.flush();
    return rc;
}

}  // namespace nfpcap::cli
