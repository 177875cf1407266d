// SPDX-License-Identifier: MIT
// Capture files through the library's run loop, with one error line per bad file.
#include "input.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "nfpcap/pipeline/first_pass.hpp"
#include "nfpcap/source/capture_source.hpp"

namespace nfpcap::cli {

namespace {

// Prints each input's error as the input ends, then passes the event on.
class ReportingConsumer final : public pipeline::ForwardingConsumer {
public:
    ReportingConsumer(pipeline::Consumer& next, std::string_view kept) : ForwardingConsumer(next), kept_(kept) {}
    void on_input_ends(const source::InputSummary& input) override {
        print_input_error(input, kept_);
        ForwardingConsumer::on_input_ends(input);
    }

private:
    std::string_view kept_;
};

}  // namespace

void add_format_option(CLI::App& app, report::Format& format, std::initializer_list<report::Format> formats,
                       const std::string& help) {
    std::map<std::string, report::Format> names;
    for (report::Format f : formats) names.emplace(std::string(report::name(f)), f);
    format = *formats.begin();
    const std::vector<report::Format> list(formats);
    add_choices(app.add_option("-T,--format", format,
                               fmt::format("Output format: {} (default {}); {}", report::describe_choices(list),
                                           report::name(format), help))
                    ->type_name("FORMAT"),
                names);
}

void add_input_options(CLI::App& app, InputOptions& options) {
    app.add_option("--port", options.ports,
                   "Only UDP datagrams to or from this port are export traffic (repeatable); "
                   "by default export datagrams are recognized on any port")
        ->type_name("PORT");
    add_pending_option(app, options.pending_limit);
    app.add_flag("--two-pass,!--no-two-pass", options.two_pass,
                 "When the late-data buffer fills (or data still waits at the end), read the files once more "
                 "to learn the templates that come later (default; never for standard input)");
    app.add_option("files", options.files, "Capture files (pcap or pcapng); - reads standard input")
        ->required()
        ->type_name("FILE...");
}

void add_pending_option(CLI::App& app, std::size_t& pending_limit) {
    app.add_option("--pending-limit", pending_limit,
                   "Keep at most SIZE bytes of data that came before its template (all exporters; K, M, G: "
                   "binary units; default 64M), decoded when the template arrives; 0 keeps none")
        ->transform(CLI::AsSizeValue(false))
        ->type_name("SIZE");
}

void print_input_error(const source::InputSummary& input, std::string_view kept) {
    if (input.error.empty()) return;
    if (!input.opened) {
        fmt::print(stderr, "nfpcap: {}\n", input.error);
        return;
    }
    fmt::print(stderr, "nfpcap: {}: {} (after frame {}; what came before it was {})\n", input.name, input.error,
               input.counters.frames, kept);
}

int run_captures(const InputOptions& options, session::SessionTable& sessions, pipeline::Consumer& consumer,
                 pipeline::RunResult* result, std::string_view kept) {
    source::CaptureSource source(options.files);
    ReportingConsumer reporting(consumer, kept);
    const bool from_stdin = std::find(options.files.begin(), options.files.end(), "-") != options.files.end();
    std::unique_ptr<pipeline::FirstPass> first_pass;
    if (options.two_pass && !from_stdin && options.pending_limit != 0) {
        const auto files = options.files;
        first_pass = std::make_unique<pipeline::FirstPass>(
            [files] { return std::make_unique<source::CaptureSource>(files); }, sessions.options());
        sessions.set_lookahead(first_pass.get());
    }
    pipeline::RunResult run = pipeline::run(source, sessions, reporting);
    sessions.set_lookahead(nullptr);
    const int rc = run.input_error ? kExitInputError : kExitOk;
    if (result != nullptr) *result = std::move(run);
    return rc;
}

}  // namespace nfpcap::cli
