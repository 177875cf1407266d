// SPDX-License-Identifier: MIT
// `nfpcap templates`: template definitions and redefinitions per session.
#include "templates.hpp"

#include <map>

#include "nfpcap/report/template_report.hpp"

namespace nfpcap::cli {

CLI::App* setup_templates(CLI::App& app, TemplatesOptions& options) {
    auto* sub = app.add_subcommand(
        "templates",
        "List each session's templates with their fields and defining frames; per template ID the first "
        "definition, the one in force and the 8 latest others, a layout sent again counted, the rest summarized");
    add_format_option(*sub, options.format, {report::Format::text, report::Format::json},
                      "json is one line per definition");
    add_input_options(*sub, options.input);
    return sub;
}

int run_templates(const TemplatesOptions& options) {
    report::TemplateCollector collector;
    session::SessionTable sessions(options.input.session_options());
    const int rc = run_captures(options.input, sessions, collector);
    report::Output out(stdout);
    collector.write(out, options.format);
    return finish_output(out, rc);
}

}  // namespace nfpcap::cli
