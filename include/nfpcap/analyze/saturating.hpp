// SPDX-License-Identifier: MIT
// Saturating arithmetic for untrusted times and counters: results clamp at the type's ends.
#pragma once
#include <cstdint>
#include <limits>

namespace nfpcap::analyze {

// Flow times come from exporters (any 64-bit value, year 2262 and before 1970 included) and
// counters may be near 2^64: every sum and difference the analyzer forms over them goes through
// these, so none overflows (signed overflow is undefined behaviour, unsigned wraps silently).

/// 128-bit integers (GCC and Clang) for exact intermediate products of times and counters.
__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

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
        return std::numeric_limits<std::uint64_t>::max();
    }
    return r;
}

/// a * b, clamped at 2^64-1; sets `saturated` when it clamps (never clears it).
constexpr std::uint64_t sat_mul(std::uint64_t a, std::uint64_t b, bool& saturated) noexcept {
    std::uint64_t r = 0;
    if (__builtin_mul_overflow(a, b, &r)) {
        saturated = true;
        return std::numeric_limits<std::uint64_t>::max();
    }
    return r;
}

/// end - start as an unsigned span, 0 when end is before start. Exact over the whole int64
/// range (the span of INT64_MIN .. INT64_MAX is 2^64-1).
constexpr std::uint64_t span_ns(std::int64_t start, std::int64_t end) noexcept {
    return end <= start ? 0 : static_cast<std::uint64_t>(end) - static_cast<std::uint64_t>(start);
}

}  // namespace nfpcap::analyze
