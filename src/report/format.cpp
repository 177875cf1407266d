// SPDX-License-Identifier: MIT
// Output format names.
#include "nfpcap/report/format.hpp"

#include <cctype>

namespace nfpcap::report {

std::string_view name(Format format) noexcept {
    switch (format) {
    case Format::text: return "text";
    case Format::json: return "json";
    case Format::csv: return "csv";
    case Format::line: return "line";
    case Format::count_: break;
    }
    return "?";
}

std::optional<Format> parse_format(std::string_view text) noexcept {
    for (std::uint8_t i = 0; i < static_cast<std::uint8_t>(Format::count_); ++i) {
        const auto f = static_cast<Format>(i);
        const std::string_view n = name(f);
        if (n.size() != text.size()) continue;
        bool same = true;
        for (std::size_t k = 0; k < n.size(); ++k) {
            same = same && std::tolower(static_cast<unsigned char>(text[k])) == n[k];
        }
        if (same) return f;
    }
    return std::nullopt;
}

std::string describe_choices(std::span<const Format> formats) {
    std::string out;
    for (std::size_t i = 0; i < formats.size(); ++i) {
        if (i != 0) out += i + 1 == formats.size() ? " or " : ", ";
        out += name(formats[i]);
    }
    return out;
}

}  // namespace nfpcap::report
