// SPDX-License-Identifier: MIT
// The sampling-aware flow sink.
#include "nfpcap/analyze/flow_sink.hpp"

namespace nfpcap::analyze {

void FlowSink::on_record(const netflow::DataRecord& record) {
    const std::uint32_t session = record.context->session;
    if (record.is_options()) {
        auto n = announced_sampling(record);
        if (n && session != netflow::kNoSession) {
            if (sampling_.size() <= session) sampling_.resize(std::size_t{session} + 1, 0);
            sampling_[session] = *n;
        }
        return;
    }
    const std::uint32_t sampling = session < sampling_.size() && sampling_[session] != 0 ? sampling_[session] : 1;
    auto flow = extract_flow(record, sampling);
    if (!flow) return;
    ++flows_;
    exporters_.insert(record.context->exporter);
    on_flow_(*flow);
}

}  // namespace nfpcap::analyze
