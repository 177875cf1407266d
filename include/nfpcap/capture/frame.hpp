// SPDX-License-Identifier: MIT
// Link layer, tunnels, IPv4/IPv6 (extension headers), UDP and TCP parsing of one frame: pure.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "nfpcap/wire/address.hpp"
#include "nfpcap/wire/reader.hpp"

namespace nfpcap::capture {

/// Why a frame yielded no UDP datagram (beyond being something else than UDP).
enum class FrameIssue : std::uint8_t {
    unsupported_link,    ///< the capture's link type is not one nfpcap reads
    link_truncated,      ///< shorter than its link-layer header
    ip_truncated,        ///< IP header or payload cut short in the capture
    ip_invalid,          ///< bad IP version, header length or total length
    udp_invalid,         ///< UDP header shorter than 8 bytes or length field below 8
    fragment_dropped,    ///< fragment that could not be reassembled (limits, overlap, timeout)
    ext_header_limit,    ///< IPv6 extension header chain longer than the walk's limit
    tunnel_unsupported,  ///< a tunnel nfpcap does not unwrap (GRE version/routing, payload type)
    tunnel_too_deep,     ///< encapsulations (tunnels, VLAN tags, MPLS labels) nested past the limit
    tcp_invalid,         ///< TCP header shorter than 20 bytes or data offset below 5
    no_interface,        ///< pcapng packet on an interface its section did not describe
    sctp_invalid,        ///< SCTP common header cut, or chunks whose lengths do not fit (RFC 9260 §3)
    count_,
};
inline constexpr std::size_t kFrameIssueCount = static_cast<std::size_t>(FrameIssue::count_);

std::string_view describe(FrameIssue issue) noexcept;
std::string_view name(FrameIssue issue) noexcept;

/// Layers unwrapped on the way to the innermost IP packet; a frame counts once per kind.
enum class Encapsulation : std::uint8_t {
    vlan,      ///< 802.1Q / 802.1ad / QinQ tags (Ethernet, or inside SLL/SLL2)
    mpls,      ///< MPLS label stack (EtherType 0x8847/0x8848, or in GRE)
    pppoe,     ///< PPPoE session (0x8864), PPP IPv4 / IPv6
    gre,       ///< GRE (RFC 2784/2890, checksum/key/sequence) carrying IP, Ethernet (0x6558), MPLS, PPP, ERSPAN
    erspan,    ///< ERSPAN type I/II (GRE 0x88be) or III (GRE 0x22eb)
    vxlan,     ///< VXLAN (UDP port 4789) carrying Ethernet
    ip_in_ip,  ///< IPv4 or IPv6 inside IPv4 or IPv6 (protocols 4 and 41)
    count_,
};
inline constexpr std::size_t kEncapsulationCount = static_cast<std::size_t>(Encapsulation::count_);

std::string_view describe(Encapsulation e) noexcept;
std::string_view name(Encapsulation e) noexcept;

/// TCP header flags (RFC 9293 §3.1).
namespace tcp_flag {
inline constexpr std::uint8_t fin = 0x01, syn = 0x02, rst = 0x04, psh = 0x08, ack = 0x10;
}

/// Choices of frame parsing.
struct ParseOptions {
    bool tcp = false;                 ///< parse TCP (Kind::tcp); otherwise TCP is Kind::not_udp
    bool sctp = false;                ///< parse SCTP (Kind::sctp); otherwise SCTP is Kind::not_udp
    int max_tunnel_depth = 8;         ///< encapsulation layers unwrapped at most (tunnel_too_deep past it)
    std::uint16_t vxlan_port = 4789;  ///< UDP destination port read as VXLAN (0: none)
};

/// What one frame carries: the innermost IP packet's addresses and its UDP or TCP contents.
struct FrameInfo {
    enum class Kind : std::uint8_t { udp, tcp, sctp, fragment, not_ip, not_udp, issue } kind = Kind::not_ip;
    FrameIssue issue = FrameIssue::unsupported_link;
    wire::IpAddress src, dst;
    std::uint8_t protocol = 0;
    std::uint16_t encapsulations = 0;  ///< bit (1 << Encapsulation) for each kind unwrapped
    std::uint8_t depth = 0;            ///< encapsulation layers unwrapped (VLAN tags not counted)
    // Kind::udp, Kind::tcp and Kind::sctp
    std::uint16_t src_port = 0, dst_port = 0;
    // Kind::udp
    std::uint32_t udp_length = 0;  ///< payload length announced by the UDP header
    wire::Bytes udp_payload;       ///< as captured (may be shorter than udp_length)
    // Kind::tcp
    std::uint32_t tcp_seq = 0;
    std::uint8_t tcp_flags = 0;    ///< tcp_flag bits
    std::uint32_t tcp_length = 0;  ///< payload length the IP header announces
    wire::Bytes tcp_payload;       ///< as captured (shorter than tcp_length when cut)
    // Kind::sctp (whole packets only: a cut one is ip_truncated)
    std::uint32_t sctp_tag = 0;  ///< verification tag
    wire::Bytes sctp_chunks;     ///< everything after the 12-byte common header
    // Kind::fragment
    std::uint32_t frag_id = 0;
    std::uint32_t frag_offset = 0;  ///< bytes
    bool frag_more = false;
    wire::Bytes frag_data;

    [[nodiscard]] bool has(Encapsulation e) const noexcept {
        return (encapsulations & (1U << static_cast<unsigned>(e))) != 0;
    }
};

/// Parses a frame of the given libpcap DLT into addresses and (possibly fragmented) UDP / TCP.
FrameInfo parse_frame(int dlt, wire::Bytes frame, const ParseOptions& options = {}) noexcept;

/// Parses the payload of a reassembled datagram: `info` is the fragment's FrameInfo (its
/// addresses, `protocol` = the header after the fragment header, depth and encapsulations).
/// IPv6 extension headers after the fragment header (Destination Options) are walked; UDP, TCP
/// and tunnels are read as in an unfragmented packet.
void parse_reassembled(wire::Bytes payload, FrameInfo& info, const ParseOptions& options = {}) noexcept;

/// Parses a complete IP payload known to be UDP (a UDP header, then data).
void parse_udp(wire::Bytes ip_payload, FrameInfo& info) noexcept;

/// True when nfpcap reads this link type.
bool supported_link(int dlt) noexcept;

}  // namespace nfpcap::capture
