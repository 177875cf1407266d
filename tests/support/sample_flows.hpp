// SPDX-License-Identifier: MIT
// FlowRecords of a capture in samples/, decoded through the library as the CLI does.
#pragma once
#include <string>
#include <vector>

#include "nfpcap/analyze/flow.hpp"
#include "nfpcap/capture/capture_reader.hpp"
#include "nfpcap/session/session_table.hpp"

#ifndef NFPCAP_SAMPLES_DIR
#error "NFPCAP_SAMPLES_DIR must name the absolute path of samples/"
#endif

namespace nfpcap::test {

/// Every flow record of `samples/<name>`, in capture order (options records give the sampling).
inline std::vector<analyze::FlowRecord> sample_flows(const std::string& name) {
    struct Sink final : netflow::DecodeSink {
        std::vector<analyze::FlowRecord> flows;
        std::uint32_t sampling = 1;
        void on_record(const netflow::DataRecord& r) override {
            if (r.is_options()) {
                if (auto n = analyze::announced_sampling(r)) sampling = *n;
                return;
            }
            if (auto f = analyze::extract_flow(r, sampling)) flows.push_back(*f);
        }
        void on_issue(const netflow::MessageContext&, const netflow::Issue&) override {}
    } sink;
    capture::CaptureReader reader(std::string(NFPCAP_SAMPLES_DIR) + "/" + name);
    session::SessionTable sessions;
    capture::Datagram datagram;
    while (reader.next(datagram)) sessions.process(datagram, sink);
    return sink.flows;
}

}  // namespace nfpcap::test
