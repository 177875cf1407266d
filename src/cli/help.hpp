// SPDX-License-Identifier: MIT
// How --help shows options: the value's name as the option gives it, the default in the
// description, and the top-level help with the default command's options.
#pragma once
#include <string>

#include <CLI/CLI.hpp>

namespace nfpcap::cli {

/// CLI11's formatter without its artefacts: `--hosts FILE` (not `FILE:FILE`), `--window SECONDS`
/// with "(default 10)" in the description (not `SECONDS:NONNEGATIVE=10`).
class HelpFormatter final : public CLI::Formatter {
public:
    /// The command run without one: its options are listed in the top-level help too.
    void set_default_command(const CLI::App* command) { default_command_ = command; }

    std::string make_help(const CLI::App* app, std::string name, CLI::AppFormatMode mode) const override;
    std::string make_option_opts(const CLI::Option* option) const override;
    std::string make_option_desc(const CLI::Option* option) const override;

private:
    const CLI::App* default_command_ = nullptr;
};

/// The value name CLI11 would print, without the validators' descriptions it appends after a
/// ':' (colons inside brackets, as in `[ADDR:]PORT`, are the name's own).
std::string bare_type_name(const std::string& full);

}  // namespace nfpcap::cli
