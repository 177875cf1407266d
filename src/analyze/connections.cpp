// SPDX-License-Identifier: MIT
// Connection pairing and direction.
#include "nfpcap/analyze/connections.hpp"

#include <algorithm>
#include <climits>
#include <map>
#include <tuple>

#include "nfpcap/analyze/saturating.hpp"
#include "nfpcap/analyze/services.hpp"

namespace nfpcap::analyze {

namespace {

constexpr std::uint8_t kSyn = 0x02;
constexpr std::uint8_t kAck = 0x10;
constexpr std::uint8_t kTcp = 6;

bool is_icmp(std::uint8_t protocol) noexcept { return protocol == 1 || protocol == 58; }

/// The side (0 or 1) whose port looks like the server's, or -1 when neither does.
int server_side_by_port(const Connection& c) noexcept {
    const std::uint16_t p0 = c.client.port, p1 = c.server.port;
    const bool s0 = is_service_port(c.protocol, p0), s1 = is_service_port(c.protocol, p1);
    if (s0 != s1) return s0 ? 0 : 1;
    const bool w0 = p0 < 1024, w1 = p1 < 1024;
    if (w0 != w1) return w0 ? 0 : 1;
    if (p0 != p1) return p0 < p1 ? 0 : 1;
    return -1;
}

}  // namespace

std::string_view name(DirectionRule rule) noexcept {
    switch (rule) {
    case DirectionRule::syn: return "syn";
    case DirectionRule::icmp: return "icmp";
    case DirectionRule::start: return "start";
    case DirectionRule::port: return "port";
    }
    return "port";
}

std::string_view name(TcpState state) noexcept {
    switch (state) {
    case TcpState::none: return "";
    case TcpState::established: return "established";
    case TcpState::refused: return "refused";
    case TcpState::reset: return "reset";
    case TcpState::half_open: return "half-open";
    case TcpState::one_way: return "one-way";
    }
    return "";
}

TcpState tcp_state(const Connection& c) noexcept {
    constexpr std::uint8_t kRst = 0x04;
    if (c.protocol != kTcp) return TcpState::none;
    const std::uint8_t client = c.tcp_flags[0], server = c.tcp_flags[1];
    if ((client | server) == 0) return TcpState::none;  // the exporter sent no flags
    if (!c.seen[1] || !c.seen[0]) {
        const bool bare_syn = (client & kSyn) != 0 && (client & ~(kSyn | 0xc0U)) == 0;  // ECE/CWR allowed
        return c.seen[0] && bare_syn ? TcpState::half_open : TcpState::one_way;
    }
    if ((client & kSyn) != 0 && (server & kRst) != 0 && (server & kSyn) == 0) return TcpState::refused;
    if (((client | server) & kRst) != 0) return TcpState::reset;
    return TcpState::established;
}

Connection& ConnectionTable::find_or_add(const Key& key, const FlowRecord& flow, bool reply) {
    constexpr std::uint32_t kNone = UINT32_MAX;
    auto [slot, inserted] = index_.try_emplace(key, kNone);
    const std::int64_t start = flow.start_ns.value_or(0);
    const std::int64_t end = std::max(start, flow.end_ns.value_or(start));  // an end before the start: lasts 0
    for (std::uint32_t idx = slot->second; idx != kNone; idx = previous_[idx]) {
        Connection& c = connections_[idx];
        // Close enough in time (or no time at all): the same conversation.
        if (!flow.start_ns || !c.has_time ||
            (start <= sat_add(c.end_ns, options_.window_ns) && sat_add(end, options_.window_ns) >= c.start_ns)) {
            return c;
        }
    }
    previous_.push_back(slot->second);
    slot->second = static_cast<std::uint32_t>(connections_.size());
    keys_.push_back(key);
    Connection& c = connections_.emplace_back();
    c.client = {flow.src, flow.src_port};
    c.server = {flow.dst, flow.dst_port};
    if (reply) std::swap(c.client, c.server);  // a reply goes to the one who asked
    c.protocol = flow.protocol;
    c.exporter = flow.exporter;
    return c;
}

void ConnectionTable::add(const FlowRecord& flow) {
    ++records_;
    wire::Endpoint src{flow.src, flow.src_port}, dst{flow.dst, flow.dst_port};
    // ICMP has no ports: what ties records together is the exchange. A request and its reply
    // (echo, timestamp, ...) share a key; errors and other types are exchanges of their own.
    std::optional<IcmpRole> role;
    std::uint16_t exchange = 0;
    if (is_icmp(flow.protocol) && flow.icmp_type) {
        role = icmp_role(flow.protocol, *flow.icmp_type);
        exchange = role ? static_cast<std::uint16_t>(0x100U | role->request_type)
                        : static_cast<std::uint16_t>(0x200U | *flow.icmp_type);
    }
    const bool reply = role && !role->request;
    Key key{flow.protocol, exchange, std::min(src, dst), std::max(src, dst), flow.exporter};
    Connection& c = find_or_add(key, flow, reply);
    // Direction by role where there is one: the only way when both ends are one host (loopback).
    const std::size_t dir = role ? (reply ? 1 : 0) : (c.client == src ? 0 : 1);
    const std::uint64_t scale = options_.renormalize ? flow.sampling : 1;
    if (flow.sampling_source == SamplingSource::unknown) {
        ++unknown_sampling_;
        ++c.unknown_sampling;
    } else {
        ++by_sampling_[flow.sampling];
        c.sampling = std::max(c.sampling, flow.sampling);
    }

    ++c.records;
    // Counters saturate at 2^64-1 and say so (wire/saturating.hpp).
    bool& sat = c.saturated;
    c.packets[dir] = sat_add(c.packets[dir], sat_mul(flow.packets, scale, sat), sat);
    c.bytes[dir] = sat_add(c.bytes[dir], sat_mul(flow.bytes, scale, sat), sat);
    c.tcp_flags[dir] |= flow.tcp_flags;
    c.seen[dir] = c.seen[dir] || flow.packets > 0 || flow.bytes > 0 || !flow.biflow;
    const std::uint8_t first_flags = flow.initial_tcp_flags.value_or(flow.tcp_flags);
    if (flow.protocol == kTcp && (first_flags & kSyn) != 0 && (first_flags & kAck) == 0) c.opened[dir] = true;
    if (flow.biflow) {
        ++c.biflow_records;
        c.packets[1 - dir] = sat_add(c.packets[1 - dir], sat_mul(flow.rev_packets, scale, sat), sat);
        c.bytes[1 - dir] = sat_add(c.bytes[1 - dir], sat_mul(flow.rev_bytes, scale, sat), sat);
        if (flow.rev_packets > 0 || flow.rev_bytes > 0) c.seen[1 - dir] = true;
    }
    if (is_icmp(flow.protocol) && flow.icmp_type) {
        // The requester is the client: remember the request type on the requester's side.
        // A reply goes to the requester, so it names the client even when the request's record
        // is missing (a one-way connection); not when both ends are one (a ping of loopback).
        if (role) {
            c.icmp_type = role->request_type;
            c.opened[0] = true;  // the requester (client side, by construction above)
        } else if (!c.icmp_type) {
            c.icmp_type = *flow.icmp_type;
        }
    }
    if (flow.start_ns) {
        auto& first = c.first_start[dir];
        if (!first || *flow.start_ns < *first) first = flow.start_ns;
        // An end before the start: the record lasts 0 (never a negative duration), flagged.
        const std::int64_t end = std::max(*flow.start_ns, flow.end_ns.value_or(*flow.start_ns));
        if (end != flow.end_ns.value_or(end)) c.reversed = true;
        if (!c.has_time) {
            c.start_ns = *flow.start_ns;
            c.end_ns = end;
            c.has_time = true;
        } else {
            c.start_ns = std::min(c.start_ns, *flow.start_ns);
            c.end_ns = std::max(c.end_ns, end);
        }
        if (flow.time_clamped || span_ns(c.start_ns, c.end_ns) > static_cast<std::uint64_t>(kMaxTimeNs)) {
            c.time_clamped = true;
        }
    }
    // The totals of both directions saturate too: say so.
    (void)sat_add(c.packets[0], c.packets[1], sat);
    (void)sat_add(c.bytes[0], c.bytes[1], sat);
}

void decide_direction(Connection& c) {
    auto swap_sides = [&c] {
        std::swap(c.client, c.server);
        std::swap(c.packets[0], c.packets[1]);
        std::swap(c.bytes[0], c.bytes[1]);
        std::swap(c.tcp_flags[0], c.tcp_flags[1]);
        std::swap(c.opened[0], c.opened[1]);
        std::swap(c.first_start[0], c.first_start[1]);
        std::swap(c.seen[0], c.seen[1]);
    };
    if ((c.protocol == kTcp || is_icmp(c.protocol)) && c.opened[0] != c.opened[1]) {
        c.rule = c.protocol == kTcp ? DirectionRule::syn : DirectionRule::icmp;
        if (c.opened[1]) swap_sides();
        return;
    }
    if (c.first_start[0] && c.first_start[1] && *c.first_start[0] != *c.first_start[1]) {
        c.rule = DirectionRule::start;
        if (*c.first_start[1] < *c.first_start[0]) swap_sides();
        return;
    }
    c.rule = DirectionRule::port;
    if (server_side_by_port(c) == 0) swap_sides();
}

std::deque<Connection> ConnectionTable::finish() {
    std::deque<Connection> out = std::move(connections_);
    connections_.clear();
    index_.clear();
    previous_.clear();
    keys_.clear();
    for (Connection& c : out) decide_direction(c);
    if (options_.merge_exporters) out = merge_exporters(std::move(out), options_.window_ns);
    return out;
}

std::deque<Connection> ConnectionTable::take_finished(std::int64_t now_ns) {
    std::int64_t before = 0;  // ended before this: no record can join them any more
    if (__builtin_sub_overflow(now_ns, options_.window_ns, &before)) return {};
    std::deque<Connection> out, kept;
    std::deque<Key> kept_keys;
    for (std::size_t i = 0; i < connections_.size(); ++i) {
        Connection& c = connections_[i];
        if (c.has_time && c.end_ns < before) {
            out.push_back(std::move(c));
        } else {
            kept.push_back(std::move(c));
            kept_keys.push_back(keys_[i]);
        }
    }
    if (out.empty()) return out;
    // Index what is kept again, in the same order (per 5-tuple the newest last).
    constexpr std::uint32_t kNone = UINT32_MAX;
    connections_ = std::move(kept);
    keys_ = std::move(kept_keys);
    index_.clear();
    previous_.clear();
    for (std::size_t i = 0; i < keys_.size(); ++i) {
        auto [slot, inserted] = index_.try_emplace(keys_[i], kNone);
        previous_.push_back(slot->second);
        slot->second = static_cast<std::uint32_t>(i);
    }
    for (Connection& c : out) decide_direction(c);
    if (options_.merge_exporters) out = merge_exporters(std::move(out), options_.window_ns);
    return out;
}

std::deque<Connection> merge_exporters(std::deque<Connection> connections, std::int64_t window_ns) {
    // The conversation without the exporter: protocol, both ends in a fixed order, ICMP type.
    using Conversation = std::tuple<std::uint8_t, std::uint16_t, wire::Endpoint, wire::Endpoint>;
    std::map<Conversation, std::vector<std::uint32_t>> groups;
    for (std::uint32_t i = 0; i < connections.size(); ++i) {
        const Connection& c = connections[i];
        groups[{c.protocol, c.icmp_type.value_or(0), std::min(c.client, c.server), std::max(c.client, c.server)}]
            .push_back(i);
    }
    std::vector<bool> drop(connections.size());
    for (auto& [conversation, members] : groups) {
        if (members.size() < 2) continue;
        std::stable_sort(members.begin(), members.end(), [&](std::uint32_t a, std::uint32_t b) {
            return connections[a].start_ns < connections[b].start_ns;
        });
        // Runs of observations overlapping in time (untimed ones join any run): one connection.
        std::size_t first = 0;
        while (first < members.size()) {
            std::size_t last = first + 1;
            std::int64_t end = connections[members[first]].end_ns;
            while (last < members.size()) {
                const Connection& next = connections[members[last]];
                if (next.has_time && connections[members[first]].has_time && next.start_ns > sat_add(end, window_ns)) {
                    break;
                }
                end = std::max(end, next.end_ns);
                ++last;
            }
            std::uint32_t best = members[first];
            for (std::size_t k = first + 1; k < last; ++k) {
                const Connection& c = connections[members[k]];
                const Connection& b = connections[best];
                if (std::pair(c.total_packets(), c.total_bytes()) > std::pair(b.total_packets(), b.total_bytes())) {
                    best = members[k];
                }
            }
            Connection& kept = connections[best];
            kept.exporters.push_back(kept.exporter);
            for (std::size_t k = first; k < last; ++k) {
                const Connection& c = connections[members[k]];
                // Another connection of the same exporter bridged by a third: not an observation.
                if (members[k] == best || c.exporter == kept.exporter) continue;
                if (std::find(kept.exporters.begin(), kept.exporters.end(), c.exporter) == kept.exporters.end()) {
                    kept.exporters.push_back(c.exporter);
                }
                drop[members[k]] = true;
            }
            if (kept.exporters.size() < 2) kept.exporters.clear();
            first = last;
        }
    }
    std::deque<Connection> out;
    for (std::uint32_t i = 0; i < connections.size(); ++i) {
        if (!drop[i]) out.push_back(std::move(connections[i]));
    }
    return out;
}

}  // namespace nfpcap::analyze
