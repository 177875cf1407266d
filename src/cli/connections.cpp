// SPDX-License-Identifier: MIT
// `nfpcap [connections]`: decode, pair records into connections, resolve names, print.
#include "connections.hpp"

#include <map>
#include <set>

#include <fmt/format.h>

#include "nfpcap/analyze/flow_sink.hpp"

namespace nfpcap::cli {

CLI::App* setup_connections(CLI::App& app, ConnectionsOptions& o) {
    auto* sub = app.add_subcommand("connections",
                                   "Print one line per connection, hosts and services resolved (the default command)");
    const std::map<std::string, analyze::SortKey> sorts{{"start", analyze::SortKey::start},
                                                        {"bytes", analyze::SortKey::bytes},
                                                        {"packets", analyze::SortKey::packets},
                                                        {"duration", analyze::SortKey::duration}};
    add_format_option(*sub, o.format, {report::Format::text, report::Format::json, report::Format::csv},
                      "text is an aligned table, json one object per connection");
    sub->add_flag("--local", o.local_time, "Show times in local time instead of UTC");
    add_name_options(*sub, o.names);
    sub->add_option("--match-host", o.match_hosts, "Only connections with this address on either side (repeatable)")
        ->type_name("ADDR");
    sub->add_option("-p,--min-packets", o.min_packets, "Skip connections with fewer packets (both directions)")
        ->capture_default_str()
        ->type_name("N");
    sub->add_option("--top", o.top, "Only the N connections with the most bytes")->type_name("N");
    add_choices(sub->add_option("--sort", o.sort, "Order: start, bytes, packets or duration")->type_name("KEY"), sorts);
    sub->add_option("--window", o.window_seconds, "Records of one 5-tuple closer in time than this are one connection")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber)
        ->type_name("SECONDS");
    sub->add_flag("--renormalize", o.renormalize, kRenormalizeHelp);
    sub->add_flag("--merge-exporters", o.merge_exporters,
                  "One row for a connection several exporters observed (the largest observation, not the sum); "
                  "without it each exporter's observation is a row");
    add_flow_select_options(*sub, o.select);
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
    select_options.min_packets = o.min_packets;
    select_options.top = o.top;
    select_options.sort = o.sort;

    analyze::ConnectionOptions co;
    co.window_ns = static_cast<std::int64_t>(o.window_seconds * 1e9);
    co.renormalize = o.renormalize;
    co.merge_exporters = o.merge_exporters;
    analyze::ConnectionTable table(co);
    auto selector = make_flow_selector(o.select, o.local_time);
    if (!selector) return kExitUsage;
    analyze::FlowSink sink([&](const analyze::FlowRecord& flow) {
        if (selector->accept(flow)) table.add(flow);
    });
    session::SessionTable sessions(o.input.session_options());
    pipeline::SinkConsumer consumer(sink);
    const int rc = run_captures(o.input, sessions, consumer);

    const auto connections = table.finish();
    const analyze::Selection selection = analyze::select(connections, select_options);

    report::ConnectionFooter footer;
    footer.connections = connections.size();
    footer.records = table.records();
    footer.exporters = sink.exporters();
    for (const auto& c : connections) {
        if (c.one_way()) ++footer.one_way;
        if (!c.has_time) continue;
        if (!footer.first_ns || c.start_ns < *footer.first_ns) footer.first_ns = c.start_ns;
        if (!footer.last_ns || c.end_ns > *footer.last_ns) footer.last_ns = c.end_ns;
    }
    const auto totals = sessions.totals();
    // No export traffic at all: explain_no_export said so; an empty table would only puzzle.
    if (totals.datagrams == totals.not_export_datagrams && o.format == report::Format::text) return rc;
    footer.undecoded = totals.counters.malformed_datagrams + totals.counters.partial_datagrams;
    footer.sampling_records = table.records_by_sampling();
    footer.unknown_sampling_records = table.unknown_sampling_records();
    footer.stats_hint = "nfpcap stats";
    for (const auto& f : o.input.files) footer.stats_hint += " " + f;

    report::NameMap names;
    try {
        std::vector<wire::IpAddress> wanted;
        for (const auto* c : selection.shown) {
            wanted.push_back(c->client.addr);
            wanted.push_back(c->server.addr);
        }
        names = resolve_names(wanted, o.names);
    } catch (const std::exception& e) {
        fmt::print(stderr, "nfpcap: {}\n", e.what());
        return kExitInputError;
    }
    report::Output out(stdout);
    report::write_connections(out, selection, footer, names,
                              {o.format, o.local_time, o.min_packets, footer.exporters.size() > 1, o.renormalize});
    return rc;
}

}  // namespace nfpcap::cli
