// SPDX-License-Identifier: MIT
// Reverse DNS for the addresses of a capture: bounded in parallelism, per-lookup time and total time.
#pragma once
#include <chrono>
#include <cstddef>
#include <vector>

#include "nfpcap/analyze/hosts_file.hpp"
#include "nfpcap/wire/address.hpp"

namespace nfpcap::analyze {

struct ResolverOptions {
    std::chrono::milliseconds lookup_timeout{2000};  ///< per address; later answers are ignored
    std::chrono::milliseconds budget{5000};          ///< whole run; after it, the rest stay numeric
    std::size_t parallel = 16;                       ///< lookups in flight at once (at least 1)
};

/// What the lookups did, over all resolve() calls. Every distinct address passed to resolve() is
/// counted once: from_names, or asked = named + unnamed + timed_out + skipped.
struct ResolverStats {
    std::size_t from_names = 0;           ///< named by add_names(), never asked
    std::size_t asked = 0;                ///< handed to reverse DNS
    std::size_t named = 0;                ///< answered with a name
    std::size_t unnamed = 0;              ///< answered without one (no PTR record, or the lookup failed)
    std::size_t timed_out = 0;            ///< started, but no answer within lookup_timeout or the budget
    std::size_t skipped = 0;              ///< never started: the budget ran out first
    std::chrono::milliseconds elapsed{};  ///< time spent in resolve()

    /// Adds another resolver's counts (several resolvers over one run).
    ResolverStats& operator+=(const ResolverStats& s) noexcept {
        from_names += s.from_names;
        asked += s.asked;
        named += s.named;
        unnamed += s.unnamed;
        timed_out += s.timed_out;
        skipped += s.skipped;
        elapsed += s.elapsed;
        return *this;
    }
};

/// Reverse DNS through the system resolver (getnameinfo(3) via Boost.Asio), so /etc/hosts,
/// nsswitch.conf and resolv.conf apply, with names from a hosts file consulted first.
///
/// The C library's lookups cannot be cancelled, so lookups run on detached worker threads and
/// resolve() stops waiting for them at the per-lookup timeout and at the budget. A worker stuck on
/// a silent server keeps only state it co-owns alive, so neither the Resolver's destructor nor
/// process exit waits for it (see resolver.cpp).
class Resolver {
public:
    explicit Resolver(ResolverOptions options = {});
    ~Resolver();
    Resolver(const Resolver&) = delete;
    Resolver& operator=(const Resolver&) = delete;

    /// Names from a hosts file, consulted before DNS; earlier names are kept on a clash.
    void add_names(NameMap names);

    /// Reverse-resolves the addresses; each distinct address is looked up once per Resolver
    /// (answers, misses and timeouts are cached). Returns within about the remaining budget even
    /// when the DNS server never answers. Returns address -> name for those that have one.
    NameMap resolve(const std::vector<wire::IpAddress>& addresses);

    [[nodiscard]] const ResolverStats& stats() const noexcept { return stats_; }

private:
    ResolverOptions options_;
    NameMap names_;  // from add_names()
    NameMap cache_;  // every address seen: its name, or "" when there is none to show
    std::chrono::milliseconds budget_left_;
    ResolverStats stats_;
};

}  // namespace nfpcap::analyze
