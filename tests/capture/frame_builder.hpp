// SPDX-License-Identifier: MIT
// Fluent builder of captured frames, inner layer first, so each edge case is one line of a test:
//   Frame::payload("hi").udp(4739, 2055).ipv4("192.0.2.1", "192.0.2.2").ethernet({{0x8100, 10}})
#pragma once
#include <arpa/inet.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "nfpcap/wire/address.hpp"
#include "nfpcap/wire/reader.hpp"

namespace nfpcap::test {

using ByteVec = std::vector<std::byte>;

/// Bytes [begin, end) of `v`, e.g. one fragment's share of a datagram.
inline ByteVec slice(const ByteVec& v, std::size_t begin, std::size_t end) {
    return {v.begin() + static_cast<std::ptrdiff_t>(begin), v.begin() + static_cast<std::ptrdiff_t>(end)};
}

inline ByteVec text_bytes(std::string_view text) {
    ByteVec out;
    for (char c : text) out.push_back(static_cast<std::byte>(c));
    return out;
}

inline std::string as_text(wire::Bytes b) {
    std::string out;
    for (std::byte c : b) out.push_back(static_cast<char>(c));
    return out;
}

inline wire::IpAddress ip(const std::string& text) { return wire::IpAddress::parse(text); }

/// IPv4 header choices beyond the addresses; defaults give a plain unfragmented packet.
struct Ip4 {
    std::uint16_t id_ = 0x1234;
    std::uint32_t offset_ = 0;  // bytes, a multiple of 8
    bool more_ = false;
    std::size_t option_words_ = 0;
    std::optional<std::uint8_t> ihl_, version_, protocol_;
    std::optional<std::uint16_t> total_length_;

    Ip4& id(std::uint16_t v) {
        id_ = v;
        return *this;
    }
    Ip4& fragment(std::uint32_t offset_bytes, bool more) {
        offset_ = offset_bytes;
        more_ = more;
        return *this;
    }
    /// Adds `words` 4-byte words of NOP options (IHL grows).
    Ip4& options(std::size_t words) {
        option_words_ = words;
        return *this;
    }
    /// Raw IHL field, in 4-byte words, whatever the header really holds.
    Ip4& ihl(std::uint8_t v) {
        ihl_ = v;
        return *this;
    }
    Ip4& version(std::uint8_t v) {
        version_ = v;
        return *this;
    }
    Ip4& protocol(std::uint8_t v) {
        protocol_ = v;
        return *this;
    }
    Ip4& total_length(std::uint16_t v) {
        total_length_ = v;
        return *this;
    }
};

/// IPv6 header choices beyond the addresses.
struct Ip6 {
    std::optional<std::uint8_t> version_, next_;
    std::optional<std::uint16_t> payload_length_;

    Ip6& version(std::uint8_t v) {
        version_ = v;
        return *this;
    }
    Ip6& next(std::uint8_t v) {
        next_ = v;
        return *this;
    }
    Ip6& payload_length(std::uint16_t v) {
        payload_length_ = v;
        return *this;
    }
};

/// A VLAN tag: TPID (0x8100 802.1Q, 0x88a8 802.1ad, 0x9100 old QinQ) and VLAN ID.
struct Tag {
    std::uint16_t tpid;
    std::uint16_t vid;
};

/// Address families of the BSD loopback header (DLT_NULL / DLT_LOOP).
inline constexpr std::uint32_t kAfInet = 2;
inline constexpr std::uint32_t kAfInet6Bsd = 24;
inline constexpr std::uint32_t kAfInet6FreeBsd = 28;
inline constexpr std::uint32_t kAfInet6Darwin = 30;

inline constexpr std::uint8_t kProtoIcmp = 1;
inline constexpr std::uint8_t kProtoTcp = 6;
inline constexpr std::uint8_t kProtoUdp = 17;

/// A frame under construction: each call wraps what is there in one more (outer) layer.
class Frame {
public:
    /// Application bytes, to be wrapped in UDP (or anything else).
    static Frame payload(std::string_view text) { return of(text_bytes(text)); }
    /// Bytes that an outer IP header announces as `protocol`.
    static Frame of(ByteVec bytes, std::uint8_t protocol = 0) {
        Frame f;
        f.buf_ = std::move(bytes);
        f.proto_ = protocol;
        return f;
    }
    /// A minimal TCP header (SYN) from `sport` to `dport`.
    static Frame tcp(std::uint16_t sport, std::uint16_t dport) {
        Frame f;
        f.put16(sport).put16(dport).put32(1).put32(0).put8(0x50).put8(0x02).put16(0xffff).put16(0).put16(0);
        f.proto_ = kProtoTcp;
        return f;
    }
    /// A TCP segment (20-byte header, checksum left 0) carrying `data`.
    static Frame tcp_segment(std::uint16_t sport, std::uint16_t dport, std::uint32_t seq, std::uint8_t flags,
                             const ByteVec& data = {}) {
        Frame f;
        f.put16(sport).put16(dport).put32(seq).put32(0).put8(0x50).put8(flags).put16(0xffff).put16(0).put16(0);
        f.put(data);
        f.proto_ = kProtoTcp;
        return f;
    }
    /// An ICMP echo request.
    static Frame icmp_echo() {
        Frame f;
        f.put8(8).put8(0).put16(0).put16(1).put16(1);
        f.proto_ = kProtoIcmp;
        return f;
    }
    /// An ARP request (Ethernet/IPv4), EtherType 0x0806.
    static Frame arp() {
        Frame f;
        f.put16(1).put16(0x0800).put8(6).put8(4).put16(1);
        f.mac(0x11).put32(0xc0000201).mac(0).put32(0xc0000202);
        f.ethertype_ = 0x0806;
        return f;
    }

    /// UDP header; its length covers the current bytes and its checksum is computed by the IP
    /// layer wrapped next (unless set with udp_checksum).
    Frame& udp(std::uint16_t sport, std::uint16_t dport) {
        Frame h;
        h.put16(sport).put16(dport).put16(static_cast<std::uint16_t>(buf_.size() + 8)).put16(0);
        prepend(h);
        proto_ = kProtoUdp;
        udp_len_ = buf_.size();
        checksum_pending_ = true;
        return *this;
    }
    /// Overrides the length field of the UDP header just added.
    Frame& udp_length(std::uint16_t v) { return patch16(4, v); }
    /// Sets the UDP checksum of the header just added (no longer computed).
    Frame& udp_checksum(std::uint16_t v) {
        checksum_pending_ = false;
        return patch16(6, v);
    }

    /// IPv6 hop-by-hop (0), routing (43) or destination options (60) header of
    /// (`len_units` + 1) * 8 bytes, padded with PadN.
    Frame& ipv6_ext(std::uint8_t type, std::uint8_t len_units = 0) {
        Frame h;
        h.put8(proto_).put8(len_units);
        std::size_t pad = (len_units + 1U) * 8U - 2U;
        h.put8(1).put8(static_cast<std::uint8_t>(pad - 2));  // PadN covering the rest
        for (std::size_t i = 2; i < pad; ++i) h.put8(0);
        prepend(h);
        proto_ = type;
        return *this;
    }
    /// IPv6 fragment header (RFC 8200 §4.5); `offset` in bytes, a multiple of 8.
    Frame& ipv6_frag(std::uint32_t offset, bool more, std::uint32_t id) {
        Frame h;
        h.put8(proto_).put8(0).put16(static_cast<std::uint16_t>((offset & 0xfff8U) | (more ? 1U : 0U))).put32(id);
        prepend(h);
        proto_ = 44;
        return *this;
    }

    Frame& ipv4(const std::string& src, const std::string& dst, const Ip4& o = Ip4{}) {
        auto s = addr(AF_INET, src);
        auto d = addr(AF_INET, dst);
        std::uint8_t protocol = o.protocol_.value_or(proto_);
        if (checksum_pending_) fill_udp_checksum(s, d, protocol);
        std::size_t header_len = 20 + o.option_words_ * 4;
        Frame h;
        std::uint8_t ihl = o.ihl_.value_or(static_cast<std::uint8_t>(header_len / 4));
        h.put8(static_cast<std::uint8_t>((static_cast<unsigned>(o.version_.value_or(4)) << 4U) | (ihl & 0x0fU)))
            .put8(0);
        h.put16(o.total_length_.value_or(static_cast<std::uint16_t>(header_len + buf_.size())));
        h.put16(o.id_).put16(static_cast<std::uint16_t>((o.more_ ? 0x2000U : 0U) | (o.offset_ / 8U)));
        h.put8(64).put8(protocol).put16(0);
        h.put(s).put(d);
        for (std::size_t i = 0; i < o.option_words_ * 4; ++i) h.put8(1);  // NOP
        h.patch16(10, checksum(h.buf_, 0));
        prepend(h);
        ethertype_ = 0x0800;
        af_ = kAfInet;
        proto_ = 4;  // what an outer IP header wrapped next announces (IP in IP)
        return *this;
    }

    Frame& ipv6(const std::string& src, const std::string& dst, const Ip6& o = Ip6{}) {
        auto s = addr(AF_INET6, src);
        auto d = addr(AF_INET6, dst);
        if (checksum_pending_) fill_udp_checksum(s, d, kProtoUdp);
        Frame h;
        h.put32(static_cast<std::uint32_t>(o.version_.value_or(6)) << 28U);
        h.put16(o.payload_length_.value_or(static_cast<std::uint16_t>(buf_.size())));
        h.put8(o.next_.value_or(proto_)).put8(64);
        h.put(s).put(d);
        prepend(h);
        ethertype_ = 0x86dd;
        af_ = kAfInet6Bsd;
        proto_ = 41;
        return *this;
    }

    /// GRE (RFC 2784 / 2890) announcing `protocol` (an EtherType), with the optional fields.
    Frame& gre(std::uint16_t protocol, bool checksum = false, std::optional<std::uint32_t> key = {},
               std::optional<std::uint32_t> sequence = {}) {
        Frame h;
        std::uint16_t flags =
            static_cast<std::uint16_t>((checksum ? 0x8000U : 0U) | (key ? 0x2000U : 0U) | (sequence ? 0x1000U : 0U));
        h.put16(flags).put16(protocol);
        if (checksum) h.put16(0).put16(0);
        if (key) h.put32(*key);
        if (sequence) h.put32(*sequence);
        prepend(h);
        proto_ = 47;
        return *this;
    }
    /// GRE header fields as raw flags/version (for the unsupported variants).
    Frame& gre_raw(std::uint16_t flags_version, std::uint16_t protocol) {
        Frame h;
        h.put16(flags_version).put16(protocol);
        prepend(h);
        proto_ = 47;
        return *this;
    }
    /// ERSPAN type II header (version 1); wrap in .gre(0x88be, false, {}, seq) next.
    Frame& erspan2(std::uint16_t session, std::uint8_t version = 1) {
        Frame h;
        h.put16(static_cast<std::uint16_t>(version << 12U)).put16(session & 0x3ffU).put32(0);
        prepend(h);
        return *this;
    }
    /// ERSPAN type III header (version 2), frame type `ft` (0 Ethernet, 2 IP), with the
    /// optional 8-byte platform subheader; wrap in .gre(0x22eb, ...) next.
    Frame& erspan3(std::uint8_t ft, bool subheader = false) {
        Frame h;
        h.put16(2U << 12U).put16(1).put32(0x01020304).put16(0);
        h.put16(static_cast<std::uint16_t>((static_cast<unsigned>(ft & 0x1fU) << 10U) | (subheader ? 1U : 0U)));
        if (subheader) h.put32(0).put32(0);
        prepend(h);
        return *this;
    }
    /// An MPLS label stack, outermost first, bottom of stack set on the last; EtherType 0x8847.
    Frame& mpls(std::initializer_list<std::uint32_t> labels) {
        Frame h;
        std::size_t i = 0;
        for (std::uint32_t label : labels) {
            bool bottom = ++i == labels.size();
            h.put32((label << 12U) | (bottom ? 0x100U : 0U) | 64U);
        }
        prepend(h);
        ethertype_ = 0x8847;
        return *this;
    }
    /// An MPLS Ethernet pseudowire control word (RFC 4448), before the label stack.
    Frame& pw_control_word() {
        Frame h;
        h.put32(0);
        prepend(h);
        return *this;
    }
    /// VXLAN header (RFC 7348, I flag); wrap in .udp(x, 4789) next.
    Frame& vxlan(std::uint32_t vni, std::uint8_t flags = 0x08) {
        Frame h;
        h.put8(flags).put8(0).put16(0).put32(vni << 8U);
        prepend(h);
        return *this;
    }
    /// PPPoE session header and the PPP protocol field (0x0021 IPv4, 0x0057 IPv6); EtherType 0x8864.
    Frame& pppoe(std::uint16_t ppp_protocol) {
        Frame h;
        h.put8(0x11).put8(0).put16(0x0042).put16(static_cast<std::uint16_t>(buf_.size() + 2)).put16(ppp_protocol);
        prepend(h);
        ethertype_ = 0x8864;
        return *this;
    }

    /// Sets the EtherType / protocol the next link layer announces.
    Frame& ethertype(std::uint16_t v) {
        ethertype_ = v;
        return *this;
    }

    /// Ethernet II with the given VLAN tags, outermost first.
    Frame& ethernet(std::initializer_list<Tag> tags = {}) {
        Frame h;
        h.mac(0x22).mac(0x11);
        for (const Tag& t : tags) h.put16(t.tpid).put16(t.vid);
        h.put16(ethertype_);
        prepend(h);
        return *this;
    }
    /// Linux cooked capture v1 (DLT_LINUX_SLL), 16 bytes.
    Frame& sll() {
        Frame h;
        h.put16(0).put16(1).put16(6).mac(0x11).put16(0).put16(ethertype_);
        prepend(h);
        return *this;
    }
    /// Linux cooked capture v2 (DLT_LINUX_SLL2), 20 bytes.
    Frame& sll2() {
        Frame h;
        h.put16(ethertype_).put16(0).put32(3).put16(1).put8(0).put8(6).mac(0x11).put16(0);
        prepend(h);
        return *this;
    }
    /// BSD loopback header: family as a 32-bit value, little- or big-endian.
    Frame& loopback(std::uint32_t family, bool big_endian) {
        Frame h;
        if (big_endian) {
            h.put32(family);
        } else {
            h.put32(__builtin_bswap32(family));
        }
        prepend(h);
        return *this;
    }
    /// Family of the IP layer wrapped last (AF_INET, or the BSD AF_INET6 value 24).
    [[nodiscard]] std::uint32_t family() const noexcept { return af_; }

    /// Appends `n` zero bytes (Ethernet padding, trailers).
    Frame& pad(std::size_t n) {
        buf_.insert(buf_.end(), n, std::byte{0});
        return *this;
    }
    /// Keeps only the first `n` bytes, as a snap length would.
    Frame& cut(std::size_t n) {
        if (n < buf_.size()) buf_.resize(n);
        return *this;
    }

    [[nodiscard]] const ByteVec& bytes() const noexcept { return buf_; }
    [[nodiscard]] wire::Bytes view() const noexcept { return buf_; }
    [[nodiscard]] std::size_t size() const noexcept { return buf_.size(); }

private:
    Frame& put8(std::uint8_t v) {
        buf_.push_back(static_cast<std::byte>(v));
        return *this;
    }
    Frame& put16(std::uint16_t v) {
        return put8(static_cast<std::uint8_t>(v >> 8U)).put8(static_cast<std::uint8_t>(v));
    }
    Frame& put32(std::uint32_t v) {
        return put16(static_cast<std::uint16_t>(v >> 16U)).put16(static_cast<std::uint16_t>(v));
    }
    Frame& put(const ByteVec& v) {
        buf_.insert(buf_.end(), v.begin(), v.end());
        return *this;
    }
    Frame& mac(std::uint8_t last) { return put32(0x02000000).put8(0).put8(last); }
    Frame& patch16(std::size_t at, std::uint16_t v) {
        buf_.at(at) = static_cast<std::byte>(v >> 8U);
        buf_.at(at + 1) = static_cast<std::byte>(v & 0xffU);
        return *this;
    }
    void prepend(const Frame& header) { buf_.insert(buf_.begin(), header.buf_.begin(), header.buf_.end()); }

    static ByteVec addr(int family, const std::string& text) {
        ByteVec out(family == AF_INET ? 4 : 16);
        if (inet_pton(family, text.c_str(), out.data()) != 1) throw std::invalid_argument("bad address " + text);
        return out;
    }

    // RFC 1071 one's-complement sum, starting from `sum`.
    static std::uint16_t checksum(const ByteVec& data, std::uint32_t sum) {
        for (std::size_t i = 0; i < data.size(); i += 2) {
            std::uint32_t hi = static_cast<std::uint32_t>(data[i]) << 8U;
            std::uint32_t lo = i + 1 < data.size() ? static_cast<std::uint32_t>(data[i + 1]) : 0U;
            sum += hi | lo;
        }
        while ((sum >> 16U) != 0) sum = (sum & 0xffffU) + (sum >> 16U);
        return static_cast<std::uint16_t>(~sum & 0xffffU);
    }

    // RFC 768 / RFC 8200 §8.1: the UDP datagram sits at the end of the buffer.
    void fill_udp_checksum(const ByteVec& src, const ByteVec& dst, std::uint8_t protocol) {
        checksum_pending_ = false;
        ByteVec pseudo = src;
        pseudo.insert(pseudo.end(), dst.begin(), dst.end());
        auto len = static_cast<std::uint32_t>(udp_len_);
        for (int shift = 24; shift >= 0; shift -= 8) pseudo.push_back(static_cast<std::byte>((len >> shift) & 0xffU));
        pseudo.push_back(std::byte{0});
        pseudo.push_back(std::byte{0});
        pseudo.push_back(std::byte{0});
        pseudo.push_back(static_cast<std::byte>(protocol));
        std::uint32_t sum = 0;
        for (std::size_t i = 0; i < pseudo.size(); i += 2) {
            sum += (static_cast<std::uint32_t>(pseudo[i]) << 8U) | static_cast<std::uint32_t>(pseudo[i + 1]);
        }
        ByteVec udp_bytes = slice(buf_, buf_.size() - udp_len_, buf_.size());
        std::uint16_t c = checksum(udp_bytes, sum);
        patch16(buf_.size() - udp_len_ + 6, c == 0 ? 0xffff : c);
    }

    ByteVec buf_;
    std::uint8_t proto_ = 0;
    std::uint16_t ethertype_ = 0;
    std::uint32_t af_ = 0;
    std::size_t udp_len_ = 0;
    bool checksum_pending_ = false;
};

/// One fragment of `datagram` (a UDP header and payload), bytes [begin, end), as a raw IPv4 packet.
inline Frame ipv4_fragment(const ByteVec& datagram, std::size_t begin, std::size_t end, std::uint16_t id,
                           const std::string& src = "192.0.2.1", const std::string& dst = "192.0.2.2") {
    bool more = end < datagram.size();
    return Frame::of(slice(datagram, begin, end), kProtoUdp)
        .ipv4(src, dst, Ip4().id(id).fragment(static_cast<std::uint32_t>(begin), more));
}

/// The same as an IPv6 packet with a fragment header.
inline Frame ipv6_fragment(const ByteVec& datagram, std::size_t begin, std::size_t end, std::uint32_t id,
                           const std::string& src = "2001:db8::1", const std::string& dst = "2001:db8::2") {
    bool more = end < datagram.size();
    return Frame::of(slice(datagram, begin, end), kProtoUdp)
        .ipv6_frag(static_cast<std::uint32_t>(begin), more, id)
        .ipv6(src, dst);
}

}  // namespace nfpcap::test
