// SPDX-License-Identifier: MIT
// Capture files through the library's run loop, with one error line per bad file.
#include "input.hpp"

#include <fmt/format.h>

#include "nfpcap/ie/definitions.hpp"
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

void add_ie_file_option(CLI::App& app) {
    app.add_option("--ie-file",
                   "Element definitions of your own, one pen,id,name,type a line (pen v9 for a NetFlow v9 "
                   "field type; type an RFC 7012 name such as unsigned32): they name and type fields the "
                   "built-in table does not know")
        ->each([](const std::string& path) {
            try {
                ie::set_user_definitions(ie::load_definitions(path));
            } catch (const ie::DefinitionsError& e) {
                throw CLI::ValidationError("--ie-file", e.what());
            }
        })
        ->type_name("FILE");
}

void add_input_options(CLI::App& app, InputOptions& options) {
    add_ie_file_option(app);
    app.add_option("--port", options.ports,
                   "Only UDP datagrams to or from this port are export traffic (repeatable); "
                   "by default export datagrams are recognized on any port")
        ->type_name("PORT");
    // -n means "no DNS" in every command, so that a habit never turns into a usage error.
    if (app.get_option_no_throw("--no-dns") == nullptr) {
        app.add_flag("-n,--no-dns", options.no_dns, "Do not look up host names (this command looks up none)");
    }
    app.add_option("files", options.files, "Capture files (pcap or pcapng); - reads standard input")
        ->required()
        ->type_name("FILE...");
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

void explain_no_export(const pipeline::RunResult& run, const session::SessionTable& sessions,
                       const InputOptions& options) {
    const session::Totals totals = sessions.totals();
    if (run.input_error || run.stopped || totals.datagrams != totals.not_export_datagrams) return;
    std::uint64_t frames = 0;
    for (const auto& input : run.inputs) frames += input.counters.frames;
    if (frames == 0) return;  // an empty capture is plain enough
    if (options.ports.empty()) {
        fmt::print(stderr,
                   "nfpcap: no NetFlow or IPFIX export traffic in {} frames ({} UDP datagrams): nfpcap reads what "
                   "flow exporters (routers, softflowd, nfprobe) send to a collector, not the traffic itself\n",
                   frames, totals.datagrams);
    } else {
        fmt::print(stderr,
                   "nfpcap: no NetFlow or IPFIX export traffic on the selected ports in {} frames ({} UDP "
                   "datagrams); without --port every UDP port is looked at\n",
                   frames, totals.datagrams);
    }
}

int run_captures(const InputOptions& options, session::SessionTable& sessions, pipeline::Consumer& consumer,
                 pipeline::RunResult* result, std::string_view kept) {
    source::CaptureSource source(options.files);
    ReportingConsumer reporting(consumer, kept);
    pipeline::RunResult run = pipeline::run(source, sessions, reporting);
    explain_no_export(run, sessions, options);
    const int rc = run.input_error ? kExitInputError : kExitOk;
    if (result != nullptr) *result = std::move(run);
    return rc;
}

}  // namespace nfpcap::cli
