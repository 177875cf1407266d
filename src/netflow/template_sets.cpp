// SPDX-License-Identifier: MIT
// Template and options template sets of NetFlow v9 (RFC 3954 §5.2, §6.1) and IPFIX
// (RFC 7011 §3.4): parsing, installing into the session state, withdrawals.
#include <algorithm>

#include "decode_context.hpp"

namespace nfpcap::netflow::detail {

namespace {

constexpr std::uint16_t kMinDataSetId = 256;

/// Installs a parsed template: identical resends only refresh, changes replace from now on.
void install(Decode& d, std::uint16_t set_id, std::uint16_t id, TemplateKind kind, std::uint16_t scope_count,
             const std::vector<RawField>& fields, wire::Bytes definition) {
    if (kind == TemplateKind::options) {
        ++d.tally.options_templates;
    } else {
        ++d.tally.templates;
    }
    auto& slot = d.state.templates[id];
    if (slot && slot->kind == kind &&
        std::equal(definition.begin(), definition.end(), slot->definition.begin(), slot->definition.end())) {
        d.sink.on_template(d.context, d.header, *slot, TemplateChange::refreshed);
        return;
    }
    const bool redefined = slot != nullptr;
    const std::size_t replaced_fields = redefined ? slot->fields.size() : 0;
    // Limits: a rejected new template leaves no slot; a rejected redefinition keeps the old one.
    auto reject = [&](Reason reason) {
        if (!redefined) d.state.templates.erase(id);
        d.report(reason, definition, set_id, id);
    };
    const auto& limits = d.state.limits;
    const std::size_t kept_fields = d.state.stored_fields - std::min(d.state.stored_fields, replaced_fields);
    if (fields.size() > limits.max_template_fields) return reject(Reason::template_too_large);
    if (!redefined && d.state.templates.size() > limits.max_templates) return reject(Reason::template_limit);
    if (kept_fields + fields.size() > limits.max_stored_fields) {
        return reject(Reason::template_limit);
    }
    auto t = make_template(id, kind, scope_count, fields, d.header.version == 9 ? 9 : 10, d.state.definitions);
    if (t->min_record_length == 0) {
        // A record of zero bytes cannot be delimited (RFC 7011 §3.4.1 forbids it in effect).
        return reject(Reason::template_invalid);
    }
    if (t->min_record_length > limits.max_record_length) return reject(Reason::template_too_large);
    d.state.stored_fields = kept_fields + t->fields.size();
    t->definition.assign(definition.begin(), definition.end());
    t->frame = d.context.frame;
    slot = std::move(t);
    d.tally.anomalies += slot->anomalies;
    for (std::uint32_t i = 0; i < slot->anomalies; ++i) {
        // One anomaly per mismatched field, reported once per definition (not per record).
        d.report(Reason::field_length_mismatch, definition, set_id, id);
    }
    d.sink.on_template(d.context, d.header, *slot, redefined ? TemplateChange::redefined : TemplateChange::added);
}

void withdraw(Decode& d, std::uint16_t id, TemplateKind kind) {
    ++d.tally.withdrawals;
    // RFC 7011 §8.4: over UDP a withdrawal is not honoured (a lost or reordered datagram would
    // otherwise withdraw what the exporter still uses); the templates stay, the withdrawal is
    // counted and shown.
    const bool honour = d.state.honour_withdrawals;
    if (!honour) ++d.tally.withdrawals_ignored;
    auto drop = [&](std::uint16_t tid) {
        auto it = d.state.templates.find(tid);
        if (it == d.state.templates.end()) return;
        if (!honour) {
            d.sink.on_template(d.context, d.header, *it->second, TemplateChange::withdrawal_ignored);
            return;
        }
        d.sink.on_template(d.context, d.header, *it->second, TemplateChange::withdrawn);
        d.state.stored_fields -= std::min(d.state.stored_fields, it->second->fields.size());
        d.state.templates.erase(it);
    };
    // RFC 7011 §8.1: template ID 2 (set 2) / 3 (set 3) withdraws all templates of that kind.
    if (id == 2 || id == 3) {
        std::vector<std::uint16_t> ids;
        for (const auto& [tid, t] : d.state.templates) {
            if (t->kind == kind) ids.push_back(tid);
        }
        for (auto tid : ids) drop(tid);
        return;
    }
    drop(id);
}

/// Reads `count` field specifiers: v9 (type, length) pairs, or IPFIX ones with the enterprise
/// bit followed by a PEN (RFC 7011 §3.2). The reader fails if they run past the record.
void read_fields(wire::Reader& record, std::size_t count, bool ipfix, std::vector<RawField>& fields) {
    fields.clear();
    for (std::size_t i = 0; i < count && !record.failed(); ++i) {
        std::uint16_t id = record.be16();
        const std::uint16_t length = record.be16();
        std::uint32_t pen = 0;
        if (ipfix && (id & 0x8000U) != 0) {
            id = static_cast<std::uint16_t>(id & 0x7fffU);
            pen = record.be32();
        }
        fields.push_back({pen, id, length});
    }
}

/// Ends one template record read from the front of `body` by `record`: rejects it if cut short
/// (then the rest of the set is lost: false) or with a reserved ID, else installs it.
bool finish_record(Decode& d, wire::Reader& body, const wire::Reader& record, std::uint16_t set_id, std::uint16_t id,
                   TemplateKind kind, std::uint16_t scope_count, const std::vector<RawField>& fields) {
    if (record.failed()) {
        d.report(Reason::template_invalid, body.rest(), set_id, id);
        return false;
    }
    const wire::Bytes definition = body.bytes(record.offset());
    if (id < kMinDataSetId) {
        d.report(Reason::template_invalid, definition, set_id, id);
        return true;
    }
    install(d, set_id, id, kind, scope_count, fields, definition);
    return true;
}

}  // namespace

void decode_v9_template_set(Decode& d, wire::Reader body, std::uint16_t set_id) {
    std::vector<RawField> fields;
    while (body.remaining() >= 4) {
        wire::Reader record(body.rest());
        const std::uint16_t id = record.be16();
        const std::uint16_t count = record.be16();
        if (count == 0) {
            if (all_zero(body.rest())) return;  // padding
            d.report(Reason::template_invalid, body.rest(), set_id, id);
            return;
        }
        read_fields(record, count, false, fields);
        if (!finish_record(d, body, record, set_id, id, TemplateKind::data, 0, fields)) return;
    }
}

void decode_v9_options_template_set(Decode& d, wire::Reader body, std::uint16_t set_id) {
    std::vector<RawField> fields;
    while (body.remaining() >= 6) {
        wire::Reader record(body.rest());
        const std::uint16_t id = record.be16();
        const std::uint16_t scope_length = record.be16();
        const std::uint16_t option_length = record.be16();
        if (scope_length == 0 && option_length == 0 && all_zero(body.rest())) return;  // padding
        // RFC 3954 §6.1: lengths in bytes of (type, length) pairs; at least one scope field.
        if (scope_length % 4 != 0 || option_length % 4 != 0 || scope_length == 0) {
            d.report(Reason::template_invalid, body.rest(), set_id, id);
            return;
        }
        const auto scope_count = static_cast<std::uint16_t>(scope_length / 4);
        read_fields(record, scope_count + option_length / 4U, false, fields);
        if (!finish_record(d, body, record, set_id, id, TemplateKind::options, scope_count, fields)) return;
    }
}

void decode_ipfix_template_set(Decode& d, wire::Reader body, std::uint16_t set_id) {
    const bool options = set_id == 3;
    const TemplateKind kind = options ? TemplateKind::options : TemplateKind::data;
    std::vector<RawField> fields;
    while (body.remaining() >= 4) {
        wire::Reader record(body.rest());
        const std::uint16_t id = record.be16();
        const std::uint16_t count = record.be16();
        if (count == 0) {
            if (id == 0 && all_zero(body.rest())) return;  // padding
            body.skip(4);
            // RFC 7011 §8.1: a template withdrawal (field count 0).
            if (id < kMinDataSetId && id != set_id) {
                d.report(Reason::template_invalid, body.rest(), set_id, id);
                continue;
            }
            withdraw(d, id, kind);
            continue;
        }
        std::uint16_t scope_count = 0;
        if (options) {
            scope_count = record.be16();
            if (record.failed() || scope_count == 0 || scope_count > count) {
                d.report(Reason::template_invalid, body.rest(), set_id, id);
                return;
            }
        }
        read_fields(record, count, true, fields);
        if (!finish_record(d, body, record, set_id, id, kind, scope_count, fields)) return;
    }
}

}  // namespace nfpcap::netflow::detail
