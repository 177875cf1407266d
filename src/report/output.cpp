// SPDX-License-Identifier: MIT
// Buffered output and the shared text helpers (times, JSON strings, hex).
#include "nfpcap/report/output.hpp"

#include <cerrno>
#include <ctime>

namespace nfpcap::report {

void Output::flush() {
    if (closed_ || buffer_.size() == 0) {
        buffer_.clear();
        return;
    }
    if (std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size() || std::fflush(file_) != 0) {
        closed_ = true;  // EPIPE or a full disk: nothing more can be written
    }
    buffer_.clear();
}

namespace {

// Days since 1970-01-01 to civil date (Howard Hinnant's algorithm).
void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) noexcept {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
}

void append_2(Buffer& out, unsigned v) {
    out.push_back(static_cast<char>('0' + v / 10));
    out.push_back(static_cast<char>('0' + v % 10));
}

void append_fraction(Buffer& out, std::int64_t sub_ns, int digits) {
    if (digits <= 0) return;
    char buf[10];
    auto v = static_cast<std::uint64_t>(sub_ns);
    for (int i = 8; i >= 0; --i) {
        buf[i] = static_cast<char>('0' + v % 10);
        v /= 10;
    }
    out.push_back('.');
    out.append(buf, buf + digits);
}

void append_fields(Buffer& out, std::int64_t y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s) {
    if (y >= 0 && y <= 9999) {
        auto uy = static_cast<unsigned>(y);
        append_2(out, uy / 100);
        append_2(out, uy % 100);
    } else {
        fmt::format_to(std::back_inserter(out), "{}", y);
    }
    out.push_back('-');
    append_2(out, mo);
    out.push_back('-');
    append_2(out, d);
    out.push_back('T');
    append_2(out, h);
    out.push_back(':');
    append_2(out, mi);
    out.push_back(':');
    append_2(out, s);
}

}  // namespace

void append_iso_time(Buffer& out, std::int64_t ns, int digits) {
    std::int64_t secs = ns / 1'000'000'000;
    std::int64_t sub = ns % 1'000'000'000;
    if (sub < 0) {
        sub += 1'000'000'000;
        --secs;
    }
    std::int64_t days = secs / 86400;
    std::int64_t rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        --days;
    }
    std::int64_t y;
    unsigned m, d;
    civil_from_days(days, y, m, d);
    const auto r = static_cast<unsigned>(rem);
    append_fields(out, y, m, d, r / 3600, r / 60 % 60, r % 60);
    append_fraction(out, sub, digits);
    out.push_back('Z');
}

void append_local_time(Buffer& out, std::int64_t ns, int digits) {
    std::int64_t secs = ns / 1'000'000'000;
    std::int64_t sub = ns % 1'000'000'000;
    if (sub < 0) {
        sub += 1'000'000'000;
        --secs;
    }
    auto t = static_cast<std::time_t>(secs);
    std::tm tm{};
    localtime_r(&t, &tm);
    append_fields(out, tm.tm_year + 1900, static_cast<unsigned>(tm.tm_mon + 1), static_cast<unsigned>(tm.tm_mday),
                  static_cast<unsigned>(tm.tm_hour), static_cast<unsigned>(tm.tm_min),
                  static_cast<unsigned>(tm.tm_sec));
    append_fraction(out, sub, digits);
    long off = tm.tm_gmtoff / 60;
    out.push_back(off < 0 ? '-' : '+');
    if (off < 0) off = -off;
    append_2(out, static_cast<unsigned>(off / 60));
    out.push_back(':');
    append_2(out, static_cast<unsigned>(off % 60));
}

void append_json_string(Buffer& out, std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    out.push_back('"');
    std::size_t i = 0;
    while (i < s.size()) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            out.push_back(static_cast<char>(c));
            ++i;
            continue;
        }
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(static_cast<char>(c));
            ++i;
            continue;
        }
        if (c < 0x20) {
            const char esc[] = {'\\', 'u', '0', '0', kHex[c >> 4U], kHex[c & 15U]};
            out.append(esc, esc + 6);
            ++i;
            continue;
        }
        // A multi-byte sequence: copy it if well formed, otherwise escape the byte.
        std::size_t n = (c & 0xe0U) == 0xc0U ? 2 : (c & 0xf0U) == 0xe0U ? 3 : (c & 0xf8U) == 0xf0U ? 4 : 0;
        bool ok = n != 0 && i + n <= s.size();
        for (std::size_t k = 1; ok && k < n; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xc0U) == 0x80U;
        if (ok && n == 2) ok = c >= 0xc2;
        if (ok) {
            out.append(s.data() + i, s.data() + i + n);
            i += n;
        } else {
            const char esc[] = {'\\', 'u', '0', '0', kHex[c >> 4U], kHex[c & 15U]};
            out.append(esc, esc + 6);
            ++i;
        }
    }
    out.push_back('"');
}

void append_hex(Buffer& out, wire::Bytes b) {
    static constexpr char kHex[] = "0123456789abcdef";
    for (std::byte x : b) {
        auto v = static_cast<unsigned>(x);
        out.push_back(kHex[v >> 4U]);
        out.push_back(kHex[v & 15U]);
    }
}

void append_uint(Buffer& out, std::uint64_t v) {
    char buf[20];
    int n = 0;
    do {
        buf[n++] = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (n > 0) out.push_back(buf[--n]);
}

}  // namespace nfpcap::report
