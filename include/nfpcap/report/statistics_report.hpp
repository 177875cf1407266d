// SPDX-License-Identifier: MIT
// Output of the statistics commands: top-N tables and timelines as text or JSON lines.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nfpcap/analyze/hosts_file.hpp"
#include "nfpcap/analyze/resolver.hpp"
#include "nfpcap/analyze/timeline.hpp"
#include "nfpcap/analyze/top.hpp"
#include "nfpcap/report/format.hpp"
#include "nfpcap/report/losses.hpp"
#include "nfpcap/report/output.hpp"

namespace nfpcap::report {

struct StatisticsReportOptions {
    Format format = Format::text;  ///< text, json or csv
    bool local_time = false;
    /// Rows only (-q, as nfdump -q): no title, column header or footer in text, no total object
    /// in JSON lines; CSV keeps its header row.
    bool quiet = false;
    std::uint64_t filtered_out = 0;  ///< records the filter or the time window left out
    std::vector<Loss> losses;        ///< what the run lost (report::losses): the text footer names it
    std::string stats_hint;          ///< the `nfpcap stats ...` command to suggest with them
};

/// Names of the hosts a top table's rows are (srcip, dstip, ip, exporter), and what DNS did.
struct TopNames {
    analyze::NameMap names;
    std::optional<analyze::ResolverStats> dns;  ///< none: not asked (-n, or keys that are not hosts)
};

/// Text: a title, one aligned row per key with shares of the totals (a named host as `name
/// (address)`), a totals line, what DNS did. JSON lines: one object per row (`rank`, `key`,
/// for host keys `name` (null when none), `flows`, `packets`, `bytes`, `first`, `last`,
/// `saturated`), then one `"kind":"total"` object naming the statistic. CSV: the same columns
/// with the shares in percent.
void write_top(Output& out, const analyze::TopResult& result, const StatisticsReportOptions& options,
               const TopNames& names);

/// Text: one row per interval (and group): start, flows, packets, bytes; then what was outside.
/// JSON lines: one object per interval (`start`, `flows`, `packets`, `bytes`, `saturated`, and
/// with groups `groups`: each group's counters by its label), then one `"kind":"total"` object.
/// CSV: one row per interval and group (`start`, `group`, counters).
void write_timeline(Output& out, const analyze::TimelineResult& result, const StatisticsReportOptions& options);

}  // namespace nfpcap::report
