// SPDX-License-Identifier: MIT
// Encapsulations, IPv6 extension headers and TCP in frame parsing, frames built byte by byte.
#include <doctest/doctest.h>
#include <pcap/dlt.h>

#include <set>
#include <string>

#include "frame_builder.hpp"
#include "nfpcap/capture/frame.hpp"

using nfpcap::capture::Encapsulation;
using nfpcap::capture::FrameInfo;
using nfpcap::capture::FrameIssue;
using nfpcap::capture::parse_frame;
using nfpcap::capture::ParseOptions;
using nfpcap::test::Frame;
using nfpcap::test::ip;
using nfpcap::test::text_bytes;
using Kind = FrameInfo::Kind;
namespace tcp_flag = nfpcap::capture::tcp_flag;

namespace {

// The innermost datagram: 192.0.2.1:4739 -> 192.0.2.2:2055 "netflow!" (or its IPv6 twin).
Frame inner4() { return Frame::payload("netflow!").udp(4739, 2055).ipv4("192.0.2.1", "192.0.2.2"); }
Frame inner6() { return Frame::payload("netflow!").udp(4739, 2055).ipv6("2001:db8::1", "2001:db8::2"); }

void check_inner(const FrameInfo& info, bool v6 = false) {
    REQUIRE(info.kind == Kind::udp);
    CHECK(info.src == ip(v6 ? "2001:db8::1" : "192.0.2.1"));
    CHECK(info.dst == ip(v6 ? "2001:db8::2" : "192.0.2.2"));
    CHECK(info.src_port == 4739);
    CHECK(info.dst_port == 2055);
    CHECK(nfpcap::test::as_text(info.udp_payload) == "netflow!");
    CHECK(info.udp_length == 8);
}

void check_issue(const FrameInfo& info, FrameIssue expected) {
    CHECK(info.kind == Kind::issue);
    CHECK(name(info.issue) == name(expected));
}

unsigned bit(Encapsulation e) { return 1U << static_cast<unsigned>(e); }

}  // namespace

TEST_SUITE("capture.tunnels") {

TEST_CASE("GRE carrying IPv4 and IPv6, with checksum, key and sequence number") {
    for (bool checksum : {false, true}) {
        for (bool key : {false, true}) {
            for (bool seq : {false, true}) {
                CAPTURE(checksum);
                CAPTURE(key);
                CAPTURE(seq);
                std::optional<std::uint32_t> k = key ? std::optional<std::uint32_t>(7) : std::nullopt;
                std::optional<std::uint32_t> s = seq ? std::optional<std::uint32_t>(99) : std::nullopt;
                auto f = inner4().gre(0x0800, checksum, k, s).ipv4("10.0.0.1", "10.0.0.2").ethernet();
                auto info = parse_frame(DLT_EN10MB, f.view());
                check_inner(info);
                CHECK(info.encapsulations == bit(Encapsulation::gre));
                CHECK(info.depth == 1);
                auto g = inner6().gre(0x86dd, checksum, k, s).ipv6("fd00::1", "fd00::2").ethernet();
                check_inner(parse_frame(DLT_EN10MB, g.view()), true);
            }
        }
    }
}

TEST_CASE("GRE transparent Ethernet bridging, PPP, MPLS") {
    SUBCASE("0x6558: an Ethernet frame, VLAN-tagged") {
        auto f = inner4().ethernet({{0x8100, 5}}).gre(0x6558).ipv4("10.0.0.1", "10.0.0.2").ethernet();
        auto info = parse_frame(DLT_EN10MB, f.view());
        check_inner(info);
        CHECK(info.encapsulations == (bit(Encapsulation::gre) | bit(Encapsulation::vlan)));
    }
    SUBCASE("0x880b: PPP with and without address/control, protocol compressed or not") {
        using Prefix = std::vector<std::uint8_t>;
        for (const Prefix& prefix :
             {Prefix{0xff, 0x03, 0x00, 0x21}, Prefix{0x00, 0x21}, Prefix{0x21}, Prefix{0xff, 0x03, 0x21}}) {
            CAPTURE(prefix.size());
            nfpcap::test::ByteVec body;
            for (auto b : prefix) body.push_back(static_cast<std::byte>(b));
            auto inner = inner4().bytes();
            body.insert(body.end(), inner.begin(), inner.end());
            auto f = Frame::of(body).gre(0x880b).ipv4("10.0.0.1", "10.0.0.2").ethernet();
            check_inner(parse_frame(DLT_EN10MB, f.view()));
        }
    }
    SUBCASE("MPLS in GRE") {
        auto f = inner4().mpls({16, 17}).gre(0x8847).ipv4("10.0.0.1", "10.0.0.2").ethernet();
        auto info = parse_frame(DLT_EN10MB, f.view());
        check_inner(info);
        CHECK(info.encapsulations == (bit(Encapsulation::gre) | bit(Encapsulation::mpls)));
        CHECK(info.depth == 2);
    }
}

TEST_CASE("GRE that nfpcap does not unwrap") {
    SUBCASE("version 1 (PPTP)") {
        auto f = inner4().gre_raw(0x2001, 0x880b).ipv4("10.0.0.1", "10.0.0.2").ethernet();
        check_issue(parse_frame(DLT_EN10MB, f.view()), FrameIssue::tunnel_unsupported);
    }
    SUBCASE("RFC 1701 source routing") {
        auto f = inner4().gre_raw(0x4000, 0x0800).ipv4("10.0.0.1", "10.0.0.2").ethernet();
        check_issue(parse_frame(DLT_EN10MB, f.view()), FrameIssue::tunnel_unsupported);
    }
    SUBCASE("an unknown protocol type") {
        auto f = inner4().gre(0x1234).ipv4("10.0.0.1", "10.0.0.2").ethernet();
        check_issue(parse_frame(DLT_EN10MB, f.view()), FrameIssue::tunnel_unsupported);
    }
    SUBCASE("a GRE header cut short") {
        auto f = Frame::of(text_bytes("\x20"), 47).ipv4("10.0.0.1", "10.0.0.2").ethernet();
        check_issue(parse_frame(DLT_EN10MB, f.view()), FrameIssue::ip_truncated);
    }
}

TEST_CASE("ERSPAN type I, II and III") {
    SUBCASE("type II") {
        auto f = inner4().ethernet().erspan2(3).gre(0x88be, false, {}, 1).ipv4("10.0.0.1", "10.0.0.2").ethernet();
        auto info = parse_frame(DLT_EN10MB, f.view());
        check_inner(info);
        CHECK(info.encapsulations == (bit(Encapsulation::gre) | bit(Encapsulation::erspan)));
    }
    SUBCASE("type I: no ERSPAN header, no GRE sequence number") {
        auto f = inner4().ethernet().gre(0x88be).ipv4("10.0.0.1", "10.0.0.2").ethernet();
        check_inner(parse_frame(DLT_EN10MB, f.view()));
    }
    SUBCASE("type II with an unknown version") {
        auto f = inner4().ethernet().erspan2(3, 0).gre(0x88be, false, {}, 1).ipv4("10.0.0.1", "10.0.0.2").ethernet();
        check_issue(parse_frame(DLT_EN10MB, f.view()), FrameIssue::tunnel_unsupported);
    }
    SUBCASE("type III, Ethernet, with and without the platform subheader") {
        for (bool sub : {false, true}) {
            CAPTURE(sub);
            auto f =
                inner6().ethernet().erspan3(0, sub).gre(0x22eb, false, {}, 1).ipv4("10.0.0.1", "10.0.0.2").ethernet();
            check_inner(parse_frame(DLT_EN10MB, f.view()), true);
        }
    }
    SUBCASE("type III carrying an IP packet (frame type 2)") {
        auto f = inner4().erspan3(2).gre(0x22eb, false, {}, 1).ipv4("10.0.0.1", "10.0.0.2").ethernet();
        check_inner(parse_frame(DLT_EN10MB, f.view()));
    }
    SUBCASE("type III with a reserved frame type") {
        auto f = inner4().erspan3(5).gre(0x22eb, false, {}, 1).ipv4("10.0.0.1", "10.0.0.2").ethernet();
        check_issue(parse_frame(DLT_EN10MB, f.view()), FrameIssue::tunnel_unsupported);
    }
}

TEST_CASE("MPLS label stacks over Ethernet") {
    SUBCASE("one to three labels, IPv4 and IPv6 by version") {
        check_inner(parse_frame(DLT_EN10MB, inner4().mpls({100}).ethernet().view()));
        check_inner(parse_frame(DLT_EN10MB, inner6().mpls({100, 200, 300}).ethernet().view()), true);
        auto f = inner4().mpls({1, 2}).ethernet();
        auto info = parse_frame(DLT_EN10MB, f.view());
        CHECK(info.has(Encapsulation::mpls));
    }
    SUBCASE("multicast EtherType 0x8848") {
        check_inner(parse_frame(DLT_EN10MB, inner4().mpls({100}).ethertype(0x8848).ethernet().view()));
    }
    SUBCASE("an Ethernet pseudowire with its control word") {
        auto f = inner4().ethernet().pw_control_word().mpls({100, 200}).ethernet();
        check_inner(parse_frame(DLT_EN10MB, f.view()));
    }
    SUBCASE("a stack without bottom within 16 labels") {
        Frame f = inner4();
        for (int i = 0; i < 17; ++i) {
            f = Frame::of([&] {
                auto b = f.bytes();
                std::uint8_t label[4] = {0, 0x10, 0, 64};  // no bottom-of-stack bit
                b.insert(b.begin(), reinterpret_cast<std::byte*>(label), reinterpret_cast<std::byte*>(label) + 4);
                return b;
            }());
        }
        check_issue(parse_frame(DLT_EN10MB, f.ethertype(0x8847).ethernet().view()), FrameIssue::tunnel_too_deep);
    }
    SUBCASE("cut inside the stack") {
        auto f = inner4().mpls({1, 2}).ethernet().cut(14 + 6);
        check_issue(parse_frame(DLT_EN10MB, f.view()), FrameIssue::link_truncated);
    }
}

TEST_CASE("VXLAN on UDP 4789 carries Ethernet") {
    SUBCASE("IPv4 outside, IPv4 inside") {
        auto f = inner4().ethernet().vxlan(42).udp(50000, 4789).ipv4("10.0.0.1", "10.0.0.2").ethernet();
        auto info = parse_frame(DLT_EN10MB, f.view());
        check_inner(info);
        CHECK(info.encapsulations == bit(Encapsulation::vxlan));
    }
    SUBCASE("IPv6 outside, 802.1Q and IPv6 inside") {
        auto f = inner6().ethernet({{0x8100, 9}}).vxlan(42).udp(50000, 4789).ipv6("fd00::1", "fd00::2").ethernet();
        check_inner(parse_frame(DLT_EN10MB, f.view()), true);
    }
    SUBCASE("without the I flag it is an ordinary datagram to port 4789") {
        auto f = inner4().ethernet().vxlan(42, 0).udp(50000, 4789).ipv4("10.0.0.1", "10.0.0.2").ethernet();
        auto info = parse_frame(DLT_EN10MB, f.view());
        REQUIRE(info.kind == Kind::udp);
        CHECK(info.dst_port == 4789);
        CHECK(info.encapsulations == 0);
    }
    SUBCASE("another port when told, none when 0") {
        auto f = inner4().ethernet().vxlan(42).udp(50000, 8472).ipv4("10.0.0.1", "10.0.0.2").ethernet();
        CHECK(parse_frame(DLT_EN10MB, f.view()).dst_port == 8472);
        ParseOptions o;
        o.vxlan_port = 8472;
        check_inner(parse_frame(DLT_EN10MB, f.view(), o));
        o.vxlan_port = 0;
        auto g = inner4().ethernet().vxlan(42).udp(50000, 4789).ipv4("10.0.0.1", "10.0.0.2").ethernet();
        CHECK(parse_frame(DLT_EN10MB, g.view(), o).dst_port == 4789);
    }
}

TEST_CASE("IP in IP: 4in4, 6in4, 6in6, 4in6") {
    struct Case {
        Frame frame;
        bool v6;
    };
    for (Case c :
         {Case{inner4().ipv4("10.0.0.1", "10.0.0.2"), false}, Case{inner6().ipv4("10.0.0.1", "10.0.0.2"), true},
          Case{inner6().ipv6("fd00::1", "fd00::2"), true}, Case{inner4().ipv6("fd00::1", "fd00::2"), false}}) {
        auto info = parse_frame(DLT_EN10MB, c.frame.ethernet().view());
        check_inner(info, c.v6);
        CHECK(info.encapsulations == bit(Encapsulation::ip_in_ip));
    }
}

TEST_CASE("PPPoE session carrying IPv4 and IPv6") {
    check_inner(parse_frame(DLT_EN10MB, inner4().pppoe(0x0021).ethernet().view()));
    check_inner(parse_frame(DLT_EN10MB, inner6().pppoe(0x0057).ethernet().view()), true);
    SUBCASE("Ethernet padding after the PPPoE length is not data") {
        // The frame outlives its parse: FrameInfo views its bytes.
        const Frame frame = inner4().pppoe(0x0021).ethernet().pad(20);
        auto info = parse_frame(DLT_EN10MB, frame.view());
        check_inner(info);
        CHECK(info.has(Encapsulation::pppoe));
    }
    SUBCASE("LCP is not IP") {
        CHECK(parse_frame(DLT_EN10MB, Frame::payload("lcp").pppoe(0xc021).ethernet().view()).kind == Kind::not_ip);
    }
    SUBCASE("PPPoE discovery (0x8863) is not IP") {
        CHECK(parse_frame(DLT_EN10MB, Frame::payload("padi").ethertype(0x8863).ethernet().view()).kind == Kind::not_ip);
    }
}

TEST_CASE("802.1Q inside Linux cooked captures") {
    auto tagged = [](Frame f) {
        // SLL/SLL2 protocol 0x8100, then TCI and the EtherType, as Ethernet has after a TPID.
        auto b = f.bytes();
        std::uint8_t tag[4] = {0x00, 0x07, 0x08, 0x00};
        b.insert(b.begin(), reinterpret_cast<std::byte*>(tag), reinterpret_cast<std::byte*>(tag) + 4);
        return Frame::of(b).ethertype(0x8100);
    };
    Frame frame = tagged(inner4());  // outlives its parse: FrameInfo views its bytes
    auto info = parse_frame(DLT_LINUX_SLL, frame.sll().view());
    check_inner(info);
    CHECK(info.has(Encapsulation::vlan));
    check_inner(parse_frame(DLT_LINUX_SLL2, tagged(inner4()).sll2().view()));
}

TEST_CASE("nesting is bounded") {
    Frame f = inner4();
    for (int i = 0; i < 9; ++i) f.gre(0x0800).ipv4("10.0.0.1", "10.0.0.2");
    auto info = parse_frame(DLT_RAW, f.view());
    check_issue(info, FrameIssue::tunnel_too_deep);
    ParseOptions deeper;
    deeper.max_tunnel_depth = 20;
    check_inner(parse_frame(DLT_RAW, f.view(), deeper));
    SUBCASE("nine VLAN tags") {
        check_issue(parse_frame(DLT_EN10MB, inner4()
                                                .ethernet({{0x8100, 1},
                                                           {0x8100, 1},
                                                           {0x8100, 1},
                                                           {0x8100, 1},
                                                           {0x8100, 1},
                                                           {0x8100, 1},
                                                           {0x8100, 1},
                                                           {0x8100, 1},
                                                           {0x8100, 1}})
                                                .view()),
                    FrameIssue::tunnel_too_deep);
    }
}

TEST_CASE("a tunnelled datagram cut by the snap length is truncated, through every layer") {
    auto big = Frame::payload(std::string(200, 'x')).udp(4739, 2055).ipv4("192.0.2.1", "192.0.2.2");
    for (auto f : {Frame(big).gre(0x0800).ipv4("10.0.0.1", "10.0.0.2").ethernet(),
                   Frame(big).ethernet().vxlan(1).udp(1, 4789).ipv4("10.0.0.1", "10.0.0.2").ethernet(),
                   Frame(big).mpls({5}).ethernet(), Frame(big).pppoe(0x0021).ethernet(),
                   Frame(big).ipv6("fd00::1", "fd00::2").ethernet()}) {
        auto info = parse_frame(DLT_EN10MB, f.cut(f.size() - 100).view());
        REQUIRE(info.kind == Kind::udp);
        CHECK(info.udp_length == 200);
        CHECK(info.udp_payload.size() == 100);
    }
}

TEST_CASE("IPv6 extension headers before UDP") {
    for (std::uint8_t type : {0, 60, 43}) {
        CAPTURE(type);
        check_inner(
            parse_frame(
                DLT_RAW,
                Frame::payload("netflow!").udp(4739, 2055).ipv6_ext(type, 1).ipv6("2001:db8::1", "2001:db8::2").view()),
            true);
    }
    SUBCASE("a chain: hop-by-hop, destination, routing, destination") {
        auto f = Frame::payload("netflow!")
                     .udp(4739, 2055)
                     .ipv6_ext(60)
                     .ipv6_ext(43, 2)
                     .ipv6_ext(60)
                     .ipv6_ext(0)
                     .ipv6("2001:db8::1", "2001:db8::2");
        check_inner(parse_frame(DLT_RAW, f.view()), true);
    }
    SUBCASE("more than 16 headers") {
        Frame f = Frame::payload("netflow!").udp(4739, 2055);
        for (int i = 0; i < 17; ++i) f.ipv6_ext(60);
        check_issue(parse_frame(DLT_RAW, f.ipv6("2001:db8::1", "2001:db8::2").view()), FrameIssue::ext_header_limit);
    }
    SUBCASE("a header cut short") {
        auto f = Frame::payload("netflow!").udp(4739, 2055).ipv6_ext(60, 3).ipv6("2001:db8::1", "2001:db8::2");
        check_issue(parse_frame(DLT_RAW, f.cut(40 + 10).view()), FrameIssue::ip_truncated);
    }
}

TEST_CASE("TCP segments") {
    ParseOptions tcp;
    tcp.tcp = true;
    auto seg = Frame::tcp_segment(40000, 4739, 0xfffffff0, tcp_flag::psh | tcp_flag::ack, text_bytes("ipfix bytes"));
    SUBCASE("ports, sequence number, flags, payload") {
        Frame frame(seg);  // outlives its parse: FrameInfo views its bytes
        auto info = parse_frame(DLT_EN10MB, frame.ipv4("192.0.2.1", "192.0.2.2").ethernet().pad(6).view(), tcp);
        REQUIRE(info.kind == Kind::tcp);
        CHECK(info.src_port == 40000);
        CHECK(info.dst_port == 4739);
        CHECK(info.tcp_seq == 0xfffffff0);
        CHECK(info.tcp_flags == (tcp_flag::psh | tcp_flag::ack));
        CHECK(nfpcap::test::as_text(info.tcp_payload) == "ipfix bytes");
        CHECK(info.tcp_length == 11);
    }
    SUBCASE("without the option TCP is not UDP") {
        CHECK(parse_frame(DLT_RAW, Frame(seg).ipv4("192.0.2.1", "192.0.2.2").view()).kind == Kind::not_udp);
    }
    SUBCASE("over IPv6 and in a tunnel") {
        auto info = parse_frame(
            DLT_RAW, Frame(seg).ipv6("2001:db8::1", "2001:db8::2").gre(0x86dd).ipv4("10.0.0.1", "10.0.0.2").view(),
            tcp);
        REQUIRE(info.kind == Kind::tcp);
        CHECK(info.src == ip("2001:db8::1"));
    }
    SUBCASE("cut by the snap length: the announced length stays") {
        auto info = parse_frame(DLT_RAW, Frame(seg).ipv4("192.0.2.1", "192.0.2.2").cut(20 + 20 + 4).view(), tcp);
        REQUIRE(info.kind == Kind::tcp);
        CHECK(info.tcp_payload.size() == 4);
        CHECK(info.tcp_length == 11);
    }
    SUBCASE("a header cut short, a bad data offset") {
        check_issue(parse_frame(DLT_RAW, Frame(seg).ipv4("192.0.2.1", "192.0.2.2").cut(30).view(), tcp),
                    FrameIssue::ip_truncated);
        auto bad = seg.bytes();
        bad[12] = std::byte{0x40};  // data offset 4 words
        check_issue(parse_frame(DLT_RAW, Frame::of(bad, 6).ipv4("192.0.2.1", "192.0.2.2").view(), tcp),
                    FrameIssue::tcp_invalid);
        bad[12] = std::byte{0xf0};  // 60 bytes of header in a 31-byte segment
        check_issue(parse_frame(DLT_RAW, Frame::of(bad, 6).ipv4("192.0.2.1", "192.0.2.2").view(), tcp),
                    FrameIssue::tcp_invalid);
    }
}

TEST_CASE("every encapsulation has a name and a description") {
    std::set<std::string> names;
    for (std::size_t i = 0; i < nfpcap::capture::kEncapsulationCount; ++i) {
        CAPTURE(i);
        auto e = static_cast<Encapsulation>(i);
        CHECK(name(e) != "unknown");
        CHECK(describe(e) != "unknown");
        names.emplace(name(e));
    }
    CHECK(names.size() == nfpcap::capture::kEncapsulationCount);
}

}  // TEST_SUITE("capture.tunnels")
