// SPDX-License-Identifier: MIT
// What every subcommand shares: the capture files, port selection, exit codes, and the run.
#pragma once
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "nfpcap/pipeline/run.hpp"
#include "nfpcap/report/run_summary.hpp"
#include "nfpcap/session/session_table.hpp"
#include "nfpcap/source/capture_source.hpp"

namespace nfpcap::cli {

/// Exit codes (documented in nfpcap(1)).
inline constexpr int kExitOk = 0;
inline constexpr int kExitInputError = 1;  ///< a file could not be read (wholly or to its end)
inline constexpr int kExitUsage = 2;

struct InputOptions {
    std::vector<std::string> files;       ///< positional files, then -r files
    std::vector<std::string> read_files;  ///< -r FILE (merged into `files` after parsing)
    std::vector<std::uint16_t> ports;
    bool no_dns = false;         ///< -n where a command has no names to look up: accepted, changes nothing
    std::string capture_filter;  ///< -f/--capture-filter: BPF on every frame ("" none)
    source::TcpFollow tcp = source::TcpFollow::detect;
    std::vector<std::uint16_t> tcp_ports{source::kIpfixPort};

    /// The capture source options these select.
    [[nodiscard]] source::CaptureOptions capture_options() const {
        source::CaptureOptions o;
        o.reader.filter = capture_filter;
        o.tcp = tcp;
        o.tcp_ports = tcp_ports;
        return o;
    }

    /// The session table options these select.
    [[nodiscard]] session::SessionOptions session_options() const {
        session::SessionOptions o;
        o.ports = ports;
        return o;
    }
};

/// Restricts an option to the keys of `names` (case-insensitive) and maps them to values, with
/// a plain error ("xml not in {csv,json,text}") and no value dump in --help.
template <typename T>
void add_choices(CLI::Option* option, const std::map<std::string, T>& names) {
    std::vector<std::string> keys;
    keys.reserve(names.size());
    for (const auto& [key, value] : names) keys.push_back(key);
    // transform() puts a validator first: map last, so the membership test runs before it.
    option->transform(CLI::CheckedTransformer(names, CLI::ignore_case).description(""));
    option->transform(CLI::IsMember(keys, CLI::ignore_case).description(""));
}

/// Adds `-T,--format` (tshark's letter; `--format` kept) choosing among `formats`, the first
/// being the default; `help` says what each choice gives.
void add_format_option(CLI::App& app, report::Format& format, std::initializer_list<report::Format> formats,
                       const std::string& help);

/// Adds `-f,--capture-filter EXPR` (a libpcap filter, pcap-filter(7), on every frame) binding
/// `filter`; shared by capture files and live interfaces.
void add_capture_filter_option(CLI::App& app, std::string& filter);

/// Adds FILE..., -r FILE, -f, --port, --tcp and --tcp-port to a subcommand.
void add_input_options(CLI::App& app, InputOptions& options);

/// Prints the error that ended an input, once, as one line: what was read before it was still
/// `kept` ("decoded", "written").
void print_input_error(const source::InputSummary& input, std::string_view kept = "decoded");

/// Says on stderr, once, that the input held no export traffic at all (none of its UDP
/// datagrams), so an empty table is not a mystery.
void explain_no_export(const pipeline::RunResult& run, const session::SessionTable& sessions,
                       const InputOptions& options);

/// Reads every file in order through the pipeline (template state carries over from file to
/// file, as for a capture split by tcpdump -C), printing one line per input error as it ends.
/// Returns the exit code; `result` receives the run's summary if given.
int run_captures(const InputOptions& options, session::SessionTable& sessions, pipeline::Consumer& consumer,
                 pipeline::RunResult* result = nullptr, std::string_view kept = "decoded");

}  // namespace nfpcap::cli
