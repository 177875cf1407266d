// SPDX-License-Identifier: MIT
// From decoded records to FlowRecords: the flow key and counters by information element.
#include "nfpcap/analyze/flow.hpp"

#include "nfpcap/analyze/saturating.hpp"
#include "nfpcap/ie/registry.hpp"

namespace nfpcap::analyze {

namespace {

std::uint64_t as_uint(wire::Bytes v) noexcept {
    return (v.empty() || v.size() > 8) ? 0 : wire::load_be(v.data(), v.size());
}

// RFC 7012 element IDs the analyzer reads (NetFlow v9 uses the same numbers).
namespace iana = ie::iana;

bool is_zero(const wire::IpAddress& a) noexcept {
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a.bytes[i] != 0) return false;
    }
    return true;
}

void take_address(wire::IpAddress& slot, bool& have, const wire::IpAddress& a) noexcept {
    if (have && is_zero(a) && !is_zero(slot)) return;
    slot = a;
    have = true;
}

// Exporters without an ICMP type element put it in the ports. softflowd, pmacct, nfdump and
// Cisco's v5 put type * 256 + code in the destination port (source port 0); fprobe 1.1 puts the
// type in the source port and the code in the destination port (echo request 8 / 0, port
// unreachable 3 / 3). A source port of 1 to 255 can only be fprobe's type: the other form
// always has source port 0.
std::uint8_t icmp_type_from_ports(std::optional<std::uint16_t> type_code, std::uint16_t src_port,
                                  std::uint16_t dst_port) noexcept {
    if (type_code) return static_cast<std::uint8_t>(*type_code >> 8U);
    if (src_port != 0 && src_port <= 0xff && dst_port <= 0xff) return static_cast<std::uint8_t>(src_port);
    return static_cast<std::uint8_t>(dst_port >> 8U);
}

}  // namespace

std::optional<FlowRecord> extract_flow(const netflow::DataRecord& record, std::uint32_t sampling) {
    // The record's own rate (its fields, the v5 header) before what the caller knows.
    std::optional<Sampling> own = announced_rate(record);
    if (!own || !own->known() || own->interval <= 1) own = header_rate(*record.header);
    if (own && own->known() && own->interval > 1) return extract_flow(record, *own);
    return extract_flow(record, Sampling{sampling, sampling > 1 ? SamplingSource::session : SamplingSource::none, 0});
}

std::optional<FlowRecord> extract_flow(const netflow::DataRecord& record, const Sampling& sampling) {
    const netflow::Template& t = *record.tmpl;
    FlowRecord f;
    bool have_src = false, have_dst = false, have_next_hop = false;
    bool have_delta_packets = false, have_delta_bytes = false;
    bool have_rev_delta_packets = false, have_rev_delta_bytes = false;
    std::optional<std::uint16_t> icmp_type_code;
    for (std::size_t i = 0; i < t.fields.size(); ++i) {
        const netflow::FieldSpec& spec = t.fields[i];
        if (spec.scope || spec.repeat_index != 0) continue;
        const wire::Bytes v = record.values[i];
        if (spec.pen == ie::kPenReverse) {
            switch (spec.id) {
            case iana::octetDeltaCount:
                f.rev_bytes = as_uint(v);
                have_rev_delta_bytes = f.biflow = true;
                break;
            case iana::packetDeltaCount:
                f.rev_packets = as_uint(v);
                have_rev_delta_packets = f.biflow = true;
                break;
            case iana::octetTotalCount:
                if (!have_rev_delta_bytes) f.rev_bytes = as_uint(v);
                f.biflow = true;
                break;
            case iana::packetTotalCount:
                if (!have_rev_delta_packets) f.rev_packets = as_uint(v);
                f.biflow = true;
                break;
            default: break;
            }
            continue;
        }
        if (spec.pen == ie::kPenCert && spec.id == ie::cert::initialTCPFlags) {
            f.initial_tcp_flags = static_cast<std::uint8_t>(as_uint(v));
            continue;
        }
        if (spec.pen != ie::kPenIana) continue;
        switch (spec.id) {
        // Templates with both families fill the unused one with zeros: a zero address never
        // replaces one already found.
        case iana::sourceIPv4Address:
            if (v.size() == 4) take_address(f.src, have_src, wire::IpAddress::v4(v.first<4>()));
            break;
        case iana::destinationIPv4Address:
            if (v.size() == 4) take_address(f.dst, have_dst, wire::IpAddress::v4(v.first<4>()));
            break;
        case iana::sourceIPv6Address:
            if (v.size() == 16) take_address(f.src, have_src, wire::IpAddress::v6(v.first<16>()));
            break;
        case iana::destinationIPv6Address:
            if (v.size() == 16) take_address(f.dst, have_dst, wire::IpAddress::v6(v.first<16>()));
            break;
        case iana::ipNextHopIPv4Address:
            if (v.size() == 4) take_address(f.next_hop, have_next_hop, wire::IpAddress::v4(v.first<4>()));
            break;
        case iana::ipNextHopIPv6Address:
            if (v.size() == 16) take_address(f.next_hop, have_next_hop, wire::IpAddress::v6(v.first<16>()));
            break;
        case iana::ipClassOfService: f.tos = static_cast<std::uint8_t>(as_uint(v)); break;
        case iana::ingressInterface: f.input_if = static_cast<std::uint32_t>(as_uint(v)); break;
        case iana::egressInterface: f.output_if = static_cast<std::uint32_t>(as_uint(v)); break;
        case iana::bgpSourceAsNumber: f.src_as = static_cast<std::uint32_t>(as_uint(v)); break;
        case iana::bgpDestinationAsNumber: f.dst_as = static_cast<std::uint32_t>(as_uint(v)); break;
        case iana::sourceTransportPort: f.src_port = static_cast<std::uint16_t>(as_uint(v)); break;
        case iana::destinationTransportPort: f.dst_port = static_cast<std::uint16_t>(as_uint(v)); break;
        case iana::protocolIdentifier: f.protocol = static_cast<std::uint8_t>(as_uint(v)); break;
        case iana::tcpControlBits:
            f.tcp_flags = static_cast<std::uint8_t>(as_uint(v));
            break;  // low byte: the classic flags
        case iana::octetDeltaCount:
            f.bytes = as_uint(v);
            have_delta_bytes = true;
            break;
        case iana::packetDeltaCount:
            f.packets = as_uint(v);
            have_delta_packets = true;
            break;
        case iana::octetTotalCount:
            if (!have_delta_bytes) f.bytes = as_uint(v);
            break;
        case iana::packetTotalCount:
            if (!have_delta_packets) f.packets = as_uint(v);
            break;
        case iana::icmpTypeCodeIPv4:
        case iana::icmpTypeCodeIPv6: icmp_type_code = static_cast<std::uint16_t>(as_uint(v)); break;
        case iana::icmpTypeIPv4:
        case iana::icmpTypeIPv6: f.icmp_type = static_cast<std::uint8_t>(as_uint(v)); break;
        default: break;
        }
    }
    if (!have_src || !have_dst) return std::nullopt;
    if (f.protocol == 1 || f.protocol == 58) {
        if (!f.icmp_type) f.icmp_type = icmp_type_from_ports(icmp_type_code, f.src_port, f.dst_port);
        f.src_port = f.dst_port = 0;
        // A biflow record with nothing in its forward direction: its type is the forward
        // direction's (RFC 5103) and describes no packet. softflowd -b writes 0 there (and in
        // the reverse type) whatever its reverse packets were: echo replies, port unreachables.
        if (f.icmp_answers_only()) f.icmp_type.reset();
    }
    f.sampling = sampling.interval;
    f.sampling_source = sampling.source;
    const netflow::FlowTimes times = record.times();
    f.start_ns = times.start_ns;
    f.time_clamped = times.clamped;
    f.end_ns = times.end_ns ? times.end_ns : times.start_ns;
    if (!f.start_ns) f.start_ns = f.end_ns;
    f.exporter = record.context->exporter;
    f.version = static_cast<std::uint8_t>(record.header->version);
    f.domain = record.header->domain;
    if (t.version == 9 || t.version == 10) {
        f.template_id = t.id;
        f.template_frame = t.frame;
    }
    return f;
}

std::uint64_t FlowRecord::total_packets() const noexcept {
    bool saturated = false;
    return sat_add(packets, rev_packets, saturated);
}

std::uint64_t FlowRecord::total_bytes() const noexcept {
    bool saturated = false;
    return sat_add(bytes, rev_bytes, saturated);
}

std::optional<std::uint32_t> announced_sampling(const netflow::DataRecord& record) {
    const auto rate = announced_rate(record);
    if (!rate || !rate->known() || rate->interval <= 1) return std::nullopt;
    return rate->interval;
}

}  // namespace nfpcap::analyze
