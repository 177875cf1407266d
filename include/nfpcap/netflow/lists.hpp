// SPDX-License-Identifier: MIT
// RFC 6313 structured data: the one walk over basicList, subTemplateList and
// subTemplateMultiList values, and the nesting limit it owns. Decoding (value checks),
// printing and anonymizing are visitors of this walk.
#pragma once
#include <cstdint>
#include <span>

#include "nfpcap/netflow/template.hpp"

namespace nfpcap::netflow {

struct DecoderState;

/// Lists are walked down to this nesting depth (a record's own fields are depth 0; the
/// elements and records of a list at depth d are at d + 1). A list deeper than that is not
/// walked: a bound on recursion that no real exporter comes near.
inline constexpr int kMaxListDepth = 8;

/// Whether a field kind is one of the RFC 6313 list types.
[[nodiscard]] constexpr bool is_list(FieldKind kind) noexcept {
    return kind == FieldKind::basic_list || kind == FieldKind::sub_template_list ||
           kind == FieldKind::sub_template_multi_list;
}

/// How much of a list value a walk could account for.
enum class ListWalk : std::uint8_t {
    complete,          ///< every byte belongs to an element or record visited
    too_deep,          ///< not walked: deeper than kMaxListDepth
    malformed,         ///< a header or block cut short, or records that do not fill their block
    unknown_template,  ///< a sub-template block whose template the session does not know
    count_,
};

/// Receives the contents of one list, in order.
class ListVisitor {
public:
    virtual ~ListVisitor() = default;
    /// An element of a basicList, described by the list's element field.
    virtual void element(const FieldSpec& element, wire::Bytes value, int depth) = 0;
    /// A record of a subTemplateList / subTemplateMultiList block, with its template.
    virtual void record(const Template& t, std::span<const wire::Bytes> values, int depth) = 0;
};

/// Walks a list value of `kind` found at nesting `depth`, calling `visitor` for each element
/// or record (at depth + 1; nested lists are the visitor's to walk, with that depth). `state`
/// resolves sub-template IDs (nothing is visited for them without it). `v9` selects NetFlow v9
/// numbering for basicList element IDs. What is visited is always valid; the result says
/// whether anything was left out.
ListWalk walk_list(FieldKind kind, wire::Bytes value, const DecoderState* state, bool v9, int depth,
                   ListVisitor& visitor);

/// The worse of two walk results (complete < the others, in enum order).
[[nodiscard]] constexpr ListWalk worse(ListWalk a, ListWalk b) noexcept { return a > b ? a : b; }

}  // namespace nfpcap::netflow
