// SPDX-License-Identifier: MIT
// --from / --to values: ISO 8601 and epoch forms, zones, limits; the window on flow starts.
#include <doctest/doctest.h>

#include <cstdlib>
#include <ctime>
#include <string>

#include "nfpcap/analyze/time_window.hpp"

using namespace nfpcap;

namespace {

constexpr std::int64_t kSec = 1'000'000'000;
// 2023-11-14T22:13:20Z
constexpr std::int64_t kT = 1'700'000'000 * kSec;

std::int64_t parsed(const std::string& text, bool local = false) {
    std::int64_t ns = 0;
    auto error = analyze::parse_time(text, ns, local);
    INFO(text);
    REQUIRE_MESSAGE(!error, (error ? *error : ""));
    return ns;
}

std::string error_of(const std::string& text) {
    std::int64_t ns = 0;
    auto error = analyze::parse_time(text, ns);
    INFO(text);
    REQUIRE(error);
    return *error;
}

}  // namespace

TEST_SUITE("analyze.time_window") {

TEST_CASE("ISO 8601 with and without fraction and zone") {
    CHECK(parsed("2023-11-14T22:13:20Z") == kT);
    CHECK(parsed("2023-11-14T22:13:20") == kT);  // no zone: UTC
    CHECK(parsed("2023-11-14 22:13:20") == kT);
    CHECK(parsed("2023-11-14t22:13:20z") == kT);
    CHECK(parsed("2023-11-14T22:13") == kT - 20 * kSec);
    CHECK(parsed("2023-11-14T22:13:20.5Z") == kT + kSec / 2);
    CHECK(parsed("2023-11-14T22:13:20,25") == kT + kSec / 4);
    CHECK(parsed("2023-11-14T22:13:20.000000001Z") == kT + 1);
    CHECK(parsed("2023-11-15T00:13:20+02:00") == kT);
    CHECK(parsed("2023-11-15T00:13:20+0200") == kT);
    CHECK(parsed("2023-11-15T00:13:20+02") == kT);
    CHECK(parsed("2023-11-14T17:43:20.5-04:30") == kT + kSec / 2);
    CHECK(parsed("2023-11-14") == kT - (22 * 3600 + 13 * 60 + 20) * kSec);
    CHECK(parsed("  2023-11-14T22:13:20Z ") == kT);
    CHECK(parsed("1970-01-01T00:00:00Z") == 0);
    CHECK(parsed("1969-12-31T23:59:59Z") == -kSec);
    CHECK(parsed("2024-02-29T00:00:00Z") == 1'709'164'800 * kSec);  // leap day
    CHECK(parsed("2016-12-31T23:59:60Z") == 1'483'228'800 * kSec);  // leap second: next minute
}

TEST_CASE("seconds since 1970, with fraction and sign") {
    CHECK(parsed("1700000000") == kT);
    CHECK(parsed("1700000000.25") == kT + kSec / 4);
    CHECK(parsed("0") == 0);
    CHECK(parsed("-5.5") == -5 * kSec - kSec / 2);
    CHECK(parsed("+12") == 12 * kSec);
    CHECK(parsed("9223372036.854775807") == INT64_MAX);
    CHECK(parsed("-9223372036.854775808") == INT64_MIN);
}

TEST_CASE("the int64 limits: year 2262 and 1677 are errors past the last nanosecond") {
    CHECK(parsed("2262-04-11T23:47:16.854775807Z") == INT64_MAX);
    CHECK(error_of("2262-04-11T23:47:16.854775808Z").find("out of range") != std::string::npos);
    CHECK(error_of("9999-12-31T23:59:59Z").find("out of range") != std::string::npos);
    CHECK(parsed("1677-09-21T00:12:43.145224192Z") == INT64_MIN);
    CHECK(error_of("1677-09-21T00:12:43.145224191Z").find("out of range") != std::string::npos);
    CHECK(error_of("0000-01-01").find("out of range") != std::string::npos);
    CHECK(error_of("9223372036.854775808").find("out of range") != std::string::npos);
    CHECK(error_of("99999999999999999999").find("out of range") != std::string::npos);
}

TEST_CASE("malformed times are errors") {
    for (const char* bad :
         {"", "   ", "yesterday", "2023-13-01", "2023-02-29", "2023-11-31", "2023-11-14T25:00", "2023-11-14T22:61",
          "2023-11-14T22:13:20.", "2023-11-14T22:13:20.1234567890", "2023-11-14T22:13:20+25:00",
          "2023-11-14T22:13:20 UTC", "2023-11-14X22:13", "2023-1-14", "1700000000.", "17e8", "1700000000s", "--5"}) {
        CAPTURE(bad);
        std::int64_t ns = 42;
        CHECK(analyze::parse_time(bad, ns));
        CHECK(ns == 42);
    }
}

TEST_CASE("local time when asked, zones still win") {
    const char* old = std::getenv("TZ");
    const std::string saved = old ? old : "";
    setenv("TZ", "EST5", 1);  // UTC-5, no daylight saving
    tzset();
    CHECK(parsed("2023-11-14T17:13:20", true) == kT);
    CHECK(parsed("2023-11-14T22:13:20Z", true) == kT);
    CHECK(parsed("2023-11-14T22:13:20", false) == kT);
    CHECK(parsed("1700000000", true) == kT);
    if (old) {
        setenv("TZ", saved.c_str(), 1);
    } else {
        unsetenv("TZ");
    }
    tzset();
}

TEST_CASE("the window selects flows by start, [from, to)") {
    analyze::FlowRecord f;
    analyze::TimeWindow w;
    CHECK(w.unbounded());
    CHECK(w.contains(f));  // no bounds: everything, untimed records too
    w.from_ns = kT;
    w.to_ns = kT + 10 * kSec;
    CHECK_FALSE(w.contains(f));  // no start: cannot be placed in a bounded window
    f.start_ns = kT;
    CHECK(w.contains(f));
    f.start_ns = kT + 10 * kSec - 1;
    CHECK(w.contains(f));
    f.start_ns = kT + 10 * kSec;
    CHECK_FALSE(w.contains(f));
    f.start_ns = kT - 1;
    CHECK_FALSE(w.contains(f));
    w.to_ns.reset();
    f.start_ns = INT64_MAX;
    CHECK(w.contains(f));
    w.from_ns.reset();
    w.to_ns = kT;
    f.start_ns = INT64_MIN;
    CHECK(w.contains(f));
}

}  // TEST_SUITE("analyze.time_window")
