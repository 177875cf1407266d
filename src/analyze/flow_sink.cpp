// SPDX-License-Identifier: MIT
// The sampling-aware flow sink.
#include "nfpcap/analyze/flow_sink.hpp"

namespace nfpcap::analyze {

void FlowSink::on_record(const netflow::DataRecord& record) {
    if (record.is_options()) {
        options_.learn(record);
        return;
    }
    auto flow = extract_(record, options_.resolve(record));
    if (!flow) {
        ++keyless_;
        return;
    }
    flow->split_gap_ns = options_.split_gap_ns(record);
    ++flows_;
    // A datagram's records share their exporter: the set is searched when it changes only.
    if (!last_exporter_ || *last_exporter_ != record.context->exporter) {
        last_exporter_ = &*exporters_.insert(record.context->exporter).first;
    }
    on_flow_(*flow);
}

}  // namespace nfpcap::analyze
