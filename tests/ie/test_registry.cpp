// SPDX-License-Identifier: MIT
// Element lookups and names: IANA, NetFlow v9, reverse forms, enterprise scopes, the generated table.
#include <doctest/doctest.h>

#include <cstdint>
#include <set>
#include <string>
#include <string_view>

// System headers first: the generated ids.hpp must not clash with their macros.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <pcap/pcap.h>
#include <sys/socket.h>

#include "nfpcap/ie/definitions.hpp"
#include "nfpcap/ie/ids.hpp"
#include "nfpcap/ie/registry.hpp"

using namespace nfpcap;

namespace {

std::string ipfix_name(std::uint32_t pen, std::uint16_t id) {
    return ie::field_name(pen, id, ie::find_ipfix(pen, id), false);
}

std::string v9_name(std::uint16_t type) { return ie::field_name(0, type, ie::find_v9(type), true); }

}  // namespace

TEST_SUITE("ie.registry") {

TEST_CASE("IANA elements") {
    const ie::Element* e = ie::find(0, 1);
    REQUIRE(e != nullptr);
    CHECK(e->name == "octetDeltaCount");
    CHECK(e->type == ie::DataType::unsigned64);
    CHECK(e->semantics == ie::Semantics::deltaCounter);
    CHECK(e->units == "octets");
    CHECK(ie::iana::octetDeltaCount == 1);
    CHECK(ie::iana::flowStartMilliseconds == 152);
    CHECK(ie::find(0, ie::iana::sourceIPv6Address)->type == ie::DataType::ipv6Address);
    CHECK(ipfix_name(0, 8) == "sourceIPv4Address");
    CHECK(ipfix_name(0, 30000) == "0.30000");
}

TEST_CASE("NetFlow v9 field types below and above 32768") {
    CHECK(v9_name(1) == "octetDeltaCount");  // shared with IANA
    CHECK(v9_name(ie::v9::natInternalIPv4Address) == "natInternalIPv4Address");
    CHECK(ie::v9::natInternalIPv4Address == 24632);
    REQUIRE(ie::find_v9(24632) != nullptr);
    CHECK(ie::find_v9(24632)->type == ie::DataType::ipv4Address);
    // Cisco ASA NSEL
    CHECK(v9_name(33000) == "ingressAclId");
    CHECK(v9_name(33002) == "firewallEventExtended");
    CHECK(v9_name(40000) == "aaaUserName");
    CHECK(ie::find_v9(40001)->type == ie::DataType::ipv4Address);
    CHECK(ie::find_v9(40003)->type == ie::DataType::unsigned16);
    CHECK(ie::v9::xlateSourceIPv4Address == 40001);
    // Cisco performance monitor, FastIP, Palo Alto
    CHECK(v9_name(37083) == "tcpWindowSizeMin");
    CHECK(v9_name(33610) == "METER_VERSION");
    CHECK(ie::find_v9(56701)->type == ie::DataType::string);
    CHECK(v9_name(56702) == "panosUserId");
    // nProbe: NTOP_BASE + its element id, named in its scope
    CHECK(v9_name(static_cast<std::uint16_t>(ie::kNtopV9Base + 80)) == "ntop:SRC_FRAGMENTS");
    CHECK(v9_name(20000) == "v9.20000");
    CHECK(v9_name(50000) == "v9.50000");
}

TEST_CASE("RFC 5103 reverse elements and CERT's reverse form") {
    const ie::Element* rev = ie::find_ipfix(ie::kPenReverse, 1);
    REQUIRE(rev != nullptr);
    CHECK(rev == ie::find(0, 1));
    CHECK(ipfix_name(29305, 1) == "reverseOctetDeltaCount");
    CHECK(ipfix_name(29305, 152) == "reverseFlowStartMilliseconds");
    CHECK(ie::find(29305, 1) == nullptr);  // not in the table: derived by find_ipfix
    CHECK(ipfix_name(29305, 30000) == "29305.30000");

    CHECK(ipfix_name(ie::kPenCert, ie::cert::initialTCPFlags) == "cert:initialTCPFlags");
    const auto reverse_flags = static_cast<std::uint16_t>(ie::cert::initialTCPFlags | ie::kCertReverseBit);
    CHECK(reverse_flags == 16398);
    const ie::Element* e = ie::find_ipfix(6871, reverse_flags);
    REQUIRE(e != nullptr);
    CHECK(e == ie::find(6871, 14));
    CHECK(ipfix_name(6871, reverse_flags) == "cert:reverseInitialTCPFlags");
    CHECK(ipfix_name(6871, 18 | 0x4000) == "cert:reversePayload");
    CHECK(ipfix_name(6871, 0x4000 | 9999) == "6871.26383");
}

TEST_CASE("enterprise elements print scope:name") {
    CHECK(ipfix_name(9, 12235) == "cisco:appHTTPHost");
    CHECK(ipfix_name(ie::kPenNtop, 80) == "ntop:SRC_FRAGMENTS");
    CHECK(ie::find(ie::kPenNtop, 80)->type == ie::DataType::unsigned16);
    CHECK(ipfix_name(ie::kPenIxia, 110) == "ixia:l7ApplicationID");
    CHECK(ipfix_name(ie::kPenNetscaler, 128) == "netscaler:roundTripTime");
    CHECK(ipfix_name(ie::kPenProcera, 1) == "procera:proceraService");
    CHECK(ie::find(ie::kPenProcera, 42)->type == ie::DataType::ipv4Address);
    CHECK(ipfix_name(ie::kPenBarracuda, 2) == "barracuda:LogOp");
    CHECK(ipfix_name(ie::kPenGigamon, 1) == "gigamon:HttpReqUrl");
    CHECK(ipfix_name(ie::kPenViptela, 4321) == "viptela:viptelaVPNId");
    CHECK(ipfix_name(ie::kPenVmware, 888) == "vmware:egressInterfaceAttr");
    CHECK(ipfix_name(ie::kPenFlowmon, 1) == "flowmon:" + std::string(ie::find(39499, 1)->name));
    // A known enterprise without that element, and an unknown enterprise
    CHECK(ipfix_name(ie::kPenPaloalto, 1) == "25461.1");
    CHECK(ipfix_name(12345, 1) == "12345.1");
}

TEST_CASE("enterprise scope names") {
    CHECK(ie::enterprise_scope(9) == "cisco");
    CHECK(ie::enterprise_scope(6871) == "cert");
    CHECK(ie::enterprise_scope(35632) == "ntop");
    CHECK(ie::enterprise_scope(25461) == "paloalto");
    CHECK(ie::enterprise_scope(12356) == "fortinet");
    CHECK(ie::enterprise_scope(2011) == "huawei");
    CHECK(ie::enterprise_scope(25506) == "h3c");
    CHECK(ie::enterprise_scope(637) == "nokia");
    CHECK(ie::enterprise_scope(0).empty());
    CHECK(ie::enterprise_scope(4294967294U).empty());
    CHECK(ie::enterprise_scope(12345).empty());
    CHECK(ie::kPenReverse == 29305);
    CHECK(ie::kPenCert == 6871);
    CHECK(ie::kPenCisco == 9);
}

TEST_CASE("every generated element is well formed") {
    const auto table = ie::all_elements();
    REQUIRE(table.size() > 2000);
    std::set<std::uint32_t> pens;
    for (std::size_t i = 0; i < table.size(); ++i) {
        const ie::Element& e = table[i];
        CAPTURE(e.pen);
        CAPTURE(e.id);
        CHECK(static_cast<unsigned>(e.type) <= static_cast<unsigned>(ie::DataType::subTemplateMultiList));
        CHECK(static_cast<unsigned>(e.semantics) <= static_cast<unsigned>(ie::Semantics::snmpGauge));
        CHECK(ie::data_type_from_code(static_cast<std::uint8_t>(e.type)) == e.type);
        CHECK(!e.name.empty());
        CHECK(e.id <= 0x7FFF);
        if (i > 0) CHECK(std::pair{table[i - 1].pen, table[i - 1].id} < std::pair{e.pen, e.id});
        CHECK(ie::find(e.pen, e.id) == &e);
        pens.insert(e.pen);
    }
    for (std::uint32_t pen : pens) {
        CAPTURE(pen);
        if (pen != 0 && pen != ie::kPenNetflow && pen != ie::kPenNetflowExtra && pen != ie::kPenNetflowFixed)
            CHECK(!ie::enterprise_scope(pen).empty());
    }
}

}  // TEST_SUITE("ie.registry")

TEST_SUITE("ie.definitions") {

TEST_CASE("a user's file: parsed, installed, consulted after the table") {
    const std::string text =
        "pen,id,name,type\n"
        "# comment\n"
        "\n"
        "12345,1,myCounter,unsigned64\n"
        " 12345 , 2 , myAddress , IPV4ADDRESS \n"
        "v9,45000,myV9Field,string\n"
        "v9,20000,myLowV9Field,unsigned16\n"
        "0,1,notOctetDeltaCount,string\n";
    ie::Definitions defs = ie::parse_definitions(text, "my.csv");
    CHECK(defs.size() == 5);
    ie::set_user_definitions(std::move(defs));
    REQUIRE(ie::user_definitions() != nullptr);

    const ie::Element* e = ie::find_ipfix(12345, 1);
    REQUIRE(e != nullptr);
    CHECK(e->type == ie::DataType::unsigned64);
    CHECK(ipfix_name(12345, 1) == "12345:myCounter");
    CHECK(ie::find(12345, 2)->type == ie::DataType::ipv4Address);
    CHECK(v9_name(45000) == "myV9Field");
    CHECK(v9_name(20000) == "myLowV9Field");
    CHECK(ie::find_v9(45000)->type == ie::DataType::string);
    CHECK(ie::find(0, 1)->name == "octetDeltaCount");  // the table first
    CHECK(ipfix_name(12345, 3) == "12345.3");

    ie::set_user_definitions(ie::Definitions{});
    CHECK(ie::user_definitions() == nullptr);
    CHECK(ie::find(12345, 1) == nullptr);
}

TEST_CASE("bad lines name FILE:LINE") {
    struct Case {
        const char* text;
        const char* message;
    };
    const Case cases[] = {
        {"1,2,x\n", "defs.csv:1: expected 4 fields"},
        {"pen,id,name,type\n1,2,x,unsigned8,extra\n", "defs.csv:2: expected 4 fields"},
        {"\n\nabc,2,x,unsigned8\n", "defs.csv:3: bad enterprise number 'abc'"},
        {"1,32768,x,unsigned8\n", "defs.csv:1: bad element id '32768'"},
        {"1,2,x,unsigned128\n", "defs.csv:1: unknown type 'unsigned128'"},
        {"1,2,,unsigned8\n", "defs.csv:1: bad name ''"},
        {"1,2,two words,unsigned8\n", "defs.csv:1: bad name 'two words'"},
        {"v9,70000,x,unsigned8\n", "defs.csv:1: bad NetFlow v9 field type '70000'"},
        {"29305,1,x,unsigned8\n", "defs.csv:1: PEN 29305"},
        {"1,2,x,unsigned8\n# c\n1,2,y,string\n", "defs.csv:3: (1, 2) already defined on line 1"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.text);
        std::string what;
        try {
            (void)ie::parse_definitions(c.text, "defs.csv");
        } catch (const ie::DefinitionsError& e) {
            what = e.what();
        }
        CHECK(what.rfind(c.message, 0) == 0);
    }
    std::string what;
    try {
        (void)ie::load_definitions("/nonexistent/defs.csv");
    } catch (const ie::DefinitionsError& e) {
        what = e.what();
    }
    CHECK(what == "/nonexistent/defs.csv: cannot open");
}

TEST_CASE("RFC 5610 definitions are per session and come before the table") {
    ie::Definitions session;
    ie::TypeInformation info;
    info.pen = 12345;
    info.id = 7;
    info.name = "exporterField";
    info.data_type = 3;  // unsigned32
    info.semantics = 3;  // deltaCounter
    info.units = 3;      // packets
    CHECK(session.learn(info) == ie::LearnResult::learnt);
    CHECK(session.learn(info) == ie::LearnResult::unchanged);

    const ie::Element* e = ie::find_ipfix(12345, 7, &session);
    REQUIRE(e != nullptr);
    CHECK(e->type == ie::DataType::unsigned32);
    CHECK(e->semantics == ie::Semantics::deltaCounter);
    CHECK(e->units == "packets");
    CHECK(ie::field_name(12345, 7, e, false) == "12345:exporterField");
    CHECK(ie::find_ipfix(12345, 7) == nullptr);  // another session does not see it

    // An exporter's definition of a vendor element wins over the table, for that session only.
    ie::TypeInformation ntop{ie::kPenNtop, 80, "srcFragments", 4, 0, 0};
    CHECK(session.learn(ntop) == ie::LearnResult::learnt);
    CHECK(ie::find_ipfix(ie::kPenNtop, 80, &session)->type == ie::DataType::unsigned64);
    CHECK(ie::field_name(ie::kPenNtop, 80, ie::find_ipfix(ie::kPenNtop, 80, &session), false) == "ntop:srcFragments");
    CHECK(ie::find_ipfix(ie::kPenNtop, 80)->type == ie::DataType::unsigned16);

    // A redefinition leaves elements handed out before intact.
    info.data_type = 13;  // string
    CHECK(session.learn(info) == ie::LearnResult::learnt);
    CHECK(e->type == ie::DataType::unsigned32);
    CHECK(e->name == "exporterField");
    CHECK(ie::find_ipfix(12345, 7, &session)->type == ie::DataType::string);

    // Refused
    CHECK(session.learn({0, 1, "x", 1, 0, 0}) == ie::LearnResult::iana_scope);
    CHECK(session.learn({29305, 1, "x", 1, 0, 0}) == ie::LearnResult::iana_scope);
    CHECK(session.learn({1, 0x8000, "x", 1, 0, 0}) == ie::LearnResult::bad_id);
    CHECK(session.learn({1, 1, "", 1, 0, 0}) == ie::LearnResult::bad_name);
    CHECK(session.learn({1, 1, "a\tb", 1, 0, 0}) == ie::LearnResult::bad_name);
    CHECK(session.learn({1, 1, "x", 23, 0, 0}) == ie::LearnResult::bad_type);
    CHECK(ie::find_ipfix(0, 1, &session) == ie::find(0, 1));

    ie::Definitions small(2);
    CHECK(small.learn({1, 1, "a", 1, 0, 0}) == ie::LearnResult::learnt);
    CHECK(small.learn({1, 2, "b", 1, 0, 0}) == ie::LearnResult::learnt);
    CHECK(small.learn({1, 3, "c", 1, 0, 0}) == ie::LearnResult::full);
    CHECK(small.find(1, 3) == nullptr);
}

TEST_CASE("RFC 5610 codes") {
    CHECK(ie::data_type_from_code(0) == ie::DataType::octetArray);
    CHECK(ie::data_type_from_code(18) == ie::DataType::ipv4Address);
    CHECK(ie::data_type_from_code(22) == ie::DataType::subTemplateMultiList);
    CHECK(!ie::data_type_from_code(23).has_value());
    CHECK(ie::semantics_from_code(0) == ie::Semantics::none);
    CHECK(ie::semantics_from_code(8) == ie::Semantics::snmpGauge);
    CHECK(!ie::semantics_from_code(9).has_value());
    CHECK(ie::units_from_code(2) == "octets");
    CHECK(ie::units_from_code(0).empty());
    CHECK(ie::units_from_code(999).empty());
    CHECK(ie::data_type_from_name("dateTimeMilliseconds") == ie::DataType::dateTimeMilliseconds);
    CHECK(!ie::data_type_from_name("unsigned").has_value());
    CHECK(ie::describe(ie::LearnResult::full) == "too many definitions");
}

}  // TEST_SUITE("ie.definitions")
