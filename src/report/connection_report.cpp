// SPDX-License-Identifier: MIT
// Connection table output. Text is aligned on column widths measured over the rows shown.
#include "nfpcap/report/connection_report.hpp"

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <vector>

#include <fmt/compile.h>
#include <fmt/ranges.h>

#include "nfpcap/analyze/services.hpp"
#include "nfpcap/report/host_names.hpp"

namespace nfpcap::report {

namespace {

using analyze::Connection;

auto it(Buffer& out) { return fmt::appender(out); }

std::string endpoint_text(const wire::Endpoint& e, const NameMap& names, bool has_port) {
    const std::string addr = wire::to_string(e.addr);
    std::string text;
    if (names.count(e.addr) != 0) {
        text = named_text(names, e.addr, addr);
    } else if (e.addr.family == 6 && has_port) {
        text = fmt::format(FMT_COMPILE("[{}]"), addr);
    } else {
        text = addr;
    }
    if (has_port) fmt::format_to(std::back_inserter(text), FMT_COMPILE(":{}"), e.port);
    return text;
}

std::string time_text(std::int64_t ns, bool local) {
    Buffer b;
    if (local) {
        append_local_time(b, ns, 3);
    } else {
        append_iso_time(b, ns, 3);
        b.resize(b.size() - 1);  // the table says UTC once, in its header
    }
    std::string s = fmt::to_string(b);
    s[10] = ' ';
    return s;
}

bool has_ports(const Connection& c) {
    return c.protocol == 6 || c.protocol == 17 || c.protocol == 132 || c.protocol == 136;
}

std::string protocol_text(std::uint8_t protocol) {
    auto name = analyze::protocol_name(protocol);
    return name.empty() ? std::to_string(protocol) : std::string(name);
}

// The exporters of a connection: every one that observed it when they were merged.
std::string exporters_text(const Connection& c) {
    if (c.exporters.empty()) return wire::to_string(c.exporter);
    std::string text;
    for (const auto& e : c.exporters) {
        if (!text.empty()) text.push_back(' ');
        text.append(wire::to_string(e));
    }
    return text;
}

// What the hostile-number rules did to a connection (wire/saturating.hpp), by the names of the
// `stats` reasons where there is one: "counter_saturated time_reversed time_clamped".
std::string anomalies_text(const Connection& c, std::string_view separator) {
    std::string text;
    auto add = [&](bool on, std::string_view word) {
        if (!on) return;
        if (!text.empty()) text.append(separator);
        text.append(word);
    };
    add(c.saturated, "counter_saturated");
    add(c.reversed, "time_reversed");
    add(c.time_clamped, "time_clamped");
    return text;
}

// The text table's columns. The last (Exporter) is shown only with
// ConnectionReportOptions::exporter_column.
struct Column {
    const char* heading;
    bool numeric;  // right-aligned
};
constexpr Column kColumns[] = {{"Start (UTC)", false}, {"Duration", true},  {"Proto", false},   {"Service", false},
                               {"Client", false},      {"Server", false},   {"C>S pkts", true}, {"C>S bytes", true},
                               {"S>C pkts", true},     {"S>C bytes", true}, {"Flags", false},   {"State", false},
                               {"Exporter", false}};
constexpr std::size_t kColumnCount = std::size(kColumns);
using Row = std::array<std::string, kColumnCount>;

Row header_row(const ConnectionReportOptions& o) {
    Row r;
    for (std::size_t i = 0; i < kColumnCount; ++i) r[i] = kColumns[i].heading;
    if (o.local_time) r[0] = "Start (local)";
    return r;
}

// TCP flags of both directions as nfdump prints them, client's then server's (`.AP.SF/.AP.SF`).
std::string flags_text(const Connection& c) {
    if (c.protocol != 6) return "-";
    std::string text = tcp_flag_letters(c.tcp_flags[0]);
    text.push_back('/');
    text.append(tcp_flag_letters(c.tcp_flags[1]));
    return text;
}

std::string state_text(const Connection& c) {
    const std::string_view state = analyze::name(analyze::tcp_state(c));
    return state.empty() ? "-" : std::string(state);
}

Row row_of(const Connection& c, const NameMap& names, const ConnectionReportOptions& o) {
    const bool ports = has_ports(c);
    std::string service = service_of(c);
    // Renormalized counters of records whose sampling rate is unknown are only a lower bound.
    const std::string_view mark = o.renormalized && c.unknown_sampling > 0 ? "~" : "";
    return {c.has_time ? time_text(c.start_ns, o.local_time) : "-",
            c.has_time ? human_duration(c.duration_ns()) : "-",
            protocol_text(c.protocol),
            service.empty() ? "-" : service,
            endpoint_text(c.client, names, ports),
            endpoint_text(c.server, names, ports),
            fmt::format(FMT_COMPILE("{}{}"), mark, c.packets[0]),
            human_size(c.bytes[0]),
            fmt::format(FMT_COMPILE("{}{}"), mark, c.packets[1]),
            human_size(c.bytes[1]),
            flags_text(c),
            state_text(c),
            o.exporter_column ? exporters_text(c) : std::string()};
}

void append_row(Buffer& out, const Row& r, const std::array<std::size_t, kColumnCount>& width, bool exporter_column) {
    const std::size_t columns = exporter_column ? r.size() : r.size() - 1;
    for (std::size_t i = 0; i < columns; ++i) {
        const std::size_t pad = width[i] - r[i].size();
        if (kColumns[i].numeric) append_spaces(out, pad);
        out.append(r[i]);
        if (!kColumns[i].numeric && i + 1 < columns) append_spaces(out, pad);
        if (i + 1 < columns) out.append(std::string_view("  "));
    }
    out.push_back('\n');
}

// Two passes over the rows (widths, then text) keep memory flat however many rows there are.
void write_text(Output& out, const analyze::Selection& sel, const NameMap& names, const ConnectionReportOptions& o) {
    const Row header = header_row(o);
    std::array<std::size_t, kColumnCount> width{};
    auto widen = [&width](const Row& r) {
        for (std::size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
    };
    if (!o.quiet) widen(header);
    for (const Connection& c : sel) widen(row_of(c, names, o));
    if (!o.quiet) append_row(out.buffer(), header, width, o.exporter_column);
    for (const Connection& c : sel) {
        append_row(out.buffer(), row_of(c, names, o), width, o.exporter_column);
        out.maybe_flush();
    }
}

void write_json(Output& output, const analyze::Selection& sel, const NameMap& names) {
    Buffer& out = output.buffer();
    for (const Connection& c : sel) {
        output.maybe_flush();
        out.append(std::string_view("{\"start\":"));
        if (c.has_time) {
            out.push_back('"');
            append_iso_time(out, c.start_ns, 3);
            out.append(std::string_view("\",\"end\":\""));
            append_iso_time(out, c.end_ns, 3);
            out.push_back('"');
            fmt::format_to(it(out), FMT_COMPILE(",\"duration_ms\":{}"), c.duration_ns() / 1'000'000);
        } else {
            out.append(std::string_view("null,\"end\":null,\"duration_ms\":null"));
        }
        fmt::format_to(it(out), FMT_COMPILE(",\"protocol\":{},\"protocol_name\":"), c.protocol);
        append_json_string(out, protocol_text(c.protocol));
        out.append(std::string_view(",\"service\":"));
        append_json_string(out, service_of(c));
        fmt::format_to(it(out),
                       FMT_COMPILE(",\"client\":\"{}\",\"client_port\":{},\"server\":\"{}\",\"server_port\":{}"),
                       wire::to_string(c.client.addr), c.client.port, wire::to_string(c.server.addr), c.server.port);
        out.append(std::string_view(",\"client_name\":"));
        append_json_name(out, names, c.client.addr);
        out.append(std::string_view(",\"server_name\":"));
        append_json_name(out, names, c.server.addr);
        fmt::format_to(it(out),
                       FMT_COMPILE(",\"packets_to_server\":{},\"packets_to_client\":{},\"bytes_to_server\":{},"
                                   "\"bytes_to_client\":{},\"records\":{},\"direction_rule\":\"{}\",\"one_way\":{},"),
                       c.packets[0], c.packets[1], c.bytes[0], c.bytes[1], c.records, analyze::name(c.rule),
                       c.one_way());
        if (c.protocol == 6) {
            fmt::format_to(it(out), FMT_COMPILE("\"client_tcp_flags\":\"{}\",\"server_tcp_flags\":\"{}\",\"state\":"),
                           tcp_flag_letters(c.tcp_flags[0]), tcp_flag_letters(c.tcp_flags[1]));
            const std::string_view state = analyze::name(analyze::tcp_state(c));
            if (state.empty()) {
                out.append(std::string_view("null,"));
            } else {
                fmt::format_to(it(out), FMT_COMPILE("\"{}\","), state);
            }
        }
        fmt::format_to(it(out), FMT_COMPILE("\"exporter\":\"{}\""), wire::to_string(c.exporter));
        if (!c.exporters.empty()) {
            out.append(std::string_view(",\"exporters\":["));
            for (std::size_t i = 0; i < c.exporters.size(); ++i) {
                fmt::format_to(it(out), FMT_COMPILE("{}\"{}\""), i ? "," : "", wire::to_string(c.exporters[i]));
            }
            out.push_back(']');
        }
        // Sampled connections say at what rate (null: only at unknown rates), and how many of
        // their records no rate is known for.
        if (c.sampling > 1) {
            fmt::format_to(it(out), FMT_COMPILE(",\"sampling_interval\":{}"), c.sampling);
        } else if (c.unknown_sampling > 0) {
            out.append(std::string_view(",\"sampling_interval\":null"));
        }
        if (c.unknown_sampling > 0)
            fmt::format_to(it(out), FMT_COMPILE(",\"unknown_sampling_records\":{}"), c.unknown_sampling);
        if (c.clamped()) {
            out.append(std::string_view(",\"anomalies\":[\""));
            out.append(anomalies_text(c, "\",\""));
            out.append(std::string_view("\"]"));
        }
        out.append(std::string_view("}\n"));
    }
}

void write_csv(Output& output, const analyze::Selection& sel, const NameMap& names, bool header = true) {
    Buffer& out = output.buffer();
    if (header) {
        out.append(std::string_view(
            "start,end,duration_ms,protocol,service,client,client_port,server,server_port,client_name,server_name,"
            "packets_to_server,packets_to_client,bytes_to_server,bytes_to_client,records,direction_rule,one_way,"
            "exporter,protocol_name,client_tcp_flags,server_tcp_flags,state,anomalies\n"));
    }
    auto name_of = [&](const wire::IpAddress& a) {
        auto found = names.find(a);
        return found == names.end() ? std::string() : csv_field(found->second);
    };
    for (const Connection& c : sel) {
        output.maybe_flush();
        if (c.has_time) {
            append_iso_time(out, c.start_ns, 3);
            out.push_back(',');
            append_iso_time(out, c.end_ns, 3);
            fmt::format_to(it(out), FMT_COMPILE(",{}"), c.duration_ns() / 1'000'000);
        } else {
            out.append(std::string_view(",,"));
        }
        fmt::format_to(it(out), FMT_COMPILE(",{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}"), c.protocol,
                       csv_field(service_of(c)), wire::to_string(c.client.addr), c.client.port,
                       wire::to_string(c.server.addr), c.server.port, name_of(c.client.addr), name_of(c.server.addr),
                       c.packets[0], c.packets[1], c.bytes[0], c.bytes[1], c.records, analyze::name(c.rule),
                       c.one_way(), csv_field(exporters_text(c)));
        // The columns added later go after exporter, so that existing readers keep their indexes.
        const bool tcp = c.protocol == 6;
        fmt::format_to(it(out), FMT_COMPILE(",{},{},{},{},{}\n"), protocol_text(c.protocol),
                       tcp ? tcp_flag_letters(c.tcp_flags[0]) : "", tcp ? tcp_flag_letters(c.tcp_flags[1]) : "",
                       analyze::name(analyze::tcp_state(c)), anomalies_text(c, " "));
    }
}

// What the selection left out, one line each (`prefix` before each line).
void append_skipped(Buffer& out, const analyze::Selection& sel, const ConnectionReportOptions& o,
                    std::string_view prefix) {
    if (sel.below_min_packets) {
        fmt::format_to(it(out), FMT_COMPILE("{}{} connections with fewer than {} packets skipped (-p 0 shows all).\n"),
                       prefix, sel.below_min_packets, o.min_packets);
    }
    if (sel.other_hosts) {
        fmt::format_to(it(out), FMT_COMPILE("{}{} connections not involving --match-host skipped.\n"), prefix,
                       sel.other_hosts);
    }
    if (sel.beyond_top) {
        fmt::format_to(it(out), FMT_COMPILE("{}{} smaller connections beyond --top skipped.\n"), prefix,
                       sel.beyond_top);
    }
}

// Without a text footer (JSON, CSV, -q) what it would say of the rows left out and of the run's
// losses goes to standard error, so that no format hides it.
// Data records that are no flow: said, so an empty or small table does not puzzle.
void append_keyless(Buffer& out, const ConnectionFooter& f, std::string_view prefix) {
    if (f.keyless == 0) return;
    fmt::format_to(it(out),
                   FMT_COMPILE("{}{} data record{} without a flow key (no source and destination address: PSAMP packet "
                               "reports, event records) {} in no connection; nfpcap flows shows {}.\n"),
                   prefix, f.keyless, f.keyless == 1 ? "" : "s", f.keyless == 1 ? "is" : "are",
                   f.keyless == 1 ? "it" : "them");
}

void print_footer_notes(const analyze::Selection& sel, const ConnectionFooter& f, const ConnectionReportOptions& o) {
    Buffer notes;
    append_skipped(notes, sel, o, "nfpcap: ");
    append_keyless(notes, f, "nfpcap: ");
    std::fwrite(notes.data(), 1, notes.size(), stderr);
    print_losses(f.losses);
}

void write_footer(Buffer& out, std::size_t shown, const analyze::Selection& sel, const ConnectionFooter& f,
                  const ConnectionReportOptions& o) {
    fmt::format_to(it(out), FMT_COMPILE("\n{} of {} connections shown ({} flow records"), shown, f.connections,
                   f.records);
    if (f.one_way) fmt::format_to(it(out), FMT_COMPILE("; {} one-way"), f.one_way);
    out.append(std::string_view(").\n"));
    append_skipped(out, sel, o, "");
    append_keyless(out, f, "");
    if (f.first_ns && f.last_ns) {
        fmt::format_to(it(out), FMT_COMPILE("Time range: {} to {} ({}).\n"), time_text(*f.first_ns, o.local_time),
                       time_text(*f.last_ns, o.local_time), o.local_time ? "local" : "UTC");
    }
    if (!f.exporters.empty()) {
        out.append(std::string_view(f.exporters.size() == 1 ? "Exporter:" : "Exporters:"));
        for (const auto& e : f.exporters) fmt::format_to(it(out), FMT_COMPILE(" {}"), wire::to_string(e));
        out.append(std::string_view(".\n"));
    }
    if (f.dns) append_names_footer(out, *f.dns);
    std::uint64_t sampled = 0;
    for (const auto& [interval, n] : f.sampling_records) sampled += interval > 1 ? n : 0;
    if (sampled > 0) {
        out.append(std::string_view(o.renormalized
                                        ? "Counters renormalized by each record's sampling rate:"
                                        : "Sampled records (counters as exported; --renormalize scales them):"));
        bool first = true;
        for (const auto& [interval, n] : f.sampling_records) {
            fmt::format_to(it(out), FMT_COMPILE("{} {} at 1 in {}"), first ? "" : ",", n, interval);
            first = false;
        }
        out.append(std::string_view(".\n"));
    }
    if (f.unknown_sampling_records) {
        fmt::format_to(
            it(out),
            FMT_COMPILE("{} flow records were sampled at a rate no options data announced: their counters are as "
                        "exported{}.\n"),
            f.unknown_sampling_records, o.renormalized ? " (packet counts marked ~)" : "");
    }
    if (f.saturated) {
        fmt::format_to(it(out), FMT_COMPILE("{} connections with a counter stopped at 2^64-1 (saturated).\n"),
                       f.saturated);
    }
    if (f.reversed) {
        fmt::format_to(it(out),
                       FMT_COMPILE("{} connections with a record that ends before it starts (taken as lasting 0).\n"),
                       f.reversed);
    }
    if (f.time_clamped) {
        fmt::format_to(it(out), FMT_COMPILE("{} connections with times clamped to 1677..2262 (int64 nanoseconds).\n"),
                       f.time_clamped);
    }
    append_loss_footer(out, f.losses, f.stats_hint);
}

}  // namespace

std::string tcp_flag_letters(std::uint8_t flags) {
    // RFC 9293 §3.1 bit order, most significant first: URG ACK PSH RST SYN FIN.
    static constexpr char kLetters[] = "UAPRSF";
    std::string out(6, '.');
    for (std::size_t i = 0; i < 6; ++i) {
        if ((flags & (0x20U >> i)) != 0) out[i] = kLetters[i];
    }
    return out;
}

std::string human_size(std::uint64_t bytes) {
    if (bytes < 1024) return std::to_string(bytes);
    static constexpr char kUnits[] = "KMGTPE";
    double v = static_cast<double>(bytes);
    std::size_t unit = 0;
    v /= 1024;
    while (v >= 1024 && unit + 1 < sizeof kUnits - 1) {
        v /= 1024;
        ++unit;
    }
    // Three significant digits, without rounding up past the unit (1023.9K stays 1.00M).
    if (v >= 999.5 && unit + 1 < sizeof kUnits - 1) {
        v /= 1024;
        ++unit;
    }
    if (v < 9.995) return fmt::format(FMT_COMPILE("{:.2f}{}"), v, kUnits[unit]);
    if (v < 99.95) return fmt::format(FMT_COMPILE("{:.1f}{}"), v, kUnits[unit]);
    return fmt::format(FMT_COMPILE("{:.0f}{}"), v, kUnits[unit]);
}

std::string human_duration(std::int64_t ns) {
    if (ns < 0) ns = 0;
    const std::int64_t ms = ns / 1'000'000;
    // Tenths below a second (most flows of a request/response), whole units above.
    if (ms < 950) return fmt::format(FMT_COMPILE("{:.1f} sec"), static_cast<double>(ms) / 1000.0);
    const std::int64_t s = (ms + 500) / 1000;
    if (s < 60) return fmt::format(FMT_COMPILE("{} sec"), s);
    if (s < 3600) return fmt::format(FMT_COMPILE("{}:{:02} min"), s / 60, s % 60);
    return fmt::format(FMT_COMPILE("{}:{:02}:{:02} h"), s / 3600, s / 60 % 60, s % 60);
}

std::string service_of(const Connection& c) {
    if ((c.protocol == 1 || c.protocol == 58) && c.icmp_type) {
        auto name = analyze::icmp_type_name(c.protocol, *c.icmp_type);
        return name.empty() ? "type " + std::to_string(*c.icmp_type) : std::string(name);
    }
    auto name = analyze::service_name(c.protocol, c.server.port);
    if (name.empty()) name = analyze::service_name(c.protocol, c.client.port);
    return std::string(name);
}

void write_connections(Output& out, const analyze::Selection& selection, const ConnectionFooter& footer,
                       const NameMap& names, const ConnectionReportOptions& options) {
    Buffer& b = out.buffer();
    switch (options.format) {
    case Format::text:
        write_text(out, selection, names, options);
        if (!options.quiet) write_footer(b, selection.size(), selection, footer, options);
        break;
    case Format::json: write_json(out, selection, names); break;
    case Format::csv: write_csv(out, selection, names); break;
    case Format::line:  // not offered for connections
    case Format::count_: break;
    }
    if (options.format != Format::text || options.quiet) print_footer_notes(selection, footer, options);
    out.flush();
}

void write_connection_rows(Output& out, const analyze::Selection& rows, const NameMap& names,
                           const ConnectionReportOptions& options, bool header) {
    switch (options.format) {
    case Format::text: {
        // Wide enough for most rows: a start time, IPv4 endpoints with a short name, one exporter.
        constexpr std::array<std::size_t, kColumnCount> kWidth{23, 8, 5, 10, 28, 28, 8, 9, 8, 9, 13, 11, 21};
        auto fit = [&kWidth](const Row& r) {
            std::array<std::size_t, kColumnCount> w = kWidth;
            for (std::size_t i = 0; i < r.size(); ++i) w[i] = std::max(w[i], r[i].size());
            return w;
        };
        if (header && !options.quiet) {
            const Row h = header_row(options);
            append_row(out.buffer(), h, fit(h), options.exporter_column);
        }
        for (const Connection& c : rows) {
            const Row r = row_of(c, names, options);
            append_row(out.buffer(), r, fit(r), options.exporter_column);
        }
        break;
    }
    case Format::json: write_json(out, rows, names); break;
    case Format::csv: write_csv(out, rows, names, header); break;
    case Format::line:
    case Format::count_: break;
    }
    out.flush();
}

void write_connection_footer(Output& out, std::size_t shown, const analyze::Selection& skipped,
                             const ConnectionFooter& footer, const ConnectionReportOptions& options) {
    if (options.format == Format::text && !options.quiet) {
        write_footer(out.buffer(), shown, skipped, footer, options);
    } else {
        print_footer_notes(skipped, footer, options);
    }
    out.flush();
}

}  // namespace nfpcap::report
