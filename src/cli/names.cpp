// SPDX-License-Identifier: MIT
#include "names.hpp"

#include <unistd.h>

#include <chrono>
#include <set>

#include <fmt/format.h>

#include "nfpcap/analyze/resolver.hpp"

namespace nfpcap::cli {

void add_name_options(CLI::App& app, NameOptions& o) {
    app.add_flag("-n,--no-dns", o.no_dns, "Do not look up host names");
    app.add_option("--hosts", o.hosts_file, "Names from a hosts-format file, used before DNS")
        ->check(CLI::ExistingFile)
        ->type_name("FILE");
    app.add_option("--dns-timeout", o.dns_timeout_ms, "Give up on one address after this long")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber)
        ->type_name("MS");
    app.add_option("--dns-budget", o.dns_budget_ms, "Stop all lookups after this long; the rest print as addresses")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber)
        ->type_name("MS");
}

analyze::NameMap resolve_names(const std::vector<wire::IpAddress>& wanted, const NameOptions& options,
                               analyze::ResolverStats* stats) {
    analyze::NameMap names;
    if (!options.hosts_file.empty()) {
        for (auto& [addr, name] : analyze::read_hosts_file(options.hosts_file)) names.emplace(addr, name);
    }
    if (options.no_dns) return names;
    std::vector<wire::IpAddress> unnamed;
    std::set<wire::IpAddress> seen;
    for (const auto& a : wanted) {
        if (!names.count(a) && seen.insert(a).second) unnamed.push_back(a);
    }
    if (unnamed.empty()) return names;
    analyze::ResolverOptions ro;
    ro.lookup_timeout = std::chrono::milliseconds(options.dns_timeout_ms);
    ro.budget = std::chrono::milliseconds(options.dns_budget_ms);
    analyze::Resolver resolver(ro);
    // Lookups can take up to the budget: on a terminal, say what the wait is and how to skip it.
    const bool terminal = ::isatty(STDERR_FILENO) != 0;
    if (terminal) {
        fmt::print(stderr, "nfpcap: resolving {} address{} (-n to skip, --dns-budget {} ms at most)", unnamed.size(),
                   unnamed.size() == 1 ? "" : "es", options.dns_budget_ms);
        std::fflush(stderr);
    }
    for (auto& [addr, name] : resolver.resolve(unnamed)) names.emplace(addr, name);
    if (terminal) fmt::print(stderr, "\r\033[K");
    if (stats != nullptr) *stats += resolver.stats();
    return names;
}

}  // namespace nfpcap::cli
