// SPDX-License-Identifier: MIT
// CaptureReader on real files: committed fixtures (tests/data/capture) and files libpcap writes.
#include <doctest/doctest.h>
#include <pcap/pcap.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "frame_builder.hpp"
#include "nfpcap/capture/capture_reader.hpp"

#ifndef NFPCAP_TEST_DATA_DIR
#error "NFPCAP_TEST_DATA_DIR must name the absolute path of tests/data"
#endif

using nfpcap::capture::CaptureError;
using nfpcap::capture::CaptureReader;
using nfpcap::capture::Datagram;
using nfpcap::capture::FrameIssue;
using nfpcap::test::Frame;

namespace {

constexpr std::int64_t kT0 = 1'700'000'000'000'000'000;  // capture time of the fixtures' frame 1, s -> ns

std::string fixture(const std::string& name) { return std::string(NFPCAP_TEST_DATA_DIR) + "/capture/" + name; }

/// What the reader yields, copied out of the views that die with the next call.
struct Seen {
    std::uint64_t frame;
    std::int64_t time_ns;
    std::string src, dst, payload;
    std::uint32_t udp_length;
    bool truncated;
};

std::vector<Seen> read_all(CaptureReader& reader) {
    std::vector<Seen> out;
    Datagram d;
    while (reader.next(d)) {
        out.push_back({d.frame, d.time_ns, nfpcap::wire::to_string(d.src), nfpcap::wire::to_string(d.dst),
                       nfpcap::test::as_text(d.payload), d.udp_length, d.truncated});
    }
    return out;
}

std::uint64_t issues(const CaptureReader& reader, FrameIssue issue) {
    return reader.counters().issues.at(static_cast<std::size_t>(issue));
}

std::uint64_t all_issues(const CaptureReader& reader) {
    std::uint64_t n = 0;
    for (auto v : reader.counters().issues) n += v;
    return n;
}

/// The two datagrams every "mixed" fixture carries (UDP/IPv4, ARP, UDP/IPv6, TCP/IPv4),
/// stamped T0 + frame index seconds + `fraction_ns`.
void check_mixed(CaptureReader& reader, std::int64_t fraction_ns) {
    auto seen = read_all(reader);
    CHECK(reader.error().empty());
    REQUIRE(seen.size() == 2);
    CHECK(seen[0].frame == 1);
    CHECK(seen[0].time_ns == kT0 + fraction_ns);
    CHECK(seen[0].src == "192.0.2.1:4739");
    CHECK(seen[0].dst == "192.0.2.2:2055");
    CHECK(seen[0].payload == "first datagram");
    CHECK(seen[0].udp_length == 14);
    CHECK_FALSE(seen[0].truncated);
    CHECK(seen[1].frame == 3);
    CHECK(seen[1].time_ns == kT0 + 2'000'000'000 + fraction_ns);
    CHECK(seen[1].src == "[2001:db8::1]:4739");
    CHECK(seen[1].dst == "[2001:db8::2]:4739");
    CHECK(seen[1].payload == "second datagram");
    CHECK_FALSE(seen[1].truncated);
    const auto& c = reader.counters();
    CHECK(c.frames == 4);
    CHECK(c.not_ip == 1);
    CHECK(c.not_udp == 1);
    CHECK(c.udp_datagrams == 2);
    CHECK(c.fragments == 0);
    CHECK(all_issues(reader) == 0);
}

/// The message of the CaptureError that opening `path` throws ("" when nothing is thrown).
std::string open_error(const std::string& path) {
    try {
        CaptureReader reader(path);
    } catch (const CaptureError& e) {
        return e.what();
    }
    return "";
}

/// A fresh directory under the system temp directory, removed with everything in it.
class TempDir {
public:
    TempDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "nfpcap-capture-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

/// One frame to write: capture time split as libpcap wants it, bytes, original length.
struct Record {
    long sec;
    long frac;  // microseconds or nanoseconds, as the file's precision
    nfpcap::test::ByteVec bytes;
    std::uint32_t wire_len = 0;  // 0: as captured
};

/// Writes a classic pcap file with libpcap itself.
void write_pcap(const std::string& path, int dlt, bool nano, const std::vector<Record>& records) {
    pcap_t* dead = pcap_open_dead_with_tstamp_precision(
        dlt, 65535, nano ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO);
    REQUIRE(dead != nullptr);
    pcap_dumper_t* dumper = pcap_dump_open(dead, path.c_str());
    REQUIRE_MESSAGE(dumper != nullptr, pcap_geterr(dead));
    for (const auto& r : records) {
        pcap_pkthdr h{};
        h.ts.tv_sec = r.sec;
        h.ts.tv_usec = r.frac;
        h.caplen = static_cast<bpf_u_int32>(r.bytes.size());
        h.len = r.wire_len != 0 ? r.wire_len : h.caplen;
        pcap_dump(reinterpret_cast<u_char*>(dumper), &h, reinterpret_cast<const u_char*>(r.bytes.data()));
    }
    pcap_dump_close(dumper);
    pcap_close(dead);
}

Frame v4_udp(const std::string& text) { return Frame::payload(text).udp(4739, 2055).ipv4("192.0.2.1", "192.0.2.2"); }

}  // namespace

TEST_SUITE("capture.capture_reader") {

TEST_CASE("classic pcap and pcapng, microsecond and nanosecond") {
    struct Case {
        std::string file;
        std::int64_t fraction_ns;
    };
    for (const Case& c : {Case{"ethernet_usec.pcap", 123'456'000}, Case{"ethernet_nsec.pcap", 123'456'789},
                          Case{"ethernet_big_endian.pcap", 123'456'000}, Case{"ethernet_usec.pcapng", 123'456'000},
                          Case{"ethernet_nsec.pcapng", 123'456'789}}) {
        CAPTURE(c.file);
        CaptureReader reader(fixture(c.file));
        CHECK(reader.link_type() == DLT_EN10MB);
        CHECK(reader.path() == fixture(c.file));
        check_mixed(reader, c.fraction_ns);
    }
}

TEST_CASE("other link types") {
    struct Case {
        std::string file;
        int dlt;
        std::size_t datagrams;
        std::uint64_t frames;
    };
    for (const Case& c : {Case{"linux_sll.pcap", DLT_LINUX_SLL, 2, 3}, Case{"linux_sll2.pcap", DLT_LINUX_SLL2, 2, 3},
                          Case{"linux_sll2.pcapng", DLT_LINUX_SLL2, 2, 2}, Case{"raw_ip.pcap", DLT_RAW, 2, 3},
                          Case{"null_loopback.pcap", DLT_NULL, 2, 2}, Case{"loop_loopback.pcap", DLT_LOOP, 2, 2}}) {
        CAPTURE(c.file);
        CaptureReader reader(fixture(c.file));
        CHECK(reader.link_type() == c.dlt);
        auto seen = read_all(reader);
        CHECK(reader.error().empty());
        REQUIRE(seen.size() == c.datagrams);
        CHECK(seen.front().src == "192.0.2.1:4739");
        CHECK(seen.front().payload == "first datagram");
        CHECK(seen.back().src == "[2001:db8::1]:4739");
        CHECK(seen.back().payload == "second datagram");
        CHECK(reader.counters().frames == c.frames);
        CHECK(reader.counters().udp_datagrams == c.datagrams);
        CHECK(all_issues(reader) == 0);
    }
}

TEST_CASE("fragments are reassembled; the datagram takes the last fragment's frame number") {
    CaptureReader reader(fixture("fragmented_udp.pcap"));
    auto seen = read_all(reader);
    CHECK(reader.error().empty());
    REQUIRE(seen.size() == 3);
    CHECK(seen[0].frame == 4);
    CHECK(seen[0].payload == "first datagram");
    CHECK(seen[1].frame == 5);
    CHECK(seen[1].time_ns == kT0 + 4'000'000'000 + 123'456'000);
    CHECK(seen[1].src == "[2001:db8::1]:4739");
    CHECK(seen[1].payload == "v6 reassembled v6 reassembled v6 reassembled v6 reassembled ");
    CHECK(seen[2].frame == 6);
    CHECK(seen[2].src == "192.0.2.1:4739");
    CHECK(seen[2].dst == "192.0.2.2:2055");
    CHECK(seen[2].udp_length == 128);
    REQUIRE(seen[2].payload.size() == 128);
    for (std::size_t i = 0; i < 128; ++i) {
        CAPTURE(i);
        CHECK(static_cast<unsigned char>(seen[2].payload[i]) == i % 64);
    }
    const auto& c = reader.counters();
    CHECK(c.frames == 6);
    CHECK(c.fragments == 5);
    CHECK(c.reassembled == 2);
    CHECK(c.udp_datagrams == 3);
    CHECK(all_issues(reader) == 0);
}

TEST_CASE("a fragment never completed is counted at the end of the capture") {
    CaptureReader reader(fixture("orphan_fragment.pcap"));
    auto seen = read_all(reader);
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].frame == 2);
    CHECK(reader.counters().fragments == 1);
    CHECK(reader.counters().reassembled == 0);
    CHECK(issues(reader, FrameIssue::fragment_dropped) == 1);
    CHECK(reader.error().empty());
}

TEST_CASE("a snap length shorter than the datagram marks it truncated") {
    CaptureReader reader(fixture("snaplen_50.pcap"));
    auto seen = read_all(reader);
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].truncated);
    CHECK(seen[0].udp_length == 14);
    CHECK(seen[0].payload == "first da");
}

TEST_CASE("a file cut short yields what came before the damage, then an error") {
    for (std::string file :
         {"invalid/cut_mid_record.pcap", "invalid/cut_mid_record_header.pcap", "invalid/cut_mid_block.pcapng"}) {
        CAPTURE(file);
        CaptureReader reader(fixture(file));
        auto seen = read_all(reader);
        REQUIRE(seen.size() == 1);
        CHECK(seen[0].payload == "first datagram");
        CHECK(reader.counters().frames == 2);
        CHECK(reader.counters().not_ip == 1);
        CHECK(reader.error().find("truncated") != std::string::npos);
        Datagram d;
        CHECK_FALSE(reader.next(d));
    }
}

// Defect (found by fuzz_capture): a pcapng timestamp whose if_tsresol makes it later than
// year 2262 overflowed int64 nanoseconds (undefined behaviour; caught by the sanitizer run).
TEST_CASE("timestamp_overflow: a pcapng time past year 2262 saturates, the file still reads") {
    CaptureReader reader(fixture("invalid/timestamp_overflow.pcapng"));
    auto seen = read_all(reader);
    CHECK(seen.empty());
    CHECK(reader.counters().frames == 1);
    CHECK(reader.counters().fragments == 1);
    CHECK(reader.error().find("truncated") != std::string::npos);
}

TEST_CASE("a file with only the global header is an empty capture") {
    CaptureReader reader(fixture("header_only.pcap"));
    CHECK(reader.link_type() == DLT_EN10MB);
    Datagram d;
    CHECK_FALSE(reader.next(d));
    CHECK(reader.error().empty());
    CHECK(reader.counters().frames == 0);
    CHECK_FALSE(reader.next(d));  // and stays at the end
    CHECK(reader.error().empty());
}

TEST_CASE("files that are not captures are refused with the file name in the message") {
    SUBCASE("empty file") {
        auto path = fixture("invalid/empty.pcap");
        auto message = open_error(path);
        CHECK(message.find(path) != std::string::npos);
        CHECK(message.find("empty file") != std::string::npos);
    }
    SUBCASE("text file") {
        auto path = fixture("invalid/not_a_capture.txt");
        auto message = open_error(path);
        CHECK(message.find(path) != std::string::npos);
        CHECK(message.find("not a pcap or pcapng capture") != std::string::npos);
    }
    SUBCASE("directory") {
        auto path = fixture("invalid");
        auto message = open_error(path);
        CHECK(message.find(path) != std::string::npos);
        CHECK(message.find("directory") != std::string::npos);
    }
    SUBCASE("nonexistent path") {
        auto path = fixture("no/such/file.pcap");
        auto message = open_error(path);
        CHECK(message.find(path) != std::string::npos);
        CHECK(message.find("No such file") != std::string::npos);
    }
    SUBCASE("unsupported link type") {
        auto path = fixture("unsupported_ieee802_11.pcap");
        auto message = open_error(path);
        CHECK(message.find(path) != std::string::npos);
        CHECK(message.find("IEEE802_11") != std::string::npos);
        CHECK(message.find("not supported") != std::string::npos);
    }
}

TEST_CASE("files written by libpcap, microsecond and nanosecond") {
    TempDir dir;
    auto whole = Frame::payload("0123456789abcdefghijklmnopqrstuv").udp(4739, 2055).bytes();
    for (bool nano : {false, true}) {
        CAPTURE(nano);
        long scale = nano ? 1000 : 1;  // microseconds -> the file's unit
        auto path = dir.file(nano ? "nano.pcap" : "micro.pcap");
        using nfpcap::test::ipv4_fragment;
        write_pcap(path, DLT_EN10MB, nano,
                   {
                       {1'700'000'000, 1 * scale, v4_udp("one").ethernet({{0x8100, 7}}).bytes()},
                       {1'700'000'000, 2 * scale, Frame::arp().ethernet().bytes()},
                       {1'700'000'001, 3 * scale, v4_udp("cut").ethernet().cut(14 + 10).bytes()},
                       {1'700'000'002, 4 * scale, ipv4_fragment(whole, 16, 40, 9).ethernet().bytes()},
                       {1'700'000'002, 5 * scale, ipv4_fragment(whole, 0, 16, 9).ethernet().bytes()},
                       // snap length 44: two of the four payload bytes
                       {1'700'000'003, 999'999 * scale, v4_udp("four").ethernet().cut(44).bytes(), 46},
                   });
        CaptureReader reader(path);
        CHECK(reader.link_type() == DLT_EN10MB);
        auto seen = read_all(reader);
        CHECK(reader.error().empty());
        REQUIRE(seen.size() == 3);
        CHECK(seen[0].frame == 1);
        CHECK(seen[0].time_ns == 1'700'000'000'000'001'000);
        CHECK(seen[0].payload == "one");
        CHECK(seen[1].frame == 5);
        CHECK(seen[1].time_ns == 1'700'000'002'000'005'000);
        CHECK(seen[1].payload == "0123456789abcdefghijklmnopqrstuv");
        CHECK(seen[2].frame == 6);
        CHECK(seen[2].time_ns == 1'700'000'003'999'999'000);
        CHECK(seen[2].payload == "fo");
        CHECK(seen[2].truncated);
        const auto& c = reader.counters();
        CHECK(c.frames == 6);
        CHECK(c.not_ip == 1);
        CHECK(c.fragments == 2);
        CHECK(c.reassembled == 1);
        CHECK(c.udp_datagrams == 3);
        CHECK(issues(reader, FrameIssue::ip_truncated) == 1);
        CHECK(all_issues(reader) == 1);
    }
}

TEST_CASE("raw IP written by libpcap reads back as DLT_RAW") {
    TempDir dir;
    auto path = dir.file("raw.pcap");
    write_pcap(path, DLT_RAW, false,
               {{1, 0, v4_udp("raw").bytes()},
                {2, 0, Frame::payload("six").udp(1, 2).ipv6("2001:db8::1", "2001:db8::2").bytes()}});
    CaptureReader reader(path);
    CHECK(reader.link_type() == DLT_RAW);
    auto seen = read_all(reader);
    REQUIRE(seen.size() == 2);
    CHECK(seen[0].payload == "raw");
    CHECK(seen[0].time_ns == 1'000'000'000);
    CHECK(seen[1].payload == "six");
    CHECK(seen[1].src == "[2001:db8::1]:1");
}

TEST_CASE("\"-\" reads standard input") {
    // Point file descriptor 0 at a fixture for the length of the test, then put it back.
    int saved = ::dup(0);
    std::FILE* file = std::fopen(fixture("ethernet_nsec.pcap").c_str(), "rb");
    REQUIRE(file != nullptr);
    REQUIRE(::dup2(::fileno(file), 0) == 0);
    std::fclose(file);
    std::clearerr(stdin);
    {
        CaptureReader reader("-");
        CHECK(reader.path() == "<stdin>");
        check_mixed(reader, 123'456'789);
    }
    if (saved >= 0) {
        ::dup2(saved, 0);
        ::close(saved);
    } else {
        ::close(0);
    }
    std::clearerr(stdin);
}

}  // TEST_SUITE("capture.capture_reader")

namespace {

std::vector<nfpcap::capture::ReaderInput> file_inputs(const std::vector<std::string>& names) {
    std::vector<nfpcap::capture::ReaderInput> inputs;
    for (const auto& name : names) {
        inputs.push_back({std::make_unique<nfpcap::capture::CaptureFile>(fixture(name)), name});
    }
    return inputs;
}

// (input, frame) of each datagram, and its time.
std::vector<std::tuple<std::uint32_t, std::uint64_t, std::int64_t>> merged(CaptureReader& reader) {
    std::vector<std::tuple<std::uint32_t, std::uint64_t, std::int64_t>> out;
    Datagram d;
    while (reader.next(d)) out.emplace_back(d.input, d.frame, d.time_ns);
    return out;
}

// Writes the frames of a fixture to pcap files with libpcap: frame n (from 1) goes to
// `paths[to(n)]`, or nowhere when to(n) is past them.
void split_frames(const std::string& name, const std::vector<std::string>& paths,
                  const std::function<std::size_t(int)>& to) {
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t* in = pcap_open_offline(fixture(name).c_str(), errbuf);
    REQUIRE(in != nullptr);
    std::vector<pcap_dumper_t*> out;
    for (const auto& path : paths) out.push_back(pcap_dump_open(in, path.c_str()));
    pcap_pkthdr* h = nullptr;
    const u_char* bytes = nullptr;
    for (int frame = 1; pcap_next_ex(in, &h, &bytes) == 1; ++frame) {
        const std::size_t k = to(frame);
        if (k < out.size()) pcap_dump(reinterpret_cast<u_char*>(out[k]), h, bytes);
    }
    for (pcap_dumper_t* d : out) pcap_dump_close(d);
    pcap_close(in);
}

}  // namespace

TEST_CASE("CaptureReader merges inputs by capture time, each frame keeping its input and number") {
    // Frame i of the µs file is at T0 + i s + .123456, of the ns file at T0 + i s + .123456789:
    // each µs datagram comes just before the ns one of the same frame.
    CaptureReader reader(file_inputs({"ethernet_nsec.pcapng", "ethernet_usec.pcap"}), {});
    const auto got = merged(reader);
    REQUIRE(got.size() == 4);
    CHECK(got[0] == std::tuple{1U, 1U, kT0 + 123'456'000});
    CHECK(got[1] == std::tuple{0U, 1U, kT0 + 123'456'789});
    CHECK(std::get<0>(got[2]) == 1U);
    CHECK(std::get<0>(got[3]) == 0U);
    CHECK(std::get<1>(got[2]) == std::get<1>(got[3]));  // the same frame of each file
    for (std::size_t i = 0; i < 2; ++i) {
        CAPTURE(i);
        CHECK(reader.counters(i).frames == 4);
        CHECK(reader.counters(i).accounted_frames() == 4);
        CHECK(reader.error(i).empty());
    }
    CHECK(reader.path(1) == "ethernet_usec.pcap");
}

TEST_CASE("CaptureReader merge: equal times keep the order the inputs were given in") {
    CaptureReader reader(file_inputs({"ethernet_usec.pcap", "ethernet_usec.pcap"}), {});
    const auto got = merged(reader);
    REQUIRE(got.size() == 4);
    for (std::size_t k = 0; k < got.size(); ++k) {
        CAPTURE(k);
        CHECK(std::get<0>(got[k]) == k % 2);
    }
}

TEST_CASE("CaptureReader merge: fragments reassembled across inputs, counted where they were") {
    // fragmented_udp.pcap's frames 1-3 and 4-6 as two files: the IPv6 datagram's two fragments
    // (frames 2 and 5) are in both, and complete in the second.
    const std::string dir = std::filesystem::temp_directory_path() / ("nfpcap-merge-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    split_frames("fragmented_udp.pcap", {dir + "/a.pcap", dir + "/b.pcap"},
                 [](int frame) { return frame <= 3 ? std::size_t{0} : std::size_t{1}; });
    std::vector<nfpcap::capture::ReaderInput> inputs;
    for (const char* name : {"/a.pcap", "/b.pcap"}) {
        inputs.push_back({std::make_unique<nfpcap::capture::CaptureFile>(dir + name), name});
    }
    CaptureReader reader(std::move(inputs), {});
    CaptureReader whole(fixture("fragmented_udp.pcap"));
    const auto got = merged(reader);
    const auto want = read_all(whole);
    REQUIRE(got.size() == want.size());
    for (std::size_t k = 0; k < got.size(); ++k) {
        CAPTURE(k);
        const std::uint64_t frame = want[k].frame;
        CHECK(got[k] == std::tuple{frame <= 3 ? 0U : 1U, frame <= 3 ? frame : frame - 3, want[k].time_ns});
    }
    CHECK(reader.counters(0).reassembled + reader.counters(1).reassembled == whole.counters().reassembled);
    CHECK(reader.counters(0).accounted_frames() == 3);
    CHECK(reader.counters(1).accounted_frames() == 3);
    std::filesystem::remove_all(dir);
}

TEST_CASE("CaptureReader merge: SCTP messages counted for the input they are handed out as") {
    // sctp-ipfix-hard.pcap without frame 9 (message 2), merged with the whole file: input 0's
    // message 3 waits for message 2, which input 1's frame 9 brings. Message 3 is handed out as
    // input 0's (its frame), message 2 as input 1's, and each input counts what came out as it.
    const std::string dir = std::filesystem::temp_directory_path() / ("nfpcap-sctp-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    split_frames("sctp-ipfix-hard.pcap", {dir + "/a.pcap"}, [](int frame) { return frame == 9 ? 1U : 0U; });
    nfpcap::capture::ReaderOptions options;
    options.sctp = true;
    std::vector<nfpcap::capture::ReaderInput> inputs;
    inputs.push_back({std::make_unique<nfpcap::capture::CaptureFile>(dir + "/a.pcap"), "a.pcap"});
    inputs.push_back({std::make_unique<nfpcap::capture::CaptureFile>(fixture("sctp-ipfix-hard.pcap")), "hard"});
    CaptureReader reader(std::move(inputs), options);
    CaptureReader whole(fixture("sctp-ipfix-hard.pcap"), options);
    std::uint64_t seen[2] = {0, 0};
    Datagram d;
    while (reader.next(d)) {
        REQUIRE(d.input < 2);
        if (d.transport == nfpcap::capture::Transport::sctp) ++seen[d.input];
    }
    const auto alone = read_all(whole);
    CHECK(seen[0] + seen[1] == alone.size());
    CHECK(seen[0] > 0);
    CHECK(seen[1] > 0);
    for (std::size_t i = 0; i < 2; ++i) {
        CAPTURE(i);
        CHECK(reader.counters(i).sctp_messages == seen[i]);
        CHECK(reader.counters(i).accounted_frames() == reader.counters(i).frames);
    }
    CHECK(whole.counters().sctp_messages == alone.size());
    std::filesystem::remove_all(dir);
}
