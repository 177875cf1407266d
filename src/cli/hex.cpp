// SPDX-License-Identifier: MIT
// `nfpcap hex`: one `#` comment line and one hex line per selected export datagram.
#include "hex.hpp"

#include <memory>

#include <fmt/format.h>

#include "nfpcap/analyze/flow.hpp"
#include "nfpcap/fixture/fixture.hpp"
#include "nfpcap/fixture/pcap_writer.hpp"
#include "nfpcap/fixture/text_format.hpp"
#include "nfpcap/netflow/version.hpp"
#include "nfpcap/report/output.hpp"

namespace nfpcap::cli {

namespace {

// Fixture messages as text: the format line first, then a comment and a hex line each.
class HexSink final : public fixture::FixtureSink {
public:
    explicit HexSink(report::Output& out) : out_(out) {}
    void write(const fixture::FixtureMessage& m) override {
        if (!started_) fixture::append_format_line(out_.buffer());
        started_ = true;
        fixture::append_message(out_.buffer(), m);
        out_.item_done();
    }
    [[nodiscard]] bool closed() const override { return out_.closed(); }

private:
    report::Output& out_;
    bool started_ = false;
};

// Fixture messages as a capture.
class PcapSink final : public fixture::FixtureSink {
public:
    explicit PcapSink(const std::string& path) : pcap_(path) {}
    void write(const fixture::FixtureMessage& m) override {
        pcap_.write(m.time_ns, m.exporter, m.collector, m.payload);
    }
    // A write that failed stops the run: what follows would not reach the file either.
    [[nodiscard]] bool closed() const override { return pcap_.failed(); }
    /// False when the capture could not be written whole (said on stderr).
    bool close(const std::string& path) {
        if (pcap_.close()) return true;
        print_output_error(path, pcap_.error());
        return false;
    }

private:
    mutable fixture::PcapWriter pcap_;  // failed() reads the stream's error state
};

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
    std::vector<std::uint16_t> decoded;
    for (const auto& v : netflow::known_versions()) {
        if (v.decoded) decoded.push_back(v.version);
    }
    sub->add_option("--version", options.versions,
                    fmt::format("Only this NetFlow/IPFIX version: {} (repeatable)", netflow::decoded_versions_text()))
        ->check(CLI::IsMember(decoded))
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
    sub->add_option("-c,--count,--limit", options.limit,
                    "Stop after N datagrams written (rebuilt template messages not counted)")
        ->type_name("N");
    add_flow_select_options(*sub, options.select, false);
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
    auto selector = make_flow_selector(options.select, false);
    if (!selector) return kExitUsage;
    fixture::Selection selection;
    if (!options.select.filter.empty() || !selector->window.unbounded()) {
        selection.records = [&selector, extract = analyze::FlowExtractor{}](const netflow::DataRecord& r) mutable {
            auto flow = extract(r);
            return flow && selector->accept(*flow);
        };
    }
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
    report::Output out(stdout);
    out.set_immediate(options.input.immediate_output());
    std::unique_ptr<PcapSink> pcap;
    if (!options.pcap.empty()) pcap = std::make_unique<PcapSink>(options.pcap);
    HexSink hex(out);
    fixture::FixtureSink& sink = pcap ? static_cast<fixture::FixtureSink&>(*pcap) : hex;
    fixture::FixtureBuilder builder(selection, anonymizer.get(), sink, {options.zero_counters});
    session::SessionTable sessions(options.input.session_options());
    int exit_code = run_captures(options.input, sessions, builder, nullptr, "written");
    exit_code = finish_output(out, exit_code);
    if (pcap && !pcap->close(options.pcap)) exit_code = kExitOutputError;
    for (const auto& s : builder.skipped()) {
        fmt::print(stderr,
                   "nfpcap: frame {} left out: not fully decoded ({}: {}), so its addresses cannot all be found\n",
                   s.frame, netflow::name(s.reason), netflow::describe(s.reason));
    }
    if (builder.taken() == 0 && exit_code == kExitOk) {
        fmt::print(stderr, "nfpcap: 0 of {} export datagrams selected\n", builder.export_messages());
    }
    if (builder.unfit_addresses() != 0) {
        fmt::print(stderr, "nfpcap: {} address field(s) whose length fits no address were left as they are\n",
                   builder.unfit_addresses());
    }
    return exit_code;
}

}  // namespace nfpcap::cli
