// SPDX-License-Identifier: MIT
// Choosing which connections to show: host match, packet threshold, order, top N.
#pragma once
#include <optional>
#include <vector>

#include "nfpcap/analyze/connections.hpp"

namespace nfpcap::analyze {

enum class SortKey : std::uint8_t { start, bytes, packets, duration };

struct SelectOptions {
    std::vector<wire::IpAddress> match_hosts;  ///< either side must be one of these (empty: any)
    std::uint64_t min_packets = 10;            ///< both directions together
    std::size_t top = 0;                       ///< the N largest by bytes (0: all)
    SortKey sort = SortKey::start;
};

/// The connections chosen, as indices into the list they were chosen from (which must outlive
/// the selection); iterating makes each Connection when it is read.
struct Selection {
    const ConnectionList* from = nullptr;
    std::vector<std::uint32_t> shown;
    std::vector<Connection> rows;       ///< without `from`: the rows themselves (see `of`)
    std::size_t other_hosts = 0;        ///< not matching --match-host
    std::size_t below_min_packets = 0;  ///< fewer packets than --min-packets
    std::size_t beyond_top = 0;         ///< cut by --top

    /// Connections made elsewhere, shown as they are in this order.
    static Selection of(std::vector<Connection> connections) {
        Selection s;
        s.rows = std::move(connections);
        return s;
    }

    [[nodiscard]] std::size_t size() const noexcept { return from != nullptr ? shown.size() : rows.size(); }
    /// Connection `k`. Read in order, the ones a few further on are fetched meanwhile: a sorted
    /// selection reads a large table at random, and each read would wait for memory.
    [[nodiscard]] Connection operator[](std::size_t k) const {
        if (from == nullptr) return rows[k];
        constexpr std::size_t kAhead = 8;
        if (k + kAhead < shown.size()) from->prefetch(shown[k + kAhead]);
        return (*from)[shown[k]];
    }

    /// Both ends' addresses of each connection shown, in order (within one, client and server
    /// perhaps swapped): what naming needs, without making the connections.
    [[nodiscard]] std::vector<wire::IpAddress> addresses() const;

    using iterator = detail::IndexIterator<Selection>;
    [[nodiscard]] iterator begin() const { return {this, 0}; }
    [[nodiscard]] iterator end() const { return {this, size()}; }
};

Selection select(const ConnectionList& connections, const SelectOptions& options);

}  // namespace nfpcap::analyze
