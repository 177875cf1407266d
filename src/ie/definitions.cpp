// SPDX-License-Identifier: MIT
// User and in-band (RFC 5610) element definitions: parsing, learning, and the installed overlay.
#include "nfpcap/ie/definitions.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <fstream>
#include <limits>
#include <sstream>

#include <fmt/format.h>

#include "nfpcap/ie/ids.hpp"

namespace nfpcap::ie {

namespace {

constexpr std::uint16_t kMaxElementId = 0x7FFF;  // RFC 7011 §3.2: 15 bits

// RFC 7012 §3.1 names in the order of DataType, which is also RFC 5610's code order.
constexpr std::array<std::string_view, 23> kTypeNames{
    "octetArray",
    "unsigned8",
    "unsigned16",
    "unsigned32",
    "unsigned64",
    "signed8",
    "signed16",
    "signed32",
    "signed64",
    "float32",
    "float64",
    "boolean",
    "macAddress",
    "string",
    "dateTimeSeconds",
    "dateTimeMilliseconds",
    "dateTimeMicroseconds",
    "dateTimeNanoseconds",
    "ipv4Address",
    "ipv6Address",
    "basicList",
    "subTemplateList",
    "subTemplateMultiList",
};
static_assert(static_cast<std::size_t>(DataType::subTemplateMultiList) + 1 == kTypeNames.size());

// IANA "IPFIX Information Element Units", by code.
constexpr std::array<std::string_view, 16> kUnitNames{
    "",         "bits",         "octets",       "packets",     "flows",
    "seconds",  "milliseconds", "microseconds", "nanoseconds", "4-octet words",
    "messages", "hops",         "entries",      "frames",      "ports",
    "inferred",
};

bool equal_nocase(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
            return false;
        }
    }
    return true;
}

bool printable_name(std::string_view name) noexcept {
    if (name.empty() || name.size() > Definitions::kMaxNameLength) return false;
    for (char c : name) {
        if (c <= ' ' || c > '~') return false;  // no spaces or control bytes: names go into CSV and JSON keys
    }
    return true;
}

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

template <typename T>
std::optional<T> parse_number(std::string_view s) noexcept {
    T value{};
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc{} || end != s.data() + s.size() || s.empty()) return std::nullopt;
    return value;
}

std::unique_ptr<Definitions>& user_slot() noexcept {
    static std::unique_ptr<Definitions> slot;
    return slot;
}

}  // namespace

std::optional<DataType> data_type_from_code(std::uint8_t code) noexcept {
    if (code >= kTypeNames.size()) return std::nullopt;
    return static_cast<DataType>(code);
}

std::optional<Semantics> semantics_from_code(std::uint8_t code) noexcept {
    if (code > static_cast<std::uint8_t>(Semantics::snmpGauge)) return std::nullopt;
    return static_cast<Semantics>(code);
}

std::string_view units_from_code(std::uint16_t code) noexcept {
    return code < kUnitNames.size() ? kUnitNames[code] : std::string_view{};
}

std::optional<DataType> data_type_from_name(std::string_view name) noexcept {
    for (std::size_t i = 0; i < kTypeNames.size(); ++i) {
        if (equal_nocase(name, kTypeNames[i])) return static_cast<DataType>(i);
    }
    return std::nullopt;
}

std::string_view describe(LearnResult result) noexcept {
    switch (result) {
    case LearnResult::learnt: return "learnt";
    case LearnResult::unchanged: return "unchanged";
    case LearnResult::iana_scope: return "IANA or reverse element (not redefined)";
    case LearnResult::bad_id: return "element id above 32767";
    case LearnResult::bad_name: return "bad element name";
    case LearnResult::bad_type: return "unassigned data type";
    case LearnResult::full: return "too many definitions";
    }
    return "unknown";
}

bool Definitions::add(std::uint32_t pen, std::uint16_t id, std::string_view name, DataType type, Semantics semantics,
                      std::string_view units) {
    if (!printable_name(name)) return false;
    const auto key = std::pair{pen, id};
    // Redefinitions also take an entry (the old one stays valid), so they count toward the limit.
    if (entries_.size() >= limit_) return false;
    auto entry = std::make_unique<Entry>();
    entry->name = name;
    entry->units = units;
    entry->element = Element{pen, id, {}, type, semantics, {}};
    entry->element.name = entry->name;
    entry->element.units = entry->units;
    index_[key] = entry.get();
    entries_.push_back(std::move(entry));
    return true;
}

LearnResult Definitions::learn(const TypeInformation& info) {
    if (info.pen == kPenIana || info.pen == kPenReverse) return LearnResult::iana_scope;
    if (info.id > kMaxElementId) return LearnResult::bad_id;
    if (!printable_name(info.name)) return LearnResult::bad_name;
    const auto type = data_type_from_code(info.data_type);
    if (!type) return LearnResult::bad_type;
    const Semantics semantics = semantics_from_code(info.semantics).value_or(Semantics::none);
    const std::string_view units = units_from_code(info.units);
    if (const Element* e = find(info.pen, info.id)) {
        if (e->name == info.name && e->type == *type && e->semantics == semantics && e->units == units) {
            return LearnResult::unchanged;
        }
    }
    return add(info.pen, info.id, info.name, *type, semantics, units) ? LearnResult::learnt : LearnResult::full;
}

const Element* Definitions::find(std::uint32_t pen, std::uint16_t id) const noexcept {
    auto it = index_.find(std::pair{pen, id});
    return it == index_.end() ? nullptr : &it->second->element;
}

Definitions parse_definitions(std::string_view text, std::string_view source) {
    Definitions defs(std::numeric_limits<std::size_t>::max());
    std::map<std::pair<std::uint32_t, std::uint16_t>, std::size_t> seen;  // (pen, id) -> line
    std::size_t line_no = 0;
    while (!text.empty()) {
        const std::size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        ++line_no;
        line = trim(line);
        if (line.empty() || line.front() == '#') continue;
        auto fail = [&](std::string_view message) {
            return DefinitionsError(fmt::format("{}:{}: {}", source, line_no, message));
        };
        std::array<std::string_view, 4> cell{};
        std::size_t n = 0;
        for (std::string_view rest = line;;) {
            const std::size_t comma = rest.find(',');
            if (n == cell.size()) throw fail("expected 4 fields: pen,id,name,type");
            cell[n++] = trim(rest.substr(0, comma));
            if (comma == std::string_view::npos) break;
            rest.remove_prefix(comma + 1);
        }
        if (n != cell.size()) throw fail("expected 4 fields: pen,id,name,type");
        if (line_no == 1 && equal_nocase(cell[0], "pen") && equal_nocase(cell[1], "id")) continue;  // header

        std::uint32_t pen = 0;
        std::uint16_t id = 0;
        if (equal_nocase(cell[0], "v9")) {
            const auto type = parse_number<std::uint16_t>(cell[1]);
            if (!type) throw fail(fmt::format("bad NetFlow v9 field type '{}' (0-65535)", cell[1]));
            pen = *type >= 32768 ? kPenNetflowExtra : kPenNetflow;
            id = static_cast<std::uint16_t>(*type >= 32768 ? *type - 32768 : *type);
        } else {
            const auto p = parse_number<std::uint32_t>(cell[0]);
            if (!p) throw fail(fmt::format("bad enterprise number '{}'", cell[0]));
            if (*p == kPenReverse) throw fail("PEN 29305 (RFC 5103 reverse) elements come from IANA's");
            const auto i = parse_number<std::uint16_t>(cell[1]);
            if (!i || *i > kMaxElementId) throw fail(fmt::format("bad element id '{}' (0-32767)", cell[1]));
            pen = *p;
            id = *i;
        }
        if (!printable_name(cell[2])) throw fail(fmt::format("bad name '{}' (printable, no spaces)", cell[2]));
        const auto type = data_type_from_name(cell[3]);
        if (!type) throw fail(fmt::format("unknown type '{}' (an RFC 7012 name, e.g. unsigned32)", cell[3]));
        const auto [it, inserted] = seen.emplace(std::pair{pen, id}, line_no);
        if (!inserted) throw fail(fmt::format("({}, {}) already defined on line {}", cell[0], cell[1], it->second));
        defs.add(pen, id, cell[2], *type);
    }
    return defs;
}

Definitions load_definitions(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw DefinitionsError(fmt::format("{}: cannot open", path));
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw DefinitionsError(fmt::format("{}: read error", path));
    return parse_definitions(text.str(), path);
}

void set_user_definitions(Definitions definitions) {
    user_slot() = definitions.empty() ? nullptr : std::make_unique<Definitions>(std::move(definitions));
}

const Definitions* user_definitions() noexcept { return user_slot().get(); }

}  // namespace nfpcap::ie
