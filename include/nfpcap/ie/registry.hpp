// SPDX-License-Identifier: MIT
// Looking up information elements: IANA, NetFlow v9 field types, enterprise and reverse elements.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "nfpcap/ie/element.hpp"
#include "nfpcap/ie/ids.hpp"

namespace nfpcap::ie {

class Definitions;

/// CERT (YAF) marks the reverse direction of its own elements with this bit of the element ID
/// (PEN 6871, `id | 0x4000`), as RFC 5103 does for IANA's with PEN 29305.
inline constexpr std::uint16_t kCertReverseBit = 0x4000;
/// nProbe exports its elements in NetFlow v9 as field type `kNtopV9Base + id` (ntop's NTOP_BASE).
inline constexpr std::uint16_t kNtopV9Base = 57472;

/// The element (pen, id): the generated table, then the user's definitions
/// (set_user_definitions) — nullptr when neither has it.
const Element* find(std::uint32_t pen, std::uint16_t id) noexcept;

/// A NetFlow v9 field type (RFC 3954 §8): v9-only numbers from the NetFlow scopes, the shared
/// ones (< 128, and most above) from IANA, nProbe's from kNtopV9Base up; then `session`'s
/// definitions and the user's (pen kPenNetflow / kPenNetflowExtra, as in the table).
const Element* find_v9(std::uint16_t field_type, const Definitions* session = nullptr) noexcept;

/// The element describing (pen, id) for IPFIX: `session`'s learnt definitions (RFC 5610) first,
/// then find(); RFC 5103 reverse elements (PEN 29305) and CERT's reverse form get the forward
/// element — nullptr when unknown.
const Element* find_ipfix(std::uint32_t pen, std::uint16_t id, const Definitions* session = nullptr) noexcept;

/// Short scope name of an enterprise number ("cisco", "cert", ...), empty when unknown
/// (generated from data/ie/enterprises.csv).
std::string_view enterprise_scope(std::uint32_t pen) noexcept;

/// The name every output uses for a field: the IANA name; `reverseName` for RFC 5103 reverse
/// elements; `scope:name` for enterprise elements (`cert:reverseName` for CERT's reverse form,
/// `PEN:name` for a user's element of an enterprise without a scope); `PEN.ID` when unknown
/// (v9: `v9.TYPE`). `element` is what find_ipfix / find_v9 returned; `v9` selects the NetFlow
/// v9 numbering, whose enterprise elements (nProbe's) are `scope:name` too.
std::string field_name(std::uint32_t pen, std::uint16_t id, const Element* element, bool v9);

}  // namespace nfpcap::ie
