// SPDX-License-Identifier: MIT
// Link layer, IPv4/IPv6 and UDP parsing of one captured frame.
#include "nfpcap/capture/frame.hpp"

#include <pcap/dlt.h>

namespace nfpcap::capture {
namespace {

using wire::Bytes;
using wire::Reader;
using Kind = FrameInfo::Kind;

constexpr std::uint16_t kEtherIpv4 = 0x0800;
constexpr std::uint16_t kEtherIpv6 = 0x86dd;
constexpr std::uint8_t kProtoUdp = 17;

FrameInfo with_issue(FrameIssue issue) noexcept {
    FrameInfo info;
    info.kind = Kind::issue;
    info.issue = issue;
    return info;
}

FrameInfo parse_ipv4(Bytes packet) noexcept {
    Reader r(packet);
    auto ver_ihl = r.u8();
    if (r.failed()) return with_issue(FrameIssue::ip_truncated);
    if ((ver_ihl >> 4U) != 4) return with_issue(FrameIssue::ip_invalid);
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
    if (r.failed()) return with_issue(FrameIssue::ip_truncated);
    if (header_len < 20 || total_len < header_len) return with_issue(FrameIssue::ip_invalid);
    if (header_len > packet.size()) return with_issue(FrameIssue::ip_truncated);

    FrameInfo info;
    info.src = wire::IpAddress::v4(src.first<4>());
    info.dst = wire::IpAddress::v4(dst.first<4>());
    info.protocol = protocol;
    // Ethernet pads short frames: the IP total length says where the packet ends.
    Bytes payload = packet.subspan(header_len, std::min(total_len, packet.size()) - header_len);
    bool cut = total_len > packet.size();

    std::uint32_t frag_offset = (flags_frag & 0x1fffU) * 8U;
    bool more = (flags_frag & 0x2000U) != 0;
    if (frag_offset != 0 || more) {
        if (protocol != kProtoUdp) {
            info.kind = Kind::not_udp;
            return info;
        }
        if (cut) return with_issue(FrameIssue::ip_truncated);
        info.kind = Kind::fragment;
        info.frag_id = id;
        info.frag_offset = frag_offset;
        info.frag_more = more;
        info.frag_data = payload;
        return info;
    }
    if (protocol != kProtoUdp) {
        info.kind = Kind::not_udp;
        return info;
    }
    // A UDP header cut by the snap length is a capture limit, not a malformed datagram.
    if (cut && payload.size() < 8) return with_issue(FrameIssue::ip_truncated);
    parse_udp(payload, info);
    return info;
}

FrameInfo parse_ipv6(Bytes packet) noexcept {
    Reader r(packet);
    auto word = r.be32();
    std::size_t payload_len = r.be16();
    std::uint8_t next = r.u8();
    r.skip(1);  // hop limit
    auto src = r.bytes(16);
    auto dst = r.bytes(16);
    if (r.failed()) return with_issue(FrameIssue::ip_truncated);
    if ((word >> 28U) != 6) return with_issue(FrameIssue::ip_invalid);

    FrameInfo info;
    info.src = wire::IpAddress::v6(src.first<16>());
    info.dst = wire::IpAddress::v6(dst.first<16>());
    bool cut = payload_len > r.remaining();
    Reader body = r.sub(std::min(payload_len, r.remaining()));

    bool fragment = false;
    for (int hops = 0; hops < 16; ++hops) {
        switch (next) {
        case 0:     // hop-by-hop options
        case 43:    // routing
        case 60: {  // destination options
            auto n = body.u8();
            std::size_t len = (static_cast<std::size_t>(body.u8()) + 1U) * 8U;
            body.skip(len - 2);
            if (body.failed()) return with_issue(FrameIssue::ip_truncated);
            next = n;
            continue;
        }
        case 51: {  // authentication header
            auto n = body.u8();
            std::size_t len = (static_cast<std::size_t>(body.u8()) + 2U) * 4U;
            body.skip(len - 2);
            if (body.failed()) return with_issue(FrameIssue::ip_truncated);
            next = n;
            continue;
        }
        case 44: {  // fragment
            auto n = body.u8();
            body.skip(1);
            auto off_flags = body.be16();
            auto id = body.be32();
            if (body.failed()) return with_issue(FrameIssue::ip_truncated);
            info.frag_offset = (off_flags & 0xfff8U);
            info.frag_more = (off_flags & 1U) != 0;
            info.frag_id = id;
            fragment = info.frag_offset != 0 || info.frag_more;
            next = n;
            // RFC 8200 §4.5: the rest is a slice of the fragmentable part, whose first header
            // `n` names in every fragment; nothing after it is to be walked before reassembly.
            if (fragment) break;
            continue;
        }
        default: break;
        }
        break;
    }
    info.protocol = next;
    if (next != kProtoUdp) {
        info.kind = Kind::not_udp;
        return info;
    }
    if (fragment) {
        if (cut) return with_issue(FrameIssue::ip_truncated);
        info.kind = Kind::fragment;
        info.frag_data = body.rest();
        return info;
    }
    // A UDP header cut by the snap length is a capture limit, not a malformed datagram.
    if (cut && body.remaining() < 8) return with_issue(FrameIssue::ip_truncated);
    parse_udp(body.rest(), info);
    return info;
}

// The header after the link layer is told by its first nibble (raw IP link types).
FrameInfo parse_ip_by_version(Bytes packet) noexcept {
    if (packet.empty()) return with_issue(FrameIssue::link_truncated);
    auto version = static_cast<unsigned>(packet[0]) >> 4U;
    if (version == 4) return parse_ipv4(packet);
    if (version == 6) return parse_ipv6(packet);
    return with_issue(FrameIssue::ip_invalid);
}

FrameInfo parse_ethertype(std::uint16_t type, Bytes rest) noexcept {
    if (type == kEtherIpv4) return parse_ipv4(rest);
    if (type == kEtherIpv6) return parse_ipv6(rest);
    FrameInfo info;
    info.kind = Kind::not_ip;
    return info;
}

FrameInfo parse_ethernet(Bytes frame) noexcept {
    Reader r(frame);
    r.skip(12);  // destination and source MAC
    auto type = r.be16();
    // 802.1Q, 802.1ad and the old QinQ tag: any depth, each a 4-byte tag.
    for (int tags = 0; tags < 8 && (type == 0x8100 || type == 0x88a8 || type == 0x9100); ++tags) {
        r.skip(2);
        type = r.be16();
    }
    if (r.failed()) return with_issue(FrameIssue::link_truncated);
    return parse_ethertype(type, r.rest());
}

FrameInfo parse_bsd_loopback(Bytes frame, bool network_order) noexcept {
    Reader r(frame);
    auto family = r.be32();
    if (r.failed()) return with_issue(FrameIssue::link_truncated);
    if (!network_order) family = __builtin_bswap32(family);
    // DLT_NULL is in the capturing host's byte order; accept either.
    std::uint32_t swapped = __builtin_bswap32(family);
    auto is = [&](std::uint32_t af) { return family == af || swapped == af; };
    if (is(2)) return parse_ipv4(r.rest());
    if (is(24) || is(28) || is(30)) return parse_ipv6(r.rest());
    FrameInfo info;
    info.kind = Kind::not_ip;
    return info;
}

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

FrameInfo parse_frame(int dlt, Bytes frame) noexcept {
    switch (dlt) {
    case DLT_EN10MB: return parse_ethernet(frame);
    case DLT_LINUX_SLL: {
        if (frame.size() < 16) return with_issue(FrameIssue::link_truncated);
        return parse_ethertype(wire::load_be16(frame.data() + 14), frame.subspan(16));
    }
    case DLT_LINUX_SLL2: {
        if (frame.size() < 20) return with_issue(FrameIssue::link_truncated);
        return parse_ethertype(wire::load_be16(frame.data()), frame.subspan(20));
    }
    case DLT_RAW:
    case DLT_IPV4:
    case DLT_IPV6: return parse_ip_by_version(frame);
    case DLT_NULL: return parse_bsd_loopback(frame, false);
    case DLT_LOOP: return parse_bsd_loopback(frame, true);
    default: return with_issue(FrameIssue::unsupported_link);
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
    }
    return "unknown";
}

}  // namespace nfpcap::capture
