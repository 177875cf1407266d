// SPDX-License-Identifier: MIT
// ISO 8601 and epoch times to nanoseconds, with checked arithmetic over the whole int64 range.
#include "nfpcap/analyze/time_window.hpp"
#include "nfpcap/wire/civil_time.hpp"

#include <cstdint>
#include <ctime>

#include "nfpcap/analyze/saturating.hpp"

namespace nfpcap::analyze {

namespace {

constexpr std::int64_t kNsPerSec = 1'000'000'000;

// A cursor over the text; every read checks what is there.
struct Cursor {
    std::string_view s;
    std::size_t i = 0;

    [[nodiscard]] bool done() const noexcept { return i >= s.size(); }
    [[nodiscard]] char peek() const noexcept { return done() ? '\0' : s[i]; }
    bool take(char c) noexcept {
        if (peek() != c) return false;
        ++i;
        return true;
    }
    static bool digit(char c) noexcept { return c >= '0' && c <= '9'; }
    // Exactly n digits.
    bool digits(std::size_t n, int& out) noexcept {
        int v = 0;
        for (std::size_t k = 0; k < n; ++k) {
            if (!digit(peek())) return false;
            v = v * 10 + (s[i++] - '0');
        }
        out = v;
        return true;
    }
    // A fraction after '.' or ',': 1 to 9 digits as nanoseconds.
    bool fraction(std::int64_t& ns) noexcept {
        std::size_t n = 0;
        std::int64_t v = 0;
        while (digit(peek())) {
            if (++n > 9) return false;
            v = v * 10 + (s[i++] - '0');
        }
        if (n == 0) return false;
        for (; n < 9; ++n) v *= 10;
        ns = v;
        return true;
    }
};

unsigned days_in_month(int y, int m) noexcept {
    static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : kDays[m - 1];
}

// seconds * 1e9 + ns, or nullopt past int64
// (128-bit: the first second of 1677 is before INT64_MIN, its last nanoseconds are not.)
std::optional<std::int64_t> to_ns(std::int64_t seconds, std::int64_t ns) noexcept {
    const Int128 r = static_cast<Int128>(seconds) * kNsPerSec + ns;
    if (r < INT64_MIN || r > INT64_MAX) return std::nullopt;
    return static_cast<std::int64_t>(r);
}

const char* const kExpected = "expected ISO 8601 (2024-01-31T12:00:00[.fraction][Z|+hh:mm]) or seconds since 1970";

std::optional<std::string> parse_epoch(std::string_view text, std::int64_t& out) {
    Cursor c{text};
    const bool negative = c.take('-');
    if (!negative) c.take('+');
    std::int64_t seconds = 0;
    std::size_t n = 0;
    while (Cursor::digit(c.peek())) {
        if (__builtin_mul_overflow(seconds, 10, &seconds) ||
            __builtin_add_overflow(seconds, c.s[c.i] - '0', &seconds)) {
            return std::string("out of range (1677-09-21 to 2262-04-11)");
        }
        ++c.i;
        ++n;
    }
    if (n == 0) return std::string(kExpected);
    std::int64_t frac = 0;
    if ((c.take('.') || c.take(',')) && !c.fraction(frac)) return std::string(kExpected);
    if (!c.done()) return std::string(kExpected);
    auto ns = negative ? to_ns(-seconds, -frac) : to_ns(seconds, frac);
    if (!ns) return std::string("out of range (1677-09-21 to 2262-04-11)");
    out = *ns;
    return std::nullopt;
}

}  // namespace

std::optional<std::string> parse_time(std::string_view text, std::int64_t& out_ns, bool local) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    if (text.empty()) return std::string("empty time");
    // Seconds since 1970 unless it looks like a date (YYYY-).
    if (text.size() < 5 || text[4] != '-') return parse_epoch(text, out_ns);

    Cursor c{text};
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    std::int64_t frac = 0;
    if (!c.digits(4, year) || !c.take('-') || !c.digits(2, month) || !c.take('-') || !c.digits(2, day)) {
        return std::string(kExpected);
    }
    if (month < 1 || month > 12 || day < 1 || static_cast<unsigned>(day) > days_in_month(year, month)) {
        return "no such date " + std::string(text.substr(0, 10));
    }
    std::optional<int> offset_minutes;  // zone, east of UTC
    if (!c.done()) {
        if (!c.take('T') && !c.take('t') && !c.take(' ')) return std::string(kExpected);
        if (!c.digits(2, hour) || !c.take(':') || !c.digits(2, minute)) return std::string(kExpected);
        if (c.take(':') && !c.digits(2, second)) return std::string(kExpected);
        if ((c.peek() == '.' || c.peek() == ',') && (++c.i, !c.fraction(frac))) return std::string(kExpected);
        // A leap second (:60) is the first second of the next minute.
        if (hour > 23 || minute > 59 || second > 60) return "no such time of day in " + std::string(text);
        if (c.take('Z') || c.take('z')) {
            offset_minutes = 0;
        } else if (c.peek() == '+' || c.peek() == '-') {
            const int sign = c.s[c.i++] == '-' ? -1 : 1;
            int oh = 0, om = 0;
            if (!c.digits(2, oh)) return std::string(kExpected);
            if (c.take(':')) {
                if (!c.digits(2, om)) return std::string(kExpected);
            } else if (Cursor::digit(c.peek()) && !c.digits(2, om)) {
                return std::string(kExpected);
            }
            if (oh > 23 || om > 59) return "no such zone offset in " + std::string(text);
            offset_minutes = sign * (oh * 60 + om);
        }
        if (!c.done()) return std::string(kExpected);
    }
    std::int64_t seconds = 0;
    if (!offset_minutes && local) {
        std::tm tm{};
        tm.tm_year = year - 1900;
        tm.tm_mon = month - 1;
        tm.tm_mday = day;
        tm.tm_hour = hour;
        tm.tm_min = minute;
        tm.tm_sec = second;
        tm.tm_isdst = -1;  // let the zone rules decide
        const std::time_t t = std::mktime(&tm);
        if (t == static_cast<std::time_t>(-1) && !(tm.tm_year == 69 && tm.tm_mon == 11 && tm.tm_mday == 31)) {
            return "no such local time " + std::string(text);
        }
        seconds = static_cast<std::int64_t>(t);
    } else {
        seconds = wire::days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 +
                  hour * 3600 + minute * 60 + second - offset_minutes.value_or(0) * 60;
    }
    auto ns = to_ns(seconds, frac);
    if (!ns) return std::string("out of range (1677-09-21 to 2262-04-11)");
    out_ns = *ns;
    return std::nullopt;
}

}  // namespace nfpcap::analyze
