// SPDX-License-Identifier: MIT
// A flow record reduced to what connection analysis needs: owning, small, version-neutral.
#pragma once
#include <cstdint>
#include <optional>

#include "nfpcap/netflow/record.hpp"
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
    std::uint32_t sampling = 1;  ///< 1-in-N packet sampling the exporter reported
    wire::Endpoint exporter;
};

/// Extracts the flow key, counters and times; nullopt for records without addresses
/// (e.g. options records). `sampling` is the exporter's known sampling interval (1 if none).
std::optional<FlowRecord> extract_flow(const netflow::DataRecord& record, std::uint32_t sampling = 1);

/// Sampling interval an options (or data) record announces: samplingInterval (34), or
/// samplingPacketInterval/Space (305/306) as (interval + space) / interval; nullopt if none.
std::optional<std::uint32_t> announced_sampling(const netflow::DataRecord& record);

}  // namespace nfpcap::analyze
