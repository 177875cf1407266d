// SPDX-License-Identifier: MIT
// RFC 6313 structured data: walking basicList, subTemplateList and subTemplateMultiList values.
// The one place that knows their layout; printing and anonymizing both walk lists through it.
#pragma once
#include <cstdint>
#include <vector>

#include "nfpcap/netflow/decoder.hpp"
#include "nfpcap/netflow/template.hpp"

namespace nfpcap::netflow {

/// Lists nested deeper than this are not walked (printed as hex): a bound on recursion that no
/// real exporter comes near.
inline constexpr int kMaxListDepth = 8;

/// RFC 6313 §4.5.1: calls `on_element(const FieldSpec& element, wire::Bytes value)` for each
/// element of a basicList value. False when the list header is cut short.
template <typename OnElement>
bool for_each_basic_list_element(wire::Bytes value, bool v9, OnElement&& on_element) {
    wire::Reader r(value);
    r.skip(1);  // semantic
    std::uint16_t id = r.be16();
    const std::uint16_t element_length = r.be16();
    std::uint32_t pen = 0;
    if ((id & 0x8000U) != 0) {
        id = static_cast<std::uint16_t>(id & 0x7fffU);
        pen = r.be32();
    }
    if (r.failed()) return false;
    const FieldSpec element = make_field(pen, id, element_length, v9);
    while (!r.empty()) {
        wire::Bytes v;
        if (element_length == kVariableLength) {
            std::size_t n = r.u8();
            if (n == 255) n = r.be16();
            v = r.bytes(n);
        } else {
            if (element_length == 0) break;  // cannot make progress
            v = r.bytes(element_length);
        }
        if (r.failed()) break;
        on_element(element, v);
    }
    return true;
}

/// RFC 6313 §4.5.2-4.5.3: calls `on_block(std::uint16_t template_id, wire::Reader records)` for
/// the one block of a subTemplateList or each block of a subTemplateMultiList.
template <typename OnBlock>
void for_each_list_block(FieldKind kind, wire::Bytes value, OnBlock&& on_block) {
    wire::Reader r(value);
    r.skip(1);  // semantic
    if (kind == FieldKind::sub_template_list) {
        const std::uint16_t template_id = r.be16();
        if (!r.failed()) on_block(template_id, wire::Reader(r.rest()));
        return;
    }
    while (r.remaining() >= 4) {
        const std::uint16_t template_id = r.be16();
        const std::uint16_t length = r.be16();
        if (length < 4) break;
        wire::Reader block = r.sub(length - 4U);
        if (r.failed()) break;
        on_block(template_id, block);
    }
}

/// Calls `on_record(const Template&, std::span<const wire::Bytes> values)` for each record of a
/// sub-template block, with the session's template; nothing when the session does not know it.
template <typename OnRecord>
void for_each_sub_record(const DecoderState* state, std::uint16_t template_id, wire::Reader records,
                         OnRecord&& on_record) {
    const Template* t = state ? state->find(template_id) : nullptr;
    if (t == nullptr || t->min_record_length == 0) return;
    std::vector<wire::Bytes> values;
    while (records.remaining() >= t->min_record_length) {
        if (!split_record(*t, records, values)) break;
        on_record(*t, std::span<const wire::Bytes>(values));
    }
}

}  // namespace nfpcap::netflow
