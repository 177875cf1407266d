// SPDX-License-Identifier: MIT
// Hosts-file parsing and the reverse-DNS resolver's caching, precedence and time budget.
#include <doctest/doctest.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "nfpcap/analyze/hosts_file.hpp"
#include "nfpcap/analyze/resolver.hpp"

using namespace nfpcap;
using namespace std::chrono_literals;

namespace {

const std::string kDnsData = std::string(NFPCAP_TEST_DATA_DIR) + "/dns/";

wire::IpAddress ip(const std::string& text) {
    const auto a = wire::IpAddress::parse(text);
    REQUIRE(a.family != 0);
    return a;
}

std::string error_of(const std::string& path) {
    try {
        analyze::read_hosts_file(path);
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "(no error)";
}

void check_totals(const analyze::ResolverStats& s) { CHECK(s.asked == s.named + s.unnamed + s.timed_out + s.skipped); }

}  // namespace

TEST_SUITE("analyze.resolver") {

TEST_CASE("hosts file: comments, aliases, IPv6, first name wins") {
    const auto names = analyze::read_hosts_file(kDnsData + "hosts-comments-aliases-ipv6.txt");
    CHECK(names.size() == 6);
    CHECK(names.at(ip("127.0.0.1")) == "localhost");
    CHECK(names.at(ip("192.0.2.10")) == "web.example.test");  // not the alias, not the later line
    CHECK(names.at(ip("192.0.2.11")) == "db.example.test");
    CHECK(names.at(ip("2001:db8::1")) == "v6.example.test");
    CHECK(names.at(ip("fe80::1")) == "link.example.test");  // zone dropped
    CHECK(names.at(ip("::ffff:192.0.2.12")) == "mapped.example.test");
}

TEST_CASE("hosts file: errors name the file and line") {
    SUBCASE("bad address") {
        const auto e = error_of(kDnsData + "hosts-bad-address.txt");
        CAPTURE(e);
        CHECK(e.find("hosts-bad-address.txt:3:") != std::string::npos);
        CHECK(e.find("192.0.2.300") != std::string::npos);
    }
    SUBCASE("address without a name") {
        const auto e = error_of(kDnsData + "hosts-missing-name.txt");
        CAPTURE(e);
        CHECK(e.find("hosts-missing-name.txt:2:") != std::string::npos);
    }
    SUBCASE("missing file") {
        const auto e = error_of(kDnsData + "no-such-hosts-file");
        CAPTURE(e);
        CHECK(e.find("no-such-hosts-file") != std::string::npos);
    }
    SUBCASE("directory") {
        const auto e = error_of(kDnsData);
        CAPTURE(e);
        CHECK(e.find("dns/") != std::string::npos);
    }
}

TEST_CASE("names from add_names win and are never asked") {
    analyze::Resolver resolver;
    resolver.add_names({{ip("127.0.0.1"), "from-file"}, {ip("2001:db8::1"), "v6-from-file"}});
    resolver.add_names({{ip("127.0.0.1"), "later"}});  // earlier names are kept
    const auto names = resolver.resolve({ip("127.0.0.1"), ip("2001:db8::1"), ip("127.0.0.1")});
    CHECK(names.size() == 2);
    CHECK(names.at(ip("127.0.0.1")) == "from-file");
    CHECK(names.at(ip("2001:db8::1")) == "v6-from-file");
    CHECK(resolver.stats().from_names == 2);
    CHECK(resolver.stats().asked == 0);
}

TEST_CASE("the system resolver names 127.0.0.1 from /etc/hosts, once per run") {
    analyze::Resolver resolver;
    const auto names = resolver.resolve({ip("127.0.0.1"), ip("127.0.0.1"), ip("127.0.0.1")});
    REQUIRE(names.count(ip("127.0.0.1")) == 1);
    CHECK(names.at(ip("127.0.0.1")) == "localhost");
    CHECK(resolver.stats().asked == 1);
    CHECK(resolver.stats().named == 1);

    // Cached: a second call asks nothing more.
    const auto again = resolver.resolve({ip("127.0.0.1")});
    CHECK(again.at(ip("127.0.0.1")) == "localhost");
    CHECK(resolver.stats().asked == 1);
    check_totals(resolver.stats());
}

TEST_CASE("addresses without a family are ignored") {
    analyze::Resolver resolver;
    CHECK(resolver.resolve({wire::IpAddress{}}).empty());
    CHECK(resolver.stats().asked == 0);
}

TEST_CASE("a spent budget leaves everything numeric without asking") {
    analyze::Resolver resolver({.lookup_timeout = 1000ms, .budget = 0ms, .parallel = 4});
    const auto names = resolver.resolve({ip("127.0.0.1"), ip("192.0.2.1")});
    CHECK(names.empty());
    CHECK(resolver.stats().asked == 2);
    CHECK(resolver.stats().skipped == 2);
    check_totals(resolver.stats());
}

TEST_CASE("the budget holds over many addresses") {
    // Whether 192.0.2.0/24 (RFC 5737) lookups fail fast or hang depends on the machine's DNS;
    // either way resolve() must come back within about the budget.
    std::vector<wire::IpAddress> addresses;
    for (int i = 1; i <= 200; ++i) addresses.push_back(ip("192.0.2." + std::to_string(i % 254 + 1)));
    analyze::Resolver resolver({.lookup_timeout = 150ms, .budget = 300ms, .parallel = 8});
    const auto begin = std::chrono::steady_clock::now();
    const auto names = resolver.resolve(addresses);
    const auto took = std::chrono::steady_clock::now() - begin;
    CHECK(took < 300ms + 2s);
    CHECK(resolver.stats().asked == 200);
    check_totals(resolver.stats());
    for (const auto& [address, name] : names) CHECK(name != wire::to_string(address));

    // The budget is for the run: once spent, later calls ask nothing.
    if (resolver.stats().elapsed >= 300ms) {
        const auto later = resolver.resolve({ip("198.51.100.1")});
        CHECK(later.empty());
        CHECK(resolver.stats().skipped >= 1);
    }
}

}  // TEST_SUITE("analyze.resolver")
