// SPDX-License-Identifier: MIT
// Pairing flow records into connections: reverse directions joined, active-timeout splits
// merged, client and server decided. Memory grows with connections, not records.
#pragma once
#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "nfpcap/analyze/flow.hpp"
#include "nfpcap/analyze/saturating.hpp"

namespace nfpcap::analyze {

/// Which rule decided who the client is.
enum class DirectionRule : std::uint8_t {
    syn,    ///< the side that sent a TCP SYN without ACK
    icmp,   ///< the side that sent the ICMP request (echo, timestamp, ...)
    start,  ///< the side whose traffic started first
    port,   ///< the other side uses the well-known / service / lower port
};
std::string_view name(DirectionRule rule) noexcept;

/// What the TCP flags of both directions say of a connection (TCP only; `none` for the rest).
enum class TcpState : std::uint8_t {
    none,         ///< not TCP, or no flags exported
    established,  ///< both directions, no RST
    refused,      ///< the client's SYN answered by a RST without SYN
    reset,        ///< established, then a RST from either side
    half_open,    ///< only the client's SYN, nothing back
    one_way,      ///< one direction only, more than a bare SYN (a flow seen in the middle, or one side)
};
std::string_view name(TcpState state) noexcept;

struct ConnectionOptions {
    /// Records of one 5-tuple (either direction) whose time ranges are closer than this are one
    /// connection: request/response pairs and flows split by the exporter's active timeout.
    std::int64_t window_ns = 10'000'000'000;
    /// Multiply each record's counters by its sampling interval (FlowRecord::sampling); records
    /// sampled at an unknown rate stay as counted, and are flagged (Connection::unknown_sampling).
    bool renormalize = false;
    /// Exporters on one path observe the same connection: by default each observation is a
    /// connection of its own (one row per exporter, nothing counted twice within a row). With
    /// this, the observations of one connection by several exporters overlapping in time (within
    /// window_ns) are one connection, counted once: the largest observation (most packets, then
    /// bytes), with every exporter that saw it listed.
    bool merge_exporters = false;
};

/// One connection. Index 0 of the arrays is client -> server once `decide_direction` ran.
struct Connection {
    wire::Endpoint client, server;
    std::uint8_t protocol = 0;
    std::optional<std::uint8_t> icmp_type;  ///< the request's type for ICMP
    std::int64_t start_ns = 0, end_ns = 0;
    bool has_time = false;
    std::array<std::uint64_t, 2> packets{}, bytes{};
    std::array<std::uint8_t, 2> tcp_flags{};
    std::array<bool, 2> opened{};  ///< sent a TCP SYN without ACK, or an ICMP request
    std::array<std::optional<std::int64_t>, 2> first_start;
    std::array<bool, 2> seen{};  ///< a record (or reverse counters) for this direction
    std::uint32_t records = 0;
    std::uint32_t biflow_records = 0;
    std::uint32_t sampling = 1;          ///< the largest sampling interval of its records
    std::uint32_t unknown_sampling = 0;  ///< records sampled at a rate nothing announced
    DirectionRule rule = DirectionRule::port;
    wire::Endpoint exporter;  ///< the exporter of this observation
    /// With ConnectionOptions::merge_exporters and more than one: every exporter that observed
    /// the connection, `exporter` first (empty otherwise).
    std::vector<wire::Endpoint> exporters;
    // What the hostile-number rules (wire/saturating.hpp) did to this connection, printed with it:
    bool saturated = false;     ///< a counter (or their total) stopped at 2^64-1
    bool reversed = false;      ///< a record ended before it started: taken as lasting 0
    bool time_clamped = false;  ///< a time (or the duration) was clamped to the int64 ns range

    [[nodiscard]] bool one_way() const noexcept { return !(seen[0] && seen[1]); }
    /// Both directions, saturating at 2^64-1 (`saturated` says so once it happened).
    [[nodiscard]] std::uint64_t total_packets() const noexcept {
        bool ignored = false;
        return sat_add(packets[0], packets[1], ignored);
    }
    [[nodiscard]] std::uint64_t total_bytes() const noexcept {
        bool ignored = false;
        return sat_add(bytes[0], bytes[1], ignored);
    }
    /// Never negative (end_ns >= start_ns by construction), clamped at 292 years.
    [[nodiscard]] std::int64_t duration_ns() const noexcept { return wire::duration_ns(start_ns, end_ns); }
    /// Any of saturated, reversed, time_clamped.
    [[nodiscard]] bool clamped() const noexcept { return saturated || reversed || time_clamped; }
};

class ConnectionTable {
public:
    explicit ConnectionTable(ConnectionOptions options = {}) : options_(options) {}

    void add(const FlowRecord& flow);
    /// Decides every connection's direction and hands them over, in order of first record
    /// (selection sorts what it shows).
    std::deque<Connection> finish();
    /// Hands over (directions decided, in order of first record) the connections whose last
    /// record ended more than the window before `now_ns`, and forgets them: a long live run
    /// (connections --follow) keeps only the open ones. A later record of the same 5-tuple
    /// starts a new connection. O(connections): call it now and then, not per record.
    std::deque<Connection> take_finished(std::int64_t now_ns);

    [[nodiscard]] std::uint64_t records() const noexcept { return records_; }
    /// Records by the sampling interval they were taken at (known rates only).
    [[nodiscard]] const std::map<std::uint32_t, std::uint64_t>& records_by_sampling() const noexcept {
        return by_sampling_;
    }
    /// Records sampled at a rate nothing announced (SamplingSource::unknown).
    [[nodiscard]] std::uint64_t unknown_sampling_records() const noexcept { return unknown_sampling_; }
    [[nodiscard]] bool renormalized() const noexcept { return options_.renormalize; }

private:
    struct Key {
        std::uint8_t protocol;
        std::uint16_t exchange;    // ICMP: request/reply pair or type; 0 otherwise
        wire::Endpoint low, high;  // the two ends in a fixed order: direction-free
        wire::Endpoint exporter;   // observations of different exporters stay apart
        friend bool operator==(const Key&, const Key&) = default;
    };
    struct KeyHash {
        std::size_t operator()(const Key& k) const noexcept {
            return (((wire::hash_value(k.low) * 31 + wire::hash_value(k.high)) * 31 + k.protocol) * 31 + k.exchange) *
                       31 +
                   wire::hash_value(k.exporter);
        }
    };

    Connection& find_or_add(const Key& key, const FlowRecord& flow, bool reply);

    ConnectionOptions options_;
    // A deque never moves its elements: growing it costs no copies of what is there.
    std::deque<Connection> connections_;
    // Per 5-tuple, the newest connection; older ones of the same 5-tuple chain through
    // `previous_` (one small map entry per 5-tuple, no per-key allocation).
    std::unordered_map<Key, std::uint32_t, KeyHash> index_;
    std::deque<std::uint32_t> previous_;
    std::deque<Key> keys_;  // each connection's key, to index what take_finished keeps
    std::uint64_t records_ = 0;
    std::map<std::uint32_t, std::uint64_t> by_sampling_;
    std::uint64_t unknown_sampling_ = 0;
};

/// The state the flags give, once client and server are decided (see TcpState).
TcpState tcp_state(const Connection& c) noexcept;

/// Decides client and server (see DirectionRule), swapping the sides if needed.
void decide_direction(Connection& c);

/// ConnectionOptions::merge_exporters on finished connections: one connection per group of
/// observations of the same conversation by several exporters, overlapping within `window_ns`.
std::deque<Connection> merge_exporters(std::deque<Connection> connections, std::int64_t window_ns);

}  // namespace nfpcap::analyze
