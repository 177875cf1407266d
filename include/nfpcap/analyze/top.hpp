// SPDX-License-Identifier: MIT
// Top-N statistics over flow records (nfdump -s): flows, packets and bytes per key.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nfpcap/analyze/flow.hpp"

namespace nfpcap::analyze {

/// What rows are keyed by. The either-side keys (ip, port) count each record for both of its
/// sides, as nfdump does (a record from A to A counts twice for A): their rows add up to twice
/// the totals.
enum class TopField : std::uint8_t {
    srcip,
    dstip,
    ip,
    srcport,
    dstport,
    port,
    proto,
    exporter,
    srcas,
    dstas,
    inif,
    outif,
    service,
    srcnet,
    dstnet,
};
enum class TopOrder : std::uint8_t { flows, packets, bytes };

struct TopKey {
    TopField field = TopField::srcip;
    std::uint8_t v4_bits = 32;   ///< srcnet/dstnet: IPv4 prefix length (0-32)
    std::uint8_t v6_bits = 128;  ///< srcnet/dstnet: IPv6 prefix length (0-128)
};

/// Parses `srcip`, `dstip`, `ip`, `srcport`, `dstport`, `port`, `proto`, `exporter`, `srcas`,
/// `dstas`, `inif`, `outif`, `service`, `srcnet/N` or `dstnet/N` (N for IPv4 up to 32 and for
/// IPv6, e.g. `srcnet/24`, `srcnet/64`) or `srcnet/N/M` (IPv4 /N, IPv6 /M), case-insensitive.
/// Returns an error message, or nullopt with `out` set.
std::optional<std::string> parse_top_key(std::string_view text, TopKey& out);
/// `flows`, `packets` or `bytes`.
std::optional<std::string> parse_top_order(std::string_view text, TopOrder& out);

struct TopOptions {
    TopKey key;
    TopOrder order = TopOrder::flows;
    std::size_t count = 10;                       ///< rows returned (0: all)
    bool renormalize = false;                     ///< multiply counters by the record's sampling interval
    std::size_t max_keys = std::size_t{1} << 22;  ///< distinct keys kept; the rest count as untracked
};

/// Flows, packets and bytes of a row or of all records. Sums saturate at 2^64-1 (`saturated`).
/// Packets and bytes are a record's both directions (a biflow record's reverse counters too).
struct TopCounters {
    std::uint64_t flows = 0, packets = 0, bytes = 0;
    bool saturated = false;
    std::optional<std::int64_t> first_ns;  ///< earliest start
    std::optional<std::int64_t> last_ns;   ///< latest end
};

/// One row: the key (the members its field uses) and its counters.
struct TopRow {
    wire::IpAddress address;       ///< srcip, dstip, ip; srcnet/dstnet: the network
    std::uint8_t prefix_bits = 0;  ///< srcnet/dstnet
    wire::Endpoint exporter;       ///< exporter
    std::uint16_t port = 0;        ///< srcport, dstport, port; service: port or ICMP type
    std::uint8_t protocol = 0;     ///< proto, service
    std::uint32_t number = 0;      ///< srcas, dstas, inif, outif
    TopCounters counters;
};

struct TopResult {
    TopKey key;
    TopOrder order = TopOrder::flows;
    std::vector<TopRow> rows;  ///< the first `count`, ordered (ties: the other counters, then the key)
    TopCounters totals;        ///< all records added, each once (the base of shares)
    std::size_t keys = 0;      ///< distinct keys seen (rows beyond `count` included)
    TopCounters untracked;     ///< counted for keys beyond max_keys (in no row)
    bool key_limit_reached = false;
};

/// Text for a row's key: an address, `10.0.0.0/8`, a port, `tcp`, `addr:port`, a number, or a
/// service (`https (tcp/443)`, `tcp/40000`, `icmp echo-request`).
std::string key_text(TopKey key, const TopRow& row);

/// Whether rows of this key are hosts (srcip, dstip, ip, exporter): the keys names are looked up for.
bool names_hosts(TopKey key) noexcept;
/// The host a row's key is (its address, the exporter's address), when names_hosts(key) and
/// the row has one.
std::optional<wire::IpAddress> key_host(TopKey key, const TopRow& row);

/// A record's service as (protocol, port): the port that names a service (the destination's
/// first), else the well-known one (< 1024), else the lower; ICMP: (protocol, type); protocols
/// without ports: (protocol, 0).
std::pair<std::uint8_t, std::uint16_t> flow_service(const FlowRecord& flow) noexcept;
/// `https (tcp/443)`, `tcp/40000`, `icmp echo-request`, `gre`.
std::string service_text(std::uint8_t protocol, std::uint16_t port);

/// The aggregator: add every record (after filtering), then take the result. Memory grows with
/// distinct keys (about 80 bytes each), up to max_keys.
class TopTable {
public:
    explicit TopTable(TopOptions options);
    void add(const FlowRecord& flow);
    [[nodiscard]] TopResult result() const;

private:
    using Key = std::array<std::uint8_t, 20>;
    struct Entry {
        Key key;
        TopCounters counters;
    };
    void add_key(const Key& key, std::uint64_t packets, std::uint64_t bytes, const FlowRecord& flow);
    void grow();

    TopOptions options_;
    std::vector<Entry> entries_;        // in order of first sight
    std::vector<std::uint32_t> slots_;  // open addressing: entry index + 1, 0 empty
    TopCounters totals_;
    TopCounters untracked_;
    bool limit_reached_ = false;
};

}  // namespace nfpcap::analyze
