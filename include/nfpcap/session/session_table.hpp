// SPDX-License-Identifier: MIT
// Exporter sessions: which datagrams are export traffic, whose template state decodes them,
// and the accounting that makes every UDP datagram count exactly once.
#pragma once
#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "nfpcap/netflow/decoder.hpp"
#include "nfpcap/session/sequence.hpp"
#include "nfpcap/source/message.hpp"

namespace nfpcap::session {

/// RFC 7011 §8 / RFC 3954 §5: templates belong to the transport session and the
/// observation domain (v9 source ID); version is part of it since v9 and IPFIX IDs differ.
/// The one place a session key is made is `SessionKey::of`.
struct SessionKey {
    wire::Endpoint exporter;
    wire::Endpoint collector;
    std::uint64_t stream = 0;  ///< TCP connection (each its own transport session); 0 for UDP
    std::uint16_t version = 0;
    std::uint32_t domain = 0;
    bool sctp = false;  ///< `stream` numbers an SCTP association (apart from TCP connections)
    friend auto operator<=>(const SessionKey&, const SessionKey&) = default;

    /// The session a message belongs to (version and domain read from its header).
    [[nodiscard]] static SessionKey of(const source::Message& message) noexcept;
};

struct SessionKeyHash {
    std::size_t operator()(const SessionKey& k) const noexcept {
        return ((wire::hash_value(k.exporter) * 31 + wire::hash_value(k.collector)) * 31 + k.stream) * 31 +
               std::size_t{k.version} * 7919U + k.domain + (k.sctp ? 104729U : 0U);
    }
};

/// Counters kept per session and in total.
struct Counters {
    std::uint64_t datagrams = 0;            ///< export datagrams
    std::uint64_t decoded_datagrams = 0;    ///< decoded with nothing lost
    std::uint64_t partial_datagrams = 0;    ///< decoded, but some set or record lost (see reasons)
    std::uint64_t malformed_datagrams = 0;  ///< rejected whole (header-level reason)
    std::uint64_t data_records = 0;
    std::uint64_t options_records = 0;
    std::uint64_t template_records = 0;
    std::uint64_t options_template_records = 0;
    std::uint64_t template_withdrawals = 0;
    std::uint64_t template_withdrawals_ignored = 0;  ///< of those, over UDP (RFC 7011 §8.4): not honoured
    std::uint64_t missing_template_sets = 0;         ///< data sets whose template never came
    std::uint64_t late_sets = 0;                     ///< data sets decoded after their message
    std::uint64_t late_data_records = 0;             ///< data records of late sets (in data_records too)
    std::uint64_t late_options_records = 0;          ///< options records of late sets (in options_records too)
    std::uint64_t previous_template_records = 0;     ///< late records decoded with the template of before a restart
    std::uint64_t sequence_gaps = 0;                 ///< messages that came after a gap in the sequence numbers
    std::uint64_t sequence_missing = 0;     ///< lost, in the version's unit: flows (v5), packets (v9), records (IPFIX)
    std::uint64_t sequence_duplicates = 0;  ///< datagrams seen twice (same sequence number, same bytes)
    std::uint64_t sequence_reordered = 0;   ///< datagrams that came after a later one (and filled its gap)
    std::uint64_t restarts = 0;             ///< exporter restarts (sequence reset, uptime or export time back)
    std::array<std::uint64_t, netflow::kReasonCount> reasons{};  ///< issues by netflow::Reason

    void add(const Counters& other) noexcept;
};

/// What one message left waiting for templates: shared by its kept sets.
struct PendingMessage {
    netflow::MessageContext context;  ///< copies: the records decoded late point at them
    netflow::ExportHeader header;
    std::uint64_t message = 0;            ///< SessionTable::messages() when it was processed
    std::uint32_t waiting = 0;            ///< its sets still kept
    std::optional<netflow::Reason> loss;  ///< why some set of it was not (wholly) decoded
    bool counted_decoded = false;         ///< counted as a decoded datagram: partial once a set is lost
    std::uint32_t late_data = 0;          ///< records its sets gave when decoded late
    std::uint32_t late_options = 0;
    /// IPFIX: its size in records for the sequence accounting, known when the last set is decoded.
    std::shared_ptr<SequenceSize> size;
};

/// A data set kept until its template arrives (late data).
struct PendingSet {
    std::shared_ptr<PendingMessage> message;
    std::uint16_t set_id = 0;
    std::uint32_t offset = 0;      ///< of the set header in its message
    wire::Bytes view;              ///< into its message, while that is processed
    std::vector<std::byte> bytes;  ///< the owned copy, once its message was processed
    std::size_t cost = 0;          ///< bytes it counts against the pending limits
    bool fresh = false;            ///< kept by the message being processed (not yet copied)
    [[nodiscard]] wire::Bytes body() const noexcept { return fresh ? view : wire::Bytes(bytes); }
};

struct Session {
    SessionKey key;
    std::uint32_t index = 0;  ///< position in SessionTable::sessions() (MessageContext::session)
    source::Transport transport = source::Transport::udp_datagram;
    netflow::DecoderState state;
    Counters counters;
    std::uint64_t first_frame = 0;
    std::uint64_t last_frame = 0;
    std::int64_t first_time_ns = 0;
    std::int64_t last_time_ns = 0;
    SequenceTracker sequence;
    /// Templates the exporter had before its last restart: data after the restart waits for the
    /// new incarnation's templates, and is decoded with these only if none comes.
    std::unordered_map<std::uint16_t, std::shared_ptr<const netflow::Template>> previous;
    /// Late data: sets waiting for their template, by template ID, in capture order.
    std::map<std::uint16_t, std::deque<PendingSet>> pending;
    std::size_t pending_bytes = 0;
};

struct SessionOptions {
    std::vector<std::uint16_t> ports;  ///< only these UDP ports carry export data (empty: any)
    /// Every message is export data (malformed if it does not decode): a socket bound to the
    /// collector's port, or fixture lines. Otherwise export traffic is recognized by its shape.
    bool all_export = false;
    std::size_t max_sessions = 20000;  ///< sessions kept; later ones count session_limit_datagrams
    netflow::DecoderLimits decoder{};  ///< per-session template limits
    /// Fields of the templates of all sessions together (template_limit when reached), so that
    /// many sessions cannot multiply the per-session limits into an exhausted memory.
    std::size_t max_template_fields_total = 1U << 20U;
    /// Late data: bytes of data sets kept for their templates, all sessions together (sets that
    /// do not fit are counted as pending_limit); 0 keeps nothing (missing_template at once).
    std::size_t pending_limit = std::size_t{64} << 20U;
    /// The same per session; 0: the whole pending_limit.
    std::size_t pending_limit_session = 0;
};

class TemplateLookahead;

/// Totals over the whole run; datagrams == not_export_datagrams + export datagrams.
struct Totals {
    std::uint64_t datagrams = 0;                ///< UDP datagrams seen
    std::uint64_t not_export_datagrams = 0;     ///< not NetFlow/IPFIX (or not on a selected port)
    std::uint64_t session_limit_datagrams = 0;  ///< export datagrams past the session limit
    Counters counters;                          ///< sums over all sessions
};

/// What became of one message, decided once by the session table.
enum class Verdict : std::uint8_t {
    not_export,     ///< not NetFlow/IPFIX (or not on a selected port): counted, nothing decoded
    session_limit,  ///< export data of a session past the session limit: counted, not decoded
    malformed,      ///< export data rejected whole (`reason` says why)
    partial,        ///< decoded, but some set or record was lost (`reason`: the first loss)
    decoded,        ///< decoded, nothing lost
    count_,
};

/// Stable snake_case name of a verdict.
[[nodiscard]] std::string_view name(Verdict verdict) noexcept;

/// The session table's answer for one message.
struct ProcessResult {
    Verdict verdict = Verdict::not_export;
    /// The session the message went to (null for not_export and session_limit). Sessions never
    /// move: the pointer stays valid as long as the table.
    const Session* session = nullptr;
    netflow::MessageTally tally;                        ///< what the decoder found (empty unless decoded)
    netflow::ExportHeader header;                       ///< the parsed header (decoded and partial only)
    std::optional<netflow::Reason> reason;              ///< malformed: why; partial: the first data loss
    std::uint32_t waiting_sets = 0;                     ///< its data sets kept for templates not seen yet (late data)
    SequenceClass sequence = SequenceClass::untracked;  ///< what its sequence number said

    [[nodiscard]] bool is_export() const noexcept { return verdict != Verdict::not_export; }
    [[nodiscard]] bool lost_data() const noexcept {
        return verdict == Verdict::malformed || verdict == Verdict::partial;
    }
};

class SessionTable {
public:
    explicit SessionTable(SessionOptions options = {}) : options_(std::move(options)) {}

    /// Classifies and decodes one message, in arrival order; what it holds goes to `sink`, and
    /// so do the late records of earlier messages whose template it brings. A `state_only`
    /// message's own records, templates and issues are not handed on.
    ProcessResult process(const source::Message& message, netflow::DecodeSink& sink);

    /// At the end of the input: the data still waiting for templates is decoded with what the
    /// lookahead knows (or, after a restart, with the previous incarnation's template), the
    /// rest counted as missing_template, in capture order.
    void finish(netflow::DecodeSink& sink);

    /// Where templates that arrive later are known from (a first pass); may be null. It is
    /// asked only when the late-data buffer is full and at the end.
    void set_lookahead(TemplateLookahead* lookahead) noexcept { lookahead_ = lookahead; }

    /// Sessions in the order they were first seen.
    [[nodiscard]] const std::deque<Session>& sessions() const noexcept { return sessions_; }
    [[nodiscard]] const SessionOptions& options() const noexcept { return options_; }
    /// Totals (sums over sessions made on demand).
    [[nodiscard]] Totals totals() const;
    /// Messages processed so far (the number of the last one).
    [[nodiscard]] std::uint64_t messages() const noexcept { return datagrams_; }
    /// Bytes of late data kept now, all sessions.
    [[nodiscard]] std::size_t pending_bytes() const noexcept { return pending_bytes_; }

    class SessionSink;  ///< the decoder's sink for one message of one session

private:
    bool selected_port(const source::Message& m) const noexcept;
    bool is_export(const source::Message& m, bool known) const noexcept;
    Session* find_or_add(const SessionKey& key, const source::Message& m);
    /// The exporter restarted: its templates become the previous incarnation's, and what was
    /// waiting for templates of the old one is lost.
    void restart(Session& s, netflow::DecodeSink& sink);
    /// Decodes the kept sets of template `t.id` (all of them, in capture order).
    void resolve(Session& s, const std::shared_ptr<const netflow::Template>& t, netflow::DecodeSink& sink);
    /// Decodes one kept set with `t` (late), or counts it as missing when `t` is null; the set
    /// is no longer kept afterwards.
    void settle(Session& s, PendingSet& set, const netflow::Template* t, bool previous, netflow::DecodeSink& sink);
    void copy_sequence_counts(Session& s) const noexcept;
    static void count_late(Session& s, const netflow::MessageTally& tally, bool previous) noexcept;

    SessionOptions options_;
    std::deque<Session> sessions_;
    std::unordered_map<SessionKey, Session*, SessionKeyHash> index_;
    struct TransportHash {
        std::size_t operator()(const std::pair<wire::Endpoint, wire::Endpoint>& p) const noexcept {
            return wire::hash_value(p.first) * 31 + wire::hash_value(p.second);
        }
    };
    // Exporter/collector pairs that sent valid export data: later damage there is malformed
    // export data, not foreign traffic.
    std::unordered_set<std::pair<wire::Endpoint, wire::Endpoint>, TransportHash> known_transports_;
    Session* last_ = nullptr;
    std::uint64_t datagrams_ = 0;
    std::uint64_t not_export_ = 0;
    std::uint64_t session_limit_ = 0;
    std::size_t template_fields_ = 0;  ///< sum of the sessions' DecoderState::stored_fields
    std::size_t pending_bytes_ = 0;    ///< sum of the sessions' pending_bytes
    TemplateLookahead* lookahead_ = nullptr;
    std::vector<PendingSet*> fresh_;  ///< sets kept by the message being processed
};

}  // namespace nfpcap::session
