// SPDX-License-Identifier: MIT
// libFuzzer target: raw file bytes as a capture (pcap or pcapng, plain, gzip or zstd), through
// the capture source and a SessionTable (records formatted, stats written), then once more
// through a CaptureReader that follows every TCP connection (and filters some inputs), and
// through one that merges the input with itself (--merge).
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "fuzz_sink.hpp"
#include "nfpcap/capture/capture_reader.hpp"
#include "nfpcap/pipeline/run.hpp"
#include "nfpcap/report/output.hpp"
#include "nfpcap/report/run_summary.hpp"
#include "nfpcap/session/session_table.hpp"
#include "nfpcap/source/capture_source.hpp"

using namespace nfpcap;

namespace {

// Blocks, link layers, tunnels, IP, TCP and SCTP reassembly with the options the source does not set.
void read_with_tcp(const std::string& path, std::size_t size) {
    capture::ReaderOptions reader_options;
    reader_options.tcp_all = true;
    reader_options.sctp = true;
    // A filter on some inputs (told by their size, so a finding replays): compiling one costs
    // more than most inputs take to read.
    if (size % 16 == 0) reader_options.filter = "udp or tcp or ip6";
    try {
        capture::CaptureReader reader(path, reader_options);
        capture::Datagram datagram;
        std::uint64_t udp = 0, tcp = 0, sctp = 0;
        while (reader.next(datagram)) {
            switch (datagram.transport) {
            case capture::Transport::udp: ++udp; break;
            case capture::Transport::sctp: ++sctp; break;
            case capture::Transport::tcp:
                ++tcp;
                // A chunk is bytes, a gap or an end; nothing else.
                if (datagram.payload.empty() && !datagram.gap && !datagram.fin && !datagram.rst) __builtin_trap();
                break;
            }
        }
        const capture::CaptureCounters& c = reader.counters();
        if (udp != c.udp_datagrams || tcp != c.tcp_chunks || sctp != c.sctp_messages) __builtin_trap();
    } catch (const capture::CaptureError&) {}
}

// --merge: the input merged with itself (every frame's time met twice, the reassemblers shared
// by both): each input's frames are accounted for, and what comes out is what they counted.
void read_merged(const std::string& path) {
    capture::ReaderOptions reader_options;
    reader_options.tcp_all = true;
    reader_options.sctp = true;
    try {
        std::vector<capture::ReaderInput> inputs;
        for (int i = 0; i < 2; ++i) inputs.push_back({std::make_unique<capture::CaptureFile>(path), path});
        capture::CaptureReader reader(std::move(inputs), reader_options);
        capture::Datagram datagram;
        std::uint64_t seen[2] = {0, 0};
        while (reader.next(datagram)) {
            if (datagram.input > 1) __builtin_trap();
            ++seen[datagram.input];
        }
        for (std::size_t i = 0; i < 2; ++i) {
            const capture::CaptureCounters& c = reader.counters(i);
            if (seen[i] != c.udp_datagrams + c.tcp_chunks + c.sctp_messages || c.accounted_frames() != c.frames)
                __builtin_trap();
        }
    } catch (const capture::CaptureError&) {}
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // CaptureReader opens paths; a memfd gives the bytes one without touching the disk.
    static const int fd = memfd_create("nfpcap-fuzz", 0);
    if (fd < 0) return 0;
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != static_cast<ssize_t>(size)) return 0;
    const std::string path = "/proc/self/fd/" + std::to_string(fd);

    session::SessionOptions options;
    options.max_sessions = 64;
    options.decoder.max_templates = 256;
    options.max_template_fields_total = 1U << 15U;
    session::SessionTable sessions(options);
    fuzz::FormattingSink sink;
    pipeline::SinkConsumer consumer(sink);
    source::CaptureSource source({path});
    const auto run = pipeline::run(source, sessions, consumer);
    const std::vector<report::FileSummary>& summaries = run.inputs;
    static std::FILE* null = std::fopen("/dev/null", "w");
    if (null != nullptr) {
        report::Output out(null);
        report::write_stats(out, summaries, sessions, report::Format::json);
        report::write_stats(out, summaries, sessions, report::Format::text);
    }
    const auto totals = sessions.totals();
    const auto& c = totals.counters;
    // The accounting rule the stats command promises.
    if (totals.datagrams != totals.not_export_datagrams + c.datagrams + totals.session_limit_datagrams ||
        c.datagrams != c.decoded_datagrams + c.partial_datagrams + c.malformed_datagrams) {
        __builtin_trap();
    }
    read_with_tcp(path, size);
    read_merged(path);
    return 0;
}
