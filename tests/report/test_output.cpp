// SPDX-License-Identifier: MIT
// Shared text helpers: ISO times, JSON strings, hex.
#include <doctest/doctest.h>

#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <cstdio>

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

TEST_SUITE("report.output.faults") {

TEST_CASE("output_to_full_disk: the write error is kept, output stops") {
    std::FILE* full = std::fopen("/dev/full", "w");
    REQUIRE(full != nullptr);
    {
        report::Output out(full, "/dev/full");
        out.buffer().append(std::string_view("a record\n"));
        out.flush();
        CHECK(out.closed());
        CHECK(out.error() == ENOSPC);
        CHECK(out.name() == "/dev/full");
        out.buffer().append(std::string_view("more\n"));
        out.flush();  // after a failure nothing more is written, the first error stays
        CHECK(out.error() == ENOSPC);
    }
    std::fclose(full);
}

TEST_CASE("output_to_closed_pipe: the reader went away, no error") {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    ::close(fds[0]);
    std::signal(SIGPIPE, SIG_IGN);
    std::FILE* w = ::fdopen(fds[1], "w");
    {
        report::Output out(w);
        out.buffer().append(std::string_view("a record\n"));
        out.flush();
        CHECK(out.closed());
        CHECK(out.error() == 0);
    }
    std::fclose(w);
}

TEST_CASE("output_to_read_only_descriptor: a closed descriptor is an error") {
    std::FILE* ro = std::fopen("/dev/null", "r");
    REQUIRE(ro != nullptr);
    {
        report::Output out(ro);
        out.buffer().append(std::string_view("a record\n"));
        out.flush();
        CHECK(out.error() == EBADF);
    }
    std::fclose(ro);
}

}  // TEST_SUITE("report.output.faults")
