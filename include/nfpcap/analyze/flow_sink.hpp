// SPDX-License-Identifier: MIT
// Decoded records to flow records, with the sampling each exporter session announced: what
// every analysis (connections, top, timeline) consumes.
#pragma once
#include <cstdint>
#include <functional>
#include <set>
#include <vector>

#include "nfpcap/analyze/flow.hpp"
#include "nfpcap/netflow/decoder.hpp"

namespace nfpcap::analyze {

/// A DecodeSink that extracts a FlowRecord from each data record and hands it on. Options
/// records that announce a sampling interval set it for later records of their session.
class FlowSink final : public netflow::DecodeSink {
public:
    using Handler = std::function<void(const FlowRecord&)>;
    explicit FlowSink(Handler on_flow) : on_flow_(std::move(on_flow)) {}

    void on_record(const netflow::DataRecord& record) override;

    /// Exporters that sent at least one flow record.
    [[nodiscard]] const std::set<wire::Endpoint>& exporters() const noexcept { return exporters_; }
    [[nodiscard]] std::uint64_t flows() const noexcept { return flows_; }

private:
    Handler on_flow_;
    std::vector<std::uint32_t> sampling_;  ///< by session index; 0: none announced
    std::set<wire::Endpoint> exporters_;
    std::uint64_t flows_ = 0;
};

}  // namespace nfpcap::analyze
