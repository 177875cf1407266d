// SPDX-License-Identifier: MIT
// Options data joined to data records: sampling from every place exporters put it (v5 header,
// v9 / IPFIX 34/35, sampler options 48-50, PSAMP 304-311), interface and VRF names, exporter
// addresses; per session.
#include <doctest/doctest.h>

#include <map>
#include <vector>

#include "../support/message_builder.hpp"
#include "nfpcap/analyze/options_state.hpp"
#include "nfpcap/netflow/decoder.hpp"

using namespace nfpcap;
using analyze::Sampling;
using analyze::SamplingSource;
using test::F;
using test::Msg;

namespace {

// Feeds messages through one decoder state per session into an OptionsState, keeping each data
// record's resolved sampling and joined names (copied: the views end with the callback).
struct Joined {
    Sampling sampling;
    std::string ingress_name, egress_name, ingress_description, ingress_vrf, egress_vrf, sampler_name;
    std::optional<wire::IpAddress> exporter_address;
    std::int64_t split_gap_ns = 0;
};

class Feed final : public netflow::DecodeSink {
public:
    analyze::OptionsState options;
    std::vector<Joined> records;
    std::vector<std::optional<Sampling>> announced;  // per options record

    void send(const std::vector<std::byte>& message, std::uint32_t session = 0) {
        if (states_.size() <= session) states_.resize(session + 1);
        netflow::MessageContext ctx;
        ctx.frame = ++frame_;
        ctx.session = session;
        const auto tally = netflow::decode_message(message, ctx, states_[session], *this);
        CHECK_FALSE(tally.fatal);
        CHECK(tally.data_loss_issues == 0);
    }
    void on_record(const netflow::DataRecord& r) override {
        if (r.is_options()) {
            announced.push_back(analyze::announced_rate(r));
            options.learn(r);
            return;
        }
        const analyze::JoinedOptions j = options.resolve_join(r);
        records.push_back({j.sampling, std::string(j.ingress_interface_name), std::string(j.egress_interface_name),
                           std::string(j.ingress_interface_description), std::string(j.ingress_vrf_name),
                           std::string(j.egress_vrf_name), std::string(j.sampler_name), j.exporter_address,
                           options.split_gap_ns(r)});
    }

private:
    std::vector<netflow::DecoderState> states_;
    std::uint64_t frame_ = 0;
};

// A data record of template 256: source, destination, and a 1-byte samplerId (48).
std::vector<std::byte> flow_naming_sampler(std::uint8_t sampler) {
    return Msg::v9()
        .templates()
        .tmpl(256, {{8, 4}, {12, 4}, {48, 1}})
        .data(256)
        .rec()
        .ip4("10.0.0.1")
        .ip4("10.0.0.2")
        .u8(sampler)
        .pad(3)
        .bytes();
}

std::vector<std::byte> plain_ipfix_flow(std::uint32_t domain = 0) {
    return Msg::ipfix(domain)
        .templates()
        .tmpl(256, {{8, 4}, {12, 4}})
        .data(256)
        .ip4("10.0.0.1")
        .ip4("10.0.0.2")
        .bytes();
}

// A v5 message of one record; `sampling` is the header's raw mode/interval word.
std::vector<std::byte> v5(std::uint16_t sampling) {
    Msg m = Msg::v5(100000, 1700000000, 0, 0, sampling);
    m.rec().ip4("10.0.0.1").ip4("10.0.0.2").pad(40);
    return m.bytes();
}

}  // namespace

TEST_SUITE("analyze.sampling") {

TEST_CASE("the v5 header: interval with or without a mode, a mode without an interval is unknown") {
    Feed f;
    f.send(v5(0x4004));  // mode 1, interval 4 (softflowd -s 4)
    f.send(v5(64));      // interval 64, no mode
    f.send(v5(0x8000));  // random, interval 0: sampled, rate not said
    f.send(v5(0));       // not sampled
    REQUIRE(f.records.size() == 4);
    CHECK(f.records[0].sampling == Sampling{4, SamplingSource::header, 1});
    CHECK(f.records[1].sampling == Sampling{64, SamplingSource::header, 0});
    CHECK(f.records[2].sampling.source == SamplingSource::unknown);
    CHECK_FALSE(f.records[2].sampling.known());
    CHECK(f.records[3].sampling == Sampling{});
}

TEST_CASE("records by interval: per session, sessions alternating and added, in a copy of the state") {
    Feed f;
    f.send(v5(4), 0);
    f.send(v5(8), 5);  // a new session: the state's sessions move
    f.send(v5(4), 0);
    f.send(v5(16), 0);
    f.send(v5(8), 5);
    f.send(v5(4), 0);
    using Counts = std::map<std::uint32_t, std::uint64_t>;
    CHECK(f.options.session(0)->records_by_interval == Counts{{4, 3}, {16, 1}});
    CHECK(f.options.session(5)->records_by_interval == Counts{{8, 2}});
    // A copy counts in its own maps, and so does the state a copy is assigned to.
    const analyze::OptionsState before = f.options;
    f.options = before;
    f.send(v5(4), 0);
    CHECK(f.options.session(0)->records_by_interval == Counts{{4, 4}, {16, 1}});
    CHECK(before.session(0)->records_by_interval == Counts{{4, 3}, {16, 1}});
}

TEST_CASE("records by interval: at most kMaxEntries intervals, those already in go on counting") {
    // IPFIX records that carry their own samplingInterval (34): intervals from `first`, 1000 a message.
    auto records = [](std::uint32_t first) {
        Msg m = Msg::ipfix();
        m.templates().tmpl(257, {{8, 4}, {12, 4}, {34, 4}}).data(257);
        for (std::uint32_t i = 0; i < 1000; ++i) m.ip4("10.0.0.1").ip4("10.0.0.2").u32(first + i);
        return m.bytes();
    };
    constexpr std::size_t kMax = analyze::OptionsState::kMaxEntries;
    Feed f;
    for (std::uint32_t first = 2; first < kMax + 1000; first += 1000) f.send(records(first));
    const auto& by_interval = f.options.session(0)->records_by_interval;
    CHECK(by_interval.size() == kMax);
    CHECK(by_interval.at(2) == 1);
    CHECK(by_interval.count(kMax + 2) == 0);  // past the bound: not counted by interval
    f.send(records(2));                       // intervals already in: counted
    CHECK(by_interval.size() == kMax);
    CHECK(by_interval.at(2) == 2);
    CHECK(by_interval.at(1001) == 2);
    CHECK(f.options.session(0)->records[static_cast<std::size_t>(SamplingSource::record)] == f.records.size());
}

TEST_CASE("v9 session options (softflowd): SAMPLING_INTERVAL / SAMPLING_ALGORITHM, scope interface") {
    Feed f;
    f.send(Msg::v9()
               .options_templates()
               .options_tmpl(257, {{2, 4}}, {{34, 4}, {35, 1}, {82, 8}})
               .data(257)
               .rec()
               .u32(0)
               .u32(4)
               .u8(1)
               .text("eth0")
               .pad(4)
               .pad(3)
               .templates()
               .tmpl(256, {{8, 4}, {12, 4}, {10, 4}})
               .data(256)
               .rec()
               .ip4("10.0.0.1")
               .ip4("10.0.0.2")
               .u32(0)
               .bytes());
    REQUIRE(f.records.size() == 1);
    CHECK(f.records[0].sampling == Sampling{4, SamplingSource::session, 1});
    CHECK(f.records[0].ingress_name == "eth0");  // joined by the interface scope
    const auto* s = f.options.session(0);
    REQUIRE(s != nullptr);
    CHECK(s->records[static_cast<std::size_t>(SamplingSource::session)] == 1);
    CHECK(s->records_by_interval.at(4) == 1);
}

TEST_CASE("sampler options (pmacct): FLOW_SAMPLER_ID / MODE / RANDOM_INTERVAL joined by the record's sampler ID") {
    Feed f;
    const auto sampler_options = Msg::v9()
                                     .options_templates()
                                     .options_tmpl(4096, {{1, 4}}, {{48, 1}, {49, 1}, {50, 4}, {84, 8}})
                                     .data(4096)
                                     .rec()
                                     .u32(0)
                                     .u8(1)
                                     .u8(2)
                                     .u32(4)
                                     .text("nfprobe")
                                     .pad(1)
                                     .pad(2)
                                     .bytes();
    SUBCASE("options first: every record at the sampler's rate") {
        f.send(sampler_options);
        f.send(flow_naming_sampler(1));
        REQUIRE(f.records.size() == 1);
        CHECK(f.records[0].sampling == Sampling{4, SamplingSource::sampler, 2});
        CHECK(f.records[0].sampler_name == "nfprobe");
        REQUIRE(f.announced.size() == 1);
        REQUIRE(f.announced[0]);
        CHECK(f.announced[0]->interval == 4);
    }
    SUBCASE("a record naming a sampler nothing described is flagged, not silently 1 in 1") {
        f.send(flow_naming_sampler(1));
        f.send(sampler_options);
        f.send(flow_naming_sampler(1));
        f.send(flow_naming_sampler(7));
        REQUIRE(f.records.size() == 3);
        CHECK(f.records[0].sampling.source == SamplingSource::unknown);
        CHECK(f.records[1].sampling == Sampling{4, SamplingSource::sampler, 2});
        CHECK(f.records[2].sampling.source == SamplingSource::unknown);
        const auto* s = f.options.session(0);
        REQUIRE(s != nullptr);
        CHECK(s->records[static_cast<std::size_t>(SamplingSource::unknown)] == 2);
        CHECK(s->records[static_cast<std::size_t>(SamplingSource::sampler)] == 1);
    }
    SUBCASE("sampler 0 is Cisco's unsampled traffic when no sampler 0 was described") {
        f.send(sampler_options);
        f.send(flow_naming_sampler(0));
        REQUIRE(f.records.size() == 1);
        CHECK(f.records[0].sampling == Sampling{});
    }
    SUBCASE("sessions are apart: another session's sampler does not apply") {
        f.send(sampler_options, 0);
        f.send(flow_naming_sampler(1), 1);
        REQUIRE(f.records.size() == 1);
        CHECK(f.records[0].sampling.source == SamplingSource::unknown);
    }
}

TEST_CASE("IPFIX: samplingInterval in the record itself, then its sampler, then the session") {
    Feed f;
    f.send(Msg::ipfix()
               .options_templates()
               .options_tmpl(300, {{144, 4}}, {{48, 1}, {49, 1}, {50, 4}})  // pmacct: scope exportingProcessId
               .options_tmpl(301, {{149, 4}}, {{34, 4}, {35, 1}})
               .data(300)
               .u32(0)
               .u8(1)
               .u8(2)
               .u32(4)
               .data(301)
               .u32(0)
               .u32(100)
               .u8(1)
               .templates()
               .tmpl(256, {{8, 4}, {12, 4}, {48, 1}})
               .tmpl(257, {{8, 4}, {12, 4}, {34, 4}})
               .tmpl(258, {{8, 4}, {12, 4}})
               .data(256)
               .ip4("10.0.0.1")
               .ip4("10.0.0.2")
               .u8(1)
               .data(257)
               .ip4("10.0.0.1")
               .ip4("10.0.0.2")
               .u32(1000)
               .data(258)
               .ip4("10.0.0.1")
               .ip4("10.0.0.2")
               .bytes());
    REQUIRE(f.records.size() == 3);
    CHECK(f.records[0].sampling == Sampling{4, SamplingSource::sampler, 2});
    CHECK(f.records[1].sampling == Sampling{1000, SamplingSource::record, 0});
    CHECK(f.records[2].sampling == Sampling{100, SamplingSource::session, 1});
}

TEST_CASE("PSAMP (RFC 5477): count-based, n-out-of-N, probabilistic; time-based has no packet ratio") {
    struct Case {
        const char* what;
        std::vector<std::byte> message;
        Sampling expected;
    };
    const std::vector<Case> cases{
        {"305/306: 1 taken, 3 skipped (softflowd)",
         Msg::ipfix()
             .options_templates()
             .options_tmpl(300, {{143, 4}}, {{304, 2}, {305, 4}, {306, 4}})
             .data(300)
             .u32(1)
             .u16(1)
             .u32(1)
             .u32(3)
             .bytes(),
         {4, SamplingSource::session, 101}},
        {"309/310: 10 of every 1000",
         Msg::ipfix()
             .options_templates()
             .options_tmpl(300, {{143, 4}}, {{304, 2}, {309, 4}, {310, 4}})
             .data(300)
             .u32(1)
             .u16(3)
             .u32(10)
             .u32(1000)
             .bytes(),
         {100, SamplingSource::session, 103}},
        {"311: probability 0.25",
         Msg::ipfix()
             .options_templates()
             .options_tmpl(300, {{143, 4}}, {{304, 2}, {311, 8}})
             .data(300)
             .u32(1)
             .u16(4)
             .u64(0x3fd0000000000000ULL)
             .bytes(),
         {4, SamplingSource::session, 104}},
        {"307/308: time-based",
         Msg::ipfix()
             .options_templates()
             .options_tmpl(300, {{143, 4}}, {{304, 2}, {307, 4}, {308, 4}})
             .data(300)
             .u32(1)
             .u16(2)
             .u32(1000)
             .u32(9000)
             .bytes(),
         {1, SamplingSource::unknown, 102}},
        {"304 = 5: property match filtering takes every matching packet",
         Msg::ipfix().options_templates().options_tmpl(300, {{143, 4}}, {{304, 2}}).data(300).u32(1).u16(5).bytes(),
         {1, SamplingSource::session, 105}},
    };
    for (const Case& c : cases) {
        CAPTURE(c.what);
        Feed f;
        f.send(c.message);
        f.send(plain_ipfix_flow());
        REQUIRE(f.records.size() == 1);
        CHECK(f.records[0].sampling == c.expected);
    }
}

TEST_CASE("PSAMP selectors by selectorId (302)") {
    Feed f;
    f.send(Msg::ipfix()
               .options_templates()
               .options_tmpl(300, {{302, 8}}, {{304, 2}, {305, 4}, {306, 4}, {335, 4}})
               .data(300)
               .u64(9)
               .u16(1)
               .u32(1)
               .u32(9)
               .text("sel9")
               .templates()
               .tmpl(256, {{8, 4}, {12, 4}, {302, 8}})
               .data(256)
               .ip4("10.0.0.1")
               .ip4("10.0.0.2")
               .u64(9)
               .bytes());
    REQUIRE(f.records.size() == 1);
    CHECK(f.records[0].sampling == Sampling{10, SamplingSource::sampler, 101});
    CHECK(f.records[0].sampler_name == "sel9");
}

TEST_CASE("a record that says it was sampled but not at what rate is unknown") {
    Feed f;
    f.send(Msg::ipfix()
               .templates()
               .tmpl(256, {{8, 4}, {12, 4}, {35, 1}})
               .data(256)
               .ip4("10.0.0.1")
               .ip4("10.0.0.2")
               .u8(2)
               .bytes());
    REQUIRE(f.records.size() == 1);
    CHECK(f.records[0].sampling.source == SamplingSource::unknown);
}

}  // TEST_SUITE("analyze.sampling")

TEST_SUITE("analyze.options") {

TEST_CASE("interface names and descriptions (82/83) by ingress/egressInterface, VRF names (236)") {
    Feed f;
    f.send(Msg::ipfix(5)
               .options_templates()
               .options_tmpl(300, {{10, 4}}, {{82, 8}, {83, 16}})
               .options_tmpl(301, {{234, 4}}, {{236, 8}})
               .data(300)
               .u32(3)
               .text("Gi0/3")
               .pad(3)
               .text("uplink")
               .pad(10)
               .u32(7)
               .text("Gi0/7")
               .pad(3)
               .pad(16)
               .data(301)
               .u32(42)
               .text("blue")
               .pad(4)
               .templates()
               .tmpl(256, {{8, 4}, {12, 4}, {10, 4}, {14, 4}, {234, 4}, {235, 4}})
               .data(256)
               .ip4("10.0.0.1")
               .ip4("10.0.0.2")
               .u32(3)
               .u32(7)
               .u32(42)
               .u32(43)
               .bytes());
    REQUIRE(f.records.size() == 1);
    const Joined& j = f.records[0];
    CHECK(j.ingress_name == "Gi0/3");
    CHECK(j.egress_name == "Gi0/7");
    CHECK(j.ingress_description == "uplink");
    CHECK(j.ingress_vrf == "blue");
    CHECK(j.egress_vrf.empty());  // VRF 43 was never named
}

TEST_CASE("Cisco's interface table: scope System, INPUT_SNMP and IF_NAME as option fields") {
    Feed f;
    f.send(Msg::v9()
               .options_templates()
               .options_tmpl(259, {{1, 4}}, {{10, 4}, {82, 8}})
               .data(259)
               .rec()
               .ip4("192.0.2.1")
               .u32(12)
               .text("Te0/0/1")
               .pad(1)
               .templates()
               .tmpl(256, {{8, 4}, {12, 4}, {10, 2}, {14, 2}})
               .data(256)
               .rec()
               .ip4("10.0.0.1")
               .ip4("10.0.0.2")
               .u16(12)
               .u16(12)
               .bytes());
    REQUIRE(f.records.size() == 1);
    CHECK(f.records[0].ingress_name == "Te0/0/1");
    CHECK(f.records[0].egress_name == "Te0/0/1");
}

TEST_CASE("the metering process's timeouts (36/37, Cisco's FLOW_ACTIVE/INACTIVE_TIMEOUT) give the split gap") {
    Feed f;
    f.send(Msg::v9()
               .options_templates()
               .options_tmpl(257, {{1, 4}}, {{36, 2}, {37, 2}})
               .data(257)
               .rec()
               .u32(0)
               .u16(1800)
               .u16(15)
               .templates()
               .tmpl(256, {{8, 4}, {12, 4}})
               .data(256)
               .rec()
               .ip4("10.0.0.1")
               .ip4("10.0.0.2")
               .bytes());
    const auto* s = f.options.session(0);
    REQUIRE(s != nullptr);
    CHECK(s->active_timeout_s == 1800U);
    CHECK(s->idle_timeout_s == 15U);
    REQUIRE(f.records.size() == 1);
    CHECK(f.records[0].split_gap_ns == 1800LL * 1'000'000'000);
    // Another session announced nothing; IPFIX with only an idle timeout.
    f.send(plain_ipfix_flow(), 1);
    CHECK(f.options.session(1)->active_timeout_s == std::nullopt);
    CHECK(f.records.back().split_gap_ns == 0);
    f.send(Msg::ipfix()
               .options_templates()
               .options_tmpl(300, {{144, 4}}, {{37, 2}, {36, 2}})
               .data(300)
               .u32(0)
               .u16(30)
               .u16(0)  // 0: none said
               .bytes(),
           2);
    CHECK(f.options.session(2)->idle_timeout_s == 30U);
    CHECK(f.options.session(2)->active_timeout_s == std::nullopt);
}

TEST_CASE("the exporter's own address (130/131) from options data") {
    Feed f;
    f.send(Msg::ipfix()
               .options_templates()
               .options_tmpl(300, {{144, 4}}, {{130, 4}, {131, 16}})
               .data(300)
               .u32(0)
               .ip4("198.51.100.7")
               .ip6("2001:db8::7")
               .bytes());
    f.send(plain_ipfix_flow());
    REQUIRE(f.records.size() == 1);
    REQUIRE(f.records[0].exporter_address);
    CHECK(wire::to_string(*f.records[0].exporter_address) == "198.51.100.7");
}

}  // TEST_SUITE("analyze.options")
