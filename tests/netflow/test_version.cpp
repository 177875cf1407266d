// SPDX-License-Identifier: MIT
// The version table and the rules that ask it: recognition, peeking, zero-padded v9 datagrams.
#include <doctest/doctest.h>

#include "../support/collecting_sink.hpp"
#include "../support/message_builder.hpp"
#include "nfpcap/netflow/version.hpp"

using namespace nfpcap;
using netflow::Reason;
using test::Msg;

TEST_SUITE("netflow.version") {

TEST_CASE("the table holds each version once, with Cisco's and the RFCs' sizes") {
    const auto* v5 = netflow::version_info(5);
    REQUIRE(v5 != nullptr);
    CHECK(v5->header_size == 24);
    CHECK(v5->record_size == 48);
    CHECK_FALSE(v5->template_based);
    CHECK(v5->sequence == netflow::SequenceUnit::flows);
    const auto* v7 = netflow::version_info(7);
    REQUIRE(v7 != nullptr);
    CHECK(v7->header_size == 24);
    CHECK(v7->record_size == 52);
    const auto* v9 = netflow::version_info(9);
    REQUIRE(v9 != nullptr);
    CHECK(v9->header_size == 20);
    CHECK(v9->template_based);
    CHECK(v9->sequence == netflow::SequenceUnit::export_packets);
    const auto* ipfix = netflow::version_info(10);
    REQUIRE(ipfix != nullptr);
    CHECK(ipfix->header_size == 16);
    CHECK(ipfix->has_length);
    CHECK(ipfix->sequence == netflow::SequenceUnit::data_records);
    CHECK(netflow::version_info(0) == nullptr);
    CHECK(netflow::version_info(4) == nullptr);
    CHECK(netflow::version_info(11) == nullptr);

    // The help text names exactly the decoded versions.
    std::string decoded;
    for (const auto& v : netflow::known_versions()) {
        if (!v.decoded) continue;
        if (!decoded.empty()) decoded += ", ";
        decoded += std::to_string(v.version);
    }
    std::string text(netflow::decoded_versions_text());
    const auto last = text.rfind(" or ");
    REQUIRE(last != std::string::npos);
    text.replace(last, 4, ", ");
    CHECK(text == decoded);
}

TEST_CASE("peek_header reads each version's domain where the table says") {
    auto v9 = Msg::v9(0x01020304).templates().tmpl(256, {{8, 4}}).bytes();
    auto p = netflow::peek_header(v9);
    REQUIRE(p);
    CHECK(p->version == 9);
    CHECK(p->domain == 0x01020304U);
    auto ipfix = Msg::ipfix(77).templates().tmpl(256, {{8, 4}}).bytes();
    p = netflow::peek_header(ipfix);
    REQUIRE(p);
    CHECK(p->domain == 77);
    // v5: engine type 2, engine ID 3.
    std::vector<std::byte> v5(24 + 48);
    v5[1] = std::byte{5};
    v5[3] = std::byte{1};
    v5[20] = std::byte{2};
    v5[21] = std::byte{3};
    p = netflow::peek_header(v5);
    REQUIRE(p);
    CHECK(p->domain == 2 * 256 + 3);
    // Too short for the domain: no answer rather than a wrong one.
    p = netflow::peek_header(std::span(v9).first(14));
    CHECK_FALSE(p);
}

TEST_CASE("a v9 datagram zero-padded after its last flowset is export traffic and decodes cleanly") {
    // Cisco ACI and Palo Alto pad datagrams with zeros after the last flowset.
    auto msg = Msg::v9(1)
                   .templates()
                   .tmpl(256, {{8, 4}, {12, 4}})
                   .data(256)
                   .rec()
                   .ip4("10.0.0.1")
                   .ip4("10.0.0.2")
                   .pad(0)
                   .bytes();
    msg.resize(msg.size() + 40);  // 40 zero bytes: longer than a flowset header
    CHECK(netflow::looks_like_export(msg));
    netflow::DecoderState state;
    test::CollectingSink sink;
    auto tally = test::decode(msg, state, sink);
    CHECK_FALSE(tally.fatal);
    CHECK_FALSE(tally.first_loss);
    CHECK(sink.records.size() == 1);
    CHECK(sink.issues.empty());

    // Bytes after the last flowset that are not all zero are read as a flowset, here one of
    // length 0: the rest of the datagram cannot be delimited.
    msg.back() = std::byte{1};
    netflow::DecoderState state2;
    test::CollectingSink sink2;
    test::decode(msg, state2, sink2);
    CHECK(sink2.records.size() == 1);
    REQUIRE_FALSE(sink2.issues.empty());
    CHECK(sink2.issues[0].reason == Reason::set_length_invalid);
}

TEST_CASE("v6 and v7 datagrams are recognized by shape but not decoded") {
    for (std::uint16_t version : {6, 7}) {
        CAPTURE(version);
        std::vector<std::byte> m(24 + 2 * 52);
        m[1] = static_cast<std::byte>(version);
        m[3] = std::byte{2};
        CHECK(netflow::looks_like_export(m));
        m.resize(m.size() - 1);
        CHECK_FALSE(netflow::looks_like_export(m));
    }
}

}  // TEST_SUITE("netflow.version")
