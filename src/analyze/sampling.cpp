// SPDX-License-Identifier: MIT
// Sampling rates from records and headers: NetFlow v5's header, v9 / IPFIX samplingInterval and
// sampler options (34/35, 48-50), PSAMP selectors (RFC 5477, 304-311).
#include "nfpcap/analyze/sampling.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>

#include "nfpcap/ie/ids.hpp"
#include "nfpcap/ie/sampling_elements.hpp"
#include "nfpcap/netflow/template.hpp"

namespace nfpcap::analyze {

namespace {

namespace iana = ie::iana;

// The sampling elements this file reads, each a slot of Fields.
constexpr const auto& kSamplingIds = ie::kSamplingElementIds;

// The record's sampling fields (IANA, v9 scope fields left out): the first occurrence of each,
// found in one pass over the template, since every data record is asked.
class Fields {
public:
    explicit Fields(const netflow::DataRecord& record) : record_(record) {
        index_.fill(-1);
        const netflow::Template& t = *record.tmpl;
        for (std::size_t i = 0; i < t.fields.size(); ++i) {
            const netflow::FieldSpec& f = t.fields[i];
            if (f.pen != ie::kPenIana || (f.scope && t.version == 9)) continue;
            const int slot = slot_of(f.id);
            if (slot < 0 || index_[static_cast<std::size_t>(slot)] >= 0) continue;
            index_[static_cast<std::size_t>(slot)] = static_cast<std::int32_t>(i);
            any_ = true;
        }
    }

    /// Whether the record has any sampling field at all.
    [[nodiscard]] bool any() const noexcept { return any_; }

    [[nodiscard]] std::optional<wire::Bytes> get(std::uint16_t id) const noexcept {
        const int slot = slot_of(id);
        if (slot < 0) return std::nullopt;
        const std::int32_t i = index_[static_cast<std::size_t>(slot)];
        if (i < 0) return std::nullopt;
        return record_.values[static_cast<std::size_t>(i)];
    }
    [[nodiscard]] std::optional<std::uint64_t> number(std::uint16_t id) const noexcept {
        auto v = get(id);
        if (!v || v->empty() || v->size() > 8) return std::nullopt;
        return wire::load_be(v->data(), v->size());
    }
    [[nodiscard]] std::optional<double> real(std::uint16_t id) const noexcept {
        auto v = get(id);
        if (!v) return std::nullopt;
        if (v->size() == 8) return std::bit_cast<double>(wire::load_be64(v->data()));
        if (v->size() == 4) return static_cast<double>(std::bit_cast<float>(wire::load_be32(v->data())));
        return std::nullopt;
    }

private:
    static int slot_of(std::uint16_t id) noexcept { return ie::sampling_element_index(id); }

    const netflow::DataRecord& record_;
    std::array<std::int32_t, kSamplingIds.size()> index_{};
    bool any_ = false;
};

// A ratio as a whole interval: rounded, at least 1, at most what a 32-bit interval holds.
std::uint32_t interval_of(double ratio) noexcept {
    if (!(ratio >= 1.0)) return 1;  // NaN or below 1: every packet
    if (ratio >= 4294967295.0) return 4294967295U;
    return static_cast<std::uint32_t>(std::lround(ratio));
}

Sampling rate(std::uint32_t interval, std::uint16_t algorithm) {
    return Sampling{interval == 0 ? 1 : interval, SamplingSource::record, algorithm};
}

Sampling unknown(std::uint16_t algorithm) { return Sampling{1, SamplingSource::unknown, algorithm}; }

}  // namespace

std::string_view name(SamplingSource source) noexcept {
    switch (source) {
    case SamplingSource::none: return "none";
    case SamplingSource::header: return "header";
    case SamplingSource::record: return "record";
    case SamplingSource::sampler: return "sampler";
    case SamplingSource::session: return "session";
    case SamplingSource::unknown: return "unknown";
    case SamplingSource::count_: break;
    }
    return "unknown";
}

std::string_view algorithm_name(std::uint16_t algorithm) noexcept {
    switch (algorithm) {
    case 0: return "";
    case 1: return "deterministic";  // samplingAlgorithm / samplerMode
    case 2: return "random";
    case kSelectorAlgorithmBase + 1: return "systematic count-based";  // RFC 5477 §8.2.1
    case kSelectorAlgorithmBase + 2: return "systematic time-based";
    case kSelectorAlgorithmBase + 3: return "random n-out-of-N";
    case kSelectorAlgorithmBase + 4: return "uniform probabilistic";
    case kSelectorAlgorithmBase + 5: return "property match filtering";
    case kSelectorAlgorithmBase + 6:
    case kSelectorAlgorithmBase + 7:
    case kSelectorAlgorithmBase + 8: return "hash-based filtering";
    default: return "other";
    }
}

std::optional<Sampling> detail::announced_rate_of_fields(const netflow::DataRecord& record) {
    const Fields in(record);
    if (!in.any()) return std::nullopt;
    // RFC 5477 §8.2: the selector's algorithm, kept apart from samplingAlgorithm's numbering.
    const auto selector = in.number(iana::selectorAlgorithm);
    const std::uint16_t psamp =
        selector ? static_cast<std::uint16_t>(kSelectorAlgorithmBase + std::min<std::uint64_t>(*selector, 0xff)) : 0;
    auto psamp_or = [&](std::uint16_t algorithm) { return psamp != 0 ? psamp : algorithm; };

    if (auto interval = in.number(iana::samplingPacketInterval)) {
        // Systematic count-based (RFC 5476 §6.5.2.1): `interval` packets taken, `space` skipped.
        const std::uint64_t space = in.number(iana::samplingPacketSpace).value_or(0);
        if (*interval == 0) return unknown(psamp_or(kSelectorAlgorithmBase + 1));
        return rate(
            interval_of((static_cast<double>(*interval) + static_cast<double>(space)) / static_cast<double>(*interval)),
            psamp_or(kSelectorAlgorithmBase + 1));
    }
    if (auto size = in.number(iana::samplingSize)) {
        // Random n-out-of-N: `size` packets of every `population`.
        const std::uint64_t population = in.number(iana::samplingPopulation).value_or(0);
        if (*size == 0 || population < *size) return unknown(psamp_or(kSelectorAlgorithmBase + 3));
        return rate(interval_of(static_cast<double>(population) / static_cast<double>(*size)),
                    psamp_or(kSelectorAlgorithmBase + 3));
    }
    if (auto p = in.real(iana::samplingProbability)) {
        // Uniform probabilistic: each packet with probability p.
        if (!(*p > 0.0 && *p <= 1.0)) return unknown(psamp_or(kSelectorAlgorithmBase + 4));
        return rate(interval_of(1.0 / *p), psamp_or(kSelectorAlgorithmBase + 4));
    }
    if (in.get(iana::samplingTimeInterval) || in.get(iana::samplingTimeSpace)) {
        // Time-based: what share of the packets was taken depends on the traffic.
        return unknown(psamp_or(kSelectorAlgorithmBase + 2));
    }
    if (selector) {
        // An algorithm without its parameters: filtering (5 and up) selects by property, every
        // packet that matches; a sampling algorithm says the rate exists, not what it is.
        if (*selector >= 5) return rate(1, psamp);
        if (*selector >= 1) return unknown(psamp);
    }
    const auto mode = in.number(iana::samplerMode);
    if (auto interval = in.number(iana::samplerRandomInterval)) {
        if (*interval == 0)
            return mode.value_or(0) != 0 ? std::optional(unknown(static_cast<std::uint16_t>(*mode))) : std::nullopt;
        return rate(static_cast<std::uint32_t>(std::min<std::uint64_t>(*interval, UINT32_MAX)),
                    static_cast<std::uint16_t>(mode.value_or(0) & 0xffffU));
    }
    const auto algorithm = in.number(iana::samplingAlgorithm);
    if (auto interval = in.number(iana::samplingInterval)) {
        if (*interval == 0) {
            return algorithm.value_or(0) != 0 ? std::optional(unknown(static_cast<std::uint16_t>(*algorithm)))
                                              : std::nullopt;
        }
        return rate(static_cast<std::uint32_t>(std::min<std::uint64_t>(*interval, UINT32_MAX)),
                    static_cast<std::uint16_t>(algorithm.value_or(0) & 0xffffU));
    }
    // A sampling mode or algorithm without any interval: sampled, but at what rate is not said.
    if (algorithm.value_or(0) != 0) return unknown(static_cast<std::uint16_t>(*algorithm & 0xffffU));
    if (mode.value_or(0) != 0) return unknown(static_cast<std::uint16_t>(*mode & 0xffffU));
    return std::nullopt;
}

std::optional<std::uint64_t> detail::sampler_id_of_fields(const netflow::DataRecord& record) {
    const Fields in(record);
    if (!in.any()) return std::nullopt;
    if (auto id = in.number(iana::samplerId)) return id;
    return in.number(iana::selectorId);
}

}  // namespace nfpcap::analyze
