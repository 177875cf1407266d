// SPDX-License-Identifier: MIT
// SCTP DATA chunks into user messages (RFC 9260 §3.3.1, §6.6, §6.9).
#include "nfpcap/capture/sctp_reassembly.hpp"

#include <algorithm>

namespace nfpcap::capture {

namespace {

constexpr std::uint8_t kChunkData = 0;
constexpr std::size_t kChunkHeader = 4;
constexpr std::size_t kDataHeader = 16;  // type, flags, length, TSN, stream, SSN, PPID
constexpr std::uint8_t kFlagEnd = 0x01, kFlagBegin = 0x02, kFlagUnordered = 0x04;
constexpr std::size_t kRecentTsns = 1U << 16U;

std::size_t padded(std::size_t n) noexcept { return (n + 3U) & ~std::size_t{3}; }

// Serial number arithmetic on 16-bit stream sequence numbers (RFC 1982): how far `b` is past `a`.
std::uint16_t ahead(std::uint16_t a, std::uint16_t b) noexcept { return static_cast<std::uint16_t>(b - a); }

}  // namespace

bool SctpReassembler::well_formed(wire::Bytes chunks) noexcept {
    std::size_t at = 0;
    while (at < chunks.size()) {
        if (chunks.size() - at < kChunkHeader) return false;
        const std::size_t length = wire::load_be16(chunks.data() + at + 2);
        if (length < kChunkHeader || length > chunks.size() - at) return false;
        if (static_cast<std::uint8_t>(chunks[at]) == kChunkData && length <= kDataHeader) return false;
        at += std::min(padded(length), chunks.size() - at);  // the last chunk's padding may be missing
    }
    return true;
}

bool SctpReassembler::add(const SctpPacket& packet) {
    if (!well_formed(packet.chunks)) return false;
    const wire::Bytes c = packet.chunks;
    for (std::size_t at = 0; at < c.size();) {
        const std::size_t length = wire::load_be16(c.data() + at + 2);
        const std::uint8_t type = static_cast<std::uint8_t>(c[at]);
        if (type != kChunkData) {
            ++counters_.other_chunks;
        } else {
            const Key key{packet.src, packet.dst, packet.tag};
            auto it = associations_.find(key);
            if (it == associations_.end()) {
                if (associations_.size() >= limits_.max_associations) {
                    ++counters_.association_limit;
                    at += std::min(padded(length), c.size() - at);
                    continue;
                }
                it = associations_.try_emplace(key).first;
                it->second.id = next_id_++;
                it->second.src = packet.src;
                it->second.dst = packet.dst;
                ++counters_.associations;
            }
            const Data d{static_cast<std::uint8_t>(c[at + 1]), wire::load_be32(c.data() + at + 4),
                         wire::load_be16(c.data() + at + 8), wire::load_be16(c.data() + at + 10),
                         c.subspan(at + kDataHeader, length - kDataHeader)};
            ++counters_.data_chunks;
            take(it->second, d, packet);
        }
        at += std::min(padded(length), c.size() - at);
    }
    return true;
}

// A TSN had already (a retransmission, or the same packet captured twice): true. Remembers it.
bool SctpReassembler::seen(Association& a, std::uint32_t tsn) {
    if (a.recent_set.contains(tsn) || a.fragments.contains(tsn)) return true;
    a.recent.push_back(tsn);
    a.recent_set.insert(tsn);
    if (a.recent.size() > kRecentTsns) {
        a.recent_set.erase(a.recent.front());
        a.recent.pop_front();
    }
    return false;
}

void SctpReassembler::take(Association& a, const Data& d, const SctpPacket& packet) {
    if (seen(a, d.tsn)) {
        ++counters_.duplicates;
        return;
    }
    const bool unordered = (d.flags & kFlagUnordered) != 0;
    if ((d.flags & (kFlagBegin | kFlagEnd)) == (kFlagBegin | kFlagEnd)) {
        user_message(a, d.stream, d.ssn, unordered, {d.bytes.begin(), d.bytes.end()}, packet);
        return;
    }
    if (a.held + d.bytes.size() > limits_.max_held) {
        // No room: the unfinished messages held are given up with this one (counted by their
        // first fragments; at least one).
        std::uint64_t begun = (d.flags & kFlagBegin) != 0 ? 1 : 0;
        for (const auto& [tsn, f] : a.fragments) {
            begun += (f.flags & kFlagBegin) != 0 ? 1 : 0;
            a.held -= f.data.size();
        }
        a.fragments.clear();
        counters_.incomplete += std::max<std::uint64_t>(begun, 1);
        return;
    }
    Fragment& f = a.fragments[d.tsn];
    f.flags = d.flags;
    f.stream = d.stream;
    f.ssn = d.ssn;
    f.data.assign(d.bytes.begin(), d.bytes.end());
    a.held += f.data.size();
    assemble(a, d.tsn, packet);
}

// The fragments of one message have consecutive TSNs, the first with B, the last with E, all of
// one stream (RFC 9260 §6.9): put together once all are there.
void SctpReassembler::assemble(Association& a, std::uint32_t tsn, const SctpPacket& packet) {
    std::uint32_t first = tsn;
    for (;;) {
        auto it = a.fragments.find(first);
        if (it == a.fragments.end()) return;
        if ((it->second.flags & kFlagBegin) != 0) break;
        --first;
        if (first == tsn) return;  // wrapped all the way: cannot happen within the bounds
    }
    std::uint32_t last = first;
    std::size_t size = 0;
    const Fragment& head = a.fragments.at(first);
    for (;;) {
        auto it = a.fragments.find(last);
        if (it == a.fragments.end()) return;
        const Fragment& f = it->second;
        if (f.stream != head.stream || (last != first && (f.flags & kFlagBegin) != 0)) return;
        size += f.data.size();
        if ((f.flags & kFlagEnd) != 0) break;
        ++last;
    }
    const std::uint16_t stream = head.stream, ssn = head.ssn;
    const bool unordered = (head.flags & kFlagUnordered) != 0;
    std::vector<std::byte> bytes;
    const bool fits = size <= limits_.max_message;
    if (fits) bytes.reserve(size);
    for (std::uint32_t t = first;; ++t) {
        auto it = a.fragments.find(t);
        if (fits) bytes.insert(bytes.end(), it->second.data.begin(), it->second.data.end());
        a.held -= it->second.data.size();
        a.fragments.erase(it);
        if (t == last) break;
    }
    if (!fits) {
        ++counters_.incomplete;
        return;
    }
    user_message(a, stream, ssn, unordered, std::move(bytes), packet);
}

void SctpReassembler::ready(const Association& a, std::uint16_t stream, bool unordered, std::vector<std::byte> bytes,
                            std::uint64_t frame, std::uint32_t input, std::int64_t time_ns) {
    Ready r;
    r.bytes = std::move(bytes);
    SctpMessage& m = r.message;
    m.frame = frame;
    m.input = input;
    m.time_ns = time_ns;
    m.src = a.src;
    m.dst = a.dst;
    m.association = a.id;
    m.stream = stream;
    m.unordered = unordered;
    ++counters_.messages;
    ready_.push_back(std::move(r));
}

// Ordered messages go out in stream sequence order (the first one seen starts the stream, as a
// capture may begin mid-association); unordered ones at once.
void SctpReassembler::user_message(Association& a, std::uint16_t id, std::uint16_t ssn, bool unordered,
                                   std::vector<std::byte> bytes, const SctpPacket& packet) {
    if (unordered) {
        ready(a, id, true, std::move(bytes), packet.frame, packet.input, packet.time_ns);
        return;
    }
    Stream& s = a.streams[id];
    if (!s.started) {
        s.started = true;
        s.next = ssn;
    }
    const std::uint16_t distance = ahead(s.next, ssn);
    if (distance >= 0x8000U || s.waiting.contains(ssn)) {  // before the one due: had already
        ++counters_.duplicates;
        return;
    }
    if (distance != 0) {
        ++counters_.out_of_order;
        a.held += bytes.size();
        s.waiting[ssn] = Waiting{std::move(bytes), packet.frame, packet.input, packet.time_ns};
        if (s.waiting.size() > limits_.max_waiting || a.held > limits_.max_held) give_up_gap(a, id, s);
        return;
    }
    ready(a, id, false, std::move(bytes), packet.frame, packet.input, packet.time_ns);
    ++s.next;
    release(a, id, s);
}

// The messages now due, in order.
void SctpReassembler::release(Association& a, std::uint16_t id, Stream& s) {
    for (auto it = s.waiting.find(s.next); it != s.waiting.end(); it = s.waiting.find(s.next)) {
        a.held -= it->second.data.size();
        ready(a, id, false, std::move(it->second.data), it->second.frame, it->second.input, it->second.time_ns);
        s.waiting.erase(it);
        ++s.next;
    }
}

// The messages before the nearest one waiting are taken as lost: the stream goes on from it.
void SctpReassembler::give_up_gap(Association& a, std::uint16_t id, Stream& s) {
    if (s.waiting.empty()) return;
    std::uint16_t nearest = s.waiting.begin()->first;
    for (const auto& [ssn, w] : s.waiting) {
        if (ahead(s.next, ssn) < ahead(s.next, nearest)) nearest = ssn;
    }
    ++counters_.gaps;
    counters_.messages_skipped += ahead(s.next, nearest);
    s.next = nearest;
    release(a, id, s);
}

void SctpReassembler::finish() {
    for (auto& [key, a] : associations_) {
        for (auto& [id, s] : a.streams) {
            while (!s.waiting.empty()) give_up_gap(a, id, s);
        }
        for (const auto& [tsn, f] : a.fragments) counters_.incomplete += (f.flags & kFlagBegin) != 0 ? 1 : 0;
    }
    associations_.clear();
}

bool SctpReassembler::next(SctpMessage& out) {
    if (ready_.empty()) return false;
    current_ = std::move(ready_.front());
    ready_.pop_front();
    out = current_.message;
    out.data = wire::Bytes(current_.bytes);
    return true;
}

}  // namespace nfpcap::capture
