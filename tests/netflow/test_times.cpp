// SPDX-License-Identifier: MIT
// Flow times from every IPFIX time element and from sysUpTime: NTP eras, observation and
// collection times, one end from the other and the duration, uptime wrap and small clock skew.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>

#include "../support/collecting_sink.hpp"
#include "../support/message_builder.hpp"

using namespace nfpcap;
using test::Msg;

namespace {

constexpr std::int64_t kNs = 1'000'000'000;
constexpr std::int64_t kMs = 1'000'000;
constexpr std::uint64_t kNtpUnix = 2208988800ULL;  // seconds from 1900 to 1970

test::SeenRecord only(const std::vector<std::byte>& message, bool issues_expected = false) {
    netflow::DecoderState state;
    test::CollectingSink sink;
    test::decode(message, state, sink);
    CHECK(sink.issues.empty() != issues_expected);
    REQUIRE(sink.records.size() == 1);
    return sink.records[0];
}

}  // namespace

TEST_SUITE("netflow.times") {

TEST_CASE("NTP timestamps past 2036 are era 1, not 1900 (RFC 4330 §3)") {
    // 2040-01-01T00:00:00Z is 2208988800 unix seconds: NTP seconds 4417977600, past 2^32.
    const std::uint64_t unix_2040 = 2208988800ULL;
    const std::uint64_t ntp_seconds = (unix_2040 + kNtpUnix) - (1ULL << 32U);
    for (std::uint16_t id : {154, 156}) {  // flowStartMicroseconds, flowStartNanoseconds
        CAPTURE(id);
        const auto r = only(Msg::ipfix().templates().tmpl(256, {{id, 8}}).data(256).u64(ntp_seconds << 32U).bytes());
        REQUIRE(r.start_ns);
        CHECK(*r.start_ns == static_cast<std::int64_t>(unix_2040) * kNs);
        CHECK(r.fields[0].second.rfind("2040-01-01T00:00:00.000", 0) == 0);
    }
    // Era 0 (top bit set) stays where it was: 2023.
    const auto r =
        only(Msg::ipfix().templates().tmpl(256, {{154, 8}}).data(256).u64((kNtpUnix + 1700000000ULL) << 32U).bytes());
    CHECK(*r.start_ns == 1700000000LL * kNs);
}

TEST_CASE("event records: observation times (322-325) when there is no flow start or end") {
    SUBCASE("observationTimeMilliseconds (323), as ASA NSEL sends") {
        const auto r = only(Msg::ipfix().templates().tmpl(256, {{323, 8}}).data(256).u64(1700000000123ULL).bytes());
        CHECK(*r.start_ns == 1700000000123LL * kMs);
        CHECK(*r.end_ns == 1700000000123LL * kMs);
    }
    SUBCASE("observationTimeSeconds (322)") {
        const auto r = only(Msg::ipfix().templates().tmpl(256, {{322, 4}}).data(256).u32(1700000000).bytes());
        CHECK(*r.start_ns == 1700000000LL * kNs);
    }
    SUBCASE("observationTimeMicroseconds / Nanoseconds (324/325)") {
        const std::uint64_t ntp = ((kNtpUnix + 1700000000ULL) << 32U) | 0x80000000ULL;
        for (std::uint16_t id : {324, 325}) {
            const auto r = only(Msg::ipfix().templates().tmpl(256, {{id, 8}}).data(256).u64(ntp).bytes());
            CHECK(*r.start_ns == 1700000000LL * kNs + 500'000'000);
        }
    }
    SUBCASE("collectionTimeMilliseconds (258) last") {
        const auto r = only(Msg::ipfix().templates().tmpl(256, {{258, 8}}).data(256).u64(1700000000500ULL).bytes());
        CHECK(*r.start_ns == 1700000000500LL * kMs);
    }
    SUBCASE("flow times win over the observation time") {
        const auto r = only(Msg::ipfix()
                                .templates()
                                .tmpl(256, {{152, 8}, {323, 8}})
                                .data(256)
                                .u64(1700000000000ULL)
                                .u64(1700000009000ULL)
                                .bytes());
        CHECK(*r.start_ns == 1700000000000LL * kMs);
    }
}

TEST_CASE("the time plan: the first encoding a record can be read in wins, in the precedence of each part") {
    SUBCASE("compiled: roles the template lacks and fixed lengths no time fits in are left out") {
        // flowStartSeconds, a 16-byte flowStartMilliseconds (never readable), flowEndSysUpTime,
        // flowDurationMicroseconds
        const auto t = netflow::make_template(256, netflow::TemplateKind::data, 0,
                                              {{0, 150, 4}, {0, 152, 16}, {0, 21, 4}, {0, 162, 4}}, 10);
        const netflow::TimePlan& plan = t->time_plan;
        REQUIRE(plan.start.size == 1);
        CHECK(plan.start.roles[0] == netflow::TimeRole::start_seconds);
        REQUIRE(plan.end.size == 1);
        CHECK(plan.end.roles[0] == netflow::TimeRole::end_sysuptime);
        REQUIRE(plan.duration.size == 1);
        CHECK(plan.duration.roles[0] == netflow::TimeRole::duration_us);
        CHECK(plan.observed.empty());
        CHECK(netflow::make_template(257, netflow::TemplateKind::data, 0, {{0, 8, 4}}, 10)->time_plan.empty());
    }
    SUBCASE("a milliseconds start no time fits in: the seconds one is read") {
        const auto r = only(
            Msg::ipfix().templates().tmpl(256, {{152, 16}, {150, 4}}).data(256).u64(1).u64(2).u32(1700000000).bytes(),
            true);  // the length that does not fit is reported
        CHECK(*r.start_ns == 1700000000LL * kNs);
    }
    SUBCASE("a variable-length milliseconds end sent empty: the next encoding, at run time") {
        const auto r = only(
            Msg::ipfix().templates().tmpl(256, {{153, 65535}, {151, 4}}).data(256).varlen("").u32(1700000005).bytes(),
            true);  // the empty time is reported
        CHECK(*r.end_ns == 1700000005LL * kNs);
    }
}

TEST_CASE("time_anomalies (what the decoder counts) agrees with flow_times, fast paths or not") {
    using netflow::TemplateKind;
    // Fast paths (sysUpTime with a header uptime, milliseconds, seconds) and the general one.
    const std::vector<std::vector<netflow::RawField>> layouts = {
        {{0, 22, 4}, {0, 21, 4}},          {{0, 152, 8}, {0, 153, 8}}, {{0, 150, 4}, {0, 151, 4}},
        {{0, 150, 8}, {0, 151, 8}},        {{0, 152, 4}, {0, 153, 2}}, {{0, 156, 8}, {0, 157, 8}},
        {{0, 152, 8}, {0, 151, 4}},        {{0, 22, 4}, {0, 161, 4}},  {{0, 158, 4}, {0, 159, 4}},
        {{0, 153, 65535}, {0, 152, 65535}}};
    std::mt19937_64 random(7);
    int clamped = 0, reversed = 0, neither = 0;  // each case must come up, or the test says little
    for (std::size_t k = 0; k < layouts.size(); ++k) {
        for (std::uint8_t version : {std::uint8_t{9}, std::uint8_t{10}}) {
            const auto t = netflow::make_template(256, TemplateKind::data, 0, layouts[k], version);
            for (int round = 0; round < 400; ++round) {
                std::vector<std::byte> storage(16 * t->fields.size());
                for (auto& b : storage) b = static_cast<std::byte>(random());
                // Small values as often as huge ones: both sides of each clamping bound.
                if (round % 2 == 0) {
                    for (std::size_t i = 0; i < storage.size(); i += 8) storage[i] = std::byte{0};
                }
                std::vector<wire::Bytes> values;
                for (std::size_t i = 0; i < t->fields.size(); ++i) {
                    const std::size_t length = t->fields[i].length == netflow::kVariableLength
                                                   ? static_cast<std::size_t>(random() % 10)
                                                   : t->fields[i].length;
                    values.emplace_back(storage.data() + 16 * i, length);
                }
                netflow::ExportHeader h;
                h.version = version;
                h.has_uptime = version == 9;
                h.sys_uptime_ms = static_cast<std::uint32_t>(random());
                h.export_time_ns = static_cast<std::int64_t>(random() % (1ULL << 32U)) * kNs;
                const std::optional<std::int64_t> init =
                    round % 3 == 0 ? std::nullopt : std::optional(static_cast<std::int64_t>(random() >> 20U));
                CAPTURE(k);
                CAPTURE(round);
                const netflow::FlowTimes times = netflow::flow_times(*t, values, h, init);
                const netflow::TimeAnomalies anomalies = netflow::time_anomalies(*t, values, h, init);
                CHECK(anomalies.clamped == times.clamped);
                CHECK(anomalies.reversed == times.reversed());
                if (t->fixed_length) {
                    // The decoder's way for a fixed-length record: read from its bytes by the places.
                    std::vector<std::byte> record(t->min_record_length);
                    for (std::size_t i = 0; i < values.size(); ++i) {
                        std::copy(values[i].begin(), values[i].end(), record.begin() + t->places[i].offset);
                    }
                    const netflow::TimeAnomalies from_bytes = netflow::time_anomalies(*t, record.data(), h, init);
                    CHECK(from_bytes.clamped == times.clamped);
                    CHECK(from_bytes.reversed == times.reversed());
                }
                clamped += times.clamped ? 1 : 0;
                reversed += times.reversed() ? 1 : 0;
                neither += !times.clamped && !times.reversed() ? 1 : 0;
            }
        }
    }
    CHECK(clamped > 100);
    CHECK(reversed > 100);
    CHECK(neither > 100);
}

TEST_CASE("the end and the duration give the start") {
    const auto r = only(
        Msg::ipfix().templates().tmpl(256, {{153, 8}, {161, 4}}).data(256).u64(1700000010000ULL).u32(2500).bytes());
    CHECK(*r.end_ns == 1700000010000LL * kMs);
    CHECK(*r.start_ns == 1700000007500LL * kMs);
}

TEST_CASE("sysUpTime: across the 49.7-day wrap, and a little after the header's uptime") {
    // Header uptime 1000 ms, export at 1700000000 s.
    SUBCASE("v9: First from before the wrap is before the export time, not 49 days after") {
        const auto r = only(Msg::v9(0, 1000, 1700000000)
                                .templates()
                                .tmpl(256, {{22, 4}, {21, 4}})
                                .data(256)
                                .rec()
                                .u32(0xfffff000U)  // 4096 ms before the wrap
                                .u32(500)
                                .bytes());
        CHECK(*r.start_ns == 1700000000LL * kNs - (1000 + 4096) * kMs);
        CHECK(*r.end_ns == 1700000000LL * kNs - 500 * kMs);
    }
    SUBCASE("v9: Last 5 ms after the header's uptime (the exporter's clocks skew) is 5 ms after export") {
        const auto r = only(Msg::v9(0, 1000, 1700000000)
                                .templates()
                                .tmpl(256, {{22, 4}, {21, 4}})
                                .data(256)
                                .rec()
                                .u32(900)
                                .u32(1005)
                                .bytes());
        CHECK(*r.end_ns == 1700000000LL * kNs + 5 * kMs);
    }
    SUBCASE("v5: the same rules with the header's nanoseconds") {
        Msg m = Msg::v5(1000, 1700000000, 250'000'000);
        m.rec().ip4("10.0.0.1").ip4("10.0.0.2").pad(16).u32(0xfffff000U).u32(1005).pad(16);
        const auto r = only(m.bytes());
        CHECK(*r.start_ns == 1700000000LL * kNs + 250'000'000 - (1000 + 4096) * kMs);
        CHECK(*r.end_ns == 1700000000LL * kNs + 250'000'000 + 5 * kMs);
    }
}

}  // TEST_SUITE("netflow.times")
