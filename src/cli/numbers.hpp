// SPDX-License-Identifier: MIT
// Numeric options checked when parsed, so converting them can never overflow (wire/saturating.hpp).
#pragma once
#include <cmath>
#include <string>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "nfpcap/wire/saturating.hpp"

namespace nfpcap::cli {

/// A length of time in seconds: a finite number from `min` (above it with `open_min`) to
/// 9.2e9 s (292 years, what int64 nanoseconds hold), else a usage error saying the range.
inline CLI::Validator seconds_range(double min = 0, bool open_min = false) {
    return CLI::Validator(
        [min, open_min](std::string& text) -> std::string {
            double v = 0;
            if (!CLI::detail::lexical_cast(text, v)) return fmt::format("{}: not a number of seconds", text);
            if (!std::isfinite(v) || (open_min ? v <= min : v < min) || !wire::seconds_to_ns(v, min)) {
                return fmt::format("{}: out of range ({} {} to 9.2e9 seconds, 292 years)", text,
                                   open_min ? "above" : "from", min);
            }
            return {};
        },
        "", "SECONDS");
}

}  // namespace nfpcap::cli
