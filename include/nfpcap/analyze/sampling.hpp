// SPDX-License-Identifier: MIT
// Packet sampling: the rate a record's fields announce, and where a record's rate came from.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

#include "nfpcap/netflow/record.hpp"

namespace nfpcap::analyze {

/// Where the sampling rate that applies to a data record came from.
enum class SamplingSource : std::uint8_t {
    none,     ///< nothing says the packets were sampled: counters count every packet
    header,   ///< the NetFlow v5 header's sampling field
    record,   ///< the record's own fields (samplingInterval, samplerRandomInterval, PSAMP 304-311)
    sampler,  ///< options data of the sampler or selector the record names (samplerId 48, selectorId 302)
    session,  ///< options data of the exporter session (scoped to its system, process or interface)
    unknown,  ///< sampled (the record names a sampler, the header a mode) at a rate nothing announced
    count_,
};
inline constexpr std::size_t kSamplingSourceCount = static_cast<std::size_t>(SamplingSource::count_);

/// Stable snake_case name ("sampler"), used as a key in stats output.
[[nodiscard]] std::string_view name(SamplingSource source) noexcept;

/// Packet sampling: one in `interval` packets was sampled (1: every packet).
struct Sampling {
    std::uint32_t interval = 1;  ///< 1 also when the rate is unknown (then source is unknown)
    SamplingSource source = SamplingSource::none;
    /// The algorithm as announced (0: not said): samplingAlgorithm / samplerMode (1 deterministic,
    /// 2 random) or RFC 5477 selectorAlgorithm + 100 (101 systematic count-based, 102 time-based,
    /// 103 random n-out-of-N, 104 uniform probabilistic, 105+ filtering).
    std::uint16_t algorithm = 0;

    [[nodiscard]] bool known() const noexcept { return source != SamplingSource::unknown; }
    friend bool operator==(const Sampling&, const Sampling&) = default;
};

/// RFC 5477 selectorAlgorithm values are stored in Sampling::algorithm with this offset, so they
/// never read as samplingAlgorithm's 1 (deterministic) and 2 (random).
inline constexpr std::uint16_t kSelectorAlgorithmBase = 100;

/// A Sampling::algorithm as words ("random", "systematic count-based"), empty when not said.
[[nodiscard]] std::string_view algorithm_name(std::uint16_t algorithm) noexcept;

namespace detail {
// The lookups below for a record whose template has sampling fields (sampling.cpp).
std::optional<Sampling> announced_rate_of_fields(const netflow::DataRecord& record);
std::optional<std::uint64_t> sampler_id_of_fields(const netflow::DataRecord& record);
}  // namespace detail

/// The sampling a record's own fields announce, with source `record`; nullopt when they say
/// nothing of sampling. Read, in this order: samplingPacketInterval/Space (305/306: (interval +
/// space) / interval), samplingSize/Population (309/310: population / size), samplingProbability
/// (311: 1 / p), samplingTimeInterval/Space (307/308: time-based, no packet ratio: unknown),
/// selectorAlgorithm (304) alone (filtering: 1; a sampling algorithm without its parameters:
/// unknown), samplerRandomInterval (50, with samplerMode 49), samplingInterval (34, with
/// samplingAlgorithm 35), and a non-zero algorithm (35 / 49) without an interval: unknown.
/// Ratios are rounded to the nearest whole interval. NetFlow v9 scope fields are not elements
/// and are not read. Every data record is asked, and nearly no template has a sampling field:
/// those records are answered inline, without a look at their fields (has_sampling_fields).
[[nodiscard]] inline std::optional<Sampling> announced_rate(const netflow::DataRecord& record) {
    if (!record.tmpl->has_sampling_fields) return std::nullopt;
    return detail::announced_rate_of_fields(record);
}

/// The NetFlow v5 header's sampling: an interval above 1 (source `header`), a mode without an
/// interval (unknown); nullopt for other versions and unsampled headers.
[[nodiscard]] inline std::optional<Sampling> header_rate(const netflow::ExportHeader& header) {
    if (header.version != 5) return std::nullopt;
    const auto mode = static_cast<std::uint16_t>(header.sampling_mode());
    const auto interval = header.sampling_interval();
    if (interval > 1) return Sampling{interval, SamplingSource::header, mode};
    if (mode != 0 && interval == 0) return Sampling{1, SamplingSource::unknown, mode};
    return std::nullopt;
}

/// The sampler or selector a record names: samplerId (48; NetFlow v9 FLOW_SAMPLER_ID), else
/// selectorId (302); nullopt when it names neither.
[[nodiscard]] inline std::optional<std::uint64_t> sampler_id(const netflow::DataRecord& record) {
    if (!record.tmpl->has_sampling_fields) return std::nullopt;
    return detail::sampler_id_of_fields(record);
}

}  // namespace nfpcap::analyze
