// SPDX-License-Identifier: MIT
// The record formats: JSON lines, text, CSV and nfdump-style lines, formatted straight into
// the buffer (bounded envelopes written in one reservation).
#include <array>
#include <cctype>
#include <cstring>
#include <initializer_list>

#include <fmt/compile.h>

#include "nfpcap/analyze/flow.hpp"
#include "nfpcap/analyze/services.hpp"
#include "nfpcap/ie/ids.hpp"
#include "nfpcap/netflow/version.hpp"
#include "nfpcap/report/connection_report.hpp"
#include "nfpcap/report/field_value.hpp"
#include "nfpcap/report/record_writer.hpp"
#include "nfpcap/wire/saturating.hpp"

namespace nfpcap::report {

namespace {

void append_endpoint(Buffer& out, const wire::Endpoint& e) {
    char buf[wire::kMaxEndpointText];
    out.append(buf, wire::write_endpoint(buf, e));
}

bool template_based(const netflow::ExportHeader& h) noexcept {
    const netflow::VersionInfo* info = netflow::version_info(h.version);
    return info != nullptr && info->template_based;
}

/// Whether the record says which template definition decoded it: late records always do
/// (their template came after them), the others with --provenance; v1/v5 have no templates.
bool shows_template_frame(const netflow::DataRecord& r, const RecordNotes& notes) noexcept {
    return (r.late || notes.provenance) && template_based(*r.header);
}

/// Index of the first non-scope field with IANA id `id` (the first of `ids` present), or -1.
int find_field(const netflow::Template& t, std::initializer_list<std::uint16_t> ids) {
    for (std::uint16_t id : ids) {
        for (std::size_t i = 0; i < t.fields.size(); ++i) {
            if (t.fields[i].pen == 0 && t.fields[i].id == id && !t.fields[i].scope) return static_cast<int>(i);
        }
    }
    return -1;
}

// What --join-options adds to a data record, as `"key":value` (json) or `key=value` (text)
// words, each led by `separator`.
void append_joined(Buffer& out, const analyze::JoinedOptions& j, ValueStyle style, char separator) {
    const bool json = style == ValueStyle::json;
    auto key = [&](std::string_view name) {
        out.push_back(separator);
        if (json) out.push_back('"');
        out.append(name);
        out.append(json ? std::string_view("\":") : std::string_view("="));
    };
    key("sampling_interval");
    if (j.sampling.known()) {
        append_uint(out, j.sampling.interval);
    } else {
        out.append(json ? std::string_view("null") : std::string_view("unknown"));
    }
    key("sampling_source");
    if (json) out.push_back('"');
    out.append(analyze::name(j.sampling.source));
    if (json) out.push_back('"');
    const std::pair<std::string_view, std::string_view> names[] = {
        {"ingress_interface_name", j.ingress_interface_name},
        {"egress_interface_name", j.egress_interface_name},
        {"ingress_interface_description", j.ingress_interface_description},
        {"egress_interface_description", j.egress_interface_description},
        {"ingress_vrf_name", j.ingress_vrf_name},
        {"egress_vrf_name", j.egress_vrf_name},
        {"sampler_name", j.sampler_name},
    };
    for (const auto& [name, value] : names) {
        if (value.empty()) continue;
        key(name);
        append_json_string(out, value);  // quoted and escaped in text too: one record stays one line
    }
    if (j.exporter_address) {
        key("exporter_address");
        if (json) out.push_back('"');
        out.append(wire::to_string(*j.exporter_address));
        if (json) out.push_back('"');
    }
}

class JsonFormatter final : public RecordFormatter {
public:
    void record(Buffer& out, const netflow::DataRecord& r, const RecordNotes& notes) override {
        const netflow::FlowTimes times = r.times();
        const auto& h = *r.header;
        // The envelope: bounded, written in one go (file name escaped: 6 bytes per byte at most).
        char* p = reserve(out, 480 + 6 * notes.file.size());
        *p++ = '{';
        if (!notes.file.empty()) {
            p = put(p, "\"file\":");
            p = put_json_string(p, notes.file);
            *p++ = ',';
        }
        p = put(p, "\"frame\":");
        p = put_uint(p, r.context->frame);
        p = put(p, ",\"time\":\"");
        p = put_iso_time(p, r.context->time_ns, r.context->time_digits);
        p = put(p, "\",\"exporter\":\"");
        p = wire::write_endpoint(p, r.context->exporter);
        p = put(p, "\",\"version\":");
        p = put_uint(p, h.version);
        p = put(p, ",\"domain\":");
        p = put_uint(p, h.domain);
        if (template_based(h)) {
            p = put(p, ",\"template\":");
            p = put_uint(p, r.tmpl->id);
        }
        if (r.late) p = put(p, ",\"late\":true");
        if (r.previous_template) p = put(p, ",\"previous_template\":true");
        if (shows_template_frame(r, notes)) {
            p = put(p, ",\"template_frame\":");
            p = put_uint(p, r.tmpl->frame);
        }
        if (r.is_options()) p = put(p, ",\"kind\":\"options\"");
        for (auto [key, ns] : {std::pair{",\"start\":", times.start_ns}, std::pair{",\"end\":", times.end_ns}}) {
            p = put(p, key);
            if (ns) {
                *p++ = '"';
                p = put_iso_time(p, *ns, 3);
                *p++ = '"';
            } else {
                p = put(p, "null");
            }
        }
        if (h.version == 5) {
            p = fmt::format_to(
                p, FMT_COMPILE(",\"engineType\":{},\"engineId\":{},\"samplingAlgorithm\":{},\"samplingInterval\":{}"),
                h.engine_type, h.engine_id, h.sampling_mode(), h.sampling_interval());
        } else if (h.version == 8) {
            p = fmt::format_to(
                p, FMT_COMPILE(",\"engineType\":{},\"engineId\":{},\"aggregation\":{},\"aggregationVersion\":{}"),
                h.engine_type, h.engine_id, h.aggregation, h.aggregation_version);
        }
        if (!r.tmpl->fields.empty()) *p++ = ',';
        commit(out, p);
        append_fields(out, *r.tmpl, r.values, r, ValueStyle::json, 0, &keys_);
        if (notes.joined != nullptr) append_joined(out, *notes.joined, ValueStyle::json, ',');
        out.append(std::string_view("}\n"));
    }

private:
    JsonKeyCache keys_;
};

void append_time_or_dash(Buffer& out, const std::optional<std::int64_t>& ns) {
    if (ns) {
        append_iso_time(out, *ns, 3);
    } else {
        out.push_back('-');
    }
}

class TextFormatter final : public RecordFormatter {
public:
    void record(Buffer& out, const netflow::DataRecord& r, const RecordNotes& notes) override {
        const netflow::FlowTimes times = r.times();
        const auto& h = *r.header;
        if (!notes.file.empty()) {
            out.append(notes.file);
            out.push_back(' ');
        }
        out.push_back('#');
        append_uint(out, r.context->frame);
        out.push_back(' ');
        append_iso_time(out, r.context->time_ns, r.context->time_digits);
        out.push_back(' ');
        append_endpoint(out, r.context->exporter);
        fmt::format_to(fmt::appender(out), FMT_COMPILE(" v{} domain={}"), h.version, h.domain);
        if (template_based(h)) fmt::format_to(fmt::appender(out), FMT_COMPILE(" template={}"), r.tmpl->id);
        if (r.late) out.append(std::string_view(" late"));
        if (r.previous_template) out.append(std::string_view(" previous_template"));
        if (shows_template_frame(r, notes))
            fmt::format_to(fmt::appender(out), FMT_COMPILE(" template_frame={}"), r.tmpl->frame);
        if (r.is_options()) out.append(std::string_view(" options"));
        out.append(std::string_view(" start="));
        append_time_or_dash(out, times.start_ns);
        out.append(std::string_view(" end="));
        append_time_or_dash(out, times.end_ns);
        if (h.version == 5) {
            fmt::format_to(fmt::appender(out),
                           FMT_COMPILE(" engineType={} engineId={} samplingAlgorithm={} samplingInterval={}"),
                           h.engine_type, h.engine_id, h.sampling_mode(), h.sampling_interval());
        } else if (h.version == 8) {
            fmt::format_to(fmt::appender(out),
                           FMT_COMPILE(" engineType={} engineId={} aggregation={} aggregationVersion={}"),
                           h.engine_type, h.engine_id, h.aggregation, h.aggregation_version);
        }
        out.push_back(' ');
        append_fields(out, *r.tmpl, r.values, r, ValueStyle::text, 0, &keys_);
        if (notes.joined != nullptr) append_joined(out, *notes.joined, ValueStyle::text, ' ');
        out.push_back('\n');
    }

private:
    JsonKeyCache keys_{ValueStyle::text};
};

/// CSV columns: the envelope, then the flow key and counters by IANA name (empty when the
/// record has no such element), then every field as one quoted `name=value ...` column.
struct CsvColumn {
    std::string_view name;
    std::uint16_t id;
};
constexpr std::array<CsvColumn, 9> kCsvColumns{{
    {"sourceIPv4Address", ie::iana::sourceIPv4Address},
    {"sourceIPv6Address", ie::iana::sourceIPv6Address},
    {"sourceTransportPort", ie::iana::sourceTransportPort},
    {"destinationIPv4Address", ie::iana::destinationIPv4Address},
    {"destinationIPv6Address", ie::iana::destinationIPv6Address},
    {"destinationTransportPort", ie::iana::destinationTransportPort},
    {"protocolIdentifier", ie::iana::protocolIdentifier},
    {"packetDeltaCount", ie::iana::packetDeltaCount},
    {"octetDeltaCount", ie::iana::octetDeltaCount},
}};

class CsvFormatter final : public RecordFormatter {
public:
    void begin(Buffer& out) override {
        out.append(std::string_view("frame,time,exporter,version,domain,template,kind,late,template_frame,start,end"));
        for (const CsvColumn& c : kCsvColumns) {
            out.push_back(',');
            out.append(c.name);
        }
        out.append(std::string_view(",fields\n"));
    }

    void record(Buffer& out, const netflow::DataRecord& r, const RecordNotes& notes) override {
        const netflow::FlowTimes times = r.times();
        const auto& h = *r.header;
        const auto& t = *r.tmpl;
        char* p = reserve(out, 240);
        p = put_uint(p, r.context->frame);
        *p++ = ',';
        p = put_iso_time(p, r.context->time_ns, r.context->time_digits);
        *p++ = ',';
        p = wire::write_endpoint(p, r.context->exporter);
        *p++ = ',';
        p = put_uint(p, h.version);
        *p++ = ',';
        p = put_uint(p, h.domain);
        *p++ = ',';
        if (template_based(h)) p = put_uint(p, t.id);
        p = put(p, r.is_options() ? ",options," : ",data,");
        // late: "true", "previous_template" (decoded with the template of before a restart), or empty.
        if (r.late) p = put(p, r.previous_template ? "previous_template" : "true");
        *p++ = ',';
        if (shows_template_frame(r, notes)) p = put_uint(p, t.frame);
        *p++ = ',';
        if (times.start_ns) p = put_iso_time(p, *times.start_ns, 3);
        *p++ = ',';
        if (times.end_ns) p = put_iso_time(p, *times.end_ns, 3);
        commit(out, p);
        if (!t.has_lists) {
            // The fields once, into scratch space; the columns copy their values from there.
            fields_.clear();
            append_text_fields_noted(fields_, t, r.values, keys_, spans_);
            fields_.reserve(fields_.size() + 16);  // slack: values are copied in 16-byte blocks
            const CsvTemplate& layout = csv_template(t);
            // The columns and the fields column in one reservation (with the blocks' slack): the
            // columns are distinct fields' values, so together no longer than the fields' text.
            p = reserve(out, kCsvColumns.size() + 2 * fields_.size() + 4 + 16);
            for (const int i : layout.columns) {
                *p++ = ',';
                if (i >= 0) {
                    const auto [from, to] = spans_[static_cast<std::size_t>(i)];
                    p = put_blocks(p, fields_.data() + from, to - from);
                }
            }
            p = put(p, ",\"");
            const auto start = static_cast<std::size_t>(p - out.data());
            std::memcpy(p, fields_.data(), fields_.size());
            commit(out, p + fields_.size());
            if (notes.joined != nullptr) append_joined(out, *notes.joined, ValueStyle::text, ' ');
            if (layout.may_quote || notes.joined != nullptr) double_quotes(out, start);
            out.append(std::string_view("\"\n"));
            return;
        }
        for (const int i : csv_template(t).columns) {
            out.push_back(',');
            if (i >= 0) {
                const auto k = static_cast<std::size_t>(i);
                append_value(out, t.fields[k], r.values[k], r, ValueStyle::text);
            }
        }
        // Every field as one quoted column; the quotes inside (escaped strings) doubled.
        out.append(std::string_view(",\""));
        const std::size_t start = out.size();
        append_fields(out, t, r.values, r, ValueStyle::text);
        if (notes.joined != nullptr) append_joined(out, *notes.joined, ValueStyle::text, ' ');
        double_quotes(out, start);
        out.append(std::string_view("\"\n"));
    }

private:
    // What CSV needs of a template: the field of each column (-1: none), and whether its text
    // can hold a quote (a string value, or a quote in a field's name) to double.
    struct CsvTemplate {
        std::array<int, kCsvColumns.size()> columns{};
        bool may_quote = false;
    };

    // Found once per definition.
    const CsvTemplate& csv_template(const netflow::Template& t) { return layouts_.get(t, make_csv_template); }

    static CsvTemplate make_csv_template(const netflow::Template& t) {
        CsvTemplate c;
        for (std::size_t k = 0; k < kCsvColumns.size(); ++k) c.columns[k] = find_field(t, {kCsvColumns[k].id});
        for (const netflow::FieldSpec& f : t.fields) {
            if (f.kind == netflow::FieldKind::string || f.name.find('"') != std::string_view::npos) c.may_quote = true;
        }
        return c;
    }

    static void double_quotes(Buffer& out, std::size_t start) {
        if (std::memchr(out.data() + start, '"', out.size() - start) == nullptr) return;
        std::size_t quotes = 0;
        for (std::size_t i = start; i < out.size(); ++i) quotes += out[i] == '"';
        const std::size_t old_size = out.size();
        out.resize(old_size + quotes);
        // Shift right to left so each byte moves once.
        std::size_t to = out.size();
        for (std::size_t from = old_size; from > start;) {
            const char c = out[--from];
            out[--to] = c;
            if (c == '"') out[--to] = '"';
        }
    }

    JsonKeyCache keys_{ValueStyle::text};
    Buffer fields_;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> spans_;
    netflow::TemplateCache<CsvTemplate> layouts_;
};

/// One line per flow record like `nfdump -o line`, with the TCP flags as letters.
class LineFormatter final : public RecordFormatter {
public:
    void begin(Buffer& out) override {
        fmt::format_to(fmt::appender(out), "{:<23} {:>9} {:<5} {:>21}    {:<21} {:<6} {:>8} {:>10}\n",
                       "Date first seen (UTC)", "Duration", "Proto", "Src IP Addr:Port", "Dst IP Addr:Port", "Flags",
                       "Packets", "Bytes");
    }

    void record(Buffer& out, const netflow::DataRecord& r, const RecordNotes&) override {
        if (r.is_options()) return;  // no flow key to show
        const auto flow = extract_(r);
        if (!flow) return;
        Buffer start;
        if (flow->start_ns) {
            append_iso_time(start, *flow->start_ns, 3);
            start[10] = ' ';   // nfdump's "2024-05-01 12:00:00.123"
            start.resize(23);  // without the zone letter: the header says UTC
        } else {
            start.push_back('-');
        }
        std::string duration = "-";
        if (flow->start_ns && flow->end_ns && *flow->end_ns >= *flow->start_ns) {
            const std::uint64_t ms = wire::span_ns(*flow->start_ns, *flow->end_ns) / 1'000'000;
            duration = fmt::format(FMT_COMPILE("{}.{:03}"), ms / 1000, ms % 1000);
        }
        std::string proto(analyze::protocol_name(flow->protocol));
        if (proto.empty()) proto = std::to_string(flow->protocol);
        for (char& c : proto) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        // The header's columns: "{:<23} {:>9} {:<5} {:>21} -> {:<21} {:<6} {:>8} {:>10}".
        char src[wire::kMaxEndpointText + 1], dst[wire::kMaxEndpointText + 1];
        const char* src_end = wire::write_endpoint(src, wire::Endpoint{flow->src, flow->src_port});
        const char* dst_end = wire::write_endpoint(dst, wire::Endpoint{flow->dst, flow->dst_port});
        append_column(out, std::string_view(start.data(), start.size()), 23, Align::left);
        append_column(out, duration, 9, Align::right);
        append_column(out, proto, 5, Align::left);
        append_column(out, std::string_view(src, static_cast<std::size_t>(src_end - src)), 21, Align::right);
        out.append(std::string_view("-> "));
        append_column(out, std::string_view(dst, static_cast<std::size_t>(dst_end - dst)), 21, Align::left);
        append_column(out, tcp_flag_letters(flow->tcp_flags), 6, Align::left);
        char number[24];
        append_column(out, std::string_view(number, static_cast<std::size_t>(put_uint(number, flow->packets) - number)),
                      8, Align::right);
        append_column(out, std::string_view(number, static_cast<std::size_t>(put_uint(number, flow->bytes) - number)),
                      10, Align::right, '\n');
    }

private:
    enum class Align : std::uint8_t { left, right };
    // One column and the space after it. The columns are ASCII: padded by their length in
    // bytes (fmt's width counts code points, which took half of the line format's time).
    static void append_column(Buffer& out, std::string_view text, std::size_t width, Align align, char after = ' ') {
        const std::size_t pad = text.size() < width ? width - text.size() : 0;
        if (align == Align::right) append_spaces(out, pad);
        out.append(text);
        if (align == Align::left) append_spaces(out, pad);
        out.push_back(after);
    }

    analyze::FlowExtractor extract_;
};

}  // namespace

std::unique_ptr<RecordFormatter> make_record_formatter(Format format) {
    switch (format) {
    case Format::json: return std::make_unique<JsonFormatter>();
    case Format::csv: return std::make_unique<CsvFormatter>();
    case Format::line: return std::make_unique<LineFormatter>();
    case Format::text:
    case Format::count_: break;
    }
    return std::make_unique<TextFormatter>();
}

}  // namespace nfpcap::report
