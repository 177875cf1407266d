// SPDX-License-Identifier: MIT
// A flow record reduced to what connection analysis needs: owning, small, version-neutral.
#pragma once
#include <array>
#include <cstdint>
#include <optional>

#include "nfpcap/analyze/sampling.hpp"
#include "nfpcap/netflow/record.hpp"
#include "nfpcap/netflow/template_cache.hpp"
#include "nfpcap/wire/address.hpp"

namespace nfpcap::analyze {

/// One decoded data record as the analyzer sees it (v1/v5/v9/IPFIX alike).
struct FlowRecord {
    wire::IpAddress src, dst;
    std::uint16_t src_port = 0, dst_port = 0;
    std::uint8_t protocol = 0;
    std::uint64_t packets = 0, bytes = 0;           ///< source -> destination
    std::uint64_t rev_packets = 0, rev_bytes = 0;   ///< RFC 5103 reverse direction
    bool biflow = false;                            ///< carried reverse counters
    std::uint8_t tcp_flags = 0;                     ///< OR of the flow's TCP flags
    std::optional<std::uint8_t> initial_tcp_flags;  ///< first packet's flags, when exported
    std::optional<std::uint8_t> icmp_type;          ///< ICMP/ICMPv6 type
    std::optional<std::int64_t> start_ns, end_ns;
    bool time_clamped = false;   ///< a time past the int64 ns range was clamped (netflow::FlowTimes)
    std::uint32_t sampling = 1;  ///< 1-in-N packet sampling the exporter reported
    SamplingSource sampling_source =
        SamplingSource::none;  ///< where `sampling` came from (unknown: sampled, rate unknown)
    wire::Endpoint exporter;
    // What filters and statistics select on; 0 (family 0 for the next hop) when not exported.
    wire::IpAddress next_hop;                   ///< ipNextHopIPv4Address / ipNextHopIPv6Address (15 / 62)
    std::uint8_t tos = 0;                       ///< ipClassOfService (5)
    std::uint8_t version = 0;                   ///< export version: 1, 5, 7, 9 or 10
    std::uint16_t template_id = 0;              ///< v9/IPFIX template ID (0 for v1/v5/v7)
    std::uint32_t input_if = 0, output_if = 0;  ///< ingressInterface / egressInterface (10 / 14)
    std::uint32_t src_as = 0, dst_as = 0;       ///< bgpSourceAsNumber / bgpDestinationAsNumber (16 / 17)
    std::uint32_t domain = 0;                   ///< v9 source ID / IPFIX observation domain / v5 engine
    std::uint64_t template_frame = 0;           ///< frame that defined the template (0 for v1/v5/v7)
    /// How far apart records of this flow may be, from the timeouts its exporter announced in
    /// options data (OptionsState::split_gap_ns); 0 when it announced none.
    std::int64_t split_gap_ns = 0;

    /// Packets and bytes of both directions (the reverse ones of a biflow record included).
    [[nodiscard]] std::uint64_t total_packets() const noexcept;
    [[nodiscard]] std::uint64_t total_bytes() const noexcept;
    /// An ICMP biflow record whose packets all went the reverse way: answers to its source
    /// (what they answer is not exported: icmp_type is unset for them).
    [[nodiscard]] bool icmp_answers_only() const noexcept {
        return (protocol == 1 || protocol == 58) && biflow && packets == 0 && bytes == 0 &&
               (rev_packets > 0 || rev_bytes > 0);
    }
};

/// What extract_flow reads of one template, worked out once: the fields that fill a FlowRecord,
/// in template order (which of two addresses wins depends on it), each with what it fills.
/// Scope fields and repeats of an element are left out; a template without a source and a
/// destination address gives no flow key and has no steps.
struct FlowPlan {
    enum class Fill : std::uint8_t {
        src_v4,
        dst_v4,
        src_v6,
        dst_v6,
        next_hop_v4,
        next_hop_v6,
        tos,
        input_if,
        output_if,
        src_as,
        dst_as,
        src_port,
        dst_port,
        protocol,
        tcp_flags,
        bytes,
        packets,
        bytes_total,
        packets_total,
        icmp_type_code_v4,
        icmp_type_code_v6,
        icmp_type_v4,
        icmp_type_v6,
        rev_bytes,
        rev_packets,
        rev_bytes_total,
        rev_packets_total,
        initial_tcp_flags,
        count_,
    };
    struct Step {
        std::uint16_t field = 0;  ///< index in the template's fields (and a record's values)
        Fill fill = Fill::src_v4;
    };
    /// Every Fill at most once: each is one element's, and repeats are left out.
    std::array<Step, static_cast<std::size_t>(Fill::count_)> steps{};
    std::uint8_t size = 0;

    [[nodiscard]] const Step* begin() const noexcept { return steps.data(); }
    [[nodiscard]] const Step* end() const noexcept { return steps.data() + size; }
};

/// The plan of a compiled template.
FlowPlan plan_flow(const netflow::Template& t) noexcept;

/// Extracts the flow key, counters and times; nullopt for records without addresses
/// (e.g. options records). `sampling` is the exporter's known sampling interval (1 if none):
/// the record's own rate (its fields, the v5 header) comes first. Plans the record's template
/// on every call: FlowExtractor keeps the plan where records come one template after another.
std::optional<FlowRecord> extract_flow(const netflow::DataRecord& record, std::uint32_t sampling = 1);
/// The same with the sampling already decided (OptionsState::resolve): applied as it is.
std::optional<FlowRecord> extract_flow(const netflow::DataRecord& record, const Sampling& sampling);

/// extract_flow with each template's plan kept (netflow::TemplateCache). For the paths that
/// extract every record: a data set's records share their template, and an exporter's datagrams
/// alternate between a few (IPv4 and IPv6, several observation domains).
class FlowExtractor {
public:
    std::optional<FlowRecord> operator()(const netflow::DataRecord& record, std::uint32_t sampling = 1);
    std::optional<FlowRecord> operator()(const netflow::DataRecord& record, const Sampling& sampling);

private:
    netflow::TemplateCache<FlowPlan> plans_;
};

/// Sampling interval above 1 an options (or data) record announces (announced_rate); nullopt if
/// none, or if its rate is unknown.
std::optional<std::uint32_t> announced_sampling(const netflow::DataRecord& record);

}  // namespace nfpcap::analyze
