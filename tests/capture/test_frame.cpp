// SPDX-License-Identifier: MIT
// Link layer, IPv4/IPv6 and UDP parsing of single frames built byte by byte.
#include <doctest/doctest.h>
#include <pcap/dlt.h>

#include <set>
#include <string>

#include "frame_builder.hpp"
#include "nfpcap/capture/frame.hpp"

using nfpcap::capture::FrameInfo;
using nfpcap::capture::FrameIssue;
using nfpcap::capture::parse_frame;
using nfpcap::test::Frame;
using nfpcap::test::ip;
using nfpcap::test::Ip4;
using nfpcap::test::Ip6;
using Kind = FrameInfo::Kind;

namespace {

const std::string kSrc6 = "2001:db8::1";
const std::string kDst6 = "2001:db8::2";

// The datagram most cases carry: 192.0.2.1:4739 -> 192.0.2.2:2055, "netflow!".
Frame v4_udp() { return Frame::payload("netflow!").udp(4739, 2055).ipv4("192.0.2.1", "192.0.2.2"); }
Frame v6_udp() { return Frame::payload("ipfix").udp(4739, 4739).ipv6(kSrc6, kDst6); }

void check_v4_udp(const FrameInfo& info) {
    REQUIRE(info.kind == Kind::udp);
    CHECK(info.src == ip("192.0.2.1"));
    CHECK(info.dst == ip("192.0.2.2"));
    CHECK(info.protocol == 17);
    CHECK(info.src_port == 4739);
    CHECK(info.dst_port == 2055);
    CHECK(info.udp_length == 8);
    CHECK(nfpcap::test::as_text(info.udp_payload) == "netflow!");
}

void check_v6_udp(const FrameInfo& info) {
    REQUIRE(info.kind == Kind::udp);
    CHECK(info.src == ip("2001:db8::1"));
    CHECK(info.dst == ip("2001:db8::2"));
    CHECK(info.protocol == 17);
    CHECK(info.src_port == 4739);
    CHECK(info.dst_port == 4739);
    CHECK(info.udp_length == 5);
    CHECK(nfpcap::test::as_text(info.udp_payload) == "ipfix");
}

void check_issue(const FrameInfo& info, FrameIssue expected) {
    CHECK(info.kind == Kind::issue);
    CHECK(name(info.issue) == name(expected));
}

}  // namespace

TEST_SUITE("capture.frame") {

TEST_CASE("Ethernet IPv4 UDP") { check_v4_udp(parse_frame(DLT_EN10MB, v4_udp().ethernet().view())); }

TEST_CASE("Ethernet IPv6 UDP") { check_v6_udp(parse_frame(DLT_EN10MB, v6_udp().ethernet().view())); }

TEST_CASE("VLAN tags of any kind and depth are skipped") {
    SUBCASE("802.1Q") { check_v4_udp(parse_frame(DLT_EN10MB, v4_udp().ethernet({{0x8100, 10}}).view())); }
    SUBCASE("802.1ad QinQ") {
        check_v4_udp(parse_frame(DLT_EN10MB, v4_udp().ethernet({{0x88a8, 100}, {0x8100, 10}}).view()));
    }
    SUBCASE("old 0x9100 QinQ") {
        check_v4_udp(parse_frame(DLT_EN10MB, v4_udp().ethernet({{0x9100, 100}, {0x8100, 10}}).view()));
    }
    SUBCASE("three tags over IPv6") {
        check_v6_udp(parse_frame(DLT_EN10MB, v6_udp().ethernet({{0x88a8, 1}, {0x8100, 2}, {0x8100, 3}}).view()));
    }
}

TEST_CASE("Linux cooked capture v1 and v2") {
    SUBCASE("SLL IPv4") { check_v4_udp(parse_frame(DLT_LINUX_SLL, v4_udp().sll().view())); }
    SUBCASE("SLL IPv6") { check_v6_udp(parse_frame(DLT_LINUX_SLL, v6_udp().sll().view())); }
    SUBCASE("SLL2 IPv4") { check_v4_udp(parse_frame(DLT_LINUX_SLL2, v4_udp().sll2().view())); }
    SUBCASE("SLL2 IPv6") { check_v6_udp(parse_frame(DLT_LINUX_SLL2, v6_udp().sll2().view())); }
    SUBCASE("SLL carrying ARP is not IP") {
        CHECK(parse_frame(DLT_LINUX_SLL, Frame::arp().sll().view()).kind == Kind::not_ip);
    }
    SUBCASE("SLL2 carrying ARP is not IP") {
        CHECK(parse_frame(DLT_LINUX_SLL2, Frame::arp().sll2().view()).kind == Kind::not_ip);
    }
}

TEST_CASE("raw IP link types tell the version by the first nibble") {
    for (int dlt : {DLT_RAW, DLT_IPV4, DLT_IPV6}) {
        CAPTURE(dlt);
        check_v4_udp(parse_frame(dlt, v4_udp().view()));
        check_v6_udp(parse_frame(dlt, v6_udp().view()));
    }
}

TEST_CASE("BSD loopback: DLT_NULL in either byte order, DLT_LOOP in network order") {
    for (bool big_endian : {false, true}) {
        CAPTURE(big_endian);
        check_v4_udp(parse_frame(DLT_NULL, v4_udp().loopback(nfpcap::test::kAfInet, big_endian).view()));
        for (std::uint32_t af6 :
             {nfpcap::test::kAfInet6Bsd, nfpcap::test::kAfInet6FreeBsd, nfpcap::test::kAfInet6Darwin}) {
            CAPTURE(af6);
            check_v6_udp(parse_frame(DLT_NULL, v6_udp().loopback(af6, big_endian).view()));
        }
    }
    check_v4_udp(parse_frame(DLT_LOOP, v4_udp().loopback(nfpcap::test::kAfInet, true).view()));
    check_v6_udp(parse_frame(DLT_LOOP, v6_udp().loopback(nfpcap::test::kAfInet6Darwin, true).view()));

    SUBCASE("an unknown family is not IP") {
        CHECK(parse_frame(DLT_NULL, v4_udp().loopback(7, false).view()).kind == Kind::not_ip);
        CHECK(parse_frame(DLT_LOOP, v4_udp().loopback(7, true).view()).kind == Kind::not_ip);
    }
}

TEST_CASE("IPv6 extension headers before UDP are walked") {
    SUBCASE("hop-by-hop then destination options") {
        auto f = Frame::payload("ipfix").udp(4739, 4739).ipv6_ext(60).ipv6_ext(0).ipv6(kSrc6, kDst6);
        check_v6_udp(parse_frame(DLT_EN10MB, f.ethernet().view()));
    }
    SUBCASE("longer hop-by-hop, routing header") {
        auto f = Frame::payload("ipfix").udp(4739, 4739).ipv6_ext(43, 2).ipv6_ext(0, 1).ipv6(kSrc6, kDst6);
        check_v6_udp(parse_frame(DLT_RAW, f.view()));
    }
    SUBCASE("an extension header cut short") {
        auto f = Frame::payload("ipfix").udp(4739, 4739).ipv6_ext(60, 3).ipv6(kSrc6, kDst6);
        check_issue(parse_frame(DLT_RAW, f.cut(40 + 12).view()), FrameIssue::ip_truncated);
    }
    SUBCASE("ICMPv6 behind hop-by-hop is not UDP") {
        auto frame =
            Frame::of({std::byte{128}, std::byte{0}, std::byte{0}, std::byte{0}}, 58).ipv6_ext(0).ipv6(kSrc6, kDst6);
        auto info = parse_frame(DLT_RAW, frame.view());
        CHECK(info.kind == Kind::not_udp);
        CHECK(info.protocol == 58);
    }
}

TEST_CASE("IPv4 options are skipped by IHL") {
    auto f = Frame::payload("netflow!").udp(4739, 2055).ipv4("192.0.2.1", "192.0.2.2", Ip4().options(3));
    check_v4_udp(parse_frame(DLT_EN10MB, f.ethernet().view()));
}

TEST_CASE("Ethernet padding and trailers are cut off by the IP length") {
    SUBCASE("IPv4 padded to the 60-byte minimum") {
        auto f = Frame::payload("v5").udp(9995, 2055).ipv4("192.0.2.1", "192.0.2.2").ethernet();
        REQUIRE(f.size() == 14 + 20 + 8 + 2);
        f.pad(60 - f.size());
        auto info = parse_frame(DLT_EN10MB, f.view());
        REQUIRE(info.kind == Kind::udp);
        CHECK(info.udp_length == 2);
        CHECK(nfpcap::test::as_text(info.udp_payload) == "v5");
    }
    SUBCASE("IPv4 with an empty UDP payload") {
        auto frame = Frame::payload("").udp(1, 2).ipv4("192.0.2.1", "192.0.2.2").ethernet().pad(18);
        auto info = parse_frame(DLT_EN10MB, frame.view());
        REQUIRE(info.kind == Kind::udp);
        CHECK(info.udp_length == 0);
        CHECK(info.udp_payload.empty());
    }
    SUBCASE("IPv6 followed by a 4-byte FCS") {
        check_v6_udp(parse_frame(DLT_EN10MB, v6_udp().ethernet().pad(4).view()));
    }
    SUBCASE("UDP length shorter than the IP payload") {
        auto f = Frame::payload("netflow!").udp(4739, 2055).udp_length(8 + 3).ipv4("192.0.2.1", "192.0.2.2");
        auto info = parse_frame(DLT_RAW, f.view());
        REQUIRE(info.kind == Kind::udp);
        CHECK(info.udp_length == 3);
        CHECK(nfpcap::test::as_text(info.udp_payload) == "net");
    }
}

TEST_CASE("truncated frames name the layer cut short") {
    SUBCASE("Ethernet header") {
        check_issue(parse_frame(DLT_EN10MB, v4_udp().ethernet().cut(13).view()), FrameIssue::link_truncated);
        check_issue(parse_frame(DLT_EN10MB, nfpcap::test::ByteVec{}), FrameIssue::link_truncated);
    }
    SUBCASE("VLAN tag") {
        check_issue(parse_frame(DLT_EN10MB, v4_udp().ethernet({{0x8100, 10}}).cut(16).view()),
                    FrameIssue::link_truncated);
    }
    SUBCASE("SLL and SLL2 headers") {
        check_issue(parse_frame(DLT_LINUX_SLL, v4_udp().sll().cut(15).view()), FrameIssue::link_truncated);
        check_issue(parse_frame(DLT_LINUX_SLL2, v4_udp().sll2().cut(19).view()), FrameIssue::link_truncated);
    }
    SUBCASE("loopback header") {
        check_issue(parse_frame(DLT_NULL, v4_udp().loopback(2, false).cut(3).view()), FrameIssue::link_truncated);
        check_issue(parse_frame(DLT_LOOP, v4_udp().loopback(2, true).cut(2).view()), FrameIssue::link_truncated);
    }
    SUBCASE("raw IP with no byte at all") {
        check_issue(parse_frame(DLT_RAW, nfpcap::test::ByteVec{}), FrameIssue::link_truncated);
    }
    SUBCASE("IPv4 header") {
        check_issue(parse_frame(DLT_EN10MB, v4_udp().ethernet().cut(14 + 19).view()), FrameIssue::ip_truncated);
        check_issue(parse_frame(DLT_EN10MB, v4_udp().ethernet().cut(14).view()), FrameIssue::ip_truncated);
    }
    SUBCASE("IPv4 options") {
        auto f = Frame::payload("x").udp(1, 2).ipv4("192.0.2.1", "192.0.2.2", Ip4().options(4));
        check_issue(parse_frame(DLT_RAW, f.cut(28).view()), FrameIssue::ip_truncated);
    }
    SUBCASE("IPv6 header") { check_issue(parse_frame(DLT_RAW, v6_udp().cut(39).view()), FrameIssue::ip_truncated); }
    SUBCASE("UDP header cut by the snap length") {
        check_issue(parse_frame(DLT_RAW, v4_udp().cut(20 + 5).view()), FrameIssue::ip_truncated);
        check_issue(parse_frame(DLT_RAW, v6_udp().cut(40 + 7).view()), FrameIssue::ip_truncated);
    }
    SUBCASE("UDP payload cut by the snap length is still a datagram, shorter than announced") {
        auto frame = v4_udp().ethernet().cut(14 + 20 + 8 + 3);
        auto info = parse_frame(DLT_EN10MB, frame.view());
        REQUIRE(info.kind == Kind::udp);
        CHECK(info.udp_length == 8);
        CHECK(nfpcap::test::as_text(info.udp_payload) == "net");
    }
}

TEST_CASE("invalid IP and UDP headers") {
    SUBCASE("IPv4 EtherType with version 5") {
        auto f = Frame::payload("x").udp(1, 2).ipv4("192.0.2.1", "192.0.2.2", Ip4().version(5)).ethernet();
        check_issue(parse_frame(DLT_EN10MB, f.view()), FrameIssue::ip_invalid);
    }
    SUBCASE("IPv4 IHL below 5") {
        auto f = Frame::payload("x").udp(1, 2).ipv4("192.0.2.1", "192.0.2.2", Ip4().ihl(4));
        check_issue(parse_frame(DLT_RAW, f.view()), FrameIssue::ip_invalid);
    }
    SUBCASE("IPv4 total length below the header length") {
        auto f = Frame::payload("x").udp(1, 2).ipv4("192.0.2.1", "192.0.2.2", Ip4().total_length(19));
        check_issue(parse_frame(DLT_RAW, f.view()), FrameIssue::ip_invalid);
    }
    SUBCASE("IPv6 EtherType with version 4 in the header") {
        auto f = Frame::payload("x").udp(1, 2).ipv6(kSrc6, kDst6, Ip6().version(4)).ethernet();
        check_issue(parse_frame(DLT_EN10MB, f.view()), FrameIssue::ip_invalid);
    }
    SUBCASE("raw IP of version 0") {
        check_issue(parse_frame(DLT_RAW, nfpcap::test::ByteVec(28)), FrameIssue::ip_invalid);
    }
    SUBCASE("IP payload too short for a UDP header") {
        auto f = Frame::payload("netflow!").udp(1, 2).ipv4("192.0.2.1", "192.0.2.2", Ip4().total_length(20 + 6));
        check_issue(parse_frame(DLT_RAW, f.view()), FrameIssue::udp_invalid);
        auto g = Frame::payload("ipfix").udp(1, 2).ipv6(kSrc6, kDst6, Ip6().payload_length(4));
        check_issue(parse_frame(DLT_RAW, g.view()), FrameIssue::udp_invalid);
    }
    SUBCASE("UDP length field below 8") {
        auto f = Frame::payload("netflow!").udp(1, 2).udp_length(7).ipv4("192.0.2.1", "192.0.2.2");
        check_issue(parse_frame(DLT_RAW, f.view()), FrameIssue::udp_invalid);
    }
}

TEST_CASE("other protocols are counted, not parsed") {
    SUBCASE("TCP over IPv4") {
        auto frame = Frame::tcp(80, 1234).ipv4("192.0.2.1", "192.0.2.2").ethernet();
        auto info = parse_frame(DLT_EN10MB, frame.view());
        CHECK(info.kind == Kind::not_udp);
        CHECK(info.protocol == 6);
        CHECK(info.src == ip("192.0.2.1"));
        CHECK(info.dst == ip("192.0.2.2"));
    }
    SUBCASE("ICMP over IPv4") {
        auto frame = Frame::icmp_echo().ipv4("192.0.2.1", "192.0.2.2");
        auto info = parse_frame(DLT_RAW, frame.view());
        CHECK(info.kind == Kind::not_udp);
        CHECK(info.protocol == 1);
    }
    SUBCASE("TCP over IPv6") {
        auto frame = Frame::tcp(80, 1234).ipv6(kSrc6, kDst6);
        auto info = parse_frame(DLT_RAW, frame.view());
        CHECK(info.kind == Kind::not_udp);
        CHECK(info.protocol == 6);
    }
    SUBCASE("ARP is not IP") {
        CHECK(parse_frame(DLT_EN10MB, Frame::arp().ethernet().view()).kind == Kind::not_ip);
        CHECK(parse_frame(DLT_EN10MB, Frame::arp().ethernet({{0x8100, 5}}).view()).kind == Kind::not_ip);
    }
}

TEST_CASE("the UDP checksum is never checked") {
    auto good = v4_udp();
    auto bad = Frame::payload("netflow!").udp(4739, 2055).udp_checksum(0xdead).ipv4("192.0.2.1", "192.0.2.2");
    auto none = Frame::payload("netflow!").udp(4739, 2055).udp_checksum(0).ipv4("192.0.2.1", "192.0.2.2");
    REQUIRE(good.bytes() != bad.bytes());
    check_v4_udp(parse_frame(DLT_RAW, good.view()));
    check_v4_udp(parse_frame(DLT_RAW, bad.view()));
    check_v4_udp(parse_frame(DLT_RAW, none.view()));
}

TEST_CASE("IPv4 fragments") {
    auto whole = Frame::payload("0123456789abcdefghijklmnopqrstuv").udp(4739, 2055).bytes();  // 40 bytes
    SUBCASE("first fragment") {
        auto frame = nfpcap::test::ipv4_fragment(whole, 0, 16, 77);
        auto info = parse_frame(DLT_RAW, frame.view());
        REQUIRE(info.kind == Kind::fragment);
        CHECK(info.frag_id == 77);
        CHECK(info.frag_offset == 0);
        CHECK(info.frag_more);
        CHECK(info.frag_data.size() == 16);
        CHECK(info.protocol == 17);
        CHECK(info.src == ip("192.0.2.1"));
    }
    SUBCASE("last fragment, behind Ethernet padding") {
        auto frame = nfpcap::test::ipv4_fragment(whole, 32, 40, 77).ethernet().pad(18);
        auto info = parse_frame(DLT_EN10MB, frame.view());
        REQUIRE(info.kind == Kind::fragment);
        CHECK(info.frag_offset == 32);
        CHECK_FALSE(info.frag_more);
        CHECK(nfpcap::test::as_text(info.frag_data) == "opqrstuv");
    }
    SUBCASE("a fragment cut by the snap length") {
        check_issue(parse_frame(DLT_RAW, nfpcap::test::ipv4_fragment(whole, 0, 16, 77).cut(30).view()),
                    FrameIssue::ip_truncated);
    }
    SUBCASE("a fragment of TCP is not UDP") {
        auto f = Frame::of(nfpcap::test::slice(Frame::tcp(80, 81).bytes(), 0, 8), 6)
                     .ipv4("192.0.2.1", "192.0.2.2", Ip4().fragment(0, true));
        CHECK(parse_frame(DLT_RAW, f.view()).kind == Kind::not_udp);
        auto g = Frame::of(nfpcap::test::slice(Frame::tcp(80, 81).bytes(), 8, 20), 6)
                     .ipv4("192.0.2.1", "192.0.2.2", Ip4().fragment(8, false));
        CHECK(parse_frame(DLT_RAW, g.view()).kind == Kind::not_udp);
    }
}

TEST_CASE("IPv6 fragments") {
    auto whole = Frame::payload("0123456789abcdefghijklmnopqrstuv").udp(4739, 2055).bytes();
    SUBCASE("first and last fragment") {
        auto first_frame = nfpcap::test::ipv6_fragment(whole, 0, 24, 0xabcdef01);
        auto first = parse_frame(DLT_RAW, first_frame.view());
        REQUIRE(first.kind == Kind::fragment);
        CHECK(first.frag_id == 0xabcdef01);
        CHECK(first.frag_offset == 0);
        CHECK(first.frag_more);
        CHECK(first.frag_data.size() == 24);
        CHECK(first.protocol == 17);
        auto last_frame = nfpcap::test::ipv6_fragment(whole, 24, 40, 0xabcdef01);
        auto last = parse_frame(DLT_RAW, last_frame.view());
        REQUIRE(last.kind == Kind::fragment);
        CHECK(last.frag_offset == 24);
        CHECK_FALSE(last.frag_more);
        CHECK(nfpcap::test::as_text(last.frag_data) == "ghijklmnopqrstuv");
    }
    SUBCASE("fragment header behind hop-by-hop options") {
        auto f = Frame::of(nfpcap::test::slice(whole, 8, 40), 17).ipv6_frag(8, false, 9).ipv6_ext(0).ipv6(kSrc6, kDst6);
        auto info = parse_frame(DLT_RAW, f.view());
        REQUIRE(info.kind == Kind::fragment);
        CHECK(info.frag_offset == 8);
        CHECK(info.frag_data.size() == 32);
    }
    SUBCASE("an atomic fragment (offset 0, no more) is a whole datagram") {
        auto f = Frame::payload("ipfix").udp(4739, 4739).ipv6_frag(0, false, 5).ipv6(kSrc6, kDst6);
        check_v6_udp(parse_frame(DLT_RAW, f.view()));
    }
    SUBCASE("a later fragment of TCP is not UDP") {
        // RFC 8200 §4.5: every fragment's header names the protocol of the fragmentable part.
        auto f = Frame::of(nfpcap::test::ByteVec(16), 6).ipv6_frag(16, false, 9).ipv6(kSrc6, kDst6);
        auto info = parse_frame(DLT_RAW, f.view());
        CHECK(info.kind == Kind::not_udp);
        CHECK(info.protocol == 6);
    }
    SUBCASE("destination options inside the fragmentable part are walked after reassembly") {
        // Both fragments name destination options (60): they are kept for reassembly, and the
        // reassembled payload's options are walked to the UDP header (once counted "not UDP").
        auto part = Frame::payload("ipfix").udp(4739, 4739).ipv6_ext(60).bytes();
        auto first = Frame::of(nfpcap::test::slice(part, 0, 16), 60).ipv6_frag(0, true, 3).ipv6(kSrc6, kDst6);
        auto last =
            Frame::of(nfpcap::test::slice(part, 16, part.size()), 60).ipv6_frag(16, false, 3).ipv6(kSrc6, kDst6);
        for (const auto* f : {&first, &last}) {
            auto info = parse_frame(DLT_RAW, f->view());
            CHECK(info.kind == Kind::fragment);
            CHECK(info.protocol == 60);
        }
        auto info = parse_frame(DLT_RAW, last.view());
        nfpcap::capture::parse_reassembled(part, info);
        check_v6_udp(info);
    }
    SUBCASE("a fragment cut by the snap length") {
        check_issue(parse_frame(DLT_RAW, nfpcap::test::ipv6_fragment(whole, 0, 24, 1).cut(60).view()),
                    FrameIssue::ip_truncated);
    }
}

TEST_CASE("unsupported link types") {
    for (int dlt : {DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW, DLT_IPV4, DLT_IPV6, DLT_NULL, DLT_LOOP}) {
        CAPTURE(dlt);
        CHECK(nfpcap::capture::supported_link(dlt));
    }
    for (int dlt : {DLT_IEEE802_11, DLT_IEEE802_11_RADIO, DLT_PPP, DLT_USB_LINUX}) {
        CAPTURE(dlt);
        CHECK_FALSE(nfpcap::capture::supported_link(dlt));
        check_issue(parse_frame(dlt, v4_udp().ethernet().view()), FrameIssue::unsupported_link);
    }
}

TEST_CASE("every frame issue has a name and a description") {
    std::set<std::string> names;
    for (std::size_t i = 0; i < nfpcap::capture::kFrameIssueCount; ++i) {
        CAPTURE(i);
        auto issue = static_cast<FrameIssue>(i);
        CHECK(name(issue) != "unknown");
        CHECK(describe(issue) != "unknown");
        CHECK_FALSE(describe(issue).empty());
        names.emplace(name(issue));
    }
    CHECK(names.size() == nfpcap::capture::kFrameIssueCount);
}

}  // TEST_SUITE("capture.frame")
