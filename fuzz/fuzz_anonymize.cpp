// SPDX-License-Identifier: MIT
// libFuzzer target: `hex --anonymize`. Each input is one export datagram, decoded with one
// session table kept across inputs into a FixtureBuilder with Crypto-PAn; every fixture message
// it writes is decoded again, as `decode` would, by a second session table. Property: each
// address of the original records is, in the fixture's records of the same frame, its
// Crypto-PAn image (so no original address survives), and the exporter is anonymized too.
// Traps, printing what survived, when not. (Records decoded late are left out: which frame
// decodes them may differ; records of a frame the fixture decodes differently, too: that is
// the round trip's property, not anonymization's.)
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <map>
#include <vector>

#include "fuzz_input.hpp"
#include "nfpcap/fixture/fixture.hpp"
#include "nfpcap/pipeline/run.hpp"

using namespace nfpcap;

namespace {

using Address = std::vector<std::byte>;
using Records = std::vector<std::vector<Address>>;  // per record, its address fields in order

/// The address-typed fields of a record (top level; lists are walked by the anonymizer's own
/// visitor and checked by tests/fixture).
std::vector<Address> addresses_of(const netflow::DataRecord& r) {
    std::vector<Address> out;
    for (std::size_t i = 0; i < r.tmpl->fields.size(); ++i) {
        const netflow::FieldSpec& f = r.tmpl->fields[i];
        const std::size_t n = r.values[i].size();
        if ((f.kind == netflow::FieldKind::ipv4 && n == 4) || (f.kind == netflow::FieldKind::ipv6 && n == 16)) {
            out.emplace_back(r.values[i].begin(), r.values[i].end());
        }
    }
    return out;
}

/// Collects the records decoded at once (not late), by frame.
class RecordTap : public netflow::DecodeSink {
public:
    explicit RecordTap(std::map<std::uint64_t, Records>& into) : into_(into) {}
    void on_record(const netflow::DataRecord& r) override {
        if (!r.late) into_[r.context->frame].push_back(addresses_of(r));
    }

private:
    std::map<std::uint64_t, Records>& into_;
};

void print(const char* what, const Address& a) {
    std::fprintf(stderr, "%s", what);
    for (std::byte b : a) std::fprintf(stderr, " %02x", static_cast<unsigned>(b));
    std::fprintf(stderr, "\n");
}

struct State {
    fixture::CryptoPan pan{fixture::key_from_text("fuzz")};
    std::map<std::uint64_t, Records> originals, fixture_records;
    session::SessionTable reader{options()};
    session::SessionTable sessions{options()};
    static inline const wire::IpAddress kExporter = fuzz::v4(192, 0, 2, 1);

    static session::SessionOptions options() {
        session::SessionOptions o;
        o.all_export = true;
        return o;
    }

    void check(const fixture::FixtureMessage& m) {
        RecordTap tap(fixture_records);
        source::Message msg;
        msg.frame = m.frame;
        msg.time_ns = m.time_ns;
        msg.exporter = m.exporter;
        msg.collector = m.collector;
        msg.payload = wire::Bytes(m.payload.data(), m.payload.size());
        msg.length = static_cast<std::uint32_t>(m.payload.size());
        msg.state_only = m.rebuilt;
        (void)reader.process(msg, tap);
        if (m.exporter.addr == kExporter) {
            std::fprintf(stderr, "fuzz_anonymize: frame %llu: the exporter's address survived\n",
                         static_cast<unsigned long long>(m.frame));
            __builtin_trap();
        }
        if (m.rebuilt) return;
        const Records& want = originals[m.frame];
        const Records& got = fixture_records[m.frame];
        if (want.size() == got.size()) {
            for (std::size_t i = 0; i < want.size(); ++i) {
                if (want[i].size() != got[i].size()) continue;
                for (std::size_t j = 0; j < want[i].size(); ++j) {
                    Address image = want[i][j];
                    pan.anonymize(std::span<std::byte>(image));
                    if (got[i][j] == image) continue;
                    std::fprintf(stderr, "fuzz_anonymize: frame %llu, record %zu, address %zu not anonymized\n",
                                 static_cast<unsigned long long>(m.frame), i, j);
                    print("  original:", want[i][j]);
                    print("  fixture: ", got[i][j]);
                    print("  image:   ", image);
                    __builtin_trap();
                }
            }
        }
        originals.erase(m.frame);
        fixture_records.erase(m.frame);
    }
};

class CheckingSink final : public fixture::FixtureSink {
public:
    explicit CheckingSink(State& s) : state_(s) {}
    void write(const fixture::FixtureMessage& message) override { state_.check(message); }

private:
    State& state_;
};

/// Taps the original records' addresses, then hands everything to the fixture builder.
class Tap final : public pipeline::ForwardingConsumer {
public:
    Tap(pipeline::Consumer& next, State& s) : ForwardingConsumer(next), records_(s.originals) {}
    void on_record(const netflow::DataRecord& r) override {
        records_.on_record(r);
        ForwardingConsumer::on_record(r);
    }
    void on_run(const netflow::RecordRun& run) override { DecodeSink::on_run(run); }  // (each to on_record)

private:
    RecordTap records_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static State state;
    static CheckingSink sink(state);
    static fixture::FixtureBuilder builder({}, &state.pan, sink, {});
    static std::uint64_t frame = 0;
    // Frames the fixture left out (and so never checked) are forgotten now and then.
    if (state.originals.size() > 1000) state.originals.clear();
    if (state.fixture_records.size() > 1000) state.fixture_records.clear();
    Tap tap(builder, state);
    fuzz::OneMessage source(wire::Bytes(reinterpret_cast<const std::byte*>(data), size), ++frame,
                            1'700'000'000'000'000'000, {State::kExporter, 40000});
    (void)pipeline::run(source, state.sessions, tap);
    return 0;
}
