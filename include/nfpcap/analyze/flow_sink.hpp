// SPDX-License-Identifier: MIT
// Decoded records to flow records, with the sampling each exporter session announced: what
// every analysis (connections, top, timeline) consumes.
#pragma once
#include <cstdint>
#include <functional>
#include <set>
#include <vector>

#include "nfpcap/analyze/flow.hpp"
#include "nfpcap/analyze/options_state.hpp"
#include "nfpcap/netflow/decoder.hpp"

namespace nfpcap::analyze {

/// A DecodeSink that extracts a FlowRecord from each data record and hands it on. Options
/// records go to the per-session OptionsState, which decides each data record's sampling rate
/// (FlowRecord::sampling, sampling_source).
class FlowSink final : public netflow::DecodeSink {
public:
    using Handler = std::function<void(const FlowRecord&)>;
    explicit FlowSink(Handler on_flow) : on_flow_(std::move(on_flow)) {}
    FlowSink(const FlowSink&) = delete;  // (last_exporter_ points into exporters_)
    FlowSink& operator=(const FlowSink&) = delete;

    void on_record(const netflow::DataRecord& record) override;

    /// Exporters that sent at least one flow record.
    [[nodiscard]] const std::set<wire::Endpoint>& exporters() const noexcept { return exporters_; }
    [[nodiscard]] std::uint64_t flows() const noexcept { return flows_; }
    /// Data records without a flow key (no source and destination address: PSAMP packet
    /// reports, event records), handed on to nothing.
    [[nodiscard]] std::uint64_t keyless() const noexcept { return keyless_; }
    /// What each session's options data said, and how its records' sampling was resolved.
    [[nodiscard]] const OptionsState& options() const noexcept { return options_; }

private:
    Handler on_flow_;
    OptionsState options_;
    FlowExtractor extract_;
    std::set<wire::Endpoint> exporters_;
    const wire::Endpoint* last_exporter_ = nullptr;  ///< in exporters_ (a set's elements stay put)
    std::uint64_t flows_ = 0;
    std::uint64_t keyless_ = 0;
};

}  // namespace nfpcap::analyze
