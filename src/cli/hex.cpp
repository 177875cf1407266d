// SPDX-License-Identifier: MIT
// `nfpcap hex`: one `#` comment line and one hex line per selected export datagram.
#include "hex.hpp"

#include <memory>

#include <fmt/format.h>

#include "nfpcap/capture/capture_reader.hpp"
#include "nfpcap/fixture/fixture.hpp"
#include "nfpcap/fixture/pcap_writer.hpp"
#include "nfpcap/report/output.hpp"

namespace nfpcap::cli {

namespace {

void append_endpoint(report::Buffer& out, const wire::Endpoint& e) {
    char text[wire::kMaxEndpointText];
    char* end = wire::write_endpoint(text, e);
    out.append(text, end);
}

// The comment says where the datagram came from and what it holds, as key=value words that
// `nfpcap decode` reads back (frame, time, exporter, collector).
void append_comment(report::Buffer& out, const fixture::FixtureMessage& m) {
    if (m.rebuilt) {
        out.append(std::string_view("# rebuilt"));
    } else {
        fmt::format_to(fmt::appender(out), "# frame={}", m.frame);
    }
    out.append(std::string_view(" time="));
    report::append_iso_time(out, m.time_ns, 9);
    out.append(std::string_view(" exporter="));
    append_endpoint(out, m.exporter);
    out.append(std::string_view(" collector="));
    append_endpoint(out, m.collector);
    fmt::format_to(fmt::appender(out), " version={} domain={}", m.version, m.domain);
    if (m.templates != 0 || m.rebuilt) fmt::format_to(fmt::appender(out), " templates={}", m.templates);
    if (m.options_templates != 0 || m.rebuilt) {
        fmt::format_to(fmt::appender(out), " options_templates={}", m.options_templates);
    }
    if (m.withdrawals != 0) fmt::format_to(fmt::appender(out), " withdrawals={}", m.withdrawals);
    if (!m.rebuilt) fmt::format_to(fmt::appender(out), " data_records={}", m.data_records);
    if (m.options_records != 0) fmt::format_to(fmt::appender(out), " options_records={}", m.options_records);
    if (m.loss) fmt::format_to(fmt::appender(out), " lost={}", netflow::name(*m.loss));
    if (m.rebuilt) {
        out.append(std::string_view(" defined_in="));
        for (std::size_t i = 0; i < m.defined_in.size(); ++i) {
            fmt::format_to(fmt::appender(out), "{}{}", i == 0 ? "" : ",", m.defined_in[i]);
        }
        fmt::format_to(fmt::appender(out), " (templates frame {} needs, rebuilt from their definitions)", m.frame);
    }
    out.push_back('\n');
}

}  // namespace

CLI::App* setup_hex(CLI::App& app, HexOptions& options) {
    auto* sub = app.add_subcommand(
        "hex",
        "Write export datagrams as hex fixture lines (UDP payload, lowercase, no separators), each after a "
        "# comment; the templates the selection needs come first");
    sub->add_option("--exporter", options.exporter, "Only datagrams from this exporter (ADDR, ADDR:PORT, [IPV6]:PORT)")
        ->check(CLI::Validator(
            [](std::string& text) {
                try {
                    (void)fixture::parse_exporter(text);
                } catch (const std::invalid_argument& e) {
                    return std::string(e.what());
                }
                return std::string();
            },
            "ADDR[:PORT]"))
        ->type_name("ADDR[:PORT]");
    sub->add_option("--version", options.versions, "Only this NetFlow/IPFIX version: 1, 5, 9 or 10 (repeatable)")
        ->check(CLI::IsMember({1, 5, 9, 10}))
        ->type_name("N");
    sub->add_option("--frames", options.frames, "Only these frames, e.g. 1-10,15,20- (1-based, as tshark counts)")
        ->check(CLI::Validator(
            [](std::string& text) {
                try {
                    (void)fixture::parse_frame_ranges(text);
                } catch (const std::invalid_argument& e) {
                    return std::string(e.what());
                }
                return std::string();
            },
            "RANGE"))
        ->type_name("RANGE");
    sub->add_option("--limit", options.limit, "At most N datagrams (rebuilt template messages not counted)")
        ->type_name("N");
    sub->add_option("--anonymize", options.anonymize_key,
                    "Anonymize every address (records, lists, exporter and collector) with prefix-preserving "
                    "Crypto-PAn; KEY is 64 hex digits or a passphrase (hashed with SHA-256)")
        ->type_name("KEY");
    sub->add_flag("--zero-counters", options.zero_counters, "Zero packet and octet counters too");
    sub->add_option("--pcap", options.pcap, "Write the selection as a pcap capture (Ethernet/IP/UDP) instead of hex")
        ->type_name("OUT.pcap");
    add_input_options(*sub, options.input);
    return sub;
}

int run_hex(const HexOptions& options) {
    fixture::Selection selection;
    if (!options.exporter.empty()) {
        auto [addr, port] = fixture::parse_exporter(options.exporter);
        selection.exporter = addr;
        selection.exporter_port = port;
    }
    selection.versions = options.versions;
    if (!options.frames.empty()) selection.frames = fixture::parse_frame_ranges(options.frames);
    selection.limit = options.limit;

    std::unique_ptr<fixture::CryptoPan> anonymizer;
    if (options.anonymize_key) {
        if (options.anonymize_key->empty()) throw std::invalid_argument("--anonymize: the key is empty");
        anonymizer = std::make_unique<fixture::CryptoPan>(fixture::key_from_text(*options.anonymize_key));
    }
    fixture::FixtureBuilder builder(selection, anonymizer.get(), {options.zero_counters}, {options.input.ports});
    std::unique_ptr<fixture::PcapWriter> pcap;
    if (!options.pcap.empty()) pcap = std::make_unique<fixture::PcapWriter>(options.pcap);

    report::Output out(stdout);
    std::vector<fixture::FixtureMessage> messages;
    int exit_code = kExitOk;
    for (const std::string& path : options.input.files) {
        const std::string name = path == "-" ? "<stdin>" : path;
        try {
            capture::CaptureReader reader(path);
            capture::Datagram datagram;
            while (!builder.done() && !out.closed() && reader.next(datagram)) {
                messages.clear();
                builder.process(datagram, messages);
                for (const auto& m : messages) {
                    if (pcap) {
                        pcap->write(m.time_ns, m.exporter, m.collector, m.payload);
                        continue;
                    }
                    append_comment(out.buffer(), m);
                    report::append_hex(out.buffer(), m.payload);
                    out.buffer().push_back('\n');
                    out.maybe_flush();
                }
            }
            if (!reader.error().empty()) {
                fmt::print(stderr, "nfpcap: {}: {} (after frame {}; what came before it was written)\n", name,
                           reader.error(), reader.counters().frames);
                exit_code = kExitInputError;
            }
        } catch (const capture::CaptureError& e) {
            fmt::print(stderr, "nfpcap: {}\n", e.what());
            exit_code = kExitInputError;
        }
        if (builder.done() || out.closed()) break;
    }
    out.flush();
    if (pcap) pcap->close();
    for (const auto& s : builder.skipped()) {
        fmt::print(stderr,
                   "nfpcap: frame {} left out: not fully decoded ({}: {}), so its addresses cannot all be found\n",
                   s.frame, netflow::name(s.reason), netflow::describe(s.reason));
    }
    if (builder.unfit_addresses() != 0) {
        fmt::print(stderr, "nfpcap: {} address field(s) whose length fits no address were left as they are\n",
                   builder.unfit_addresses());
    }
    return exit_code;
}

}  // namespace nfpcap::cli
