// SPDX-License-Identifier: MIT
// Text for the HTML page: escaping (HTML and JSON inside <script>), counts, shares, times.
#include <ctime>
#include <iterator>
#include <limits>

#include "html_internal.hpp"

namespace nfpcap::report::html {

namespace {

// Length of the valid UTF-8 sequence at s[i] (RFC 3629: no overlongs, no surrogates, at most
// U+10FFFF), or 0 when the bytes there are not one.
std::size_t utf8_length(std::string_view s, std::size_t i) noexcept {
    const auto b0 = static_cast<unsigned char>(s[i]);
    auto cont = [&](std::size_t k) {
        return i + k < s.size() && (static_cast<unsigned char>(s[i + k]) & 0xC0U) == 0x80U;
    };
    if (b0 < 0x80) return 1;
    if (b0 >= 0xC2 && b0 <= 0xDF) return cont(1) ? 2 : 0;
    if (b0 >= 0xE0 && b0 <= 0xEF) {
        if (!cont(1) || !cont(2)) return 0;
        const auto b1 = static_cast<unsigned char>(s[i + 1]);
        if (b0 == 0xE0 && b1 < 0xA0) return 0;  // overlong
        if (b0 == 0xED && b1 > 0x9F) return 0;  // surrogate
        return 3;
    }
    if (b0 >= 0xF0 && b0 <= 0xF4) {
        if (!cont(1) || !cont(2) || !cont(3)) return 0;
        const auto b1 = static_cast<unsigned char>(s[i + 1]);
        if (b0 == 0xF0 && b1 < 0x90) return 0;  // overlong
        if (b0 == 0xF4 && b1 > 0x8F) return 0;  // past U+10FFFF
        return 4;
    }
    return 0;
}

void hex_escape(Buffer& out, unsigned char c) {
    static constexpr char kHex[] = "0123456789abcdef";
    const char text[4] = {'\\', 'x', kHex[c >> 4U], kHex[c & 0xFU]};
    out.append(text, text + 4);
}

}  // namespace

void escape(Buffer& out, std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const char c = s[i];
        const auto u = static_cast<unsigned char>(c);
        switch (c) {
        case '&': out.append(std::string_view("&amp;")); break;
        case '<': out.append(std::string_view("&lt;")); break;
        case '>': out.append(std::string_view("&gt;")); break;
        case '"': out.append(std::string_view("&quot;")); break;
        case '\'': out.append(std::string_view("&#39;")); break;
        default:
            if (u < 0x80) {
                if ((u < 0x20 && c != '\t' && c != '\n') || u == 0x7F) {
                    hex_escape(out, u);
                } else {
                    out.push_back(c);
                }
                break;
            }
            if (const std::size_t n = utf8_length(s, i)) {
                out.append(s.data() + i, s.data() + i + n);
                i += n;
                continue;
            }
            hex_escape(out, u);
        }
        ++i;
    }
}

std::string escaped(std::string_view s) {
    Buffer b;
    escape(b, s);
    return fmt::to_string(b);
}

std::string script_safe_json(std::string_view json) {
    std::string out;
    out.reserve(json.size());
    for (std::size_t i = 0; i < json.size(); ++i) {
        const char c = json[i];
        if (c == '<') {
            out += "\\u003c";
        } else if (c == '>') {
            out += "\\u003e";
        } else if (c == '&') {
            out += "\\u0026";
        } else if (c == '\xE2' && i + 2 < json.size() && json[i + 1] == '\x80' &&
                   (json[i + 2] == '\xA8' || json[i + 2] == '\xA9')) {
            // U+2028 / U+2029 end a line in older JavaScript parsers.
            out += json[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
            i += 2;
        } else {
            out += c;
        }
    }
    return out;
}

void append_script_json_string(Buffer& out, std::string_view s) {
    Buffer json;
    append_json_string(json, s);
    const std::string safe = script_safe_json(std::string_view(json.data(), json.size()));
    out.append(safe);
}

std::string count_text(std::uint64_t n) {
    std::string digits = std::to_string(n);
    std::string out;
    out.reserve(digits.size() + digits.size() / 3);
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

std::string share_text(double share) {
    const double pct = share * 100.0;
    if (pct <= 0) return "0 %";
    if (pct < 0.1) return "< 0.1 %";
    if (pct >= 99.95) return pct >= 100.0 ? "100 %" : "99.9 %";  // never rounded up to all
    return fmt::format("{:.1f} %", pct);
}

TimeZone make_zone(bool local, std::int64_t at_ns) {
    TimeZone z;
    z.local = local;
    if (!local) {
        z.label = "UTC";
        return z;
    }
    const std::time_t t = static_cast<std::time_t>(at_ns / 1'000'000'000);
    std::tm tm{};
    if (localtime_r(&t, &tm) == nullptr) {
        z.label = "UTC";
        return z;
    }
    const long off = tm.tm_gmtoff;
    z.offset_ns = static_cast<std::int64_t>(off) * 1'000'000'000;
    const long a = off < 0 ? -off : off;
    z.label = fmt::format("UTC{}{:02}:{:02}", off < 0 ? '-' : '+', a / 3600, a / 60 % 60);
    return z;
}

std::int64_t span_ns(std::int64_t from, std::int64_t to) noexcept {
    if (to <= from) return 0;
    std::int64_t r = 0;
    return __builtin_sub_overflow(to, from, &r) ? std::numeric_limits<std::int64_t>::max() : r;
}

std::int64_t shown_ns(std::int64_t ns, const TimeZone& zone) noexcept {
    // Saturating: capture times are already saturated at the ends of the range.
    std::int64_t r = 0;
    if (__builtin_add_overflow(ns, zone.offset_ns, &r)) return ns;
    return r;
}

std::string time_text(std::int64_t ns, const TimeZone& zone, int digits) {
    Buffer b;
    append_iso_time(b, shown_ns(ns, zone), digits);
    std::string s = fmt::to_string(b);
    if (!s.empty() && s.back() == 'Z') s.pop_back();
    if (s.size() > 10 && s[10] == 'T') s[10] = ' ';
    return s;
}

}  // namespace nfpcap::report::html
