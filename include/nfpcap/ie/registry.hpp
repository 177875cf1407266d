// SPDX-License-Identifier: MIT
// Looking up information elements: IANA, NetFlow v9 field types, enterprise and reverse elements.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "nfpcap/ie/element.hpp"

namespace nfpcap::ie {

/// RFC 5103 §6.1: enterprise number whose elements are the reverse direction of IANA ones.
inline constexpr std::uint32_t kPenReverse = 29305;

/// The element (pen, id) from the generated table, or nullptr.
const Element* find(std::uint32_t pen, std::uint16_t id) noexcept;

/// A NetFlow v9 field type (RFC 3954 §8): v9-only numbers from the NetFlow scopes, the shared
/// ones (< 128, and most above) from IANA.
const Element* find_v9(std::uint16_t field_type) noexcept;

/// Short scope name of an enterprise number ("cisco", "cert", ...), empty when unknown.
std::string_view enterprise_scope(std::uint32_t pen) noexcept;

/// The name every output uses for a field: the IANA name; `reverseName` for RFC 5103 reverse
/// elements; `scope:name` for known enterprise elements; `PEN.ID` when unknown (v9: `v9.TYPE`).
/// `v9` selects the NetFlow v9 numbering.
std::string field_name(std::uint32_t pen, std::uint16_t id, const Element* element, bool v9);

/// The element describing (pen, id) for IPFIX, including reverse elements (the forward
/// element's type) — nullptr when unknown.
const Element* find_ipfix(std::uint32_t pen, std::uint16_t id) noexcept;

}  // namespace nfpcap::ie
