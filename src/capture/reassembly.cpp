// SPDX-License-Identifier: MIT
// IP fragment reassembly: merged byte intervals per (src, dst, protocol, id) until they cover the datagram.
#include "nfpcap/capture/reassembly.hpp"

#include <algorithm>
#include <cstring>

namespace nfpcap::capture {

namespace {
constexpr std::uint32_t kMaxDatagram = 65535 + 8;
}

bool Reassembler::covered(const Pending& p, std::uint32_t begin, std::uint32_t end) noexcept {
    // The interval starting at or before `begin` is the only one that can hold [begin, end).
    auto it = p.held.upper_bound(begin);
    if (it == p.held.begin()) return false;
    --it;
    return it->second >= end;
}

void Reassembler::insert(Pending& p, std::uint32_t begin, std::uint32_t end) {
    auto it = p.held.upper_bound(begin);
    if (it != p.held.begin()) {
        auto prev = std::prev(it);
        if (prev->second >= begin) {  // touches or overlaps the one before: extend that one
            begin = prev->first;
            end = std::max(end, prev->second);
            it = p.held.erase(prev);
        }
    }
    // Swallow every interval that starts inside [begin, end]; each is erased once, so the work
    // over a datagram's life is bounded by the fragments it took.
    while (it != p.held.end() && it->first <= end) {
        end = std::max(end, it->second);
        it = p.held.erase(it);
    }
    p.held.emplace_hint(it, begin, end);
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
    Key key{fragment.src, fragment.dst, fragment.frag_id, fragment.protocol};
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

    const std::uint64_t begin64 = fragment.frag_offset;
    const std::uint64_t end64 = begin64 + fragment.frag_data.size();
    const auto begin = static_cast<std::uint32_t>(std::min<std::uint64_t>(begin64, kMaxDatagram + 1));
    const auto end = static_cast<std::uint32_t>(std::min<std::uint64_t>(end64, kMaxDatagram + 1));
    // A last fragment must end at or past everything received before it, whatever the order.
    bool inconsistent = end64 > kMaxDatagram || (!fragment.frag_more && p.have_last && end != p.total) ||
                        (!fragment.frag_more && p.data.size() > end) || (p.have_last && end > p.total);
    if (inconsistent) {
        dropped_ += p.fragments;
        pending_.erase(it);
        return std::nullopt;
    }
    if (p.fragments > limits_.max_fragments) {
        ++limit_hits_;
        dropped_ += p.fragments;
        pending_.erase(it);
        return std::nullopt;
    }
    if (!fragment.frag_more) {
        p.have_last = true;
        p.total = end;
    }
    if (begin < end && covered(p, begin, end)) {
        // A copy of bytes already held: nothing to place (the first copy stays).
        ++duplicates_;
    } else {
        if (p.data.size() < end) p.data.resize(end);
        // Overlaps: the later copy wins, as in most stacks; captures rarely have them.
        if (begin < end) {
            std::memcpy(p.data.data() + begin, fragment.frag_data.data(), fragment.frag_data.size());
            insert(p, begin, end);
        }
    }

    const bool complete =
        p.have_last &&
        (p.total == 0 || (p.held.size() == 1 && p.held.begin()->first == 0 && p.held.begin()->second >= p.total));
    if (!complete) return std::nullopt;
    done_ = std::move(p.data);
    done_.resize(p.total);
    pending_.erase(it);
    ++reassembled_;
    return wire::Bytes(done_);
}

}  // namespace nfpcap::capture
