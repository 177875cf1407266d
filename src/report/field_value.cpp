// SPDX-License-Identifier: MIT
// Field values to text, by kind. RFC 7011 §6.1 encodings; RFC 6313 structured data (lists).
#include "nfpcap/report/field_value.hpp"

#include <bit>
#include <cmath>
#include <cstring>
#include <vector>

#include "nfpcap/netflow/decoder.hpp"

namespace nfpcap::report {

namespace {

using netflow::FieldKind;
using netflow::FieldSpec;

constexpr int kMaxDepth = 8;  // nested lists deeper than this print as hex

void append_float(Buffer& out, double v, ValueStyle style) {
    if (!std::isfinite(v)) {
        out.append(std::string_view(style == ValueStyle::json ? "null" : (std::isnan(v) ? "nan" : "inf")));
        return;
    }
    fmt::format_to(std::back_inserter(out), "{}", v);
}

void append_quoted_text(Buffer& out, std::string_view s, ValueStyle style) {
    if (style == ValueStyle::json) {
        append_json_string(out, s);
        return;
    }
    append_json_string(out, s);  // text: quoted and escaped too, so a line stays one record
}

template <typename F>
void quoted(Buffer& out, ValueStyle style, F&& body) {
    if (style == ValueStyle::json) out.push_back('"');
    body();
    if (style == ValueStyle::json) out.push_back('"');
}

void append_basic_list(Buffer& out, wire::Bytes value, const netflow::DataRecord& record, ValueStyle style,
                       int depth) {
    wire::Reader r(value);
    r.skip(1);  // semantic
    std::uint16_t id = r.be16();
    const std::uint16_t element_length = r.be16();
    std::uint32_t pen = 0;
    if ((id & 0x8000U) != 0) {
        id = static_cast<std::uint16_t>(id & 0x7fffU);
        pen = r.be32();
    }
    if (r.failed()) {
        quoted(out, style, [&] { append_hex(out, value); });
        return;
    }
    const FieldSpec element = netflow::make_field(pen, id, element_length, record.tmpl->version == 9);
    out.push_back('[');
    bool first = true;
    while (!r.empty()) {
        wire::Bytes v;
        if (element_length == netflow::kVariableLength) {
            std::size_t n = r.u8();
            if (n == 255) n = r.be16();
            v = r.bytes(n);
        } else {
            if (element_length == 0) break;  // cannot make progress
            v = r.bytes(element_length);
        }
        if (r.failed()) break;
        if (!first) out.push_back(',');
        first = false;
        append_value(out, element, v, record, style, depth + 1);
    }
    out.push_back(']');
}

void append_sub_records(Buffer& out, std::uint16_t template_id, wire::Reader r, const netflow::DataRecord& record,
                        ValueStyle style, int depth, bool& first) {
    const netflow::Template* t = record.state ? record.state->find(template_id) : nullptr;
    if (t == nullptr || t->min_record_length == 0) return;
    std::vector<wire::Bytes> values;
    while (r.remaining() >= t->min_record_length) {
        if (!netflow::split_record(*t, r, values)) break;
        if (!first) out.push_back(',');
        first = false;
        out.push_back('{');
        append_fields(out, *t, values, record, style, depth + 1);
        out.push_back('}');
    }
}

void append_sub_template_list(Buffer& out, wire::Bytes value, const netflow::DataRecord& record, ValueStyle style,
                              int depth) {
    wire::Reader r(value);
    r.skip(1);  // semantic
    const std::uint16_t template_id = r.be16();
    bool first = true;
    out.push_back('[');
    if (!r.failed()) append_sub_records(out, template_id, r, record, style, depth, first);
    out.push_back(']');
}

void append_sub_template_multi_list(Buffer& out, wire::Bytes value, const netflow::DataRecord& record,
                                    ValueStyle style, int depth) {
    wire::Reader r(value);
    r.skip(1);  // semantic
    bool first = true;
    out.push_back('[');
    while (r.remaining() >= 4) {
        const std::uint16_t template_id = r.be16();
        const std::uint16_t length = r.be16();
        if (length < 4) break;
        wire::Reader block = r.sub(length - 4U);
        if (r.failed()) break;
        append_sub_records(out, template_id, block, record, style, depth, first);
    }
    out.push_back(']');
}

}  // namespace

void append_value(Buffer& out, const FieldSpec& spec, wire::Bytes v, const netflow::DataRecord& record,
                  ValueStyle style, int depth) {
    FieldKind kind = spec.kind;
    if (!netflow::length_fits(kind, v.size()) || depth > kMaxDepth) kind = FieldKind::raw;
    switch (kind) {
    case FieldKind::unsigned_int:
        append_uint(out, wire::load_be(v.data(), v.size()));
        return;
    case FieldKind::signed_int: {
        const auto bits = static_cast<unsigned>(v.size() * 8);
        std::uint64_t u = wire::load_be(v.data(), v.size());
        if (bits < 64 && (u >> (bits - 1)) != 0) u |= ~0ULL << bits;  // sign-extend reduced size
        fmt::format_to(std::back_inserter(out), "{}", static_cast<std::int64_t>(u));
        return;
    }
    case FieldKind::float32:
        append_float(out, static_cast<double>(std::bit_cast<float>(wire::load_be32(v.data()))), style);
        return;
    case FieldKind::float64:
        if (v.size() == 4) {
            append_float(out, static_cast<double>(std::bit_cast<float>(wire::load_be32(v.data()))), style);
        } else {
            append_float(out, std::bit_cast<double>(wire::load_be64(v.data())), style);
        }
        return;
    case FieldKind::boolean: {
        const auto b = static_cast<unsigned>(v[0]);
        if (b == 1) {
            out.append(std::string_view("true"));
        } else if (b == 2) {
            out.append(std::string_view("false"));
        } else {
            append_uint(out, b);
        }
        return;
    }
    case FieldKind::mac:
        quoted(out, style, [&] {
            for (std::size_t i = 0; i < 6; ++i) {
                if (i) out.push_back(':');
                append_hex(out, v.subspan(i, 1));
            }
        });
        return;
    case FieldKind::string: {
        // Fixed-length string fields are NUL-padded by most exporters: the padding is not text.
        std::size_t n = v.size();
        while (n > 0 && v[n - 1] == std::byte{0}) --n;
        append_quoted_text(out, std::string_view(reinterpret_cast<const char*>(v.data()), n), style);
        return;
    }
    case FieldKind::ipv4:
        quoted(out, style, [&] {
            char buf[wire::kMaxAddressText];
            out.append(buf, wire::write_ipv4(buf, v.data()));
        });
        return;
    case FieldKind::ipv6:
        quoted(out, style, [&] {
            char buf[wire::kMaxAddressText];
            out.append(buf, wire::write_ipv6(buf, v.data()));
        });
        return;
    case FieldKind::seconds:
        quoted(out, style, [&] { append_iso_time(out, static_cast<std::int64_t>(wire::load_be32(v.data())) * 1'000'000'000, 0); });
        return;
    case FieldKind::milliseconds:
        quoted(out, style, [&] { append_iso_time(out, static_cast<std::int64_t>(wire::load_be64(v.data())) * 1'000'000, 3); });
        return;
    case FieldKind::microseconds:
        quoted(out, style, [&] { append_iso_time(out, netflow::ntp_to_unix_ns(wire::load_be64(v.data()), true), 6); });
        return;
    case FieldKind::nanoseconds:
        quoted(out, style, [&] { append_iso_time(out, netflow::ntp_to_unix_ns(wire::load_be64(v.data()), false), 9); });
        return;
    case FieldKind::basic_list:
        append_basic_list(out, v, record, style, depth);
        return;
    case FieldKind::sub_template_list:
        append_sub_template_list(out, v, record, style, depth);
        return;
    case FieldKind::sub_template_multi_list:
        append_sub_template_multi_list(out, v, record, style, depth);
        return;
    case FieldKind::raw:
        quoted(out, style, [&] { append_hex(out, v); });
        return;
    }
}

void append_fields(Buffer& out, const netflow::Template& t, std::span<const wire::Bytes> values,
                   const netflow::DataRecord& record, ValueStyle style, int depth) {
    const bool json = style == ValueStyle::json;
    bool first = true;
    for (std::size_t i = 0; i < t.fields.size(); ++i) {
        const FieldSpec& f = t.fields[i];
        if (json && f.repeat_index != 0) continue;  // printed with its first occurrence
        if (!first) out.push_back(json ? ',' : ' ');
        first = false;
        if (json) {
            out.push_back('"');
            out.append(f.name);
            out.append(std::string_view("\":"));
        } else {
            out.append(f.name);
            out.push_back('=');
        }
        if (!json || f.repeat_count == 1) {
            append_value(out, f, values[i], record, style, depth);
            continue;
        }
        // A template that repeats an element keeps every value, in order.
        out.push_back('[');
        bool first_value = true;
        for (std::size_t k = i; k < t.fields.size(); ++k) {
            if (t.fields[k].pen != f.pen || t.fields[k].id != f.id) continue;
            if (!first_value) out.push_back(',');
            first_value = false;
            append_value(out, t.fields[k], values[k], record, style, depth);
        }
        out.push_back(']');
    }
}

}  // namespace nfpcap::report
