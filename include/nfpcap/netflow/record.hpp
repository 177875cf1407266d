// SPDX-License-Identifier: MIT
// Export message headers and decoded records. A DataRecord is a view, valid only during the
// DecodeSink::on_record call that hands it out: the header is a local of decode_message, the
// values sit in the decoder's scratch space, the bytes in the datagram, and the session may
// replace the template later in the same message. Whatever keeps a record copies it into an
// OwnedRecord.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "nfpcap/netflow/template.hpp"
#include "nfpcap/wire/address.hpp"
#include "nfpcap/wire/reader.hpp"

namespace nfpcap::netflow {

struct DecoderState;

/// No session: a message decoded outside a session table.
inline constexpr std::uint32_t kNoSession = UINT32_MAX;

/// Where a message came from: the capture side of things.
struct MessageContext {
    std::uint64_t frame = 0;
    std::int64_t time_ns = 0;  ///< capture time
    wire::Endpoint exporter;
    wire::Endpoint collector;
    /// The exporter session, as its index in session::SessionTable::sessions() (sessions are
    /// numbered in the order they were first seen), so consumers of records can keep state per
    /// session without deriving a key of their own.
    std::uint32_t session = kNoSession;
    /// The length the transport announced when the capture holds less of the message (a
    /// datagram cut by the snapshot length); 0 when the message is whole. The decoder then
    /// decodes the complete sets and counts the cut one as capture_truncated.
    std::uint32_t cut_from = 0;
    /// Which input of the run the message came from (0-based), so that records decoded late,
    /// after their input ended, still name theirs.
    std::uint32_t input = 0;
    /// Fractional digits of the second the capture's clock gives `time_ns` (6 for microsecond
    /// captures, 9 for nanosecond ones): printed times show this many.
    std::uint8_t time_digits = 6;
};

/// The export header, all versions in one shape (fields a version lacks stay zero).
struct ExportHeader {
    std::uint16_t version = 0;
    std::uint16_t count = 0;   ///< v1/v5/v7/v8/v9 record count
    std::uint16_t length = 0;  ///< IPFIX message length
    bool has_uptime = false;   ///< v1/v5/v7/v8/v9 carry the exporter's uptime
    std::uint32_t sys_uptime_ms = 0;
    std::int64_t export_time_ns = 0;       ///< header export time (v1/v5/v7/v8 with nanoseconds)
    std::uint32_t sequence = 0;            ///< v5/v7/v8 flow / v9 packet / IPFIX record sequence
    std::uint32_t domain = 0;              ///< v9 source ID / IPFIX observation domain / v5/v8 engine
    std::uint8_t engine_type = 0;          ///< v5, v8
    std::uint8_t engine_id = 0;            ///< v5, v8
    std::uint16_t sampling = 0;            ///< v5 raw: 2-bit mode, 14-bit interval
    std::uint8_t aggregation = 0;          ///< v8: the aggregation scheme (1-14)
    std::uint8_t aggregation_version = 0;  ///< v8: the scheme's version (2)
    [[nodiscard]] unsigned sampling_mode() const noexcept { return sampling >> 14U; }
    [[nodiscard]] unsigned sampling_interval() const noexcept { return sampling & 0x3fffU; }
};

/// Absolute flow times derived from whatever time fields the record has.
struct FlowTimes {
    std::optional<std::int64_t> start_ns;
    std::optional<std::int64_t> end_ns;
    /// A time past the int64 nanosecond range (before 1677, after 2262) was clamped to its end
    /// (wire/saturating.hpp; counted as Reason::time_clamped).
    bool clamped = false;
    /// Both times known and the end before the start (Reason::time_reversed; lasts 0).
    [[nodiscard]] bool reversed() const noexcept { return start_ns && end_ns && *end_ns < *start_ns; }
};

/// One decoded data or options record (a view: see the top of this file).
struct DataRecord {
    const MessageContext* context = nullptr;
    const ExportHeader* header = nullptr;
    const Template* tmpl = nullptr;
    /// The session's template state, for sub-template lists (resolved when they are walked).
    const DecoderState* state = nullptr;
    wire::Bytes bytes;  ///< the record as sent
    /// One per template field; of a fixed-length template, its places over `bytes`.
    std::span<const wire::Bytes> values;
    /// The exporter's boot time (IPFIX systemInitTimeMilliseconds) when the record was decoded.
    std::optional<std::int64_t> system_init_ms;
    /// Decoded after its own message, when its template arrived (later in the same message, in a
    /// later one, or known from a first pass): `context` and `header` are still its own
    /// message's, `tmpl->frame` the frame that defined the template.
    bool late = false;
    /// Decoded with the definition the session had before an exporter restart, because the new
    /// incarnation never sent one (implies `late`).
    bool previous_template = false;

    [[nodiscard]] bool is_options() const noexcept { return tmpl->kind == TemplateKind::options; }
    /// Absolute start/end, computed on demand (a run that only counts never pays for it).
    [[nodiscard]] FlowTimes times() const noexcept;
};

/// The data records of one data set of a fixed-length template, back to back, handed over at
/// once (DecodeSink::on_run; a view, valid during the call only, like a DataRecord). What the
/// records share (context, header, template, flags) is in `shared`; each record's values are
/// split from the template's places only when asked for (at()), so a sink that counts never
/// splits them, not even the first record's.
struct RecordRun {
    /// What the records share, as a record: `bytes` are the first record's, `values` are empty
    /// (not split: at(0) has them). Ask it nothing that reads values.
    DataRecord shared;
    wire::Bytes bytes;  ///< all `count` records
    std::size_t count = 0;

    [[nodiscard]] std::size_t record_length() const noexcept { return shared.bytes.size(); }
    /// Record `i`, its values split into `values` (room for one per template field).
    [[nodiscard]] DataRecord at(std::size_t i, wire::Bytes* values) const noexcept {
        DataRecord r = shared;
        r.bytes = bytes.subspan(i * record_length(), record_length());
        split_fixed(*r.tmpl, r.bytes.data(), values);
        r.values = std::span<const wire::Bytes>(values, r.tmpl->places.size());
        return r;
    }
};

/// A decoded record that owns what it needs: its bytes, header and context are copies, its
/// template is shared (kept alive however the session changes). Sub-template lists still resolve
/// against the session's state, which lives as long as the session table.
class OwnedRecord {
public:
    explicit OwnedRecord(const DataRecord& record);
    OwnedRecord(const OwnedRecord& other);
    OwnedRecord(OwnedRecord&& other) noexcept;
    OwnedRecord& operator=(const OwnedRecord& other);
    OwnedRecord& operator=(OwnedRecord&& other) noexcept;
    ~OwnedRecord() = default;

    /// The record as a view over this object's copies, valid while it is.
    [[nodiscard]] const DataRecord& view() const noexcept { return view_; }
    [[nodiscard]] const std::shared_ptr<const Template>& template_ptr() const noexcept { return tmpl_; }

private:
    void point_views();

    MessageContext context_;
    ExportHeader header_;
    std::shared_ptr<const Template> tmpl_;
    const DecoderState* state_ = nullptr;
    std::vector<std::byte> bytes_;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> fields_;  ///< (offset, length) in bytes_
    std::vector<wire::Bytes> values_;
    std::optional<std::int64_t> system_init_ms_;
    DataRecord view_;
};

/// Computes start/end for a record from its time fields, the header and the session state.
FlowTimes flow_times(const Template& t, std::span<const wire::Bytes> values, const ExportHeader& h,
                     std::optional<std::int64_t> system_init_ms) noexcept;

/// What the decoder counts of a data record's times: clamped, reversed (as flow_times' result
/// says), mostly without working the times out.
struct TimeAnomalies {
    bool clamped = false;
    bool reversed = false;
};
TimeAnomalies time_anomalies(const Template& t, std::span<const wire::Bytes> values, const ExportHeader& h,
                             std::optional<std::int64_t> system_init_ms) noexcept;
/// The same of a record of a fixed-length template, from its bytes: its values are split only
/// when the times must be worked out.
TimeAnomalies time_anomalies(const Template& t, const std::byte* record, const ExportHeader& h,
                             std::optional<std::int64_t> system_init_ms) noexcept;

/// NTP 64-bit timestamp (RFC 5905, as IPFIX dateTimeMicro/Nanoseconds) to Unix nanoseconds;
/// the era by RFC 4330 §3: the top bit of the seconds set is 1968-2036, clear 2036-2104.
std::int64_t ntp_to_unix_ns(std::uint64_t ntp, bool microsecond_precision) noexcept;

}  // namespace nfpcap::netflow
