// SPDX-License-Identifier: MIT
// What the live sources (UDP/TCP sockets, capture interfaces) share: when to stop, and a tap
// that sees everything received before it is decoded (--write).
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "nfpcap/source/message.hpp"

namespace nfpcap::source {

/// When a live source stops waiting. It checks both between receives and while idle (it waits
/// in slices of `poll_interval`), so a signal handler's request is seen within one slice.
struct LiveStop {
    const std::atomic<bool>* stop = nullptr;  ///< set (e.g. by a signal handler) to stop; may be null
    std::optional<std::chrono::steady_clock::time_point> deadline;  ///< --duration
    std::chrono::milliseconds poll_interval{100};

    [[nodiscard]] bool requested() const noexcept {
        return (stop != nullptr && stop->load(std::memory_order_relaxed)) ||
               (deadline && std::chrono::steady_clock::now() >= *deadline);
    }
};

/// Sees what a live source receives, in arrival order, before the pipeline decodes it.
class Tap {
public:
    virtual ~Tap() = default;
    /// A frame captured on an interface (libpcap DLT `link_type`), as captured.
    virtual void on_frame(int /*link_type*/, std::int64_t /*time_ns*/, wire::Bytes /*frame*/,
                          std::uint32_t /*wire_length*/) {}
    /// A message received on a socket (UDP datagram, or one message of a TCP connection).
    virtual void on_message(const Message& /*message*/) {}
};

/// `[ADDR:]PORT` of --listen: `2055`, `:2055`, `127.0.0.1:2055`, `[::1]:2055`, `[::]:2055`.
struct ListenAddress {
    std::string host;  ///< empty: every address (IPv6 and IPv4 where the host has both)
    std::uint16_t port = 0;
};

/// Parses `[ADDR:]PORT`; throws std::invalid_argument saying what is wrong.
[[nodiscard]] ListenAddress parse_listen_address(const std::string& text);

/// The kernel's receive time of a socket datagram, or now (nanoseconds since the Unix epoch).
[[nodiscard]] std::int64_t wall_clock_ns() noexcept;

}  // namespace nfpcap::source
