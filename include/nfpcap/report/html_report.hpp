// SPDX-License-Identifier: MIT
// `nfpcap report`: one self-contained HTML page (inline CSS, SVG charts, script) from a plain data model.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nfpcap/analyze/connections.hpp"
#include "nfpcap/analyze/hosts_file.hpp"
#include "nfpcap/report/output.hpp"
#include "nfpcap/report/run_summary.hpp"
#include "nfpcap/session/session_table.hpp"

namespace nfpcap::report {

// The model below is plain data: strings are shown as given (the writer HTML-escapes every one
// of them, and replaces bytes that are not UTF-8), numbers are raw counts, times are Unix
// nanoseconds. Nothing in it refers back to the decoder, so it can be filled from `stats`,
// the `top` and `timeline` aggregators and the connection table, or by hand in tests.
// The writer bounds what it draws (see HtmlReportOptions), so the model may be as large as
// the capture: it never writes one element per record.

/// One named reason with its count: netflow::Reason or capture::FrameIssue by their stable
/// names (the keys of `stats --format json`).
struct HtmlReasonCount {
    std::string name;         ///< "missing_template"
    std::string description;  ///< netflow::describe(), one line
    std::uint64_t count = 0;
    bool loses_data = true;  ///< false for anomalies: the data was decoded all the same
};

/// One capture file that was read.
struct HtmlCaptureFile {
    std::string name;
    std::string link_type;  ///< "EN10MB"
    std::uint64_t frames = 0;
    std::string error;  ///< why reading stopped early; empty when read to the end
};

/// The summary section: what was read, and what could not be decoded.
struct HtmlSummary {
    std::vector<HtmlCaptureFile> files;
    std::optional<std::int64_t> first_ns, last_ns;  ///< time range of the flows (else of the capture)
    std::uint64_t exporters = 0;                    ///< distinct exporter addresses
    std::uint64_t sessions = 0;                     ///< exporter sessions (transport + domain)
    std::uint64_t frames = 0;
    // Datagram accounting, as `stats` has it: udp = not_export + export + session_limit,
    // export = decoded + partial + malformed.
    std::uint64_t udp_datagrams = 0, not_export_datagrams = 0, export_datagrams = 0;
    std::uint64_t decoded_datagrams = 0, partial_datagrams = 0, malformed_datagrams = 0;
    std::uint64_t session_limit_datagrams = 0;
    std::uint64_t data_records = 0, options_records = 0, template_records = 0;
    std::uint64_t missing_template_sets = 0;  ///< data sets before their template
    std::uint64_t sequence_gaps = 0, sequence_missing = 0;
    std::uint64_t flows = 0;                    ///< flow records analysed (after the filter)
    std::uint64_t connections = 0;              ///< connections they make
    std::uint64_t packets = 0, bytes = 0;       ///< over those flows, both directions
    std::vector<HtmlReasonCount> reasons;       ///< decode issues; zero counts are not shown
    std::vector<HtmlReasonCount> frame_issues;  ///< capture-level issues (capture::FrameIssue)
};

/// Packets, bytes and flows of one group in one interval.
struct HtmlCounts {
    std::uint64_t flows = 0, packets = 0, bytes = 0;
};

/// One interval of a timeline.
struct HtmlTimelineBucket {
    std::int64_t start_ns = 0;
    std::vector<HtmlCounts> groups;  ///< indexed like HtmlTimeline::groups (shorter: the rest are 0)
};

/// One timeline chart: equal intervals, each split by group (protocol or service). The filler
/// decides how a flow is spread over the intervals it spans; the writer draws what it is given.
/// Any number of buckets and groups: the writer merges neighbouring intervals down to
/// `max_timeline_buckets` and the smallest groups into "other".
struct HtmlTimeline {
    std::string title;                         ///< "All exporters", or one exporter "192.0.2.1:2055"
    std::string group_by = "protocol";         ///< what the groups are, for the legend
    std::int64_t interval_ns = 1'000'000'000;  ///< width of every bucket
    std::vector<std::string> groups;           ///< group names, in stacking order (first at the bottom)
    std::vector<HtmlTimelineBucket> buckets;   ///< ascending start; intervals without traffic may be left out
};

/// One line of a top list.
struct HtmlTopEntry {
    std::string key;  ///< host ("name (addr)" or "addr") or service ("https (tcp/443)")
    std::uint64_t flows = 0, packets = 0, bytes = 0;
    double share = 0;  ///< of all bytes, 0 to 1
};

/// One top list, largest first (the writer keeps the first `max_top_entries`).
struct HtmlTopList {
    std::string title;                ///< "Hosts by bytes sent and received"
    std::string key_heading = "Key";  ///< column heading of HtmlTopEntry::key
    std::vector<HtmlTopEntry> entries;
    std::uint64_t total_keys = 0;  ///< keys there are in all (0: entries.size())
};

/// Sequence loss of a session near one time: what the gaps found there skipped.
struct HtmlLossPoint {
    std::int64_t time_ns = 0;
    std::uint64_t missing = 0;  ///< records (v5, IPFIX) or packets (v9) missing by sequence number
};

/// Issues of one reason in one session, with the frames where they were found.
struct HtmlIssueFrames {
    std::string reason;  ///< stable name, "missing_template"
    std::string description;
    std::uint64_t count = 0;
    bool loses_data = true;
    std::vector<std::uint64_t> frames;  ///< first frames it was found in (the writer shows a few)
};

/// One exporter session (the rows of `stats`), with its loss series and issues.
struct HtmlExporterRow {
    std::string exporter;   ///< "192.0.2.1:2055"
    std::string collector;  ///< "192.0.2.9:2055"
    std::uint16_t version = 0;
    std::uint32_t domain = 0;
    std::string description;  ///< what the exporter says of itself (options data), may be empty
    std::uint64_t first_frame = 0, last_frame = 0;
    std::optional<std::int64_t> first_ns, last_ns;
    std::uint64_t datagrams = 0, decoded_datagrams = 0, partial_datagrams = 0, malformed_datagrams = 0;
    std::uint64_t data_records = 0, options_records = 0;
    std::uint64_t template_records = 0, options_template_records = 0;
    std::uint64_t templates = 0;  ///< templates held at the end
    std::uint64_t sequence_gaps = 0, sequence_missing = 0;
    std::uint64_t missing_template_sets = 0;   ///< data sets that came before their template
    std::uint64_t late_records = 0;            ///< records decoded only once their template came (0 if not kept)
    std::vector<HtmlLossPoint> sequence_loss;  ///< ascending time; any number (the writer bins them)
    std::vector<HtmlIssueFrames> issues;       ///< undecodable data and anomalies, by reason
};

/// One connection: the fields of the JSON connection table (`nfpcap --format json`).
struct HtmlConnectionRow {
    std::optional<std::int64_t> start_ns, end_ns;  ///< none when the records carried no times
    std::uint8_t protocol = 0;
    std::string service;         ///< report::service_of(); may be empty
    std::string client, server;  ///< addresses as text
    std::uint16_t client_port = 0, server_port = 0;
    bool has_ports = true;                 ///< TCP, UDP, SCTP, UDP-Lite: ports are shown
    std::string client_name, server_name;  ///< resolved names, empty when none
    std::uint64_t packets_to_server = 0, packets_to_client = 0;
    std::uint64_t bytes_to_server = 0, bytes_to_client = 0;
    std::uint32_t records = 0;
    std::string direction_rule;  ///< analyze::name(DirectionRule): "syn", "icmp", "start", "port"
    bool one_way = false;
    std::string exporter;

    [[nodiscard]] std::uint64_t bytes() const noexcept { return bytes_to_server + bytes_to_client; }
};

/// One field of a template.
struct HtmlTemplateField {
    std::string name;  ///< IANA name, "scope:name" or "PEN.ID"
    std::uint16_t id = 0;
    std::uint32_t pen = 0;
    std::uint16_t length = 0;  ///< bytes; netflow::kVariableLength (65535) for variable length
    bool scope = false;
    bool length_mismatch = false;  ///< a length that does not fit the element's type
};

/// One template of a session.
struct HtmlTemplateRow {
    std::uint16_t id = 0;
    bool options = false;
    std::uint32_t record_length = 0;  ///< minimum record length
    bool fixed_length = true;
    std::uint64_t frame = 0;  ///< frame that defined it (the last definition)
    std::vector<HtmlTemplateField> fields;
};

/// The templates of one exporter session.
struct HtmlTemplateSession {
    std::string exporter, collector;
    std::uint16_t version = 0;
    std::uint32_t domain = 0;
    std::vector<HtmlTemplateRow> templates;  ///< ascending id
};

/// Everything the page shows, section by section.
struct HtmlReportData {
    std::string title = "NetFlow / IPFIX capture report";
    std::string generator = "nfpcap";  ///< program and version, shown in the page footer
    std::string command;               ///< the command line that made it, shown in the header
    std::string filter;                ///< the display filter (-Y) applied, empty for none
    HtmlSummary summary;
    std::vector<HtmlTimeline> timelines;  ///< one chart each (all exporters together, or one per exporter)
    std::vector<HtmlTopList> top_talkers;
    std::vector<HtmlTopList> top_services;
    std::vector<HtmlExporterRow> exporters;
    /// Any number of rows: the writer shows the `max_connections` largest by bytes (in the order
    /// given) and says how many of how many are shown.
    std::vector<HtmlConnectionRow> connections;
    std::uint64_t connections_total = 0;  ///< connections found, if more than given (0: connections.size())
    std::vector<HtmlTemplateSession> templates;
};

/// What the writer draws at most, so that the page stays small and quick for any capture.
struct HtmlReportOptions {
    bool local_time = false;                 ///< times in local time instead of UTC
    std::size_t max_connections = 2000;      ///< rows of the connection table
    std::size_t max_timeline_buckets = 240;  ///< intervals drawn per chart (neighbours are merged)
    std::size_t max_timeline_groups = 8;     ///< stacked groups per chart, "other" included
    std::size_t max_timelines = 12;          ///< timeline charts (the rest are named, not drawn)
    std::size_t max_top_entries = 25;        ///< lines per top list
    std::size_t max_exporters = 500;         ///< exporter rows (the most datagrams first)
    std::size_t max_loss_points = 60;        ///< bars per sequence-loss chart
    std::size_t max_issue_frames = 12;       ///< frame numbers listed per issue
    std::size_t max_template_sessions = 100;
    std::size_t max_template_fields = 20000;  ///< field rows in the templates section, all sessions together
};

/// Writes the whole page to `out` (and flushes it).
void write_html_report(Output& out, const HtmlReportData& data, const HtmlReportOptions& options = {});

// Filling helpers: the model rows made from what the library already has.

/// A connection as the JSON connection table has it; names from `names` when there.
HtmlConnectionRow html_connection_row(const analyze::Connection& c, const analyze::NameMap& names);
/// A session's counters, templates held and issue counts (no loss series, no issue frames:
/// those need the decode callbacks).
HtmlExporterRow html_exporter_row(const session::Session& s);
/// A session's templates as its state holds them at the end.
HtmlTemplateSession html_template_session(const session::Session& s);
/// Files, frame and datagram accounting, record counts and reasons (the time range, flows,
/// connections, packets and bytes are the filler's).
HtmlSummary html_summary(const std::vector<FileSummary>& files, const session::SessionTable& sessions);

}  // namespace nfpcap::report
