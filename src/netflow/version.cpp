// SPDX-License-Identifier: MIT
// The version table. v6 is Cisco's v5 with encapsulation fields, never documented publicly: it is
// recognized by its shape and counted. v8 (router-based aggregation) has per-scheme records.
#include "nfpcap/netflow/version.hpp"

#include <algorithm>
#include <array>

namespace nfpcap::netflow {

namespace {

// Designated initializers keep each row readable against the formats it describes.
constexpr std::array<VersionInfo, 7> kVersions{{
    {.version = 1,
     .name = "NetFlow v1",
     .header_size = kV1HeaderSize,
     .record_size = kV1RecordSize,
     .decoded = true,
     .sequence = SequenceUnit::none},
    {.version = 5,
     .name = "NetFlow v5",
     .header_size = kV5HeaderSize,
     .record_size = kV5RecordSize,
     .decoded = true,
     .sequence = SequenceUnit::flows,
     .domain_offset = 20,
     .domain_size = 2,
     .sequence_offset = 16},
    {.version = 6,
     .name = "NetFlow v6",
     .header_size = kV5HeaderSize,
     .record_size = 52,
     .sequence = SequenceUnit::flows,
     .domain_offset = 20,
     .domain_size = 2,
     .sequence_offset = 16},
    {.version = 7,
     .name = "NetFlow v7",
     .header_size = kV7HeaderSize,
     .record_size = kV7RecordSize,
     .decoded = true,
     .sequence = SequenceUnit::flows,
     .sequence_offset = 16},
    {.version = 8,
     .name = "NetFlow v8",
     .header_size = kV8HeaderSize,
     .decoded = true,
     .sequence = SequenceUnit::flows,
     .domain_offset = 20,
     .domain_size = 2,
     .sequence_offset = 16},
    {.version = 9,
     .name = "NetFlow v9",
     .header_size = kV9HeaderSize,
     .template_based = true,
     .decoded = true,
     .sequence = SequenceUnit::export_packets,
     .domain_offset = 16,
     .domain_size = 4,
     .sequence_offset = 12},
    {.version = 10,
     .name = "IPFIX",
     .header_size = kIpfixHeaderSize,
     .template_based = true,
     .decoded = true,
     .has_length = true,
     .sequence = SequenceUnit::data_records,
     .time_base = TimeBase::export_time,
     .domain_offset = 12,
     .domain_size = 4,
     .sequence_offset = 8,
     .uptime_offset = 0,
     .export_time_offset = 4},
}};

// The sizes every decoder relies on (Cisco's formats; RFC 3954 §5.1; RFC 7011 §3.1).
static_assert(kV1HeaderSize == 2 + 2 + 4 + 4 + 4);
static_assert(kV5HeaderSize == kV1HeaderSize + 4 + 1 + 1 + 2);
static_assert(kV7HeaderSize == kV1HeaderSize + 4 + 4);
static_assert(kV9HeaderSize == 2 + 2 + 4 + 4 + 4 + 4);
static_assert(kIpfixHeaderSize == 2 + 2 + 4 + 4 + 4);
static_assert(kV5RecordSize == 4 * 3 + 2 * 2 + 4 * 4 + 2 * 2 + 1 * 4 + 2 * 2 + 1 * 2 + 2);
static_assert(kV7RecordSize == kV5RecordSize + 4);  // v5's layout, then router_sc
static_assert(std::is_sorted(kVersions.begin(), kVersions.end(),
                             [](const VersionInfo& a, const VersionInfo& b) { return a.version < b.version; }));
static_assert(kV8HeaderSize == kV1HeaderSize + 4 + 1 + 1 + 1 + 1 + 4);  // sequence, engine, scheme, reserved

// Cisco's v8 schemes. The prefix/AS/protocol schemes (1-5, 9-14) start with flows, packets,
// octets, first and last (20 bytes); the Catalyst "flow" schemes 6-8 carry addresses instead.
constexpr std::array<AggregationInfo, 14> kAggregations{{
    {1, "AS", 28},
    {2, "Protocol-Port", 28},
    {3, "Source-Prefix", 32},
    {4, "Destination-Prefix", 32},
    {5, "Prefix", 40},
    {6, "Destination", 32},
    {7, "Source-Destination", 40},
    {8, "Full-Flow", 44},
    {9, "AS-ToS", 32},
    {10, "Protocol-Port-ToS", 32},
    {11, "Source-Prefix-ToS", 32},
    {12, "Destination-Prefix-ToS", 32},
    {13, "Prefix-ToS", 40},
    {14, "Prefix-Port", 40},
}};
constexpr bool schemes_in_order() {
    for (std::size_t i = 0; i < kAggregations.size(); ++i) {
        if (kAggregations[i].scheme != i + 1) return false;
    }
    return true;
}
static_assert(schemes_in_order());                              // v8_aggregation indexes by scheme
static_assert(kAggregations[0].record_size == 5 * 4 + 4 * 2);   // AS: head, 2 AS, 2 interfaces
static_assert(kAggregations[7].record_size == 11 * 4);          // Full Flow
static_assert(kAggregations[13].record_size == 5 * 4 + 5 * 4);  // Prefix-Port

}  // namespace

const VersionInfo* version_info(std::uint16_t version) noexcept {
    for (const VersionInfo& v : kVersions) {
        if (v.version == version) return &v;
    }
    return nullptr;
}

std::span<const VersionInfo> known_versions() noexcept { return kVersions; }

std::string_view decoded_versions_text() noexcept { return "1, 5, 7, 8, 9 or 10"; }

const AggregationInfo* v8_aggregation(std::uint8_t scheme) noexcept {
    if (scheme == 0 || scheme > kAggregations.size()) return nullptr;
    return &kAggregations[scheme - 1U];
}

std::span<const AggregationInfo> v8_aggregations() noexcept { return kAggregations; }

}  // namespace nfpcap::netflow
