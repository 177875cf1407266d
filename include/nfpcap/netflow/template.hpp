// SPDX-License-Identifier: MIT
// Templates compiled once into decode plans: NetFlow v9 / IPFIX templates and the built-in
// v1/v5 record layouts share this one description of "which bytes are which field".
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nfpcap/ie/definitions.hpp"
#include "nfpcap/ie/element.hpp"
#include "nfpcap/wire/reader.hpp"

namespace nfpcap::netflow {

/// How a field's bytes are read and printed; chosen from the element's data type.
enum class FieldKind : std::uint8_t {
    raw,  ///< octetArray, unknown elements and values whose length does not fit their type
    unsigned_int,
    signed_int,
    float32,
    float64,
    boolean,
    mac,
    string,
    ipv4,
    ipv6,
    seconds,       ///< dateTimeSeconds
    milliseconds,  ///< dateTimeMilliseconds
    microseconds,  ///< dateTimeMicroseconds (NTP format)
    nanoseconds,   ///< dateTimeNanoseconds (NTP format)
    basic_list,
    sub_template_list,
    sub_template_multi_list,
};

FieldKind kind_of(ie::DataType type) noexcept;
/// RFC 7011 §6.1-6.2: whether `length` bytes can hold a value of this kind (reduced size included).
bool length_fits(FieldKind kind, std::size_t length) noexcept;

/// Fields whose values place a flow in time (RFC 7012 / RFC 3954 numbering).
enum class TimeRole : std::uint8_t {
    none,
    start_sysuptime,
    end_sysuptime,  // 22 / 21: ms of exporter uptime
    start_seconds,
    end_seconds,  // 150 / 151
    start_milliseconds,
    end_milliseconds,  // 152 / 153
    start_microseconds,
    end_microseconds,  // 154 / 155
    start_nanoseconds,
    end_nanoseconds,  // 156 / 157
    start_delta_us,
    end_delta_us,  // 158 / 159: before export time
    duration_ms,
    duration_us,     // 161 / 162
    system_init_ms,  // 160
    observation_seconds,
    observation_milliseconds,
    observation_microseconds,
    observation_nanoseconds,  // 322 / 323 / 324 / 325: when an event was observed (NSEL, PSAMP)
    collection_milliseconds,  // 258: when a collector received the record (mediators re-export it)
    count_,
};
inline constexpr std::size_t kTimeRoleCount = static_cast<std::size_t>(TimeRole::count_);

inline constexpr std::uint16_t kVariableLength = 65535;

/// One field of a template, resolved against the element table.
struct FieldSpec {
    std::uint32_t pen = 0;     ///< 0 for IANA (and NetFlow v9) elements
    std::uint16_t id = 0;      ///< element ID or v9 field type
    std::uint16_t length = 0;  ///< bytes, or kVariableLength
    const ie::Element* element = nullptr;
    std::string name;                 ///< name printed for this field
    FieldKind kind = FieldKind::raw;  ///< kind the bytes are read as (raw when the length does not fit)
    bool length_mismatch = false;     ///< a fixed length that does not fit the element's type
    bool scope = false;               ///< options template scope field
    TimeRole time_role = TimeRole::none;
    std::uint32_t offset = 0;        ///< byte offset in the record when the template is fixed-length
    std::uint16_t repeat_index = 0;  ///< 0 for the first occurrence of (pen, id) in the template
    std::uint16_t repeat_count = 1;  ///< occurrences of (pen, id) in the template
};

enum class TemplateKind : std::uint8_t { data, options };

/// Where a field sits in a record of a fixed-length template: kept apart from the FieldSpecs,
/// so splitting a record reads eight bytes per field, not a FieldSpec's cache line.
struct FieldPlace {
    std::uint32_t offset = 0;
    std::uint32_t length = 0;
};

/// The time fields a template has for one part of a flow's time (its start, its end, its
/// duration, when it was observed), in the order flow_times tries them. Compiled once, so a
/// record pays for the time fields its template has, not for a walk over every role.
struct TimeChain {
    static constexpr std::size_t kMaxRoles = 6;  ///< the longest chain: an end's six encodings
    std::array<TimeRole, kMaxRoles> roles{};
    std::uint8_t size = 0;
    /// The last role is a fixed-length field of 1 to 8 bytes: it is always read, so the roles
    /// after it, which would never be tried, are left out.
    bool always_read = false;

    [[nodiscard]] const TimeRole* begin() const noexcept { return roles.data(); }
    [[nodiscard]] const TimeRole* end() const noexcept { return roles.data() + size; }
    [[nodiscard]] bool empty() const noexcept { return size == 0; }
};

/// Start and end as most records carry them: one always-read field each, both sysUpTime
/// offsets, or both milliseconds or both seconds since the epoch. Whether such a record's times
/// are reversed or clamped then takes two loads and a compare (time_anomalies).
enum class QuickTimes : std::uint8_t { none, sysuptime, milliseconds, seconds };

struct TimePlan {
    TimeChain start, end, duration, observed;
    QuickTimes quick = QuickTimes::none;
    /// Fixed-length templates with quick times: where the start and end fields sit (place_fields).
    FieldPlace quick_start, quick_end;
    [[nodiscard]] bool empty() const noexcept {
        return start.empty() && end.empty() && duration.empty() && observed.empty();
    }
};

/// A compiled template: the decode plan for its data records. Always owned by a shared_ptr
/// (sessions, built-in layouts), so whoever keeps a record can keep its template alive with
/// `shared_from_this()`; a redefinition makes a new Template, never changes one in place.
struct Template : std::enable_shared_from_this<Template> {
    std::uint16_t id = 0;
    TemplateKind kind = TemplateKind::data;
    std::uint8_t version = 0;       ///< 1, 5, 7, 8, 9 or 10
    std::uint16_t scope_count = 0;  ///< options templates: leading scope fields
    std::vector<FieldSpec> fields;
    std::uint32_t min_record_length = 0;  ///< every variable field counted as its 1-byte prefix
    bool fixed_length = true;             ///< no variable-length field: offsets are precomputed
    std::vector<FieldPlace> places;       ///< fixed-length templates: each field's offset and length
    bool needs_value_check = false;       ///< has fields whose values need checking per record
    bool has_lists = false;               ///< has basicList / subTemplateList / multi-list fields
    bool has_sampling_fields = false;     ///< an IANA sampling element (ie::kSamplingElementIds), v9 scope fields aside
    std::array<std::int16_t, kTimeRoleCount> time_field{};  ///< first field index per role, -1 none
    TimePlan time_plan;                                     ///< the roles of time_field flow_times reads
    std::vector<std::byte> definition;                      ///< the template record as sent (to spot identical resends)
    std::uint64_t frame = 0;                                ///< frame that defined it
    std::uint32_t anomalies = 0;                            ///< fields whose length does not fit their type
    /// RFC 5610 §3.9: an options template of type information records (informationElementId,
    /// informationElementDataType and informationElementName): its records describe elements.
    bool describes_elements = false;
    /// The session's in-band definitions some field's element points into (kept alive here).
    std::shared_ptr<const ie::Definitions> definitions;
};

/// Builds a template from its field list; computes offsets, kinds and the time plan.
/// `v9` selects NetFlow v9 field numbering (and scope types for options templates); elements are
/// looked up in `session` (an exporter's RFC 5610 definitions, kept by the template) first.
void compile(Template& t, bool v9, std::shared_ptr<const ie::Definitions> session = nullptr);

/// The time plan of a compiled template's time_field (the precedence lives with flow_times, in
/// times.cpp): roles it lacks, and fixed-length fields no time fits in (0 or over 8 bytes), are
/// left out.
TimePlan plan_times(const Template& t) noexcept;

/// A field as sent in a template record: (pen, id, length).
struct RawField {
    std::uint32_t pen;
    std::uint16_t id;
    std::uint16_t length;
};

/// Resolves one field outside a template (basicList elements): name, element, kind.
FieldSpec make_field(std::uint32_t pen, std::uint16_t id, std::uint16_t length, bool v9,
                     const ie::Definitions* session = nullptr);

/// Splits the next record of `t` off `r` into `values` (one per field, resized as needed).
/// False when a field runs past the reader; `r` is then failed.
bool split_record(const Template& t, wire::Reader& r, std::vector<wire::Bytes>& values);

/// A fixed-length record's values: its template's places over its bytes (`out` has room for
/// one per field).
inline void split_fixed(const Template& t, const std::byte* record, wire::Bytes* out) noexcept {
    const FieldPlace* places = t.places.data();  // (locals: a store to `out` could alias the vector)
    const std::size_t n = t.places.size();
    for (std::size_t i = 0; i < n; ++i) out[i] = wire::Bytes(record + places[i].offset, places[i].length);
}

/// Makes a template from raw fields (the message builder and the decoders use it).
std::shared_ptr<Template> make_template(std::uint16_t id, TemplateKind kind, std::uint16_t scope_count,
                                        const std::vector<RawField>& fields, std::uint8_t version,
                                        std::shared_ptr<const ie::Definitions> session = nullptr);

/// Built-in layouts of NetFlow v1 and v5 records (48 bytes each), v7 records (52 bytes), as
/// static templates.
const Template& v1_template();
const Template& v5_template();
const Template& v7_template();
/// The built-in layout of a NetFlow v8 aggregation scheme's records (its `id` is the scheme),
/// nullptr for a scheme nfpcap does not know.
const Template* v8_template(std::uint8_t scheme);

}  // namespace nfpcap::netflow
