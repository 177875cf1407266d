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

struct Selection {
    std::vector<const Connection*> shown;
    std::size_t other_hosts = 0;        ///< not matching --match-host
    std::size_t below_min_packets = 0;  ///< fewer packets than --min-packets
    std::size_t beyond_top = 0;         ///< cut by --top
};

Selection select(const std::deque<Connection>& connections, const SelectOptions& options);

}  // namespace nfpcap::analyze
