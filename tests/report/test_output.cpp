// SPDX-License-Identifier: MIT
// Shared text helpers: ISO times, JSON strings, hex.
#include <doctest/doctest.h>

#include "nfpcap/report/output.hpp"

using namespace nfpcap;

TEST_SUITE("report.output") {

TEST_CASE("ISO 8601 UTC times with chosen precision") {
    report::Buffer b;
    report::append_iso_time(b, 1700000000123456789LL, 3);
    CHECK(fmt::to_string(b) == "2023-11-14T22:13:20.123Z");
    b.clear();
    report::append_iso_time(b, 1700000000123456789LL, 9);
    CHECK(fmt::to_string(b) == "2023-11-14T22:13:20.123456789Z");
    b.clear();
    report::append_iso_time(b, 951782400LL * 1000000000, 0);  // leap day 2000-02-29
    CHECK(fmt::to_string(b) == "2000-02-29T00:00:00Z");
    b.clear();
    report::append_iso_time(b, -1, 3);
    CHECK(fmt::to_string(b) == "1969-12-31T23:59:59.999Z");
}

TEST_CASE("JSON strings escape quotes, controls and invalid UTF-8") {
    report::Buffer b;
    static constexpr char kInput[] = "a\"b\\c\n\x01 caf\xc3\xa9 \xff";
    report::append_json_string(b, std::string_view(kInput, sizeof kInput - 1));
    CHECK(fmt::to_string(b) == "\"a\\\"b\\\\c\\u000a\\u0001 caf\xc3\xa9 \\u00ff\"");
}

TEST_CASE("hex is lowercase without separators") {
    report::Buffer b;
    const std::uint8_t bytes[] = {0x00, 0xab, 0x10};
    report::append_hex(b, std::as_bytes(std::span(bytes)));
    CHECK(fmt::to_string(b) == "00ab10");
}

}  // TEST_SUITE("report.output")
