// SPDX-License-Identifier: MIT
// The record formats: one formatter per format, IANA names as keys and CSV columns.
#include <doctest/doctest.h>

#include "../support/message_builder.hpp"
#include "nfpcap/report/connection_report.hpp"
#include "nfpcap/report/record_writer.hpp"

using namespace nfpcap;
using test::Msg;

namespace {

/// Formats every data record of `messages` (decoded in order with one state) with `format`.
std::string format_all(report::Format format, const std::vector<std::vector<std::byte>>& messages) {
    class Sink final : public netflow::DecodeSink {
    public:
        explicit Sink(report::RecordFormatter& f) : f_(f) {}
        void on_record(const netflow::DataRecord& r) override { f_.record(out, r, {}); }
        report::Buffer out;

    private:
        report::RecordFormatter& f_;
    };
    auto formatter = report::make_record_formatter(format);
    Sink sink(*formatter);
    formatter->begin(sink.out);
    netflow::DecoderState state;
    std::uint64_t frame = 0;
    for (const auto& m : messages) {
        netflow::MessageContext context;
        context.frame = ++frame;
        context.exporter = {wire::IpAddress::parse("192.0.2.1"), 4739};
        netflow::decode_message(m, context, state, sink);
    }
    return fmt::to_string(sink.out);
}

std::vector<std::byte> flow_template() {
    return Msg::ipfix(1)
        .templates()
        .tmpl(256, {{8, 4}, {12, 4}, {7, 2}, {11, 2}, {4, 1}, {6, 1}, {2, 8}, {1, 8}})
        .bytes();
}

std::vector<std::byte> flow_data() {
    return Msg::ipfix(1)
        .data(256)
        .ip4("10.0.0.1")
        .ip4("10.0.0.2")
        .u16(40000)
        .u16(443)
        .u8(6)
        .u8(0x1b)  // ACK PSH SYN FIN
        .u64(12)
        .u64(3456)
        .bytes();
}

}  // namespace

TEST_SUITE("report.formats") {

TEST_CASE("format names parse case-insensitively and list as help text") {
    CHECK(report::parse_format("JSON") == report::Format::json);
    CHECK(report::parse_format("line") == report::Format::line);
    CHECK_FALSE(report::parse_format("xml"));
    const report::Format three[] = {report::Format::text, report::Format::json, report::Format::csv};
    CHECK(report::describe_choices(three) == "text, json or csv");
}

TEST_CASE("CSV: a header of IANA names, typed columns, every field in one quoted column") {
    const std::string csv = format_all(report::Format::csv, {flow_template(), flow_data()});
    const auto header_end = csv.find('\n');
    REQUIRE(header_end != std::string::npos);
    CHECK(csv.substr(0, header_end) ==
          "frame,time,exporter,version,domain,template,kind,late,template_frame,start,end,sourceIPv4Address,"
          "sourceIPv6Address,"
          "sourceTransportPort,destinationIPv4Address,destinationIPv6Address,destinationTransportPort,"
          "protocolIdentifier,packetDeltaCount,octetDeltaCount,fields");
    const std::string row = csv.substr(header_end + 1);
    CHECK(row.find(",10.0.0.1,,40000,10.0.0.2,,443,6,12,3456,\"sourceIPv4Address=10.0.0.1 ") != std::string::npos);
    CHECK(row.back() == '\n');
}

TEST_CASE("late records say so with the frame of their template; --provenance says it for every record") {
    for (auto format : {report::Format::json, report::Format::text, report::Format::csv}) {
        CAPTURE(report::name(format));
        class Sink final : public netflow::DecodeSink {
        public:
            explicit Sink(report::RecordFormatter& f) : f_(f) {}
            void on_record(const netflow::DataRecord& r) override {
                netflow::DataRecord late = r;
                late.late = true;
                f_.record(late_out, late, {});
                f_.record(provenance_out, r, {{}, true});
                f_.record(plain_out, r, {});
            }
            report::Buffer late_out, provenance_out, plain_out;

        private:
            report::RecordFormatter& f_;
        };
        auto formatter = report::make_record_formatter(format);
        Sink sink(*formatter);
        netflow::DecoderState state;
        netflow::MessageContext context;
        context.frame = 4;
        netflow::decode_message(flow_template(), context, state, sink);
        context.frame = 9;
        netflow::decode_message(flow_data(), context, state, sink);
        const std::string late = fmt::to_string(sink.late_out);
        const std::string provenance = fmt::to_string(sink.provenance_out);
        const std::string plain = fmt::to_string(sink.plain_out);
        if (format == report::Format::json) {
            CHECK(late.find(R"("template":256,"late":true,"template_frame":4,)") != std::string::npos);
            CHECK(provenance.find(R"("template":256,"template_frame":4,)") != std::string::npos);
            CHECK(plain.find("template_frame") == std::string::npos);
            CHECK(plain.find("\"late\"") == std::string::npos);  // ("template" holds "late")
        } else if (format == report::Format::text) {
            CHECK(late.find(" template=256 late template_frame=4 ") != std::string::npos);
            CHECK(provenance.find(" template=256 template_frame=4 ") != std::string::npos);
            CHECK(plain.find("template_frame") == std::string::npos);
        } else {
            CHECK(late.find(",256,data,true,4,") != std::string::npos);
            CHECK(provenance.find(",256,data,,4,") != std::string::npos);
            CHECK(plain.find(",256,data,,,") != std::string::npos);
        }
    }
}

TEST_CASE("CSV: quotes inside the fields column are doubled") {
    auto t = Msg::ipfix(1).templates().tmpl(256, {{82, 65535}}).bytes();  // interfaceName (string)
    auto d = Msg::ipfix(1).data(256).varlen("eth\"0").bytes();
    const std::string csv = format_all(report::Format::csv, {t, d});
    // The text style escapes the string as JSON does ("eth\"0"); CSV doubles each quote.
    CHECK(csv.find(R"(,"interfaceName=""eth\""0"""
)") != std::string::npos);
}

TEST_CASE("line: one compact row per flow, nfdump's flag letters") {
    const std::string text = format_all(report::Format::line, {flow_template(), flow_data()});
    CHECK(text.rfind("Date first seen (UTC)", 0) == 0);
    const std::string row = text.substr(text.find('\n') + 1);
    CHECK(row.find("TCP") != std::string::npos);
    CHECK(row.find("10.0.0.1:40000 -> 10.0.0.2:443") != std::string::npos);
    CHECK(row.find(".AP.SF") != std::string::npos);
    CHECK(row.find(" 12 ") != std::string::npos);
    CHECK(row.find(" 3456\n") != std::string::npos);
    CHECK(report::tcp_flag_letters(0) == "......");
    CHECK(report::tcp_flag_letters(0x3f) == "UAPRSF");
    CHECK(report::tcp_flag_letters(0x12) == ".A..S.");
}

TEST_CASE("JSON: IANA names as keys, the same through the key cache as without it") {
    const std::string json = format_all(report::Format::json, {flow_template(), flow_data()});
    CHECK(json.find(
              R"("sourceIPv4Address":"10.0.0.1","destinationIPv4Address":"10.0.0.2","sourceTransportPort":40000)") !=
          std::string::npos);
    CHECK(json.find(R"("octetDeltaCount":3456})") != std::string::npos);
    // Twice the same record: the cached keys give the same text.
    const std::string twice = format_all(report::Format::json, {flow_template(), flow_data(), flow_data()});
    const auto first = twice.substr(0, twice.find('\n'));
    const auto second = twice.substr(twice.find('\n') + 1, first.size());
    CHECK(first.substr(first.find("\"sourceIPv4Address\"")) == second.substr(second.find("\"sourceIPv4Address\"")));
}

}  // TEST_SUITE("report.formats")
