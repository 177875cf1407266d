// SPDX-License-Identifier: MIT
// Connection pairing and direction.
#include "nfpcap/analyze/connections.hpp"

#include <algorithm>
#include <climits>
#include <map>
#include <tuple>
#include <utility>

#include "nfpcap/analyze/saturating.hpp"
#include "nfpcap/analyze/services.hpp"
#include "nfpcap/wire/hash.hpp"

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

namespace detail {

namespace {

using wire::mix64;

std::uint64_t load64(const std::uint8_t* p) noexcept {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = v << 8 | p[i];
    return v;
}

std::uint64_t hash_address(const wire::IpAddress& a) noexcept {
    return mix64(load64(a.bytes.data()) ^ mix64(load64(a.bytes.data() + 8) ^ a.family));
}

// Open addressing keeps each slot's hash tag: 32 high bits of the hash, from which the home
// position is derived (multiply-shift), so growing re-places slots without reading entries.
std::size_t home(std::uint64_t slot, std::size_t capacity) noexcept {
    return static_cast<std::size_t>(((slot >> 32) * capacity) >> 32);
}
std::uint64_t tag_of(std::uint64_t hash) noexcept { return hash & 0xffffffff00000000ULL; }
constexpr std::size_t kFirstCapacity = 1024;

std::size_t grown_size(const Slots& slots) noexcept { return std::max(kFirstCapacity, slots.size() * 2); }

// `supply`: where the table's blocks come from (the address pool's are its own).
Slots regrown(const Slots& slots, PageSupply* supply = nullptr) {
    const std::size_t n = grown_size(slots);
    Slots grown =
        supply != nullptr && Slots::bytes(n) >= Slots::kHugeFrom ? Slots(n, supply->take(Slots::bytes(n))) : Slots(n);
    const std::size_t mask = grown.size() - 1;
    for (std::size_t i = 0; i < slots.size(); ++i) {
        const std::uint64_t slot = slots[i];
        if (slot == 0) continue;
        std::size_t at = home(slot, grown.size());
        while (grown[at] != 0) at = (at + 1) & mask;
        grown[at] = slot;
    }
    return grown;
}

// Fuller than 3/4: time to double (linear probing slows sharply beyond).
bool crowded(std::size_t used, std::size_t capacity) noexcept { return (used + 1) * 4 > capacity * 3; }

}  // namespace

std::uint32_t AddressPool::intern(const wire::IpAddress& a) {
    if (crowded(addresses_.size(), slots_.size())) slots_ = regrown(slots_);
    const std::uint64_t tag = tag_of(hash_address(a));
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t at = home(tag, slots_.size());; at = (at + 1) & mask) {
        const std::uint64_t slot = slots_[at];
        if (slot == 0) {
            const auto number = static_cast<std::uint32_t>(addresses_.size());
            addresses_.push_back(a);
            slots_[at] = tag | (std::uint64_t{number} + 1);
            return number;
        }
        if (tag_of(slot) == tag && addresses_[(slot & 0xffffffffU) - 1] == a) {
            return static_cast<std::uint32_t>((slot & 0xffffffffU) - 1);
        }
    }
}

std::optional<std::uint32_t> AddressPool::find(const wire::IpAddress& a) const noexcept {
    if (slots_.empty()) return std::nullopt;
    const std::uint64_t tag = tag_of(hash_address(a));
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t at = home(tag, slots_.size());; at = (at + 1) & mask) {
        const std::uint64_t slot = slots_[at];
        if (slot == 0) return std::nullopt;
        if (tag_of(slot) == tag && addresses_[(slot & 0xffffffffU) - 1] == a) {
            return static_cast<std::uint32_t>((slot & 0xffffffffU) - 1);
        }
    }
}

}  // namespace detail

namespace {

using detail::AddressKey;
using detail::Entry;

AddressKey v4_key(const wire::IpAddress& a) {
    return {static_cast<std::uint32_t>(a.bytes[0]) << 24 | static_cast<std::uint32_t>(a.bytes[1]) << 16 |
                static_cast<std::uint32_t>(a.bytes[2]) << 8 | a.bytes[3],
            false};
}

AddressKey key_of(detail::AddressPool& pool, const wire::IpAddress& a) {
    return a.family == 4 ? v4_key(a) : AddressKey{pool.intern(a), true};
}

wire::IpAddress address_of(const detail::Names& names, AddressKey k) {
    if (k.pooled) return names.addresses.at(k.value);
    wire::IpAddress a;
    a.family = 4;
    a.bytes[0] = static_cast<std::uint8_t>(k.value >> 24);
    a.bytes[1] = static_cast<std::uint8_t>(k.value >> 16);
    a.bytes[2] = static_cast<std::uint8_t>(k.value >> 8);
    a.bytes[3] = static_cast<std::uint8_t>(k.value);
    return a;
}

std::uint64_t hash_key(const Entry& e) noexcept {
    const std::uint64_t ends = std::uint64_t{e.low} << 32 | e.high;
    const std::uint64_t rest = std::uint64_t{e.low_port} << 48 | std::uint64_t{e.high_port} << 32 |
                               std::uint64_t{e.protocol} << 24 | std::uint64_t{e.key_bits} << 16 |
                               std::uint64_t{e.has(Entry::kHasIcmp) ? e.icmp_type : 0U} << 8 |
                               (e.has(Entry::kHasIcmp) ? 1U : 0U);
    return wire::mix64(ends ^ wire::mix64(rest ^ wire::mix64(e.exporter)));
}

// The client's end of an entry (side 0), or the server's.
std::pair<AddressKey, std::uint16_t> end_of(const Entry& e, std::size_t side) {
    const bool high = e.has(Entry::kClientHigh) != (side == 1);
    return high ? std::pair(e.high_key(), e.high_port) : std::pair(e.low_key(), e.low_port);
}

}  // namespace

ConnectionTable::ConnectionTable(ConnectionOptions options)
    : options_(options), names_(std::make_shared<detail::Names>()) {}

std::uint32_t ConnectionTable::exporter_number(const wire::Endpoint& exporter) {
    if (last_exporter_number_ != Entry::kNone && exporter == last_exporter_) return last_exporter_number_;
    auto& all = names_->exporters;
    auto found = std::find(all.begin(), all.end(), exporter);
    if (found == all.end()) found = all.insert(all.end(), exporter);
    last_exporter_ = exporter;
    last_exporter_number_ = static_cast<std::uint32_t>(found - all.begin());
    return last_exporter_number_;
}

void ConnectionTable::index(std::uint32_t i, std::uint64_t hash) {
    if (detail::crowded(entries_.size(), slots_.size())) slots_ = detail::regrown(slots_, supply_.get());
    // Nearly crowded: the next slot array is made ahead (when something prepares pages).
    const std::size_t next_bytes = detail::Slots::bytes(detail::grown_size(slots_));
    if ((entries_.size() + 1) * 10 > slots_.size() * 7 && next_bytes >= detail::Slots::kHugeFrom &&
        next_bytes != slots_asked_) {
        supply_->want(next_bytes);
        slots_asked_ = next_bytes;
    }
    const std::uint64_t tag = detail::tag_of(hash);
    const std::size_t mask = slots_.size() - 1;
    std::size_t at = detail::home(tag, slots_.size());
    while (slots_[at] != 0) at = (at + 1) & mask;
    slots_[at] = tag | (std::uint64_t{i} + 1);
}

Entry& ConnectionTable::find_or_add(const Entry& key, std::uint64_t hash, const FlowRecord& flow) {
    const std::int64_t start = flow.start_ns.value_or(0);
    const std::int64_t end = std::max(start, flow.end_ns.value_or(start));  // an end before the start: lasts 0
    // The newest connection of the key close enough in time (or without time): the same
    // conversation. Every connection of the key is in the probe run, in no particular order.
    std::uint32_t found = Entry::kNone;
    std::int64_t gap = std::max(options_.window_ns, flow.split_gap_ns);
    widest_gap_ns_ = std::max(widest_gap_ns_, gap);
    // Answers without a type stay as the exporter split them (unless they overlap): each may
    // answer another exchange (join_icmp_answers).
    if (key.key_bits & Entry::kIcmpAnswers) gap = 0;
    if (!slots_.empty()) {
        const std::uint64_t tag = detail::tag_of(hash);
        const std::size_t mask = slots_.size() - 1;
        for (std::size_t at = detail::home(tag, slots_.size()); slots_[at] != 0; at = (at + 1) & mask) {
            if (detail::tag_of(slots_[at]) != tag) continue;
            const auto idx = static_cast<std::uint32_t>((slots_[at] & 0xffffffffU) - 1);
            if (found != Entry::kNone && idx < found) continue;
            const Entry& c = entries_[idx];
            if (!c.same_key(key)) continue;
            if (!flow.start_ns || !c.has_time() ||
                (start <= sat_add(c.end_ns, gap) && sat_add(end, gap) >= c.start_ns())) {
                found = idx;
            }
        }
    }
    if (found != Entry::kNone) return entries_[found];
    const auto i = static_cast<std::uint32_t>(entries_.size());
    if (entries_.full() && !entries_.empty()) {
        constexpr std::size_t kChunkBytes = decltype(entries_)::kChunkBytes;
        entries_.add_chunk(supply_->take(kChunkBytes));
        supply_->want(kChunkBytes);
    }
    entries_.push_back(key);
    if (key.key_bits & Entry::kIcmpAnswers) icmp_answers_ = true;
    index(i, hash);
    return entries_[i];
}

ConnectionTable::Keyed ConnectionTable::key_of(const FlowRecord& flow) {
    const AddressKey src = analyze::key_of(names_->addresses, flow.src);
    const AddressKey dst = analyze::key_of(names_->addresses, flow.dst);
    // ICMP has no ports: what ties records together is the exchange. A request and its reply
    // (echo, timestamp, ...) share a key; errors and other types are exchanges of their own.
    std::optional<IcmpRole> role;
    Entry key{};
    if (is_icmp(flow.protocol) && flow.icmp_type) {
        role = icmp_role(flow.protocol, *flow.icmp_type);
        key.bits |= Entry::kHasIcmp;
        key.icmp_type = role ? role->request_type : *flow.icmp_type;
        if (role) key.key_bits |= Entry::kIcmpPair;
    }
    // Answers without a type: direction by role too, the source the one answered (the client).
    const bool answers = flow.icmp_answers_only();
    if (answers) key.key_bits |= Entry::kIcmpAnswers;
    const bool reply = role && !role->request;
    // The two ends in a fixed order: the key is direction-free.
    const bool src_low = std::pair(src, flow.src_port) <= std::pair(dst, flow.dst_port);
    const auto& [low, low_port] = src_low ? std::pair(src, flow.src_port) : std::pair(dst, flow.dst_port);
    const auto& [high, high_port] = src_low ? std::pair(dst, flow.dst_port) : std::pair(src, flow.src_port);
    key.low = low.value;
    key.high = high.value;
    key.low_port = low_port;
    key.high_port = high_port;
    if (low.pooled) key.key_bits |= Entry::kLowPooled;
    if (high.pooled) key.key_bits |= Entry::kHighPooled;
    key.exporter = exporter_number(flow.exporter);
    key.protocol = flow.protocol;
    key.sampling = 1;
    // A new connection's client is the source, the destination of a reply (the one who asked).
    if (src_low == reply) key.bits |= Entry::kClientHigh;
    return {key, hash_key(key), src, role.has_value() || answers, reply};
}

void ConnectionTable::prefetch(std::uint64_t hash) const noexcept {
    if (slots_.empty()) return;
    __builtin_prefetch(slots_.data() + detail::home(detail::tag_of(hash), slots_.size()));
}

void ConnectionTable::add(const FlowRecord& flow) { add(flow, key_of(flow)); }

void ConnectionTable::add(std::span<const FlowRecord> flows) {
    // Keys are worked out kAhead records early (in order: the address pool and the exporter
    // numbers are given out as before) and their slots prefetched; a slot array regrown in
    // between only makes a prefetch useless.
    constexpr std::size_t kAhead = 16;
    std::array<Keyed, kAhead> ring;
    const std::size_t n = flows.size();
    for (std::size_t i = 0; i < n + kAhead; ++i) {
        if (i >= kAhead) add(flows[i - kAhead], ring[(i - kAhead) % kAhead]);
        if (i < n) {
            ring[i % kAhead] = key_of(flows[i]);
            prefetch(ring[i % kAhead].hash);
        }
    }
}

void ConnectionTable::add(const FlowRecord& flow, const Keyed& keyed) {
    ++records_;
    const AddressKey src = keyed.src;
    const bool role = keyed.icmp_pair, reply = keyed.reply;
    Entry& c = find_or_add(keyed.key, keyed.hash, flow);
    // Direction by role where there is one: the only way when both ends are one host (loopback).
    const std::size_t dir = role ? (reply ? 1 : 0) : (end_of(c, 0) == std::pair(src, flow.src_port) ? 0 : 1);
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
    bool sat = false;
    c.packets[dir] = sat_add(c.packets[dir], sat_mul(flow.packets, scale, sat), sat);
    c.bytes[dir] = sat_add(c.bytes[dir], sat_mul(flow.bytes, scale, sat), sat);
    c.tcp_flags[dir] |= flow.tcp_flags;
    if (flow.packets > 0 || flow.bytes > 0 || !flow.biflow) c.bits |= Entry::kSeen0 << dir;
    const std::uint8_t first_flags = flow.initial_tcp_flags.value_or(flow.tcp_flags);
    if (flow.protocol == kTcp && (first_flags & kSyn) != 0 && (first_flags & kAck) == 0)
        c.bits |= Entry::kOpened0 << dir;
    if (flow.biflow) {
        ++c.biflow_records;
        c.packets[1 - dir] = sat_add(c.packets[1 - dir], sat_mul(flow.rev_packets, scale, sat), sat);
        c.bytes[1 - dir] = sat_add(c.bytes[1 - dir], sat_mul(flow.rev_bytes, scale, sat), sat);
        if (flow.rev_packets > 0 || flow.rev_bytes > 0) c.bits |= Entry::kSeen0 << (1 - dir);
    }
    // The requester is the client (side 0 by construction above): the request type is in the
    // key. A reply goes to the requester, so it names the client even when the request's
    // record is missing (a one-way connection); not when both ends are one (a ping of loopback).
    if (role) c.bits |= Entry::kOpened0;
    if (flow.start_ns) {
        const auto first = static_cast<std::uint8_t>(Entry::kHasFirst0 << dir);
        if (!c.has(first) || *flow.start_ns < c.first_start[dir]) c.first_start[dir] = *flow.start_ns;
        // An end before the start: the record lasts 0 (never a negative duration), flagged.
        const std::int64_t end = std::max(*flow.start_ns, flow.end_ns.value_or(*flow.start_ns));
        if (end != flow.end_ns.value_or(end)) c.anomalies |= Entry::kReversed;
        c.end_ns = c.has_time() ? std::max(c.end_ns, end) : end;
        c.bits |= first;
        if (flow.time_clamped || span_ns(c.start_ns(), c.end_ns) > static_cast<std::uint64_t>(kMaxTimeNs)) {
            c.anomalies |= Entry::kTimeClamped;
        }
    }
    // The totals of both directions saturate too: say so.
    (void)sat_add(c.packets[0], c.packets[1], sat);
    (void)sat_add(c.bytes[0], c.bytes[1], sat);
    if (sat) c.anomalies |= Entry::kSaturated;
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

std::pair<wire::IpAddress, wire::IpAddress> ConnectionList::addresses(std::size_t i) const {
    const Entry& e = entries_[i];
    return {address_of(*names_, end_of(e, 0).first), address_of(*names_, end_of(e, 1).first)};
}

Connection ConnectionList::operator[](std::size_t i) const {
    const Entry& e = entries_[i];
    const detail::Names& names = *names_;
    Connection c;
    const auto [client, client_port] = end_of(e, 0);
    const auto [server, server_port] = end_of(e, 1);
    c.client = {address_of(names, client), client_port};
    c.server = {address_of(names, server), server_port};
    c.protocol = e.protocol;
    if (e.has(Entry::kHasIcmp)) c.icmp_type = e.icmp_type;
    c.has_time = e.has_time();
    c.start_ns = e.start_ns();
    c.end_ns = e.end_or_zero();
    c.packets = e.packets;
    c.bytes = e.bytes;
    c.tcp_flags = e.tcp_flags;
    for (std::size_t side = 0; side < 2; ++side) {
        c.opened[side] = e.has(static_cast<std::uint8_t>(Entry::kOpened0 << side));
        c.seen[side] = e.has(static_cast<std::uint8_t>(Entry::kSeen0 << side));
        if (e.has(static_cast<std::uint8_t>(Entry::kHasFirst0 << side))) c.first_start[side] = e.first_start[side];
    }
    c.records = e.records;
    c.biflow_records = e.biflow_records;
    c.sampling = e.sampling;
    c.unknown_sampling = e.unknown_sampling;
    c.saturated = (e.anomalies & Entry::kSaturated) != 0;
    c.reversed = (e.anomalies & Entry::kReversed) != 0;
    c.time_clamped = (e.anomalies & Entry::kTimeClamped) != 0;
    c.exporter = names.exporters[e.exporter];
    if (!merged_.empty()) {
        const auto index = static_cast<std::uint32_t>(i);
        auto found = std::lower_bound(merged_.begin(), merged_.end(), index,
                                      [](const auto& m, std::uint32_t at) { return m.first < at; });
        if (found != merged_.end() && found->first == index) {
            for (std::uint32_t n : found->second) c.exporters.push_back(names.exporters[n]);
        }
    }
    decide_direction(c);
    return c;
}

std::optional<AddressKey> ConnectionList::address_key(const wire::IpAddress& a) const noexcept {
    if (a.family == 4) return v4_key(a);
    if (!names_) return std::nullopt;
    auto number = names_->addresses.find(a);
    if (!number) return std::nullopt;
    return AddressKey{*number, true};
}

void ConnectionTable::reset() {
    entries_.clear();
    slots_ = {};
    slots_asked_ = 0;
    icmp_answers_ = false;
    names_ = std::make_shared<detail::Names>();
    last_exporter_number_ = Entry::kNone;
}

ConnectionList ConnectionTable::finish() {
    ConnectionList out;
    out.entries_ = std::move(entries_);
    out.names_ = names_;
    const bool answers = icmp_answers_;
    reset();
    if (answers) join_icmp_answers(out);
    if (options_.merge_exporters) merge_exporters(out);
    return out;
}

ConnectionList ConnectionTable::take_finished(std::int64_t now_ns) {
    std::int64_t before = 0;  // ended before this: no record can join them any more
    if (__builtin_sub_overflow(now_ns, std::max(options_.window_ns, widest_gap_ns_), &before)) return {};
    auto finished = [before](const Entry& e) { return e.has_time() && e.end_ns < before; };
    bool any = false;
    for (std::size_t i = 0; i < entries_.size() && !any; ++i) any = finished(entries_[i]);
    if (!any) return {};
    // What is kept moves to a new table (in the same order, per 5-tuple the newest last) with
    // its own pool: the addresses only finished connections named go with them.
    ConnectionList out;
    out.names_ = names_;
    detail::ChunkedVector<Entry, detail::kEntryChunkBits> all = std::move(entries_);
    const std::shared_ptr<const detail::Names> old = names_;
    const bool answers = icmp_answers_;
    reset();
    names_->exporters = old->exporters;  // few: numbers stay the same
    for (std::size_t i = 0; i < all.size(); ++i) {
        const Entry& e = all[i];
        if (finished(e)) {
            out.entries_.push_back(e);
            continue;
        }
        Entry& kept = entries_.push_back(e);
        if (e.key_bits & Entry::kIcmpAnswers) icmp_answers_ = true;
        if (e.key_bits & Entry::kLowPooled) kept.low = names_->addresses.intern(old->addresses.at(e.low));
        if (e.key_bits & Entry::kHighPooled) kept.high = names_->addresses.intern(old->addresses.at(e.high));
        index(static_cast<std::uint32_t>(entries_.size() - 1), hash_key(kept));
    }
    if (answers) join_icmp_answers(out);
    if (options_.merge_exporters) merge_exporters(out);
    return out;
}

namespace {

// Adds what `from` counted to `into`: both sides, records, times, flags (same client side).
void absorb(Entry& into, const Entry& from) {
    bool sat = false;
    for (std::size_t side = 0; side < 2; ++side) {
        into.packets[side] = sat_add(into.packets[side], from.packets[side], sat);
        into.bytes[side] = sat_add(into.bytes[side], from.bytes[side], sat);
        into.tcp_flags[side] |= from.tcp_flags[side];
        const auto first = static_cast<std::uint8_t>(Entry::kHasFirst0 << side);
        if (from.has(first) && (!into.has(first) || from.first_start[side] < into.first_start[side])) {
            into.first_start[side] = from.first_start[side];
        }
    }
    if (from.has_time()) into.end_ns = into.has_time() ? std::max(into.end_ns, from.end_ns) : from.end_ns;
    into.bits |= from.bits & static_cast<std::uint8_t>(Entry::kSeen0 * 3 | Entry::kOpened0 * 3 | Entry::kHasFirst0 * 3);
    into.records += from.records;  // 32 bits, as add() counts them
    into.biflow_records += from.biflow_records;
    into.unknown_sampling += from.unknown_sampling;
    into.sampling = std::max(into.sampling, from.sampling);
    into.anomalies |= from.anomalies;
    (void)sat_add(into.packets[0], into.packets[1], sat);
    (void)sat_add(into.bytes[0], into.bytes[1], sat);
    if (sat) into.anomalies |= Entry::kSaturated;
}

// The other end becomes side 0 (the client): counters, flags and per-side bits swap.
void swap_sides(Entry& e) {
    std::swap(e.packets[0], e.packets[1]);
    std::swap(e.bytes[0], e.bytes[1]);
    std::swap(e.tcp_flags[0], e.tcp_flags[1]);
    std::swap(e.first_start[0], e.first_start[1]);
    std::uint8_t bits = e.bits & static_cast<std::uint8_t>(Entry::kHasIcmp | Entry::kClientHigh);
    for (const std::uint8_t bit : {Entry::kSeen0, Entry::kOpened0, Entry::kHasFirst0}) {
        if (e.has(bit)) bits |= static_cast<std::uint8_t>(bit << 1);
        if (e.has(static_cast<std::uint8_t>(bit << 1))) bits |= bit;
    }
    e.bits = bits ^ Entry::kClientHigh;
}

// Keeps the entries not dropped, in order.
void drop_entries(detail::ChunkedVector<Entry, detail::kEntryChunkBits>& entries, const std::vector<bool>& drop) {
    detail::ChunkedVector<Entry, detail::kEntryChunkBits> kept;
    for (std::uint32_t i = 0; i < entries.size(); ++i) {
        if (!drop[i]) kept.push_back(entries[i]);
    }
    entries = std::move(kept);
}

}  // namespace

void ConnectionTable::join_icmp_answers(ConnectionList& list) const {
    // Answers without a type (Entry::kIcmpAnswers; softflowd -b exports echo replies so) go to
    // the request exchange (echo, timestamp, ...) of the same exporter, client and server that
    // they overlap in time (within --window) and do not outnumber: they are its replies. The
    // others stay a row without a type.
    auto& entries = list.entries_;
    bool any = false;
    for (std::uint32_t i = 0; i < entries.size() && !any; ++i) any = (entries[i].key_bits & Entry::kIcmpAnswers) != 0;
    if (!any) return;
    auto ends = [&entries](std::uint32_t i) {
        const Entry& e = entries[i];
        return std::tuple(e.exporter, e.protocol, end_of(e, 0).first, end_of(e, 1).first);
    };
    std::map<decltype(ends(0)), std::vector<std::uint32_t>> requests;
    for (std::uint32_t i = 0; i < entries.size(); ++i) {
        if (entries[i].key_bits & Entry::kIcmpPair) requests[ends(i)].push_back(i);
    }
    std::vector<bool> drop(entries.size());
    bool dropped = false;
    for (std::uint32_t i = 0; i < entries.size(); ++i) {
        Entry& answers = entries[i];
        if ((answers.key_bits & Entry::kIcmpAnswers) == 0) continue;
        static const std::vector<std::uint32_t> kNoRequests;
        const auto found = requests.find(ends(i));
        for (const std::uint32_t r : found == requests.end() ? kNoRequests : found->second) {
            Entry& request = entries[r];
            const bool near = !answers.has_time() || !request.has_time() ||
                              (answers.start_ns() <= sat_add(request.end_ns, options_.window_ns) &&
                               sat_add(answers.end_ns, options_.window_ns) >= request.start_ns());
            // A request has one answer at most: answers beyond the requests answer something
            // else (an ICMP error after the ping, in a record of its own).
            bool sat = false;
            if (!near || sat_add(request.packets[1], answers.packets[1], sat) > request.packets[0]) continue;
            absorb(request, answers);
            drop[i] = dropped = true;
            break;
        }
        if (drop[i]) continue;
        // Answers of nothing shown: a row of the ICMP their sender sent, it the client, as a
        // one-way record of the same packets would be (no request opened it).
        swap_sides(answers);
        answers.bits &= static_cast<std::uint8_t>(~(Entry::kOpened0 * 3));
    }
    if (dropped) drop_entries(entries, drop);
}

void ConnectionTable::merge_exporters(ConnectionList& list) const {
    // ConnectionOptions::merge_exporters: one connection per group of observations of the same
    // conversation (the key without the exporter) by several exporters, overlapping in time.
    const auto& entries = list.entries_;
    auto conversation = [&entries](std::uint32_t i) {
        const Entry& e = entries[i];
        return std::tuple(e.protocol, e.has(Entry::kHasIcmp) ? e.icmp_type : std::uint8_t{0}, e.low_key(), e.low_port,
                          e.high_key(), e.high_port);
    };
    std::vector<std::uint32_t> order(entries.size());
    for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    // By conversation, then start, then order of first record.
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
        return std::tuple(conversation(a), entries[a].start_ns(), a) <
               std::tuple(conversation(b), entries[b].start_ns(), b);
    });
    std::vector<bool> drop(entries.size());
    auto& merged = list.merged_;
    for (std::size_t group = 0; group < order.size();) {
        std::size_t group_end = group + 1;
        while (group_end < order.size() && conversation(order[group_end]) == conversation(order[group])) ++group_end;
        // Runs of observations overlapping in time (untimed ones join any run): one connection.
        for (std::size_t first = group; group_end - group >= 2 && first < group_end;) {
            const Entry& head = entries[order[first]];
            std::size_t last = first + 1;
            std::int64_t end = head.end_or_zero();
            while (last < group_end) {
                const Entry& next = entries[order[last]];
                if (next.has_time() && head.has_time() && next.start_ns() > sat_add(end, options_.window_ns)) break;
                end = std::max(end, next.end_or_zero());
                ++last;
            }
            std::uint32_t best = order[first];
            for (std::size_t k = first + 1; k < last; ++k) {
                const Entry& c = entries[order[k]];
                const Entry& b = entries[best];
                if (std::pair(c.total_packets(), c.total_bytes()) > std::pair(b.total_packets(), b.total_bytes())) {
                    best = order[k];
                }
            }
            const std::uint32_t kept = entries[best].exporter;
            std::vector<std::uint32_t> exporters{kept};
            for (std::size_t k = first; k < last; ++k) {
                const std::uint32_t exporter = entries[order[k]].exporter;
                // Another connection of the same exporter bridged by a third: not an observation.
                if (order[k] == best || exporter == kept) continue;
                if (std::find(exporters.begin(), exporters.end(), exporter) == exporters.end()) {
                    exporters.push_back(exporter);
                }
                drop[order[k]] = true;
            }
            if (exporters.size() >= 2) merged.emplace_back(best, std::move(exporters));
            first = last;
        }
        group = group_end;
    }
    std::sort(merged.begin(), merged.end());
    if (std::find(drop.begin(), drop.end(), true) == drop.end()) return;
    // The kept ones, in order; the merged exporters follow their connection's new index.
    detail::ChunkedVector<Entry, detail::kEntryChunkBits> kept;
    std::size_t next_merged = 0;
    for (std::uint32_t i = 0; i < entries.size(); ++i) {
        if (drop[i]) continue;
        if (next_merged < merged.size() && merged[next_merged].first == i) {
            merged[next_merged++].first = static_cast<std::uint32_t>(kept.size());
        }
        kept.push_back(entries[i]);
    }
    list.entries_ = std::move(kept);
}

}  // namespace nfpcap::analyze
