// SPDX-License-Identifier: MIT
// Filters, then --top by bytes, then the chosen order (start time by default).
#include "nfpcap/analyze/selection.hpp"

#include <algorithm>

namespace nfpcap::analyze {

Selection select(const std::deque<Connection>& connections, const SelectOptions& options) {
    Selection s;
    for (const Connection& c : connections) {
        if (!options.match_hosts.empty()) {
            const bool match =
                std::any_of(options.match_hosts.begin(), options.match_hosts.end(),
                            [&](const wire::IpAddress& a) { return a == c.client.addr || a == c.server.addr; });
            if (!match) {
                ++s.other_hosts;
                continue;
            }
        }
        if (c.total_packets() < options.min_packets) {
            ++s.below_min_packets;
            continue;
        }
        s.shown.push_back(&c);
    }
    if (options.top > 0 && s.shown.size() > options.top) {
        std::stable_sort(s.shown.begin(), s.shown.end(),
                         [](const Connection* a, const Connection* b) { return a->total_bytes() > b->total_bytes(); });
        s.beyond_top = s.shown.size() - options.top;
        s.shown.resize(options.top);
    }
    auto by = [&](auto key, bool descending) {
        std::stable_sort(s.shown.begin(), s.shown.end(), [&](const Connection* a, const Connection* b) {
            return descending ? key(*a) > key(*b) : key(*a) < key(*b);
        });
    };
    switch (options.sort) {
    case SortKey::start: by([](const Connection& c) { return c.start_ns; }, false); break;
    case SortKey::bytes: by([](const Connection& c) { return c.total_bytes(); }, true); break;
    case SortKey::packets: by([](const Connection& c) { return c.total_packets(); }, true); break;
    case SortKey::duration: by([](const Connection& c) { return c.duration_ns(); }, true); break;
    }
    return s;
}

}  // namespace nfpcap::analyze
