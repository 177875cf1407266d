// SPDX-License-Identifier: MIT
// SCTP user messages out of captured packets (IPFIX over SCTP, RFC 7011 §10.2): DATA chunks of
// each association, fragmented messages put together, each stream in stream sequence order.
#pragma once
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <unordered_set>
#include <vector>

#include "nfpcap/wire/address.hpp"
#include "nfpcap/wire/reader.hpp"

namespace nfpcap::capture {

struct SctpLimits {
    std::size_t max_message = 1U << 18U;  ///< bytes of one fragmented user message at most
    std::size_t max_held = 1U << 22U;     ///< bytes one association holds (fragments, messages waiting their turn)
    std::size_t max_waiting = 256;        ///< messages of one stream held for an earlier one, at most
    std::size_t max_associations = 4096;  ///< associations followed at once
};

/// One SCTP packet as parsed from a frame (FrameInfo::Kind::sctp).
struct SctpPacket {
    std::uint64_t frame = 0;
    std::uint32_t input = 0;
    std::int64_t time_ns = 0;
    wire::Endpoint src, dst;
    std::uint32_t tag = 0;  ///< verification tag: tells one association of these endpoints from the next
    wire::Bytes chunks;
};

/// One user message, in its stream's order. `data` is valid until the next call.
struct SctpMessage {
    std::uint64_t frame = 0;  ///< the frame that completed it (or let it out: an earlier one given up)
    std::uint32_t input = 0;
    std::int64_t time_ns = 0;
    wire::Endpoint src, dst;
    std::uint64_t association = 0;  ///< 1, 2, ...: one per direction's endpoints and verification tag
    std::uint16_t stream = 0;
    bool unordered = false;  ///< the U bit: delivered as it came
    wire::Bytes data;
};

struct SctpCounters {
    std::uint64_t associations = 0;       ///< associations (directions with DATA) followed
    std::uint64_t data_chunks = 0;        ///< DATA chunks taken (fragments included)
    std::uint64_t other_chunks = 0;       ///< chunks of other types, skipped (INIT, SACK, ...)
    std::uint64_t messages = 0;           ///< user messages handed on
    std::uint64_t duplicates = 0;         ///< DATA chunks (TSN) or ordered messages (SSN) already had: dropped
    std::uint64_t out_of_order = 0;       ///< messages held until an earlier one of their stream came
    std::uint64_t gaps = 0;               ///< times a stream went on without messages that never came
    std::uint64_t messages_skipped = 0;   ///< stream sequence numbers given up in those gaps
    std::uint64_t incomplete = 0;         ///< fragmented messages given up (a limit, or never completed)
    std::uint64_t association_limit = 0;  ///< DATA chunks not followed: too many associations
};

/// Follows every association it is given packets of. Pure bookkeeping: the caller parsed the
/// frame; the chunks are walked and checked here (RFC 9260 §3.2: lengths, padding) before
/// anything of the packet is taken.
class SctpReassembler {
public:
    explicit SctpReassembler(SctpLimits limits = {}) : limits_(limits) {}

    /// Takes the packet's DATA chunks; false (and nothing taken) when its chunks are malformed:
    /// a chunk shorter than its header or longer than the packet, a DATA chunk without data.
    bool add(const SctpPacket& packet);
    /// The next user message ready; false when none is.
    bool next(SctpMessage& out);
    /// The end of the capture: what waits for an earlier message goes out (the gaps counted),
    /// fragments never completed are given up.
    void finish();

    [[nodiscard]] const SctpCounters& counters() const noexcept { return counters_; }

private:
    struct Key {
        wire::Endpoint src, dst;
        std::uint32_t tag = 0;
        friend auto operator<=>(const Key&, const Key&) = default;
    };
    struct Fragment {
        std::uint8_t flags = 0;
        std::uint16_t stream = 0;
        std::uint16_t ssn = 0;
        std::vector<std::byte> data;
    };
    struct Waiting {
        std::vector<std::byte> data;
        std::uint64_t frame = 0;
        std::uint32_t input = 0;
        std::int64_t time_ns = 0;
    };
    struct Stream {
        bool started = false;
        std::uint16_t next = 0;  ///< the stream sequence number due
        std::map<std::uint16_t, Waiting> waiting;
    };
    struct Association {
        std::uint64_t id = 0;
        wire::Endpoint src, dst;
        std::map<std::uint32_t, Fragment> fragments;  ///< by TSN
        std::size_t held = 0;                          ///< bytes of fragments and waiting messages
        std::map<std::uint16_t, Stream> streams;
        std::deque<std::uint32_t> recent;  ///< TSNs taken lately (duplicates are dropped)
        std::unordered_set<std::uint32_t> recent_set;
    };
    struct Ready {
        SctpMessage message;
        std::vector<std::byte> bytes;
    };
    struct Data {
        std::uint8_t flags;
        std::uint32_t tsn;
        std::uint16_t stream, ssn;
        wire::Bytes bytes;
    };

    static bool well_formed(wire::Bytes chunks) noexcept;
    void take(Association& a, const Data& d, const SctpPacket& packet);
    bool seen(Association& a, std::uint32_t tsn);
    void assemble(Association& a, std::uint32_t tsn, const SctpPacket& packet);
    void user_message(Association& a, std::uint16_t stream, std::uint16_t ssn, bool unordered,
                      std::vector<std::byte> bytes, const SctpPacket& packet);
    void release(Association& a, std::uint16_t id, Stream& s);
    void give_up_gap(Association& a, std::uint16_t id, Stream& s);
    void ready(const Association& a, std::uint16_t stream, bool unordered, std::vector<std::byte> bytes,
               std::uint64_t frame, std::uint32_t input, std::int64_t time_ns);

    SctpLimits limits_;
    std::map<Key, Association> associations_;
    std::deque<Ready> ready_;
    Ready current_;
    std::uint64_t next_id_ = 1;
    SctpCounters counters_;
};

}  // namespace nfpcap::capture
