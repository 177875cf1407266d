// SPDX-License-Identifier: MIT
// Decodes `nfpcap hex` fixture lines from standard input with the installed library only:
//   nfpcap hex capture.pcap | decode_hex
// prints what each exporter session held, then `records N` (data records decoded).
// Build against an installed nfpcap: c++ -std=c++20 decode_hex.cpp $(pkg-config --cflags --libs nfpcap)
#include <cstdint>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "nfpcap/fixture/text_format.hpp"
#include "nfpcap/pipeline/run.hpp"
#include "nfpcap/session/session_table.hpp"

namespace {

// The decode callbacks arrive while the session table decodes a message: records are views
// into that message, so a consumer that keeps anything copies it. This one only counts.
class CountingConsumer final : public nfpcap::pipeline::Consumer {
public:
    void on_record(const nfpcap::netflow::DataRecord& record) override {
        if (!record.is_options()) ++data_records_;
    }
    void on_message(const nfpcap::source::Message& /*message*/,
                    const nfpcap::session::ProcessResult& result) override {
        if (result.lost_data()) ++lossy_messages_;
    }
    [[nodiscard]] std::uint64_t data_records() const noexcept { return data_records_; }
    [[nodiscard]] std::uint64_t lossy_messages() const noexcept { return lossy_messages_; }

private:
    std::uint64_t data_records_ = 0;
    std::uint64_t lossy_messages_ = 0;
};

}  // namespace

int main() {
    using namespace nfpcap;
    std::vector<fixture::FixtureInput> inputs{{fixture::FixtureInput::Kind::standard_input, "<stdin>", {}}};
    fixture::FixtureSource source(std::move(inputs),
                                  [](const std::string& error) { fmt::print(stderr, "decode_hex: {}\n", error); });

    // Templates, sequence numbers and counters live per exporter session (exporter, collector,
    // version, observation domain), as a collector keeps them.
    session::SessionOptions options;
    options.all_export = true;  // every fixture line is an export message
    session::SessionTable sessions(options);
    CountingConsumer consumer;
    const pipeline::RunResult run = pipeline::run(source, sessions, consumer);

    for (const session::Session& s : sessions.sessions()) {
        fmt::print("session {} version {} domain {}: {} datagrams, {} data records, {} templates\n",
                   wire::to_string(s.key.exporter), s.key.version, s.key.domain, s.counters.datagrams,
                   s.counters.data_records, s.counters.template_records);
    }
    if (consumer.lossy_messages() != 0) fmt::print(stderr, "decode_hex: {} messages lost data\n", consumer.lossy_messages());
    fmt::print("records {}\n", consumer.data_records());
    return run.input_error || source.bad_lines() != 0 ? 1 : 0;
}
