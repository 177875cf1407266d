// SPDX-License-Identifier: MIT
// `nfpcap timeline`: decode, select, spread over intervals, print.
#include "timeline.hpp"

#include <cmath>
#include <map>
#include <stdexcept>

#include <fmt/format.h>

#include "nfpcap/analyze/flow_sink.hpp"

namespace nfpcap::cli {

CLI::App* setup_timeline(CLI::App& app, TimelineOptions& o) {
    auto* sub = app.add_subcommand("timeline", "Flows, packets and bytes per time interval, as tshark -z io,stat");
    sub->add_option("-i,--interval", o.interval_seconds, "Interval length")
        ->capture_default_str()
        ->check(CLI::PositiveNumber)
        ->type_name("SECONDS");
    const std::map<std::string, analyze::TimelineGroup> groups{{"none", analyze::TimelineGroup::none},
                                                               {"proto", analyze::TimelineGroup::proto},
                                                               {"exporter", analyze::TimelineGroup::exporter},
                                                               {"service", analyze::TimelineGroup::service}};
    add_choices(sub->add_option("-g,--group", o.group, "One series per proto, exporter or service (none: one series)")
                    ->type_name("GROUP"),
                groups);
    sub->add_option("--max-intervals", o.max_intervals,
                    "At most this many intervals; what falls outside them is counted as outside")
        ->capture_default_str()
        ->check(CLI::PositiveNumber)
        ->type_name("N");
    add_format_option(*sub, o.format, {report::Format::text, report::Format::json, report::Format::csv},
                      "json is JSON lines, a total object last");
    add_quiet_option(*sub, o.quiet);
    sub->add_flag("--renormalize", o.renormalize, kRenormalizeHelp);
    sub->add_flag("--local", o.local_time, "Times in local time (output, and --from/--to without a zone)");
    add_flow_select_options(*sub, o.select);
    add_input_options(*sub, o.input);
    return sub;
}

int run_timeline(const TimelineOptions& o) {
    auto selector = make_flow_selector(o.select, o.local_time);
    if (!selector) return kExitUsage;
    const double ns = std::round(o.interval_seconds * 1e9);
    if (!(ns >= 1 && ns <= 9.2e18)) {
        fmt::print(stderr, "nfpcap: --interval {}: out of range (1 ns to 292 years)\n", o.interval_seconds);
        return kExitUsage;
    }
    analyze::TimelineOptions to;
    to.interval_ns = static_cast<std::int64_t>(ns);
    to.group = o.group;
    to.max_intervals = o.max_intervals;
    to.renormalize = o.renormalize;
    to.from_ns = selector->window.from_ns;
    to.to_ns = selector->window.to_ns;
    std::optional<analyze::Timeline> timeline;
    try {
        timeline.emplace(to);
    } catch (const std::invalid_argument& e) {
        fmt::print(stderr, "nfpcap: timeline: {}\n", e.what());
        return kExitUsage;
    }
    analyze::FlowSink sink([&](const analyze::FlowRecord& flow) {
        if (selector->accept(flow)) timeline->add(flow);
    });
    session::SessionTable sessions(o.input.session_options());
    pipeline::SinkConsumer consumer(sink);
    pipeline::RunResult run;
    const int rc = run_captures(o.input, sessions, consumer, &run);
    report::Output out(stdout);
    auto losses = report::losses(run.inputs, sessions);
    // Only the text footer names losses: elsewhere, standard error does (as for flows).
    if (o.quiet || o.format != report::Format::text) report::print_losses(losses);
    report::write_timeline(out, timeline->result(),
                           {o.format, o.local_time, o.quiet, selector->rejected, std::move(losses),
                            "nfpcap stats " + o.input.describe()});
    return finish_output(out, rc);
}

}  // namespace nfpcap::cli
