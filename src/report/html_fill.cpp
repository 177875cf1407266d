// SPDX-License-Identifier: MIT
// Rows of the HTML report model made from the library's own types (connections, sessions,
// templates, run summaries), so a filler only adds what the decode callbacks saw.
#include <algorithm>
#include <set>

#include "nfpcap/analyze/services.hpp"
#include "nfpcap/capture/frame.hpp"
#include "nfpcap/report/connection_report.hpp"
#include "nfpcap/report/html_report.hpp"

namespace nfpcap::report {

namespace {

bool has_ports(std::uint8_t protocol) { return protocol == 6 || protocol == 17 || protocol == 132 || protocol == 136; }

std::string name_of(const analyze::NameMap& names, const wire::IpAddress& a) {
    auto found = names.find(a);
    return found == names.end() ? std::string() : found->second;
}

std::vector<HtmlReasonCount> reason_counts(const session::Counters& c) {
    std::vector<HtmlReasonCount> v;
    for (std::size_t i = 0; i < netflow::kReasonCount; ++i) {
        if (c.reasons[i] == 0) continue;
        const auto r = static_cast<netflow::Reason>(i);
        v.push_back(
            {std::string(netflow::name(r)), std::string(netflow::describe(r)), c.reasons[i], netflow::loses_data(r)});
    }
    return v;
}

}  // namespace

HtmlConnectionRow html_connection_row(const analyze::Connection& c, const analyze::NameMap& names) {
    HtmlConnectionRow r;
    if (c.has_time) {
        r.start_ns = c.start_ns;
        r.end_ns = c.end_ns;
    }
    r.protocol = c.protocol;
    r.service = service_of(c);
    r.client = wire::to_string(c.client.addr);
    r.server = wire::to_string(c.server.addr);
    r.client_port = c.client.port;
    r.server_port = c.server.port;
    r.has_ports = has_ports(c.protocol);
    r.client_name = name_of(names, c.client.addr);
    r.server_name = name_of(names, c.server.addr);
    r.packets_to_server = c.packets[0];
    r.packets_to_client = c.packets[1];
    r.bytes_to_server = c.bytes[0];
    r.bytes_to_client = c.bytes[1];
    r.records = c.records;
    r.direction_rule = std::string(analyze::name(c.rule));
    r.one_way = c.one_way();
    r.exporter = wire::to_string(c.exporter);
    for (std::size_t i = 1; i < c.exporters.size(); ++i) {
        r.exporter.push_back(' ');
        r.exporter.append(wire::to_string(c.exporters[i]));
    }
    return r;
}

HtmlExporterRow html_exporter_row(const session::Session& s) {
    HtmlExporterRow r;
    const session::Counters& c = s.counters;
    r.exporter = wire::to_string(s.key.exporter);
    r.collector = wire::to_string(s.key.collector);
    r.version = s.key.version;
    r.domain = s.key.domain;
    r.first_frame = s.first_frame;
    r.last_frame = s.last_frame;
    r.first_ns = s.first_time_ns;
    r.last_ns = s.last_time_ns;
    r.datagrams = c.datagrams;
    r.decoded_datagrams = c.decoded_datagrams;
    r.partial_datagrams = c.partial_datagrams;
    r.malformed_datagrams = c.malformed_datagrams;
    r.data_records = c.data_records;
    r.options_records = c.options_records;
    r.template_records = c.template_records;
    r.options_template_records = c.options_template_records;
    r.templates = s.state.templates.size();
    r.sequence_gaps = c.sequence_gaps;
    r.sequence_missing = c.sequence_missing;
    r.missing_template_sets = c.missing_template_sets;
    for (HtmlReasonCount& reason : reason_counts(c)) {
        r.issues.push_back(
            {std::move(reason.name), std::move(reason.description), reason.count, reason.loses_data, {}});
    }
    return r;
}

HtmlTemplateSession html_template_session(const session::Session& s) {
    HtmlTemplateSession ts;
    ts.exporter = wire::to_string(s.key.exporter);
    ts.collector = wire::to_string(s.key.collector);
    ts.version = s.key.version;
    ts.domain = s.key.domain;
    for (const auto& [id, t] : s.state.templates) {
        if (!t) continue;
        HtmlTemplateRow row;
        row.id = id;
        row.options = t->kind == netflow::TemplateKind::options;
        row.record_length = t->min_record_length;
        row.fixed_length = t->fixed_length;
        row.frame = t->frame;
        for (const auto& f : t->fields) {
            row.fields.push_back({f.name, f.id, f.pen, f.length, f.scope, f.length_mismatch});
        }
        ts.templates.push_back(std::move(row));
    }
    std::sort(ts.templates.begin(), ts.templates.end(),
              [](const HtmlTemplateRow& a, const HtmlTemplateRow& b) { return a.id < b.id; });
    return ts;
}

HtmlSummary html_summary(const std::vector<FileSummary>& files, const session::SessionTable& sessions) {
    HtmlSummary s;
    const session::Totals totals = sessions.totals();
    capture::CaptureCounters frames;
    for (const FileSummary& f : files) {
        s.files.push_back({f.name, f.link_type, f.counters.frames, f.error});
        s.frames += f.counters.frames;
        for (std::size_t k = 0; k < frames.issues.size(); ++k) frames.issues[k] += f.counters.issues[k];
    }
    for (std::size_t k = 0; k < frames.issues.size(); ++k) {
        if (frames.issues[k] == 0) continue;
        const auto issue = static_cast<capture::FrameIssue>(k);
        s.frame_issues.push_back(
            {std::string(capture::name(issue)), std::string(capture::describe(issue)), frames.issues[k], true});
    }
    std::set<wire::Endpoint> exporters;
    for (const auto& session : sessions.sessions()) exporters.insert(session.key.exporter);
    s.exporters = exporters.size();
    s.sessions = sessions.sessions().size();
    const session::Counters& c = totals.counters;
    s.udp_datagrams = totals.datagrams;
    s.not_export_datagrams = totals.not_export_datagrams;
    s.session_limit_datagrams = totals.session_limit_datagrams;
    s.export_datagrams = c.datagrams;
    s.decoded_datagrams = c.decoded_datagrams;
    s.partial_datagrams = c.partial_datagrams;
    s.malformed_datagrams = c.malformed_datagrams;
    s.data_records = c.data_records;
    s.options_records = c.options_records;
    s.template_records = c.template_records + c.options_template_records;
    s.missing_template_sets = c.missing_template_sets;
    s.sequence_gaps = c.sequence_gaps;
    s.sequence_missing = c.sequence_missing;
    s.reasons = reason_counts(c);
    return s;
}

}  // namespace nfpcap::report
