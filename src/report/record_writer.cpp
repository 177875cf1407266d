// SPDX-License-Identifier: MIT
// Records to text / JSON lines / CSV, formatted straight into the output buffer.
#include "nfpcap/report/record_writer.hpp"

#include "nfpcap/ie/ids.hpp"
#include "nfpcap/report/field_value.hpp"

namespace nfpcap::report {

namespace {

namespace iana = ie::iana;

void append_endpoint(Buffer& out, const wire::Endpoint& e) {
    char buf[wire::kMaxEndpointText];
    out.append(buf, wire::write_endpoint(buf, e));
}

// v5 header fields that describe every record of the message.
void append_v5_header_fields(Buffer& out, const netflow::ExportHeader& h) {
    fmt::format_to(fmt::appender(out), " engineType={} engineId={} samplingAlgorithm={} samplingInterval={}",
                   h.engine_type, h.engine_id, h.sampling_mode(), h.sampling_interval());
}

/// Index of the first field with IANA id `id` (any of `ids`), or -1.
int find_field(const netflow::Template& t, std::initializer_list<std::uint16_t> ids) {
    for (std::uint16_t id : ids) {
        for (std::size_t i = 0; i < t.fields.size(); ++i) {
            if (t.fields[i].pen == ie::kPenIana && t.fields[i].id == id && !t.fields[i].scope)
                return static_cast<int>(i);
        }
    }
    return -1;
}

}  // namespace

RecordWriter::RecordWriter(Output& out, RecordWriterOptions options) : out_(out), options_(options) {
    if (options_.format == RecordFormat::csv) {
        out_.buffer().append(std::string_view(
            "frame,time,exporter,version,domain,template,kind,start,end,sourceAddress,sourceTransportPort,"
            "destinationAddress,destinationTransportPort,protocolIdentifier,packets,octets,fields\n"));
    }
}

void RecordWriter::on_record(const netflow::DataRecord& r) {
    if (r.is_options() && !options_.include_options) return;
    if (out_.closed()) return;
    switch (options_.format) {
    case RecordFormat::json: write_json(r); break;
    case RecordFormat::text: write_text(r); break;
    case RecordFormat::csv: write_csv(r); break;
    }
    out_.maybe_flush();
}

void RecordWriter::write_json(const netflow::DataRecord& r) {
    Buffer& out = out_.buffer();
    const netflow::FlowTimes times = r.times();
    const auto& h = *r.header;
    // The envelope: bounded, written in one go (file name escaped: 6 bytes per byte at most).
    char* p = reserve(out, 400 + 6 * file_.size());
    *p++ = '{';
    if (!file_.empty()) {
        p = put(p, "\"file\":");
        p = put_json_string(p, file_);
        *p++ = ',';
    }
    p = put(p, "\"frame\":");
    p = put_uint(p, r.context->frame);
    p = put(p, ",\"time\":\"");
    p = put_iso_time(p, r.context->time_ns, 6);
    p = put(p, "\",\"exporter\":\"");
    p = wire::write_endpoint(p, r.context->exporter);
    p = put(p, "\",\"version\":");
    p = put_uint(p, h.version);
    p = put(p, ",\"domain\":");
    p = put_uint(p, h.domain);
    if (h.version >= 9) {
        p = put(p, ",\"template\":");
        p = put_uint(p, r.tmpl->id);
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
        p = fmt::format_to(p, ",\"engineType\":{},\"engineId\":{},\"samplingAlgorithm\":{},\"samplingInterval\":{}",
                           h.engine_type, h.engine_id, h.sampling_mode(), h.sampling_interval());
    }
    if (!r.tmpl->fields.empty()) *p++ = ',';
    commit(out, p);
    append_fields(out, *r.tmpl, r.values, r, ValueStyle::json);
    out.append(std::string_view("}\n"));
}

void RecordWriter::write_text(const netflow::DataRecord& r) {
    const netflow::FlowTimes times = r.times();
    Buffer& out = out_.buffer();
    const auto& h = *r.header;
    if (!file_.empty()) {
        out.append(file_);
        out.push_back(' ');
    }
    out.push_back('#');
    append_uint(out, r.context->frame);
    out.push_back(' ');
    append_iso_time(out, r.context->time_ns, 6);
    out.push_back(' ');
    append_endpoint(out, r.context->exporter);
    fmt::format_to(fmt::appender(out), " v{} domain={}", h.version, h.domain);
    if (h.version >= 9) fmt::format_to(fmt::appender(out), " template={}", r.tmpl->id);
    if (r.is_options()) out.append(std::string_view(" options"));
    out.append(std::string_view(" start="));
    if (times.start_ns) {
        append_iso_time(out, *times.start_ns, 3);
    } else {
        out.push_back('-');
    }
    out.append(std::string_view(" end="));
    if (times.end_ns) {
        append_iso_time(out, *times.end_ns, 3);
    } else {
        out.push_back('-');
    }
    if (h.version == 5) append_v5_header_fields(out, h);
    out.push_back(' ');
    append_fields(out, *r.tmpl, r.values, r, ValueStyle::text);
    out.push_back('\n');
}

void RecordWriter::write_csv(const netflow::DataRecord& r) {
    const netflow::FlowTimes times = r.times();
    Buffer& out = out_.buffer();
    const auto& h = *r.header;
    const auto& t = *r.tmpl;
    append_uint(out, r.context->frame);
    out.push_back(',');
    append_iso_time(out, r.context->time_ns, 6);
    out.push_back(',');
    append_endpoint(out, r.context->exporter);
    fmt::format_to(fmt::appender(out), ",{},{},", h.version, h.domain);
    if (h.version >= 9) append_uint(out, t.id);
    out.append(std::string_view(r.is_options() ? ",options," : ",data,"));
    if (times.start_ns) append_iso_time(out, *times.start_ns, 3);
    out.push_back(',');
    if (times.end_ns) append_iso_time(out, *times.end_ns, 3);
    // The flow key and counters as columns, whichever elements the template used for them.
    for (auto ids : {std::initializer_list<std::uint16_t>{iana::sourceIPv4Address, iana::sourceIPv6Address},
                     {iana::sourceTransportPort},
                     {iana::destinationIPv4Address, iana::destinationIPv6Address},
                     {iana::destinationTransportPort},
                     {iana::protocolIdentifier},
                     {iana::packetDeltaCount, iana::packetTotalCount},
                     {iana::octetDeltaCount, iana::octetTotalCount}}) {
        out.push_back(',');
        int i = find_field(t, ids);
        if (i >= 0)
            append_value(out, t.fields[static_cast<std::size_t>(i)], r.values[static_cast<std::size_t>(i)], r,
                         ValueStyle::text);
    }
    // Every field, as one quoted `name=value ...` column (CSV quotes doubled).
    Buffer fields;
    append_fields(fields, t, r.values, r, ValueStyle::text);
    out.append(std::string_view(",\""));
    for (char c : std::string_view(fields.data(), fields.size())) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
    }
    out.append(std::string_view("\"\n"));
}

}  // namespace nfpcap::report
