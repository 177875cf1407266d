// SPDX-License-Identifier: MIT
// What the consumer fuzz targets share: flow records with hostile numbers drawn from the input
// (times at the int64 ends, counters near 2^64, few addresses so records pair), a source of
// one message, and output captured in memory so properties can be checked on it.
#pragma once
#include <fuzzer/FuzzedDataProvider.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "nfpcap/analyze/flow.hpp"
#include "nfpcap/source/source.hpp"
#include "nfpcap/wire/saturating.hpp"

namespace nfpcap::fuzz {

/// An int64 time: mostly the edges (the int64 ends, 1900, 1970, today) and near them.
inline std::int64_t hostile_time(FuzzedDataProvider& in) {
    static constexpr std::array<std::int64_t, 8> kEdges{INT64_MIN,
                                                        INT64_MAX,
                                                        0,
                                                        -2'208'988'800'000'000'000,  // 1900 (NTP 0)
                                                        1'700'000'000'000'000'000,   // 2023
                                                        INT64_MAX - 10'000'000'000,
                                                        INT64_MIN + 10'000'000'000,
                                                        9'223'372'036'854'000'000};  // last whole ms
    switch (in.ConsumeIntegralInRange<int>(0, 3)) {
    case 0: return in.PickValueInArray(kEdges);
    case 1:
        return wire::sat_add(in.PickValueInArray(kEdges),
                             in.ConsumeIntegralInRange<std::int64_t>(-1'000'000, 1'000'000));
    case 2: return 1'700'000'000'000'000'000 + in.ConsumeIntegralInRange<std::int64_t>(0, 100'000'000'000);
    default: return in.ConsumeIntegral<std::int64_t>();
    }
}

/// A uint64 counter: mostly 0, 1, small, or near 2^64.
inline std::uint64_t hostile_counter(FuzzedDataProvider& in) {
    switch (in.ConsumeIntegralInRange<int>(0, 3)) {
    case 0: return in.ConsumeIntegralInRange<std::uint64_t>(0, 3);
    case 1: return UINT64_MAX - in.ConsumeIntegralInRange<std::uint64_t>(0, 1000);
    case 2: return in.ConsumeIntegralInRange<std::uint64_t>(0, 100000);
    default: return in.ConsumeIntegral<std::uint64_t>();
    }
}

inline wire::IpAddress v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
    const std::array<std::byte, 4> bytes{std::byte{a}, std::byte{b}, std::byte{c}, std::byte{d}};
    return wire::IpAddress::v4(bytes);
}

/// An address from a small pool (so records pair into connections) or any.
inline wire::IpAddress hostile_address(FuzzedDataProvider& in) {
    const int pick = in.ConsumeIntegralInRange<int>(0, 5);
    if (pick < 3) return v4(10, 0, 0, static_cast<std::uint8_t>(pick));
    if (pick == 3) {
        std::array<std::byte, 16> b{};
        for (auto& x : b) x = std::byte{in.ConsumeIntegral<std::uint8_t>()};
        return wire::IpAddress::v6(b);
    }
    std::array<std::byte, 4> a{};
    for (auto& x : a) x = std::byte{in.ConsumeIntegral<std::uint8_t>()};
    return wire::IpAddress::v4(a);
}

/// One flow record with every field the analyzers read drawn from the input.
inline analyze::FlowRecord hostile_flow(FuzzedDataProvider& in) {
    static constexpr std::array<std::uint8_t, 6> kProtocols{6, 17, 1, 58, 132, 47};
    analyze::FlowRecord f;
    f.src = hostile_address(in);
    f.dst = in.ConsumeBool() ? f.src : hostile_address(in);
    f.protocol = in.ConsumeBool() ? in.PickValueInArray(kProtocols) : in.ConsumeIntegral<std::uint8_t>();
    f.src_port =
        in.ConsumeBool() ? in.ConsumeIntegralInRange<std::uint16_t>(0, 3) * 443 : in.ConsumeIntegral<std::uint16_t>();
    f.dst_port =
        in.ConsumeBool() ? in.ConsumeIntegralInRange<std::uint16_t>(0, 3) * 53 : in.ConsumeIntegral<std::uint16_t>();
    f.packets = hostile_counter(in);
    f.bytes = hostile_counter(in);
    f.biflow = in.ConsumeBool();
    if (f.biflow) {
        f.rev_packets = hostile_counter(in);
        f.rev_bytes = hostile_counter(in);
    }
    f.tcp_flags = in.ConsumeIntegral<std::uint8_t>();
    if (in.ConsumeBool()) f.initial_tcp_flags = in.ConsumeIntegral<std::uint8_t>();
    if (f.protocol == 1 || f.protocol == 58 || in.ConsumeBool()) f.icmp_type = in.ConsumeIntegral<std::uint8_t>();
    if (in.ConsumeBool()) f.start_ns = hostile_time(in);
    if (in.ConsumeBool()) f.end_ns = in.ConsumeBool() || !f.start_ns ? hostile_time(in) : *f.start_ns;
    f.time_clamped = in.ConsumeBool() && in.ConsumeBool();
    f.sampling = in.ConsumeBool() ? 1 : in.ConsumeIntegral<std::uint32_t>();
    f.exporter = {v4(192, 0, 2, in.ConsumeIntegralInRange<std::uint8_t>(1, 3)),
                  static_cast<std::uint16_t>(in.ConsumeBool() ? 40000 : 40001)};
    f.version = 10;
    f.input_if = in.ConsumeIntegralInRange<std::uint32_t>(0, 3);
    f.src_as = in.ConsumeIntegralInRange<std::uint32_t>(0, 3);
    return f;
}

/// A message source of one export message (then nothing).
class OneMessage final : public source::MessageSource {
public:
    OneMessage(wire::Bytes payload, std::uint64_t frame, std::int64_t time_ns, wire::Endpoint exporter)
        : payload_(payload), frame_(frame), time_ns_(time_ns), exporter_(exporter) {
        summary_.name = "fuzz";
        summary_.opened = true;
    }
    source::SourceEvent next(source::Message& out) override {
        switch (step_++) {
        case 0: return source::SourceEvent::input_begins;
        case 1:
            out = source::Message{};
            out.frame = frame_;
            out.time_ns = time_ns_;
            out.exporter = exporter_;
            out.collector = {v4(192, 0, 2, 100), 4739};
            out.payload = payload_;
            out.length = static_cast<std::uint32_t>(payload_.size());
            return source::SourceEvent::message;
        case 2: return source::SourceEvent::input_ends;
        default: return source::SourceEvent::end;
        }
    }
    [[nodiscard]] const source::InputSummary& current() const noexcept override { return summary_; }

private:
    wire::Bytes payload_;
    std::uint64_t frame_;
    std::int64_t time_ns_;
    wire::Endpoint exporter_;
    source::InputSummary summary_;
    int step_ = 0;
};

/// A FILE* whose bytes end up in memory (open_memstream): output to check.
class MemoryFile {
public:
    MemoryFile() : file_(open_memstream(&data_, &size_)) {
        if (file_ == nullptr) std::abort();
    }
    ~MemoryFile() {
        std::fclose(file_);
        std::free(data_);
    }
    MemoryFile(const MemoryFile&) = delete;
    MemoryFile& operator=(const MemoryFile&) = delete;
    [[nodiscard]] std::FILE* file() const noexcept { return file_; }
    /// What was written so far.
    [[nodiscard]] std::string_view text() {
        std::fflush(file_);
        return {data_, size_};
    }

private:
    char* data_ = nullptr;
    std::size_t size_ = 0;
    std::FILE* file_;
};

/// Traps when `text` holds a negative duration or a time before 1677/after 2262 as printed.
inline void check_no_negative_duration(std::string_view text) {
    if (text.find("\"duration_ms\":-") != std::string_view::npos) __builtin_trap();
    if (text.find("\"duration_ms\": -") != std::string_view::npos) __builtin_trap();
}

}  // namespace nfpcap::fuzz
