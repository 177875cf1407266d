// SPDX-License-Identifier: MIT
// Feeds built messages to a session table as a capture would: frame numbers, times, the
// transport, cut datagrams; what the table hands on is collected.
#pragma once
#include <cstdint>
#include <vector>

#include "collecting_sink.hpp"
#include "nfpcap/session/session_table.hpp"

namespace nfpcap::test {

/// How one message arrives.
struct Arrival {
    const char* exporter = "10.0.0.1";
    std::uint16_t port = 5000;
    std::int64_t time_ns = 0;  ///< 0: one second after the previous message
    source::Transport transport = source::Transport::udp_datagram;
    std::uint64_t stream = 0;
    std::size_t cut_to = 0;  ///< the capture holds only this many bytes (0: all)
    bool state_only = false;
};

struct Feed {
    session::SessionTable table;
    CollectingSink sink;
    std::uint64_t frame = 0;
    std::int64_t time_ns = 1'700'000'000'000'000'000;
    std::vector<std::vector<std::byte>> keep;

    explicit Feed(session::SessionOptions options = {}) : table(std::move(options)) {}

    session::ProcessResult send(std::vector<std::byte> payload, const Arrival& a = {}) {
        source::Message m;
        m.frame = ++frame;
        time_ns = a.time_ns != 0 ? a.time_ns : time_ns + 1'000'000'000;
        m.time_ns = time_ns;
        m.exporter = {wire::IpAddress::parse(a.exporter), a.port};
        m.collector = {wire::IpAddress::parse("127.0.0.1"), 2055};
        m.transport = a.transport;
        m.stream = a.stream;
        m.length = static_cast<std::uint32_t>(payload.size());
        if (a.cut_to != 0 && a.cut_to < payload.size()) {
            payload.resize(a.cut_to);
            m.truncated = true;
        }
        m.state_only = a.state_only;
        // The payload is only valid during process(): a fresh buffer each time, overwritten
        // afterwards, so that a view kept too long shows up as wrong values.
        std::vector<std::byte> buffer = std::move(payload);
        m.payload = buffer;
        auto result = table.process(m, sink);
        std::fill(buffer.begin(), buffer.end(), std::byte{0xee});
        return result;
    }
    void finish() { table.finish(sink); }
    [[nodiscard]] session::Totals totals() const { return table.totals(); }
    [[nodiscard]] std::uint64_t reason(netflow::Reason r) const {
        return table.totals().counters.reasons[static_cast<std::size_t>(r)];
    }
};

/// Every datagram counted once, and the datagram verdicts add up.
inline bool adds_up(const session::Totals& t) {
    return t.datagrams == t.not_export_datagrams + t.counters.datagrams + t.session_limit_datagrams &&
           t.counters.datagrams ==
               t.counters.decoded_datagrams + t.counters.partial_datagrams + t.counters.malformed_datagrams;
}

/// A NetFlow v5 message of `flows` records (10.0.0.N -> 10.0.1.N).
inline std::vector<std::byte> v5(std::uint32_t sequence, std::uint16_t flows, std::uint32_t uptime_ms = 100000,
                                 std::uint32_t secs = 1700000000) {
    std::vector<std::byte> b;
    auto u8 = [&](unsigned v) { b.push_back(std::byte{static_cast<std::uint8_t>(v)}); };
    auto u16 = [&](unsigned v) {
        u8(v >> 8U);
        u8(v & 0xffU);
    };
    auto u32 = [&](std::uint32_t v) {
        u16(v >> 16U);
        u16(v & 0xffffU);
    };
    u16(5);
    u16(flows);
    u32(uptime_ms);
    u32(secs);
    u32(0);
    u32(sequence);
    u8(0);
    u8(0);
    u16(0);
    for (std::uint16_t i = 0; i < flows; ++i) {
        u32(0x0a000000U + i);
        u32(0x0a000100U + i);
        u32(0);
        u16(0);
        u16(0);
        u32(1);
        u32(100);
        u32(uptime_ms - 1000);
        u32(uptime_ms - 500);
        u16(1000);
        u16(80);
        u8(0);
        u8(0);
        u8(6);
        u8(0);
        u16(0);
        u16(0);
        u8(0);
        u8(0);
        u16(0);
    }
    return b;
}

}  // namespace nfpcap::test
