// SPDX-License-Identifier: MIT
// `nfpcap [connections]`: decode, pair records into connections, resolve names, print.
#include "connections.hpp"

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <thread>

#include <fmt/format.h>

#include "flows.hpp"
#include "nfpcap/analyze/flow_sink.hpp"
#include "nfpcap/netflow/record_batch.hpp"
#include "numbers.hpp"

namespace nfpcap::cli {

namespace {

// The shown connections' addresses not named yet and not tried before (found or not), so
// --follow asks for each address once.
std::vector<wire::IpAddress> unnamed(const analyze::Selection& selection, const report::NameMap& names,
                                     std::set<wire::IpAddress>& tried) {
    std::vector<wire::IpAddress> wanted;
    for (const analyze::Connection& c : selection) {
        for (const auto& a : {c.client.addr, c.server.addr}) {
            if (!names.count(a) && tried.insert(a).second) wanted.push_back(a);
        }
    }
    return wanted;
}

void add_to_footer(report::ConnectionFooter& footer, const analyze::ConnectionList& connections) {
    footer.connections += connections.size();
    for (std::size_t i = 0; i < connections.size(); ++i) {
        if (connections.one_way(i)) ++footer.one_way;
        using Entry = analyze::detail::Entry;
        const std::uint8_t anomalies = connections.anomalies(i);
        footer.saturated += (anomalies & Entry::kSaturated) != 0 ? 1 : 0;
        footer.reversed += (anomalies & Entry::kReversed) != 0 ? 1 : 0;
        footer.time_clamped += (anomalies & Entry::kTimeClamped) != 0 ? 1 : 0;
        if (!connections.has_time(i)) continue;
        const std::int64_t start = connections.start_ns(i), end = connections.end_ns(i);
        if (!footer.first_ns || start < *footer.first_ns) footer.first_ns = start;
        if (!footer.last_ns || end > *footer.last_ns) footer.last_ns = end;
    }
}

// The table is filled from batches of flow records (ConnectionTable::add of a span overlaps
// the index's cache misses).
class TableFiller {
public:
    explicit TableFiller(analyze::ConnectionTable& table) : table_(table) { pending_.reserve(kBatch); }
    void add(const analyze::FlowRecord& flow) {
        pending_.push_back(flow);
        if (pending_.size() >= kBatch) flush();
    }
    /// Every record given is in the table once this returns.
    void flush() {
        table_.add(std::span<const analyze::FlowRecord>(pending_));
        pending_.clear();
    }

private:
    static constexpr std::size_t kBatch = 4096;
    analyze::ConnectionTable& table_;
    std::vector<analyze::FlowRecord> pending_;
};

// With --threads 2 or more: the decoded records, copied into batches (netflow::RecordBatch),
// go to a thread of their own that hands them in order to `sink` (the FlowSink: flow records
// extracted, selected and added to the table there). Decoding, and extracting and pairing,
// take about half of the time each; what crosses between the cores is the records' bytes, a
// quarter of the flow records' size.
class RecordHandOff final : public netflow::DecodeSink {
public:
    /// `table`: filled by `sink`; its next pages are prepared here while the other thread adds.
    RecordHandOff(netflow::DecodeSink& sink, analyze::ConnectionTable& table)
        : sink_(sink), table_(table), thread_([this] { work(); }) {}
    ~RecordHandOff() override {
        {
            const std::lock_guard lock(mutex_);
            stop_ = true;
        }
        cv_.notify_all();
        thread_.join();
    }
    RecordHandOff(const RecordHandOff&) = delete;
    RecordHandOff& operator=(const RecordHandOff&) = delete;

    void on_record(const netflow::DataRecord& record) override {
        filling_->add(record, {});
        if (full()) submit();
    }
    void on_run(const netflow::RecordRun& run) override {
        filling_->add_run(run, {});
        if (full()) submit();
    }
    /// Returns once `sink` has had every record given (then what it fills may be read).
    void sync() {
        if (!filling_->empty()) submit();
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [this] { return queue_.empty() && !busy_; });
    }

private:
    static constexpr std::size_t kBatchRecords = 4096, kBatchBytes = 1 << 18;
    static constexpr std::size_t kMaxQueued = 8;  // then the decoding thread waits: memory stays flat

    class Replay final : public netflow::RecordBatch::Visitor {
    public:
        explicit Replay(netflow::DecodeSink& sink) : sink_(sink) {}
        void record(const netflow::DataRecord& record, std::string_view /*file*/) override { sink_.on_record(record); }

    private:
        netflow::DecodeSink& sink_;
    };

    [[nodiscard]] bool full() const noexcept {
        return filling_->size() >= kBatchRecords || filling_->byte_size() >= kBatchBytes;
    }
    void submit() {
        table_.prepare_pages();
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [this] { return queue_.size() < kMaxQueued; });
        queue_.push_back(std::move(filling_));
        if (spare_.empty()) {
            filling_ = std::make_unique<netflow::RecordBatch>();
        } else {
            filling_ = std::move(spare_.back());
            spare_.pop_back();
        }
        cv_.notify_all();
    }
    void work() {
        Replay replay(sink_);
        std::vector<wire::Bytes> values;
        std::unique_lock lock(mutex_);
        for (;;) {
            cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
            if (queue_.empty()) return;
            std::unique_ptr<netflow::RecordBatch> batch = std::move(queue_.front());
            queue_.pop_front();
            busy_ = true;
            lock.unlock();
            batch->replay(replay, values);
            batch->clear();
            lock.lock();
            busy_ = false;
            spare_.push_back(std::move(batch));
            cv_.notify_all();
        }
    }

    netflow::DecodeSink& sink_;
    analyze::ConnectionTable& table_;
    std::unique_ptr<netflow::RecordBatch> filling_ = std::make_unique<netflow::RecordBatch>();
    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<std::unique_ptr<netflow::RecordBatch>> queue_;
    std::vector<std::unique_ptr<netflow::RecordBatch>> spare_;
    bool busy_ = false, stop_ = false;
    std::thread thread_;  // last: started once the rest is made
};

// --follow: every second of record time, the connections no record can join any more are
// selected, named and printed, and forgotten.
class FollowConsumer final : public pipeline::SinkConsumer {
public:
    FollowConsumer(netflow::DecodeSink& sink, analyze::ConnectionTable& table, TableFiller& filler,
                   const ConnectionsOptions& options, const analyze::SelectOptions& select, report::Output& out,
                   report::NameMap& names)
        : SinkConsumer(sink),
          table_(table),
          filler_(filler),
          options_(options),
          select_(select),
          out_(out),
          names_(names) {}

    /// The record clock: the latest time a record has (exporter time, not arrival time).
    void saw(const analyze::FlowRecord& flow) {
        const auto t = flow.end_ns ? flow.end_ns : flow.start_ns;
        if (t && *t > clock_) clock_ = *t;
    }
    void on_message(const source::Message&, const session::ProcessResult&) override {
        constexpr std::int64_t kEvery = 1'000'000'000;
        if (clock_ == INT64_MIN || (last_ != INT64_MIN && clock_ - last_ < kEvery)) return;
        last_ = clock_;
        filler_.flush();
        print(table_.take_finished(clock_));
    }
    [[nodiscard]] bool done() const override { return out_.closed(); }

    void print(const analyze::ConnectionList& connections) {
        if (connections.empty() && !first_) return;
        add_to_footer(footer_, connections);
        const analyze::Selection sel = analyze::select(connections, select_);
        skipped_.below_min_packets += sel.below_min_packets;
        skipped_.other_hosts += sel.other_hosts;
        shown_ += sel.size();
        const auto wanted = unnamed(sel, names_, tried_);
        if (!wanted.empty()) {
            // the hosts file was read once before the run: an error here leaves addresses unnamed
            try {
                for (auto& [addr, name] : resolve_names(wanted, options_.names, &dns_)) names_.emplace(addr, name);
            } catch (const std::exception&) {}
        }
        report::write_connection_rows(out_, sel, names_, report_options(), first_);
        first_ = false;
    }
    // The rows are out before the exporters are all known: the text table always names them.
    [[nodiscard]] report::ConnectionReportOptions report_options() const {
        return {options_.format,      options_.local_time, options_.min_packets_or_default(), true,
                options_.renormalize, options_.quiet};
    }

    report::ConnectionFooter footer_;
    analyze::Selection skipped_;
    std::size_t shown_ = 0;
    analyze::ResolverStats dns_;

private:
    analyze::ConnectionTable& table_;
    TableFiller& filler_;
    const ConnectionsOptions& options_;
    const analyze::SelectOptions& select_;
    report::Output& out_;
    report::NameMap& names_;
    std::set<wire::IpAddress> tried_;
    std::int64_t clock_ = INT64_MIN;
    std::int64_t last_ = INT64_MIN;
    bool first_ = true;
};

}  // namespace

CLI::App* setup_connections(CLI::App& app, ConnectionsOptions& o) {
    auto* sub = app.add_subcommand("connections",
                                   "Print one line per connection, hosts and services resolved (the default command)");
    const std::map<std::string, analyze::SortKey> sorts{{"start", analyze::SortKey::start},
                                                        {"bytes", analyze::SortKey::bytes},
                                                        {"packets", analyze::SortKey::packets},
                                                        {"duration", analyze::SortKey::duration}};
    add_format_option(*sub, o.format, {report::Format::text, report::Format::json, report::Format::csv},
                      "text is an aligned table, json one object per connection");
    add_quiet_option(*sub, o.quiet);
    sub->add_flag("--local", o.local_time, "Show times in local time instead of UTC");
    add_name_options(*sub, o.names);
    sub->add_option("--match-host", o.match_hosts, "Only connections with this address on either side (repeatable)")
        ->type_name("ADDR");
    sub->add_option("-p,--min-packets", o.min_packets,
                    "Skip connections with fewer packets (both directions); default 10 for the text table, 0 for "
                    "json and csv")
        ->type_name("N");
    sub->add_option("--top", o.top, "Only the N connections with the most bytes")->type_name("N");
    add_choices(sub->add_option("--sort", o.sort, "Order: start, bytes, packets or duration")->type_name("KEY"), sorts);
    sub->add_option("--window", o.window_seconds,
                    "Records of one 5-tuple closer in time than this are one connection (0 to 9.2e9 s)")
        ->capture_default_str()
        ->check(seconds_range())
        ->type_name("SECONDS");
    sub->add_flag("--renormalize", o.renormalize, kRenormalizeHelp);
    sub->add_flag("--merge-exporters", o.merge_exporters,
                  "One row for a connection several exporters observed (the largest observation, not the sum); "
                  "without it each exporter's observation is a row");
    add_flow_select_options(*sub, o.select);
    sub->add_flag("--follow", o.follow,
                  "Print each connection once it is complete (no record within --window after its end), for "
                  "long live runs; memory holds only the open connections. Not with --top or --sort");
    add_threads_option(*sub, o.threads);
    add_input_options(*sub, o.input);
    return sub;
}

int run_connections(const ConnectionsOptions& o) {
    analyze::SelectOptions select_options;
    for (const auto& text : o.match_hosts) {
        auto addr = wire::IpAddress::parse(text);
        if (addr.family == 0) {
            fmt::print(stderr, "nfpcap: --match-host {}: not an IPv4 or IPv6 address\n", text);
            return kExitUsage;
        }
        select_options.match_hosts.push_back(addr);
    }
    select_options.min_packets = o.min_packets_or_default();
    select_options.top = o.top;
    select_options.sort = o.sort;

    if (o.follow && (o.top != 0 || o.sort != analyze::SortKey::start)) {
        fmt::print(stderr,
                   "nfpcap: --follow prints connections as they complete: --top and --sort need the whole run\n");
        return kExitUsage;
    }

    analyze::ConnectionOptions co;
    co.window_ns = wire::seconds_to_ns(o.window_seconds).value_or(0);  // checked when parsed
    co.renormalize = o.renormalize;
    co.merge_exporters = o.merge_exporters;
    analyze::ConnectionTable table(co);
    auto selector = make_flow_selector(o.select, o.local_time);
    if (!selector) return kExitUsage;
    report::NameMap names;
    try {
        if (o.follow) names = resolve_names({}, o.names);  // the hosts file, read (and checked) now
    } catch (const std::exception& e) {
        fmt::print(stderr, "nfpcap: {}\n", e.what());
        return kExitInputError;
    }
    report::Output out(stdout);
    FollowConsumer* follow = nullptr;
    TableFiller filler(table);
    analyze::FlowSink sink([&](const analyze::FlowRecord& flow) {
        if (!selector->accept(flow)) return;
        filler.add(flow);
        if (follow != nullptr) follow->saw(flow);
    });
    // --follow reads the table every second of record time, as the records come: one thread.
    std::optional<RecordHandOff> hand_off;
    if (thread_count(o.threads) > 1 && !o.follow) hand_off.emplace(sink, table);
    session::SessionTable sessions(o.input.session_options());
    const std::string stats_hint = "nfpcap stats " + o.input.describe();

    if (o.follow) {
        FollowConsumer consumer(sink, table, filler, o, select_options, out, names);
        follow = &consumer;
        pipeline::RunResult run;
        const int rc = run_captures(o.input, sessions, consumer, &run);
        filler.flush();
        consumer.print(table.finish());
        report::ConnectionFooter& footer = consumer.footer_;
        footer.records = table.records();
        footer.keyless = sink.keyless();
        footer.exporters = sink.exporters();
        footer.losses = report::losses(run.inputs, sessions);
        footer.sampling_records = table.records_by_sampling();
        footer.unknown_sampling_records = table.unknown_sampling_records();
        footer.stats_hint = stats_hint;
        if (consumer.dns_.asked > 0) footer.dns = consumer.dns_;
        report::write_connection_footer(out, consumer.shown_, consumer.skipped_, footer, consumer.report_options());
        return finish_output(out, rc);
    }

    pipeline::SinkConsumer consumer(hand_off ? static_cast<netflow::DecodeSink&>(*hand_off) : sink);
    pipeline::RunResult run;
    const int rc = run_captures(o.input, sessions, consumer, &run);
    if (hand_off) hand_off->sync();
    filler.flush();

    const auto connections = table.finish();
    const analyze::Selection selection = analyze::select(connections, select_options);

    report::ConnectionFooter footer;
    add_to_footer(footer, connections);
    footer.records = table.records();
    footer.keyless = sink.keyless();
    footer.exporters = sink.exporters();
    // No export traffic at all from files: explain_no_export said so; an empty table would only puzzle.
    const auto totals = sessions.totals();
    if (!o.input.live() && totals.datagrams == totals.not_export_datagrams && o.format == report::Format::text) {
        return rc;
    }
    footer.losses = report::losses(run.inputs, sessions);
    footer.sampling_records = table.records_by_sampling();
    footer.unknown_sampling_records = table.unknown_sampling_records();
    footer.stats_hint = stats_hint;

    try {
        analyze::ResolverStats dns;
        // Without DNS only the hosts file names, whatever is asked.
        names = resolve_names(o.names.no_dns ? std::vector<wire::IpAddress>{} : selection.addresses(), o.names, &dns);
        if (dns.asked > 0) footer.dns = dns;
    } catch (const std::exception& e) {
        fmt::print(stderr, "nfpcap: {}\n", e.what());
        return kExitInputError;
    }
    report::write_connections(
        out, selection, footer, names,
        {o.format, o.local_time, o.min_packets_or_default(), footer.exporters.size() > 1, o.renormalize, o.quiet});
    return finish_output(out, rc);
}

}  // namespace nfpcap::cli
