// SPDX-License-Identifier: MIT
// The HTML report's model from a run: what the consumer gathered, then the aggregators' results
// turned into the model's plain rows.
#include "nfpcap/report/html_builder.hpp"

#include <algorithm>
#include <limits>
#include <set>
#include <span>

#include <fmt/format.h>

#include "nfpcap/analyze/saturating.hpp"

namespace nfpcap::report {

namespace {

constexpr std::int64_t kMs = 1'000'000;
constexpr std::int64_t kSec = 1000 * kMs;

analyze::TopOptions top_options(analyze::TopField field, const HtmlBuildOptions& o) {
    analyze::TopOptions t;
    t.key.field = field;
    t.order = analyze::TopOrder::bytes;
    t.count = o.top_entries;
    t.renormalize = o.renormalize;
    return t;
}

// A round interval giving at most about 100 intervals over `span` (the writer merges
// neighbours further if it must).
std::int64_t interval_for(std::uint64_t span) {
    for (std::int64_t i : {10 * kMs, 50 * kMs, 100 * kMs, 500 * kMs, kSec, 5 * kSec, 10 * kSec, 30 * kSec, 60 * kSec,
                           300 * kSec, 600 * kSec, 1800 * kSec, 3600 * kSec, 6 * 3600 * kSec}) {
        if (span / static_cast<std::uint64_t>(i) <= 100) return i;
    }
    // Longer than 100 days (hostile times reach 584 years): about 100 intervals still, so the
    // window stays within its interval limit (analyze::Timeline throws past it).
    const std::uint64_t wide = span / 100 + 1;
    return std::max<std::int64_t>(86400 * kSec, static_cast<std::int64_t>(std::min<std::uint64_t>(wide, INT64_MAX)));
}

// The k-th smallest of `values` (0 <= k < size), reordering them.
std::int64_t nth(std::vector<std::int64_t>& values, std::size_t k) {
    std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
    return values[k];
}

std::string host_text(const wire::IpAddress& a, const analyze::NameMap& names) {
    auto found = names.find(a);
    const std::string addr = wire::to_string(a);
    return found == names.end() ? addr : fmt::format("{} ({})", found->second, addr);
}

HtmlTopList top_list(std::string title, std::string heading, const analyze::TopResult& result) {
    HtmlTopList list;
    list.title = std::move(title);
    list.key_heading = std::move(heading);
    list.total_keys = result.keys;
    for (const auto& row : result.rows) {
        HtmlTopEntry e;
        e.key = analyze::key_text(result.key, row);
        e.flows = row.counters.flows;
        e.packets = row.counters.packets;
        e.bytes = row.counters.bytes;
        e.share = result.totals.bytes ? static_cast<double>(e.bytes) / static_cast<double>(result.totals.bytes) : 0;
        list.entries.push_back(std::move(e));
    }
    return list;
}

// Client <-> server pairs of the connections, by bytes.
HtmlTopList conversations(const std::vector<HtmlConnectionRow>& rows, std::size_t keep) {
    std::map<std::string, HtmlTopEntry> by_pair;
    std::uint64_t total = 0;
    for (const auto& c : rows) {
        const std::string client = c.client_name.empty() ? c.client : c.client_name;
        const std::string server = c.server_name.empty() ? c.server : c.server_name;
        auto& e = by_pair[fmt::format("{} \u2194 {}", client, server)];
        ++e.flows;
        e.packets += c.packets_to_server + c.packets_to_client;
        e.bytes += c.bytes();
        total += c.bytes();
    }
    HtmlTopList list;
    list.title = "Conversations by bytes";
    list.key_heading = "Client \u2194 server";
    list.total_keys = by_pair.size();
    // The most bytes first, ties in key order; only the kept ones are copied out.
    std::vector<std::pair<const std::string, HtmlTopEntry>*> order;
    order.reserve(by_pair.size());
    for (auto& pair : by_pair) order.push_back(&pair);
    const std::size_t shown = std::min(keep, order.size());
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(shown), order.end(),
                      [](const auto* a, const auto* b) {
                          return a->second.bytes != b->second.bytes ? a->second.bytes > b->second.bytes
                                                                    : a->first < b->first;
                      });
    for (std::size_t i = 0; i < shown; ++i) {
        HtmlTopEntry e = order[i]->second;
        e.key = order[i]->first;
        e.share = total ? static_cast<double>(e.bytes) / static_cast<double>(total) : 0;
        list.entries.push_back(std::move(e));
    }
    return list;
}

}  // namespace

HtmlReportBuilder::HtmlReportBuilder(HtmlBuildOptions options)
    : options_(std::move(options)),
      flows_([this](const analyze::FlowRecord& flow) { add_flow(flow); }),
      table_(options_.connections),
      services_(top_options(analyze::TopField::service, options_)),
      protocols_(top_options(analyze::TopField::proto, options_)),
      exporters_(top_options(analyze::TopField::exporter, options_)) {}

void HtmlReportBuilder::add_flow(const analyze::FlowRecord& flow) {
    if (options_.accept && !options_.accept(flow)) {
        ++rejected_;
        return;
    }
    // The table takes records in batches (its index lookups overlap), in order.
    pending_.push_back(flow);
    if (pending_.size() >= kPendingFlows) add_pending();
    services_.add(flow);
    protocols_.add(flow);
    exporters_.add(flow);
    if (!flow.start_ns) return;
    const std::uint64_t scale = options_.renormalize ? std::max<std::uint32_t>(flow.sampling, 1) : 1;
    bool saturated = false;
    const std::uint64_t packets =
        analyze::sat_mul(analyze::sat_add(flow.packets, flow.rev_packets, saturated), scale, saturated);
    const std::uint64_t bytes =
        analyze::sat_mul(analyze::sat_add(flow.bytes, flow.rev_bytes, saturated), scale, saturated);
    auto [it, added] = exporter_index_.try_emplace(flow.exporter, static_cast<std::uint32_t>(exporter_names_.size()));
    if (added) exporter_names_.push_back(flow.exporter);
    points_.push_back({*flow.start_ns, flow.end_ns.value_or(*flow.start_ns), packets, bytes, it->second, flow.src_port,
                       flow.dst_port, flow.protocol, flow.icmp_type.value_or(0), flow.icmp_type.has_value()});
}

void HtmlReportBuilder::add_pending() {
    table_.add(std::span<const analyze::FlowRecord>(pending_));
    pending_.clear();
}

void HtmlReportBuilder::on_message(const source::Message& message, const session::ProcessResult& result) {
    if (result.session == nullptr) return;
    const session::Session& s = *result.session;
    SessionSeries& series = series_[s.index];
    session::Counters& old = series.before;
    if (s.counters.sequence_missing > old.sequence_missing) {
        series.loss.push_back({message.time_ns, s.counters.sequence_missing - old.sequence_missing});
    }
    for (std::size_t i = 0; i < netflow::kReasonCount; ++i) {
        if (s.counters.reasons[i] <= old.reasons[i]) continue;
        auto& frames = series.frames[std::string(netflow::name(static_cast<netflow::Reason>(i)))];
        if (frames.size() < options_.issue_frames) frames.push_back(message.frame);
    }
    old = s.counters;
}

const std::deque<analyze::Connection>& HtmlReportBuilder::connections() {
    if (!finished_table_) {
        add_pending();
        const analyze::ConnectionList all = table_.finish();
        // Sorted in the compact list (indices), then made in that order.
        std::vector<std::uint32_t> order(all.size());
        for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
        std::stable_sort(order.begin(), order.end(),
                         [&all](std::uint32_t a, std::uint32_t b) { return all.total_bytes(a) > all.total_bytes(b); });
        for (const std::uint32_t i : order) connections_.push_back(all[i]);
        finished_table_ = true;
    }
    return connections_;
}

std::vector<wire::IpAddress> HtmlReportBuilder::addresses_to_name(std::size_t max_rows) {
    std::set<wire::IpAddress> wanted;
    const auto& all = connections();
    for (std::size_t i = 0; i < all.size() && i < max_rows; ++i) {
        wanted.insert(all[i].client.addr);
        wanted.insert(all[i].server.addr);
    }
    for (const auto& [addr, counts] : top_hosts()) wanted.insert(addr);
    return {wanted.begin(), wanted.end()};
}

// Each host's connections, packets and bytes (both directions; a connection from a host to
// itself counts once), the most bytes first; ties by address.
const std::vector<std::pair<wire::IpAddress, HtmlCounts>>& HtmlReportBuilder::top_hosts() {
    if (top_hosts_) return *top_hosts_;
    std::map<wire::IpAddress, HtmlCounts> by_host;
    for (const auto& c : connections()) {
        for (const auto* a : {&c.client.addr, &c.server.addr}) {
            if (a == &c.server.addr && c.server.addr == c.client.addr) break;
            auto& h = by_host[*a];
            bool saturated = false;
            ++h.flows;
            h.packets = analyze::sat_add(h.packets, c.total_packets(), saturated);
            h.bytes = analyze::sat_add(h.bytes, c.total_bytes(), saturated);
        }
    }
    host_count_ = by_host.size();
    // The most bytes first, ties by address (the map's order); only the kept ones copied out.
    std::vector<const std::pair<const wire::IpAddress, HtmlCounts>*> order;
    order.reserve(by_host.size());
    for (const auto& host : by_host) order.push_back(&host);
    const std::size_t shown = std::min(options_.top_entries, order.size());
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(shown), order.end(),
                      [](const auto* a, const auto* b) {
                          return a->second.bytes != b->second.bytes ? a->second.bytes > b->second.bytes
                                                                    : a->first < b->first;
                      });
    auto& hosts = top_hosts_.emplace();
    for (std::size_t i = 0; i < shown; ++i) hosts.emplace_back(order[i]->first, order[i]->second);
    return hosts;
}

// The window of every chart: the range of the flows' starts and ends without the outermost
// 0.1% on each side, so that a few records with bogus times (1970, or years ahead) do not
// squeeze the traffic into one bar; what falls outside is left out of the charts (the summary
// still counts it). About 100 round intervals.
std::vector<HtmlTimeline> HtmlReportBuilder::timelines() const {
    if (points_.empty()) return {};
    std::vector<std::int64_t> starts, ends;
    starts.reserve(points_.size());
    ends.reserve(points_.size());
    for (const auto& p : points_) {
        starts.push_back(p.start_ns);
        ends.push_back(std::max(p.start_ns, p.end_ns));
    }
    const std::size_t trim = points_.size() / 1000;
    const std::int64_t lo = nth(starts, trim);
    const std::int64_t hi = std::max(lo, nth(ends, ends.size() - 1 - trim));
    const std::int64_t interval = interval_for(analyze::span_ns(lo, hi));
    analyze::TimelineOptions window;
    window.interval_ns = interval;
    window.group = options_.timeline_group;
    // [from, to): whole intervals from the one holding `lo` to the one holding `hi`, clamped to
    // the int64 range (a range at the very end loses its last nanosecond).
    const analyze::Int128 first = analyze::Int128{lo} - ((analyze::Int128{lo} % interval) + interval) % interval;
    const analyze::Int128 last = first + ((analyze::Int128{hi} - first) / interval + 1) * interval;
    constexpr analyze::Int128 kMax = std::numeric_limits<std::int64_t>::max();
    constexpr analyze::Int128 kMin = std::numeric_limits<std::int64_t>::min();
    window.from_ns = static_cast<std::int64_t>(std::max(first, kMin));
    window.to_ns = static_cast<std::int64_t>(std::min(last, kMax));
    // Everything at the last nanosecond: the window must still hold it (from < to).
    if (*window.to_ns <= *window.from_ns) window.from_ns = *window.to_ns - 1;
    window.max_intervals = 1000;
    window.max_groups = 16;

    std::vector<HtmlTimeline> charts;
    charts.push_back(timeline("All exporters", std::nullopt, window));
    if (exporter_names_.size() > 1) {
        for (std::uint32_t e = 0; e < exporter_names_.size(); ++e) {
            charts.push_back(timeline(wire::to_string(exporter_names_[e]), e, window));
        }
    }
    return charts;
}

// One chart: the points of one exporter (or all) spread over the window by analyze::Timeline.
HtmlTimeline HtmlReportBuilder::timeline(std::string title, std::optional<std::uint32_t> exporter,
                                         const analyze::TimelineOptions& window) const {
    analyze::Timeline spread(window);
    analyze::FlowRecord flow;
    for (const auto& p : points_) {
        if (exporter && p.exporter != *exporter) continue;
        flow.start_ns = p.start_ns;
        flow.end_ns = p.end_ns;
        flow.packets = p.packets;
        flow.bytes = p.bytes;
        flow.protocol = p.protocol;
        flow.src_port = p.src_port;
        flow.dst_port = p.dst_port;
        flow.icmp_type = p.has_icmp_type ? std::optional<std::uint8_t>(p.icmp_type) : std::nullopt;
        spread.add(flow);
    }
    const analyze::TimelineResult r = spread.result();
    HtmlTimeline t;
    t.title = std::move(title);
    t.group_by = window.group == analyze::TimelineGroup::service ? "service" : "protocol";
    t.interval_ns = r.interval_ns;
    for (const auto& s : r.series) t.groups.push_back(s.label);
    for (std::size_t i = 0; i < r.intervals; ++i) {
        HtmlTimelineBucket b;
        b.start_ns = r.interval_start(i);
        bool any = false;
        for (const auto& s : r.series) {
            const auto& c = s.intervals[i];
            b.groups.push_back({c.flows, c.packets, c.bytes});
            any = any || c.flows || c.packets || c.bytes;
        }
        if (any) t.buckets.push_back(std::move(b));
    }
    return t;
}

HtmlReportData HtmlReportBuilder::finish(const pipeline::RunResult& run, const session::SessionTable& sessions,
                                         const analyze::NameMap& names) {
    HtmlReportData data;
    const auto& all = connections();
    data.summary = html_summary(run.inputs, sessions);
    data.summary.flows = table_.records();
    data.summary.connections = all.size();
    for (const auto& c : all) {
        data.connections.push_back(html_connection_row(c, names));
        bool saturated = false;
        data.summary.packets = analyze::sat_add(data.summary.packets, c.total_packets(), saturated);
        data.summary.bytes = analyze::sat_add(data.summary.bytes, c.total_bytes(), saturated);
        if (!c.has_time) continue;
        if (!data.summary.first_ns || c.start_ns < *data.summary.first_ns) data.summary.first_ns = c.start_ns;
        if (!data.summary.last_ns || c.end_ns > *data.summary.last_ns) data.summary.last_ns = c.end_ns;
    }
    HtmlTopList hosts;
    hosts.title = "Hosts by bytes sent and received";
    hosts.key_heading = "Host";
    for (const auto& [addr, counts] : top_hosts()) {
        const double share =
            data.summary.bytes ? static_cast<double>(counts.bytes) / static_cast<double>(data.summary.bytes) : 0;
        hosts.entries.push_back({host_text(addr, names), counts.flows, counts.packets, counts.bytes, share});
    }
    hosts.total_keys = host_count_;
    data.top_talkers.push_back(std::move(hosts));
    data.top_talkers.push_back(conversations(data.connections, options_.top_entries));
    data.top_talkers.push_back(top_list("Exporters by bytes", "Exporter", exporters_.result()));
    data.top_services.push_back(top_list("Services by bytes", "Service", services_.result()));
    data.top_services.push_back(top_list("Protocols by bytes", "Protocol", protocols_.result()));
    for (const auto& s : sessions.sessions()) {
        auto row = html_exporter_row(s);
        auto found = series_.find(s.index);
        if (found != series_.end()) {
            row.sequence_loss = found->second.loss;
            for (auto& issue : row.issues) issue.frames = found->second.frames[issue.reason];
        }
        data.exporters.push_back(std::move(row));
        data.templates.push_back(html_template_session(s));
    }
    data.timelines = timelines();
    return data;
}

}  // namespace nfpcap::report
