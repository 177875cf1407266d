// SPDX-License-Identifier: MIT
// Flows, packets and bytes per time interval (tshark -z io,stat), optionally per group.
#pragma once
#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nfpcap/analyze/flow.hpp"
#include "nfpcap/analyze/saturating.hpp"

namespace nfpcap::analyze {

enum class TimelineGroup : std::uint8_t { none, proto, exporter, service };
/// `none`, `proto`, `exporter` or `service`; an error message, or nullopt with `out` set.
std::optional<std::string> parse_timeline_group(std::string_view text, TimelineGroup& out);

struct TimelineOptions {
    std::int64_t interval_ns = 1'000'000'000;  ///< > 0
    TimelineGroup group = TimelineGroup::none;
    /// The window. With from_ns, intervals start at from_ns + k * interval_ns; without, at
    /// multiples of interval_ns since 1970. With both bounds the window is [from_ns, to_ns) and
    /// fixed. Otherwise it follows the records: it starts at the first timed record's interval
    /// and grows both ways as records come, up to max_intervals (so records far from the first
    /// ones, such as bogus 1970 times, fall outside once the window is full; from/to choose).
    /// The caller filters records by a TimeWindow first if from/to should also select them.
    std::optional<std::int64_t> from_ns, to_ns;
    /// At most this many intervals. What a record has outside the window (before it, after it,
    /// or beyond the limit) is counted as `outside`, never dropped.
    std::size_t max_intervals = 100'000;
    /// Groups kept; records of later groups go to one "other" group.
    std::size_t max_groups = 32;
    bool renormalize = false;  ///< multiply counters by the record's sampling interval
};

/// Counters of one interval, one group, or a whole class of records. Sums saturate at 2^64-1.
struct TimelineCounters {
    std::uint64_t flows = 0, packets = 0, bytes = 0;
    bool saturated = false;
};

struct TimelineSeries {
    std::string label;  ///< "all", a protocol, an exporter, a service, or "other"
    std::vector<TimelineCounters> intervals;
    TimelineCounters total;  ///< what this group has inside the window
};

struct TimelineResult {
    std::int64_t interval_ns = 0;
    std::int64_t first_start_ns = 0;  ///< start of the first interval (clamped to int64)
    std::int64_t origin_ns = 0;       ///< intervals start at origin_ns + k * interval_ns
    Int128 first_index = 0;           ///< k of the first interval
    std::size_t intervals = 0;
    std::vector<TimelineSeries> series;  ///< groups in order of first sight ("other" last)
    TimelineCounters totals;             ///< every record added
    TimelineCounters untimed;            ///< records without times (in no interval)
    TimelineCounters outside;            ///< parts of records outside the window
    std::uint64_t reversed = 0;          ///< records ending before they start (counted at their start)
    bool window_limited = false;         ///< max_intervals stopped the window from growing
    bool groups_limited = false;         ///< max_groups was reached ("other" has the rest)

    /// Start of interval `i`, clamped to the int64 range.
    [[nodiscard]] std::int64_t interval_start(std::size_t i) const noexcept;
};

/// Flows are counted in the interval where they start. Packets and bytes (both directions of a
/// biflow record) of a record lasting
/// several intervals are spread over them in proportion to the time it spent in each, by exact
/// integer arithmetic (largest remainder, ties to the earlier interval), so a record's parts add
/// up to its counters exactly. A record without duration (or ending before it starts) counts in
/// its start interval. Each record costs O(1) (difference arrays), whatever its span; memory is
/// intervals x groups x 48 bytes.
class Timeline {
public:
    /// Throws std::invalid_argument for interval_ns <= 0, from >= to, or a from/to window of more
    /// than max_intervals intervals (setup errors the CLI reports as usage errors).
    explicit Timeline(TimelineOptions options);

    void add(const FlowRecord& flow);
    [[nodiscard]] TimelineResult result() const;

private:
    struct Cell {
        std::uint64_t flows = 0;
        Int128 packets = 0;  // difference arrays: a value holds from here on
        Int128 bytes = 0;
    };
    struct Group {
        std::string label;
        std::deque<Cell> cells;  // window size + 1 (the last is where ranges end)
    };
    std::size_t group_of(const FlowRecord& flow);
    void cover(Int128 first, Int128 last);
    void spread(Group& g, Int128 first_bin, Int128 last_bin, std::int64_t start, std::int64_t end, std::uint64_t value,
                bool bytes);
    void range_add(Group& g, Int128 from, Int128 to, Int128 value, bool bytes);

    TimelineOptions options_;
    Int128 origin_ = 0;
    bool fixed_ = false;  // from/to given: the window never moves
    bool have_window_ = false;
    Int128 lo_ = 0, hi_ = -1;  // bins [lo_, hi_]
    std::vector<Group> groups_;
    std::vector<std::array<std::uint8_t, 20>> keys_;  // of groups_[i], "other" excluded
    std::optional<std::size_t> other_;
    TimelineCounters totals_, untimed_;
    UInt128 outside_packets_ = 0, outside_bytes_ = 0;
    std::uint64_t outside_flows_ = 0;
    std::uint64_t reversed_ = 0;
    bool window_limited_ = false;
    bool saturated_ = false;
};

}  // namespace nfpcap::analyze
