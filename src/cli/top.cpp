// SPDX-License-Identifier: MIT
// `nfpcap top`: decode, select, count per key, print the largest.
#include "top.hpp"

#include <map>

#include <fmt/format.h>

#include "nfpcap/analyze/flow_sink.hpp"

namespace nfpcap::cli {

namespace {

// Names for the rows shown, when they are hosts: only those rows are looked up (a top table
// of 10 asks DNS for 10 addresses, whatever the capture holds).
report::TopNames row_names(const analyze::TopResult& result, const NameOptions& options) {
    report::TopNames names;
    if (!analyze::names_hosts(result.key)) return names;
    std::vector<wire::IpAddress> wanted;
    for (const auto& row : result.rows) {
        if (auto host = analyze::key_host(result.key, row)) wanted.push_back(*host);
    }
    analyze::ResolverStats dns;
    names.names = resolve_names(wanted, options, &dns);
    if (!options.no_dns) names.dns = dns;
    return names;
}

}  // namespace

CLI::App* setup_top(CLI::App& app, TopOptions& o) {
    auto* sub = app.add_subcommand("top", "Top N statistics of the flows by a key, as nfdump -s");
    sub->add_option("-s,--statistic", o.statistic,
                    "Key: srcip, dstip, ip, srcport, dstport, port, proto, exporter, srcas, dstas, inif, outif, "
                    "service, srcnet/N, dstnet/N (or srcnet/N/M: IPv4 /N, IPv6 /M)")
        ->capture_default_str()
        ->type_name("KEY");
    const std::map<std::string, analyze::TopOrder> orders{{"flows", analyze::TopOrder::flows},
                                                          {"packets", analyze::TopOrder::packets},
                                                          {"bytes", analyze::TopOrder::bytes}};
    add_choices(sub->add_option("-O,--order", o.order, "Order: flows, packets or bytes")->type_name("ORDER"), orders);
    sub->add_option("--count", o.count, "Rows to print (0: all; nfdump's -n N: -n means no DNS here)")
        ->capture_default_str()
        ->type_name("N");
    add_format_option(*sub, o.format, {report::Format::text, report::Format::json, report::Format::csv},
                      "json is JSON lines, a total object last");
    add_quiet_option(*sub, o.quiet);
    sub->add_flag("--renormalize", o.renormalize, kRenormalizeHelp);
    sub->add_flag("--local", o.local_time, "Times in local time (output, and --from/--to without a zone)");
    add_flow_select_options(*sub, o.select);
    add_name_options(*sub, o.names);
    add_input_options(*sub, o.input);
    return sub;
}

int run_top(const TopOptions& o) {
    analyze::TopOptions to;
    if (auto error = analyze::parse_top_key(o.statistic, to.key)) {
        fmt::print(stderr, "nfpcap: --statistic {}\n", *error);
        return kExitUsage;
    }
    auto selector = make_flow_selector(o.select, o.local_time);
    if (!selector) return kExitUsage;
    to.order = o.order;
    to.count = o.count;
    to.renormalize = o.renormalize;
    analyze::TopTable table(to);
    analyze::FlowSink sink([&](const analyze::FlowRecord& flow) {
        if (selector->accept(flow)) table.add(flow);
    });
    session::SessionTable sessions(o.input.session_options());
    pipeline::SinkConsumer consumer(sink);
    pipeline::RunResult run;
    const int rc = run_captures(o.input, sessions, consumer, &run);
    report::Output out(stdout);
    auto losses = report::losses(run.inputs, sessions);
    // Only the text footer names losses: elsewhere, standard error does (as for flows).
    if (o.quiet || o.format != report::Format::text) report::print_losses(losses);
    const analyze::TopResult result = table.result();
    report::write_top(out, result,
                      {o.format, o.local_time, o.quiet, selector->rejected, std::move(losses),
                       "nfpcap stats " + o.input.describe()},
                      row_names(result, o.names));
    return finish_output(out, rc);
}

}  // namespace nfpcap::cli
