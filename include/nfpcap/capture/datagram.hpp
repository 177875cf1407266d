// SPDX-License-Identifier: MIT
// A UDP datagram (or an ordered TCP chunk) pulled out of a capture: what every later stage starts from.
#pragma once
#include <cstdint>

#include "nfpcap/wire/address.hpp"
#include "nfpcap/wire/reader.hpp"

namespace nfpcap::capture {

enum class Transport : std::uint8_t { udp, tcp, sctp };

/// One UDP datagram, one in-order chunk of a followed TCP stream, or one SCTP user message. `payload` is a view into
/// the capture buffer (or a reassembly buffer) and is valid only until the reader moves on;
/// whatever outlives it must be copied. Through tunnels, the endpoints are the innermost IP/UDP
/// (or TCP) ones.
struct Datagram {
    std::uint64_t frame = 0;   ///< 1-based frame number in its input (the last fragment's when reassembled)
    std::uint32_t input = 0;   ///< which of the reader's inputs that frame is in (0 for one file)
    std::int64_t time_ns = 0;  ///< capture time, nanoseconds since the Unix epoch
    /// Fractional digits of the second that the capture's clock really gives `time_ns`: 6 for
    /// microsecond pcap and pcapng (if_tsresol 6 or absent), 9 for nanosecond ones, n for
    /// if_tsresol 10^-n (at most 9), the fewest that resolve 2^-n for binary resolutions (at
    /// most 9). Print this many digits to show the time as captured.
    std::uint8_t time_digits = 6;
    std::uint32_t interface = 0;       ///< pcapng interface index in its section (0 for pcap)
    std::uint16_t encapsulations = 0;  ///< bit (1 << capture::Encapsulation) per kind unwrapped
    Transport transport = Transport::udp;
    wire::Endpoint src;            ///< exporter side (TCP: the sender of these bytes)
    wire::Endpoint dst;            ///< collector side (TCP: their receiver)
    wire::Bytes payload;           ///< UDP payload as captured; TCP: the chunk's bytes
    std::uint32_t udp_length = 0;  ///< payload length the UDP header announces (TCP: payload.size())
    bool truncated = false;        ///< the capture holds fewer bytes than the UDP header announces (TCP: never)

    // Transport::tcp only (see capture::TcpChunk): the chunk's place in its stream.
    /// TCP: connection id, 1, 2, ... (both directions share it); SCTP: association id, 1, 2, ...
    std::uint64_t connection = 0;
    std::uint64_t stream_offset = 0;  ///< position of payload[0] in this direction's byte stream
    std::uint64_t bytes_lost = 0;     ///< bytes missing right before payload (when `gap`)
    bool gap = false;                 ///< bytes before this chunk are missing: resynchronize
    bool stream_start = false;        ///< the first chunk of this direction
    bool midstream = false;           ///< this direction was picked up without its SYN
    bool fin = false;                 ///< the sender closed after this chunk
    bool rst = false;                 ///< the connection was reset after this chunk
};

}  // namespace nfpcap::capture
