// SPDX-License-Identifier: MIT
// RFC 6313 §4.5: the layouts of basicList, subTemplateList and subTemplateMultiList.
#include "nfpcap/netflow/lists.hpp"

#include <vector>

#include "nfpcap/netflow/decoder.hpp"

namespace nfpcap::netflow {

namespace {

/// RFC 6313 §4.5.1: semantic, field ID (with enterprise bit and PEN), element length, elements.
ListWalk walk_basic_list(const DecoderState* state, wire::Bytes value, bool v9, int depth, ListVisitor& visitor) {
    wire::Reader r(value);
    r.skip(1);  // semantic
    std::uint16_t id = r.be16();
    const std::uint16_t element_length = r.be16();
    std::uint32_t pen = 0;
    if ((id & 0x8000U) != 0) {
        id = static_cast<std::uint16_t>(id & 0x7fffU);
        pen = r.be32();
    }
    if (r.failed()) return ListWalk::malformed;
    // The element as the session knows it: an exporter's RFC 5610 definitions first.
    const FieldSpec element =
        make_field(pen, id, element_length, v9, state != nullptr ? state->definitions.get() : nullptr);
    while (!r.empty()) {
        wire::Bytes v;
        if (element_length == kVariableLength) {
            std::size_t n = r.u8();
            if (n == 255) n = r.be16();
            v = r.bytes(n);
        } else {
            if (element_length == 0) return ListWalk::malformed;  // cannot make progress
            v = r.bytes(element_length);
        }
        if (r.failed()) return ListWalk::malformed;
        visitor.element(element, v, depth + 1);
    }
    return ListWalk::complete;
}

/// The records of one sub-template block: they fill it, but for padding shorter than a record.
ListWalk walk_block(const DecoderState* state, std::uint16_t template_id, wire::Reader records, int depth,
                    ListVisitor& visitor) {
    const Template* t = state ? state->find(template_id) : nullptr;
    if (t == nullptr || t->min_record_length == 0)
        return records.empty() ? ListWalk::complete : ListWalk::unknown_template;
    std::vector<wire::Bytes> values;
    while (records.remaining() >= t->min_record_length) {
        if (!split_record(*t, records, values)) return ListWalk::malformed;
        visitor.record(*t, std::span<const wire::Bytes>(values), depth + 1);
    }
    for (std::byte b : records.rest()) {
        if (b != std::byte{0}) return ListWalk::malformed;
    }
    return ListWalk::complete;
}

}  // namespace

ListWalk walk_list(FieldKind kind, wire::Bytes value, const DecoderState* state, bool v9, int depth,
                   ListVisitor& visitor) {
    if (depth > kMaxListDepth) return ListWalk::too_deep;
    if (kind == FieldKind::basic_list) return walk_basic_list(state, value, v9, depth, visitor);
    if (kind == FieldKind::sub_template_list) {
        // RFC 6313 §4.5.2: semantic, template ID, records.
        wire::Reader r(value);
        r.skip(1);
        const std::uint16_t template_id = r.be16();
        if (r.failed()) return ListWalk::malformed;
        return walk_block(state, template_id, wire::Reader(r.rest()), depth, visitor);
    }
    if (kind == FieldKind::sub_template_multi_list) {
        // RFC 6313 §4.5.3: semantic, then blocks of (template ID, length, records).
        wire::Reader r(value);
        r.skip(1);
        if (r.failed()) return ListWalk::malformed;
        ListWalk result = ListWalk::complete;
        while (!r.empty()) {
            const std::uint16_t template_id = r.be16();
            const std::uint16_t length = r.be16();
            if (r.failed() || length < 4) return ListWalk::malformed;
            wire::Reader block = r.sub(length - 4U);
            if (r.failed()) return ListWalk::malformed;
            result = worse(result, walk_block(state, template_id, block, depth, visitor));
        }
        return result;
    }
    return ListWalk::malformed;  // not a list
}

}  // namespace nfpcap::netflow
