// SPDX-License-Identifier: MIT
// Template compilation: offsets, record lengths, kinds, time roles, repeated elements, length
// mismatches and NetFlow v9 scope fields, asserted on the compiled plan itself; and what
// holds templates for later (TemplateCache, RecordBatch).
#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "nfpcap/ie/registry.hpp"
#include "nfpcap/netflow/record_batch.hpp"
#include "nfpcap/netflow/template.hpp"
#include "nfpcap/netflow/template_cache.hpp"

using namespace nfpcap;
using netflow::FieldKind;
using netflow::kVariableLength;
using netflow::RawField;
using netflow::TemplateKind;
using netflow::TimeRole;

namespace {

std::shared_ptr<netflow::Template> ipfix(const std::vector<RawField>& fields) {
    return netflow::make_template(256, TemplateKind::data, 0, fields, 10);
}

std::int16_t time_field(const netflow::Template& t, TimeRole role) {
    return t.time_field[static_cast<std::size_t>(role)];
}

std::vector<std::byte> bytes_of(std::initializer_list<unsigned> values) {
    std::vector<std::byte> out;
    for (unsigned v : values) out.push_back(static_cast<std::byte>(v));
    return out;
}

}  // namespace

TEST_SUITE("netflow.template") {
TEST_CASE("a fixed-length template: offsets are the running sum of the lengths") {
    // sourceIPv4Address, destinationIPv4Address, sourceTransportPort, destinationTransportPort,
    // protocolIdentifier, octetDeltaCount (reduced to 4 bytes), packetDeltaCount
    const auto t = ipfix({{0, 8, 4}, {0, 12, 4}, {0, 7, 2}, {0, 11, 2}, {0, 4, 1}, {0, 1, 4}, {0, 2, 8}});
    CHECK(t->fixed_length);
    CHECK(t->min_record_length == 25);
    CHECK_FALSE(t->needs_value_check);
    CHECK_FALSE(t->has_lists);
    CHECK(t->anomalies == 0);
    const std::vector<std::uint32_t> offsets{0, 4, 8, 10, 12, 13, 17};
    REQUIRE(t->fields.size() == offsets.size());
    for (std::size_t i = 0; i < offsets.size(); ++i) {
        CAPTURE(i);
        CHECK(t->fields[i].offset == offsets[i]);
        CHECK_FALSE(t->fields[i].scope);
        CHECK(t->fields[i].repeat_count == 1);
    }
    CHECK(t->fields[0].name == "sourceIPv4Address");
    CHECK(t->fields[0].kind == FieldKind::ipv4);
    CHECK(t->fields[2].name == "sourceTransportPort");
    CHECK(t->fields[2].kind == FieldKind::unsigned_int);
    CHECK(t->fields[5].name == "octetDeltaCount");
    CHECK(t->fields[5].kind == FieldKind::unsigned_int);  // reduced size (RFC 7011 §6.2) fits
    CHECK_FALSE(t->fields[5].length_mismatch);
}

TEST_CASE("the built-in v5 and v1 layouts keep the formats' padding") {
    const netflow::Template& v5 = netflow::v5_template();
    CHECK(v5.version == 5);
    CHECK(v5.fixed_length);
    CHECK(v5.min_record_length == 48);  // the record, padding included
    REQUIRE(v5.fields.size() == 18);
    CHECK(v5.fields[0].name == "sourceIPv4Address");
    CHECK(v5.fields[0].offset == 0);
    CHECK(v5.fields[9].name == "sourceTransportPort");
    CHECK(v5.fields[9].offset == 32);
    CHECK(v5.fields[11].name == "tcpControlBits");
    CHECK(v5.fields[11].offset == 37);  // after pad1 at 36
    CHECK(v5.fields[17].name == "destinationIPv4PrefixLength");
    CHECK(v5.fields[17].offset == 45);  // pad2 at 46-47
    CHECK(time_field(v5, TimeRole::start_sysuptime) == 7);
    CHECK(time_field(v5, TimeRole::end_sysuptime) == 8);
    // The places records are split by are the format's offsets, padding skipped (they were
    // once the running sum of the lengths, as for a template).
    for (const netflow::Template* t : {&v5, &netflow::v1_template(), &netflow::v7_template()}) {
        REQUIRE(t->places.size() == t->fields.size());
        for (std::size_t i = 0; i < t->fields.size(); ++i) {
            CHECK(t->places[i].offset == t->fields[i].offset);
            CHECK(t->places[i].length == t->fields[i].length);
        }
    }

    const netflow::Template& v1 = netflow::v1_template();
    CHECK(v1.version == 1);
    CHECK(v1.min_record_length == 48);
    REQUIRE(v1.fields.size() == 14);
    CHECK(v1.fields[11].name == "protocolIdentifier");
    CHECK(v1.fields[11].offset == 38);
    CHECK(v1.fields[13].name == "tcpControlBits");
    CHECK(v1.fields[13].offset == 40);
}

TEST_CASE("variable-length fields: not fixed, each counted as its 1-byte prefix") {
    // sourceIPv4Address, interfaceName (string, variable), octetDeltaCount
    const auto t = ipfix({{0, 8, 4}, {0, 82, kVariableLength}, {0, 1, 8}});
    CHECK_FALSE(t->fixed_length);
    CHECK(t->min_record_length == 4 + 1 + 8);
    CHECK(t->needs_value_check);
    CHECK(t->fields[1].name == "interfaceName");
    CHECK(t->fields[1].kind == FieldKind::string);
    CHECK_FALSE(t->fields[1].length_mismatch);

    SUBCASE("split_record reads the 1-byte and the 3-byte length forms") {
        auto record = bytes_of({10, 0, 0, 1, 3, 'e', 't', 'h', 0, 0, 0, 0, 0, 0, 0, 42});
        std::vector<std::byte> long_name(300, std::byte{'x'});
        auto second = bytes_of({10, 0, 0, 2, 255, 0x01, 0x2c});
        second.insert(second.end(), long_name.begin(), long_name.end());
        for (unsigned b : {0U, 0U, 0U, 0U, 0U, 0U, 0U, 7U}) second.push_back(static_cast<std::byte>(b));
        record.insert(record.end(), second.begin(), second.end());

        wire::Reader r{record};
        std::vector<wire::Bytes> values;
        REQUIRE(netflow::split_record(*t, r, values));
        REQUIRE(values.size() == 3);
        CHECK(values[0].size() == 4);
        CHECK(values[1].size() == 3);
        CHECK(std::to_integer<char>(values[1][0]) == 'e');
        CHECK(wire::load_be64(values[2].data()) == 42U);
        REQUIRE(netflow::split_record(*t, r, values));
        CHECK(values[1].size() == 300);
        CHECK(wire::load_be64(values[2].data()) == 7U);
        CHECK(r.empty());
    }
    SUBCASE("a record cut inside a variable field fails the reader") {
        const auto record = bytes_of({10, 0, 0, 1, 9, 'e', 't', 'h'});
        wire::Reader r{record};
        std::vector<wire::Bytes> values;
        CHECK_FALSE(netflow::split_record(*t, r, values));
        CHECK(r.failed());
    }
}

TEST_CASE("time roles: the first field of each role, IANA and v9 numbering, never reverse elements") {
    // flowStartMilliseconds, flowEndMilliseconds, reverse flowStartMilliseconds (RFC 5103),
    // a second flowStartMilliseconds, flowDurationMilliseconds
    const auto t = ipfix({{0, 152, 8}, {0, 153, 8}, {ie::kPenReverse, 152, 8}, {0, 152, 8}, {0, 161, 4}});
    CHECK(time_field(*t, TimeRole::start_milliseconds) == 0);
    CHECK(time_field(*t, TimeRole::end_milliseconds) == 1);
    CHECK(time_field(*t, TimeRole::duration_ms) == 4);
    CHECK(t->fields[2].name == "reverseFlowStartMilliseconds");
    CHECK(t->fields[2].time_role == TimeRole::none);
    CHECK(t->fields[3].time_role == TimeRole::start_milliseconds);
    CHECK(time_field(*t, TimeRole::start_seconds) == -1);
    CHECK(time_field(*t, TimeRole::start_sysuptime) == -1);
    CHECK(t->fields[0].kind == FieldKind::milliseconds);

    const auto ns = ipfix({{0, 156, 8}, {0, 157, 8}, {0, 158, 4}, {0, 159, 4}, {0, 160, 8}, {0, 150, 4}});
    CHECK(time_field(*ns, TimeRole::start_nanoseconds) == 0);
    CHECK(time_field(*ns, TimeRole::end_nanoseconds) == 1);
    CHECK(time_field(*ns, TimeRole::start_delta_us) == 2);
    CHECK(time_field(*ns, TimeRole::end_delta_us) == 3);
    CHECK(time_field(*ns, TimeRole::system_init_ms) == 4);
    CHECK(time_field(*ns, TimeRole::start_seconds) == 5);
    CHECK(ns->fields[0].kind == FieldKind::nanoseconds);
    CHECK(ns->fields[5].kind == FieldKind::seconds);

    // NetFlow v9 FIRST_SWITCHED (22) / LAST_SWITCHED (21): milliseconds of exporter uptime.
    const auto v9 = netflow::make_template(300, TemplateKind::data, 0, {{0, 21, 4}, {0, 22, 4}}, 9);
    CHECK(time_field(*v9, TimeRole::end_sysuptime) == 0);
    CHECK(time_field(*v9, TimeRole::start_sysuptime) == 1);

    // An enterprise element with a time element's ID is not a time field.
    const auto pen = ipfix({{9, 152, 8}});
    CHECK(time_field(*pen, TimeRole::start_milliseconds) == -1);
}

TEST_CASE("repeated elements: repeat_index counts occurrences, repeat_count totals them") {
    // sourceIPv4Address x3 (interleaved), destinationIPv4Address once, and the same ID under
    // another enterprise number, which is a different element.
    const auto t = ipfix({{0, 8, 4}, {0, 12, 4}, {0, 8, 4}, {ie::kPenReverse, 8, 4}, {0, 8, 4}});
    const std::vector<std::uint16_t> index{0, 0, 1, 0, 2};
    const std::vector<std::uint16_t> count{3, 1, 3, 1, 3};
    for (std::size_t i = 0; i < index.size(); ++i) {
        CAPTURE(i);
        CHECK(t->fields[i].repeat_index == index[i]);
        CHECK(t->fields[i].repeat_count == count[i]);
    }
}

TEST_CASE("a length the element's type cannot have makes the field raw and counts an anomaly") {
    // sourceIPv4Address in 2 bytes, octetDeltaCount in 9, flowStartMilliseconds in 4,
    // sourceMacAddress in 6 (fits), a boolean in 2
    const auto t = ipfix({{0, 8, 2}, {0, 1, 9}, {0, 152, 4}, {0, 56, 6}, {0, 276, 2}});
    CHECK(t->anomalies == 4);
    CHECK(t->fields[0].length_mismatch);
    CHECK(t->fields[0].kind == FieldKind::raw);
    CHECK(t->fields[0].name == "sourceIPv4Address");  // still named by its element
    CHECK(t->fields[1].length_mismatch);
    CHECK(t->fields[1].kind == FieldKind::raw);
    CHECK(t->fields[2].length_mismatch);
    CHECK(t->fields[2].kind == FieldKind::raw);
    // A mismatched time field still has its role; the time code reads it by length.
    CHECK_FALSE(t->fields[3].length_mismatch);
    CHECK(t->fields[3].kind == FieldKind::mac);
    CHECK(t->fields[4].length_mismatch);
    CHECK(t->fields[4].kind == FieldKind::raw);
    // The offsets are those of the lengths sent, whatever the types.
    CHECK(t->fields[1].offset == 2);
    CHECK(t->fields[3].offset == 15);
    CHECK(t->min_record_length == 23);
}

TEST_CASE("length_fits follows RFC 7011 §6") {
    CHECK(netflow::length_fits(FieldKind::unsigned_int, 1));
    CHECK(netflow::length_fits(FieldKind::unsigned_int, 8));
    CHECK_FALSE(netflow::length_fits(FieldKind::unsigned_int, 0));
    CHECK_FALSE(netflow::length_fits(FieldKind::unsigned_int, 9));
    CHECK(netflow::length_fits(FieldKind::float64, 4));  // reduced-size float64
    CHECK_FALSE(netflow::length_fits(FieldKind::float32, 8));
    CHECK(netflow::length_fits(FieldKind::ipv6, 16));
    CHECK_FALSE(netflow::length_fits(FieldKind::ipv6, 4));
    CHECK(netflow::length_fits(FieldKind::raw, 0));
    CHECK(netflow::length_fits(FieldKind::string, 1000));
    CHECK_FALSE(netflow::length_fits(FieldKind::basic_list, 4));
    CHECK(netflow::length_fits(FieldKind::sub_template_list, 3));
}

TEST_CASE("NetFlow v9 options templates: scope fields have their own numbering (RFC 3954 §6.1)") {
    // scope System (1) and Interface (2), an unknown scope type, then IN_BYTES (1) and
    // IPV4_SRC_ADDR (8) as option fields
    const auto t = netflow::make_template(260, TemplateKind::options, 3,
                                          {{0, 1, 4}, {0, 2, 4}, {0, 9, 2}, {0, 1, 8}, {0, 8, 4}}, 9);
    CHECK(t->kind == TemplateKind::options);
    CHECK(t->scope_count == 3);
    CHECK(t->fields[0].scope);
    CHECK(t->fields[0].name == "scopeSystem");
    CHECK(t->fields[0].kind == FieldKind::raw);  // often the exporter's address: shown as bytes
    CHECK(t->fields[0].element == nullptr);
    CHECK(t->fields[1].name == "scopeInterface");
    CHECK(t->fields[1].kind == FieldKind::unsigned_int);
    CHECK(t->fields[2].name == "scope.9");
    CHECK_FALSE(t->fields[3].scope);
    CHECK(t->fields[3].name == "octetDeltaCount");  // IN_BYTES by its IANA name
    CHECK(t->fields[3].kind == FieldKind::unsigned_int);
    CHECK(t->fields[4].name == "sourceIPv4Address");
    CHECK(t->fields[4].kind == FieldKind::ipv4);
    // Scope type 1 and field type 1 share a number, not an element: neither repeats the other
    // (or JSON would print IN_BYTES inside an array under scopeSystem).
    CHECK(t->fields[0].repeat_count == 1);
    CHECK(t->fields[3].repeat_index == 0);
    CHECK(t->fields[3].repeat_count == 1);

    // IPFIX options scopes are ordinary elements.
    const auto ipfix_options = netflow::make_template(257, TemplateKind::options, 1, {{0, 149, 4}, {0, 1, 8}}, 10);
    CHECK(ipfix_options->fields[0].scope);
    CHECK(ipfix_options->fields[0].name == "observationDomainId");
    CHECK(ipfix_options->fields[0].kind == FieldKind::unsigned_int);
    CHECK_FALSE(ipfix_options->fields[1].scope);
}

TEST_CASE("unknown elements are named PEN.ID (IPFIX) or v9.TYPE and read as raw bytes") {
    const auto t = ipfix({{4242424, 7, 4}, {0, 32767, 2}});
    CHECK(t->fields[0].element == nullptr);
    CHECK(t->fields[0].name == "4242424.7");
    CHECK(t->fields[0].kind == FieldKind::raw);
    CHECK(t->fields[1].name == "0.32767");
    CHECK_FALSE(t->fields[1].length_mismatch);  // raw fits any length
    const auto v9 = netflow::make_template(300, TemplateKind::data, 0, {{0, 32000, 4}}, 9);
    CHECK(v9->fields[0].name == "v9.32000");
}
}  // TEST_SUITE("netflow.template")

TEST_CASE("TemplateCache: made once per template, kept with it; a copy answers from its own entries") {
    const auto a = netflow::make_template(256, TemplateKind::data, 0, {{0, 8, 4}}, 10);
    const auto b = netflow::make_template(256, TemplateKind::data, 0, {{0, 12, 4}, {0, 8, 4}}, 10);
    int made = 0;
    auto count_fields = [&made](const netflow::Template& t) {
        ++made;
        return t.fields.size();
    };
    std::optional<netflow::TemplateCache<std::size_t>> cache(std::in_place);
    CHECK(cache->get(*a, count_fields) == 1);
    CHECK(cache->get(*b, count_fields) == 2);
    CHECK(cache->get(*a, count_fields) == 1);
    CHECK(cache->get(*a, count_fields) == 1);
    CHECK(made == 2);
    CHECK(a.use_count() == 2);  // held by the cache as well
    netflow::TemplateCache<std::size_t> copy = *cache;
    cache.reset();                           // the copy must not answer from the original's entries
    CHECK(copy.get(*a, count_fields) == 1);  // the last one asked of the original
    CHECK(copy.get(*b, count_fields) == 2);
    CHECK(made == 2);
}

TEST_CASE("RecordBatch: records switching templates replay with their own; each template held once a batch") {
    const auto a = netflow::make_template(256, TemplateKind::data, 0, {{0, 8, 4}}, 10);
    const auto b = netflow::make_template(257, TemplateKind::data, 0, {{0, 12, 4}}, 10);
    const netflow::MessageContext context;
    const netflow::ExportHeader header;
    const std::array<std::byte, 4> bytes_a{std::byte{1}, std::byte{2}, std::byte{3}, std::byte{4}};
    const std::array<std::byte, 4> bytes_b{std::byte{5}, std::byte{6}, std::byte{7}, std::byte{8}};
    const std::array<wire::Bytes, 1> values_a{wire::Bytes(bytes_a)}, values_b{wire::Bytes(bytes_b)};
    auto record = [&](const netflow::Template& t, const std::array<std::byte, 4>& bytes,
                      const std::array<wire::Bytes, 1>& values) {
        netflow::DataRecord r;
        r.context = &context;
        r.header = &header;
        r.tmpl = &t;
        r.bytes = bytes;
        r.values = values;
        return r;
    };
    netflow::RecordBatch batch;
    for (int round = 0; round < 3; ++round) {
        batch.add(record(*a, bytes_a, values_a), "f");
        batch.add(record(*b, bytes_b, values_b), "f");
    }
    // Held by the batch once each, however often the records switched between them.
    CHECK(a.use_count() == 2);
    CHECK(b.use_count() == 2);

    struct Seen final : netflow::RecordBatch::Visitor {
        std::vector<std::string> records;
        void record(const netflow::DataRecord& r, std::string_view /*file*/) override {
            records.push_back(
                fmt::format("{}:{}", r.tmpl->id, r.values.empty() ? -1 : std::to_integer<int>(r.values[0][0])));
        }
    } seen;
    std::vector<wire::Bytes> values;
    batch.replay(seen, values);
    CHECK(seen.records == std::vector<std::string>{"256:1", "257:5", "256:1", "257:5", "256:1", "257:5"});
    batch.clear();
    CHECK(a.use_count() == 1);
    CHECK(b.use_count() == 1);
}
