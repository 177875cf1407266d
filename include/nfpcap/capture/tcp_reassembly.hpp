// SPDX-License-Identifier: MIT
// TCP stream reassembly (for IPFIX over TCP, RFC 7011 §10.4): ordered byte chunks per connection.
#pragma once
#include <algorithm>
#include <cstdint>
#include <deque>
#include <map>
#include <vector>

#include "nfpcap/wire/address.hpp"
#include "nfpcap/wire/reader.hpp"

namespace nfpcap::capture {

struct TcpLimits {
    std::size_t max_connections = 1U << 16U;         ///< connections followed at once
    std::size_t max_held_bytes = 1U << 20U;          ///< out-of-order bytes held per direction
    std::size_t max_held_segments = 1024;            ///< out-of-order pieces held per direction
    std::size_t max_total_held_bytes = 64U << 20U;   ///< out-of-order bytes held in all
    std::int64_t hole_timeout_ns = 10'000'000'000;   ///< capture time a missing segment is waited for
    std::int64_t idle_timeout_ns = 600'000'000'000;  ///< capture time after which a silent connection is forgotten
};

/// One TCP segment as parsed from a frame.
struct TcpSegment {
    std::uint64_t frame = 0;
    std::uint32_t input = 0;  ///< which of the reader's inputs `frame` numbers a frame of
    std::int64_t time_ns = 0;
    wire::Endpoint src, dst;
    std::uint32_t seq = 0;
    std::uint8_t flags = 0;    ///< tcp_flag bits
    wire::Bytes payload;       ///< as captured
    std::uint32_t length = 0;  ///< payload length the IP header announces (> payload.size() when cut)
};

/// Bytes of one direction of a connection, in sequence order. `data` is valid until the next
/// call of the reassembler.
struct TcpChunk {
    std::uint64_t frame = 0;       ///< the frame at which these bytes became available in order
    std::uint32_t input = 0;       ///< the input that frame belongs to (TcpSegment::input)
    std::int64_t time_ns = 0;      ///< its capture time
    wire::Endpoint src, dst;       ///< sender and receiver of these bytes
    std::uint64_t connection = 0;  ///< 1, 2, ...: both directions share it; a new SYN gets a new one
    std::uint64_t offset = 0;      ///< stream position of data[0] (0 = first byte after the SYN, or first byte seen)
    wire::Bytes data;
    bool gap = false;              ///< bytes before `data` are missing
    std::uint64_t bytes_lost = 0;  ///< how many (when `gap`)
    bool first = false;            ///< the first chunk of this direction
    bool midstream = false;        ///< this direction was picked up without its SYN (not at a message boundary)
    bool fin = false;              ///< the sender closed after `data` (FIN)
    bool rst = false;              ///< the connection was reset after `data`
};

struct TcpCounters {
    std::uint64_t segments = 0;          ///< segments handed in
    std::uint64_t connections = 0;       ///< connections followed (a new SYN on a 4-tuple counts anew)
    std::uint64_t chunks = 0;            ///< chunks handed on
    std::uint64_t bytes = 0;             ///< bytes handed on
    std::uint64_t out_of_order = 0;      ///< segments held until the bytes before them came
    std::uint64_t retransmitted = 0;     ///< segments (or their parts) already received, dropped
    std::uint64_t gaps = 0;              ///< holes given up (bound, timeout, FIN/RST, end of capture)
    std::uint64_t bytes_lost = 0;        ///< bytes in those holes
    std::uint64_t truncated = 0;         ///< segments cut by the snap length (their bytes count as lost)
    std::uint64_t connection_limit = 0;  ///< segments not followed because max_connections were
};

/// Follows each connection (4-tuple; a SYN with a new initial sequence number starts a new
/// connection) in sequence order. Out-of-order segments are held, within the limits, until the
/// bytes before them arrive; retransmitted and overlapping bytes are dropped (the first copy
/// wins). A hole is given up when a limit is reached, after `hole_timeout_ns` of capture time,
/// at a RST, once the sender's FIN is all that is left, or at the end of the capture: the data
/// after it is handed on marked `gap`, with the bytes lost. Pure ACKs of connections not
/// followed create no state.
class TcpReassembler {
public:
    explicit TcpReassembler(TcpLimits limits = {}) : limits_(limits) {}

    void add(const TcpSegment& segment);
    /// The next chunk ready, in the order they became ready; false when none is.
    bool next(TcpChunk& out);
    /// End of the capture: every hole is given up, every held byte handed on.
    void finish(std::uint64_t frame, std::int64_t time_ns, std::uint32_t input = 0);

    [[nodiscard]] const TcpCounters& counters() const noexcept { return counters_; }
    [[nodiscard]] std::size_t connections() const noexcept { return connections_.size(); }
    /// Whether the connection between these endpoints (either way round) is followed now.
    [[nodiscard]] bool follows(const wire::Endpoint& a, const wire::Endpoint& b) const {
        return connections_.count(Key{std::min(a, b), std::max(a, b)}) != 0;
    }
    [[nodiscard]] std::size_t held_bytes() const noexcept { return total_held_; }

private:
    struct Direction {
        bool based = false;  // next_seq known
        bool syn = false;    // its SYN was seen
        bool started = false;
        bool fin_seen = false, fin_done = false;
        std::uint32_t isn = 0;
        std::uint32_t next_seq = 0;
        std::uint64_t next_off = 0;
        std::uint64_t fin_off = 0;
        std::uint64_t lost = 0;  // bytes missing before what is handed on next
        bool gap = false;
        std::map<std::uint64_t, std::vector<std::byte>> held;  // disjoint, all past next_off
        std::size_t held_bytes = 0;
        std::int64_t hole_since = 0;
    };
    struct Connection {
        std::uint64_t id = 0;
        wire::Endpoint a, b;  // a: the sender of the first segment followed
        Direction dir[2];     // [0] a -> b, [1] b -> a
        std::int64_t last_seen = 0;
    };
    struct Key {
        wire::Endpoint lo, hi;
        friend auto operator<=>(const Key&, const Key&) = default;
    };
    struct Ready {
        TcpChunk chunk;
        std::vector<std::byte> owned;
        bool uses_owned = false;
    };
    struct Now {
        std::uint64_t frame;
        std::int64_t time_ns;
        std::uint32_t input;
    };

    Connection* start(const Key& key, const TcpSegment& s);
    void deliver(Connection& c, int d, const Now& now, wire::Bytes view, std::vector<std::byte> owned, bool own);
    void pull(Connection& c, int d, const Now& now);
    void give_up_hole(Connection& c, int d, const Now& now);
    void flush(Connection& c, int d, const Now& now);
    void hold(Connection& c, int d, std::uint64_t off, wire::Bytes bytes, std::int64_t time_ns);
    void enforce(Connection& c, int d, const Now& now);
    void close_fin(Connection& c, int d, const Now& now);
    void end_connection(Connection& c, const Now& now, bool rst, int rst_dir);
    void sweep(const Now& now);

    TcpLimits limits_;
    std::map<Key, Connection> connections_;
    std::deque<Ready> ready_;
    Ready current_;
    std::size_t total_held_ = 0;
    std::uint64_t next_id_ = 0;
    std::int64_t last_sweep_ = 0;
    bool swept_ = false;
    TcpCounters counters_;
};

}  // namespace nfpcap::capture
