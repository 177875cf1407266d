// SPDX-License-Identifier: MIT
// Link layer, IPv4/IPv6 and UDP parsing of one captured frame: pure, no state.
#pragma once
#include <cstdint>
#include <string_view>

#include "nfpcap/wire/address.hpp"
#include "nfpcap/wire/reader.hpp"

namespace nfpcap::capture {

/// Why a frame yielded no UDP datagram (beyond being something else than UDP).
enum class FrameIssue : std::uint8_t {
    unsupported_link,  ///< the capture's link type is not one nfpcap reads
    link_truncated,    ///< shorter than its link-layer header
    ip_truncated,      ///< IP header or payload cut short in the capture
    ip_invalid,        ///< bad IP version, header length or total length
    udp_invalid,       ///< UDP header shorter than 8 bytes or length field below 8
    fragment_dropped,  ///< fragment that could not be reassembled (limits, overlap, timeout)
};
inline constexpr std::size_t kFrameIssueCount = 6;

std::string_view describe(FrameIssue issue) noexcept;
std::string_view name(FrameIssue issue) noexcept;

/// What one frame carries.
struct FrameInfo {
    enum class Kind : std::uint8_t { udp, fragment, not_ip, not_udp, issue } kind = Kind::not_ip;
    FrameIssue issue = FrameIssue::unsupported_link;
    wire::IpAddress src, dst;
    std::uint8_t protocol = 0;
    // Kind::udp
    std::uint16_t src_port = 0, dst_port = 0;
    std::uint32_t udp_length = 0;  ///< payload length announced by the UDP header
    wire::Bytes udp_payload;       ///< as captured (may be shorter than udp_length)
    // Kind::fragment
    std::uint32_t frag_id = 0;
    std::uint32_t frag_offset = 0;  ///< bytes
    bool frag_more = false;
    wire::Bytes frag_data;
};

/// Parses a frame of the given libpcap DLT into addresses and (possibly fragmented) UDP.
FrameInfo parse_frame(int dlt, wire::Bytes frame) noexcept;

/// Parses a complete IP payload known to be UDP (after reassembly).
void parse_udp(wire::Bytes ip_payload, FrameInfo& info) noexcept;

/// True when nfpcap reads this link type.
bool supported_link(int dlt) noexcept;

}  // namespace nfpcap::capture
