// SPDX-License-Identifier: MIT
// Where export messages come from: one interface for capture files, fixtures, live interfaces
// and sockets, so every command reads them through the same run loop.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "nfpcap/capture/capture_reader.hpp"
#include "nfpcap/source/message.hpp"
#include "nfpcap/source/stream_framer.hpp"

namespace nfpcap::source {

/// What one input (a capture file, an interface, a socket, a fixture file) held.
struct InputSummary {
    std::string name;       ///< as the user named it ("<stdin>" for -)
    std::string link_type;  ///< capture inputs: libpcap's name of the link type
    capture::CaptureCounters counters;
    /// Datagrams (frames) the kernel dropped before nfpcap read them, where the OS says
    /// (SO_RXQ_OVFL on sockets, pcap_stats on interfaces).
    std::optional<std::uint64_t> kernel_drops;
    /// Export messages cut out of TCP streams (followed in captures, or --listen-tcp), and what
    /// that lost.
    StreamCounters streams;
    std::uint64_t tcp_streams = 0;  ///< capture inputs: stream directions that carried data
    std::string error;              ///< what stopped the input early, or made it unreadable (empty: none)
    bool opened = false;            ///< the input could be opened at all
    /// A live input (sockets, interfaces) rather than a file: it ends when stopped.
    bool live = false;
};

/// How far a source has read, in bytes of its files (both 0 when it cannot tell).
struct Progress {
    std::uint64_t done = 0;
    std::uint64_t total = 0;
};

/// What `MessageSource::next` has to say.
enum class SourceEvent : std::uint8_t {
    message,       ///< `out` holds the next message
    input_begins,  ///< `current()` is a new input, opened
    input_ends,    ///< `current()` ended (read to its end, or stopped: see its error)
    end,           ///< nothing more
};

class MessageSource {
public:
    virtual ~MessageSource() = default;
    /// The next event, in arrival (capture) order. Never throws for bad input: an input that
    /// cannot be opened or read ends with its error set.
    virtual SourceEvent next(Message& out) = 0;
    /// The input the last event was about.
    [[nodiscard]] virtual const InputSummary& current() const noexcept = 0;
    /// Stops reading early: the current input's summary is completed (counters of what was read).
    /// A source with several inputs open ends the others at the next calls (input_ends each).
    virtual void stop() {}
    /// Bytes read of the bytes there are to read, for a progress line.
    [[nodiscard]] virtual Progress progress() const { return {}; }
    /// Whether messages name their input (`Message::input`) themselves: a source with several
    /// inputs open at once does. Otherwise the run loop numbers inputs in the order they begin.
    [[nodiscard]] virtual bool numbers_inputs() const noexcept { return false; }
};

}  // namespace nfpcap::source
