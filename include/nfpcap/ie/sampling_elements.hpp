// SPDX-License-Identifier: MIT
// The IANA elements that carry a sampling rate or a sampler's identity: v9/IPFIX
// samplingInterval and sampler options (34/35, 48-50), PSAMP selectors (RFC 5477, 302-311).
// analyze/sampling.cpp reads them; netflow::compile marks the templates that hold any, so
// records of the others (nearly all) are not searched for them.
#pragma once
#include <algorithm>
#include <array>
#include <cstdint>

#include "nfpcap/ie/ids.hpp"

namespace nfpcap::ie {

inline constexpr std::array<std::uint16_t, 14> kSamplingElementIds{
    iana::samplingInterval,      iana::samplingAlgorithm,    iana::samplerId,         iana::samplerMode,
    iana::samplerRandomInterval, iana::selectorId,           iana::selectorAlgorithm, iana::samplingPacketInterval,
    iana::samplingPacketSpace,   iana::samplingTimeInterval, iana::samplingTimeSpace, iana::samplingSize,
    iana::samplingPopulation,    iana::samplingProbability,
};

/// The position of IANA element `id` in kSamplingElementIds, or -1. Most ids are outside both
/// ranges the list lies in, and are rejected at once.
constexpr int sampling_element_index(std::uint16_t id) noexcept {
    if (id < iana::samplingInterval || (id > iana::samplerRandomInterval && id < iana::selectorId) ||
        id > iana::samplingProbability) {
        return -1;
    }
    const auto* at = std::find(kSamplingElementIds.begin(), kSamplingElementIds.end(), id);
    return at == kSamplingElementIds.end() ? -1 : static_cast<int>(at - kSamplingElementIds.begin());
}

/// Whether IANA element `id` is one of kSamplingElementIds.
constexpr bool is_sampling_element(std::uint16_t id) noexcept { return sampling_element_index(id) >= 0; }

static_assert(std::all_of(kSamplingElementIds.begin(), kSamplingElementIds.end(), [](std::uint16_t id) {
    return (id >= iana::samplingInterval && id <= iana::samplerRandomInterval) ||
           (id >= iana::selectorId && id <= iana::samplingProbability);
}));

}  // namespace nfpcap::ie
