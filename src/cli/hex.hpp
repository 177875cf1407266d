// SPDX-License-Identifier: MIT
// `nfpcap hex`: export datagrams as hex fixture lines (or a new pcap), templates first,
// addresses optionally anonymized with Crypto-PAn.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "flow_select.hpp"
#include "input.hpp"

namespace nfpcap::cli {

struct HexOptions {
    InputOptions input;
    FlowSelectOptions select;             ///< -Y, --from, --to: datagrams with a record they select
    std::string exporter;                 ///< ADDR[:PORT], empty: any
    std::vector<std::uint16_t> versions;  ///< empty: any
    std::string frames;                   ///< RANGE, empty: all
    std::optional<std::uint64_t> limit;
    std::optional<std::string> anonymize_key;
    bool zero_counters = false;
    std::string pcap;  ///< write a capture here instead of hex lines
};

CLI::App* setup_hex(CLI::App& app, HexOptions& options);
int run_hex(const HexOptions& options);

}  // namespace nfpcap::cli
