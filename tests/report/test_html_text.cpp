// SPDX-License-Identifier: MIT
// The HTML report's text pieces: escaping (HTML, JSON inside <script>), counts, shares, times,
// and the chart axes (round 1024-based sizes, round counts, round times in UTC and local time).
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <limits>
#include <string>

#include "../../src/report/html_internal.hpp"

using namespace nfpcap;
using namespace nfpcap::report::html;

namespace {

constexpr std::int64_t kSec = 1'000'000'000;
constexpr std::int64_t kMin = 60 * kSec;
constexpr std::int64_t kHour = 60 * kMin;
constexpr std::int64_t kT0 = 1'714'564'800 * kSec;  // 2024-05-01T12:00:00Z

const TimeZone kUtc = make_zone(false, 0);

// The value a size label stands for: "1.25M" -> 1310720.
double label_value(const std::string& label) {
    const std::string units = "KMGTPE";
    const auto u = units.find(label.back());
    if (u == std::string::npos) return std::stod(label);
    return std::stod(label.substr(0, label.size() - 1)) * std::pow(1024.0, static_cast<double>(u + 1));
}

// Sets TZ for one test and puts it back.
class ScopedTz {
public:
    explicit ScopedTz(const char* tz) {
        if (const char* old = std::getenv("TZ")) old_ = old, had_ = true;
        setenv("TZ", tz, 1);
        tzset();
    }
    ~ScopedTz() {
        if (had_) {
            setenv("TZ", old_.c_str(), 1);
        } else {
            unsetenv("TZ");
        }
        tzset();
    }
    ScopedTz(const ScopedTz&) = delete;
    ScopedTz& operator=(const ScopedTz&) = delete;

private:
    std::string old_;
    bool had_ = false;
};

}  // namespace

TEST_SUITE("report.html") {

TEST_CASE("escape: markup characters, quotes in attributes") {
    CHECK(escaped("<a href=\"x\" title='y'>&amp;</a>") ==
          "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;");
    CHECK(escaped("</script><script>alert(1)</script>").find('<') == std::string::npos);
    CHECK(escaped("plain text, 10.0.0.1:443") == "plain text, 10.0.0.1:443");
}

TEST_CASE("escape: UTF-8 kept, other bytes and control characters shown as \\xNN") {
    CHECK(escaped("caf\xC3\xA9 \xE2\x86\x92 \xF0\x9F\x93\xA6") == "caf\xC3\xA9 \xE2\x86\x92 \xF0\x9F\x93\xA6");
    CHECK(escaped("eth\xFF"
                  "0") == "eth\\xff0");
    CHECK(escaped("\xC0\xAF") == "\\xc0\\xaf");           // overlong '/'
    CHECK(escaped("\xED\xA0\x80") == "\\xed\\xa0\\x80");  // UTF-16 surrogate
    CHECK(escaped("\xE2\x86") == "\\xe2\\x86");           // cut short
    CHECK(escaped(std::string("a\0b", 3)) == "a\\x00b");
    CHECK(escaped("tab\tline\nbell\x07") == "tab\tline\nbell\\x07");
}

TEST_CASE("JSON inside <script>: nothing can end the element or open a comment") {
    const std::string json = script_safe_json(R"({"name":"</script><script>x()</script><!--","and":"a&b"})");
    CHECK(json.find('<') == std::string::npos);
    CHECK(json.find('>') == std::string::npos);
    CHECK(json.find('&') == std::string::npos);
    CHECK(json ==
          R"({"name":"\u003c/script\u003e\u003cscript\u003ex()\u003c/script\u003e\u003c!--","and":"a\u0026b"})");
    // U+2028 / U+2029 (line separators to older script parsers) are escaped, other UTF-8 kept.
    CHECK(script_safe_json("\"a\xE2\x80\xA8"
                           "b\xE2\x80\xA9"
                           "c\xC3\xA9\"") == "\"a\\u2028b\\u2029c\xC3\xA9\"");
    report::Buffer b;
    append_script_json_string(b, "x</script>\"\n");
    CHECK(fmt::to_string(b) == R"("x\u003c/script\u003e\"\u000a")");
}

TEST_CASE("counts and shares") {
    CHECK(count_text(0) == "0");
    CHECK(count_text(999) == "999");
    CHECK(count_text(1000) == "1,000");
    CHECK(count_text(1234567) == "1,234,567");
    CHECK(count_text(std::numeric_limits<std::uint64_t>::max()) == "18,446,744,073,709,551,615");
    CHECK(share_text(0) == "0 %");
    CHECK(share_text(0.425) == "42.5 %");
    CHECK(share_text(0.0004) == "< 0.1 %");
    CHECK(share_text(0.9996) == "99.9 %");  // never rounded up to everything
    CHECK(share_text(1.0) == "100 %");
}

TEST_CASE("times: UTC without the zone letter, milliseconds when asked") {
    CHECK(time_text(kT0 + 123'456'789, kUtc) == "2024-05-01 12:00:00");
    CHECK(time_text(kT0 + 123'456'789, kUtc, 3) == "2024-05-01 12:00:00.123");
    CHECK(kUtc.label == "UTC");
    const ScopedTz tz("XST-5:30");  // POSIX TZ: 5 h 30 min east of UTC, no tzdata needed
    const TimeZone local = make_zone(true, kT0);
    CHECK(local.label == "UTC+05:30");
    CHECK(time_text(kT0, local) == "2024-05-01 17:30:00");
}

TEST_CASE("size ticks: powers of two from 0, 1024-based labels that are exact") {
    SUBCASE("examples") {
        std::vector<std::string> labels;
        for (const auto& t : size_ticks(5000)) labels.push_back(t.label);
        CHECK(labels == std::vector<std::string>{"0", "1K", "2K", "3K", "4K", "5K"});
        labels.clear();
        for (const auto& t : size_ticks(1'363'149)) labels.push_back(t.label);
        CHECK(labels == std::vector<std::string>{"0", "512K", "1M", "1.5M"});
        CHECK(size_label(1024ULL * 1024 * 1024 * 3 / 2) == "1.5G");
        CHECK(size_label(768 * 1024) == "768K");
    }
    SUBCASE("any maximum") {
        for (std::uint64_t max : {0ULL, 1ULL, 7ULL, 100ULL, 1023ULL, 1024ULL, 1025ULL, 99'999ULL, 4'456'448ULL,
                                  123'456'789'012ULL, 1ULL << 40U, (1ULL << 50U) + 1}) {
            CAPTURE(max);
            const auto ticks = size_ticks(max);
            REQUIRE(ticks.size() >= 2);
            CHECK(ticks.size() <= 6);
            CHECK(ticks.front().value == 0);
            CHECK(ticks.back().value >= static_cast<double>(max));
            const double step = ticks[1].value;
            CHECK(std::exp2(std::round(std::log2(step))) == step);  // a power of two
            for (std::size_t i = 0; i < ticks.size(); ++i) {
                CAPTURE(ticks[i].label);
                CHECK(ticks[i].value == step * static_cast<double>(i));
                CHECK(label_value(ticks[i].label) == doctest::Approx(ticks[i].value).epsilon(1e-9));
            }
        }
    }
}

TEST_CASE("count ticks: 1, 2, 5 x 10^k, compact labels on large axes") {
    std::vector<std::string> labels;
    for (const auto& t : count_ticks(7)) labels.push_back(t.label);
    CHECK(labels == std::vector<std::string>{"0", "2", "4", "6", "8"});
    labels.clear();
    for (const auto& t : count_ticks(1234)) labels.push_back(t.label);
    CHECK(labels == std::vector<std::string>{"0", "500", "1,000", "1,500"});
    labels.clear();
    for (const auto& t : count_ticks(12345)) labels.push_back(t.label);
    CHECK(labels == std::vector<std::string>{"0", "5k", "10k", "15k"});
    labels.clear();
    for (const auto& t : count_ticks(3'400'000)) labels.push_back(t.label);
    CHECK(labels == std::vector<std::string>{"0", "1M", "2M", "3M", "4M"});
    const auto huge = count_ticks(std::numeric_limits<std::uint64_t>::max());
    CHECK(huge.size() >= 2);
    CHECK(huge.size() <= 6);
}

TEST_CASE("time ticks: round times inside the range, labels by step") {
    SUBCASE("minutes") {
        const auto ticks = time_ticks(kT0 + 7 * kSec, kT0 + 9 * kMin + 53 * kSec, kUtc);
        std::vector<std::string> labels;
        for (const auto& t : ticks) {
            labels.push_back(t.label);
            CHECK(std::fmod(t.value, static_cast<double>(2 * kMin)) == 0);
        }
        CHECK(labels == std::vector<std::string>{"12:02", "12:04", "12:06", "12:08"});
    }
    SUBCASE("below a second") {
        std::vector<std::string> labels;
        for (const auto& t : time_ticks(kT0, kT0 + 2 * kSec, kUtc)) labels.push_back(t.label);
        CHECK(labels == std::vector<std::string>{"12:00:00.0", "12:00:00.5", "12:00:01.0", "12:00:01.5", "12:00:02.0"});
    }
    SUBCASE("seconds") {
        std::vector<std::string> labels;
        for (const auto& t : time_ticks(kT0 + 3 * kSec, kT0 + 40 * kSec, kUtc)) labels.push_back(t.label);
        CHECK(labels == std::vector<std::string>{"12:00:05", "12:00:10", "12:00:15", "12:00:20", "12:00:25", "12:00:30",
                                                 "12:00:35", "12:00:40"});
    }
    SUBCASE("across midnight the date is shown where it changes") {
        const std::int64_t evening = kT0 + 11 * kHour;  // 23:00
        std::vector<std::string> labels;
        for (const auto& t : time_ticks(evening, evening + 2 * kHour, kUtc)) labels.push_back(t.label);
        CHECK(labels == std::vector<std::string>{"23:00", "23:15", "23:30", "23:45", "05-02 00:00", "00:15", "00:30",
                                                 "00:45", "01:00"});
    }
    SUBCASE("days") {
        std::vector<std::string> labels;
        for (const auto& t : time_ticks(kT0, kT0 + 5 * 24 * kHour, kUtc)) labels.push_back(t.label);
        CHECK(labels == std::vector<std::string>{"05-02", "05-03", "05-04", "05-05", "05-06"});
    }
    SUBCASE("local time: round in the shown zone") {
        const ScopedTz tz("XST-5:30");
        const TimeZone local = make_zone(true, kT0);
        const auto ticks = time_ticks(kT0, kT0 + 8 * kHour, local);
        REQUIRE(!ticks.empty());
        CHECK(ticks.front().label == "18:00");  // 12:30 UTC
        CHECK(ticks.front().value == static_cast<double>(kT0 + 30 * kMin));
    }
    SUBCASE("extreme ranges end") {
        CHECK(time_ticks(std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max(), kUtc)
                  .size() <= 18);
        CHECK(time_ticks(kT0, kT0, kUtc).size() <= 1);
    }
}

}  // TEST_SUITE("report.html")
