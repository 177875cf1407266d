// SPDX-License-Identifier: MIT
// Sequence accounting: gaps remembered so that late messages fill them, duplicates by their
// bytes, restarts by the sequence, the uptime and the export time.
#include "nfpcap/session/sequence.hpp"

#include <algorithm>
#include <cstring>

#include "nfpcap/wire/hash.hpp"
#include "nfpcap/wire/reader.hpp"
#include "nfpcap/wire/saturating.hpp"

namespace nfpcap::session {

namespace {

/// Serial-number distance (RFC 1982 style): positive when `a` is ahead of `b`.
std::int64_t distance(std::uint32_t a, std::uint32_t b) noexcept { return static_cast<std::int32_t>(a - b); }

std::uint64_t load64(const std::byte* p) noexcept {
    std::uint64_t v = 0;
    std::memcpy(&v, p, sizeof v);
    return v;
}

using wire::mix64;

/// A hash of the whole message: duplicates are byte-identical copies. Every message is
/// hashed on the decoding thread, so eight bytes a step in four independent lanes: a lane's
/// multiply waits for its previous one, four keep the multiplier busy (FNV-1a, a byte a step,
/// took a tenth of that thread's time; two lanes, half as much again as four).
std::uint64_t digest_of(std::span<const std::byte> bytes) noexcept {
    constexpr std::uint64_t k0 = 0xff51afd7ed558ccdULL, k1 = 0xc4ceb9fe1a85ec53ULL;
    std::uint64_t a = 0x9e3779b97f4a7c15ULL ^ bytes.size(), b = 0xc2b2ae3d27d4eb4fULL;
    std::uint64_t c = 0x165667b19e3779f9ULL, d = 0x27d4eb2f165667c5ULL;
    const std::byte* p = bytes.data();
    std::size_t n = bytes.size();
    for (; n >= 32; n -= 32, p += 32) {
        a = (a ^ load64(p)) * k0;
        b = (b ^ load64(p + 8)) * k1;
        c = (c ^ load64(p + 16)) * k0;
        d = (d ^ load64(p + 24)) * k1;
        a ^= a >> 29;
        b ^= b >> 31;
        c ^= c >> 29;
        d ^= d >> 31;
    }
    std::byte tail[32] = {};
    if (n != 0) std::memcpy(tail, p, n);
    a = (a ^ load64(tail)) * k0;
    b = (b ^ load64(tail + 8)) * k1;
    c = (c ^ load64(tail + 16)) * k0;
    d = (d ^ load64(tail + 24)) * k1;
    return mix64(a ^ mix64(b ^ mix64(c ^ mix64(d))));
}

}  // namespace

std::string_view name(SequenceClass c) noexcept {
    switch (c) {
    case SequenceClass::untracked: return "untracked";
    case SequenceClass::first: return "first";
    case SequenceClass::next: return "next";
    case SequenceClass::duplicate: return "duplicate";
    case SequenceClass::reordered: return "reordered";
    case SequenceClass::restart: return "restart";
    case SequenceClass::count_: break;
    }
    return "unknown";
}

void SequenceCounts::add(const SequenceCounts& o) noexcept {
    lost += o.lost;
    gaps += o.gaps;
    duplicates += o.duplicates;
    reordered += o.reordered;
    restarts += o.restarts;
}

std::optional<SequenceHeader> read_sequence_header(std::span<const std::byte> payload,
                                                   std::int64_t capture_ns) noexcept {
    if (payload.size() < 2) return std::nullopt;
    const netflow::VersionInfo* info = netflow::version_info(wire::load_be16(payload.data()));
    if (info == nullptr || payload.size() < info->header_size) return std::nullopt;
    SequenceHeader h;
    h.version = info->version;
    h.count = wire::load_be16(payload.data() + info->count_offset);
    if (info->sequence != netflow::SequenceUnit::none)
        h.sequence = wire::load_be32(payload.data() + info->sequence_offset);
    if (info->uptime_offset != 0) h.uptime_ms = wire::load_be32(payload.data() + info->uptime_offset);
    h.export_secs = wire::load_be32(payload.data() + info->export_time_offset);
    h.capture_ns = capture_ns;
    h.digest = digest_of(payload);
    return h;
}

std::size_t SequenceTracker::readings() const noexcept {
    switch (unit_) {
    case netflow::SequenceUnit::flows:
    case netflow::SequenceUnit::export_packets: return 1;
    case netflow::SequenceUnit::data_records: return 4;
    case netflow::SequenceUnit::none:
    case netflow::SequenceUnit::count_: break;
    }
    return 0;
}

std::size_t SequenceTracker::best() const noexcept {
    std::size_t best = 0;
    for (std::size_t i = 1; i < readings(); ++i) {
        if (readings_[i].discontinuities < readings_[best].discontinuities) best = i;
    }
    return best;
}

bool SequenceTracker::fills_gap(std::uint32_t sequence) const noexcept {
    if (readings() == 0) return false;
    // Inclusive of the end: under a reading that counts the message's own records, its number
    // is where its records end.
    for (const Gap& g : readings_[best()].gaps) {
        if (sequence - g.begin <= g.end - g.begin) return true;
    }
    return false;
}

void SequenceTracker::reset() noexcept {
    for (Reading& r : readings_) {
        // What the gaps before the restart skipped stays lost; they can no longer be filled.
        r.next.reset();
        r.gaps.clear();
    }
    recent_count_ = 0;
    recent_next_ = 0;
    open_.reset();
}

void SequenceTracker::fill(Reading& r, std::uint32_t begin, std::uint32_t end) {
    std::vector<Gap> kept;
    for (const Gap& g : r.gaps) {
        // In the gap's coordinates: the gap is [0, length), the message [from, to).
        const std::int64_t length = static_cast<std::uint32_t>(g.end - g.begin);
        const std::int64_t from = distance(begin, g.begin);
        const std::int64_t to = from + static_cast<std::uint32_t>(end - begin);
        const std::int64_t lo = std::max<std::int64_t>(from, 0);
        const std::int64_t hi = std::min<std::int64_t>(to, length);
        if (lo >= hi) {
            kept.push_back(g);
            continue;
        }
        r.lost -= std::min<std::uint64_t>(r.lost, static_cast<std::uint64_t>(hi - lo));
        if (lo > 0) kept.push_back({g.begin, static_cast<std::uint32_t>(g.begin + lo)});
        if (hi < length) kept.push_back({static_cast<std::uint32_t>(g.begin + hi), g.end});
    }
    r.gaps = std::move(kept);
}

bool SequenceTracker::sent_before_last(const SequenceHeader& h, std::int64_t steps_back) const noexcept {
    std::int64_t older = 0;  // < 0: h's clock reads earlier than the previous message's
    if (h.uptime_ms && last_uptime_ms_ && (*h.uptime_ms != 0 || *last_uptime_ms_ != 0)) {
        older = static_cast<std::int64_t>(*h.uptime_ms) - *last_uptime_ms_;
        // Both from one boot: the wall clock moved as the uptime did (to the header's second).
        const std::int64_t boot_shift = distance(h.export_secs, last_export_secs_) * 1000 - older;
        if (boot_shift > kSameBootMs || boot_shift < -kSameBootMs) return false;
    } else {
        older = distance(h.export_secs, last_export_secs_);
    }
    if (older != 0) return older < 0;
    return h.sequence >= steps_back;
}

bool SequenceTracker::seen_recently(const SequenceHeader& h) const noexcept {
    // Every number at once, as a count without an early exit (g++ makes an integer sum a few
    // vector compares; an or of bools, or a loop that returns, it does not): a message's number
    // is rarely a recent one's, and searching one entry at a time took more than the rest of
    // classify. Entries past recent_count_ (zeros, or stale after a restart) may count a hit:
    // the search that follows looks at the remembered ones only.
    std::uint32_t hits = 0;
    for (const std::uint32_t s : recent_sequences_) hits += s == h.sequence ? 1U : 0U;
    if (hits == 0) return false;
    for (std::size_t i = 0; i < recent_count_; ++i) {
        if (recent_sequences_[i] == h.sequence && recent_digests_[i] == h.digest) return true;
    }
    return false;
}

SequenceClass SequenceTracker::classify(const SequenceHeader& h) {
    const netflow::VersionInfo* info = netflow::version_info(h.version);
    const bool numbered = info != nullptr && info->sequence != netflow::SequenceUnit::none;
    if (!numbered && !h.uptime_ms) return SequenceClass::untracked;
    auto remember = [&](bool advance) {
        recent_sequences_[recent_next_] = h.sequence;
        recent_digests_[recent_next_] = h.digest;
        recent_next_ = (recent_next_ + 1) % kRecent;
        recent_count_ = std::min(recent_count_ + 1, kRecent);
        if (advance) last_sequence_ = h.sequence;
        last_export_secs_ = h.export_secs;
        last_uptime_ms_ = h.uptime_ms;
        last_capture_ns_ = std::max(last_capture_ns_, h.capture_ns);
    };
    if (!started_) {
        started_ = true;
        unit_ = info != nullptr ? info->sequence : netflow::SequenceUnit::none;
        last_capture_ns_ = h.capture_ns;
        remember(true);
        return SequenceClass::first;
    }
    if (seen_recently(h)) {
        ++counts_.duplicates;
        return SequenceClass::duplicate;
    }
    // Restart signals: an uptime that went back and is shorter than the time since the previous
    // message (the exporter booted in between; fprobe's uptime steps back by seconds without a
    // restart, but it is never that short; an exporter whose uptime stays 0 never restarts by
    // it), an IPFIX export time far back (a clock reset), a sequence number that steps back
    // without filling a gap, unless the message was sent before the previous one (reordered on
    // the way: its uptime, or IPFIX export time, is older; at the same clock reading, its number
    // is nearer the previous one than 0): a restarted exporter's first message is sent later.
    // Capture times may sit at the int64 ends (a clamped fixture time, a saturated pcapng one).
    const std::int64_t elapsed_ms =
        std::max<std::int64_t>(0, wire::sat_sub(h.capture_ns, last_capture_ns_)) / 1'000'000;
    const bool booted = h.uptime_ms && last_uptime_ms_ && *h.uptime_ms < *last_uptime_ms_ &&
                        static_cast<std::int64_t>(*h.uptime_ms) < elapsed_ms;
    const bool clock_back = unit_ == netflow::SequenceUnit::data_records &&
                            distance(h.export_secs, last_export_secs_) < -std::int64_t{kExportTimeBackSeconds};
    const std::int64_t step = numbered ? distance(h.sequence, last_sequence_) : 0;
    const bool back = step < 0;
    if (booted || clock_back || (back && !fills_gap(h.sequence) && !sent_before_last(h, -step))) {
        ++counts_.restarts;
        reset();
        remember(true);
        return SequenceClass::restart;
    }
    if (back) {
        ++counts_.reordered;
        remember(false);
        return SequenceClass::reordered;
    }
    remember(true);
    return numbered ? SequenceClass::next : SequenceClass::untracked;
}

void SequenceTracker::account(SequenceClass c, const SequenceHeader& h, std::uint32_t data_records,
                              std::uint32_t options_records, const std::shared_ptr<SequenceSize>& unknown) {
    if (c == SequenceClass::untracked || c == SequenceClass::duplicate || c == SequenceClass::count_) return;
    const std::size_t n_readings = readings();
    auto size_in = [&](std::size_t reading, std::uint32_t data, std::uint32_t options) -> std::uint32_t {
        switch (unit_) {
        case netflow::SequenceUnit::flows: return h.count;
        case netflow::SequenceUnit::export_packets: return 1;
        case netflow::SequenceUnit::data_records: return reading % 2 == 0 ? data : data + options;
        case netflow::SequenceUnit::none:
        case netflow::SequenceUnit::count_: break;
        }
        return 0;
    };
    // Only IPFIX sizes depend on the decode (v5 counts are in the header, v9 counts packets).
    const bool size_known = unknown == nullptr || unit_ != netflow::SequenceUnit::data_records;
    for (std::size_t i = 0; i < n_readings; ++i) {
        Reading& r = readings_[i];
        const bool own = unit_ == netflow::SequenceUnit::data_records && i >= 2;
        std::optional<std::uint32_t> start;
        std::optional<std::uint32_t> end;
        const std::uint32_t n = size_known ? size_in(i, data_records, options_records) : 0;
        if (own) {
            end = h.sequence;
            if (size_known) start = h.sequence - n;
        } else {
            start = h.sequence;
            if (size_known) end = h.sequence + n;
        }
        if (c == SequenceClass::first || c == SequenceClass::restart) {
            r.next = end;
            continue;
        }
        if (!own && !r.next && open_) {
            // The previous message's size was unknown: known since, or implied by this number.
            if (open_->known) {
                r.next = open_->sequence + size_in(i, open_->data_records, open_->options_records);
            } else {
                open_->inferred[i] = distance(*start, open_->sequence);
                r.next = start;
            }
        }
        if (c == SequenceClass::reordered) {
            if (start && end) {
                fill(r, *start, *end);
            } else {
                // Size unknown: it fills the gap its number falls in.
                for (const Gap& g : r.gaps) {
                    const std::uint32_t at = own ? *end - 1 : *start;
                    if (at - g.begin < g.end - g.begin) {
                        if (own) {
                            fill(r, g.begin, *end);
                        } else {
                            fill(r, *start, g.end);
                        }
                        break;
                    }
                }
            }
            continue;
        }
        if (!r.next) {
            r.next = end;
            continue;
        }
        if (!start) {
            // This message's size is unknown: the previous one's end implies it.
            if (unknown) unknown->inferred[i] = distance(*end, *r.next);
            r.next = end;
            continue;
        }
        const std::int64_t ahead = distance(*start, *r.next);
        if (ahead > 0) {
            r.gaps.push_back({*r.next, *start});
            if (r.gaps.size() > kMaxGaps) r.gaps.erase(r.gaps.begin());  // the oldest stays lost
            r.lost += static_cast<std::uint64_t>(ahead);
            ++r.gap_messages;
            ++r.discontinuities;
        } else if (ahead < 0) {
            ++r.discontinuities;  // overlaps what came before: not this reading's rule
        }
        r.next = end;
    }
    if (c != SequenceClass::reordered) open_ = size_known ? nullptr : unknown;
}

void SequenceTracker::resolve(const SequenceSize& size) {
    for (std::size_t i = 0; i < readings(); ++i) {
        if (!size.inferred[i]) continue;
        const std::int64_t actual = i % 2 == 0 ? size.data_records : size.data_records + size.options_records;
        Reading& r = readings_[i];
        const std::int64_t missing = *size.inferred[i] - actual;
        if (missing > 0) {
            r.lost += static_cast<std::uint64_t>(missing);
            ++r.gap_messages;
            ++r.discontinuities;
        } else if (missing < 0) {
            ++r.discontinuities;
        }
    }
}

SequenceCounts SequenceTracker::counts() const noexcept {
    SequenceCounts c = counts_;
    if (readings() != 0) {
        const Reading& r = readings_[best()];
        c.lost = r.lost;
        c.gaps = r.gap_messages;
    }
    return c;
}

}  // namespace nfpcap::session
