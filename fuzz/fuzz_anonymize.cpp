// SPDX-License-Identifier: MIT
// libFuzzer target: `hex --anonymize`. Each input is one export datagram, decoded with one
// session table kept across inputs into a FixtureBuilder with Crypto-PAn; every fixture message
// it writes is decoded again, as `decode` would, by a second session table. Property: no
// address of the original records survives in the fixture's records (nor the exporter's) —
// traps when one does. Addresses Crypto-PAn maps to themselves, or that are another original's
// image, are not evidence and are left out.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <set>
#include <vector>

#include "fuzz_input.hpp"
#include "nfpcap/fixture/fixture.hpp"
#include "nfpcap/pipeline/run.hpp"

using namespace nfpcap;

namespace {

using Address = std::vector<std::byte>;

/// Address-typed fields of the records decoded (top level; lists are walked by the anonymizer's
/// own visitor and checked by tests/fixture).
class AddressTap : public netflow::DecodeSink {
public:
    explicit AddressTap(std::set<Address>& into) : into_(into) {}
    void on_record(const netflow::DataRecord& r) override {
        for (std::size_t i = 0; i < r.tmpl->fields.size(); ++i) {
            const netflow::FieldSpec& f = r.tmpl->fields[i];
            const std::size_t n = r.values[i].size();
            if ((f.kind == netflow::FieldKind::ipv4 && n == 4) || (f.kind == netflow::FieldKind::ipv6 && n == 16)) {
                into_.insert(Address(r.values[i].begin(), r.values[i].end()));
            }
        }
    }

private:
    std::set<Address>& into_;
};

struct State {
    fixture::CryptoPan pan{fixture::key_from_text("fuzz")};
    std::set<Address> originals, images;
    session::SessionTable reader{[] {
        session::SessionOptions o;
        o.all_export = true;
        return o;
    }()};
    session::SessionTable sessions{[] {
        session::SessionOptions o;
        o.all_export = true;
        return o;
    }()};

    void check(const fixture::FixtureMessage& m) {
        std::set<Address> out;
        AddressTap tap(out);
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
        for (const Address& a : out) {
            if (originals.count(a) != 0 && images.count(a) == 0) {  // an original survived
                std::fprintf(stderr, "fuzz_anonymize: frame %llu%s: an original address survived:", 
                             static_cast<unsigned long long>(m.frame), m.rebuilt ? " (rebuilt)" : "");
                for (std::byte b : a) std::fprintf(stderr, " %02x", static_cast<unsigned>(b));
                std::fprintf(stderr, "\nfuzz_anonymize: the fixture message:\n");
                for (std::byte b : m.payload) std::fprintf(stderr, "%02x", static_cast<unsigned>(b));
                std::fprintf(stderr, "\n");
                __builtin_trap();
            }
        }
    }

    static inline const wire::IpAddress kExporter = fuzz::v4(192, 0, 2, 1);
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
    Tap(pipeline::Consumer& next, State& s) : ForwardingConsumer(next), state_(s) {}
    void on_record(const netflow::DataRecord& r) override {
        std::set<Address> found;
        AddressTap(found).on_record(r);
        for (const Address& a : found) {
            Address image = a;
            state_.pan.anonymize(std::span<std::byte>(image));
            if (image == a) continue;  // a fixed point of the permutation: proves nothing
            state_.originals.insert(a);
            state_.images.insert(image);
        }
        ForwardingConsumer::on_record(r);
    }

private:
    State& state_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static State state;
    static CheckingSink sink(state);
    static fixture::FixtureBuilder builder({}, &state.pan, sink, {});
    static std::uint64_t frame = 0;
    if (state.originals.size() > 100000) {
        state.originals.clear();
        state.images.clear();
    }
    Tap tap(builder, state);
    fuzz::OneMessage source(wire::Bytes(reinterpret_cast<const std::byte*>(data), size), ++frame,
                            1'700'000'000'000'000'000, {State::kExporter, 40000});
    (void)pipeline::run(source, state.sessions, tap);
    return 0;
}
