// SPDX-License-Identifier: MIT
// RFC 5610: exporters describe their enterprise elements in options records (type information);
// the session learns them, and its templates name and type those fields from then on.
#include <string_view>

#include "decode_context.hpp"
#include "nfpcap/ie/registry.hpp"

namespace nfpcap::netflow::detail {

namespace {

// The first IANA field `id` of the record as an unsigned number, if it has one that fits.
std::optional<std::uint64_t> number(const Template& t, std::span<const wire::Bytes> values, std::uint16_t id) {
    for (std::size_t i = 0; i < t.fields.size(); ++i) {
        const FieldSpec& f = t.fields[i];
        if (f.pen != ie::kPenIana || f.id != id) continue;
        const wire::Bytes v = values[i];
        if (v.empty() || v.size() > 8) return std::nullopt;
        return wire::load_be(v.data(), v.size());
    }
    return std::nullopt;
}

std::string_view text(const Template& t, std::span<const wire::Bytes> values, std::uint16_t id) {
    for (std::size_t i = 0; i < t.fields.size(); ++i) {
        const FieldSpec& f = t.fields[i];
        if (f.pen != ie::kPenIana || f.id != id) continue;
        std::string_view s(reinterpret_cast<const char*>(values[i].data()), values[i].size());
        while (!s.empty() && s.back() == '\0') s.remove_suffix(1);  // fixed-length names are NUL-padded
        return s;
    }
    return {};
}

// Whether compiling `t` again with `definitions` would change what one of its fields means.
bool meaning_changes(const Template& t, const ie::Definitions& definitions) {
    for (const FieldSpec& f : t.fields) {
        if (f.scope && t.version == 9) continue;  // v9 scope types are not elements
        const ie::Element* now =
            t.version == 9 ? ie::find_v9(f.id, &definitions) : ie::find_ipfix(f.pen, f.id, &definitions);
        if (now != f.element) return true;
    }
    return false;
}

}  // namespace

void learn_type_information(Decode& d, const Template& t, std::span<const wire::Bytes> values, std::uint16_t set_id) {
    const auto id = number(t, values, ie::iana::informationElementId);
    const auto type = number(t, values, ie::iana::informationElementDataType);
    ie::TypeInformation info;
    info.pen = static_cast<std::uint32_t>(number(t, values, ie::iana::privateEnterpriseNumber).value_or(0));
    info.name = text(t, values, ie::iana::informationElementName);
    info.semantics = static_cast<std::uint8_t>(number(t, values, ie::iana::informationElementSemantics).value_or(0));
    info.units = static_cast<std::uint16_t>(number(t, values, ie::iana::informationElementUnits).value_or(0));
    if (!id || !type || *id > 0xffffU || *type > 0xffU) {
        d.report(Reason::type_information_invalid, values.empty() ? d.message.first(0) : values[0], set_id, t.id);
        return;
    }
    info.id = static_cast<std::uint16_t>(*id);
    info.data_type = static_cast<std::uint8_t>(*type);
    if (!d.state.definitions) d.state.definitions = std::make_shared<ie::Definitions>();
    switch (d.state.definitions->learn(info)) {
    case ie::LearnResult::learnt: break;
    case ie::LearnResult::unchanged:
    case ie::LearnResult::iana_scope: return;  // resent, or IANA's own element: nothing new
    case ie::LearnResult::bad_id:
    case ie::LearnResult::bad_name:
    case ie::LearnResult::bad_type:
    case ie::LearnResult::full:
        d.report(Reason::type_information_invalid, values.empty() ? d.message.first(0) : values[0], set_id, t.id);
        return;
    }
    // Templates sent before the description learn it too: each one whose fields now mean
    // something else is compiled again (a new Template; records decoded before keep theirs).
    const std::shared_ptr<const ie::Definitions> definitions = d.state.definitions;
    for (auto& [tid, slot] : d.state.templates) {
        if (!slot || !meaning_changes(*slot, *definitions)) continue;
        auto copy = std::make_shared<Template>(*slot);
        compile(*copy, copy->version == 9, definitions);
        d.retired.push_back(std::move(slot));
        slot = std::move(copy);
    }
}

}  // namespace nfpcap::netflow::detail
