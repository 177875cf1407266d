// SPDX-License-Identifier: MIT
// `nfpcap flows`: decoded records in capture order as text, JSON lines or CSV.
#include "flows.hpp"

#include <map>

namespace nfpcap::cli {

CLI::App* setup_flows(CLI::App& app, FlowsOptions& options) {
    auto* sub = app.add_subcommand("flows", "Print every decoded flow record, one per line, in capture order");
    add_format_option(*sub, options.format,
                      {report::Format::text, report::Format::json, report::Format::csv, report::Format::line},
                      "json is one object per line, line one compact line per flow like nfdump -o line");
    sub->add_flag("--options", options.options_records, "Also print options records (marked \"kind\":\"options\")");
    add_input_options(*sub, options.input);
    return sub;
}

namespace {

// Records to the writer; with several files, each record names its file.
class FlowsConsumer final : public pipeline::SinkConsumer {
public:
    FlowsConsumer(report::RecordWriter& writer, const report::Output& out, bool several)
        : SinkConsumer(writer), writer_(writer), out_(out), several_(several) {}
    void on_input_begins(const source::InputSummary& input) override {
        if (several_) writer_.set_file(input.name);
    }
    [[nodiscard]] bool done() const override { return out_.closed(); }

private:
    report::RecordWriter& writer_;
    const report::Output& out_;
    bool several_;
};

}  // namespace

int run_flows(const FlowsOptions& options) {
    report::Output out(stdout);
    report::RecordWriter writer(out, {options.format, options.options_records});
    session::SessionTable sessions(options.input.session_options());
    FlowsConsumer consumer(writer, out, options.input.files.size() > 1);
    const int rc = run_captures(options.input, sessions, consumer);
    out.flush();
    return rc;
}

}  // namespace nfpcap::cli
