// SPDX-License-Identifier: MIT
// Link layer, tunnels, IPv4/IPv6, UDP and TCP parsing of one captured frame.
#include "nfpcap/capture/frame.hpp"

#include <pcap/dlt.h>

#include <algorithm>

namespace nfpcap::capture {
namespace {

using wire::Bytes;
using wire::Reader;
using Kind = FrameInfo::Kind;

constexpr std::uint16_t kEtherIpv4 = 0x0800;
constexpr std::uint16_t kEtherIpv6 = 0x86dd;
constexpr std::uint16_t kEtherMpls = 0x8847;
constexpr std::uint16_t kEtherMplsMulticast = 0x8848;
constexpr std::uint16_t kEtherPppoeSession = 0x8864;
constexpr std::uint16_t kEtherBridging = 0x6558;  // transparent Ethernet bridging (RFC 1701)
constexpr std::uint16_t kEtherErspan2 = 0x88be;
constexpr std::uint16_t kEtherErspan3 = 0x22eb;
constexpr std::uint16_t kEtherPpp = 0x880b;
constexpr std::uint8_t kProtoIpv4 = 4;
constexpr std::uint8_t kProtoTcp = 6;
constexpr std::uint8_t kProtoUdp = 17;
constexpr std::uint8_t kProtoSctp = 132;
constexpr std::uint8_t kProtoIpv6 = 41;
constexpr std::uint8_t kProtoGre = 47;

constexpr int kMaxVlanTags = 8;
constexpr int kMaxMplsLabels = 16;
constexpr int kMaxIpv6Headers = 16;

bool is_vlan(std::uint16_t type) noexcept { return type == 0x8100 || type == 0x88a8 || type == 0x9100; }

/// One frame's walk from the link layer inwards. Each layer narrows the byte view and hands on
/// the number of bytes its length field announces (`declared`), so the innermost layer knows
/// what the snap length cut off.
class Parser {
public:
    Parser(const ParseOptions& options, FrameInfo& info) noexcept : opt_(options), info_(info) {}

    void link(int dlt, Bytes frame) noexcept {
        switch (dlt) {
        case DLT_EN10MB: return ethernet(frame);
        case DLT_LINUX_SLL:
            if (frame.size() < 16) return issue(FrameIssue::link_truncated);
            return ethertype(wire::load_be16(frame.data() + 14), frame.subspan(16));
        case DLT_LINUX_SLL2:
            if (frame.size() < 20) return issue(FrameIssue::link_truncated);
            return ethertype(wire::load_be16(frame.data()), frame.subspan(20));
        case DLT_RAW:
        case DLT_IPV4:
        case DLT_IPV6: return ip_by_version(frame, FrameIssue::link_truncated);
        case DLT_NULL: return bsd_loopback(frame, false);
        case DLT_LOOP: return bsd_loopback(frame, true);
        default: return issue(FrameIssue::unsupported_link);
        }
    }

    void ethernet(Bytes frame) noexcept {
        Reader r(frame);
        r.skip(12);  // destination and source MAC
        auto type = r.be16();
        if (r.failed()) return issue(FrameIssue::link_truncated);
        ethertype(type, r.rest());
    }

    /// What follows an EtherType: SLL/SLL2 protocol fields and GRE protocol types are the same.
    void ethertype(std::uint16_t type, Bytes rest) noexcept {
        if (is_vlan(type)) {
            // 802.1Q, 802.1ad and the old QinQ tag: each a TCI and the next type.
            Reader r(rest);
            int tags = 0;
            while (is_vlan(type)) {
                if (++tags > kMaxVlanTags) return issue(FrameIssue::tunnel_too_deep);
                r.skip(2);
                type = r.be16();
            }
            if (r.failed()) return issue(FrameIssue::link_truncated);
            mark(Encapsulation::vlan);
            rest = r.rest();
        }
        switch (type) {
        case kEtherIpv4: return ipv4(rest);
        case kEtherIpv6: return ipv6(rest);
        case kEtherMpls:
        case kEtherMplsMulticast: return mpls(rest);
        case kEtherPppoeSession: return pppoe(rest);
        default: info_.kind = Kind::not_ip; return;
        }
    }

    void ip_by_version(Bytes packet, FrameIssue if_empty) noexcept {
        if (packet.empty()) return issue(if_empty);
        auto version = static_cast<unsigned>(packet[0]) >> 4U;
        if (version == 4) return ipv4(packet);
        if (version == 6) return ipv6(packet);
        issue(FrameIssue::ip_invalid);
    }

    void ipv4(Bytes packet) noexcept {
        Reader r(packet);
        auto ver_ihl = r.u8();
        if (r.failed()) return issue(FrameIssue::ip_truncated);
        if ((ver_ihl >> 4U) != 4) return issue(FrameIssue::ip_invalid);
        std::size_t header_len = static_cast<std::size_t>(ver_ihl & 0x0fU) * 4U;
        r.skip(1);  // DSCP/ECN
        std::size_t total_len = r.be16();
        auto id = r.be16();
        auto flags_frag = r.be16();
        r.skip(1);  // TTL
        auto protocol = r.u8();
        r.skip(2);  // header checksum
        auto src = r.bytes(4);
        auto dst = r.bytes(4);
        if (r.failed()) return issue(FrameIssue::ip_truncated);
        if (header_len < 20 || total_len < header_len) return issue(FrameIssue::ip_invalid);
        if (header_len > packet.size()) return issue(FrameIssue::ip_truncated);

        info_.src = wire::IpAddress::v4(src.first<4>());
        info_.dst = wire::IpAddress::v4(dst.first<4>());
        info_.protocol = protocol;
        // Ethernet pads short frames: the IP total length says where the packet ends.
        Bytes payload = packet.subspan(header_len, std::min(total_len, packet.size()) - header_len);
        const std::size_t declared = total_len - header_len;

        std::uint32_t frag_offset = (flags_frag & 0x1fffU) * 8U;
        bool more = (flags_frag & 0x2000U) != 0;
        if (frag_offset != 0 || more) {
            if (!reassembled_protocol(protocol)) {
                info_.kind = Kind::not_udp;
                return;
            }
            if (declared > payload.size()) return issue(FrameIssue::ip_truncated);
            fragment(id, frag_offset, more, payload);
            return;
        }
        ip_payload(protocol, payload, declared);
    }

    void ipv6(Bytes packet) noexcept {
        Reader r(packet);
        auto word = r.be32();
        std::size_t payload_len = r.be16();
        std::uint8_t next = r.u8();
        r.skip(1);  // hop limit
        auto src = r.bytes(16);
        auto dst = r.bytes(16);
        if (r.failed()) return issue(FrameIssue::ip_truncated);
        if ((word >> 28U) != 6) return issue(FrameIssue::ip_invalid);

        info_.src = wire::IpAddress::v6(src.first<16>());
        info_.dst = wire::IpAddress::v6(dst.first<16>());
        // RFC 2675: a jumbogram says 0 here and carries its length in a hop-by-hop option;
        // what was captured is then all there is to go by.
        if (payload_len == 0 && next == 0) payload_len = r.remaining();
        Reader body = r.sub(std::min(payload_len, r.remaining()));
        ipv6_chain(next, body.rest(), payload_len, true);
    }

    /// IPv6 extension headers (RFC 8200 §4), bounded, then the upper-layer protocol. Before
    /// reassembly (`may_fragment`) a fragment header ends the walk.
    void ipv6_chain(std::uint8_t next, Bytes bytes, std::size_t declared, bool may_fragment) noexcept {
        Reader body(bytes);
        for (int hops = 0;; ++hops) {
            if (hops >= kMaxIpv6Headers) return issue(FrameIssue::ext_header_limit);
            switch (next) {
            case 0:      // hop-by-hop options
            case 43:     // routing
            case 60:     // destination options
            case 135:    // mobility
            case 139:    // HIP
            case 140: {  // shim6
                auto n = body.u8();
                std::size_t len = (static_cast<std::size_t>(body.u8()) + 1U) * 8U;
                body.skip(len - 2);
                if (body.failed()) return issue(FrameIssue::ip_truncated);
                next = n;
                continue;
            }
            case 51: {  // authentication header (RFC 4302: length in 4-byte words, minus 2)
                auto n = body.u8();
                std::size_t len = (static_cast<std::size_t>(body.u8()) + 2U) * 4U;
                body.skip(len - 2);
                if (body.failed()) return issue(FrameIssue::ip_truncated);
                next = n;
                continue;
            }
            case 44: {  // fragment
                auto n = body.u8();
                body.skip(1);
                auto off_flags = body.be16();
                auto id = body.be32();
                if (body.failed()) return issue(FrameIssue::ip_truncated);
                std::uint32_t offset = off_flags & 0xfff8U;
                bool more = (off_flags & 1U) != 0;
                next = n;
                if (offset == 0 && !more) continue;  // atomic fragment (RFC 6946): a whole packet
                info_.protocol = n;
                if (!may_fragment || !reassembled_protocol(n)) {
                    info_.kind = Kind::not_udp;
                    return;
                }
                // RFC 8200 §4.5: the rest is a slice of the fragmentable part, whose first
                // header `n` names in every fragment; nothing after it is walked before reassembly.
                if (declared > bytes.size()) return issue(FrameIssue::ip_truncated);
                fragment(id, offset, more, body.rest());
                return;
            }
            default: break;
            }
            break;
        }
        const std::size_t used = body.offset();
        ip_payload(next, body.rest(), declared > used ? declared - used : 0);
    }

    /// The upper-layer protocol of an IP packet: UDP, TCP, or a tunnel inside IP.
    void ip_payload(std::uint8_t protocol, Bytes payload, std::size_t declared) noexcept {
        info_.protocol = protocol;
        const bool cut = declared > payload.size();
        switch (protocol) {
        case kProtoUdp:
            // A UDP header cut by the snap length is a capture limit, not a malformed datagram.
            if (cut && payload.size() < 8) return issue(FrameIssue::ip_truncated);
            parse_udp(payload, info_);
            if (info_.kind == Kind::udp) vxlan();
            return;
        case kProtoTcp:
            if (!opt_.tcp) break;
            return tcp(payload, declared);
        case kProtoSctp:
            if (!opt_.sctp) break;
            return sctp(payload, declared);
        case kProtoGre: return gre(payload);
        case kProtoIpv4:
            if (!enter(Encapsulation::ip_in_ip)) return;
            return ipv4(payload);
        case kProtoIpv6:
            if (!enter(Encapsulation::ip_in_ip)) return;
            return ipv6(payload);
        default: break;
        }
        info_.kind = Kind::not_udp;
    }

    void tcp(Bytes payload, std::size_t declared) noexcept {
        Reader r(payload);
        info_.src_port = r.be16();
        info_.dst_port = r.be16();
        info_.tcp_seq = r.be32();
        r.skip(4);  // acknowledgment number
        auto off_flags = r.be16();
        if (r.failed()) {
            return issue(declared > payload.size() ? FrameIssue::ip_truncated : FrameIssue::tcp_invalid);
        }
        std::size_t header_len = (off_flags >> 12U) * 4U;
        if (header_len < 20 || header_len > std::max(declared, payload.size())) return issue(FrameIssue::tcp_invalid);
        if (header_len > payload.size()) return issue(FrameIssue::ip_truncated);
        info_.kind = Kind::tcp;
        info_.tcp_flags = static_cast<std::uint8_t>(off_flags & 0x3fU);
        info_.tcp_payload = payload.subspan(header_len);
        info_.tcp_length = static_cast<std::uint32_t>(std::max(declared, payload.size()) - header_len);
    }

    /// RFC 9260 §3.1: ports, verification tag, checksum (not verified, as tshark by default),
    /// then chunks (walked by capture::SctpReassembler). A packet the capture cut is dropped:
    /// its last chunk cannot be whole.
    void sctp(Bytes payload, std::size_t declared) noexcept {
        if (declared > payload.size()) return issue(FrameIssue::ip_truncated);
        Reader r(payload);
        info_.src_port = r.be16();
        info_.dst_port = r.be16();
        info_.sctp_tag = r.be32();
        r.skip(4);
        if (r.failed()) return issue(FrameIssue::sctp_invalid);
        info_.kind = Kind::sctp;
        info_.sctp_chunks = payload.subspan(12);
    }

    /// RFC 7348: a UDP datagram to the VXLAN port whose flags have the I bit is Ethernet.
    void vxlan() noexcept {
        if (opt_.vxlan_port == 0 || info_.dst_port != opt_.vxlan_port) return;
        Bytes p = info_.udp_payload;
        if (p.size() < 8 || (static_cast<unsigned>(p[0]) & 0x08U) == 0) return;
        if (!enter(Encapsulation::vxlan)) return;
        info_.kind = Kind::not_ip;
        ethernet(p.subspan(8));
    }

    /// GRE, RFC 2784 with the RFC 2890 key and sequence number.
    void gre(Bytes payload) noexcept {
        Reader r(payload);
        auto flags = r.be16();
        auto type = r.be16();
        if (r.failed()) return issue(FrameIssue::ip_truncated);
        // Version 1 is PPTP's enhanced GRE; the routing bit is RFC 1701 source routing.
        if ((flags & 0x0007U) != 0 || (flags & 0x4000U) != 0) return issue(FrameIssue::tunnel_unsupported);
        if ((flags & 0x8000U) != 0) r.skip(4);  // checksum, reserved
        if ((flags & 0x2000U) != 0) r.skip(4);  // key
        const bool has_sequence = (flags & 0x1000U) != 0;
        if (has_sequence) r.skip(4);
        if (r.failed()) return issue(FrameIssue::ip_truncated);
        switch (type) {
        case kEtherIpv4:
        case kEtherIpv6:
        case kEtherMpls:
        case kEtherMplsMulticast:
            if (!enter(Encapsulation::gre)) return;
            return ethertype(type, r.rest());
        case kEtherBridging:
            if (!enter(Encapsulation::gre)) return;
            return ethernet(r.rest());
        case kEtherPpp:
            if (!enter(Encapsulation::gre)) return;
            return ppp(r.rest());
        case kEtherErspan2:
            if (!enter(Encapsulation::gre)) return;
            mark(Encapsulation::erspan);
            // Type I has no ERSPAN header and no GRE sequence number; type II has both.
            if (has_sequence) {
                auto word = r.be16();
                r.skip(6);
                if (r.failed()) return issue(FrameIssue::ip_truncated);
                if ((word >> 12U) != 1) return issue(FrameIssue::tunnel_unsupported);
            }
            return ethernet(r.rest());
        case kEtherErspan3: {
            if (!enter(Encapsulation::gre)) return;
            mark(Encapsulation::erspan);
            auto word = r.be16();
            r.skip(8);  // COS/BSO/T/session, timestamp, SGT
            auto last = r.be16();
            if (r.failed()) return issue(FrameIssue::ip_truncated);
            if ((word >> 12U) != 2) return issue(FrameIssue::tunnel_unsupported);
            if ((last & 1U) != 0) r.skip(8);  // optional platform-specific subheader
            if (r.failed()) return issue(FrameIssue::ip_truncated);
            unsigned frame_type = (last >> 10U) & 0x1fU;
            if (frame_type == 0) return ethernet(r.rest());
            if (frame_type == 2) return ip_by_version(r.rest(), FrameIssue::ip_truncated);
            return issue(FrameIssue::tunnel_unsupported);
        }
        default: return issue(FrameIssue::tunnel_unsupported);
        }
    }

    /// RFC 3032 label stack, then IPv4 / IPv6 by version, or an Ethernet pseudowire with its
    /// control word (RFC 4448; first nibble 0).
    void mpls(Bytes payload) noexcept {
        if (!enter(Encapsulation::mpls)) return;
        Reader r(payload);
        for (int labels = 0;; ++labels) {
            if (labels >= kMaxMplsLabels) return issue(FrameIssue::tunnel_too_deep);
            auto entry = r.be32();
            if (r.failed()) return issue(FrameIssue::link_truncated);
            if ((entry & 0x100U) != 0) break;  // bottom of stack
        }
        Bytes rest = r.rest();
        if (rest.empty()) return issue(FrameIssue::link_truncated);
        switch (static_cast<unsigned>(rest[0]) >> 4U) {
        case 4: return ipv4(rest);
        case 6: return ipv6(rest);
        case 0:
            if (rest.size() < 4) return issue(FrameIssue::link_truncated);
            return ethernet(rest.subspan(4));
        default: return issue(FrameIssue::tunnel_unsupported);
        }
    }

    /// RFC 2516 session stage: version/type 0x11, code 0, session, length; then PPP.
    void pppoe(Bytes payload) noexcept {
        if (!enter(Encapsulation::pppoe)) return;
        Reader r(payload);
        auto vt = r.u8();
        auto code = r.u8();
        r.skip(2);  // session ID
        std::size_t length = r.be16();
        if (r.failed()) return issue(FrameIssue::link_truncated);
        if (vt != 0x11 || code != 0) return issue(FrameIssue::tunnel_unsupported);
        ppp(r.rest().first(std::min(length, r.remaining())));  // Ethernet padding after it
    }

    /// A PPP frame (RFC 1661) in PPPoE or GRE: address and control fields optional (ACFC), the
    /// protocol one byte when compressed (PFC: odd first byte; RFC 2516 discourages it, senders
    /// do it anyway). LCP, IPCP and the like are PPP's own traffic: not IP.
    void ppp(Bytes payload) noexcept {
        Reader r(payload);
        if (payload.size() >= 2 && payload[0] == std::byte{0xff} && payload[1] == std::byte{0x03}) r.skip(2);
        std::uint16_t protocol = r.u8();
        if ((protocol & 1U) == 0) protocol = static_cast<std::uint16_t>((protocol << 8U) | r.u8());
        if (r.failed()) return issue(FrameIssue::link_truncated);
        if (protocol == 0x21) return ipv4(r.rest());
        if (protocol == 0x57) return ipv6(r.rest());
        info_.kind = Kind::not_ip;
    }

    void bsd_loopback(Bytes frame, bool network_order) noexcept {
        Reader r(frame);
        auto family = r.be32();
        if (r.failed()) return issue(FrameIssue::link_truncated);
        if (!network_order) family = __builtin_bswap32(family);
        // DLT_NULL is in the capturing host's byte order; accept either.
        std::uint32_t swapped = __builtin_bswap32(family);
        auto is = [&](std::uint32_t af) { return family == af || swapped == af; };
        if (is(2)) return ipv4(r.rest());
        if (is(24) || is(28) || is(30)) return ipv6(r.rest());
        info_.kind = Kind::not_ip;
    }

    void issue(FrameIssue i) noexcept {
        info_.kind = Kind::issue;
        info_.issue = i;
    }

private:
    void mark(Encapsulation e) noexcept {
        info_.encapsulations = static_cast<std::uint16_t>(info_.encapsulations | (1U << static_cast<unsigned>(e)));
    }
    // One more layer inwards; false (and the issue set) past the depth limit.
    bool enter(Encapsulation e) noexcept {
        if (info_.depth >= opt_.max_tunnel_depth) {
            issue(FrameIssue::tunnel_too_deep);
            return false;
        }
        ++info_.depth;
        mark(e);
        return true;
    }

    // Fragments worth keeping: of what nfpcap reads once the datagram is whole.
    [[nodiscard]] bool reassembled_protocol(std::uint8_t p) const noexcept {
        switch (p) {
        case kProtoUdp:
        case kProtoGre:
        case kProtoIpv4:
        case kProtoIpv6:
        case 60:  // destination options before the upper layer (RFC 8200 §4.1)
            return true;
        case kProtoTcp: return opt_.tcp;
        default: return false;
        }
    }

    void fragment(std::uint32_t id, std::uint32_t offset, bool more, Bytes data) noexcept {
        info_.kind = Kind::fragment;
        info_.frag_id = id;
        info_.frag_offset = offset;
        info_.frag_more = more;
        info_.frag_data = data;
    }

    const ParseOptions& opt_;
    FrameInfo& info_;
};

}  // namespace

void parse_udp(Bytes ip_payload, FrameInfo& info) noexcept {
    Reader r(ip_payload);
    info.src_port = r.be16();
    info.dst_port = r.be16();
    std::uint32_t length = r.be16();
    r.skip(2);  // checksum: never a reason to drop (offloaded on the exporting host)
    if (r.failed()) {
        info.kind = Kind::issue;
        info.issue = FrameIssue::udp_invalid;
        return;
    }
    if (length == 0 && ip_payload.size() > 65535) {
        length = static_cast<std::uint32_t>(ip_payload.size());  // IPv6 jumbogram
    }
    if (length < 8) {
        info.kind = Kind::issue;
        info.issue = FrameIssue::udp_invalid;
        return;
    }
    info.kind = Kind::udp;
    info.protocol = 17;
    info.udp_length = length - 8;
    info.udp_payload = r.rest().first(std::min<std::size_t>(r.remaining(), info.udp_length));
}

bool supported_link(int dlt) noexcept {
    switch (dlt) {
    case DLT_EN10MB:
    case DLT_LINUX_SLL:
    case DLT_LINUX_SLL2:
    case DLT_RAW:
    case DLT_IPV4:
    case DLT_IPV6:
    case DLT_NULL:
    case DLT_LOOP: return true;
    default: return false;
    }
}

FrameInfo parse_frame(int dlt, Bytes frame, const ParseOptions& options) noexcept {
    FrameInfo info;
    Parser(options, info).link(dlt, frame);
    return info;
}

void parse_reassembled(Bytes payload, FrameInfo& info, const ParseOptions& options) noexcept {
    info.kind = Kind::not_udp;
    Parser p(options, info);
    if (info.src.family == 6) {
        p.ipv6_chain(info.protocol, payload, payload.size(), false);
    } else {
        p.ip_payload(info.protocol, payload, payload.size());
    }
}

std::string_view name(FrameIssue issue) noexcept {
    switch (issue) {
    case FrameIssue::unsupported_link: return "unsupported_link";
    case FrameIssue::link_truncated: return "link_truncated";
    case FrameIssue::ip_truncated: return "ip_truncated";
    case FrameIssue::ip_invalid: return "ip_invalid";
    case FrameIssue::udp_invalid: return "udp_invalid";
    case FrameIssue::fragment_dropped: return "fragment_dropped";
    case FrameIssue::ext_header_limit: return "ext_header_limit";
    case FrameIssue::tunnel_unsupported: return "tunnel_unsupported";
    case FrameIssue::tunnel_too_deep: return "tunnel_too_deep";
    case FrameIssue::tcp_invalid: return "tcp_invalid";
    case FrameIssue::no_interface: return "no_interface";
    case FrameIssue::sctp_invalid: return "sctp_invalid";
    case FrameIssue::count_: break;
    }
    return "unknown";
}

std::string_view describe(FrameIssue issue) noexcept {
    switch (issue) {
    case FrameIssue::unsupported_link: return "link type not supported";
    case FrameIssue::link_truncated: return "frame shorter than its link-layer header";
    case FrameIssue::ip_truncated: return "IP packet cut short in the capture";
    case FrameIssue::ip_invalid: return "invalid IP header";
    case FrameIssue::udp_invalid: return "invalid UDP header";
    case FrameIssue::fragment_dropped: return "IP fragment not reassembled";
    case FrameIssue::ext_header_limit: return "IPv6 extension header chain longer than the limit";
    case FrameIssue::tunnel_unsupported: return "tunnel or encapsulation nfpcap does not unwrap";
    case FrameIssue::tunnel_too_deep: return "encapsulations nested deeper than the limit";
    case FrameIssue::tcp_invalid: return "invalid TCP header";
    case FrameIssue::no_interface: return "packet on an interface the pcapng section did not describe";
    case FrameIssue::sctp_invalid: return "SCTP common header cut, or chunk lengths that do not fit the packet";
    case FrameIssue::count_: break;
    }
    return "unknown";
}

std::string_view name(Encapsulation e) noexcept {
    switch (e) {
    case Encapsulation::vlan: return "vlan";
    case Encapsulation::mpls: return "mpls";
    case Encapsulation::pppoe: return "pppoe";
    case Encapsulation::gre: return "gre";
    case Encapsulation::erspan: return "erspan";
    case Encapsulation::vxlan: return "vxlan";
    case Encapsulation::ip_in_ip: return "ip_in_ip";
    case Encapsulation::count_: break;
    }
    return "unknown";
}

std::string_view describe(Encapsulation e) noexcept {
    switch (e) {
    case Encapsulation::vlan: return "802.1Q/802.1ad VLAN tags";
    case Encapsulation::mpls: return "MPLS label stack";
    case Encapsulation::pppoe: return "PPPoE session";
    case Encapsulation::gre: return "GRE tunnel";
    case Encapsulation::erspan: return "ERSPAN mirrored frames";
    case Encapsulation::vxlan: return "VXLAN tunnel";
    case Encapsulation::ip_in_ip: return "IP in IP tunnel";
    case Encapsulation::count_: break;
    }
    return "unknown";
}

}  // namespace nfpcap::capture
