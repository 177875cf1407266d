// SPDX-License-Identifier: MIT
// An export message as it reached the collector: what every source yields and sessions take,
// whether it came from a capture file, a live interface, a UDP socket or a TCP stream.
#pragma once
#include <cstdint>
#include <string_view>

#include "nfpcap/wire/address.hpp"
#include "nfpcap/wire/reader.hpp"

namespace nfpcap::source {

/// How the message travelled. Template rules differ by transport (RFC 7011 §8.4: withdrawals
/// are honoured over reliable transports only), and each TCP connection is its own session.
enum class Transport : std::uint8_t {
    udp_datagram,     ///< a UDP datagram in a capture
    tcp_stream,       ///< one message cut out of a TCP connection in a capture
    socket_datagram,  ///< a datagram received on a UDP socket (--listen)
    socket_stream,    ///< one message received on a TCP connection (--listen-tcp)
    sctp_message,     ///< one SCTP user message of an association in a capture (RFC 7011 §10.2)
    count_,
};

/// Stable name ("udp", "tcp", "udp_socket", "tcp_socket", "sctp").
[[nodiscard]] std::string_view name(Transport transport) noexcept;

/// Whether the transport delivers in order without loss (TCP, SCTP): template withdrawals
/// count there.
[[nodiscard]] constexpr bool is_reliable(Transport t) noexcept {
    return t == Transport::tcp_stream || t == Transport::socket_stream || t == Transport::sctp_message;
}

/// One export message. `payload` is a view into the source's buffer, valid only until the
/// source moves on: whatever outlives it must be copied.
struct Message {
    std::uint64_t frame = 0;       ///< 1-based frame number (capture), or arrival number (socket)
    std::int64_t time_ns = 0;      ///< capture (or receive) time, nanoseconds since the Unix epoch
    std::uint8_t time_digits = 6;  ///< fractional digits the source's clock has (6 or 9)
    wire::Endpoint exporter;       ///< the sender
    wire::Endpoint collector;      ///< where it was sent
    Transport transport = Transport::udp_datagram;
    /// Transport session for streams: one number per TCP connection or SCTP association (0 for
    /// datagrams).
    std::uint64_t stream = 0;
    wire::Bytes payload;       ///< the message as captured
    std::uint32_t length = 0;  ///< bytes the transport announced (UDP length)
    bool truncated = false;    ///< the capture holds fewer bytes than `length` (snaplen)
    /// The message only restores session state (templates, the exporter's boot time) that
    /// other messages need: its records are decoded but not handed on (fixture `# rebuilt`).
    bool state_only = false;
    /// Which input of the run it came from (0-based; the run loop numbers them).
    std::uint32_t input = 0;
};

}  // namespace nfpcap::source
