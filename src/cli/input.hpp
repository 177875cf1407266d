// SPDX-License-Identifier: MIT
// What every subcommand shares: the input (capture files, standard input, UDP/TCP sockets,
// interfaces), port selection, when to stop, exit codes, and the run.
#pragma once
#include <atomic>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "nfpcap/pipeline/run.hpp"
#include "nfpcap/report/output.hpp"
#include "nfpcap/report/run_summary.hpp"
#include "nfpcap/session/session_table.hpp"
#include "nfpcap/source/capture_source.hpp"

namespace nfpcap::cli {

/// Exit codes, the same for every command (the table in nfpcap(1), EXIT STATUS). When several
/// apply, an output error wins over an input error, and an input error over a signal.
inline constexpr int kExitOk = 0;
inline constexpr int kExitInputError = 1;  ///< a file could not be read (wholly or to its end)
inline constexpr int kExitUsage = 2;
inline constexpr int kExitOutputError = 3;  ///< output (standard output, -o, --pcap, --write) could not be written
/// A capture file whose reading SIGINT/SIGTERM stopped: 128 + the signal, as a shell reports a
/// process the signal ended (a live source or standard input stopped so ends with 0).
inline constexpr int kExitSignalBase = 128;

/// Installs the SIGINT/SIGTERM handlers every command runs under (from the start, so that no
/// signal ends the process in the middle of a write): the first signal asks the run to stop
/// (`stop_flag()`), a second ends the process at once with 128 + the signal.
void install_stop_handlers();
/// Set by the first SIGINT/SIGTERM (pipeline::RunOptions::stop).
[[nodiscard]] const std::atomic<bool>* stop_flag() noexcept;
/// The signal that set stop_flag() (0: none yet).
[[nodiscard]] int stop_signal() noexcept;

/// Says on stderr why output to `what` failed: "nfpcap: cannot write to WHAT: REASON".
void print_output_error(std::string_view what, int error);
/// Writes out what `out` still holds; if a write to it failed, says so (once) and returns
/// kExitOutputError, else `rc`.
[[nodiscard]] int finish_output(report::Output& out, int rc);

struct InputOptions {
    std::vector<std::string> files;       ///< positional files, then -r files
    std::vector<std::string> read_files;  ///< -r FILE (merged into `files` after parsing)
    std::vector<std::uint16_t> ports;
    bool no_dns = false;                  ///< -n where a command has no names to look up: accepted, changes nothing
    std::vector<std::string> listen;      ///< --listen [ADDR:]PORT (UDP)
    std::vector<std::string> listen_tcp;  ///< --listen-tcp [ADDR:]PORT (IPFIX over TCP)
    std::vector<std::string> interfaces;  ///< -i IFACE
    std::string capture_filter;           ///< -f/--capture-filter: BPF on every frame ("" none)
    std::string write;                    ///< --write FILE.pcap
    std::size_t receive_buffer = 0;       ///< --rcvbuf BYTES (0: the default)
    double duration = 0;                  ///< --duration SECONDS (0: no limit)
    std::uint64_t count = 0;              ///< -c N datagrams (0: no limit)
    bool immediate = false;               ///< -l: write each datagram's output at once
    bool no_progress = false;
    /// Bytes of late data (data sets waiting for their template) kept, all sessions (--pending-limit).
    std::size_t pending_limit = session::SessionOptions{}.pending_limit;
    /// A first pass over named files learns the templates that come after the buffer filled
    /// (--two-pass, the default; it only runs when needed). Never over standard input.
    bool two_pass = true;
    bool merge = false;                                 ///< --merge: files merged by capture time (mergecap)
    source::TcpFollow tcp = source::TcpFollow::detect;  ///< --tcp: which TCP connections in captures and on -i
    std::vector<std::uint16_t> tcp_ports{source::kIpfixPort};

    /// The capture source options these select.
    [[nodiscard]] source::CaptureOptions capture_options() const {
        source::CaptureOptions o;
        o.reader.filter = capture_filter;
        o.tcp = tcp;
        o.tcp_ports = tcp_ports;
        o.merge = merge;
        return o;
    }

    [[nodiscard]] bool sockets() const noexcept { return !listen.empty() || !listen_tcp.empty(); }
    [[nodiscard]] bool live() const noexcept { return sockets() || !interfaces.empty(); }
    /// The session table options these select.
    [[nodiscard]] session::SessionOptions session_options() const {
        session::SessionOptions o;
        o.ports = ports;
        // Everything that reaches a collector's socket is export data: malformed if it does not
        // decode, never "not export traffic".
        o.all_export = sockets();
        o.pending_limit = pending_limit;
        return o;
    }
    /// Output is written as each datagram is decoded (see report::Output): -l, a live source,
    /// standard input or another pipe as input, or a pipe (FIFO, socket) as standard output.
    [[nodiscard]] bool immediate_output() const;
    /// The input as a command line names it again (`nfpcap stats ...` hints).
    [[nodiscard]] std::string describe() const;
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

/// Adds `-q,--quiet`: the rows only, without title, column header or footer (nfdump -q).
void add_quiet_option(CLI::App& app, bool& quiet);

/// --renormalize's help (connections, top, timeline): one rule, one text.
inline constexpr const char* kRenormalizeHelp =
    "Multiply each record's counters by its packet sampling interval (v5 header, the record's own fields, or "
    "the sampler/session options data it joins); records sampled at an unknown rate are counted as exported "
    "and flagged";

/// Adds --ie-file FILE to a subcommand: the user's element definitions (`pen,id,name,type` a
/// line), installed as the option is parsed; a bad file is a usage error naming FILE:LINE.
void add_ie_file_option(CLI::App& app);

/// Adds `-f,--capture-filter EXPR` (a libpcap filter, pcap-filter(7), on every frame of capture
/// files and live interfaces) binding `filter`, under the name `name` (see add_input_options).
void add_capture_filter_option(CLI::App& app, std::string& filter, const std::string& name = "-f,--capture-filter");

/// Adds FILE..., -r FILE, --merge, --port, --ie-file, -f, --tcp, --tcp-port and the live input options
/// (--listen, --listen-tcp, -i, --write, --rcvbuf, --duration, -c, -l, --no-progress),
/// --pending-limit and --two-pass to a subcommand, and checks them once parsed: FILE,
/// --listen/--listen-tcp and -i exclude each other; with none of them, a pipe on standard input
/// is read (else it is a usage error).
void add_input_options(CLI::App& app, InputOptions& options);
/// Adds --pending-limit alone (inputs that cannot be read twice: `decode`).
void add_pending_option(CLI::App& app, std::size_t& pending_limit);

/// Prints the error that ended an input, once, as one line: what was read before it was still
/// `kept` ("decoded", "written").
void print_input_error(const source::InputSummary& input, std::string_view kept = "decoded");

/// Says on stderr, once, that the input held no export traffic at all (none of its UDP
/// datagrams), so an empty table is not a mystery.
void explain_no_export(const pipeline::RunResult& run, const session::SessionTable& sessions,
                       const InputOptions& options);

/// Reads the input through the pipeline: files in order (template state carries over from file
/// to file, as for a capture split by tcpdump -C) or merged by capture time (--merge), or the sockets or interfaces until stopped
/// (--duration, -c, SIGINT/SIGTERM: a second signal exits at once). Prints one line per input
/// error as it ends, and for live inputs where they listen and what they received. Returns the
/// exit code; `result` receives the run's summary if given. Throws std::runtime_error when a
/// socket, interface or --write file cannot be set up. With `two_pass` and named files (no
/// standard input), the session table may ask a first pass over them (pipeline::FirstPass).
int run_captures(const InputOptions& options, session::SessionTable& sessions, pipeline::Consumer& consumer,
                 pipeline::RunResult* result = nullptr, std::string_view kept = "decoded");

}  // namespace nfpcap::cli
