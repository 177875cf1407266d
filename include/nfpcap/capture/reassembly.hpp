// SPDX-License-Identifier: MIT
// IPv4 / IPv6 fragment reassembly for UDP, bounded in entries, bytes and capture time.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "nfpcap/capture/frame.hpp"

namespace nfpcap::capture {

struct ReassemblyLimits {
    std::size_t max_pending = 1024;            ///< datagrams being reassembled at once
    std::int64_t timeout_ns = 60'000'000'000;  ///< capture time after the first fragment
};

class Reassembler {
public:
    explicit Reassembler(ReassemblyLimits limits = {}) : limits_(limits) {}

    /// Adds one fragment (FrameInfo::Kind::fragment). When it completes a datagram, returns the
    /// whole IP payload, valid until the next call.
    std::optional<wire::Bytes> add(const FrameInfo& fragment, std::int64_t time_ns);

    /// Fragments given up on so far (timeout, limit, inconsistency, end of capture).
    [[nodiscard]] std::uint64_t dropped_fragments() const noexcept { return dropped_; }
    [[nodiscard]] std::uint64_t reassembled() const noexcept { return reassembled_; }
    [[nodiscard]] std::uint64_t limit_hits() const noexcept { return limit_hits_; }
    [[nodiscard]] std::size_t pending() const noexcept { return pending_.size(); }

    /// Gives up on everything still pending (end of capture).
    void drop_all() noexcept;

private:
    struct Key {
        wire::IpAddress src, dst;
        std::uint32_t id;
        friend auto operator<=>(const Key&, const Key&) = default;
    };
    struct Pending {
        std::vector<std::byte> data;
        std::vector<std::pair<std::uint32_t, std::uint32_t>> ranges;  // [begin, end)
        std::uint32_t total = 0;                                      // known once the last fragment arrived
        bool have_last = false;
        std::int64_t first_seen = 0;
        std::uint64_t fragments = 0;
    };

    void expire(std::int64_t now) noexcept;
    static bool complete(const Pending& p) noexcept;

    ReassemblyLimits limits_;
    std::map<Key, Pending> pending_;
    std::vector<std::byte> done_;
    std::int64_t last_sweep_ = 0;
    std::uint64_t dropped_ = 0;
    std::uint64_t reassembled_ = 0;
    std::uint64_t limit_hits_ = 0;
};

}  // namespace nfpcap::capture
