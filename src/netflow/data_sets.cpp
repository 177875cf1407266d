// SPDX-License-Identifier: MIT
// Data sets: splitting records by a compiled template, checking values, handing them on.
#include <algorithm>
#include <cstring>

#include "decode_context.hpp"
#include "nfpcap/netflow/lists.hpp"

namespace nfpcap::netflow::detail {

namespace {

// Scratch space for one record's field views; reused so no record allocates.
std::vector<wire::Bytes>& scratch(std::size_t n) {
    thread_local std::vector<wire::Bytes> values;
    if (values.size() < n) values.resize(n);
    return values;
}

/// RFC 7011 §7: a variable-length field's length is one byte, or 255 then two bytes.
wire::Bytes read_variable(wire::Reader& r) noexcept {
    std::size_t length = r.u8();
    if (length == 255) length = r.be16();
    return r.bytes(length);
}

/// Whether a list value nests deeper than the walk goes (kMaxListDepth): the printer shows
/// the deeper part as hex, and a fixture cannot anonymize what is inside it.
class DepthCheck final : public ListVisitor {
public:
    DepthCheck(const DecoderState& state, bool v9) : state_(state), v9_(v9) {}
    bool deep = false;

    void check(FieldKind kind, wire::Bytes value, int depth) {
        if (deep || !is_list(kind) || !length_fits(kind, value.size())) return;
        if (walk_list(kind, value, &state_, v9_, depth, *this) == ListWalk::too_deep) deep = true;
    }
    void element(const FieldSpec& element, wire::Bytes value, int depth) override { check(element.kind, value, depth); }
    void record(const Template& t, std::span<const wire::Bytes> values, int depth) override {
        for (std::size_t i = 0; i < t.fields.size() && !deep; ++i) check(t.fields[i].kind, values[i], depth);
    }

private:
    const DecoderState& state_;
    bool v9_;
};

// Per-record value checks for templates that need them; counts anomalies only.
void check_values(Decode& d, const Template& t, std::span<const wire::Bytes> values, std::uint16_t set_id) {
    for (std::size_t i = 0; i < t.fields.size(); ++i) {
        const FieldSpec& f = t.fields[i];
        wire::Bytes v = values[i];
        if (f.length == kVariableLength && !length_fits(f.kind, v.size())) {
            d.report(Reason::field_length_mismatch, v, set_id, t.id);
            continue;
        }
        if (f.kind == FieldKind::boolean) {
            auto b = static_cast<unsigned>(v[0]);
            if (b != 1 && b != 2) d.report(Reason::invalid_boolean, v, set_id, t.id);
        } else if (f.kind == FieldKind::string && !valid_utf8(v)) {
            d.report(Reason::invalid_utf8, v, set_id, t.id);
        } else if (is_list(f.kind)) {
            DepthCheck depth(d.state, t.version == 9);
            depth.check(f.kind, v, 0);
            if (depth.deep) d.report(Reason::list_too_deep, v, set_id, t.id);
        }
    }
}

// Filled where it is kept: a record built aside and copied in stalls on its own narrow stores.
void fill_record(DataRecord& rec, Decode& d, const Template& t, wire::Bytes record,
                 std::span<const wire::Bytes> values) {
    rec.context = &d.context;
    rec.header = &d.header;
    rec.tmpl = &t;
    rec.state = &d.state;
    rec.bytes = record;
    rec.values = values;
    rec.system_init_ms = d.state.system_init_ms;
    rec.late = d.late;
    rec.previous_template = d.previous_template;
}

// Times the analysis clamps (past year 2262) or takes as lasting 0 are counted, not hidden.
void report_times(Decode& d, const Template& t, wire::Bytes record, std::uint16_t set_id, TimeAnomalies times) {
    if (times.clamped) d.report(Reason::time_clamped, record, set_id, t.id);
    if (times.reversed) d.report(Reason::time_reversed, record, set_id, t.id);
}

void emit(Decode& d, const Template& t, wire::Bytes record, std::span<const wire::Bytes> values,
          std::uint16_t set_id = 0) {
    if (t.kind == TemplateKind::options) {
        ++d.tally.options_records;
        if (t.describes_elements) learn_type_information(d, t, values, t.id);
        // Remember the exporter's boot time: IPFIX sysUpTime-relative fields need it.
        auto idx = t.time_field[static_cast<std::size_t>(TimeRole::system_init_ms)];
        if (idx >= 0 && values[static_cast<std::size_t>(idx)].size() <= 8 &&
            !values[static_cast<std::size_t>(idx)].empty()) {
            auto v = values[static_cast<std::size_t>(idx)];
            d.state.system_init_ms = static_cast<std::int64_t>(wire::load_be(v.data(), v.size()));
        }
    } else {
        ++d.tally.data_records;
        report_times(d, t, record, set_id, time_anomalies(t, values, d.header, d.state.system_init_ms));
    }
    DataRecord rec;
    fill_record(rec, d, t, record, values);
    d.sink.on_record(rec);
}

// The data records of a set of a fixed-length data template without checked values go to the
// sink as runs (DecodeSink::on_run): what they share is looked at once a run, and their values
// are split only where a sink asks for them. An issue of a record ends the run before it, so
// issues fall where they did one by one.
bool runs_fit(const Template& t) noexcept {
    return t.kind == TemplateKind::data && t.fixed_length && !t.needs_value_check && !t.has_lists && !t.fields.empty();
}

void hand_over(Decode& d, const Template& t, const std::byte* start, std::size_t count) {
    if (count == 0) return;
    RecordRun run;
    // No values: a sink that counts a run never reads them (splitting the first record's was
    // a third of a run's cost on softflowd's five sets a datagram).
    fill_record(run.shared, d, t, wire::Bytes(start, t.min_record_length), {});
    run.bytes = wire::Bytes(start, count * t.min_record_length);
    run.count = count;
    d.sink.on_run(run);
}

// The whole records at the front of `body` (padding after them stays), `t` fitting runs.
void emit_runs(Decode& d, wire::Reader& body, std::uint16_t set_id, const Template& t) {
    const std::byte* start = nullptr;
    std::size_t count = 0;
    while (body.remaining() >= t.min_record_length) {
        const wire::Bytes record = body.bytes(t.min_record_length);
        ++d.tally.data_records;
        const TimeAnomalies times = time_anomalies(t, record.data(), d.header, d.state.system_init_ms);
        if (times.clamped || times.reversed) {
            hand_over(d, t, start, count);
            count = 0;
            report_times(d, t, record, set_id, times);
        }
        if (count++ == 0) start = record.data();
    }
    hand_over(d, t, start, count);
}

// A set holding no whole record but non-zero bytes: that is not padding but a record cut
// short (or a template that does not match its data); counted so no set vanishes silently.
void report_shorter_than_record(Decode& d, const wire::Reader& body, std::uint16_t set_id, std::uint16_t template_id) {
    if (body.offset() != 0 || body.empty()) return;  // some record decoded: the rest is padding
    for (std::byte b : body.rest()) {
        if (b != std::byte{0}) {
            d.report(Reason::record_invalid, body.rest(), set_id, template_id);
            return;
        }
    }
}

}  // namespace

bool valid_utf8(wire::Bytes s) noexcept {
    std::size_t i = 0;
    while (i < s.size()) {
        auto c = static_cast<unsigned>(s[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t n;
        unsigned min;
        if ((c & 0xe0U) == 0xc0U) {
            n = 1, min = 0x80, c &= 0x1fU;
        } else if ((c & 0xf0U) == 0xe0U) {
            n = 2, min = 0x800, c &= 0x0fU;
        } else if ((c & 0xf8U) == 0xf0U) {
            n = 3, min = 0x10000, c &= 0x07U;
        } else {
            return false;
        }
        if (i + n >= s.size()) return false;
        for (std::size_t k = 1; k <= n; ++k) {
            auto cc = static_cast<unsigned>(s[i + k]);
            if ((cc & 0xc0U) != 0x80U) return false;
            c = (c << 6U) | (cc & 0x3fU);
        }
        if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) return false;
        i += n + 1;
    }
    return true;
}

void decode_data_set(Decode& d, wire::Reader body, std::uint16_t set_id) {
    const Template* t = d.state.find(set_id);
    if (t == nullptr) {
        const wire::Bytes whole = body.whole();
        const UnknownSet set{set_id,
                             d.base_offset + static_cast<std::uint32_t>(whole.data() - d.message.data()) -
                                 static_cast<std::uint32_t>(kSetHeaderSize),
                             whole};
        switch (d.sink.on_unknown_set(d.context, d.header, set)) {
        case UnknownSetAction::kept: ++d.tally.deferred_sets; return;
        case UnknownSetAction::dropped: d.report(Reason::pending_limit, whole, set_id, set_id); return;
        case UnknownSetAction::missing: break;
        }
        ++d.tally.missing_template_sets;
        d.report(Reason::missing_template, whole, set_id, set_id);
        return;
    }
    decode_records(d, body, set_id, *t);
}

void decode_records(Decode& d, wire::Reader body, std::uint16_t set_id, const Template& tmpl) {
    const Template* t = &tmpl;
    if (t->min_record_length == 0) return;  // never installed; guards the loops below
    const std::size_t n = t->fields.size();
    if (runs_fit(*t)) {
        emit_runs(d, body, set_id, *t);
        report_shorter_than_record(d, body, set_id, t->id);
        return;
    }
    auto& values = scratch(n);
    std::span<const wire::Bytes> view(values.data(), n);
    if (t->fixed_length) {
        const std::size_t len = t->min_record_length;
        while (body.remaining() >= len) {
            wire::Bytes record = body.bytes(len);
            split_fixed(*t, record.data(), values.data());
            if (t->needs_value_check) check_values(d, *t, view, set_id);
            emit(d, *t, record, view, set_id);
        }
        // RFC 7011 §3.3.1 / RFC 3954 §5.3: what is left is padding, shorter than a record.
        report_shorter_than_record(d, body, set_id, t->id);
        return;
    }
    while (body.remaining() >= t->min_record_length) {
        wire::Reader rec(body.rest());
        for (std::size_t i = 0; i < n; ++i) {
            const FieldSpec& f = t->fields[i];
            values[i] = f.length == kVariableLength ? read_variable(rec) : rec.bytes(f.length);
        }
        if (rec.failed()) {
            d.report(Reason::record_invalid, body.rest(), set_id, t->id);
            return;
        }
        wire::Bytes record = body.bytes(rec.offset());
        check_values(d, *t, view, set_id);
        emit(d, *t, record, view, set_id);
    }
    report_shorter_than_record(d, body, set_id, t->id);
}

}  // namespace nfpcap::netflow::detail
