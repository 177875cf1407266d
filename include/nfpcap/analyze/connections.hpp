// SPDX-License-Identifier: MIT
// Pairing flow records into connections: reverse directions joined, active-timeout splits
// merged, client and server decided. Memory grows with connections, not records.
#pragma once
#include <algorithm>
#include <array>
#include <climits>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "nfpcap/analyze/flow.hpp"
#include "nfpcap/analyze/saturating.hpp"
#include "nfpcap/analyze/table_memory.hpp"

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
    /// connection: request/response pairs and flows split by the exporter's timeouts. A record
    /// whose exporter announced its timeouts (FlowRecord::split_gap_ns) joins across the larger
    /// of the two.
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

namespace detail {

/// The addresses that are not IPv4, each once, by number (IPv4 addresses are their own
/// number). Open addressing over the numbers; no allocation per address.
class AddressPool {
public:
    std::uint32_t intern(const wire::IpAddress& a);
    [[nodiscard]] std::optional<std::uint32_t> find(const wire::IpAddress& a) const noexcept;
    [[nodiscard]] const wire::IpAddress& at(std::uint32_t number) const noexcept { return addresses_[number]; }
    [[nodiscard]] std::size_t size() const noexcept { return addresses_.size(); }

private:
    void grow();
    ChunkedVector<wire::IpAddress> addresses_;
    Slots slots_;  // (hash high bits << 32) | (number + 1); 0 is empty
};

/// The numbered exporters and pooled addresses entries refer to; shared by a table and the
/// lists it hands over.
struct Names {
    AddressPool addresses;
    std::vector<wire::Endpoint> exporters;
};

/// An address as an entry holds it: IPv4 inline, the others by their number in the pool.
struct AddressKey {
    std::uint32_t value = 0;
    bool pooled = false;
    friend auto operator<=>(const AddressKey&, const AddressKey&) = default;
};

/// One connection as the table keeps it: 96 bytes, no pointer, nothing allocated (the index
/// holds one slot per connection: several of one 5-tuple, apart in time, are found together). Side 0 is
/// the client as first seen (the first record's source, its destination for a reply);
/// decide_direction runs when a Connection is made of it.
struct Entry {
    std::array<std::uint64_t, 2> packets, bytes;
    std::array<std::int64_t, 2> first_start;  // valid with kHasFirst0 << side; the start is their minimum
    std::int64_t end_ns;
    std::uint32_t low, high;  // the key: the two ends in a fixed order (see kLowPooled)
    std::uint32_t exporter;   // the key: exporter number
    std::uint32_t records, biflow_records;
    std::uint32_t sampling, unknown_sampling;  // as in Connection
    std::uint16_t low_port, high_port;         // the key
    std::uint8_t protocol;                     // the key
    std::uint8_t icmp_type;                    // with kHasIcmp; the key with it (see kIcmpPair)
    std::array<std::uint8_t, 2> tcp_flags;
    std::uint8_t bits;       // per side (shift by the side): seen, opened, first start; icmp, client
    std::uint8_t key_bits;   // the key: kLowPooled, kHighPooled, kIcmpPair
    std::uint8_t anomalies;  // kSaturated, kReversed, kTimeClamped (Connection's flags)

    static constexpr std::uint32_t kNone = UINT32_MAX;
    static constexpr std::uint8_t kSeen0 = 1, kOpened0 = 4, kHasFirst0 = 16, kHasIcmp = 64, kClientHigh = 128;
    /// kIcmpAnswers: ICMP answers without a type (FlowRecord::icmp_answers_only), client the
    /// one answered; joined to its request's exchange when there is one (join_icmp_answers).
    static constexpr std::uint8_t kLowPooled = 1, kHighPooled = 2, kIcmpPair = 4, kIcmpAnswers = 8;
    static constexpr std::uint8_t kSaturated = 1, kReversed = 2, kTimeClamped = 4;

    [[nodiscard]] bool has(std::uint8_t bit) const noexcept { return (bits & bit) != 0; }
    [[nodiscard]] bool has_time() const noexcept { return (bits & (kHasFirst0 * 3)) != 0; }
    [[nodiscard]] std::int64_t start_ns() const noexcept {
        if (!has(kHasFirst0)) return has(kHasFirst0 << 1) ? first_start[1] : 0;
        return has(kHasFirst0 << 1) ? std::min(first_start[0], first_start[1]) : first_start[0];
    }
    [[nodiscard]] std::int64_t end_or_zero() const noexcept { return has_time() ? end_ns : 0; }
    [[nodiscard]] std::uint64_t total_packets() const noexcept {
        bool ignored = false;  // kSaturated says so
        return sat_add(packets[0], packets[1], ignored);
    }
    [[nodiscard]] std::uint64_t total_bytes() const noexcept {
        bool ignored = false;
        return sat_add(bytes[0], bytes[1], ignored);
    }
    [[nodiscard]] AddressKey low_key() const noexcept { return {low, (key_bits & kLowPooled) != 0}; }
    [[nodiscard]] AddressKey high_key() const noexcept { return {high, (key_bits & kHighPooled) != 0}; }
    [[nodiscard]] bool same_key(const Entry& o) const noexcept {
        return low == o.low && high == o.high && low_port == o.low_port && high_port == o.high_port &&
               exporter == o.exporter && protocol == o.protocol && key_bits == o.key_bits &&
               (has(kHasIcmp) ? o.has(kHasIcmp) && icmp_type == o.icmp_type : !o.has(kHasIcmp));
    }
};
static_assert(sizeof(Entry) == 96);
/// 2^16 entries a chunk: 6 MiB, three huge pages exactly.
constexpr std::size_t kEntryChunkBits = 16;

}  // namespace detail

namespace detail {
/// Iterates a list whose `operator[]` makes each Connection when read (ConnectionList,
/// Selection): the connections are values, not references into the list.
template <typename List>
class IndexIterator {
public:
    using iterator_category = std::input_iterator_tag;
    using value_type = Connection;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = Connection;
    IndexIterator(const List* list, std::size_t i) : list_(list), i_(i) {}
    Connection operator*() const { return (*list_)[i_]; }
    IndexIterator& operator++() {
        ++i_;
        return *this;
    }
    friend bool operator==(const IndexIterator& a, const IndexIterator& b) { return a.i_ == b.i_; }

private:
    const List* list_;
    std::size_t i_;
};
}  // namespace detail

/// Connections handed over by a ConnectionTable, in the table's compact form: `operator[]`
/// and iteration make each Connection (direction decided) when it is read; the cheap reads
/// below serve selection and sorting without making one.
class ConnectionList {
public:
    [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }
    [[nodiscard]] bool empty() const noexcept { return entries_.empty(); }
    [[nodiscard]] Connection operator[](std::size_t i) const;
    [[nodiscard]] Connection front() const { return (*this)[0]; }

    [[nodiscard]] bool has_time(std::size_t i) const noexcept { return entries_[i].has_time(); }
    [[nodiscard]] std::int64_t start_ns(std::size_t i) const noexcept { return entries_[i].start_ns(); }
    [[nodiscard]] std::int64_t end_ns(std::size_t i) const noexcept { return entries_[i].end_or_zero(); }
    [[nodiscard]] std::int64_t duration_ns(std::size_t i) const noexcept { return sat_sub(end_ns(i), start_ns(i)); }
    [[nodiscard]] std::uint64_t total_packets(std::size_t i) const noexcept { return entries_[i].total_packets(); }
    [[nodiscard]] std::uint64_t total_bytes(std::size_t i) const noexcept { return entries_[i].total_bytes(); }
    /// Entry::kSaturated, kReversed, kTimeClamped of connection `i` (Connection's flags).
    [[nodiscard]] std::uint8_t anomalies(std::size_t i) const noexcept { return entries_[i].anomalies; }
    [[nodiscard]] bool one_way(std::size_t i) const noexcept {
        const auto& e = entries_[i];
        return !(e.has(detail::Entry::kSeen0) && e.has(detail::Entry::kSeen0 << 1));
    }
    /// A hint: connection `i` will be read soon (its entry is fetched from memory meanwhile).
    void prefetch(std::size_t i) const noexcept {
        const auto* entry = reinterpret_cast<const char*>(&entries_[i]);
        __builtin_prefetch(entry);
        __builtin_prefetch(entry + sizeof(detail::Entry) - 1);  // an entry may straddle two lines
    }
    /// The addresses of both ends of connection `i`, the client as first seen first (client and
    /// server are decided when the connection is made: they may swap).
    [[nodiscard]] std::pair<wire::IpAddress, wire::IpAddress> addresses(std::size_t i) const;
    /// Whether either end of connection `i` is `address` (see address_key).
    [[nodiscard]] bool involves(std::size_t i, detail::AddressKey address) const noexcept {
        return entries_[i].low_key() == address || entries_[i].high_key() == address;
    }
    /// The key `involves` takes for an address; nullopt when no connection has it.
    [[nodiscard]] std::optional<detail::AddressKey> address_key(const wire::IpAddress& a) const noexcept;

    using iterator = detail::IndexIterator<ConnectionList>;
    [[nodiscard]] iterator begin() const { return {this, 0}; }
    [[nodiscard]] iterator end() const { return {this, size()}; }

private:
    friend class ConnectionTable;
    detail::ChunkedVector<detail::Entry, detail::kEntryChunkBits> entries_;
    std::shared_ptr<const detail::Names> names_;
    // --merge-exporters: the exporters of the connections several observed, by index (sorted).
    std::vector<std::pair<std::uint32_t, std::vector<std::uint32_t>>> merged_;
};

class ConnectionTable {
public:
    explicit ConnectionTable(ConnectionOptions options = {});

    void add(const FlowRecord& flow);
    /// The same as adding each in turn; faster: the index slots of the next records are
    /// fetched from memory while the current one is added (a large table misses the cache on
    /// nearly every record).
    void add(std::span<const FlowRecord> flows);
    /// Hands over every connection, in order of first record (selection sorts what it shows),
    /// and empties the table.
    ConnectionList finish();
    /// Hands over (in order of first record) the connections whose last record ended more
    /// than the window (or the widest gap an exporter announced) before `now_ns`, and forgets them:
    /// a long live run (connections --follow) keeps only the open ones and the addresses they name. A later record of
    /// the same 5-tuple starts a new connection. O(connections): call it now and then, not per record.
    ConnectionList take_finished(std::int64_t now_ns);

    [[nodiscard]] std::uint64_t records() const noexcept { return records_; }
    /// Records by the sampling interval they were taken at (known rates only).
    [[nodiscard]] const std::map<std::uint32_t, std::uint64_t>& records_by_sampling() const noexcept {
        return by_sampling_;
    }
    /// Records sampled at a rate nothing announced (SamplingSource::unknown).
    [[nodiscard]] std::uint64_t unknown_sampling_records() const noexcept { return unknown_sampling_; }
    [[nodiscard]] bool renormalized() const noexcept { return options_.renormalize; }
    /// Connections held now.
    [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }
    /// Safe from any thread while another adds: makes and first touches the memory the table
    /// will take next (see detail::PageSupply), so that the adding thread does not wait for it.
    void prepare_pages() { supply_->prepare(); }

private:
    std::uint32_t exporter_number(const wire::Endpoint& exporter);
    // A record's key, worked out before the table is looked at.
    struct Keyed {
        detail::Entry key;
        std::uint64_t hash;
        detail::AddressKey src;
        bool icmp_pair;  // an ICMP request or reply (icmp_role)
        bool reply;      // the reply of such a pair
    };
    Keyed key_of(const FlowRecord& flow);
    void prefetch(std::uint64_t hash) const noexcept;
    void add(const FlowRecord& flow, const Keyed& keyed);
    detail::Entry& find_or_add(const detail::Entry& key, std::uint64_t hash, const FlowRecord& flow);
    void index(std::uint32_t i, std::uint64_t hash);
    void grow_index();
    void reset();
    void merge_exporters(ConnectionList& list) const;
    void join_icmp_answers(ConnectionList& list) const;

    ConnectionOptions options_;
    detail::ChunkedVector<detail::Entry, detail::kEntryChunkBits> entries_;
    std::shared_ptr<detail::Names> names_;
    // Open addressing, one slot per connection: (hash high bits << 32) | (index + 1); 0 is
    // empty. The connections of one 5-tuple sit in one probe run.
    detail::Slots slots_;
    std::unique_ptr<detail::PageSupply> supply_ = std::make_unique<detail::PageSupply>();
    std::size_t slots_asked_ = 0;   // the size of slot array last asked of supply_
    bool icmp_answers_ = false;     // an Entry::kIcmpAnswers entry is held: join_icmp_answers has work
    wire::Endpoint last_exporter_;  // the exporter asked last, and its number
    std::uint32_t last_exporter_number_ = detail::Entry::kNone;
    std::int64_t widest_gap_ns_ = 0;  // the largest gap a record could join across so far
    std::uint64_t records_ = 0;
    std::map<std::uint32_t, std::uint64_t> by_sampling_;
    std::uint64_t unknown_sampling_ = 0;
};

/// The state the flags give, once client and server are decided (see TcpState).
TcpState tcp_state(const Connection& c) noexcept;

/// Decides client and server (see DirectionRule), swapping the sides if needed.
void decide_direction(Connection& c);

}  // namespace nfpcap::analyze
