// SPDX-License-Identifier: MIT
// Element lookups over the generated, sorted table, then the user's and a session's definitions.
#include "nfpcap/ie/registry.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "nfpcap/ie/definitions.hpp"

namespace nfpcap::ie {

namespace {

const Element* find_builtin(std::uint32_t pen, std::uint16_t id) noexcept {
    auto table = all_elements();
    auto it = std::lower_bound(table.begin(), table.end(), std::pair{pen, id},
                               [](const Element& e, std::pair<std::uint32_t, std::uint16_t> k) {
                                   return std::pair{e.pen, e.id} < k;
                               });
    if (it == table.end() || it->pen != pen || it->id != id) return nullptr;
    return &*it;
}

const Element* find_user(std::uint32_t pen, std::uint16_t id) noexcept {
    const Definitions* user = user_definitions();
    return user != nullptr ? user->find(pen, id) : nullptr;
}

// The v9 numbering as (pen, id) of the table: below 32768 the NetFlow scope, above it the
// extra scope at type - 32768.
std::pair<std::uint32_t, std::uint16_t> v9_key(std::uint16_t field_type) noexcept {
    if (field_type >= 32768) return {kPenNetflowExtra, static_cast<std::uint16_t>(field_type - 32768)};
    return {kPenNetflow, field_type};
}

std::string capitalized(std::string_view prefix, std::string_view name) {
    std::string out(prefix);
    const std::size_t at = out.size();
    out += name;
    if (out.size() > at) out[at] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[at])));
    return out;
}

}  // namespace

const Element* find(std::uint32_t pen, std::uint16_t id) noexcept {
    if (const Element* e = find_builtin(pen, id)) return e;
    return find_user(pen, id);
}

const Element* find_v9(std::uint16_t field_type, const Definitions* session) noexcept {
    const auto [pen, id] = v9_key(field_type);
    if (session != nullptr) {
        if (const Element* e = session->find(pen, id)) return e;
    }
    if (const Element* e = find_builtin(pen, id)) return e;
    if (field_type < 32768) {
        if (const Element* e = find_builtin(kPenIana, field_type)) return e;
    } else if (field_type >= kNtopV9Base) {
        if (const Element* e = find_builtin(kPenNtop, static_cast<std::uint16_t>(field_type - kNtopV9Base))) return e;
    }
    return find_user(pen, id);
}

const Element* find_ipfix(std::uint32_t pen, std::uint16_t id, const Definitions* session) noexcept {
    if (session != nullptr && pen != kPenReverse) {
        if (const Element* e = session->find(pen, id)) return e;
    }
    if (pen == kPenReverse) return find(kPenIana, id);
    if (const Element* e = find(pen, id)) return e;
    if (pen == kPenCert && (id & kCertReverseBit) != 0) {
        const auto forward = static_cast<std::uint16_t>(id & ~kCertReverseBit);
        if (session != nullptr) {
            if (const Element* e = session->find(pen, forward)) return e;
        }
        return find(pen, forward);
    }
    return nullptr;
}

std::string field_name(std::uint32_t pen, std::uint16_t id, const Element* element, bool v9) {
    if (element == nullptr) {
        if (v9) return fmt::format("v9.{}", id);
        return fmt::format("{}.{}", pen, id);
    }
    if (!v9 && pen == kPenReverse) return capitalized("reverse", element->name);
    // v9 and IANA elements print bare; an enterprise element (nProbe's in v9 too) by its scope.
    const std::uint32_t owner = element->pen;
    if (owner == kPenIana || owner == kPenNetflow || owner == kPenNetflowExtra || owner == kPenNetflowFixed) {
        return std::string(element->name);
    }
    const std::string_view scope = enterprise_scope(owner);
    const bool reverse = !v9 && owner == kPenCert && element->id != id && (id & kCertReverseBit) != 0;
    const std::string name = reverse ? capitalized("reverse", element->name) : std::string(element->name);
    if (scope.empty()) return fmt::format("{}:{}", owner, name);
    return fmt::format("{}:{}", scope, name);
}

}  // namespace nfpcap::ie
