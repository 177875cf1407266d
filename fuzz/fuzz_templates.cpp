// SPDX-License-Identifier: MIT
// libFuzzer target: `nfpcap templates`. Each input is one export datagram from one of two
// exporters, decoded with one session table kept across inputs into one TemplateCollector (so
// definitions, redefinitions, resends and withdrawals accumulate); the report is written as
// text and JSON every 32 inputs, and everything starts over every 4096 (memory stays bounded).
#include <cstddef>
#include <cstdint>
#include <memory>

#include "fuzz_input.hpp"
#include "nfpcap/pipeline/run.hpp"
#include "nfpcap/report/template_report.hpp"

using namespace nfpcap;

namespace {

struct State {
    session::SessionTable sessions{[] {
        session::SessionOptions o;
        o.all_export = true;
        return o;
    }()};
    report::TemplateCollector collector;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static auto state = std::make_unique<State>();
    static std::uint64_t frame = 0;
    if (size == 0) return 0;
    // The first byte picks the exporter (and TCP or UDP: withdrawals count over TCP only).
    const std::uint8_t pick = data[0];
    ++frame;
    fuzz::OneMessage source(wire::Bytes(reinterpret_cast<const std::byte*>(data + 1), size - 1), frame,
                            1'700'000'000'000'000'000 + static_cast<std::int64_t>(frame),
                            {fuzz::v4(192, 0, 2, static_cast<std::uint8_t>(1 + (pick & 1U))), 40000});
    (void)pipeline::run(source, state->sessions, state->collector);
    if (frame % 32 == 0) {
        fuzz::MemoryFile file;
        report::Output out(file.file());
        state->collector.write(out, report::Format::text);
        state->collector.write(out, report::Format::json);
    }
    if (frame % 4096 == 0) state = std::make_unique<State>();
    return 0;
}
