// SPDX-License-Identifier: MIT
// --from / --to: time values parsed to Unix nanoseconds, and the window they select flows by.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "nfpcap/analyze/flow.hpp"

namespace nfpcap::analyze {

/// Parses a point in time to nanoseconds since 1970 (UTC):
///   ISO 8601 `2024-01-31T12:00:00`, `T` or one space between date and time, optional fraction of
///   up to 9 digits (`.5`, `,5` too), optional zone `Z`, `+hh:mm`, `+hhmm` or `+hh`;
///   a date alone `2024-01-31` (midnight); or seconds since 1970 with an optional fraction
///   (`1700000000`, `1700000000.25`, `-5`).
/// Without a zone the time is UTC, or local time when `local` (the host's TZ, as --local shows).
/// Returns an error message, or nullopt with `out_ns` set. Times outside what int64 nanoseconds
/// hold (before 1677-09-21, after 2262-04-11) are errors, not clamped.
std::optional<std::string> parse_time(std::string_view text, std::int64_t& out_ns, bool local = false);

/// Which flows a --from / --to pair selects: those whose start is in [from, to).
struct TimeWindow {
    std::optional<std::int64_t> from_ns;  ///< inclusive
    std::optional<std::int64_t> to_ns;    ///< exclusive

    [[nodiscard]] bool unbounded() const noexcept { return !from_ns && !to_ns; }
    /// A record without a start time is outside any bounded window (it cannot be placed).
    [[nodiscard]] bool contains(const FlowRecord& flow) const noexcept {
        if (unbounded()) return true;
        if (!flow.start_ns) return false;
        return (!from_ns || *flow.start_ns >= *from_ns) && (!to_ns || *flow.start_ns < *to_ns);
    }
};

}  // namespace nfpcap::analyze
