// SPDX-License-Identifier: MIT
// Capture files through the library's run loop, with one error line per bad file.
#include "input.hpp"

#include <fmt/format.h>
#include <pcap/dlt.h>

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

void add_capture_filter_option(CLI::App& app, std::string& filter) {
    app.add_option("-f,--capture-filter", filter,
                   "Only frames matching this libpcap capture filter (pcap-filter(7), as tcpdump -f "
                   "or tshark -f), e.g. 'udp port 2055 or tcp port 4739'")
        ->type_name("EXPR")
        ->check(
            [](const std::string& expression) {
                // Checked for Ethernet; a file of another link type is checked again when opened.
                const std::string message = capture::check_filter(expression, DLT_EN10MB);
                return message.empty() ? message : "capture filter \"" + expression + "\": " + message;
            },
            "", "");
}

void add_input_options(CLI::App& app, InputOptions& options) {
    app.add_option("--port", options.ports,
                   "Only UDP datagrams to or from this port are export traffic (repeatable); "
                   "by default export datagrams are recognized on any port")
        ->type_name("PORT");
    // -n means "no DNS" in every command, so that a habit never turns into a usage error.
    if (app.get_option_no_throw("--no-dns") == nullptr) {
        app.add_flag("-n,--no-dns", options.no_dns, "Do not look up host names (this command looks up none)");
    }
    add_capture_filter_option(app, options.capture_filter);
    const std::map<std::string, source::TcpFollow> follows{
        {"none", source::TcpFollow::none},
        {"ports", source::TcpFollow::ports},
        {"detect", source::TcpFollow::detect},
        {"all", source::TcpFollow::all},
    };
    add_choices(app.add_option("--tcp", options.tcp,
                               "Which TCP connections carry IPFIX/NetFlow v9 (RFC 7011 10.4): ports (those to or "
                               "from --tcp-port), detect (those, and any whose data begins with an export message "
                               "header; the default), all (every connection, searched for messages), none")
                    ->type_name("MODE"),
                follows);
    app.add_option("--tcp-port", options.tcp_ports,
                   "TCP port whose connections are export streams (repeatable; default 4739, IANA's IPFIX port)")
        ->type_name("PORT");
    app.add_option("-r,--read", options.read_files, "Read this capture file (repeatable, as tcpdump -r; after FILE...)")
        ->type_name("FILE");
    app.add_option("files", options.files, "Capture files (pcap or pcapng, plain, .gz or .zst); - reads standard input")
        ->type_name("FILE...");
    // Files need not be positional (-r), so a repeatable option must not take the words after
    // it as more values (`--port 2055 FILE`): one value per occurrence, for every option of
    // the command (this is called after the command's own options).
    for (CLI::Option* option : app.get_options()) {
        if (!option->get_positional()) option->allow_extra_args(false);
    }
    app.parse_complete_callback([&options] {
        options.files.insert(options.files.end(), options.read_files.begin(), options.read_files.end());
        options.read_files.clear();
        if (options.files.empty()) throw CLI::RequiredError("FILE... or -r FILE");
    });
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
    source::CaptureSource source(options.files, options.capture_options());
    ReportingConsumer reporting(consumer, kept);
    pipeline::RunResult run = pipeline::run(source, sessions, reporting);
    explain_no_export(run, sessions, options);
    const int rc = run.input_error ? kExitInputError : kExitOk;
    if (result != nullptr) *result = std::move(run);
    return rc;
}

}  // namespace nfpcap::cli
