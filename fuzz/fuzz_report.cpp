// SPDX-License-Identifier: MIT
// libFuzzer target: the HTML report. Each input is the data of IPFIX records of one of a few
// templates (times as milliseconds, NTP micro/nanoseconds, microsecond deltas plus a
// duration, sysUpTime; counters, both directions, sampling): every value hostile. One session
// table and one report builder live across inputs, the page is built and written every 16
// inputs (then a new builder starts). Traps on a negative count or duration in the page.
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "fuzz_input.hpp"
#include "nfpcap/pipeline/run.hpp"
#include "nfpcap/report/html_builder.hpp"
#include "nfpcap/report/html_report.hpp"

using namespace nfpcap;

namespace {

struct Field {
    std::uint16_t id, length;
    std::uint32_t pen = 0;
};

// The flow key and counters every template has, then its times.
const std::vector<Field> kKey = {{8, 4}, {12, 4}, {7, 2}, {11, 2}, {4, 1}, {6, 1}, {2, 8}, {1, 8}, {34, 4}};
const std::array<std::vector<Field>, 5> kTimes = {{
    {{152, 8}, {153, 8}},                                // flowStart/EndMilliseconds
    {{154, 8}, {157, 8}},                                // flowStartMicroseconds, flowEndNanoseconds (NTP)
    {{158, 4}, {159, 8}, {161, 4}},                      // deltas (one 8 bytes long), flowDurationMilliseconds
    {{22, 4}, {21, 4}, {160, 8}},                        // sysUpTime first/last, systemInitTimeMilliseconds
    {{150, 4}, {151, 4}, {2, 8, 29305}, {1, 8, 29305}},  // seconds, reverse counters (RFC 5103)
}};

void put16(std::vector<std::uint8_t>& b, std::uint32_t v) {
    b.push_back(static_cast<std::uint8_t>(v >> 8U));
    b.push_back(static_cast<std::uint8_t>(v));
}
void put32(std::vector<std::uint8_t>& b, std::uint32_t v) {
    put16(b, v >> 16U);
    put16(b, v & 0xffffU);
}

std::size_t record_length(std::size_t t) {
    std::size_t n = 0;
    for (const auto& f : kKey) n += f.length;
    for (const auto& f : kTimes[t]) n += f.length;
    return n;
}

/// An IPFIX message: the template set, then one data set of the input's bytes (whole records).
std::vector<std::uint8_t> message(std::size_t t, FuzzedDataProvider& in, std::uint32_t export_time) {
    std::vector<std::uint8_t> m(16);
    std::vector<Field> fields = kKey;
    fields.insert(fields.end(), kTimes[t].begin(), kTimes[t].end());
    const std::size_t set_start = m.size();
    put16(m, 2);
    put16(m, 0);
    put16(m, static_cast<std::uint32_t>(256 + t));
    put16(m, static_cast<std::uint32_t>(fields.size()));
    for (const auto& f : fields) {
        put16(m, f.pen != 0 ? (0x8000U | f.id) : f.id);
        put16(m, f.length);
        if (f.pen != 0) put32(m, f.pen);
    }
    const auto set_len = static_cast<std::uint32_t>(m.size() - set_start);
    m[set_start + 2] = static_cast<std::uint8_t>(set_len >> 8U);
    m[set_start + 3] = static_cast<std::uint8_t>(set_len);
    const std::size_t len = record_length(t);
    std::vector<std::uint8_t> data = in.ConsumeBytes<std::uint8_t>(std::min<std::size_t>(in.remaining_bytes(), 60000));
    data.resize(data.size() / len * len);
    put16(m, static_cast<std::uint32_t>(256 + t));
    put16(m, static_cast<std::uint32_t>(4 + data.size()));
    m.insert(m.end(), data.begin(), data.end());
    m[1] = 10;
    m[2] = static_cast<std::uint8_t>(m.size() >> 8U);
    m[3] = static_cast<std::uint8_t>(m.size());
    for (std::size_t i = 0; i < 4; ++i) m[4 + i] = static_cast<std::uint8_t>(export_time >> (24 - 8 * i));
    m[15] = 1;  // observation domain 1
    return m;
}

struct State {
    session::SessionTable sessions;
    pipeline::RunResult run;
    std::unique_ptr<report::HtmlReportBuilder> builder;
    std::uint64_t frame = 0;
    std::uint64_t inputs = 0;

    void start() {
        report::HtmlBuildOptions o;
        o.renormalize = o.connections.renormalize = frame % 2 == 0;
        o.connections.merge_exporters = frame % 3 == 0;
        o.connections.window_ns = frame % 5 == 0 ? INT64_MAX : 10'000'000'000;
        o.timeline_group = frame % 2 == 0 ? analyze::TimelineGroup::proto : analyze::TimelineGroup::service;
        builder = std::make_unique<report::HtmlReportBuilder>(std::move(o));
        run = {};
    }
};

State make_state() {
    session::SessionOptions o;
    o.all_export = true;
    State s{session::SessionTable(o), {}, nullptr};
    s.start();
    return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static State state = make_state();
    FuzzedDataProvider in(data, size);
    const auto t = in.ConsumeIntegralInRange<std::size_t>(0, kTimes.size() - 1);
    const auto export_time = in.ConsumeBool() ? 1'700'000'000U : in.ConsumeIntegral<std::uint32_t>();
    const std::int64_t capture_time = fuzz::hostile_time(in);
    const auto exporter = fuzz::v4(192, 0, 2, in.ConsumeIntegralInRange<std::uint8_t>(1, 3));
    const std::vector<std::uint8_t> m = message(t, in, export_time);
    fuzz::OneMessage source(wire::Bytes(reinterpret_cast<const std::byte*>(m.data()), m.size()), ++state.frame,
                            capture_time, {exporter, 40000});
    const pipeline::RunResult r = pipeline::run(source, state.sessions, *state.builder);
    state.run.inputs.insert(state.run.inputs.end(), r.inputs.begin(), r.inputs.end());
    state.run.messages += r.messages;
    if (++state.inputs % 16 == 0) {
        report::HtmlReportData page = state.builder->finish(state.run, state.sessions, {});
        fuzz::MemoryFile file;
        {
            report::Output out(file.file());
            report::HtmlReportOptions ho;
            ho.local_time = state.inputs % 32 == 0;
            report::write_html_report(out, page, ho);
        }
        const std::string_view html = file.text();
        // Numeric cells (counts, durations) are never negative.
        if (html.find("class=\"num\" data-v=\"-") != std::string_view::npos) __builtin_trap();
        state.start();
    }
    return 0;
}
