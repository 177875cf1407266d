// SPDX-License-Identifier: MIT
// `nfpcap report`: decode, gather (connections, top lists, timeline, sessions), name the
// hosts, write one HTML page.
#include "report.hpp"

#include <sys/stat.h>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <string_view>

#include <fmt/format.h>

#include "nfpcap/report/html_builder.hpp"
#include "numbers.hpp"

namespace nfpcap::cli {

CLI::App* setup_report(CLI::App& app, ReportOptions& o) {
    auto* sub = app.add_subcommand(
        "report",
        "Write one self-contained HTML page: summary, timeline, top talkers and services, exporters, "
        "connections, templates");
    sub->add_option("-o,--output", o.output,
                    "The HTML file to write (- for standard output; default: CAPTURE-report.html here)")
        ->type_name("FILE");
    sub->add_option("--title", o.title, "Page title (default: the capture's name)")->type_name("TEXT");
    sub->add_flag("--local", o.local_time, "Times in local time instead of UTC (and --from/--to without a zone)");
    add_name_options(*sub, o.names);
    sub->add_option("--max-connections", o.max_connections, "Rows of the connection table (the largest by bytes)")
        ->capture_default_str()
        ->check(CLI::PositiveNumber)
        ->type_name("N");
    const std::map<std::string, analyze::TimelineGroup> groups{{"proto", analyze::TimelineGroup::proto},
                                                               {"service", analyze::TimelineGroup::service}};
    add_choices(
        sub->add_option("-g,--group", o.group, "What the timeline charts stack: proto or service")->type_name("GROUP"),
        groups);
    sub->add_option("--window", o.window_seconds,
                    "Records of one 5-tuple closer in time than this are one connection (0 to 9.2e9 s)")
        ->capture_default_str()
        ->check(seconds_range())
        ->type_name("SECONDS");
    sub->add_flag("--renormalize", o.renormalize, kRenormalizeHelp);
    sub->add_flag("--merge-exporters", o.merge_exporters,
                  "One row for a connection several exporters observed (the largest observation)");
    add_flow_select_options(*sub, o.select);
    add_input_options(*sub, o.input);
    return sub;
}

namespace {

std::string command_line(const ReportOptions& o) {
    std::string c = "nfpcap report";
    if (!o.select.filter.empty()) c += fmt::format(" -Y '{}'", o.select.filter);
    if (!o.select.from.empty()) c += " --from " + o.select.from;
    if (!o.select.to.empty()) c += " --to " + o.select.to;
    const std::string input = o.input.describe();  // files, or the live input
    if (!input.empty()) c += " " + input;
    return c;
}

// Writes the page to `path` ("-": standard output); false with a message when it cannot. A
// page to a file that could not be written whole is removed: a short page looks whole.
bool write_page(const std::string& path, const report::HtmlReportData& data, const report::HtmlReportOptions& ho) {
    const bool to_stdout = path == "-";
    std::FILE* f = to_stdout ? stdout : std::fopen(path.c_str(), "wb");
    if (!f) {
        print_output_error(path, errno);
        return false;
    }
    int error = 0;
    {
        report::Output out(f, to_stdout ? "standard output" : path);
        report::write_html_report(out, data, ho);
        out.flush();
        error = out.error();
    }
    if (!to_stdout && std::fclose(f) != 0 && error == 0) error = errno;
    if (error == 0) return true;
    print_output_error(to_stdout ? "standard output" : path, error);
    struct stat st {};
    if (!to_stdout && ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) std::remove(path.c_str());
    return false;
}

// CAPTURE-report.html in the current directory for the first capture file's name without its
// extensions (.pcap, .pcapng, .gz, .zst); empty for standard input.
std::string default_output(const std::vector<std::string>& files) {
    if (files.empty() || files[0] == "-") return {};
    std::string name = files[0].substr(files[0].rfind('/') + 1);
    for (std::string_view ext : {".gz", ".zst", ".pcapng", ".pcap", ".cap"}) {
        if (name.size() > ext.size() && name.compare(name.size() - ext.size(), ext.size(), ext) == 0) {
            name.resize(name.size() - ext.size());
        }
    }
    return name + "-report.html";
}

}  // namespace

int run_report(const ReportOptions& o) {
    const std::string output = o.output.empty() ? default_output(o.input.files) : o.output;
    if (output.empty()) {
        fmt::print(stderr, "nfpcap: report: reading {}, give the page's name with -o FILE (- for standard output)\n",
                   o.input.live() ? "live input" : "standard input");
        return kExitUsage;
    }
    auto selector = make_flow_selector(o.select, o.local_time);
    if (!selector) return kExitUsage;
    report::HtmlBuildOptions bo;
    bo.timeline_group = o.group;
    bo.connections.window_ns = wire::seconds_to_ns(o.window_seconds).value_or(0);  // checked when parsed
    bo.connections.renormalize = o.renormalize;
    bo.connections.merge_exporters = o.merge_exporters;
    bo.renormalize = o.renormalize;
    bo.accept = [&](const analyze::FlowRecord& flow) { return selector->accept(flow); };
    report::HtmlReportBuilder builder(std::move(bo));
    session::SessionTable sessions(o.input.session_options());
    pipeline::RunResult run;
    const int rc = run_captures(o.input, sessions, builder, &run);

    analyze::NameMap names;
    try {
        names = resolve_names(builder.addresses_to_name(o.max_connections), o.names);
    } catch (const std::exception& e) {
        fmt::print(stderr, "nfpcap: {}\n", e.what());
        return kExitInputError;
    }
    report::HtmlReportData data = builder.finish(run, sessions, names);
    data.generator = std::string("nfpcap ") + NFPCAP_VERSION;
    data.command = command_line(o);
    data.filter = o.select.filter;
    if (!o.title.empty()) {
        data.title = o.title;
    } else if (o.input.files.size() == 1 && o.input.files[0] != "-") {
        data.title = o.input.files[0].substr(o.input.files[0].rfind('/') + 1) + ": NetFlow / IPFIX report";
    }
    report::HtmlReportOptions ho;
    ho.local_time = o.local_time;
    ho.max_connections = o.max_connections;
    if (!write_page(output, data, ho)) return kExitOutputError;
    if (o.output.empty()) fmt::print(stderr, "nfpcap: wrote {}\n", output);
    return rc;
}

}  // namespace nfpcap::cli
