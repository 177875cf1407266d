// SPDX-License-Identifier: MIT
// Live sources: --listen addresses, and a UDP socket source on loopback end to end (one
// datagram, its addresses and the stop request).
#include <doctest/doctest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <atomic>
#include <stdexcept>
#include <vector>

#include "nfpcap/source/live.hpp"
#include "nfpcap/source/socket_source.hpp"

using namespace nfpcap;

TEST_SUITE("source.live") {

TEST_CASE("--listen addresses") {
    auto a = source::parse_listen_address("2055");
    CHECK(a.host.empty());
    CHECK(a.port == 2055);
    a = source::parse_listen_address(":2055");
    CHECK(a.host.empty());
    CHECK(a.port == 2055);
    a = source::parse_listen_address("127.0.0.1:9995");
    CHECK(a.host == "127.0.0.1");
    CHECK(a.port == 9995);
    a = source::parse_listen_address("[::]:2055");
    CHECK(a.host == "::");
    a = source::parse_listen_address("[fe80::1]:0");
    CHECK(a.host == "fe80::1");
    CHECK(a.port == 0);
    for (const char* bad : {"", "x", ":", "65536", "::1:2055", "[::1]", "[::1]2055", "[]:2055", "1.2.3.4:", "-1"}) {
        CAPTURE(bad);
        CHECK_THROWS_AS((void)source::parse_listen_address(bad), std::invalid_argument);
    }
}

TEST_CASE("a UDP socket source: one datagram with its addresses, then the stop request") {
    std::atomic<bool> stop{false};
    source::SocketOptions options;
    options.udp.push_back({"127.0.0.1", 0});
    options.stop.stop = &stop;
    options.stop.poll_interval = std::chrono::milliseconds(10);
    std::unique_ptr<source::SocketSource> src;
    try {
        src = std::make_unique<source::SocketSource>(options);
    } catch (const std::runtime_error& e) {
        MESSAGE("no loopback socket here: " << e.what());
        return;
    }
    const auto bound = src->bound();
    REQUIRE(bound.size() == 1);
    const auto port = static_cast<std::uint16_t>(std::stoi(bound[0].substr(bound[0].rfind(':') + 1)));
    CHECK(bound[0] == "udp 127.0.0.1:" + std::to_string(port));
    CHECK(src->receive_buffer() > 0);

    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const char payload[] = "\x00\x0a\x00\x10 sixteen bytes";
    REQUIRE(::sendto(fd, payload, 16, 0, reinterpret_cast<const sockaddr*>(&to), sizeof to) == 16);
    sockaddr_in from{};
    socklen_t len = sizeof from;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&from), &len);

    source::Message m;
    CHECK(src->next(m) == source::SourceEvent::input_begins);
    CHECK(src->current().live);
    REQUIRE(src->next(m) == source::SourceEvent::message);
    CHECK(m.frame == 1);
    CHECK(m.transport == source::Transport::socket_datagram);
    CHECK(m.payload.size() == 16);
    CHECK(m.length == 16);
    CHECK_FALSE(m.truncated);
    CHECK(wire::to_string(m.exporter) == "127.0.0.1:" + std::to_string(ntohs(from.sin_port)));
    CHECK(wire::to_string(m.collector) == "127.0.0.1:" + std::to_string(port));
    CHECK(m.time_ns > 1'600'000'000LL * 1'000'000'000LL);
    CHECK(m.time_digits == 9);
    ::close(fd);

    stop = true;  // nothing more waiting: the source sees the request and ends its input
    CHECK(src->next(m) == source::SourceEvent::input_ends);
    CHECK(src->current().counters.frames == 1);
    CHECK(src->current().kernel_drops == std::optional<std::uint64_t>(0));
    CHECK(src->next(m) == source::SourceEvent::end);
}

}  // TEST_SUITE("source.live")
