// SPDX-License-Identifier: MIT
// The pure datagram decoder: bytes + one exporter session's state in, records and issues out.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "nfpcap/ie/definitions.hpp"
#include "nfpcap/netflow/issue.hpp"
#include "nfpcap/netflow/record.hpp"
#include "nfpcap/netflow/template.hpp"

namespace nfpcap::netflow {

/// Limits that keep hostile input from exhausting memory. Real exporters send tens of
/// templates of tens of fields; a template past a limit is not kept and is counted.
struct DecoderLimits {
    std::size_t max_templates = 4096;        ///< templates kept per session (template_limit)
    std::size_t max_stored_fields = 262144;  ///< fields of all kept templates (template_limit)
    std::size_t max_template_fields = 1024;  ///< fields of one template (template_too_large)
    /// Shortest record a template may describe (template_too_large): longer ones cannot fit a
    /// set of a UDP datagram, so their data sets could never be decoded.
    std::size_t max_record_length = 65535 - 8 - 16 - 4;
};

/// Template state of one exporter session (transport session + source ID / domain).
struct DecoderState {
    std::unordered_map<std::uint16_t, std::shared_ptr<const Template>> templates;
    /// Elements the exporter described in-band (RFC 5610 type information), consulted before
    /// the built-in table when this session's templates are compiled; null until it describes
    /// one. Templates compiled with them keep them alive (Template::definitions).
    std::shared_ptr<ie::Definitions> definitions;
    /// IPFIX systemInitTimeMilliseconds last seen in this session's options data.
    std::optional<std::int64_t> system_init_ms;
    DecoderLimits limits;
    /// Fields of the templates kept (what `max_stored_fields` bounds); kept up to date by the
    /// decoder as templates are added, redefined and withdrawn.
    std::size_t stored_fields = 0;
    /// RFC 7011 §8.4: template withdrawals are honoured over a reliable transport (TCP) only.
    /// Over UDP they are counted and ignored, so the data after them still decodes.
    bool honour_withdrawals = false;

    [[nodiscard]] const Template* find(std::uint16_t id) const noexcept {
        auto it = templates.find(id);
        return it == templates.end() ? nullptr : it->second.get();
    }
};

/// What happened to a template this message defined.
enum class TemplateChange : std::uint8_t {
    added,
    redefined,
    refreshed,
    withdrawn,
    withdrawal_ignored,  ///< RFC 7011 §8.4: a withdrawal over UDP; the template stays as it was
};

/// A data set whose template the session does not have: a view into its message.
struct UnknownSet {
    std::uint16_t set_id = 0;
    std::uint32_t offset = 0;  ///< of the set header in its message
    wire::Bytes body;          ///< the set after its 4-byte header
};

/// What a sink did with an UnknownSet.
enum class UnknownSetAction : std::uint8_t {
    missing,  ///< not taken: the decoder counts it as missing_template
    kept,     ///< taken (kept until its template arrives, or decoded): not lost, nothing reported
    dropped,  ///< would have been kept, but the late-data buffer is full: pending_limit
};

/// Receives what a message holds, in message order.
class DecodeSink {
public:
    virtual ~DecodeSink() = default;
    virtual void on_template(const MessageContext&, const ExportHeader&, const Template&, TemplateChange) {}
    virtual void on_record(const DataRecord&) {}
    /// The data records of one data set of a fixed-length data template whose values need no
    /// check (RecordRun), at once: they share their context, header, template and flags, and
    /// no issue or other callback comes between them (the decoder hands a run over before it
    /// reports an issue of a record after it). By default each goes to on_record; a sink whose
    /// work per record depends only on what they share overrides it (sampling counted once a
    /// set, a run's bytes copied at once).
    virtual void on_run(const RecordRun& run);
    virtual void on_issue(const MessageContext&, const Issue&) {}
    /// A data set whose template is unknown. The session keeps such sets and decodes them when
    /// the template arrives (decode_kept_set); `set.body` is valid during the call only.
    virtual UnknownSetAction on_unknown_set(const MessageContext&, const ExportHeader&, const UnknownSet&) {
        return UnknownSetAction::missing;
    }
};

/// Per-message tally (the session adds these up).
struct MessageTally {
    std::uint32_t data_records = 0;
    std::uint32_t options_records = 0;
    std::uint32_t templates = 0;          ///< data template records (including resends)
    std::uint32_t options_templates = 0;  ///< options template records
    std::uint32_t withdrawals = 0;
    std::uint32_t withdrawals_ignored = 0;  ///< of those, over UDP: counted, not honoured
    std::uint32_t missing_template_sets = 0;
    std::uint32_t deferred_sets = 0;     ///< data sets the sink kept for their template (UnknownSetAction::kept)
    std::uint32_t data_loss_issues = 0;  ///< issues with loses_data(reason)
    std::uint32_t anomalies = 0;
    std::optional<Reason> fatal;       ///< the whole message was rejected
    std::optional<Reason> first_loss;  ///< first data-losing issue
};

/// Result of looking at an export header without decoding: enough to find the session.
struct HeaderPeek {
    std::uint16_t version = 0;
    std::uint32_t domain = 0;
};

/// Whether a UDP payload is structurally an export message (version 1/5/9/10, lengths and set
/// headers consistent). Used to find export traffic on any port. `cut_from` is the datagram's
/// length when the capture holds only its start (`payload`): then the header must be whole and
/// agree with that length, and the sets must be consistent as far as they were captured.
bool looks_like_export(wire::Bytes payload, std::uint32_t cut_from = 0) noexcept;

/// Where the export message at the start of a byte stream ends (RFC 7011 §10.4.1: IPFIX over
/// TCP sends messages back to back, each delimited by its header's length; NetFlow v9 headers
/// carry no length, so a v9 message over TCP ends where the next v9 header starts, flowset ID 9
/// being reserved, or at the end of the stream).
struct StreamCut {
    enum class Kind : std::uint8_t {
        message,    ///< a whole message of `length` bytes starts here
        need_more,  ///< it may be a message, but more bytes are needed to tell
        invalid,    ///< no export message starts here
    } kind = Kind::invalid;
    std::size_t length = 0;
};
/// `end_of_stream`: no more bytes will follow `available` (a v9 message then ends with them).
/// `resynchronizing`: after lost bytes, only a message whose sets are all consistent counts as a
/// start; in step with the stream, an IPFIX header's length is trusted (a message damaged inside
/// is then the session's to count as malformed, not lost framing).
StreamCut cut_stream_message(wire::Bytes available, bool end_of_stream, bool resynchronizing) noexcept;

/// Reads the version and domain (v9 source ID, IPFIX observation domain, v5 engine type/ID)
/// if the header is long enough.
std::optional<HeaderPeek> peek_header(wire::Bytes payload) noexcept;

/// Decodes one export message with the session's template state: templates update `state`
/// from this message on; records, templates and issues go to `sink` in order. Never throws on
/// bad input and never reads outside `payload`. The parsed header goes to `header` if given.
MessageTally decode_message(wire::Bytes payload, const MessageContext& context, DecoderState& state, DecodeSink& sink,
                            ExportHeader* header = nullptr);

/// Decodes a data set kept from an earlier point (its message, or earlier in the same message)
/// with `t`, its template that arrived since: records go to `sink` marked `late` (and
/// `previous_template` if asked), issues name offsets in the set's own message. `context` and
/// `header` are that message's; `state` is the session's as it is now.
MessageTally decode_kept_set(const UnknownSet& set, const Template& t, const MessageContext& context,
                             const ExportHeader& header, DecoderState& state, DecodeSink& sink,
                             bool previous_template = false);

/// Parses lowercase/uppercase hex (whitespace and ':' separators allowed) into bytes;
/// nullopt when the text is not hex.
std::optional<std::vector<std::byte>> parse_hex(std::string_view text);
/// The same into `out`, with what is wrong when it is not hex ("not hex: 'z' at column 5").
std::optional<std::string> parse_hex(std::string_view text, std::vector<std::byte>& out);

/// The hex entry point: decodes one message given as hex text (the fixture format).
std::optional<MessageTally> decode_hex(std::string_view hex, const MessageContext& context, DecoderState& state,
                                       DecodeSink& sink);

}  // namespace nfpcap::netflow
