// SPDX-License-Identifier: MIT
// FlowRecords of a capture in samples/, decoded through the library's pipeline as the CLI does.
#pragma once
#include <string>
#include <vector>

#include "nfpcap/analyze/flow_sink.hpp"
#include "nfpcap/pipeline/run.hpp"
#include "nfpcap/source/capture_source.hpp"

#ifndef NFPCAP_SAMPLES_DIR
#error "NFPCAP_SAMPLES_DIR must name the absolute path of samples/"
#endif

namespace nfpcap::test {

/// Every flow record of `samples/<name>`, in capture order, with each session's sampling.
inline std::vector<analyze::FlowRecord> sample_flows(const std::string& name) {
    std::vector<analyze::FlowRecord> flows;
    analyze::FlowSink sink([&flows](const analyze::FlowRecord& f) { flows.push_back(f); });
    source::CaptureSource source({std::string(NFPCAP_SAMPLES_DIR) + "/" + name});
    session::SessionTable sessions;
    pipeline::SinkConsumer consumer(sink);
    pipeline::run(source, sessions, consumer);
    return flows;
}

}  // namespace nfpcap::test
