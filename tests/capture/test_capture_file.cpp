// SPDX-License-Identifier: MIT
// The capture file reader and CaptureReader options on fixtures: pcapng sections, interfaces and
// blocks, gzip/zstd, capture time precision, BPF filters, tunnels, TCP streams.
#include <doctest/doctest.h>
#include <pcap/dlt.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "frame_builder.hpp"
#include "nfpcap/capture/capture_reader.hpp"

#ifndef NFPCAP_TEST_DATA_DIR
#error "NFPCAP_TEST_DATA_DIR must name the absolute path of tests/data"
#endif

using nfpcap::capture::CaptureError;
using nfpcap::capture::CaptureFile;
using nfpcap::capture::CaptureReader;
using nfpcap::capture::Compression;
using nfpcap::capture::Datagram;
using nfpcap::capture::Encapsulation;
using nfpcap::capture::FrameIssue;
using nfpcap::capture::ReaderOptions;
using nfpcap::capture::Record;
using nfpcap::capture::Transport;

namespace {

constexpr std::int64_t kT0 = 1'700'000'000'000'000'000;

std::string fixture(const std::string& name) { return std::string(NFPCAP_TEST_DATA_DIR) + "/capture/" + name; }

struct Seen {
    std::uint64_t frame;
    std::int64_t time_ns;
    int digits;
    std::uint32_t interface;
    std::string src, dst;
    std::size_t size;
    bool truncated;
    std::uint16_t encapsulations;
};

std::vector<Seen> read_all(CaptureReader& reader) {
    std::vector<Seen> out;
    Datagram d;
    while (reader.next(d)) {
        out.push_back({d.frame, d.time_ns, d.time_digits, d.interface, nfpcap::wire::to_string(d.src),
                       nfpcap::wire::to_string(d.dst), d.payload.size(), d.truncated, d.encapsulations});
    }
    return out;
}

std::uint64_t issue(const CaptureReader& r, FrameIssue i) {
    return r.counters().issues.at(static_cast<std::size_t>(i));
}
std::uint64_t encapsulated(const CaptureReader& r, Encapsulation e) {
    return r.counters().encapsulated.at(static_cast<std::size_t>(e));
}

std::string open_error(const std::string& path, ReaderOptions options = {}) {
    try {
        CaptureReader reader(path, std::move(options));
    } catch (const CaptureError& e) {
        return e.what();
    }
    return "";
}

/// One direction's bytes of every TCP connection, concatenated in the order handed on.
struct Stream {
    std::string bytes;
    std::vector<Datagram> chunks;  // payload views dropped (they die with the next call)
};

/// Per direction, "src>dst".
std::map<std::string, Stream> tcp_streams(CaptureReader& reader) {
    std::map<std::string, Stream> out;
    Datagram d;
    while (reader.next(d)) {
        if (d.transport != Transport::tcp) continue;
        auto& s = out[nfpcap::wire::to_string(d.src) + ">" + nfpcap::wire::to_string(d.dst)];
        s.bytes += nfpcap::test::as_text(d.payload);
        d.payload = {};
        s.chunks.push_back(d);
    }
    return out;
}

ReaderOptions follow_4739() {
    ReaderOptions o;
    o.tcp_ports = {4739};
    return o;
}

}  // namespace

TEST_SUITE("capture.capture_file") {

TEST_CASE("pcapng: two sections of different byte order and link type") {
    CaptureReader reader(fixture("pcapng_sections.pcapng"));
    auto seen = read_all(reader);
    CHECK(reader.error().empty());
    REQUIRE(seen.size() == 2);
    CHECK(seen[0].src == "192.0.2.1:4739");
    CHECK(seen[0].time_ns == kT0 + 123'456'000);
    CHECK(seen[0].digits == 6);
    CHECK(seen[1].src == "[2001:db8::1]:4739");
    CHECK(seen[1].time_ns == kT0 + 1'123'456'789);
    CHECK(seen[1].digits == 9);
    CHECK(reader.link_types() == std::vector<int>{DLT_EN10MB, DLT_RAW});
}

TEST_CASE("pcapng: every block kind; binary resolution and offset; SPB and obsolete PB") {
    CaptureReader reader(fixture("pcapng_blocks.pcapng"));
    auto seen = read_all(reader);
    CHECK(reader.error().empty());
    // tshark numbers the custom block as frame 2: so do we.
    REQUIRE(seen.size() == 3);
    CHECK(seen[0].frame == 1);
    CHECK(seen[0].time_ns == kT0 + 100'500'000'000);  // 2^-20 s units, if_tsoffset 100 s
    CHECK(seen[0].digits == 7);                       // 10^-7 is the first decimal unit finer than 2^-20
    CHECK(seen[1].frame == 3);
    CHECK(seen[1].interface == 1);
    CHECK(seen[1].src == "[2001:db8::1]:4739");
    CHECK(seen[1].time_ns == kT0 + 1'123'456'789);
    CHECK(seen[2].frame == 4);  // the simple packet block: interface 0, no time
    CHECK(seen[2].time_ns == 0);
    CHECK(seen[2].src == "192.0.2.1:4739");
    const auto& c = reader.counters();
    CHECK(c.frames == 5);
    CHECK(c.not_ip == 2);  // the custom block and the ARP in the obsolete packet block
    CHECK(reader.link_types() == std::vector<int>{DLT_EN10MB, DLT_LINUX_SLL2});
}

TEST_CASE("pcapng: a packet on an interface the section did not describe is counted, reading goes on") {
    CaptureReader reader(fixture("invalid/pcapng_no_interface.pcapng"));
    auto seen = read_all(reader);
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].frame == 2);
    CHECK(issue(reader, FrameIssue::no_interface) == 1);
    CHECK(reader.error().empty());
}

TEST_CASE("pcapng: damaged blocks end the read with a message") {
    CaptureReader reader(fixture("invalid/pcapng_length_mismatch.pcapng"));
    CHECK(read_all(reader).size() == 1);
    CHECK(reader.error().find("lengths before and after it differ") != std::string::npos);
    auto message = open_error(fixture("invalid/pcapng_no_section.pcapng"));
    CHECK(message.find(fixture("invalid/pcapng_no_section.pcapng")) != std::string::npos);
    CHECK(message.find("section header") != std::string::npos);
}

TEST_CASE("real pcapng with two interfaces of two link types: dumpcap -i lo -i any, mergecap") {
    SUBCASE("dumpcap") {
        CaptureReader reader(fixture("tool/two-interfaces.pcapng"));
        CHECK(reader.link_types() == std::vector<int>{DLT_EN10MB, DLT_LINUX_SLL});
        auto seen = read_all(reader);
        REQUIRE(seen.size() == 6);  // the same 3 exports seen on lo, then on any
        for (std::size_t i = 0; i < 6; ++i) {
            CAPTURE(i);
            CHECK(seen[i].interface == (i < 3 ? 0U : 1U));
            CHECK(seen[i].digits == 9);  // dumpcap writes if_tsresol 9
            CHECK(seen[i].dst == "127.0.0.1:4739");
            CHECK(seen[i].size == seen[i % 3].size);
        }
    }
    SUBCASE("mergecap") {
        CaptureReader reader(fixture("tool/merged-sll2-ethernet.pcapng"));
        CHECK(reader.link_types() == std::vector<int>{DLT_LINUX_SLL2, DLT_EN10MB});
        auto seen = read_all(reader);
        CHECK(seen.size() == 6);
        CHECK(reader.counters().udp_datagrams == 6);
        CHECK(reader.error().empty());
    }
}

TEST_CASE("gzip and zstd are read as they are, files and standard input") {
    for (const char* name : {"ethernet_usec.pcap.gz", "two_members.pcap.gz", "ethernet_nsec.pcapng.zst",
                             "tool/softflowd-v9.pcap.gz", "tool/softflowd-ipfix.pcapng.zst"}) {
        CAPTURE(name);
        CaptureReader reader(fixture(name));
        auto seen = read_all(reader);
        CHECK(reader.error().empty());
        CHECK(seen.size() >= 2);
        CHECK(reader.compression() == (std::string(name).ends_with(".gz") ? Compression::gzip : Compression::zstd));
    }
    CaptureReader plain(fixture("ethernet_usec.pcap"));
    CaptureReader gz(fixture("ethernet_usec.pcap.gz"));
    auto a = read_all(plain);
    auto b = read_all(gz);
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        CHECK(a[i].time_ns == b[i].time_ns);
        CHECK(a[i].src == b[i].src);
    }
    SUBCASE("standard input") {
        int saved = ::dup(0);
        std::FILE* file = std::fopen(fixture("ethernet_nsec.pcapng.zst").c_str(), "rb");
        REQUIRE(file != nullptr);
        REQUIRE(::dup2(::fileno(file), 0) == 0);
        std::fclose(file);
        {
            CaptureReader reader("-");
            CHECK(reader.compression() == Compression::zstd);
            auto seen = read_all(reader);
            CHECK(seen.size() == 2);
            CHECK(seen[0].time_ns == kT0 + 123'456'789);
        }
        ::dup2(saved, 0);
        ::close(saved);
    }
}

TEST_CASE("a compressed capture cut short keeps what came before and says why") {
    struct Case {
        const char* file;
        std::size_t datagrams;
        const char* says;
    };
    for (const Case& c : {Case{"invalid/cut_mid_record.pcap.gz", 1, "cut mid-record"},
                          Case{"invalid/cut_gzip_stream.pcap.gz", 1, "the gzip data ends early"},
                          Case{"invalid/cut_zstd_stream.pcap.zst", 1, "the zstd data ends early"}}) {
        CAPTURE(c.file);
        CaptureReader reader(fixture(c.file));
        auto seen = read_all(reader);
        CHECK(seen.size() == c.datagrams);
        CHECK(reader.counters().frames == 2);
        CHECK(reader.error().find(c.says) != std::string::npos);
        CHECK(reader.error().find("truncated") != std::string::npos);
    }
}

TEST_CASE("capture time precision: 6 digits for microsecond captures, 9 for nanosecond ones") {
    struct Case {
        const char* file;
        int digits;
    };
    for (const Case& c : {Case{"ethernet_usec.pcap", 6}, Case{"ethernet_nsec.pcap", 9}, Case{"ethernet_usec.pcapng", 6},
                          Case{"ethernet_nsec.pcapng", 9}, Case{"tool/softflowd-ipfix-nsec.pcap", 9}}) {
        CAPTURE(c.file);
        CaptureReader reader(fixture(c.file));
        auto seen = read_all(reader);
        REQUIRE_FALSE(seen.empty());
        for (const auto& s : seen) CHECK(s.digits == c.digits);
    }
}

TEST_CASE("a capture filter keeps what it matches and counts the rest") {
    ReaderOptions o;
    o.filter = "ip6";
    CaptureReader reader(fixture("ethernet_usec.pcap"), o);
    auto seen = read_all(reader);
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].frame == 3);  // frame numbers are the file's
    CHECK(reader.counters().frames == 4);
    CHECK(reader.counters().filtered == 3);
    SUBCASE("compiled per link type: both interfaces of a pcapng") {
        ReaderOptions p;
        p.filter = "udp dst port 4739";
        CaptureReader two(fixture("tool/two-interfaces.pcapng"), p);
        CHECK(read_all(two).size() == 6);
        CHECK(two.counters().filtered == 0);
        ReaderOptions q;
        q.filter = "ether dst 02:00:00:00:00:01";  // Ethernet addresses: not on Linux cooked captures
        auto message = open_error(fixture("tool/two-interfaces.pcapng"), q);
        CHECK(message.find("ethernet addresses supported only on") != std::string::npos);
        CHECK(message.find("(link type LINUX_SLL)") != std::string::npos);
    }
    SUBCASE("a bad expression names the file and carries libpcap's message") {
        ReaderOptions bad;
        bad.filter = "udp port";
        auto message = open_error(fixture("ethernet_usec.pcap"), bad);
        CHECK(message.find(fixture("ethernet_usec.pcap")) != std::string::npos);
        CHECK(message.find("capture filter \"udp port\"") != std::string::npos);
        CHECK(message.find("syntax error") != std::string::npos);
    }
}

TEST_CASE("tunnels.pcap: every encapsulation unwrapped, the innermost endpoints handed on") {
    CaptureReader reader(fixture("tunnels.pcap"));
    auto seen = read_all(reader);
    REQUIRE(seen.size() == 14);
    for (std::size_t i = 0; i < seen.size(); ++i) {
        CAPTURE(i);
        CHECK(seen[i].frame == i + 1);
        CHECK(seen[i].size == 1364);
        // Frame n carries the export of exporter n: 192.0.2.n, or 2001:db8::n (hex) for IPv6 inside.
        const bool v6 = i + 1 == 4 || i + 1 == 8 || i + 1 == 9 || i + 1 == 12;
        char want[64];
        std::snprintf(want, sizeof want, v6 ? "[2001:db8::%zx]:4739" : "192.0.2.%zu:4739", i + 1);
        CHECK(seen[i].src == want);
        CHECK(seen[i].dst == (v6 ? "[2001:db8:1::1]:4739" : "198.51.100.1:4739"));
    }
    CHECK(seen[0].src == "192.0.2.1:4739");
    CHECK(seen[0].dst == "198.51.100.1:4739");
    CHECK(seen[3].src == "[2001:db8::4]:4739");
    CHECK(issue(reader, FrameIssue::tunnel_unsupported) == 1);  // frame 15: GRE protocol 0x1234
    CHECK(encapsulated(reader, Encapsulation::gre) == 6);       // frames 1-4, 13, 14 (not 15)
    CHECK(encapsulated(reader, Encapsulation::erspan) == 2);
    CHECK(encapsulated(reader, Encapsulation::mpls) == 1);
    CHECK(encapsulated(reader, Encapsulation::vxlan) == 1);
    CHECK(encapsulated(reader, Encapsulation::vlan) == 2);  // inside VXLAN, and frame 13 outside
    CHECK(encapsulated(reader, Encapsulation::ip_in_ip) == 4);
    CHECK(encapsulated(reader, Encapsulation::pppoe) == 2);
    CHECK(reader.counters().udp_datagrams == 14);
}

TEST_CASE("IPv6 extension headers, Destination Options after the fragment header") {
    CaptureReader reader(fixture("ipv6-ext-headers.pcap"));
    auto seen = read_all(reader);
    REQUIRE(seen.size() == 5);
    CHECK(seen[4].frame == 7);
    CHECK(seen[4].src == "[2001:db8::1]:4739");
    CHECK(seen[4].size == 1364);
    CHECK(reader.counters().fragments == 3);
    CHECK(reader.counters().reassembled == 1);
    CHECK(reader.counters().not_udp == 0);
}

TEST_CASE("truncated frames: counted, and a truncated datagram is never whole, tunnels included") {
    CaptureReader reader(fixture("tunnel-snaplen200.pcap"));
    auto seen = read_all(reader);
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].truncated);
    CHECK(reader.counters().truncated_frames == 1);
    CHECK(reader.counters().truncated_datagrams == 1);
    CaptureReader cut(fixture("tool/softflowd-ipfix-snaplen100.pcap"));  // editcap -s 100
    auto c = read_all(cut);
    REQUIRE(c.size() == 3);
    for (const auto& s : c) CHECK(s.truncated);
    CHECK(cut.counters().truncated_frames == 3);
}

TEST_CASE("IPFIX over TCP (softflowd -P tcp): the stream in order, whatever the capture did to it") {
    CaptureReader original(fixture("tool/ipfix-over-tcp.pcap"), follow_4739());
    auto streams = tcp_streams(original);
    REQUIRE(streams.size() == 2);  // the exporter's bytes, and the collector's FIN
    auto exporter = [](const std::map<std::string, Stream>& m) -> const Stream& {
        for (const auto& [key, s] : m) {
            if (key.ends_with(":4739")) return s;
        }
        FAIL("no stream to port 4739");
        return m.begin()->second;
    };
    const Stream& whole = exporter(streams);
    const auto& back =
        streams.begin()->first.ends_with(":4739") ? std::next(streams.begin())->second : streams.begin()->second;
    REQUIRE(back.chunks.size() == 1);
    CHECK(back.bytes.empty());
    CHECK(back.chunks[0].fin);
    REQUIRE(whole.bytes.size() == 1364 + 1340 + 416);  // the three IPFIX messages
    CHECK(whole.bytes.substr(0, 2) == std::string("\x00\x0a", 2));
    REQUIRE(whole.chunks.size() == 4);  // a message per segment, then the FIN (frame 10) alone
    CHECK(whole.chunks[0].stream_start);
    CHECK_FALSE(whole.chunks[0].midstream);
    CHECK(whole.chunks[0].frame == 4);
    CHECK(whole.chunks[1].stream_offset == 1364);
    CHECK_FALSE(whole.chunks[2].fin);
    CHECK(whole.chunks[3].fin);
    CHECK(whole.chunks[3].frame == 10);
    CHECK(original.counters().tcp_connections == 1);
    CHECK(original.counters().tcp_segments == 12);
    CHECK(original.counters().udp_datagrams == 0);

    SUBCASE("not followed: TCP costs a counter") {
        CaptureReader plain(fixture("tool/ipfix-over-tcp.pcap"));
        Datagram d;
        CHECK_FALSE(plain.next(d));
        CHECK(plain.counters().not_udp == 12);
        CHECK(plain.counters().tcp_segments == 0);
    }
    for (const char* name : {"tcp-reordered.pcap", "tcp-retransmitted.pcap", "tcp-resegmented.pcap"}) {
        CAPTURE(name);
        CaptureReader reader(fixture(name), follow_4739());
        auto s = tcp_streams(reader);
        CHECK(exporter(s).bytes == whole.bytes);
        for (const auto& chunk : exporter(s).chunks) CHECK_FALSE(chunk.gap);
        CHECK(reader.counters().tcp_gaps == 0);
    }
    SUBCASE("a missing segment: a gap of its bytes, then the next message") {
        CaptureReader reader(fixture("tcp-missing-segment.pcap"), follow_4739());
        auto s = tcp_streams(reader);
        const auto& chunks = exporter(s).chunks;
        REQUIRE(chunks.size() == 2);
        CHECK(chunks[1].gap);
        CHECK(chunks[1].bytes_lost == 1340);
        CHECK(chunks[1].stream_offset == 1364 + 1340);
        CHECK(exporter(s).bytes == whole.bytes.substr(0, 1364) + whole.bytes.substr(1364 + 1340));
        CHECK(reader.counters().tcp_bytes_lost == 1340);
    }
    SUBCASE("every TCP connection when asked") {
        ReaderOptions all;
        all.tcp_all = true;
        CaptureReader reader(fixture("tool/ipfix-over-tcp.pcap"), all);
        CHECK(exporter(tcp_streams(reader)).bytes == whole.bytes);
    }
}

}  // TEST_SUITE("capture.capture_file")
