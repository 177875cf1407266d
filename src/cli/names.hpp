// SPDX-License-Identifier: MIT
// Host names for the commands that show hosts (connections, report): a hosts file, then DNS.
#pragma once
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "nfpcap/analyze/hosts_file.hpp"
#include "nfpcap/analyze/resolver.hpp"

namespace nfpcap::cli {

struct NameOptions {
    bool no_dns = false;
    std::string hosts_file;
    int dns_timeout_ms = 2000;
    int dns_budget_ms = 5000;
};

/// Adds -n/--no-dns, --hosts, --dns-timeout and --dns-budget to a subcommand.
void add_name_options(CLI::App& app, NameOptions& options);

/// Names for `wanted`: from the hosts file first, then reverse DNS within the budget (none
/// with --no-dns). Throws std::runtime_error when the hosts file cannot be read.
/// Names for `wanted`: the hosts file first, then reverse DNS (unless -n). On a terminal, one
/// stderr line says what is being resolved while it is. What DNS did is added to `stats`.
analyze::NameMap resolve_names(const std::vector<wire::IpAddress>& wanted, const NameOptions& options,
                               analyze::ResolverStats* stats = nullptr);

}  // namespace nfpcap::cli
