// SPDX-License-Identifier: MIT
// The rules for untrusted times and counters after decoding: checked or saturating arithmetic on
// explicit ranges, results clamped at the ends and the clamp said (docs/DESIGN.md, nfpcap(1)).
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>

namespace nfpcap::wire {

// Flow times come from exporters (any 64-bit value, year 2262 and before 1970 included) and
// counters may be near 2^64: every sum, difference and product formed over them goes through
// these, so none overflows (signed overflow is undefined behaviour, unsigned wraps silently).
//
// The rules:
// - A time point is int64 nanoseconds since 1970 (UTC): kMinTimeNs .. kMaxTimeNs, 1677-09-21 to
//   2262-04-11, all of which every output prints. A time computed past that (a 64-bit
//   millisecond field, a start plus a duration, a fixture's year 9999) is clamped to the end it
//   passed and the clamp is flagged (the record's `time_clamped` reason in `stats`).
// - A duration is end - start, never negative: a flow that ends before it starts lasts 0 (and
//   is flagged `time_reversed`); one longer than kMaxTimeNs (292 years) is that long.
// - Counters are uint64 and saturate at 2^64-1 (kMaxCounter); a saturated sum is flagged.
// - Lengths of time from the command line (seconds, as double) are checked: finite, in range,
//   or refused with a message (seconds_to_ns).

/// 128-bit integers (GCC and Clang) for exact intermediate products of times and counters.
__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

inline constexpr std::int64_t kMinTimeNs = std::numeric_limits<std::int64_t>::min();
inline constexpr std::int64_t kMaxTimeNs = std::numeric_limits<std::int64_t>::max();
inline constexpr std::uint64_t kMaxCounter = std::numeric_limits<std::uint64_t>::max();

/// a + b, clamped to [INT64_MIN, INT64_MAX].
constexpr std::int64_t sat_add(std::int64_t a, std::int64_t b) noexcept {
    std::int64_t r = 0;
    if (__builtin_add_overflow(a, b, &r)) {
        return b > 0 ? std::numeric_limits<std::int64_t>::max() : std::numeric_limits<std::int64_t>::min();
    }
    return r;
}

/// a - b, clamped to [INT64_MIN, INT64_MAX].
constexpr std::int64_t sat_sub(std::int64_t a, std::int64_t b) noexcept {
    std::int64_t r = 0;
    if (__builtin_sub_overflow(a, b, &r)) {
        return b < 0 ? std::numeric_limits<std::int64_t>::max() : std::numeric_limits<std::int64_t>::min();
    }
    return r;
}

/// a + b, clamped at 2^64-1; sets `saturated` when it clamps (never clears it).
constexpr std::uint64_t sat_add(std::uint64_t a, std::uint64_t b, bool& saturated) noexcept {
    std::uint64_t r = 0;
    if (__builtin_add_overflow(a, b, &r)) {
        saturated = true;
        return kMaxCounter;
    }
    return r;
}

/// a * b, clamped at 2^64-1; sets `saturated` when it clamps (never clears it).
constexpr std::uint64_t sat_mul(std::uint64_t a, std::uint64_t b, bool& saturated) noexcept {
    std::uint64_t r = 0;
    if (__builtin_mul_overflow(a, b, &r)) {
        saturated = true;
        return kMaxCounter;
    }
    return r;
}

/// end - start as an unsigned span, 0 when end is before start. Exact over the whole int64
/// range (the span of INT64_MIN .. INT64_MAX is 2^64-1).
constexpr std::uint64_t span_ns(std::int64_t start, std::int64_t end) noexcept {
    return end <= start ? 0 : static_cast<std::uint64_t>(end) - static_cast<std::uint64_t>(start);
}

/// end - start as a duration: 0 when end is before start, kMaxTimeNs when longer.
constexpr std::int64_t duration_ns(std::int64_t start, std::int64_t end) noexcept {
    const std::uint64_t span = span_ns(start, end);
    return span > static_cast<std::uint64_t>(kMaxTimeNs) ? kMaxTimeNs : static_cast<std::int64_t>(span);
}

/// An exact 128-bit time clamped to the time range; sets `clamped` when it clamps.
constexpr std::int64_t clamp_time(Int128 ns, bool& clamped) noexcept {
    if (ns > kMaxTimeNs) {
        clamped = true;
        return kMaxTimeNs;
    }
    if (ns < kMinTimeNs) {
        clamped = true;
        return kMinTimeNs;
    }
    return static_cast<std::int64_t>(ns);
}

/// `v` units of `unit_ns` nanoseconds as a time point, clamped (and flagged) past year 2262.
constexpr std::int64_t scaled_time(std::uint64_t v, std::int64_t unit_ns, bool& clamped) noexcept {
    return clamp_time(static_cast<Int128>(v) * unit_ns, clamped);
}

/// Seconds given on a command line to nanoseconds: nullopt unless finite and within
/// [min_seconds, max_seconds] after rounding to the nanosecond, max at most 292 years (kMaxTimeNs).
inline std::optional<std::int64_t> seconds_to_ns(double seconds, double min_seconds = 0,
                                                 double max_seconds = 9.2e9) noexcept {
    if (!std::isfinite(seconds) || seconds < min_seconds || seconds > max_seconds) return std::nullopt;
    const double ns = std::round(seconds * 1e9);
    // 9.2e18 is below 2^63 (9.22e18): the conversion is exact in range.
    if (!(ns >= 0 && ns <= 9.2e18)) return std::nullopt;
    return static_cast<std::int64_t>(ns);
}

static_assert(sat_add(kMaxTimeNs, std::int64_t{10'000'000'000}) == kMaxTimeNs);
static_assert(span_ns(kMinTimeNs, kMaxTimeNs) == kMaxCounter);
static_assert(duration_ns(10, 5) == 0);
static_assert(duration_ns(kMinTimeNs, kMaxTimeNs) == kMaxTimeNs);

}  // namespace nfpcap::wire
