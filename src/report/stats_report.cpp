// SPDX-License-Identifier: MIT
// `nfpcap stats` as aligned text or one JSON document. Every UDP datagram appears exactly once:
// datagrams = not_export_datagrams + export_datagrams (+ session_limit_datagrams), and
// export_datagrams = decoded_datagrams + partial_datagrams + malformed_datagrams.
#include <algorithm>
#include <iterator>
#include <span>
#include <string>
#include <vector>

#include "nfpcap/capture/frame.hpp"
#include "nfpcap/netflow/version.hpp"
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
    {"template_withdrawals_ignored", &Counters::template_withdrawals_ignored},
    {"missing_template_sets", &Counters::missing_template_sets},
    {"late_sets", &Counters::late_sets},
    {"late_data_records", &Counters::late_data_records},
    {"late_options_records", &Counters::late_options_records},
    {"previous_template_records", &Counters::previous_template_records},
    {"sequence_gaps", &Counters::sequence_gaps},
    {"sequence_missing", &Counters::sequence_missing},
};

/// What the sequence number counts, in words ("flows", "export packets", "data records").
std::string_view unit_words(std::uint16_t version, bool one) {
    const netflow::VersionInfo* info = netflow::version_info(version);
    switch (info != nullptr ? info->sequence : netflow::SequenceUnit::none) {
    case netflow::SequenceUnit::flows: return one ? "flow" : "flows";
    case netflow::SequenceUnit::export_packets: return one ? "export packet" : "export packets";
    case netflow::SequenceUnit::data_records: return one ? "data record" : "data records";
    case netflow::SequenceUnit::none:
    case netflow::SequenceUnit::count_: break;
    }
    return one ? "message" : "messages";
}

/// "13 flows lost, 1 datagram duplicated, 1 reordered, 1 restart"; empty when all is well.
std::string sequence_words(const Counters& c, std::uint16_t version) {
    std::string text;
    auto add = [&](std::uint64_t n, std::string_view what) {
        if (n == 0) return;
        if (!text.empty()) text += ", ";
        text += fmt::format("{} {}", n, what);
    };
    if (c.sequence_missing != 0) {
        add(c.sequence_missing, fmt::format("{} lost", unit_words(version, c.sequence_missing == 1)));
    }
    add(c.sequence_duplicates, c.sequence_duplicates == 1 ? "datagram duplicated" : "datagrams duplicated");
    add(c.sequence_reordered, c.sequence_reordered == 1 ? "datagram reordered" : "datagrams reordered");
    add(c.restarts, c.restarts == 1 ? "exporter restart" : "exporter restarts");
    return text;
}

auto it(Buffer& out) { return fmt::appender(out); }

void json_counters(Buffer& out, const Counters& c, bool all_reasons) {
    bool first = true;
    for (const auto& f : kCounterFields) {
        fmt::format_to(it(out), "{}\"{}\":{}", first ? "" : ",", f.name, c.*f.member);
        first = false;
    }
    // lost in the version's unit (totals: summed over versions), the others in datagrams
    fmt::format_to(it(out), ",\"sequence\":{{\"lost\":{},\"duplicates\":{},\"reordered\":{},\"restarts\":{}}}",
                   c.sequence_missing, c.sequence_duplicates, c.sequence_reordered, c.restarts);
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

void json_sampling(Buffer& out, const analyze::Sampling& s) {
    out.append(std::string_view("{\"interval\":"));
    if (s.known()) {
        fmt::format_to(it(out), "{}", s.interval);
    } else {
        out.append(std::string_view("null"));
    }
    fmt::format_to(it(out), ",\"algorithm\":{},\"algorithm_name\":", s.algorithm);
    append_json_string(out, analyze::algorithm_name(s.algorithm));
    out.push_back('}');
}

// A session's sampling: what its options data announced (session-wide, per sampler), and how
// its data records' rates were resolved (by source, by interval).
void json_session_sampling(Buffer& out, const analyze::SessionOptions* o) {
    static const analyze::SessionOptions none;
    if (o == nullptr) o = &none;
    out.append(std::string_view(",\"sampling\":{\"announced\":"));
    if (o->sampling) {
        json_sampling(out, *o->sampling);
    } else {
        out.append(std::string_view("null"));
    }
    out.append(std::string_view(",\"samplers\":["));
    bool first = true;
    for (const auto& [id, s] : o->samplers) {
        fmt::format_to(it(out), "{}{{\"id\":{},\"name\":", first ? "" : ",", id);
        first = false;
        auto name = o->sampler_names.find(id);
        if (name != o->sampler_names.end()) {
            append_json_string(out, name->second);
        } else {
            out.append(std::string_view("null"));
        }
        out.append(std::string_view(",\"rate\":"));
        json_sampling(out, s);
        out.push_back('}');
    }
    out.append(std::string_view("],\"records\":{"));
    for (std::size_t i = 0; i < analyze::kSamplingSourceCount; ++i) {
        fmt::format_to(it(out), "{}\"{}\":{}", i ? "," : "", analyze::name(static_cast<analyze::SamplingSource>(i)),
                       o->records[i]);
    }
    out.append(std::string_view("},\"records_by_interval\":{"));
    first = true;
    for (const auto& [interval, n] : o->records_by_interval) {
        fmt::format_to(it(out), "{}\"{}\":{}", first ? "" : ",", interval, n);
        first = false;
    }
    out.append(std::string_view("}}"));
}

std::string rate_text(const analyze::Sampling& s) {
    std::string text = s.known() ? fmt::format("1 in {}", s.interval) : std::string("rate unknown");
    const auto algorithm = analyze::algorithm_name(s.algorithm);
    if (!algorithm.empty()) text += fmt::format(" ({})", algorithm);
    return text;
}

// One line per session whose options data or records said anything of sampling.
void text_sampling(Buffer& out, const session::SessionTable& table, const analyze::OptionsState& options) {
    bool any = false;
    for (const auto& s : table.sessions()) {
        const analyze::SessionOptions* o = options.session(s.index);
        if (o == nullptr) continue;
        const auto& r = o->records;
        const std::uint64_t unsampled = r[static_cast<std::size_t>(analyze::SamplingSource::none)];
        std::uint64_t resolved = 0;
        for (auto n : r) resolved += n;
        if (!o->sampling && o->samplers.empty() && unsampled == resolved) continue;
        if (!any) out.append(std::string_view("\nSampling\n"));
        any = true;
        fmt::format_to(it(out), "  {} v{} domain {}:", endpoint(s.key.exporter), s.key.version, s.key.domain);
        std::vector<std::string> parts;
        if (o->sampling) parts.push_back("session: " + rate_text(*o->sampling));
        for (const auto& [id, rate] : o->samplers) {
            auto name = o->sampler_names.find(id);
            parts.push_back(fmt::format("sampler {}{}: {}", id,
                                        name != o->sampler_names.end() ? " \"" + name->second + "\"" : std::string(),
                                        rate_text(rate)));
        }
        for (std::size_t i = 0; i < analyze::kSamplingSourceCount; ++i) {
            if (r[i] == 0 || static_cast<analyze::SamplingSource>(i) == analyze::SamplingSource::unknown) continue;
            parts.push_back(
                fmt::format("{} records by {}", r[i], analyze::name(static_cast<analyze::SamplingSource>(i))));
        }
        for (const auto& [interval, n] : o->records_by_interval)
            parts.push_back(fmt::format("{} at 1 in {}", n, interval));
        if (auto n = r[static_cast<std::size_t>(analyze::SamplingSource::unknown)]) {
            parts.push_back(fmt::format("{} sampled at an unknown rate (not renormalized)", n));
        }
        for (std::size_t i = 0; i < parts.size(); ++i) fmt::format_to(it(out), "{} {}", i ? ";" : "", parts[i]);
        out.push_back('\n');
    }
}

void write_json(Buffer& out, const std::vector<FileSummary>& files, const session::SessionTable& table,
                const analyze::OptionsState* options) {
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
        fmt::format_to(it(out), ",\"link_type\":\"{}\",\"frames\":{},", f.link_type, f.counters.frames);
        if (f.kernel_drops) fmt::format_to(it(out), "\"kernel_drops\":{},", *f.kernel_drops);
        if (f.live && (f.streams.messages != 0 || f.streams.bytes_lost != 0 || f.streams.resyncs != 0)) {
            fmt::format_to(it(out), "\"stream_messages\":{},\"stream_bytes_lost\":{},\"stream_resyncs\":{},",
                           f.streams.messages, f.streams.bytes_lost, f.streams.resyncs);
        }
        out.append(std::string_view("\"error\":"));
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
    out.push_back(']');
    const std::span fields(capture::kCaptureCounterFields);
    for (const auto& f : fields.first(capture::kCaptureCountersFirst)) {
        fmt::format_to(it(out), ",\"{}\":{}", f.name, frames.*f.member);
    }
    out.append(std::string_view(",\"frame_issues\":{"));
    for (std::size_t k = 0; k < frames.issues.size(); ++k) {
        fmt::format_to(it(out), "{}\"{}\":{}", k ? "," : "", capture::name(static_cast<capture::FrameIssue>(k)),
                       frames.issues[k]);
    }
    out.push_back('}');
    for (const auto& f : fields.subspan(capture::kCaptureCountersFirst)) {
        fmt::format_to(it(out), ",\"{}\":{}", f.name, frames.*f.member);
    }
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
                       "\"version\":{},\"domain\":{},\"first_frame\":{},\"last_frame\":{},\"templates\":{},"
                       "\"sequence_unit\":\"{}\",",
                       endpoint(s.key.exporter), endpoint(s.key.collector), source::name(s.transport), s.key.stream,
                       s.key.version, s.key.domain, s.first_frame, s.last_frame, s.state.templates.size(),
                       unit_words(s.key.version, false));
        json_counters(out, s.counters, false);
        fmt::format_to(it(out), ",\"described_elements\":{}", s.state.definitions ? s.state.definitions->size() : 0);
        if (options != nullptr) json_session_sampling(out, options->session(s.index));
        out.push_back('}');
    }
    out.append(std::string_view("]}\n"));
}

void write_text(Buffer& out, const std::vector<FileSummary>& files, const session::SessionTable& table,
                const analyze::OptionsState* options) {
    const auto totals = table.totals();
    const Counters& c = totals.counters;
    for (const auto& f : files) {
        if (f.link_type.empty()) {  // sockets: messages, no frames
            fmt::format_to(it(out), "{}: {} messages received", f.name, f.counters.frames);
        } else {
            fmt::format_to(it(out), "{}: {} frames, link type {}", f.name, f.counters.frames, f.link_type);
        }
        if (f.kernel_drops) fmt::format_to(it(out), ", {} dropped by the kernel", *f.kernel_drops);
        if (f.live && (f.streams.bytes_lost != 0 || f.streams.resyncs != 0)) {  // captures: below
            fmt::format_to(it(out), ", {} TCP stream bytes skipped (no message header) in {} resync{}",
                           f.streams.bytes_lost, f.streams.resyncs, f.streams.resyncs == 1 ? "" : "s");
        }
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
        if (fc.sctp_packets || fc.sctp_association_limit) {
            fmt::format_to(it(out), "  {:>10}  SCTP packets followed: {} associations, {} user messages\n",
                           fc.sctp_packets, fc.sctp_associations, fc.sctp_messages);
            fmt::format_to(it(out),
                           "              {} duplicates dropped, {} out of order, {} gaps ({} messages missing), "
                           "{} fragmented messages incomplete, {} chunks past the association limit\n",
                           fc.sctp_duplicates, fc.sctp_out_of_order, fc.sctp_gaps, fc.sctp_messages_lost,
                           fc.sctp_incomplete, fc.sctp_association_limit);
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
    if (c.template_withdrawals) {
        fmt::format_to(it(out), "  withdrawals        {:>10}", c.template_withdrawals);
        if (c.template_withdrawals_ignored) {
            fmt::format_to(it(out), "  ({} over UDP: ignored, RFC 7011 8.4)", c.template_withdrawals_ignored);
        }
        out.push_back('\n');
    }
    if (c.late_sets) {
        fmt::format_to(it(out), "  late sets          {:>10}  (data before its template, decoded when it came: {} data",
                       c.late_sets, c.late_data_records);
        if (c.late_options_records) fmt::format_to(it(out), ", {} options", c.late_options_records);
        out.append(std::string_view(" records"));
        if (c.previous_template_records) {
            fmt::format_to(it(out), "; {} with the template of before a restart", c.previous_template_records);
        }
        out.append(std::string_view(")\n"));
    }
    if (c.missing_template_sets) {
        fmt::format_to(it(out), "  sets w/o template  {:>10}  (no template came for them: not decoded)\n",
                       c.missing_template_sets);
    }
    if (const std::uint64_t dropped = c.reasons[static_cast<std::size_t>(netflow::Reason::pending_limit)]) {
        fmt::format_to(it(out), "  sets dropped       {:>10}  (waiting for a template, over --pending-limit)\n",
                       dropped);
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
    // Sequence numbers, per session, in words: only what is worth saying.
    bool said = false;
    for (const auto& s : table.sessions()) {
        const std::string words = sequence_words(s.counters, s.key.version);
        if (words.empty() && s.counters.late_sets == 0) continue;
        if (!said) out.append(std::string_view("\nSequence and late data\n"));
        said = true;
        fmt::format_to(it(out), "  {} -> {} v{} domain {}:", endpoint(s.key.exporter), endpoint(s.key.collector),
                       s.key.version, s.key.domain);
        if (!words.empty()) fmt::format_to(it(out), " {}", words);
        if (s.counters.late_sets != 0) {
            fmt::format_to(it(out), "{} {} records decoded late", words.empty() ? "" : ";",
                           s.counters.late_data_records + s.counters.late_options_records);
        }
        out.push_back('\n');
    }
    if (options != nullptr) text_sampling(out, table, *options);
    bool described = false;
    for (const auto& s : table.sessions()) {
        if (!s.state.definitions || s.state.definitions->empty()) continue;
        if (!described) out.append(std::string_view("\nElements described in-band (RFC 5610)\n"));
        described = true;
        fmt::format_to(it(out), "  {} v{} domain {}: {}\n", endpoint(s.key.exporter), s.key.version, s.key.domain,
                       s.state.definitions->size());
    }
}

}  // namespace

void write_stats(Output& out, const std::vector<FileSummary>& files, const session::SessionTable& table, Format format,
                 const analyze::OptionsState* options) {
    if (format == Format::json) {
        write_json(out.buffer(), files, table, options);
    } else {
        write_text(out.buffer(), files, table, options);
    }
    out.flush();
}

}  // namespace nfpcap::report
