// SPDX-License-Identifier: MIT
// Field values to text, by kind. RFC 7011 §6.1 encodings; RFC 6313 structured data (lists).
#include "nfpcap/report/field_value.hpp"

#include <bit>
#include <cmath>
#include <cstring>
#include <vector>

#include <fmt/compile.h>

#include "nfpcap/netflow/decoder.hpp"
#include "nfpcap/netflow/lists.hpp"

namespace nfpcap::report {

namespace {

using netflow::FieldKind;
using netflow::FieldSpec;

template <typename F>
void quoted(Buffer& out, ValueStyle style, F&& body) {
    if (style == ValueStyle::json) out.push_back('"');
    body();
    if (style == ValueStyle::json) out.push_back('"');
}

char* put_float(char* p, double v, ValueStyle style) {
    if (!std::isfinite(v)) return put(p, style == ValueStyle::json ? "null" : (std::isnan(v) ? "nan" : "inf"));
    return fmt::format_to(p, FMT_COMPILE("{}"), v);
}

/// Room any scalar value of `size` bytes needs as text: 6 per byte (escaped strings) covers
/// every kind; the constant covers short kinds that print longer than 6 per byte (times, floats).
constexpr std::size_t scalar_bound(std::size_t size) noexcept { return 6 * size + 48; }

/// Writes a value that prints as a JSON string (quoted in JSON, bare in text).
char* put_string_like(char* p, FieldKind kind, wire::Bytes v) {
    switch (kind) {
    case FieldKind::mac:
        for (std::size_t i = 0; i < 6; ++i) {
            if (i) *p++ = ':';
            p = put_hex(p, v.subspan(i, 1));
        }
        return p;
    case FieldKind::ipv4: return wire::write_ipv4(p, v.data());
    case FieldKind::ipv6: return wire::write_ipv6(p, v.data());
    case FieldKind::seconds:
        return put_iso_time(p, static_cast<std::int64_t>(wire::load_be32(v.data())) * 1'000'000'000, 0);
    case FieldKind::milliseconds: {
        // Past year 2262 the nanoseconds overflow int64: such a value prints as its bytes.
        const std::uint64_t ms = wire::load_be64(v.data());
        if (ms > static_cast<std::uint64_t>(INT64_MAX / 1'000'000)) break;
        return put_iso_time(p, static_cast<std::int64_t>(ms) * 1'000'000, 3);
    }
    case FieldKind::microseconds: return put_iso_time(p, netflow::ntp_to_unix_ns(wire::load_be64(v.data()), true), 6);
    case FieldKind::nanoseconds: return put_iso_time(p, netflow::ntp_to_unix_ns(wire::load_be64(v.data()), false), 9);
    case FieldKind::raw:
    case FieldKind::unsigned_int:
    case FieldKind::signed_int:
    case FieldKind::float32:
    case FieldKind::float64:
    case FieldKind::boolean:
    case FieldKind::string:
    case FieldKind::basic_list:
    case FieldKind::sub_template_list:
    case FieldKind::sub_template_multi_list: break;
    }
    return put_hex(p, v);  // octetArray, and anything printed as its bytes
}

/// Writes a scalar (non-list) value; `kind` already checked against the value's length.
char* put_scalar(char* p, FieldKind kind, wire::Bytes v, ValueStyle style) {
    switch (kind) {
    case FieldKind::unsigned_int: return put_uint(p, wire::load_be(v.data(), v.size()));
    case FieldKind::signed_int: {
        const auto bits = static_cast<unsigned>(v.size() * 8);
        std::uint64_t u = wire::load_be(v.data(), v.size());
        if (bits < 64 && (u >> (bits - 1)) != 0) u |= ~0ULL << bits;  // sign-extend reduced size
        return fmt::format_to(p, FMT_COMPILE("{}"), static_cast<std::int64_t>(u));
    }
    case FieldKind::float32:
        return put_float(p, static_cast<double>(std::bit_cast<float>(wire::load_be32(v.data()))), style);
    case FieldKind::float64:
        if (v.size() == 4)
            return put_float(p, static_cast<double>(std::bit_cast<float>(wire::load_be32(v.data()))), style);
        return put_float(p, std::bit_cast<double>(wire::load_be64(v.data())), style);
    case FieldKind::boolean: {
        const auto b = static_cast<unsigned>(v[0]);
        if (b == 1) return put(p, "true");
        if (b == 2) return put(p, "false");
        return put_uint(p, b);
    }
    case FieldKind::string: {
        // Fixed-length string fields are NUL-padded by most exporters: the padding is not text.
        // Text output quotes and escapes strings too, so a line stays one record.
        std::size_t n = v.size();
        while (n > 0 && v[n - 1] == std::byte{0}) --n;
        return put_json_string(p, std::string_view(reinterpret_cast<const char*>(v.data()), n));
    }
    case FieldKind::raw:
    case FieldKind::mac:
    case FieldKind::ipv4:
    case FieldKind::ipv6:
    case FieldKind::seconds:
    case FieldKind::milliseconds:
    case FieldKind::microseconds:
    case FieldKind::nanoseconds:
    case FieldKind::basic_list:
    case FieldKind::sub_template_list:
    case FieldKind::sub_template_multi_list: break;
    }
    if (style == ValueStyle::json) *p++ = '"';
    p = put_string_like(p, kind, v);
    if (style == ValueStyle::json) *p++ = '"';
    return p;
}

/// The kind a value prints as: its field's kind unless the length does not fit it, or it is a
/// list nested deeper than the walk goes (then its bytes).
FieldKind effective_kind(const FieldSpec& spec, wire::Bytes v, int depth) noexcept {
    if (netflow::is_list(spec.kind) && depth > netflow::kMaxListDepth) return FieldKind::raw;
    if (spec.length == netflow::kVariableLength && !netflow::length_fits(spec.kind, v.size())) return FieldKind::raw;
    return spec.kind;
}

// Prints a list's elements (a JSON array) or records (an array of objects; blocks flattened).
class ListPrinter final : public netflow::ListVisitor {
public:
    ListPrinter(Buffer& out, const netflow::DataRecord& record, ValueStyle style)
        : out_(out), record_(record), style_(style) {}
    void element(const FieldSpec& element, wire::Bytes value, int depth) override {
        separate();
        append_value(out_, element, value, record_, style_, depth);
    }
    void record(const netflow::Template& t, std::span<const wire::Bytes> values, int depth) override {
        separate();
        out_.push_back('{');
        append_fields(out_, t, values, record_, style_, depth);
        out_.push_back('}');
    }
    [[nodiscard]] std::size_t visited() const noexcept { return visited_; }

private:
    void separate() {
        if (visited_++ != 0) out_.push_back(',');
    }
    Buffer& out_;
    const netflow::DataRecord& record_;
    ValueStyle style_;
    std::size_t visited_ = 0;
};

void append_list(Buffer& out, FieldKind kind, wire::Bytes value, const netflow::DataRecord& record, ValueStyle style,
                 int depth) {
    const std::size_t start = out.size();
    out.push_back('[');
    ListPrinter printer(out, record, style);
    const auto walk = netflow::walk_list(kind, value, record.state, record.tmpl->version == 9, depth, printer);
    if (walk == netflow::ListWalk::malformed && printer.visited() == 0 && kind == FieldKind::basic_list) {
        out.resize(start);  // not a list after all: its bytes
        quoted(out, style, [&] { append_hex(out, value); });
        return;
    }
    out.push_back(']');
}

// Text fields of a template without lists: `name=value` words, reserved once, written raw;
// with `spans`, where each value's text lies.
void append_text_fields_flat(Buffer& out, const netflow::Template& t, std::span<const wire::Bytes> values,
                             const TemplateKeys& keys, int depth,
                             std::vector<std::pair<std::uint32_t, std::uint32_t>>* spans = nullptr) {
    std::size_t bound = keys.total;
    for (const wire::Bytes& v : values) bound += scalar_bound(v.size()) + 2;
    char* p = reserve(out, bound);
    const char* const begin = out.data();  // spans are offsets from the buffer's start
    if (spans != nullptr) spans->resize(t.fields.size());
    // (Through a plain pointer: written through the vector, each span reloaded its data pointer.)
    std::pair<std::uint32_t, std::uint32_t>* span = spans != nullptr ? spans->data() : nullptr;
    for (std::size_t i = 0; i < t.fields.size(); ++i) {
        if (i != 0) *p++ = ' ';
        p = put_blocks(p, keys.keys[i].data(), keys.lengths[i]);
        const auto from = static_cast<std::uint32_t>(p - begin);
        p = put_scalar(p, effective_kind(t.fields[i], values[i], depth), values[i], ValueStyle::text);
        if (span != nullptr) span[i] = {from, static_cast<std::uint32_t>(p - begin)};
    }
    commit(out, p);
}

// JSON fields of a template without lists: reserve once for the whole record, write raw.
void append_json_fields_flat(Buffer& out, const netflow::Template& t, std::span<const wire::Bytes> values,
                             const TemplateKeys& keys, int depth) {
    std::size_t bound = keys.total;
    for (const wire::Bytes& v : values) bound += scalar_bound(v.size()) + 2;
    char* p = reserve(out, bound);
    for (std::size_t i = 0; i < t.fields.size(); ++i) {
        const FieldSpec& f = t.fields[i];
        if (f.repeat_index != 0) continue;  // printed with its first occurrence
        if (i != 0) *p++ = ',';
        p = put_blocks(p, keys.keys[i].data(), keys.lengths[i]);
        if (f.repeat_count == 1) {
            p = put_scalar(p, effective_kind(f, values[i], depth), values[i], ValueStyle::json);
            continue;
        }
        // A template that repeats an element keeps every value, in order.
        *p++ = '[';
        for (std::size_t k = i; k < t.fields.size(); ++k) {
            if (t.fields[k].pen != f.pen || t.fields[k].id != f.id) continue;
            if (k != i) *p++ = ',';
            p = put_scalar(p, effective_kind(t.fields[k], values[k], depth), values[k], ValueStyle::json);
        }
        *p++ = ']';
    }
    commit(out, p);
}

TemplateKeys make_keys(const netflow::Template& t, ValueStyle style) {
    TemplateKeys k;
    k.keys.reserve(t.fields.size());
    for (const FieldSpec& f : t.fields) {
        std::string key;
        if (style == ValueStyle::text) {  // as the general path writes it: the name as it is
            key.append(f.name);
            key.push_back('=');
            k.lengths.push_back(static_cast<std::uint32_t>(key.size()));
            k.total += key.size() + 1;  // the space before
            key.append(16, '\0');
            k.keys.push_back(std::move(key));
            continue;
        }
        key.reserve(f.name.size() * 6 + 3 + 16);
        key.push_back('"');
        // Names come from the element table, a user's definitions or an exporter: escape them.
        Buffer escaped;
        append_json_string(escaped, f.name);
        key.append(escaped.data() + 1, escaped.size() - 2);
        key.append("\":");
        k.lengths.push_back(static_cast<std::uint32_t>(key.size()));
        k.total += key.size() + 3;  // comma and array brackets
        key.append(16, '\0');       // slack for 16-byte block copies (put_blocks)
        k.keys.push_back(std::move(key));
    }
    return k;
}

}  // namespace

void append_value(Buffer& out, const FieldSpec& spec, wire::Bytes v, const netflow::DataRecord& record,
                  ValueStyle style, int depth) {
    const FieldKind kind = effective_kind(spec, v, depth);
    if (netflow::is_list(kind)) {
        append_list(out, kind, v, record, style, depth);
    } else {
        commit(out, put_scalar(reserve(out, scalar_bound(v.size())), kind, v, style));
    }
}

const TemplateKeys& JsonKeyCache::keys(const netflow::Template& t) {
    return cache_.get(t, [this](const netflow::Template& tmpl) { return make_keys(tmpl, style_); });
}

void append_text_fields_noted(Buffer& out, const netflow::Template& t, std::span<const wire::Bytes> values,
                              JsonKeyCache& keys, std::vector<std::pair<std::uint32_t, std::uint32_t>>& spans) {
    append_text_fields_flat(out, t, values, keys.keys(t), 0, &spans);
}

void append_fields(Buffer& out, const netflow::Template& t, std::span<const wire::Bytes> values,
                   const netflow::DataRecord& record, ValueStyle style, int depth, JsonKeyCache* keys) {
    const bool json = style == ValueStyle::json;
    if (!t.has_lists && keys != nullptr && keys->style() == style) {
        if (json) {
            append_json_fields_flat(out, t, values, keys->keys(t), depth);
        } else {
            append_text_fields_flat(out, t, values, keys->keys(t), depth);
        }
        return;
    }
    bool first = true;
    for (std::size_t i = 0; i < t.fields.size(); ++i) {
        const FieldSpec& f = t.fields[i];
        if (json && f.repeat_index != 0) continue;  // printed with its first occurrence
        if (!first) out.push_back(json ? ',' : ' ');
        first = false;
        if (json) {
            append_json_string(out, f.name);
            out.push_back(':');
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
