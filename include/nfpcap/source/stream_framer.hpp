// SPDX-License-Identifier: MIT
// Export messages cut out of one direction of a TCP connection, in stream order, with
// resynchronization after missing bytes (RFC 7011 §10.4: IPFIX over TCP; NetFlow v9 the same
// way where exporters send it).
#pragma once
#include <cstdint>
#include <vector>

#include "nfpcap/wire/reader.hpp"

namespace nfpcap::source {

/// What framing a stream lost.
struct StreamCounters {
    std::uint64_t messages = 0;    ///< messages cut out
    std::uint64_t bytes_lost = 0;  ///< missing from the capture, or skipped to find a header
    std::uint64_t resyncs = 0;     ///< times the framer searched for the next message header
    std::uint64_t overflows = 0;   ///< times the buffer limit dropped bytes that held no message
    void add(const StreamCounters& o) noexcept {
        messages += o.messages;
        bytes_lost += o.bytes_lost;
        resyncs += o.resyncs;
        overflows += o.overflows;
    }
};

class StreamFramer {
public:
    /// At most `max_buffer` bytes are held waiting for the rest of a message (IPFIX messages
    /// are at most 65535 bytes; v9 messages are cut at the next header).
    explicit StreamFramer(std::size_t max_buffer = 1U << 18U) : max_buffer_(max_buffer) {}

    /// Appends the next bytes of the stream. `lost` bytes are missing right before them: what
    /// is buffered is then incomplete, and the framer looks for the next message header.
    void feed(wire::Bytes data, std::uint64_t lost = 0);
    /// The stream was picked up in its middle (no SYN seen): what comes first may be the rest
    /// of a message, so the first message must pass the checks made after lost bytes.
    void start_unaligned() noexcept { searching_ = true; }
    /// The sender closed the stream: a v9 message still open ends here.
    void finish();
    [[nodiscard]] bool finished() const noexcept { return ended_; }
    /// The next whole message, if one is ready; valid until the next call on the framer.
    bool next(wire::Bytes& message, bool& after_gap);

    [[nodiscard]] const StreamCounters& counters() const noexcept { return counters_; }

private:
    void discard(std::size_t n) noexcept;
    void compact();

    std::size_t max_buffer_;
    std::vector<std::byte> buffer_;
    std::size_t start_ = 0;  ///< first byte not yet handed out or skipped
    /// Offsets in buffer_ where bytes are missing, oldest first: no message spans one.
    std::vector<std::size_t> gaps_;
    bool ended_ = false;
    bool searching_ = false;  ///< after a gap or an invalid header: looking for a message start
    bool after_gap_ = false;  ///< the next message follows lost bytes
    StreamCounters counters_;
};

}  // namespace nfpcap::source
