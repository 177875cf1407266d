// SPDX-License-Identifier: MIT
// libFuzzer target: raw file bytes as a capture (pcap or pcapng), through CaptureReader (link
// layers, IP, fragment reassembly) and a SessionTable, records formatted, stats written.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "fuzz_sink.hpp"
#include "nfpcap/capture/capture_reader.hpp"
#include "nfpcap/pipeline/run.hpp"
#include "nfpcap/report/output.hpp"
#include "nfpcap/report/run_summary.hpp"
#include "nfpcap/session/session_table.hpp"
#include "nfpcap/source/capture_source.hpp"

using namespace nfpcap;

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
    return 0;
}
