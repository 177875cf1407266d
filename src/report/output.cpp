// SPDX-License-Identifier: MIT
// Buffered output and the shared text helpers (times, JSON strings, hex).
#include "nfpcap/report/output.hpp"

#include <algorithm>
#include "nfpcap/wire/civil_time.hpp"

#include <pthread.h>
#include <unistd.h>
#include <cerrno>
#include <climits>
#include <csignal>
#include <cstring>
#include <ctime>

namespace nfpcap::report {

void Output::fail(int error) noexcept {
    closed_ = true;
    // A reader that went away is the normal end of a pipe (`| head`), not an error.
    if (error != EPIPE && error_ == 0) error_ = error != 0 ? error : EIO;
}

void Output::flush() {
    if (closed_ || buffer_.size() == 0) {
        buffer_.clear();
        if (!closed_ && std::fflush(file_) != 0) fail(errno);
        return;
    }
    // Straight to the descriptor: the buffer is already large, stdio would only split it.
    if (std::fflush(file_) != 0) {
        fail(errno);
        buffer_.clear();
        return;
    }
    const int fd = fileno(file_);
    const char* p = buffer_.data();
    std::size_t left = buffer_.size();
    // The buffer ends at a record boundary. A write that took only part of it (a pipe) leaves a
    // record cut: the rest goes out with SIGINT/SIGTERM held back, so a second signal (which
    // ends the process at once) cannot leave that record half written.
    sigset_t held{}, before{};
    bool holding = false;
    while (left > 0) {
        const ssize_t n = ::write(fd, p, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            fail(n < 0 ? errno : EIO);
            break;
        }
        p += n;
        left -= static_cast<std::size_t>(n);
        if (left > 0 && !holding) {
            sigemptyset(&held);
            sigaddset(&held, SIGINT);
            sigaddset(&held, SIGTERM);
            holding = pthread_sigmask(SIG_BLOCK, &held, &before) == 0;
        }
    }
    if (holding) pthread_sigmask(SIG_SETMASK, &before, nullptr);
    buffer_.clear();
}

namespace {

char* put_2(char* p, unsigned v) noexcept {
    p[0] = static_cast<char>('0' + v / 10);
    p[1] = static_cast<char>('0' + v % 10);
    return p + 2;
}

char* put_fraction(char* p, std::int64_t sub_ns, int digits) noexcept {
    if (digits <= 0) return p;
    digits = std::min(digits, 9);  // nanoseconds are all there is
    char buf[9];
    auto v = static_cast<std::uint64_t>(sub_ns);
    for (int i = 8; i >= 0; --i) {
        buf[i] = static_cast<char>('0' + v % 10);
        v /= 10;
    }
    *p++ = '.';
    for (int i = 0; i < digits; ++i) *p++ = buf[i];
    return p;
}

/// Writes `YYYY-MM-DDTHH:MM:SS` (19 characters for years 0-9999).
char* put_fields(char* p, std::int64_t y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s) noexcept {
    if (y >= 0 && y <= 9999) {
        auto uy = static_cast<unsigned>(y);
        p = put_2(p, uy / 100);
        p = put_2(p, uy % 100);
    } else {
        p = fmt::format_to(p, "{}", y);
    }
    *p++ = '-';
    p = put_2(p, mo);
    *p++ = '-';
    p = put_2(p, d);
    *p++ = 'T';
    p = put_2(p, h);
    *p++ = ':';
    p = put_2(p, mi);
    *p++ = ':';
    return put_2(p, s);
}

void split_ns(std::int64_t ns, std::int64_t& secs, std::int64_t& sub) noexcept {
    secs = ns / 1'000'000'000;
    sub = ns % 1'000'000'000;
    if (sub < 0) {
        sub += 1'000'000'000;
        --secs;
    }
}

}  // namespace

char* put_iso_time(char* p, std::int64_t ns, int digits) noexcept {
    // Every record of a datagram has its capture time: remember the last full text.
    thread_local std::int64_t last_ns = INT64_MIN;
    thread_local int last_digits = -1;
    thread_local char last_text[48];
    thread_local std::size_t last_len = 0;
    if (ns == last_ns && digits == last_digits) {
        std::memcpy(p, last_text, last_len);
        return p + last_len;
    }
    char* const begin = p;
    std::int64_t secs, sub;
    split_ns(ns, secs, sub);
    // Records of one datagram share their seconds: keep the date/time text of the last few
    // seconds seen (capture time, start and end differ, so one entry would thrash).
    struct Entry {
        std::int64_t secs = INT64_MIN;
        char text[32];
        std::size_t len = 0;
    };
    thread_local Entry cache[4];
    Entry& e = cache[static_cast<std::size_t>(secs) & 3U];
    if (e.secs != secs) {
        std::int64_t days = secs / 86400;
        std::int64_t rem = secs % 86400;
        if (rem < 0) {
            rem += 86400;
            --days;
        }
        std::int64_t y;
        unsigned m, d;
        wire::civil_from_days(days, y, m, d);
        const auto r = static_cast<unsigned>(rem);
        e.len = static_cast<std::size_t>(put_fields(e.text, y, m, d, r / 3600, r / 60 % 60, r % 60) - e.text);
        e.secs = secs;
    }
    const char* cached = e.text;
    const std::size_t cached_len = e.len;
    std::memcpy(p, cached, cached_len);
    p = put_fraction(p + cached_len, sub, digits);
    *p++ = 'Z';
    last_ns = ns;
    last_digits = digits;
    last_len = static_cast<std::size_t>(p - begin);
    std::memcpy(last_text, begin, last_len);
    return p;
}

void append_iso_time(Buffer& out, std::int64_t ns, int digits) {
    commit(out, put_iso_time(reserve(out, 48), ns, digits));
}

void append_local_time(Buffer& out, std::int64_t ns, int digits) {
    std::int64_t secs, sub;
    split_ns(ns, secs, sub);
    auto t = static_cast<std::time_t>(secs);
    std::tm tm{};
    localtime_r(&t, &tm);
    char buf[64];
    char* p = put_fields(buf, tm.tm_year + 1900, static_cast<unsigned>(tm.tm_mon + 1),
                         static_cast<unsigned>(tm.tm_mday), static_cast<unsigned>(tm.tm_hour),
                         static_cast<unsigned>(tm.tm_min), static_cast<unsigned>(tm.tm_sec));
    p = put_fraction(p, sub, digits);
    long off = tm.tm_gmtoff / 60;
    *p++ = off < 0 ? '-' : '+';
    if (off < 0) off = -off;
    p = put_2(p, static_cast<unsigned>(off / 60));
    *p++ = ':';
    p = put_2(p, static_cast<unsigned>(off % 60));
    out.append(buf, p);
}

char* put_json_string(char* p, std::string_view s) noexcept {
    static constexpr char kHex[] = "0123456789abcdef";
    *p++ = ('"');
    std::size_t i = 0;
    while (i < s.size()) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            *p++ = (static_cast<char>(c));
            ++i;
            continue;
        }
        if (c == '"' || c == '\\') {
            *p++ = ('\\');
            *p++ = (static_cast<char>(c));
            ++i;
            continue;
        }
        if (c < 0x20) {
            const char esc[] = {'\\', 'u', '0', '0', kHex[c >> 4U], kHex[c & 15U]};
            p = put(p, std::string_view(esc, 6));
            ++i;
            continue;
        }
        // A multi-byte sequence: copy it if well formed, otherwise escape the byte.
        std::size_t n = (c & 0xe0U) == 0xc0U ? 2 : (c & 0xf0U) == 0xe0U ? 3 : (c & 0xf8U) == 0xf0U ? 4 : 0;
        bool ok = n != 0 && i + n <= s.size();
        for (std::size_t k = 1; ok && k < n; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xc0U) == 0x80U;
        if (ok && n == 2) ok = c >= 0xc2;
        if (ok) {
            p = put(p, s.substr(i, n));
            i += n;
        } else {
            const char esc[] = {'\\', 'u', '0', '0', kHex[c >> 4U], kHex[c & 15U]};
            p = put(p, std::string_view(esc, 6));
            ++i;
        }
    }
    *p++ = ('"');
    return p;
}

void append_json_string(Buffer& out, std::string_view s) {
    commit(out, put_json_string(reserve(out, 2 + 6 * s.size()), s));
}

void append_csv_field(Buffer& out, std::string_view s) {
    if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
        out.append(s.data(), s.data() + s.size());
        return;
    }
    out.push_back('"');
    for (char ch : s) {
        if (ch == '"') out.push_back('"');
        out.push_back(ch);
    }
    out.push_back('"');
}

std::string csv_field(std::string_view s) {
    Buffer b;
    append_csv_field(b, s);
    return std::string(b.data(), b.size());
}

char* put_hex(char* p, wire::Bytes b) noexcept {
    static constexpr char kHex[] = "0123456789abcdef";
    for (std::byte x : b) {
        auto v = static_cast<unsigned>(x);
        *p++ = kHex[v >> 4U];
        *p++ = kHex[v & 15U];
    }
    return p;
}

void append_hex(Buffer& out, wire::Bytes b) { commit(out, put_hex(reserve(out, 2 * b.size()), b)); }

char* put_uint(char* p, std::uint64_t v) noexcept {
    // Two digits per division, from a table, written in place once the length is known (no
    // copy): the hottest path of JSON and CSV output.
    static constexpr char kPairs[] =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
        "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
        "8081828384858687888990919293949596979899";
    std::size_t n = 1;
    for (std::uint64_t rest = v; rest >= 10; rest /= 10) ++n;
    char* const end = p + n;
    char* q = end;
    while (v >= 100) {
        const auto i = static_cast<std::size_t>(v % 100) * 2;
        v /= 100;
        *--q = kPairs[i + 1];
        *--q = kPairs[i];
    }
    if (v >= 10) {
        const auto i = static_cast<std::size_t>(v) * 2;
        *--q = kPairs[i + 1];
        *--q = kPairs[i];
    } else {
        *--q = static_cast<char>('0' + v);
    }
    return end;
}

void append_uint(Buffer& out, std::uint64_t v) { commit(out, put_uint(reserve(out, 20), v)); }

void append_spaces(Buffer& out, std::size_t n) {
    constexpr std::string_view kSpaces = "                                ";
    for (; n > kSpaces.size(); n -= kSpaces.size()) out.append(kSpaces);
    out.append(kSpaces.substr(0, n));
}

}  // namespace nfpcap::report
