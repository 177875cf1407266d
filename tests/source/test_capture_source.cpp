// SPDX-License-Identifier: MIT
// Capture files as messages: reader options and time precision passed on, IPFIX and NetFlow v9
// over TCP cut into messages per connection and direction, decoded one session per connection.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "nfpcap/pipeline/run.hpp"
#include "nfpcap/source/capture_source.hpp"

#ifndef NFPCAP_TEST_DATA_DIR
#error "NFPCAP_TEST_DATA_DIR must name the absolute path of tests/data"
#endif
#ifndef NFPCAP_SAMPLES_DIR
#error "NFPCAP_SAMPLES_DIR must name the absolute path of samples/"
#endif

using namespace nfpcap;

namespace {

std::string fixture(const std::string& name) { return std::string(NFPCAP_TEST_DATA_DIR) + "/capture/" + name; }
std::string sample_case(const std::string& name) { return std::string(NFPCAP_SAMPLES_DIR) + "/cases/" + name; }

struct Seen {
    std::uint64_t frame;
    int digits;
    source::Transport transport;
    std::uint64_t stream;
    std::string exporter;
    std::size_t size;
};

// Counts records per message and keeps the run's inputs.
class Recorder final : public pipeline::Consumer {
public:
    void on_record(const netflow::DataRecord& r) override {
        if (!r.is_options()) ++records;
        digits.push_back(r.context->time_digits);
    }
    void on_message(const source::Message& m, const session::ProcessResult& result) override {
        seen.push_back({m.frame, m.time_digits, m.transport, m.stream, wire::to_string(m.exporter), m.payload.size()});
        verdicts.push_back(result.verdict);
    }
    std::vector<Seen> seen;
    std::vector<session::Verdict> verdicts;
    std::vector<int> digits;
    std::uint64_t records = 0;
};

struct Run {
    Recorder recorder;
    pipeline::RunResult result;
    session::SessionTable sessions;
};

std::unique_ptr<Run> run(const std::vector<std::string>& files, source::CaptureOptions options = {}) {
    auto r = std::make_unique<Run>();
    source::CaptureSource src(files, std::move(options));
    r->result = pipeline::run(src, r->sessions, r->recorder);
    return r;
}

std::size_t count(const Run& r, source::Transport t) {
    std::size_t n = 0;
    for (const auto& s : r.recorder.seen) n += s.transport == t;
    return n;
}

}  // namespace

TEST_SUITE("source.capture_source") {

TEST_CASE("time precision reaches messages and records: 9 digits for nanosecond captures") {
    auto usec = run({std::string(NFPCAP_SAMPLES_DIR) + "/softflowd-ipfix.pcap"});
    auto nsec = run({fixture("tool/softflowd-ipfix-nsec.pcap")});
    REQUIRE_FALSE(usec->recorder.seen.empty());
    REQUIRE(nsec->recorder.seen.size() == usec->recorder.seen.size());
    for (const auto& s : usec->recorder.seen) CHECK(s.digits == 6);
    for (const auto& s : nsec->recorder.seen) CHECK(s.digits == 9);
    REQUIRE_FALSE(nsec->recorder.digits.empty());
    for (int d : nsec->recorder.digits) CHECK(d == 9);
    CHECK(nsec->recorder.records == usec->recorder.records);
}

TEST_CASE("the capture filter of the options is applied to every frame") {
    source::CaptureOptions options;
    options.reader.filter = "udp dst port 9";
    auto none = run({std::string(NFPCAP_SAMPLES_DIR) + "/softflowd-ipfix.pcap"}, options);
    REQUIRE(none->result.inputs.size() == 1);
    const auto& c = none->result.inputs[0].counters;
    CHECK(none->recorder.seen.empty());
    CHECK(c.frames > 0);
    CHECK(c.filtered == c.frames);
    options.reader.filter = "udp port 4739";
    auto all = run({std::string(NFPCAP_SAMPLES_DIR) + "/softflowd-ipfix.pcap"}, options);
    CHECK(all->result.inputs[0].counters.filtered == 0);
    CHECK(all->recorder.records == 52);
    options.reader.filter = "udp port";  // not an expression: the input ends with libpcap's word
    auto bad = run({std::string(NFPCAP_SAMPLES_DIR) + "/softflowd-ipfix.pcap"}, options);
    REQUIRE(bad->result.inputs.size() == 1);
    CHECK_FALSE(bad->result.inputs[0].opened);
    CHECK(bad->result.inputs[0].error.find("capture filter") != std::string::npos);
}

TEST_CASE("IPFIX over TCP (softflowd -P tcp): one message per IPFIX message, one session per connection") {
    auto r = run({fixture("tool/ipfix-over-tcp.pcap")});
    REQUIRE(r->recorder.seen.size() == 3);
    for (const auto& s : r->recorder.seen) {
        CHECK(s.transport == source::Transport::tcp_stream);
        CHECK(s.stream == 1);
    }
    CHECK(r->recorder.seen[0].size == 1364);
    CHECK(r->recorder.seen[1].size == 1340);
    CHECK(r->recorder.seen[2].size == 416);
    for (auto v : r->recorder.verdicts) CHECK(v == session::Verdict::decoded);
    CHECK(r->recorder.records == 52);  // as over UDP (samples/softflowd-ipfix.pcap), and as tshark
    REQUIRE(r->sessions.sessions().size() == 1);
    CHECK(r->sessions.sessions()[0].transport == source::Transport::tcp_stream);
    CHECK(r->sessions.sessions()[0].key.stream == 1);
    const auto& in = r->result.inputs[0];
    CHECK(in.streams.messages == 3);
    CHECK(in.streams.bytes_lost == 0);
    CHECK(in.tcp_streams == 1);  // the collector sent no data

    SUBCASE("reordered, retransmitted, re-cut: the same messages") {
        for (const char* name : {"tcp-reordered.pcap", "tcp-retransmitted.pcap", "tcp-resegmented.pcap"}) {
            CAPTURE(name);
            auto o = run({fixture(name)});
            REQUIRE(o->recorder.seen.size() == 3);
            CHECK(o->recorder.records == 52);
            CHECK(o->result.inputs[0].streams.bytes_lost == 0);
        }
    }
    SUBCASE("a missing segment: its message lost and counted, the stream resynchronized") {
        auto o = run({fixture("tcp-missing-segment.pcap")});
        REQUIRE(o->recorder.seen.size() == 2);
        CHECK(o->recorder.seen[0].size == 1364);
        CHECK(o->recorder.seen[1].size == 416);
        const auto& s = o->result.inputs[0].streams;
        CHECK(s.bytes_lost == 1340);
        CHECK(s.resyncs == 1);
        CHECK(o->result.inputs[0].counters.tcp_bytes_lost == 1340);
        CHECK(o->sessions.totals().counters.sequence_gaps == 1);
    }
    SUBCASE("--tcp none: TCP is not followed") {
        source::CaptureOptions options;
        options.tcp = source::TcpFollow::none;
        auto o = run({fixture("tool/ipfix-over-tcp.pcap")}, options);
        CHECK(o->recorder.seen.empty());
        CHECK(o->result.inputs[0].counters.not_udp == 12);
    }
    SUBCASE("--tcp ports without 4739: not followed; with it: followed") {
        source::CaptureOptions options;
        options.tcp = source::TcpFollow::ports;
        options.tcp_ports = {2055};
        CHECK(run({fixture("tool/ipfix-over-tcp.pcap")}, options)->recorder.seen.empty());
        options.tcp_ports = {4739};
        CHECK(run({fixture("tool/ipfix-over-tcp.pcap")}, options)->recorder.records == 52);
    }
    SUBCASE("--tcp all: every connection searched, the same messages") {
        source::CaptureOptions options;
        options.tcp = source::TcpFollow::all;
        auto o = run({fixture("tool/ipfix-over-tcp.pcap")}, options);
        CHECK(o->recorder.seen.size() == 3);
        CHECK(o->recorder.records == 52);
    }
}

TEST_CASE("samples/cases over TCP: the records of the ground truth (tshark's where it decodes them all)") {
    struct Case {
        const char* file;
        std::size_t messages;
        std::uint64_t records;
    };
    // samples/cases/manifest.tsv: messages and data records of flowtruth.py.
    for (const Case& c : {Case{"softflowd-ipfix-tcp.pcap", 3, 52}, Case{"softflowd-v9-tcp.pcap", 3, 52},
                          Case{"ipfix-tcp-split.pcap", 9, 52}, Case{"ipfix-tcp-split-gap.pcap", 8, 46},
                          Case{"ipfix-tcp-split-retrans.pcap", 9, 52}, Case{"ipfix-tcp-split-reorder.pcap", 9, 52}}) {
        CAPTURE(c.file);
        if (!std::filesystem::exists(sample_case(c.file))) continue;
        auto r = run({sample_case(c.file)});  // v9 on port 2055: found by --tcp detect
        CHECK(count(*r, source::Transport::tcp_stream) == c.messages);
        CHECK(r->recorder.records == c.records);
        CHECK(r->sessions.sessions().size() == 1);
        const auto& in = r->result.inputs[0];
        CHECK(in.counters.accounted_frames() == in.counters.frames);
    }
}

TEST_CASE("v9 over TCP on a port not listed is found by its first bytes, not with --tcp ports") {
    const std::string path = sample_case("softflowd-v9-tcp.pcap");
    if (!std::filesystem::exists(path)) return;
    source::CaptureOptions options;
    options.tcp = source::TcpFollow::ports;
    auto r = run({path}, options);
    CHECK(r->recorder.seen.empty());
    options.tcp_ports = {2055};
    CHECK(run({path}, options)->recorder.records == 52);
}

TEST_CASE("every frame of every capture fixture is accounted for once") {
    std::vector<std::string> files;
    for (const auto& dir : {fixture(""), fixture("tool"), std::string(NFPCAP_SAMPLES_DIR) + "/cases"}) {
        for (const auto& e : std::filesystem::directory_iterator(dir)) {
            const std::string p = e.path().string();
            if (e.is_regular_file() && (p.find(".pcap") != std::string::npos)) files.push_back(p);
        }
    }
    REQUIRE(files.size() > 20);
    for (const auto& f : files) {
        CAPTURE(f);
        for (auto follow : {source::TcpFollow::detect, source::TcpFollow::all, source::TcpFollow::none}) {
            source::CaptureOptions options;
            options.tcp = follow;
            auto r = run({f}, options);
            for (const auto& in : r->result.inputs) {
                CHECK(in.counters.accounted_frames() == in.counters.frames);
                // Every UDP datagram, every message cut from a stream and every SCTP user message
                // went to the sessions.
                CHECK(r->sessions.totals().datagrams ==
                      in.counters.udp_datagrams + in.streams.messages + in.counters.sctp_messages);
            }
        }
    }
}

TEST_CASE("--merge: each file's frames are accounted for in its own summary, every message once") {
    std::vector<std::string> files;
    for (const auto& dir : {fixture(""), fixture("tool"), fixture("merge")}) {
        for (const auto& e : std::filesystem::directory_iterator(dir)) {
            const std::string p = e.path().string();
            if (e.is_regular_file() && (p.find(".pcap") != std::string::npos)) files.push_back(p);
        }
    }
    REQUIRE(files.size() > 20);
    for (std::size_t k = 0; k < files.size(); ++k) {
        // Each file with the next one (and itself: equal times throughout).
        for (const auto& pair : {std::vector<std::string>{files[k], files[(k + 1) % files.size()]},
                                 std::vector<std::string>{files[k], files[k]}}) {
            CAPTURE(pair[0]);
            CAPTURE(pair[1]);
            source::CaptureOptions options;
            options.merge = true;
            auto r = run(pair, options);
            REQUIRE(r->result.inputs.size() == 2);
            std::uint64_t handed = 0;
            for (const auto& in : r->result.inputs) {
                CHECK(in.counters.accounted_frames() == in.counters.frames);
                handed += in.counters.udp_datagrams + in.streams.messages + in.counters.sctp_messages;
            }
            CHECK(r->sessions.totals().datagrams == handed);
        }
    }
}

}  // TEST_SUITE("source.capture_source")
