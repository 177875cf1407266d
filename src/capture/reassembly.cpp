// SPDX-License-Identifier: MIT
// IP fragment reassembly: collects byte ranges per (src, dst, id) until they cover the datagram.
#include "nfpcap/capture/reassembly.hpp"

#include <algorithm>
#include <cstring>

namespace nfpcap::capture {

namespace {
constexpr std::uint32_t kMaxDatagram = 65535 + 8;
}

bool Reassembler::complete(const Pending& p) noexcept {
    if (!p.have_last) return false;
    std::uint32_t covered = 0;
    for (auto [begin, end] : p.ranges) {  // kept sorted by begin
        if (begin > covered) return false;
        covered = std::max(covered, end);
    }
    return covered >= p.total;
}

void Reassembler::expire(std::int64_t now) noexcept {
    // Capture times are untrusted (saturated at the int64 ends): differences must not overflow.
    std::int64_t since = 0;
    if (!__builtin_sub_overflow(now, last_sweep_, &since) && since >= 0 && since < 1'000'000'000) return;
    last_sweep_ = now;
    for (auto it = pending_.begin(); it != pending_.end();) {
        std::int64_t age = 0;
        if (__builtin_sub_overflow(now, it->second.first_seen, &age) || age > limits_.timeout_ns) {
            dropped_ += it->second.fragments;
            it = pending_.erase(it);
        } else {
            ++it;
        }
    }
}

void Reassembler::drop_all() noexcept {
    for (auto& [key, p] : pending_) dropped_ += p.fragments;
    pending_.clear();
}

std::optional<wire::Bytes> Reassembler::add(const FrameInfo& fragment, std::int64_t time_ns) {
    expire(time_ns);
    Key key{fragment.src, fragment.dst, fragment.frag_id};
    auto it = pending_.find(key);
    if (it == pending_.end()) {
        if (pending_.size() >= limits_.max_pending) {
            ++limit_hits_;
            ++dropped_;
            return std::nullopt;
        }
        it = pending_.emplace(key, Pending{}).first;
        it->second.first_seen = time_ns;
    }
    Pending& p = it->second;
    ++p.fragments;

    auto begin = fragment.frag_offset;
    auto end = begin + static_cast<std::uint32_t>(fragment.frag_data.size());
    // A last fragment must end at or past everything received before it, whatever the order.
    bool inconsistent = end > kMaxDatagram || (!fragment.frag_more && p.have_last && end != p.total) ||
                        (!fragment.frag_more && p.data.size() > end) || (p.have_last && end > p.total);
    if (inconsistent) {
        dropped_ += p.fragments;
        pending_.erase(it);
        return std::nullopt;
    }
    if (!fragment.frag_more) {
        p.have_last = true;
        p.total = end;
    }
    if (p.data.size() < end) p.data.resize(end);
    // Overlaps: the later copy wins, as in most stacks; captures rarely have them.
    if (!fragment.frag_data.empty()) {
        std::memcpy(p.data.data() + begin, fragment.frag_data.data(), fragment.frag_data.size());
    }
    auto pos = std::upper_bound(p.ranges.begin(), p.ranges.end(), std::pair{begin, end});
    p.ranges.insert(pos, {begin, end});

    if (!complete(p)) return std::nullopt;
    done_ = std::move(p.data);
    done_.resize(p.total);
    pending_.erase(it);
    ++reassembled_;
    return wire::Bytes(done_);
}

}  // namespace nfpcap::capture
