// SPDX-License-Identifier: MIT
// A UDP datagram pulled out of a capture: what every later stage starts from.
#pragma once
#include <cstdint>

#include "nfpcap/wire/address.hpp"
#include "nfpcap/wire/reader.hpp"

namespace nfpcap::capture {

/// One UDP datagram. `payload` is a view into the capture buffer (or the reassembly buffer)
/// and is valid only until the reader moves on; whatever outlives it must be copied.
struct Datagram {
    std::uint64_t frame = 0;       ///< 1-based frame number (the last fragment's when reassembled)
    std::int64_t time_ns = 0;      ///< capture time, nanoseconds since the Unix epoch
    wire::Endpoint src;            ///< exporter side
    wire::Endpoint dst;            ///< collector side
    wire::Bytes payload;           ///< UDP payload as captured
    std::uint32_t udp_length = 0;  ///< payload length the UDP header announces
    bool truncated = false;        ///< the capture holds fewer bytes than the UDP header announces
};

}  // namespace nfpcap::capture
