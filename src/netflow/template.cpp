// SPDX-License-Identifier: MIT
// Template compilation: element lookup, field kinds, offsets and the time plan, done once per
// template definition so that decoding a record is a walk over precomputed fields.
#include "nfpcap/netflow/template.hpp"

#include <array>
#include <map>
#include <tuple>

#include "nfpcap/ie/registry.hpp"
#include "nfpcap/ie/sampling_elements.hpp"
#include "nfpcap/netflow/version.hpp"

namespace nfpcap::netflow {

FieldKind kind_of(ie::DataType type) noexcept {
    using ie::DataType;
    switch (type) {
    case DataType::octetArray: return FieldKind::raw;
    case DataType::unsigned8:
    case DataType::unsigned16:
    case DataType::unsigned32:
    case DataType::unsigned64: return FieldKind::unsigned_int;
    case DataType::signed8:
    case DataType::signed16:
    case DataType::signed32:
    case DataType::signed64: return FieldKind::signed_int;
    case DataType::float32: return FieldKind::float32;
    case DataType::float64: return FieldKind::float64;
    case DataType::boolean: return FieldKind::boolean;
    case DataType::macAddress: return FieldKind::mac;
    case DataType::string: return FieldKind::string;
    case DataType::dateTimeSeconds: return FieldKind::seconds;
    case DataType::dateTimeMilliseconds: return FieldKind::milliseconds;
    case DataType::dateTimeMicroseconds: return FieldKind::microseconds;
    case DataType::dateTimeNanoseconds: return FieldKind::nanoseconds;
    case DataType::ipv4Address: return FieldKind::ipv4;
    case DataType::ipv6Address: return FieldKind::ipv6;
    case DataType::basicList: return FieldKind::basic_list;
    case DataType::subTemplateList: return FieldKind::sub_template_list;
    case DataType::subTemplateMultiList: return FieldKind::sub_template_multi_list;
    }
    return FieldKind::raw;
}

bool length_fits(FieldKind kind, std::size_t length) noexcept {
    switch (kind) {
    case FieldKind::raw:
    case FieldKind::string: return true;
    case FieldKind::unsigned_int:
    case FieldKind::signed_int: return length >= 1 && length <= 8;
    case FieldKind::float32: return length == 4;
    case FieldKind::float64: return length == 4 || length == 8;
    case FieldKind::boolean: return length == 1;
    case FieldKind::mac: return length == 6;
    case FieldKind::ipv4: return length == 4;
    case FieldKind::ipv6: return length == 16;
    case FieldKind::seconds: return length == 4;
    case FieldKind::milliseconds:
    case FieldKind::microseconds:
    case FieldKind::nanoseconds: return length == 8;
    case FieldKind::basic_list: return length >= 5;
    case FieldKind::sub_template_list: return length >= 3;
    case FieldKind::sub_template_multi_list: return length >= 1;
    }
    return false;
}

namespace {

static_assert(static_cast<std::size_t>(TimeRole::collection_milliseconds) + 1 == kTimeRoleCount);

TimeRole time_role_of(std::uint16_t id) noexcept {
    switch (id) {
    case ie::iana::flowStartSysUpTime: return TimeRole::start_sysuptime;
    case ie::iana::flowEndSysUpTime: return TimeRole::end_sysuptime;
    case ie::iana::flowStartSeconds: return TimeRole::start_seconds;
    case ie::iana::flowEndSeconds: return TimeRole::end_seconds;
    case ie::iana::flowStartMilliseconds: return TimeRole::start_milliseconds;
    case ie::iana::flowEndMilliseconds: return TimeRole::end_milliseconds;
    case ie::iana::flowStartMicroseconds: return TimeRole::start_microseconds;
    case ie::iana::flowEndMicroseconds: return TimeRole::end_microseconds;
    case ie::iana::flowStartNanoseconds: return TimeRole::start_nanoseconds;
    case ie::iana::flowEndNanoseconds: return TimeRole::end_nanoseconds;
    case ie::iana::flowStartDeltaMicroseconds: return TimeRole::start_delta_us;
    case ie::iana::flowEndDeltaMicroseconds: return TimeRole::end_delta_us;
    case ie::iana::systemInitTimeMilliseconds: return TimeRole::system_init_ms;
    case ie::iana::flowDurationMilliseconds: return TimeRole::duration_ms;
    case ie::iana::flowDurationMicroseconds: return TimeRole::duration_us;
    case ie::iana::observationTimeSeconds: return TimeRole::observation_seconds;
    case ie::iana::observationTimeMilliseconds: return TimeRole::observation_milliseconds;
    case ie::iana::observationTimeMicroseconds: return TimeRole::observation_microseconds;
    case ie::iana::observationTimeNanoseconds: return TimeRole::observation_nanoseconds;
    case ie::iana::collectionTimeMilliseconds: return TimeRole::collection_milliseconds;
    default: return TimeRole::none;
    }
}

// RFC 3954 §6.1: options scope field types are their own numbering, not element IDs.
std::string v9_scope_name(std::uint16_t type) {
    switch (type) {
    case 1: return "scopeSystem";
    case 2: return "scopeInterface";
    case 3: return "scopeLineCard";
    case 4: return "scopeCache";
    case 5: return "scopeTemplate";
    default: return "scope." + std::to_string(type);
    }
}

// Template::places from the fields' offsets (fixed-length templates only).
void place_fields(Template& t) {
    t.places.clear();
    if (!t.fixed_length) return;
    t.places.reserve(t.fields.size());
    for (const FieldSpec& f : t.fields) t.places.push_back({f.offset, f.length});
    TimePlan& plan = t.time_plan;
    if (plan.quick == QuickTimes::none) return;
    auto place_of = [&](TimeRole role) {
        return t.places[static_cast<std::size_t>(t.time_field[static_cast<std::size_t>(role)])];
    };
    plan.quick_start = place_of(plan.start.roles[0]);
    plan.quick_end = place_of(plan.end.roles[0]);
}

void resolve(FieldSpec& f, bool v9, const ie::Definitions* session) {
    if (v9 && f.scope) {
        f.name = v9_scope_name(f.id);
        // System scope is commonly the exporter's address; the rest are indexes.
        f.kind = (f.id == 1) ? FieldKind::raw : FieldKind::unsigned_int;
    } else {
        f.element = v9 ? ie::find_v9(f.id, session) : ie::find_ipfix(f.pen, f.id, session);
        f.name = ie::field_name(f.pen, f.id, f.element, v9);
        f.kind = f.element ? kind_of(f.element->type) : FieldKind::raw;
        if (f.pen == ie::kPenIana || f.pen == ie::kPenReverse) f.time_role = time_role_of(f.id);
        if (f.pen == ie::kPenReverse) f.time_role = TimeRole::none;  // the peer direction's times
    }
    if (f.length != kVariableLength && !length_fits(f.kind, f.length)) {
        f.length_mismatch = true;
        f.kind = FieldKind::raw;
    }
}

}  // namespace

FieldSpec make_field(std::uint32_t pen, std::uint16_t id, std::uint16_t length, bool v9,
                     const ie::Definitions* session) {
    FieldSpec f;
    f.pen = pen;
    f.id = id;
    f.length = length;
    resolve(f, v9, session);
    return f;
}

bool split_record(const Template& t, wire::Reader& r, std::vector<wire::Bytes>& values) {
    values.resize(t.fields.size());
    for (std::size_t i = 0; i < t.fields.size(); ++i) {
        const FieldSpec& f = t.fields[i];
        if (f.length == kVariableLength) {
            std::size_t length = r.u8();
            if (length == 255) length = r.be16();
            values[i] = r.bytes(length);
        } else {
            values[i] = r.bytes(f.length);
        }
    }
    return !r.failed();
}

void compile(Template& t, bool v9, std::shared_ptr<const ie::Definitions> session) {
    t.time_field.fill(-1);
    t.min_record_length = 0;
    t.fixed_length = true;
    t.needs_value_check = false;
    t.has_lists = false;
    t.has_sampling_fields = false;
    t.anomalies = 0;
    t.definitions = std::move(session);
    // Occurrences of each element. NetFlow v9 scope types are a numbering of their own (scope 1,
    // System, is not field type 1, IN_BYTES), so they are counted apart from the fields.
    std::map<std::tuple<bool, std::uint32_t, std::uint16_t>, std::uint16_t> seen;
    const auto element_key = [v9](const FieldSpec& f) { return std::tuple{v9 && f.scope, f.pen, f.id}; };
    for (std::size_t i = 0; i < t.fields.size(); ++i) {
        FieldSpec& f = t.fields[i];
        f.scope = i < t.scope_count;
        f.element = nullptr;
        f.length_mismatch = false;
        f.time_role = TimeRole::none;
        resolve(f, v9, t.definitions.get());
        if (f.length_mismatch) ++t.anomalies;
        if (f.pen == ie::kPenIana && !(v9 && f.scope) && ie::is_sampling_element(f.id)) t.has_sampling_fields = true;
        t.has_lists = t.has_lists || f.kind == FieldKind::basic_list || f.kind == FieldKind::sub_template_list ||
                      f.kind == FieldKind::sub_template_multi_list;
        if (f.length == kVariableLength) {
            t.fixed_length = false;
            t.min_record_length += 1;
        } else {
            f.offset = t.min_record_length;
            t.min_record_length += f.length;
        }
        if (f.length == kVariableLength || f.kind == FieldKind::boolean || f.kind == FieldKind::string ||
            f.kind == FieldKind::basic_list || f.kind == FieldKind::sub_template_list ||
            f.kind == FieldKind::sub_template_multi_list) {
            t.needs_value_check = true;
        }
        auto& slot = t.time_field[static_cast<std::size_t>(f.time_role)];
        if (f.time_role != TimeRole::none && slot < 0) slot = static_cast<std::int16_t>(i);
        f.repeat_index = seen[element_key(f)]++;
    }
    for (FieldSpec& f : t.fields) f.repeat_count = seen[element_key(f)];
    t.time_plan = plan_times(t);
    place_fields(t);
    auto has = [&](std::uint16_t id) { return !v9 && seen.count({false, ie::kPenIana, id}) != 0; };
    t.describes_elements = t.kind == TemplateKind::options && has(ie::iana::informationElementId) &&
                           has(ie::iana::informationElementDataType) && has(ie::iana::informationElementName);
}

std::shared_ptr<Template> make_template(std::uint16_t id, TemplateKind kind, std::uint16_t scope_count,
                                        const std::vector<RawField>& fields, std::uint8_t version,
                                        std::shared_ptr<const ie::Definitions> session) {
    auto t = std::make_shared<Template>();
    t->id = id;
    t->kind = kind;
    t->version = version;
    t->scope_count = scope_count;
    t->fields.reserve(fields.size());
    for (const RawField& raw : fields) {
        FieldSpec f;
        f.pen = raw.pen;
        f.id = raw.id;
        f.length = raw.length;
        t->fields.push_back(std::move(f));
    }
    compile(*t, version == 9, std::move(session));
    return t;
}

namespace {

// A built-in layout: field IDs at explicit offsets, gaps being the format's padding. Fields IANA
// lacks (v7's router_sc, v8's extra packets) come from the netflow-fixed pseudo-scope of the
// element data (data/ie/netflow-fixed.csv), so they are named like every other field.
struct FixedField {
    std::uint16_t id;
    std::uint16_t offset;
    std::uint16_t length;
    std::uint32_t pen = ie::kPenIana;
};

std::shared_ptr<const Template> fixed_template(std::uint8_t version, std::uint16_t id, std::uint16_t record_size,
                                               const std::vector<FixedField>& layout) {
    auto shared = std::make_shared<Template>();
    Template& t = *shared;
    t.version = version;
    t.id = id;
    for (const FixedField& ff : layout) {
        FieldSpec f;
        f.pen = ff.pen;
        f.id = ff.id;
        f.length = ff.length;
        t.fields.push_back(std::move(f));
    }
    compile(t, false);
    auto it = layout.begin();
    for (FieldSpec& f : t.fields) f.offset = (it++)->offset;
    place_fields(t);  // the format's offsets, padding skipped
    t.min_record_length = record_size;
    return shared;
}

namespace iana = ie::iana;
constexpr std::uint32_t kFixed = ie::kPenNetflowFixed;

// A v8 scheme's layout; `head`: it starts with flows, dPkts, dOctets, First and Last, as the
// prefix/AS/protocol schemes do (the Catalyst flow schemes 6-8 carry addresses first).
std::shared_ptr<const Template> v8_layout(std::uint8_t scheme, bool head, std::initializer_list<FixedField> rest) {
    std::vector<FixedField> layout;
    if (head) {
        layout = {{iana::deltaFlowCount, 0, 4},
                  {iana::packetDeltaCount, 4, 4},
                  {iana::octetDeltaCount, 8, 4},
                  {iana::flowStartSysUpTime, 12, 4},
                  {iana::flowEndSysUpTime, 16, 4}};
    }
    layout.insert(layout.end(), rest.begin(), rest.end());
    return fixed_template(8, scheme, v8_aggregation(scheme)->record_size, layout);
}

}  // namespace

// Cisco NetFlow v5 record (48 bytes), fields named by their IANA equivalents.
const Template& v5_template() {
    static const auto t = fixed_template(5, 0, kV5RecordSize,
                                         {
                                             {iana::sourceIPv4Address, 0, 4},             // srcaddr
                                             {iana::destinationIPv4Address, 4, 4},        // dstaddr
                                             {iana::ipNextHopIPv4Address, 8, 4},          // nexthop
                                             {iana::ingressInterface, 12, 2},             // input
                                             {iana::egressInterface, 14, 2},              // output
                                             {iana::packetDeltaCount, 16, 4},             // dPkts
                                             {iana::octetDeltaCount, 20, 4},              // dOctets
                                             {iana::flowStartSysUpTime, 24, 4},           // First
                                             {iana::flowEndSysUpTime, 28, 4},             // Last
                                             {iana::sourceTransportPort, 32, 2},          // srcport
                                             {iana::destinationTransportPort, 34, 2},     // dstport
                                             {iana::tcpControlBits, 37, 1},               // tcp_flags (after pad1)
                                             {iana::protocolIdentifier, 38, 1},           // prot
                                             {iana::ipClassOfService, 39, 1},             // tos
                                             {iana::bgpSourceAsNumber, 40, 2},            // src_as
                                             {iana::bgpDestinationAsNumber, 42, 2},       // dst_as
                                             {iana::sourceIPv4PrefixLength, 44, 1},       // src_mask
                                             {iana::destinationIPv4PrefixLength, 45, 1},  // dst_mask
                                         });
    return *t;
}

// Cisco NetFlow v1 record (48 bytes): v5's first part, then protocol, tos and flags.
const Template& v1_template() {
    static const auto t = fixed_template(1, 0, kV1RecordSize,
                                         {
                                             {iana::sourceIPv4Address, 0, 4},
                                             {iana::destinationIPv4Address, 4, 4},
                                             {iana::ipNextHopIPv4Address, 8, 4},
                                             {iana::ingressInterface, 12, 2},
                                             {iana::egressInterface, 14, 2},
                                             {iana::packetDeltaCount, 16, 4},
                                             {iana::octetDeltaCount, 20, 4},
                                             {iana::flowStartSysUpTime, 24, 4},
                                             {iana::flowEndSysUpTime, 28, 4},
                                             {iana::sourceTransportPort, 32, 2},
                                             {iana::destinationTransportPort, 34, 2},
                                             {iana::protocolIdentifier, 38, 1},  // prot (after pad1)
                                             {iana::ipClassOfService, 39, 1},    // tos
                                             {iana::tcpControlBits, 40, 1},      // flags
                                         });
    return *t;
}

// Cisco NetFlow v7 record (52 bytes, Catalyst 5000 NFFC / 6000 NDE): v5's layout with the flags
// byte where v5 has pad1, then router_sc, the router whose traffic the switch shortcuts. Bytes
// 46-47 are padding (Wireshark: "Padding").
const Template& v7_template() {
    static const auto t = fixed_template(7, 0, kV7RecordSize,
                                         {
                                             {iana::sourceIPv4Address, 0, 4},
                                             {iana::destinationIPv4Address, 4, 4},
                                             {iana::ipNextHopIPv4Address, 8, 4},
                                             {iana::ingressInterface, 12, 2},
                                             {iana::egressInterface, 14, 2},
                                             {iana::packetDeltaCount, 16, 4},
                                             {iana::octetDeltaCount, 20, 4},
                                             {iana::flowStartSysUpTime, 24, 4},
                                             {iana::flowEndSysUpTime, 28, 4},
                                             {iana::sourceTransportPort, 32, 2},
                                             {iana::destinationTransportPort, 34, 2},
                                             {ie::fixed::exportFlags, 36, 1, kFixed},  // flags
                                             {iana::tcpControlBits, 37, 1},
                                             {iana::protocolIdentifier, 38, 1},
                                             {iana::ipClassOfService, 39, 1},
                                             {iana::bgpSourceAsNumber, 40, 2},
                                             {iana::bgpDestinationAsNumber, 42, 2},
                                             {iana::sourceIPv4PrefixLength, 44, 1},
                                             {iana::destinationIPv4PrefixLength, 45, 1},
                                             {ie::fixed::routerShortcut, 48, 4, kFixed},  // router_sc
                                         });
    return *t;
}

// Cisco NetFlow v8 records, one layout per router-based aggregation scheme (Cisco's v8 tables;
// flow-tools' ftrec_v8_N agree). Reserved and pad bytes are left out. Where Cisco's tables put
// the destination mask before the source mask (schemes 5, 13, 14) so does this.
const Template* v8_template(std::uint8_t scheme) {
    if (v8_aggregation(scheme) == nullptr) return nullptr;
    static const std::array<std::shared_ptr<const Template>, 14> layouts{
        v8_layout(1, true,
                  {{iana::bgpSourceAsNumber, 20, 2},
                   {iana::bgpDestinationAsNumber, 22, 2},
                   {iana::ingressInterface, 24, 2},
                   {iana::egressInterface, 26, 2}}),
        v8_layout(2, true,
                  {{iana::protocolIdentifier, 20, 1},
                   {iana::sourceTransportPort, 24, 2},
                   {iana::destinationTransportPort, 26, 2}}),
        v8_layout(3, true,
                  {{iana::sourceIPv4Prefix, 20, 4},
                   {iana::sourceIPv4PrefixLength, 24, 1},
                   {iana::bgpSourceAsNumber, 26, 2},
                   {iana::ingressInterface, 28, 2}}),
        v8_layout(4, true,
                  {{iana::destinationIPv4Prefix, 20, 4},
                   {iana::destinationIPv4PrefixLength, 24, 1},
                   {iana::bgpDestinationAsNumber, 26, 2},
                   {iana::egressInterface, 28, 2}}),
        v8_layout(5, true,
                  {{iana::sourceIPv4Prefix, 20, 4},
                   {iana::destinationIPv4Prefix, 24, 4},
                   {iana::destinationIPv4PrefixLength, 28, 1},
                   {iana::sourceIPv4PrefixLength, 29, 1},
                   {iana::bgpSourceAsNumber, 32, 2},
                   {iana::bgpDestinationAsNumber, 34, 2},
                   {iana::ingressInterface, 36, 2},
                   {iana::egressInterface, 38, 2}}),
        v8_layout(6, false,
                  {{iana::destinationIPv4Address, 0, 4},
                   {iana::packetDeltaCount, 4, 4},
                   {iana::octetDeltaCount, 8, 4},
                   {iana::flowStartSysUpTime, 12, 4},
                   {iana::flowEndSysUpTime, 16, 4},
                   {iana::egressInterface, 20, 2},
                   {iana::ipClassOfService, 22, 1},
                   {iana::postIpClassOfService, 23, 1},  // marked_tos
                   {ie::fixed::extraPackets, 24, 4, kFixed},
                   {ie::fixed::routerShortcut, 28, 4, kFixed}}),
        v8_layout(7, false,
                  {{iana::destinationIPv4Address, 0, 4},
                   {iana::sourceIPv4Address, 4, 4},
                   {iana::packetDeltaCount, 8, 4},
                   {iana::octetDeltaCount, 12, 4},
                   {iana::flowStartSysUpTime, 16, 4},
                   {iana::flowEndSysUpTime, 20, 4},
                   {iana::egressInterface, 24, 2},
                   {iana::ingressInterface, 26, 2},
                   {iana::ipClassOfService, 28, 1},
                   {iana::postIpClassOfService, 29, 1},
                   {ie::fixed::extraPackets, 32, 4, kFixed},
                   {ie::fixed::routerShortcut, 36, 4, kFixed}}),
        v8_layout(8, false,
                  {{iana::destinationIPv4Address, 0, 4},
                   {iana::sourceIPv4Address, 4, 4},
                   {iana::destinationTransportPort, 8, 2},
                   {iana::sourceTransportPort, 10, 2},
                   {iana::packetDeltaCount, 12, 4},
                   {iana::octetDeltaCount, 16, 4},
                   {iana::flowStartSysUpTime, 20, 4},
                   {iana::flowEndSysUpTime, 24, 4},
                   {iana::egressInterface, 28, 2},
                   {iana::ingressInterface, 30, 2},
                   {iana::ipClassOfService, 32, 1},
                   {iana::protocolIdentifier, 33, 1},
                   {iana::postIpClassOfService, 34, 1},
                   {ie::fixed::extraPackets, 36, 4, kFixed},
                   {ie::fixed::routerShortcut, 40, 4, kFixed}}),
        v8_layout(9, true,
                  {{iana::bgpSourceAsNumber, 20, 2},
                   {iana::bgpDestinationAsNumber, 22, 2},
                   {iana::ingressInterface, 24, 2},
                   {iana::egressInterface, 26, 2},
                   {iana::ipClassOfService, 28, 1}}),
        v8_layout(10, true,
                  {{iana::protocolIdentifier, 20, 1},
                   {iana::ipClassOfService, 21, 1},
                   {iana::sourceTransportPort, 24, 2},
                   {iana::destinationTransportPort, 26, 2},
                   {iana::ingressInterface, 28, 2},
                   {iana::egressInterface, 30, 2}}),
        v8_layout(11, true,
                  {{iana::sourceIPv4Prefix, 20, 4},
                   {iana::sourceIPv4PrefixLength, 24, 1},
                   {iana::ipClassOfService, 25, 1},
                   {iana::bgpSourceAsNumber, 26, 2},
                   {iana::ingressInterface, 28, 2}}),
        v8_layout(12, true,
                  {{iana::destinationIPv4Prefix, 20, 4},
                   {iana::destinationIPv4PrefixLength, 24, 1},
                   {iana::ipClassOfService, 25, 1},
                   {iana::bgpDestinationAsNumber, 26, 2},
                   {iana::egressInterface, 28, 2}}),
        v8_layout(13, true,
                  {{iana::sourceIPv4Prefix, 20, 4},
                   {iana::destinationIPv4Prefix, 24, 4},
                   {iana::destinationIPv4PrefixLength, 28, 1},
                   {iana::sourceIPv4PrefixLength, 29, 1},
                   {iana::ipClassOfService, 30, 1},
                   {iana::bgpSourceAsNumber, 32, 2},
                   {iana::bgpDestinationAsNumber, 34, 2},
                   {iana::ingressInterface, 36, 2},
                   {iana::egressInterface, 38, 2}}),
        v8_layout(14, true,
                  {{iana::sourceIPv4Prefix, 20, 4},
                   {iana::destinationIPv4Prefix, 24, 4},
                   {iana::destinationIPv4PrefixLength, 28, 1},
                   {iana::sourceIPv4PrefixLength, 29, 1},
                   {iana::ipClassOfService, 30, 1},
                   {iana::protocolIdentifier, 31, 1},
                   {iana::sourceTransportPort, 32, 2},
                   {iana::destinationTransportPort, 34, 2},
                   {iana::ingressInterface, 36, 2},
                   {iana::egressInterface, 38, 2}}),
    };
    return layouts[scheme - 1U].get();
}

}  // namespace nfpcap::netflow
