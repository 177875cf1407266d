// SPDX-License-Identifier: MIT
// What every subcommand shares: the capture files, port selection, and the read loop.
#pragma once
#include <map>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "nfpcap/netflow/decoder.hpp"
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
};

/// Restricts an option to the keys of `names` (case-insensitive) and maps them to values, with
/// a plain error ("xml not in {csv,json,text}") and no value dump in --help.
template <typename T>
void add_choices(CLI::Option* option, const std::map<std::string, T>& names) {
    std::vector<std::string> keys;
    for (const auto& [key, value] : names) keys.push_back(key);
    // transform() puts a validator first: map last, so the membership test runs before it.
    option->transform(CLI::CheckedTransformer(names, CLI::ignore_case).description(""));
    option->transform(CLI::IsMember(keys, CLI::ignore_case).description(""));
}

/// Adds FILE... and --port to a subcommand.
void add_input_options(CLI::App& app, InputOptions& options);

/// Reads every file in order through one session table (template state carries over from file
/// to file, as for a capture split by tcpdump -C), sending what is decoded to `sink`.
/// Errors are printed as one line each; returns the exit code. `stop` is polled between
/// datagrams (e.g. the output pipe was closed).
int read_captures(const InputOptions& options, session::SessionTable& sessions, netflow::DecodeSink& sink,
                  std::vector<report::FileSummary>& summaries, const std::function<bool()>& stop = {},
                  const std::function<void(const std::string&)>& on_file = {});

}  // namespace nfpcap::cli
