// SPDX-License-Identifier: MIT
// The sampling-aware flow sink.
#include "nfpcap/analyze/flow_sink.hpp"

namespace nfpcap::analyze {

void FlowSink::on_record(const netflow::DataRecord& record) {
    if (record.is_options()) {
        options_.learn(record);
        return;
    }
    auto flow = extract_flow(record, options_.resolve(record));
    if (!flow) {
        ++keyless_;
        return;
    }
    flow->split_gap_ns = options_.split_gap_ns(record);
    ++flows_;
    exporters_.insert(record.context->exporter);
    on_flow_(*flow);
}

}  // namespace nfpcap::analyze
