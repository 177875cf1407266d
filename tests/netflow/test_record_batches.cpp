// SPDX-License-Identifier: MIT
// Data records handed over a data set at a time (DecodeSink::on_records): what a batch shares,
// where issues fall between batches, and the options state counting a batch as its records.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "../support/message_builder.hpp"
#include "nfpcap/analyze/options_state.hpp"
#include "nfpcap/netflow/decoder.hpp"

using namespace nfpcap;
using test::Msg;

namespace {

// What the decoder hands over, in order: "batch N" (N records), "record", "issue <reason>".
class Journal final : public netflow::DecodeSink {
public:
    std::vector<std::string> events;
    std::vector<std::uint64_t> octets;  ///< octetDeltaCount of every record, in order

    void on_record(const netflow::DataRecord& r) override {
        events.emplace_back("record");
        keep(r);
    }
    void on_records(std::span<const netflow::DataRecord> records) override {
        events.push_back("batch " + std::to_string(records.size()));
        for (const netflow::DataRecord& r : records) {
            CHECK(r.context == records.front().context);
            CHECK(r.header == records.front().header);
            CHECK(r.tmpl == records.front().tmpl);
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

TEST_SUITE("netflow.batches") {

TEST_CASE("a data set's records come as one batch, in order") {
    Journal j;
    const auto tally = decode(v9_set({{1000, 2000, 10}, {1000, 2000, 20}, {1000, 2000, 30}}), j);
    CHECK(tally.data_records == 3);
    CHECK(j.events == std::vector<std::string>{"batch 3"});
    CHECK(j.octets == std::vector<std::uint64_t>{10, 20, 30});
}

TEST_CASE("an issue of a record comes after the records before it and before it, as one by one") {
    Journal j;
    // The second record ends before it starts: time_reversed.
    decode(v9_set({{1000, 2000, 10}, {3000, 2000, 20}, {1000, 2000, 30}, {1000, 2000, 40}}), j);
    CHECK(j.events == std::vector<std::string>{"batch 1", "issue time_reversed", "batch 3"});
    CHECK(j.octets == std::vector<std::uint64_t>{10, 20, 30, 40});

    Journal first;  // the first record's issue: no empty batch before it
    decode(v9_set({{3000, 2000, 10}, {1000, 2000, 20}}), first);
    CHECK(first.events == std::vector<std::string>{"issue time_reversed", "batch 2"});
    CHECK(first.octets == std::vector<std::uint64_t>{10, 20});
}

TEST_CASE("a sink without on_records gets each record through on_record") {
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

TEST_CASE("the options state counts a batch as many records as it holds") {
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

}  // TEST_SUITE("netflow.batches")
