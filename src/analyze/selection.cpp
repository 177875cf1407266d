// SPDX-License-Identifier: MIT
// Filters, then --top by bytes, then the chosen order (start time by default).
#include "nfpcap/analyze/selection.hpp"

#include <algorithm>
#include <utility>
#include <vector>

namespace nfpcap::analyze {

namespace {

// Orders `shown` by key, ties kept in their order (a stable sort). Each key is read once: read
// in the comparisons, the connections of a large table would be fetched at random over and
// over (22 times each for a million), nearly every one a cache miss.
template <typename Key>
void stable_order(std::vector<std::uint32_t>& shown, Key key, bool descending) {
    using Value = decltype(key(std::uint32_t{}));
    std::vector<std::pair<Value, std::uint32_t>> keyed;  // key, place in `shown`
    keyed.reserve(shown.size());
    for (std::uint32_t at = 0; at < shown.size(); ++at) keyed.emplace_back(key(shown[at]), at);
    std::sort(keyed.begin(), keyed.end(), [descending](const auto& a, const auto& b) {
        if (a.first != b.first) return descending ? a.first > b.first : a.first < b.first;
        return a.second < b.second;
    });
    std::vector<std::uint32_t> ordered;
    ordered.reserve(shown.size());
    for (const auto& k : keyed) ordered.push_back(shown[k.second]);
    shown = std::move(ordered);
}

}  // namespace

std::vector<wire::IpAddress> Selection::addresses() const {
    std::vector<wire::IpAddress> all;
    all.reserve(2 * size());
    if (from == nullptr) {
        for (const Connection& c : rows) {
            all.push_back(c.client.addr);
            all.push_back(c.server.addr);
        }
        return all;
    }
    for (const std::uint32_t i : shown) {
        const auto [a, b] = from->addresses(i);
        all.push_back(a);
        all.push_back(b);
    }
    return all;
}

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
        stable_order(
            s.shown, [&](std::uint32_t i) { return connections.total_bytes(i); }, true);
        s.beyond_top = s.shown.size() - options.top;
        s.shown.resize(options.top);
    }
    auto by = [&](auto key, bool descending) {
        // Mostly in order already (connections come in order of first record): often nothing to do.
        auto before = [&](std::uint32_t a, std::uint32_t b) { return descending ? key(a) > key(b) : key(a) < key(b); };
        if (std::is_sorted(s.shown.begin(), s.shown.end(), before)) return;
        stable_order(s.shown, key, descending);
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
