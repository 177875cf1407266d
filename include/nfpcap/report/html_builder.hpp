// SPDX-License-Identifier: MIT
// `nfpcap report`: the HTML report's model filled from a run, by the same aggregators the text
// commands use (the connection table, analyze::TopTable, analyze::Timeline, the sessions).
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "nfpcap/analyze/connections.hpp"
#include "nfpcap/analyze/flow_sink.hpp"
#include "nfpcap/analyze/timeline.hpp"
#include "nfpcap/analyze/top.hpp"
#include "nfpcap/pipeline/run.hpp"
#include "nfpcap/report/html_report.hpp"

namespace nfpcap::report {

struct HtmlBuildOptions {
    analyze::ConnectionOptions connections;
    /// Which flow records the report looks at (the -Y filter and --from/--to); null: all.
    std::function<bool(const analyze::FlowRecord&)> accept;
    bool renormalize = false;      ///< counters times the exporter's sampling interval
    std::size_t top_entries = 25;  ///< rows kept per top list
    std::size_t issue_frames = 100;
    /// What the timeline charts stack: analyze::TimelineGroup::proto or ::service.
    analyze::TimelineGroup timeline_group = analyze::TimelineGroup::proto;
};

/// A pipeline consumer that gathers what the page shows as the run goes: flows into the
/// connection table, the top lists and the timeline points; per message, each session's
/// sequence loss and the frames where its issues were found. Memory: the connection table, the
/// top tables' keys, and one 48-byte point per timed flow (the timeline's interval is chosen
/// once the time range is known). The timeline is one chart of all exporters, and one per
/// exporter when there are several.
class HtmlReportBuilder final : public pipeline::Consumer {
public:
    explicit HtmlReportBuilder(HtmlBuildOptions options);

    void on_record(const netflow::DataRecord& record) override { flows_.on_record(record); }
    void on_message(const source::Message& message, const session::ProcessResult& result) override;

    /// The model, after the run. `names`: host names (resolved by the caller for the
    /// addresses `addresses_to_name()` lists).
    [[nodiscard]] HtmlReportData finish(const pipeline::RunResult& run, const session::SessionTable& sessions,
                                        const analyze::NameMap& names);

    /// The connections, largest by bytes first, as `finish` will show them (call once, after
    /// the run and before finish).
    [[nodiscard]] const std::deque<analyze::Connection>& connections();
    /// The addresses worth a name: both ends of the first `max_rows` connections by bytes, and
    /// the hosts of the top list (by the connections they are in).
    [[nodiscard]] std::vector<wire::IpAddress> addresses_to_name(std::size_t max_rows);

    [[nodiscard]] std::uint64_t rejected() const noexcept { return rejected_; }

private:
    struct FlowPoint {
        std::int64_t start_ns, end_ns;
        std::uint64_t packets, bytes;  // both directions
        std::uint32_t exporter;        // index into exporter_names_
        std::uint16_t src_port, dst_port;
        std::uint8_t protocol;
        std::uint8_t icmp_type;
        bool has_icmp_type;
    };
    struct SessionSeries {
        session::Counters before;
        std::vector<HtmlLossPoint> loss;
        std::map<std::string, std::vector<std::uint64_t>> frames;
    };
    void add_flow(const analyze::FlowRecord& flow);
    [[nodiscard]] std::vector<HtmlTimeline> timelines() const;
    [[nodiscard]] HtmlTimeline timeline(std::string title, std::optional<std::uint32_t> exporter,
                                        const analyze::TimelineOptions& window) const;
    // Worked out once (both addresses_to_name and finish ask).
    [[nodiscard]] const std::vector<std::pair<wire::IpAddress, HtmlCounts>>& top_hosts();
    void add_pending();

    HtmlBuildOptions options_;
    analyze::FlowSink flows_;
    analyze::ConnectionTable table_;
    static constexpr std::size_t kPendingFlows = 4096;
    std::vector<analyze::FlowRecord> pending_;  // not in table_ yet
    std::optional<std::vector<std::pair<wire::IpAddress, HtmlCounts>>> top_hosts_;
    analyze::TopTable services_, protocols_, exporters_;
    std::size_t host_count_ = 0;
    std::vector<FlowPoint> points_;
    std::map<wire::Endpoint, std::uint32_t> exporter_index_;
    std::vector<wire::Endpoint> exporter_names_;
    std::map<std::size_t, SessionSeries> series_;  // by session index
    std::deque<analyze::Connection> connections_;
    bool finished_table_ = false;
    std::uint64_t rejected_ = 0;
};

}  // namespace nfpcap::report
