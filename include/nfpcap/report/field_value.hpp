// SPDX-License-Identifier: MIT
// Printing one field value by its kind: numbers, addresses, times, strings, hex, lists.
#pragma once
#include "nfpcap/netflow/record.hpp"
#include "nfpcap/report/output.hpp"

namespace nfpcap::report {

enum class ValueStyle : std::uint8_t { json, text };

/// Appends the value of `spec` held in `value`. Values whose length does not fit the kind print
/// as hex; lists (RFC 6313) print as arrays, sub-template records as objects.
void append_value(Buffer& out, const netflow::FieldSpec& spec, wire::Bytes value, const netflow::DataRecord& record,
                  ValueStyle style, int depth = 0);

/// Appends `"name":value` pairs (JSON) or `name=value` words (text) for a whole record's fields;
/// repeated elements become one JSON array in template order.
void append_fields(Buffer& out, const netflow::Template& t, std::span<const wire::Bytes> values,
                   const netflow::DataRecord& record, ValueStyle style, int depth = 0);

}  // namespace nfpcap::report
