// SPDX-License-Identifier: MIT
// `nfpcap stats` as aligned text or one JSON document. Every UDP datagram appears exactly once:
// datagrams = not_export_datagrams + export_datagrams (+ session_limit_datagrams), and
// export_datagrams = decoded_datagrams + partial_datagrams + malformed_datagrams.
#include <algorithm>
#include <iterator>

#include "nfpcap/capture/frame.hpp"
#include "nfpcap/report/run_summary.hpp"

namespace nfpcap::report {

namespace {

using session::Counters;

struct CounterField {
    std::string_view name;
    std::uint64_t Counters::*member;
};

constexpr CounterField kCounterFields[] = {
    {"export_datagrams", &Counters::datagrams},
    {"decoded_datagrams", &Counters::decoded_datagrams},
    {"partial_datagrams", &Counters::partial_datagrams},
    {"malformed_datagrams", &Counters::malformed_datagrams},
    {"data_records", &Counters::data_records},
    {"options_records", &Counters::options_records},
    {"template_records", &Counters::template_records},
    {"options_template_records", &Counters::options_template_records},
    {"template_withdrawals", &Counters::template_withdrawals},
    {"missing_template_sets", &Counters::missing_template_sets},
    {"sequence_gaps", &Counters::sequence_gaps},
    {"sequence_missing", &Counters::sequence_missing},
};

struct CaptureField {
    std::string_view name;
    std::uint64_t capture::CaptureCounters::*member;
};

// The capture counters beyond the five printed first (names kept from before they existed).
constexpr CaptureField kCaptureFields[] = {
    {"filtered_frames", &capture::CaptureCounters::filtered},
    {"udp_datagrams", &capture::CaptureCounters::udp_datagrams},
    {"truncated_frames", &capture::CaptureCounters::truncated_frames},
    {"truncated_datagrams", &capture::CaptureCounters::truncated_datagrams},
    {"fragment_duplicates", &capture::CaptureCounters::fragment_duplicates},
    {"fragment_limit_hits", &capture::CaptureCounters::fragment_limit_hits},
    {"tcp_segments", &capture::CaptureCounters::tcp_segments},
    {"tcp_connections", &capture::CaptureCounters::tcp_connections},
    {"tcp_chunks", &capture::CaptureCounters::tcp_chunks},
    {"tcp_out_of_order", &capture::CaptureCounters::tcp_out_of_order},
    {"tcp_retransmitted", &capture::CaptureCounters::tcp_retransmitted},
    {"tcp_gaps", &capture::CaptureCounters::tcp_gaps},
    {"tcp_bytes_lost", &capture::CaptureCounters::tcp_bytes_lost},
    {"tcp_truncated", &capture::CaptureCounters::tcp_truncated},
    {"tcp_connection_limit", &capture::CaptureCounters::tcp_connection_limit},
};

auto it(Buffer& out) { return fmt::appender(out); }

void json_counters(Buffer& out, const Counters& c, bool all_reasons) {
    bool first = true;
    for (const auto& f : kCounterFields) {
        fmt::format_to(it(out), "{}\"{}\":{}", first ? "" : ",", f.name, c.*f.member);
        first = false;
    }
    out.append(std::string_view(",\"reasons\":{"));
    bool first_reason = true;
    for (std::size_t i = 0; i < netflow::kReasonCount; ++i) {
        if (!all_reasons && c.reasons[i] == 0) continue;
        fmt::format_to(it(out), "{}\"{}\":{}", first_reason ? "" : ",", netflow::name(static_cast<netflow::Reason>(i)),
                       c.reasons[i]);
        first_reason = false;
    }
    out.push_back('}');
}

std::string endpoint(const wire::Endpoint& e) { return wire::to_string(e); }

void write_json(Buffer& out, const std::vector<FileSummary>& files, const session::SessionTable& table) {
    const auto totals = table.totals();
    capture::CaptureCounters frames;
    source::StreamCounters streams;
    std::uint64_t tcp_streams = 0;
    out.append(std::string_view("{\"files\":["));
    for (std::size_t i = 0; i < files.size(); ++i) {
        const auto& f = files[i];
        if (i) out.push_back(',');
        out.append(std::string_view("{\"file\":"));
        append_json_string(out, f.name);
        fmt::format_to(it(out), ",\"link_type\":\"{}\",\"frames\":{},\"error\":", f.link_type, f.counters.frames);
        if (f.error.empty()) {
            out.append(std::string_view("null"));
        } else {
            append_json_string(out, f.error);
        }
        out.push_back('}');
        frames.add(f.counters);
        streams.add(f.streams);
        tcp_streams += f.tcp_streams;
    }
    fmt::format_to(it(out),
                   "],\"frames\":{},\"not_ip_frames\":{},\"not_udp_packets\":{},\"udp_fragments\":{},"
                   "\"reassembled_datagrams\":{},\"frame_issues\":{{",
                   frames.frames, frames.not_ip, frames.not_udp, frames.fragments, frames.reassembled);
    for (std::size_t k = 0; k < frames.issues.size(); ++k) {
        fmt::format_to(it(out), "{}\"{}\":{}", k ? "," : "", capture::name(static_cast<capture::FrameIssue>(k)),
                       frames.issues[k]);
    }
    out.push_back('}');
    for (const auto& f : kCaptureFields) fmt::format_to(it(out), ",\"{}\":{}", f.name, frames.*f.member);
    out.append(std::string_view(",\"encapsulated\":{"));
    for (std::size_t k = 0; k < frames.encapsulated.size(); ++k) {
        fmt::format_to(it(out), "{}\"{}\":{}", k ? "," : "", capture::name(static_cast<capture::Encapsulation>(k)),
                       frames.encapsulated[k]);
    }
    fmt::format_to(it(out),
                   "}},\"tcp_streams\":{},\"stream_messages\":{},\"stream_bytes_lost\":{},\"stream_resyncs\":{},"
                   "\"stream_overflows\":{}",
                   tcp_streams, streams.messages, streams.bytes_lost, streams.resyncs, streams.overflows);
    fmt::format_to(it(out), ",\"datagrams\":{},\"not_export_datagrams\":{},\"session_limit_datagrams\":{},",
                   totals.datagrams, totals.not_export_datagrams, totals.session_limit_datagrams);
    json_counters(out, totals.counters, true);
    out.append(std::string_view(",\"sessions\":["));
    bool first = true;
    for (const auto& s : table.sessions()) {
        if (!first) out.push_back(',');
        first = false;
        fmt::format_to(it(out),
                       "{{\"exporter\":\"{}\",\"collector\":\"{}\",\"transport\":\"{}\",\"stream\":{},"
                       "\"version\":{},\"domain\":{},\"first_frame\":{},\"last_frame\":{},\"templates\":{},",
                       endpoint(s.key.exporter), endpoint(s.key.collector), source::name(s.transport), s.key.stream,
                       s.key.version, s.key.domain, s.first_frame, s.last_frame, s.state.templates.size());
        json_counters(out, s.counters, false);
        out.push_back('}');
    }
    out.append(std::string_view("]}\n"));
}

void write_text(Buffer& out, const std::vector<FileSummary>& files, const session::SessionTable& table) {
    const auto totals = table.totals();
    const Counters& c = totals.counters;
    for (const auto& f : files) {
        fmt::format_to(it(out), "{}: {} frames, link type {}", f.name, f.counters.frames, f.link_type);
        if (f.counters.not_ip || f.counters.not_udp) {
            fmt::format_to(it(out), " ({} not IP, {} not UDP)", f.counters.not_ip, f.counters.not_udp);
        }
        if (f.counters.fragments) {
            fmt::format_to(it(out), ", {} UDP fragments -> {} datagrams", f.counters.fragments, f.counters.reassembled);
        }
        out.push_back('\n');
        const capture::CaptureCounters& fc = f.counters;
        if (fc.filtered) fmt::format_to(it(out), "  {:>10}  frames left out by the capture filter\n", fc.filtered);
        if (fc.truncated_frames) {
            fmt::format_to(it(out), "  {:>10}  frames cut by the snap length ({} UDP datagrams handed on cut)\n",
                           fc.truncated_frames, fc.truncated_datagrams);
        }
        if (fc.fragment_duplicates || fc.fragment_limit_hits) {
            fmt::format_to(it(out), "  {:>10}  duplicate fragments, {} datagrams given up at a reassembly limit\n",
                           fc.fragment_duplicates, fc.fragment_limit_hits);
        }
        for (std::size_t k = 0; k < fc.encapsulated.size(); ++k) {
            if (fc.encapsulated[k] == 0) continue;
            auto e = static_cast<capture::Encapsulation>(k);
            fmt::format_to(it(out), "  {:>10}  frames through {} ({})\n", fc.encapsulated[k], capture::name(e),
                           capture::describe(e));
        }
        if (fc.tcp_segments || fc.tcp_connection_limit) {
            fmt::format_to(it(out), "  {:>10}  TCP segments followed: {} connections, {} stream directions",
                           fc.tcp_segments, fc.tcp_connections, f.tcp_streams);
            fmt::format_to(it(out), ", {} export messages cut\n", f.streams.messages);
            fmt::format_to(it(out),
                           "              {} out of order, {} retransmitted, {} cut by the snap length, {} gaps "
                           "({} bytes missing)\n",
                           fc.tcp_out_of_order, fc.tcp_retransmitted, fc.tcp_truncated, fc.tcp_gaps, fc.tcp_bytes_lost);
            if (f.streams.bytes_lost || f.streams.resyncs) {
                fmt::format_to(it(out),
                               "              {} stream bytes lost (gaps included), {} resynchronizations, {} "
                               "buffer overflows\n",
                               f.streams.bytes_lost, f.streams.resyncs, f.streams.overflows);
            }
            if (fc.tcp_connection_limit) {
                fmt::format_to(it(out), "  {:>10}  TCP segments not followed: too many connections\n",
                               fc.tcp_connection_limit);
            }
        }
        for (std::size_t k = 0; k < f.counters.issues.size(); ++k) {
            if (f.counters.issues[k] == 0) continue;
            auto issue = static_cast<capture::FrameIssue>(k);
            fmt::format_to(it(out), "  {:>10}  {} ({})\n", f.counters.issues[k], capture::name(issue),
                           capture::describe(issue));
        }
        if (!f.error.empty()) fmt::format_to(it(out), "  read stopped early: {}\n", f.error);
    }
    std::uint64_t stream_messages = 0;
    for (const auto& f : files) stream_messages += f.streams.messages;
    // Messages cut out of TCP streams go through the sessions as datagrams do.
    fmt::format_to(it(out), "\n{:<21}{:>10}\n", stream_messages ? "Messages" : "UDP datagrams", totals.datagrams);
    if (stream_messages) {
        fmt::format_to(it(out), "  UDP datagrams      {:>10}\n  TCP stream messages{:>10}\n",
                       totals.datagrams - std::min(totals.datagrams, stream_messages), stream_messages);
    }
    fmt::format_to(it(out),
                   "  not export traffic {:>10}\n"
                   "  export datagrams   {:>10}\n"
                   "    decoded          {:>10}\n"
                   "    partial          {:>10}\n"
                   "    malformed        {:>10}\n",
                   totals.not_export_datagrams, c.datagrams, c.decoded_datagrams, c.partial_datagrams,
                   c.malformed_datagrams);
    if (totals.session_limit_datagrams) {
        fmt::format_to(it(out), "  over session limit {:>10}\n", totals.session_limit_datagrams);
    }
    fmt::format_to(it(out),
                   "Records\n"
                   "  data               {:>10}\n"
                   "  options            {:>10}\n"
                   "  templates          {:>10}\n"
                   "  options templates  {:>10}\n",
                   c.data_records, c.options_records, c.template_records, c.options_template_records);
    if (c.template_withdrawals) fmt::format_to(it(out), "  withdrawals        {:>10}\n", c.template_withdrawals);
    if (c.missing_template_sets) {
        fmt::format_to(it(out), "  sets w/o template  {:>10}  (data before its template: not decoded)\n",
                       c.missing_template_sets);
    }
    if (c.sequence_gaps) {
        fmt::format_to(it(out), "Sequence gaps        {:>10}  ({} records/packets missing by sequence number)\n",
                       c.sequence_gaps, c.sequence_missing);
    }
    bool any = false;
    for (std::size_t i = 0; i < netflow::kReasonCount; ++i) {
        if (c.reasons[i] == 0) continue;
        if (!any) out.append(std::string_view("Issues\n"));
        any = true;
        auto r = static_cast<netflow::Reason>(i);
        fmt::format_to(it(out), "  {:<22} {:>8}  {}\n", netflow::name(r), c.reasons[i], netflow::describe(r));
    }
    if (table.sessions().empty()) {
        out.append(std::string_view("\nNo NetFlow/IPFIX export traffic found.\n"));
        return;
    }
    fmt::format_to(it(out), "\n{:<24} {:<24} {:>3} {:>10} {:>9} {:>10} {:>8} {:>6} {:>6} {:>8} {:>8}\n", "exporter",
                   "collector", "ver", "domain", "datagrams", "data", "options", "tmpl", "optmpl", "no-tmpl", "issues");
    for (const auto& s : table.sessions()) {
        const Counters& sc = s.counters;
        std::uint64_t issues = 0;
        for (auto n : sc.reasons) issues += n;
        fmt::format_to(it(out), "{:<24} {:<24} {:>3} {:>10} {:>9} {:>10} {:>8} {:>6} {:>6} {:>8} {:>8}\n",
                       endpoint(s.key.exporter), endpoint(s.key.collector), s.key.version, s.key.domain, sc.datagrams,
                       sc.data_records, sc.options_records, sc.template_records, sc.options_template_records,
                       sc.missing_template_sets, issues);
    }
}

}  // namespace

void write_stats(Output& out, const std::vector<FileSummary>& files, const session::SessionTable& table,
                 Format format) {
    if (format == Format::json) {
        write_json(out.buffer(), files, table);
    } else {
        write_text(out.buffer(), files, table);
    }
    out.flush();
}

}  // namespace nfpcap::report
