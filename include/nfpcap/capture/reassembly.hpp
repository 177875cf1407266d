// SPDX-License-Identifier: MIT
// IPv4 / IPv6 fragment reassembly, bounded in entries, fragments, bytes, work and capture time.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "nfpcap/capture/frame.hpp"

namespace nfpcap::capture {

struct ReassemblyLimits {
    std::size_t max_pending = 1024;            ///< datagrams being reassembled at once
    std::size_t max_fragments = 256;           ///< fragments (copies included) one datagram may take
    std::int64_t timeout_ns = 60'000'000'000;  ///< capture time after the first fragment
};

/// Collects fragments per (source, destination, protocol, ID). Each datagram keeps the byte
/// ranges it holds as a map of disjoint, merged intervals, so a fragment is placed, and a copy
/// of bytes already held recognised, in O(log n) of the datagram's intervals; completion is
/// one comparison. A datagram that takes more than `max_fragments` fragments is given up.
class Reassembler {
public:
    explicit Reassembler(ReassemblyLimits limits = {}) : limits_(limits) {}

    /// Adds one fragment (FrameInfo::Kind::fragment). When it completes a datagram, returns the
    /// whole IP payload, valid until the next call.
    std::optional<wire::Bytes> add(const FrameInfo& fragment, std::int64_t time_ns);

    /// Fragments given up on so far (timeout, limit, inconsistency, end of capture).
    [[nodiscard]] std::uint64_t dropped_fragments() const noexcept { return dropped_; }
    [[nodiscard]] std::uint64_t reassembled() const noexcept { return reassembled_; }
    /// Datagrams given up because `max_pending` or `max_fragments` was reached.
    [[nodiscard]] std::uint64_t limit_hits() const noexcept { return limit_hits_; }
    /// Fragments whose bytes were all held already (copies: `-i any`, retransmissions).
    [[nodiscard]] std::uint64_t duplicates() const noexcept { return duplicates_; }
    [[nodiscard]] std::size_t pending() const noexcept { return pending_.size(); }

    /// Gives up on everything still pending (end of capture).
    void drop_all() noexcept;

private:
    struct Key {
        wire::IpAddress src, dst;
        std::uint32_t id;
        std::uint8_t protocol;
        friend auto operator<=>(const Key&, const Key&) = default;
    };
    struct Pending {
        std::vector<std::byte> data;
        std::map<std::uint32_t, std::uint32_t> held;  // begin -> end, disjoint and merged
        std::uint32_t total = 0;                      // known once the last fragment arrived
        bool have_last = false;
        std::int64_t first_seen = 0;
        std::uint64_t fragments = 0;
    };

    void expire(std::int64_t now) noexcept;
    static bool covered(const Pending& p, std::uint32_t begin, std::uint32_t end) noexcept;
    static void insert(Pending& p, std::uint32_t begin, std::uint32_t end);

    ReassemblyLimits limits_;
    std::map<Key, Pending> pending_;
    std::vector<std::byte> done_;
    std::int64_t last_sweep_ = 0;
    std::uint64_t dropped_ = 0;
    std::uint64_t reassembled_ = 0;
    std::uint64_t limit_hits_ = 0;
    std::uint64_t duplicates_ = 0;
};

}  // namespace nfpcap::capture
