// SPDX-License-Identifier: MIT
// The names of nfpcap's commands: the command line is read by them (main.cpp), and a file
// argument that is one of them is a misplaced command (input.cpp).
#pragma once
#include <algorithm>
#include <iterator>
#include <string_view>

namespace nfpcap::cli {

inline constexpr std::string_view kCommands[] = {"flows",  "stats", "templates", "connections", "hex",
                                                 "decode", "top",   "timeline",  "report"};

inline bool is_command(std::string_view word) noexcept {
    return std::find(std::begin(kCommands), std::end(kCommands), word) != std::end(kCommands);
}

}  // namespace nfpcap::cli
