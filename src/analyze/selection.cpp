// SPDX-License-Identifier: MIT
// Filters, then --top by bytes, then the chosen order (start time by default).
#include "nfpcap/analyze/selection.hpp"

#include <algorithm>

namespace nfpcap::analyze {

Selection select(const ConnectionList& connections, const SelectOptions& options) {
    Selection s;
    s.from = &connections;
    // An address no connection has matches none: it has no key.
    std::vector<detail::AddressKey> hosts;
    for (const auto& a : options.match_hosts) {
        if (auto key = connections.address_key(a)) hosts.push_back(*key);
    }
    for (std::uint32_t i = 0; i < connections.size(); ++i) {
        if (!options.match_hosts.empty()) {
            const bool match = std::any_of(hosts.begin(), hosts.end(),
                                           [&](detail::AddressKey a) { return connections.involves(i, a); });
            if (!match) {
                ++s.other_hosts;
                continue;
            }
        }
        if (connections.total_packets(i) < options.min_packets) {
            ++s.below_min_packets;
            continue;
        }
        s.shown.push_back(i);
    }
    if (options.top > 0 && s.shown.size() > options.top) {
        std::stable_sort(s.shown.begin(), s.shown.end(), [&](std::uint32_t a, std::uint32_t b) {
            return connections.total_bytes(a) > connections.total_bytes(b);
        });
        s.beyond_top = s.shown.size() - options.top;
        s.shown.resize(options.top);
    }
    auto by = [&](auto key, bool descending) {
        // Mostly in order already (connections come in order of first record): often nothing to do.
        auto before = [&](std::uint32_t a, std::uint32_t b) { return descending ? key(a) > key(b) : key(a) < key(b); };
        if (std::is_sorted(s.shown.begin(), s.shown.end(), before)) return;
        std::stable_sort(s.shown.begin(), s.shown.end(), before);
    };
    switch (options.sort) {
    case SortKey::start: by([&](std::uint32_t i) { return connections.start_ns(i); }, false); break;
    case SortKey::bytes: by([&](std::uint32_t i) { return connections.total_bytes(i); }, true); break;
    case SortKey::packets: by([&](std::uint32_t i) { return connections.total_packets(i); }, true); break;
    case SortKey::duration: by([&](std::uint32_t i) { return connections.duration_ns(i); }, true); break;
    }
    return s;
}

}  // namespace nfpcap::analyze
