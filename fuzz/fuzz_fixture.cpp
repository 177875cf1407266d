// SPDX-License-Identifier: MIT
// libFuzzer target: the fixture text format (`nfpcap decode` input): comment lines (frame,
// time, exporter, collector, udp_length, rebuilt, the format line) and hex lines, read by
// FixtureSource from a file and decoded by one session table kept across inputs, the records
// written as text and JSON. Also parse_iso_time on every word: a time it accepts is in range.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_input.hpp"
#include "nfpcap/fixture/text_format.hpp"
#include "nfpcap/pipeline/run.hpp"
#include "nfpcap/report/record_writer.hpp"

using namespace nfpcap;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static session::SessionTable sessions([] {
        session::SessionOptions o;
        o.all_export = true;
        o.pending_limit = 1U << 16U;
        return o;
    }());
    static const int fd = memfd_create("fuzz-fixture", 0);
    static std::uint64_t inputs = 0;
    if (fd < 0) __builtin_trap();
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    // Every word as a time: a time in range reads the same with and without clamping (and is
    // not said to be clamped); one only the clamping reading takes is said to be clamped.
    for (std::size_t at = 0; at < text.size();) {
        const std::size_t end = std::min(text.find_first_of(" =\n", at), text.size());
        const std::string_view word = text.substr(at, end - at);
        bool clamped = false;
        const auto strict = fixture::parse_iso_time(word);
        const auto lenient = fixture::parse_iso_time(word, &clamped);
        if (strict && (lenient != strict || clamped)) __builtin_trap();
        if (!strict && lenient && !clamped) __builtin_trap();
        at = end + 1;
    }
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != static_cast<ssize_t>(size)) __builtin_trap();
    std::vector<fixture::FixtureInput> inputs_of{
        {fixture::FixtureInput::Kind::file, "fuzz", "/proc/self/fd/" + std::to_string(fd)}};
    if (size < 4096) inputs_of.push_back({fixture::FixtureInput::Kind::line, "argument 1", std::string(text)});
    fixture::FixtureSource source(std::move(inputs_of), [](const std::string&) {});
    fuzz::MemoryFile file;
    report::Output out(file.file());
    report::RecordWriter writer(out, {++inputs % 2 == 0 ? report::Format::text : report::Format::json, true, true});
    pipeline::SinkConsumer consumer(writer);
    (void)pipeline::run(source, sessions, consumer);
    return 0;
}
