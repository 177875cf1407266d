// SPDX-License-Identifier: MIT
// `nfpcap decode`: hex fixture lines back to records, templates carried from line to line.
#include "decode.hpp"

#include <map>

#include <fmt/format.h>

#include "nfpcap/fixture/text_format.hpp"
#include "nfpcap/report/losses.hpp"

namespace nfpcap::cli {

namespace {

// Prints records like `flows`; says which line lost data, and why.
class DecodeConsumer final : public pipeline::SinkConsumer {
public:
    DecodeConsumer(report::RecordWriter& writer, const report::Output& out, const fixture::FixtureSource& source)
        : SinkConsumer(writer), out_(out), source_(source) {}

    void on_message_begins(const source::Message& m) override { frame_ = m.frame; }
    void on_issue(const netflow::MessageContext& c, const netflow::Issue& issue) override {
        if (netflow::loses_data(issue.reason)) issues_.push_back({c.frame, issue});
    }
    void on_message(const source::Message&, const session::ProcessResult& result) override {
        if (result.verdict == session::Verdict::malformed) {
            fmt::print(stderr, "nfpcap: {}: not decoded: {} ({})\n", source_.where(), netflow::describe(*result.reason),
                       netflow::name(*result.reason));
            ++failed_;
        }
        print_issues(false);
    }
    // Data that waited for its template in vain is reported at the end, by its frame.
    void on_finish() override { print_issues(true); }
    [[nodiscard]] bool done() const override { return out_.closed(); }
    [[nodiscard]] std::uint64_t failed() const noexcept { return failed_; }

private:
    void print_issues(bool at_end) {
        for (const auto& [frame, issue] : issues_) {
            // An issue of a set decoded late belongs to the frame that carried the set.
            if (at_end || frame != frame_) {
                fmt::print(stderr, "nfpcap: frame {}: warning: {} ({}) at byte {}", frame,
                           netflow::describe(issue.reason), netflow::name(issue.reason), issue.offset);
            } else {
                fmt::print(stderr, "nfpcap: {}: warning: {} ({}) at byte {}", source_.where(),
                           netflow::describe(issue.reason), netflow::name(issue.reason), issue.offset);
            }
            if (issue.template_id != 0) fmt::print(stderr, ", template {}", issue.template_id);
            fmt::print(stderr, "\n");
        }
        issues_.clear();
    }

    std::uint64_t frame_ = 0;
    const report::Output& out_;
    const fixture::FixtureSource& source_;
    std::vector<std::pair<std::uint64_t, netflow::Issue>> issues_;
    std::uint64_t failed_ = 0;
};

}  // namespace

CLI::App* setup_decode(CLI::App& app, DecodeOptions& options) {
    auto* sub = app.add_subcommand(
        "decode",
        "Decode hex export payloads (arguments, --file or standard input; # comments as `hex` writes "
        "them) and print the records like `flows`");
    add_format_option(*sub, options.format,
                      {report::Format::text, report::Format::json, report::Format::csv, report::Format::line},
                      "as for flows");
    sub->add_flag("--options", options.options_records, "Also print options records (marked \"kind\":\"options\")");
    sub->add_flag("--provenance", options.provenance, "As for flows: every record names its template's frame");
    add_pending_option(*sub, options.pending_limit);
    sub->add_flag("--join-options", options.join_options,
                  "Join each data record with its session's options data: sampling_interval and sampling_source "
                  "(the rate the record was sampled at and where it came from), interface and VRF names, the "
                  "exporter's address");
    sub->add_option("--file", options.files, "Read hex lines from this file (repeatable); - reads standard input")
        ->type_name("FILE");
    add_ie_file_option(*sub);
    sub->add_option("hex", options.hex,
                    "Hex payloads, one export datagram each, decoded in order; - reads standard input")
        ->type_name("HEX...");
    return sub;
}

int run_decode(const DecodeOptions& options) {
    // Arguments first (each a hex line; - reads standard input there), then --file inputs;
    // standard input when neither is given.
    std::vector<fixture::FixtureInput> inputs;
    using Kind = fixture::FixtureInput::Kind;
    for (std::size_t i = 0; i < options.hex.size(); ++i) {
        if (options.hex[i] == "-") {
            inputs.push_back({Kind::standard_input, "<stdin>", {}});
        } else {
            inputs.push_back({Kind::line, fmt::format("argument {}", i + 1), options.hex[i]});
        }
    }
    for (const std::string& file : options.files) {
        if (file == "-") {
            inputs.push_back({Kind::standard_input, "<stdin>", {}});
        } else {
            inputs.push_back({Kind::file, file, file});
        }
    }
    if (inputs.empty()) inputs.push_back({Kind::standard_input, "<stdin>", {}});

    fixture::FixtureSource source(std::move(inputs),
                                  [](const std::string& error) { fmt::print(stderr, "nfpcap: {}\n", error); });
    report::Output out(stdout);
    report::RecordWriter writer(out,
                                {options.format, options.options_records, options.provenance, options.join_options});
    session::SessionOptions session_options;
    session_options.all_export = true;  // every line is an export message
    session_options.pending_limit = options.pending_limit;
    session::SessionTable sessions(session_options);
    DecodeConsumer consumer(writer, out, source);
    pipeline::RunOptions run_options;
    run_options.stop = stop_flag();  // SIGINT/SIGTERM: the lines decoded so far are printed whole
    const pipeline::RunResult run = pipeline::run(source, sessions, consumer, run_options);
    int rc = run.input_error || source.bad_lines() != 0 || consumer.failed() != 0 ? kExitInputError : kExitOk;
    for (const auto& input : run.inputs) {
        if (!input.error.empty()) fmt::print(stderr, "nfpcap: {}: {}\n", input.name, input.error);
    }
    // What the decoder lost was said line by line; messages past the session limit were not.
    std::vector<report::Loss> lost = report::losses(run.inputs, sessions);
    std::erase_if(lost, [](const report::Loss& l) { return l.stage != report::Loss::Stage::session_limit; });
    report::print_losses(lost);
    // Stopped by a signal while files were read: they were cut short (standard input ends so).
    if (rc == kExitOk && run.stopped && stop_signal() != 0 && !options.files.empty()) {
        bool stdin_only = true;
        for (const auto& f : options.files) stdin_only = stdin_only && f == "-";
        if (!stdin_only) rc = kExitSignalBase + stop_signal();
    }
    return finish_output(out, rc);
}

}  // namespace nfpcap::cli
