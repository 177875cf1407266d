// SPDX-License-Identifier: MIT
// Owning copies of records outlive their datagram, the decoder's scratch space and the template.
#include <doctest/doctest.h>

#include <vector>

#include "../support/message_builder.hpp"
#include "nfpcap/netflow/decoder.hpp"
#include "nfpcap/report/field_value.hpp"

using namespace nfpcap;
using test::Msg;

namespace {

class Keep final : public netflow::DecodeSink {
public:
    void on_record(const netflow::DataRecord& r) override { kept.emplace_back(r); }
    std::vector<netflow::OwnedRecord> kept;
};

std::string json_of(const netflow::DataRecord& r) {
    report::Buffer b;
    report::append_fields(b, *r.tmpl, r.values, r, report::ValueStyle::json);
    return fmt::to_string(b);
}

}  // namespace

TEST_SUITE("netflow.owned_record") {

TEST_CASE("a kept record reads the same after its datagram, scratch and template are gone") {
    netflow::DecoderState state;
    Keep keep;
    netflow::MessageContext context;
    context.frame = 7;
    {
        auto templates = Msg::ipfix(1).templates().tmpl(256, {{8, 4}, {82, 65535}, {2, 8}}).bytes();
        auto data = Msg::ipfix(1).data(256).ip4("10.1.2.3").varlen("eth0").u64(42).bytes();
        netflow::decode_message(templates, context, state, keep);
        netflow::decode_message(data, context, state, keep);
    }  // the datagrams are gone
    REQUIRE(keep.kept.size() == 1);
    // Redefine template 256 and decode another record: the decoder's scratch and the session's
    // template both change.
    auto redefined = Msg::ipfix(1).templates().tmpl(256, {{7, 2}}).data(256).u16(53).bytes();
    netflow::decode_message(redefined, context, state, keep);
    REQUIRE(keep.kept.size() == 2);

    const netflow::DataRecord& first = keep.kept[0].view();
    CHECK(first.context->frame == 7);
    CHECK(first.header->version == 10);
    CHECK(first.tmpl->fields.size() == 3);
    CHECK(json_of(first) == R"("sourceIPv4Address":"10.1.2.3","interfaceName":"eth0","packetDeltaCount":42)");
    CHECK(json_of(keep.kept[1].view()) == R"("sourceTransportPort":53)");

    // Copies and moves keep their views pointing at their own bytes.
    netflow::OwnedRecord copy = keep.kept[0];
    netflow::OwnedRecord moved = std::move(keep.kept[0]);
    keep.kept.clear();
    CHECK(json_of(copy.view()) == json_of(moved.view()));
    CHECK(copy.view().bytes.data() != moved.view().bytes.data());
    CHECK(copy.view().values[0].data() >= copy.view().bytes.data());
    CHECK(copy.view().values[0].data() < copy.view().bytes.data() + copy.view().bytes.size());
    copy = moved;
    CHECK(json_of(copy.view()) == R"("sourceIPv4Address":"10.1.2.3","interfaceName":"eth0","packetDeltaCount":42)");
}

}  // TEST_SUITE("netflow.owned_record")
