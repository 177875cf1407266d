// SPDX-License-Identifier: MIT
// The read loop: capture files -> datagrams -> sessions, with one error line per bad file.
#include "input.hpp"

#include <pcap/pcap.h>

#include <fmt/format.h>

#include "nfpcap/capture/capture_reader.hpp"

namespace nfpcap::cli {

void add_input_options(CLI::App& app, InputOptions& options) {
    app.add_option("--port", options.ports,
                   "Only UDP datagrams to or from this port are export traffic (repeatable); "
                   "by default export datagrams are recognized on any port")
        ->type_name("PORT");
    app.add_option("files", options.files, "Capture files (pcap or pcapng); - reads standard input")
        ->required()
        ->type_name("FILE...");
}

int read_captures(const InputOptions& options, session::SessionTable& sessions, netflow::DecodeSink& sink,
                  std::vector<report::FileSummary>& summaries, const std::function<bool()>& stop,
                  const std::function<void(const std::string&)>& on_file) {
    int exit_code = kExitOk;
    for (const std::string& path : options.files) {
        report::FileSummary summary;
        summary.name = path == "-" ? "<stdin>" : path;
        try {
            capture::CaptureReader reader(path);
            const char* link = pcap_datalink_val_to_name(reader.link_type());
            summary.link_type = link ? link : std::to_string(reader.link_type());
            if (on_file) on_file(summary.name);
            capture::Datagram datagram;
            while (reader.next(datagram)) {
                sessions.process(datagram, sink);
                if (stop && stop()) break;
            }
            summary.counters = reader.counters();
            if (!reader.error().empty()) {
                summary.error = reader.error();
                fmt::print(stderr, "nfpcap: {}: {} (after frame {}; what came before it was decoded)\n", summary.name,
                           reader.error(), reader.counters().frames);
                exit_code = kExitInputError;
            }
        } catch (const capture::CaptureError& e) {
            summary.error = e.what();
            fmt::print(stderr, "nfpcap: {}\n", e.what());
            exit_code = kExitInputError;
        }
        summaries.push_back(std::move(summary));
        if (stop && stop()) break;
    }
    return exit_code;
}

}  // namespace nfpcap::cli
