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

using Fill = FlowPlan::Fill;

// What an element fills, if extract_flow reads it (RFC 5103 reverse elements, CERT's initial
// flags and the IANA ones). v9 field types are the same numbers as the IANA elements.
std::optional<Fill> fill_of(std::uint32_t pen, std::uint16_t id) noexcept {
    if (pen == ie::kPenReverse) {
        switch (id) {
        case iana::octetDeltaCount: return Fill::rev_bytes;
        case iana::packetDeltaCount: return Fill::rev_packets;
        case iana::octetTotalCount: return Fill::rev_bytes_total;
        case iana::packetTotalCount: return Fill::rev_packets_total;
        default: return std::nullopt;
        }
    }
    if (pen == ie::kPenCert && id == ie::cert::initialTCPFlags) return Fill::initial_tcp_flags;
    if (pen != ie::kPenIana) return std::nullopt;
    switch (id) {
    case iana::sourceIPv4Address: return Fill::src_v4;
    case iana::destinationIPv4Address: return Fill::dst_v4;
    case iana::sourceIPv6Address: return Fill::src_v6;
    case iana::destinationIPv6Address: return Fill::dst_v6;
    case iana::ipNextHopIPv4Address: return Fill::next_hop_v4;
    case iana::ipNextHopIPv6Address: return Fill::next_hop_v6;
    case iana::ipClassOfService: return Fill::tos;
    case iana::ingressInterface: return Fill::input_if;
    case iana::egressInterface: return Fill::output_if;
    case iana::bgpSourceAsNumber: return Fill::src_as;
    case iana::bgpDestinationAsNumber: return Fill::dst_as;
    case iana::sourceTransportPort: return Fill::src_port;
    case iana::destinationTransportPort: return Fill::dst_port;
    case iana::protocolIdentifier: return Fill::protocol;
    case iana::tcpControlBits: return Fill::tcp_flags;
    case iana::octetDeltaCount: return Fill::bytes;
    case iana::packetDeltaCount: return Fill::packets;
    case iana::octetTotalCount: return Fill::bytes_total;
    case iana::packetTotalCount: return Fill::packets_total;
    case iana::icmpTypeCodeIPv4: return Fill::icmp_type_code_v4;
    case iana::icmpTypeCodeIPv6: return Fill::icmp_type_code_v6;
    case iana::icmpTypeIPv4: return Fill::icmp_type_v4;
    case iana::icmpTypeIPv6: return Fill::icmp_type_v6;
    default: return std::nullopt;
    }
}

bool fills_source(Fill f) noexcept { return f == Fill::src_v4 || f == Fill::src_v6; }
bool fills_destination(Fill f) noexcept { return f == Fill::dst_v4 || f == Fill::dst_v6; }

// What the steps of one record found besides the FlowRecord's members.
struct Found {
    bool src = false, dst = false, next_hop = false;
    bool bytes = false, packets = false, rev_bytes = false, rev_packets = false;  // delta counts
    std::optional<std::uint16_t> icmp_type_code;
};

void take_v4(wire::IpAddress& slot, bool& have, wire::Bytes v) noexcept {
    if (v.size() == 4) take_address(slot, have, wire::IpAddress::v4(v.first<4>()));
}

void take_v6(wire::IpAddress& slot, bool& have, wire::Bytes v) noexcept {
    if (v.size() == 16) take_address(slot, have, wire::IpAddress::v6(v.first<16>()));
}

// One field into the flow. A delta count wins over a total count of the same direction in
// either order; the icmpTypeCode elements wait for the protocol (finish_icmp). Inlined into the
// loop over the steps: a call per field was 2% of `connections`.
[[gnu::always_inline]] inline void apply(Fill fill, wire::Bytes v, FlowRecord& f, Found& found) noexcept {
    switch (fill) {
    // Templates with both families fill the unused one with zeros: a zero address never
    // replaces one already found.
    case Fill::src_v4: take_v4(f.src, found.src, v); break;
    case Fill::dst_v4: take_v4(f.dst, found.dst, v); break;
    case Fill::src_v6: take_v6(f.src, found.src, v); break;
    case Fill::dst_v6: take_v6(f.dst, found.dst, v); break;
    case Fill::next_hop_v4: take_v4(f.next_hop, found.next_hop, v); break;
    case Fill::next_hop_v6: take_v6(f.next_hop, found.next_hop, v); break;
    case Fill::tos: f.tos = static_cast<std::uint8_t>(as_uint(v)); break;
    case Fill::input_if: f.input_if = static_cast<std::uint32_t>(as_uint(v)); break;
    case Fill::output_if: f.output_if = static_cast<std::uint32_t>(as_uint(v)); break;
    case Fill::src_as: f.src_as = static_cast<std::uint32_t>(as_uint(v)); break;
    case Fill::dst_as: f.dst_as = static_cast<std::uint32_t>(as_uint(v)); break;
    case Fill::src_port: f.src_port = static_cast<std::uint16_t>(as_uint(v)); break;
    case Fill::dst_port: f.dst_port = static_cast<std::uint16_t>(as_uint(v)); break;
    case Fill::protocol: f.protocol = static_cast<std::uint8_t>(as_uint(v)); break;
    case Fill::tcp_flags: f.tcp_flags = static_cast<std::uint8_t>(as_uint(v)); break;  // low byte: the classic flags
    case Fill::bytes:
        f.bytes = as_uint(v);
        found.bytes = true;
        break;
    case Fill::packets:
        f.packets = as_uint(v);
        found.packets = true;
        break;
    case Fill::bytes_total:
        if (!found.bytes) f.bytes = as_uint(v);
        break;
    case Fill::packets_total:
        if (!found.packets) f.packets = as_uint(v);
        break;
    case Fill::icmp_type_code_v4:
    case Fill::icmp_type_code_v6: found.icmp_type_code = static_cast<std::uint16_t>(as_uint(v)); break;
    case Fill::icmp_type_v4:
    case Fill::icmp_type_v6: f.icmp_type = static_cast<std::uint8_t>(as_uint(v)); break;
    case Fill::rev_bytes:
        f.rev_bytes = as_uint(v);
        found.rev_bytes = f.biflow = true;
        break;
    case Fill::rev_packets:
        f.rev_packets = as_uint(v);
        found.rev_packets = f.biflow = true;
        break;
    case Fill::rev_bytes_total:
        if (!found.rev_bytes) f.rev_bytes = as_uint(v);
        f.biflow = true;
        break;
    case Fill::rev_packets_total:
        if (!found.rev_packets) f.rev_packets = as_uint(v);
        f.biflow = true;
        break;
    case Fill::initial_tcp_flags: f.initial_tcp_flags = static_cast<std::uint8_t>(as_uint(v)); break;
    case Fill::count_: break;
    }
}

// ICMP flows have a type, not ports.
void finish_icmp(FlowRecord& f, const Found& found) noexcept {
    if (f.protocol != 1 && f.protocol != 58) return;
    if (!f.icmp_type) f.icmp_type = icmp_type_from_ports(found.icmp_type_code, f.src_port, f.dst_port);
    f.src_port = f.dst_port = 0;
    // A biflow record with nothing in its forward direction: its type is the forward
    // direction's (RFC 5103) and describes no packet. softflowd -b writes 0 there (and in
    // the reverse type) whatever its reverse packets were: echo replies, port unreachables.
    if (f.icmp_answers_only()) f.icmp_type.reset();
}

// Sampling, times and where the record came from.
void finish_context(FlowRecord& f, const netflow::DataRecord& record, const Sampling& sampling) noexcept {
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
    const netflow::Template& t = *record.tmpl;
    if (t.version == 9 || t.version == 10) {
        f.template_id = t.id;
        f.template_frame = t.frame;
    }
}

std::optional<FlowRecord> extract_planned(const netflow::DataRecord& record, const Sampling& sampling,
                                          const FlowPlan& plan) {
    if (plan.size == 0) return std::nullopt;
    FlowRecord f;
    Found found;
    for (const FlowPlan::Step& step : plan) apply(step.fill, record.values[step.field], f, found);
    if (!found.src || !found.dst) return std::nullopt;
    finish_icmp(f, found);
    finish_context(f, record, sampling);
    return f;
}

// The record's own rate (its fields, the v5 header) before what the caller knows.
Sampling decide_sampling(const netflow::DataRecord& record, std::uint32_t known) {
    std::optional<Sampling> own = announced_rate(record);
    if (!own || !own->known() || own->interval <= 1) own = header_rate(*record.header);
    if (own && own->known() && own->interval > 1) return *own;
    return Sampling{known, known > 1 ? SamplingSource::session : SamplingSource::none, 0};
}

}  // namespace

FlowPlan plan_flow(const netflow::Template& t) noexcept {
    FlowPlan plan;
    bool source = false, destination = false;
    for (std::size_t i = 0; i < t.fields.size() && i <= UINT16_MAX; ++i) {
        const netflow::FieldSpec& spec = t.fields[i];
        if (spec.scope || spec.repeat_index != 0) continue;
        const auto fill = fill_of(spec.pen, spec.id);
        if (!fill || plan.size == plan.steps.size()) continue;  // (full: never, one Fill an element)
        source = source || fills_source(*fill);
        destination = destination || fills_destination(*fill);
        plan.steps[plan.size++] = {static_cast<std::uint16_t>(i), *fill};
    }
    if (!source || !destination) plan.size = 0;
    return plan;
}

std::optional<FlowRecord> extract_flow(const netflow::DataRecord& record, std::uint32_t sampling) {
    return extract_flow(record, decide_sampling(record, sampling));
}

std::optional<FlowRecord> extract_flow(const netflow::DataRecord& record, const Sampling& sampling) {
    return extract_planned(record, sampling, plan_flow(*record.tmpl));
}

std::optional<FlowRecord> FlowExtractor::operator()(const netflow::DataRecord& record, std::uint32_t sampling) {
    return (*this)(record, decide_sampling(record, sampling));
}

std::optional<FlowRecord> FlowExtractor::operator()(const netflow::DataRecord& record, const Sampling& sampling) {
    return extract_planned(record, sampling, plans_.get(*record.tmpl, plan_flow));
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
