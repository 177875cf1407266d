// SPDX-License-Identifier: MIT
// `nfpcap flows`: decoded records in capture order as text, JSON lines or CSV.
#include "flows.hpp"

#include <algorithm>
#include <map>
#include <thread>

#include "nfpcap/analyze/flow.hpp"
#include "nfpcap/report/losses.hpp"

namespace nfpcap::cli {

void add_threads_option(CLI::App& sub, unsigned& threads) {
    sub.add_option("--threads", threads,
                   "Threads to use (default: one per core); the output is the same with any number")
        ->check(CLI::PositiveNumber)
        ->type_name("N");
}

unsigned thread_count(unsigned threads) {
    if (threads != 0) return threads;
    return std::max(1U, std::thread::hardware_concurrency());
}

CLI::App* setup_flows(CLI::App& app, FlowsOptions& options) {
    auto* sub = app.add_subcommand("flows",
                                   "Print every decoded flow record, one per line, in capture order; what could not "
                                   "be decoded is named on standard error, one line per loss");
    add_format_option(*sub, options.format,
                      {report::Format::text, report::Format::json, report::Format::csv, report::Format::line},
                      "json is one object per line, line one compact line per flow like nfdump -o line");
    sub->add_flag("--options", options.options_records, "Also print options records (marked \"kind\":\"options\")");
    sub->add_flag("--join-options", options.join_options,
                  "Join each data record with its session's options data: sampling_interval and sampling_source "
                  "(the rate the record was sampled at and where it came from), interface and VRF names, the "
                  "exporter's address");
    add_flow_select_options(*sub, options.select, false);
    sub->add_option("-c,--count", options.count, "Stop after N records (those -Y, --from and --to select)")
        ->check(CLI::PositiveNumber)
        ->type_name("N");
    sub->add_flag("--provenance", options.provenance,
                  "Name on every v9/IPFIX record the frame that defined its template (\"template_frame\"); records "
                  "decoded late, after a template that came later, always do");
    add_threads_option(*sub, options.threads);
    add_input_options(*sub, options.input);
    return sub;
}

namespace {

// With -Y, --from or --to: only the data records whose flow is selected reach the writer
// (options records and records without addresses have no flow, so none of them do; the writer
// still learns from options records, for --join-options). With -c N, only the first N records.
class SelectingSink final : public netflow::DecodeSink {
public:
    SelectingSink(report::RecordWriter& next, FlowSelector* selector, std::uint64_t limit)
        : next_(next), selector_(selector), limit_(limit) {}
    void on_template(const netflow::MessageContext& c, const netflow::ExportHeader& h, const netflow::Template& t,
                     netflow::TemplateChange change) override {
        next_.on_template(c, h, t, change);
    }
    void on_record(const netflow::DataRecord& r) override {
        if (full()) return;
        if (selector_ != nullptr) {
            if (r.is_options()) return next_.learn_options(r);
            auto flow = extract_(r);
            if (!flow || !selector_->accept(*flow)) return;
        }
        // Options records count only where they are printed (--options).
        if (!r.is_options() || next_.prints_options()) ++passed_;
        next_.on_record(r);
    }
    void on_issue(const netflow::MessageContext& c, const netflow::Issue& issue) override { next_.on_issue(c, issue); }
    /// -c N reached: nothing more is printed, the run may stop.
    [[nodiscard]] bool full() const noexcept { return limit_ != 0 && passed_ >= limit_; }

private:
    report::RecordWriter& next_;
    FlowSelector* selector_;  // nullptr: every record
    analyze::FlowExtractor extract_;
    std::uint64_t limit_;
    std::uint64_t passed_ = 0;
};

// Records to the writer; with several files, each record names its file (a record decoded
// late, once its template came in a later file, still names its own).
class FlowsConsumer final : public pipeline::SinkConsumer {
public:
    // `gate` decides what reaches the writer; without -Y, --from, --to or -c the records go to
    // the writer directly (no extra call per record).
    FlowsConsumer(SelectingSink& gate, bool gated, report::RecordWriter& writer, report::Output& out, bool several)
        : SinkConsumer(gated ? static_cast<netflow::DecodeSink&>(gate) : writer),
          gate_(gate),
          writer_(writer),
          out_(out),
          several_(several) {}
    void on_input_begins(const source::InputSummary& input) override {
        if (several_) names_.push_back(input.name);
    }
    void on_record(const netflow::DataRecord& r) override {
        name_file(*r.context);
        SinkConsumer::on_record(r);
    }
    void on_run(const netflow::RecordRun& run) override {
        name_file(*run.shared.context);  // (a run is of one message: one file)
        SinkConsumer::on_run(run);
    }
    // Live, a pipe: each datagram's records are out before the next datagram is waited for.
    void on_message(const source::Message&, const session::ProcessResult&) override { writer_.item_done(); }
    [[nodiscard]] bool done() const override { return out_.closed() || gate_.full(); }

private:
    void name_file(const netflow::MessageContext& c) {
        if (several_ && c.input != named_ && c.input < names_.size()) {
            named_ = c.input;
            writer_.set_file(names_[named_]);
        }
    }

    SelectingSink& gate_;
    report::RecordWriter& writer_;
    report::Output& out_;
    bool several_;
    std::vector<std::string> names_;
    std::size_t named_ = SIZE_MAX;
};

}  // namespace

int run_flows(const FlowsOptions& options) {
    auto selector = make_flow_selector(options.select, false);
    if (!selector) return kExitUsage;
    const bool selecting = !options.select.filter.empty() || !selector->window.unbounded();
    report::Output out(stdout);
    out.set_immediate(options.input.immediate_output());
    // Formatting is most of the work: the other threads format batches of records while this
    // one reads and decodes (and formats too when they lag).
    report::RecordWriter writer(out, {options.format, options.options_records, options.provenance, options.join_options,
                                      thread_count(options.threads) - 1});
    SelectingSink selecting_sink(writer, selecting ? &*selector : nullptr, options.count);
    out.item_done();  // a CSV header row before the first record arrives
    session::SessionTable sessions(options.input.session_options());
    FlowsConsumer consumer(selecting_sink, selecting || options.count != 0, writer, out,
                           options.input.files.size() > 1);
    pipeline::RunResult run;
    const int run_rc = run_captures(options.input, sessions, consumer, &run);
    writer.finish();  // the records still in batches, before the output's fate is told
    const int rc = finish_output(out, run_rc);
    // The records cannot say what is missing between them: stderr does, one line per loss.
    report::print_losses(report::losses(run.inputs, sessions));
    return rc;
}

}  // namespace nfpcap::cli
