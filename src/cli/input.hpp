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
    bool no_dns = false;  ///< -n where a command has no names to look up: accepted, changes nothing

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

/// --renormalize's help (connections, top, timeline): one rule, one text.
inline constexpr const char* kRenormalizeHelp =
    "Multiply each record's counters by its packet sampling interval (v5 header, the record's own fields, or "
    "the sampler/session options data it joins); records sampled at an unknown rate are counted as exported "
    "and flagged";

/// Adds --ie-file FILE to a subcommand: the user's element definitions (`pen,id,name,type` a
/// line), installed as the option is parsed; a bad file is a usage error naming FILE:LINE.
void add_ie_file_option(CLI::App& app);

/// Adds FILE..., --port and --ie-file to a subcommand.
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
