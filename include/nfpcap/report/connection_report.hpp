// SPDX-License-Identifier: MIT
// The connection table: aligned text, JSON lines or CSV, and its footer.
#pragma once
#include <map>
#include <set>
#include <string>
#include <unordered_map>

#include "nfpcap/analyze/hosts_file.hpp"
#include "nfpcap/analyze/resolver.hpp"
#include "nfpcap/analyze/selection.hpp"
#include "nfpcap/report/losses.hpp"
#include "nfpcap/report/output.hpp"

namespace nfpcap::report {

using NameMap = analyze::NameMap;

struct ConnectionReportOptions {
    Format format = Format::text;
    bool local_time = false;
    std::uint64_t min_packets = 10;  ///< echoed in the footer's hint
    bool exporter_column = false;    ///< text: an Exporter column (several exporters in the input)
    /// Counters were renormalized (--renormalize): connections with records sampled at an
    /// unknown rate get their packet counts marked `~` in the text table.
    bool renormalized = false;
    /// Rows only (-q): no column header or footer in text (CSV keeps its header row). What the
    /// footer would say of skipped rows and losses goes to standard error, as for JSON and CSV.
    bool quiet = false;
};

/// What the footer says beside the table.
struct ConnectionFooter {
    std::size_t connections = 0;  ///< all connections found
    std::size_t one_way = 0;      ///< of those, seen in one direction only
    std::uint64_t records = 0;    ///< flow records analysed
    std::uint64_t keyless = 0;    ///< data records without a flow key (FlowSink::keyless): in no connection
    std::optional<std::int64_t> first_ns, last_ns;
    std::set<wire::Endpoint> exporters;
    std::vector<Loss> losses;                                 ///< what the run lost (report::losses), named last
    std::string stats_hint;                                   ///< the `nfpcap stats ...` command to suggest
    std::optional<analyze::ResolverStats> dns;                ///< what reverse DNS did (none: not asked)
    std::map<std::uint32_t, std::uint64_t> sampling_records;  ///< flow records by sampling interval
    std::uint64_t unknown_sampling_records = 0;               ///< sampled at a rate nothing announced
    // Connections the hostile-number rules changed (analyze::Connection's flags).
    std::size_t saturated = 0, reversed = 0, time_clamped = 0;
};

/// "512", "4.25K", "42.5M", "425G" (powers of 1024).
std::string human_size(std::uint64_t bytes);
/// "0.3 sec" (tenths below a second), "3 sec", "15:27 min", "1:23:09 h".
std::string human_duration(std::int64_t ns);
/// TCP flags as nfdump prints them: `UAPRSF` with `.` for each flag not set (".AP.SF").
std::string tcp_flag_letters(std::uint8_t flags);
/// The service column: ICMP type name, else the server's (then the client's) port name.
std::string service_of(const analyze::Connection& c);

void write_connections(Output& out, const analyze::Selection& selection, const ConnectionFooter& footer,
                       const NameMap& names, const ConnectionReportOptions& options);

/// `connections --follow`: some rows as their connections complete, written at once. `header`
/// adds the column titles (text) or the header row (CSV) first; text columns have fixed widths,
/// since later rows are not known (a longer value widens its own row only).
void write_connection_rows(Output& out, const analyze::Selection& rows, const NameMap& names,
                           const ConnectionReportOptions& options, bool header);
/// The text footer alone, after the last rows of --follow (nothing for JSON and CSV): `shown`
/// rows in all, `skipped` the counts of what the selections left out.
void write_connection_footer(Output& out, std::size_t shown, const analyze::Selection& skipped,
                             const ConnectionFooter& footer, const ConnectionReportOptions& options);

}  // namespace nfpcap::report
