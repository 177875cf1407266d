// SPDX-License-Identifier: MIT
// Data records handed over a data set at a time (DecodeSink::on_run): what a run shares, its
// records split on demand, where issues fall between runs, v5 records as runs, and the options
// state counting a run as its records.
#include <doctest/doctest.h>

#include <array>
#include <string>
#include <vector>

#include "../support/message_builder.hpp"
#include "nfpcap/analyze/options_state.hpp"
#include "nfpcap/netflow/decoder.hpp"

using namespace nfpcap;
using test::Msg;

namespace {

// What the decoder hands over, in order: "run N" (N records), "record", "issue <reason>".
class Journal final : public netflow::DecodeSink {
public:
    std::vector<std::string> events;
    std::vector<std::uint64_t> octets;  ///< octetDeltaCount of every record, in order

    void on_record(const netflow::DataRecord& r) override {
        events.emplace_back("record");
        keep(r);
    }
    void on_run(const netflow::RecordRun& run) override {
        events.push_back("run " + std::to_string(run.count));
        REQUIRE(run.bytes.size() == run.count * run.record_length());
        CHECK(run.shared.bytes.data() == run.bytes.data());
        CHECK(run.shared.values.empty());  // split on demand only
        std::vector<wire::Bytes> values(run.shared.tmpl->fields.size());
        for (std::size_t i = 0; i < run.count; ++i) {
            const netflow::DataRecord r = run.at(i, values.data());
            CHECK(r.context == run.shared.context);
            CHECK(r.header == run.shared.header);
            CHECK(r.tmpl == run.shared.tmpl);
            CHECK(r.bytes.data() == run.bytes.data() + i * run.record_length());
            REQUIRE(r.values.size() == run.shared.tmpl->fields.size());
            // Each value where the template places it in this record's bytes.
            for (std::size_t k = 0; k < r.values.size(); ++k) {
                CHECK(r.values[k].data() == r.bytes.data() + run.shared.tmpl->places[k].offset);
                CHECK(r.values[k].size() == run.shared.tmpl->places[k].length);
            }
            keep(r);
        }
    }
    void on_issue(const netflow::MessageContext&, const netflow::Issue& issue) override {
        events.push_back("issue " + std::string(netflow::name(issue.reason)));
    }

private:
    void keep(const netflow::DataRecord& r) { octets.push_back(wire::load_be(r.values[2].data(), r.values[2].size())); }
};

// A v9 message of one data set: (first, last, octets) per record, sysUpTime ms.
std::vector<std::byte> v9_set(const std::vector<std::array<std::uint32_t, 3>>& records) {
    Msg m = Msg::v9(0, 100000, 1700000000).templates().tmpl(256, {{22, 4}, {21, 4}, {1, 4}}).data(256);
    for (const auto& r : records) m.rec().u32(r[0]).u32(r[1]).u32(r[2]);
    return m.bytes();
}

netflow::MessageTally decode(const std::vector<std::byte>& bytes, netflow::DecodeSink& sink) {
    netflow::DecoderState state;
    netflow::MessageContext ctx;
    ctx.frame = 1;
    return netflow::decode_message(bytes, ctx, state, sink);
}

}  // namespace

TEST_SUITE("netflow.runs") {

TEST_CASE("a data set's records come as one run, in order") {
    Journal j;
    const auto tally = decode(v9_set({{1000, 2000, 10}, {1000, 2000, 20}, {1000, 2000, 30}}), j);
    CHECK(tally.data_records == 3);
    CHECK(j.events == std::vector<std::string>{"run 3"});
    CHECK(j.octets == std::vector<std::uint64_t>{10, 20, 30});
}

TEST_CASE("an issue of a record comes after the records before it and before it, as one by one") {
    Journal j;
    // The second record ends before it starts: time_reversed.
    decode(v9_set({{1000, 2000, 10}, {3000, 2000, 20}, {1000, 2000, 30}, {1000, 2000, 40}}), j);
    CHECK(j.events == std::vector<std::string>{"run 1", "issue time_reversed", "run 3"});
    CHECK(j.octets == std::vector<std::uint64_t>{10, 20, 30, 40});

    Journal first;  // the first record's issue: no empty run before it
    decode(v9_set({{3000, 2000, 10}, {1000, 2000, 20}}), first);
    CHECK(first.events == std::vector<std::string>{"issue time_reversed", "run 2"});
    CHECK(first.octets == std::vector<std::uint64_t>{10, 20});
}

TEST_CASE("v5 records come as runs too, split where an issue falls") {
    // (first, last, octets): a reversed second record, as in a v9 set.
    Msg m = Msg::v5(100000, 1700000000, 0);
    for (const auto& [first, last, octets] :
         std::vector<std::array<std::uint32_t, 3>>{{1000, 2000, 10}, {3000, 2000, 20}, {1000, 2000, 30}}) {
        m.rec().ip4("10.0.0.1").ip4("10.0.0.2").pad(8).u32(1).u32(octets).u32(first).u32(last).pad(16);
    }
    class Octets final : public netflow::DecodeSink {
    public:
        std::vector<std::string> events;
        std::vector<std::uint64_t> octets;
        void on_record(const netflow::DataRecord& r) override {
            events.emplace_back("record");
            // dOctets: the seventh field of the v5 layout, bytes 20-23.
            CHECK(r.values[6].data() == r.bytes.data() + 20);
            octets.push_back(wire::load_be(r.values[6].data(), r.values[6].size()));
        }
        void on_run(const netflow::RecordRun& run) override {
            events.push_back("run " + std::to_string(run.count));
            DecodeSink::on_run(run);  // each record to on_record
        }
        void on_issue(const netflow::MessageContext&, const netflow::Issue& issue) override {
            events.push_back("issue " + std::string(netflow::name(issue.reason)));
        }
    } sink;
    const auto tally = decode(m.bytes(), sink);
    CHECK(tally.data_records == 3);
    CHECK(sink.events ==
          std::vector<std::string>{"run 1", "record", "issue time_reversed", "run 2", "record", "record"});
    CHECK(sink.octets == std::vector<std::uint64_t>{10, 20, 30});
}

TEST_CASE("a sink without on_run gets each record through on_record") {
    class PerRecord final : public netflow::DecodeSink {
    public:
        std::vector<std::uint64_t> octets;
        void on_record(const netflow::DataRecord& r) override {
            octets.push_back(wire::load_be(r.values[2].data(), r.values[2].size()));
        }
    } sink;
    decode(v9_set({{1000, 2000, 10}, {1000, 2000, 20}}), sink);
    CHECK(sink.octets == std::vector<std::uint64_t>{10, 20});
}

TEST_CASE("the options state counts a run as many records as it holds") {
    analyze::OptionsSink batched;
    const auto message = v9_set({{1000, 2000, 10}, {1000, 2000, 20}, {1000, 2000, 30}});
    decode(message, batched);
    // The same records one by one.
    class OneByOne final : public netflow::DecodeSink {
    public:
        analyze::OptionsSink inner;
        void on_record(const netflow::DataRecord& r) override { inner.on_record(r); }
    } single;
    decode(message, single);
    const analyze::SessionOptions* a = batched.state().session(netflow::kNoSession);
    const analyze::SessionOptions* b = single.inner.state().session(netflow::kNoSession);
    REQUIRE(a != nullptr);
    REQUIRE(b != nullptr);
    CHECK(a->records == b->records);
    CHECK(a->records_by_interval == b->records_by_interval);
    CHECK(a->records[static_cast<std::size_t>(analyze::SamplingSource::none)] == 3);
}

}  // TEST_SUITE("netflow.runs")
