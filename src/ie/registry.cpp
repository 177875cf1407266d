// SPDX-License-Identifier: MIT
// Element lookups over the generated, sorted table.
#include "nfpcap/ie/registry.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace nfpcap::ie {

const Element* find(std::uint32_t pen, std::uint16_t id) noexcept {
    auto table = all_elements();
    auto it = std::lower_bound(table.begin(), table.end(), std::pair{pen, id},
                               [](const Element& e, std::pair<std::uint32_t, std::uint16_t> k) {
                                   return std::pair{e.pen, e.id} < k;
                               });
    if (it == table.end() || it->pen != pen || it->id != id) return nullptr;
    return &*it;
}

const Element* find_v9(std::uint16_t field_type) noexcept {
    if (field_type >= 32768) return find(kPenNetflowExtra, static_cast<std::uint16_t>(field_type - 32768));
    if (const Element* e = find(kPenNetflow, field_type)) return e;
    return find(0, field_type);
}

const Element* find_ipfix(std::uint32_t pen, std::uint16_t id) noexcept {
    if (pen == kPenReverse) return find(0, id);
    return find(pen, id);
}

std::string_view enterprise_scope(std::uint32_t pen) noexcept {
    switch (pen) {
    case 9: return "cisco";
    case 5951: return "netscaler";
    case 6871: return "cert";
    case 6876: return "vmware";
    case 8057: return "cesnet";
    case 16982: return "muni";
    case 39499: return "flowmon";
    default: return {};
    }
}

std::string field_name(std::uint32_t pen, std::uint16_t id, const Element* element, bool v9) {
    if (element == nullptr) {
        if (v9) return fmt::format("v9.{}", id);
        return fmt::format("{}.{}", pen, id);
    }
    if (pen == kPenReverse) {
        std::string name = "reverse";
        name += element->name;
        name[7] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[7])));
        return name;
    }
    if (pen == 0 || v9) return std::string(element->name);
    auto scope = enterprise_scope(pen);
    if (scope.empty()) return fmt::format("{}.{}", pen, id);
    return fmt::format("{}:{}", scope, element->name);
}

}  // namespace nfpcap::ie
