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

namespace nfpcap::cli {

/// Exit codes (documented in nfpcap(1)).
inline constexpr int kExitOk = 0;
inline constexpr int kExitInputError = 1;  ///< a file could not be read (wholly or to its end)
inline constexpr int kExitUsage = 2;

struct InputOptions {
    std::vector<std::string> files;
    std::vector<std::uint16_t> ports;
    /// Bytes of late data (data sets waiting for their template) kept, all sessions (--pending-limit).
    std::size_t pending_limit = session::SessionOptions{}.pending_limit;
    /// A first pass over named files learns the templates that come after the buffer filled
    /// (--two-pass, the default; it only runs when needed). Never over standard input.
    bool two_pass = true;

    /// The session table options these select.
    [[nodiscard]] session::SessionOptions session_options() const {
        session::SessionOptions o;
        o.ports = ports;
        o.pending_limit = pending_limit;
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

/// Adds FILE..., --port, --pending-limit and --two-pass to a subcommand.
void add_input_options(CLI::App& app, InputOptions& options);
/// Adds --pending-limit alone (inputs that cannot be read twice: `decode`).
void add_pending_option(CLI::App& app, std::size_t& pending_limit);

/// Prints the error that ended an input, once, as one line: what was read before it was still
/// `kept` ("decoded", "written").
void print_input_error(const source::InputSummary& input, std::string_view kept = "decoded");

/// Reads every file in order through the pipeline (template state carries over from file to
/// file, as for a capture split by tcpdump -C), printing one line per input error as it ends.
/// With `two_pass` and no standard input among the files, the session table may ask a first
/// pass over the same files (pipeline::FirstPass). Returns the exit code; `result` receives the
/// run's summary if given.
int run_captures(const InputOptions& options, session::SessionTable& sessions, pipeline::Consumer& consumer,
                 pipeline::RunResult* result = nullptr, std::string_view kept = "decoded");

}  // namespace nfpcap::cli
