// SPDX-License-Identifier: MIT
// Printing one field value by its kind: numbers, addresses, times, strings, hex, lists.
#pragma once
#include <string>
#include <vector>

#include "nfpcap/netflow/record.hpp"
#include "nfpcap/netflow/template_cache.hpp"
#include "nfpcap/report/output.hpp"

namespace nfpcap::report {

enum class ValueStyle : std::uint8_t { json, text };

/// The keys of one template (JSON `"name":`, text `name=` per field, with 16 bytes of slack
/// each for block copies), made once per definition: writing a record then copies them
/// instead of escaping names.
struct TemplateKeys {
    std::vector<std::string> keys;       ///< per field, the key followed by 16 NUL bytes
    std::vector<std::uint32_t> lengths;  ///< length of the key per field
    std::size_t total = 0;               ///< bound of all keys with separators and brackets
};

/// Keys by template, kept while the template is (the cache holds the template alive, so a
/// definition's address is never reused for another while its keys are cached). One cache
/// per formatter (and per thread): it is not shared.
class JsonKeyCache {
public:
    explicit JsonKeyCache(ValueStyle style = ValueStyle::json) : style_(style) {}
    const TemplateKeys& keys(const netflow::Template& t);
    [[nodiscard]] ValueStyle style() const noexcept { return style_; }

private:
    netflow::TemplateCache<TemplateKeys> cache_;
    ValueStyle style_;
};

/// Appends the value of `spec` held in `value`. Values whose length does not fit the kind print
/// as hex; lists (RFC 6313) print as arrays, sub-template records as objects.
void append_value(Buffer& out, const netflow::FieldSpec& spec, wire::Bytes value, const netflow::DataRecord& record,
                  ValueStyle style, int depth = 0);

/// Appends `"name":value` pairs (JSON) or `name=value` words (text) for a whole record's fields;
/// repeated elements become one JSON array in template order. With `keys` (of the same style),
/// records without lists take the fast path (keys copied from the cache, one reservation per
/// record).
void append_fields(Buffer& out, const netflow::Template& t, std::span<const wire::Bytes> values,
                   const netflow::DataRecord& record, ValueStyle style, int depth = 0, JsonKeyCache* keys = nullptr);

/// The text `name=value` words of a template without lists (`keys` of the text style), as
/// append_fields writes them, noting where each field's value lies in `out` (offsets, begin
/// and end) for a caller that prints values again (CSV columns).
void append_text_fields_noted(Buffer& out, const netflow::Template& t, std::span<const wire::Bytes> values,
                              JsonKeyCache& keys, std::vector<std::pair<std::uint32_t, std::uint32_t>>& spans);

}  // namespace nfpcap::report
