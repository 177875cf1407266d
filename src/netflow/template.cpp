// SPDX-License-Identifier: MIT
// Template compilation: element lookup, field kinds, offsets and the time plan, done once per
// template definition so that decoding a record is a walk over precomputed fields.
#include "nfpcap/netflow/template.hpp"

#include <map>
#include <tuple>

#include "nfpcap/ie/registry.hpp"
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

void resolve(FieldSpec& f, bool v9) {
    if (v9 && f.scope) {
        f.name = v9_scope_name(f.id);
        // System scope is commonly the exporter's address; the rest are indexes.
        f.kind = (f.id == 1) ? FieldKind::raw : FieldKind::unsigned_int;
    } else {
        f.element = v9 ? ie::find_v9(f.id) : ie::find_ipfix(f.pen, f.id);
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

FieldSpec make_field(std::uint32_t pen, std::uint16_t id, std::uint16_t length, bool v9) {
    FieldSpec f;
    f.pen = pen;
    f.id = id;
    f.length = length;
    resolve(f, v9);
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

void compile(Template& t, bool v9) {
    t.time_field.fill(-1);
    t.min_record_length = 0;
    t.fixed_length = true;
    t.needs_value_check = false;
    t.has_lists = false;
    t.anomalies = 0;
    // Occurrences of each element. NetFlow v9 scope types are a numbering of their own (scope 1,
    // System, is not field type 1, IN_BYTES), so they are counted apart from the fields.
    std::map<std::tuple<bool, std::uint32_t, std::uint16_t>, std::uint16_t> seen;
    const auto element_key = [v9](const FieldSpec& f) { return std::tuple{v9 && f.scope, f.pen, f.id}; };
    for (std::size_t i = 0; i < t.fields.size(); ++i) {
        FieldSpec& f = t.fields[i];
        f.scope = i < t.scope_count;
        resolve(f, v9);
        if (f.length_mismatch) ++t.anomalies;
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
}

std::shared_ptr<Template> make_template(std::uint16_t id, TemplateKind kind, std::uint16_t scope_count,
                                        const std::vector<RawField>& fields, std::uint8_t version) {
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
    compile(*t, version == 9);
    return t;
}

namespace {

// A built-in layout: field IDs at explicit offsets, gaps being the format's padding.
struct FixedField {
    std::uint16_t id;
    std::uint16_t offset;
    std::uint16_t length;
};

std::shared_ptr<const Template> fixed_template(std::uint8_t version, std::initializer_list<FixedField> layout) {
    auto shared = std::make_shared<Template>();
    Template& t = *shared;
    t.version = version;
    for (const FixedField& ff : layout) {
        FieldSpec f;
        f.id = ff.id;
        f.length = ff.length;
        t.fields.push_back(std::move(f));
    }
    compile(t, false);
    auto it = layout.begin();
    for (FieldSpec& f : t.fields) f.offset = (it++)->offset;
    t.min_record_length = version_info(version)->record_size;
    return shared;
}

}  // namespace

// Cisco NetFlow v5 record (48 bytes), fields named by their IANA equivalents.
const Template& v5_template() {
    static const auto t = fixed_template(5, {
                                                {ie::iana::sourceIPv4Address, 0, 4},          // srcaddr
                                                {ie::iana::destinationIPv4Address, 4, 4},     // dstaddr
                                                {ie::iana::ipNextHopIPv4Address, 8, 4},       // nexthop
                                                {ie::iana::ingressInterface, 12, 2},          // input
                                                {ie::iana::egressInterface, 14, 2},           // output
                                                {ie::iana::packetDeltaCount, 16, 4},          // dPkts
                                                {ie::iana::octetDeltaCount, 20, 4},           // dOctets
                                                {ie::iana::flowStartSysUpTime, 24, 4},        // First
                                                {ie::iana::flowEndSysUpTime, 28, 4},          // Last
                                                {ie::iana::sourceTransportPort, 32, 2},       // srcport
                                                {ie::iana::destinationTransportPort, 34, 2},  // dstport
                                                {ie::iana::tcpControlBits, 37, 1},            // tcp_flags (after pad1)
                                                {ie::iana::protocolIdentifier, 38, 1},        // prot
                                                {ie::iana::ipClassOfService, 39, 1},          // tos
                                                {ie::iana::bgpSourceAsNumber, 40, 2},         // src_as
                                                {ie::iana::bgpDestinationAsNumber, 42, 2},    // dst_as
                                                {ie::iana::sourceIPv4PrefixLength, 44, 1},    // src_mask
                                                {ie::iana::destinationIPv4PrefixLength, 45, 1},  // dst_mask
                                            });
    return *t;
}

// Cisco NetFlow v1 record (48 bytes): v5's first part, then protocol, tos and flags.
const Template& v1_template() {
    static const auto t = fixed_template(1, {
                                                {ie::iana::sourceIPv4Address, 0, 4},
                                                {ie::iana::destinationIPv4Address, 4, 4},
                                                {ie::iana::ipNextHopIPv4Address, 8, 4},
                                                {ie::iana::ingressInterface, 12, 2},
                                                {ie::iana::egressInterface, 14, 2},
                                                {ie::iana::packetDeltaCount, 16, 4},
                                                {ie::iana::octetDeltaCount, 20, 4},
                                                {ie::iana::flowStartSysUpTime, 24, 4},
                                                {ie::iana::flowEndSysUpTime, 28, 4},
                                                {ie::iana::sourceTransportPort, 32, 2},
                                                {ie::iana::destinationTransportPort, 34, 2},
                                                {ie::iana::protocolIdentifier, 38, 1},  // prot (after pad1)
                                                {ie::iana::ipClassOfService, 39, 1},    // tos
                                                {ie::iana::tcpControlBits, 40, 1},      // flags
                                            });
    return *t;
}

}  // namespace nfpcap::netflow
