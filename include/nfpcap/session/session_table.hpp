// SPDX-License-Identifier: MIT
// Exporter sessions: which datagrams are export traffic, whose template state decodes them,
// and the accounting that makes every UDP datagram count exactly once.
#pragma once
#include <array>
#include <cstdint>
#include <deque>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "nfpcap/netflow/decoder.hpp"
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
    friend auto operator<=>(const SessionKey&, const SessionKey&) = default;

    /// The session a message belongs to (version and domain read from its header).
    [[nodiscard]] static SessionKey of(const source::Message& message) noexcept;
};

struct SessionKeyHash {
    std::size_t operator()(const SessionKey& k) const noexcept {
        return ((wire::hash_value(k.exporter) * 31 + wire::hash_value(k.collector)) * 31 + k.stream) * 31 +
               std::size_t{k.version} * 7919U + k.domain;
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
    std::uint64_t missing_template_sets = 0;
    std::uint64_t sequence_gaps = 0;     ///< messages whose sequence number was not the expected one
    std::uint64_t sequence_missing = 0;  ///< records (v5, IPFIX) or packets (v9) the gaps skipped
    std::array<std::uint64_t, netflow::kReasonCount> reasons{};  ///< issues by netflow::Reason

    void add(const Counters& other) noexcept;
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
    bool have_sequence = false;
    std::uint32_t last_sequence = 0;      ///< sequence number of the last message
    std::uint32_t last_advance_all = 0;   ///< what that message advanced it by, options included
    std::uint32_t last_advance_data = 0;  ///< the same without options records
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
};

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
    netflow::MessageTally tally;            ///< what the decoder found (empty unless decoded)
    netflow::ExportHeader header;           ///< the parsed header (decoded and partial only)
    std::optional<netflow::Reason> reason;  ///< malformed: why; partial: the first data loss

    [[nodiscard]] bool is_export() const noexcept { return verdict != Verdict::not_export; }
    [[nodiscard]] bool lost_data() const noexcept {
        return verdict == Verdict::malformed || verdict == Verdict::partial;
    }
};

class SessionTable {
public:
    explicit SessionTable(SessionOptions options = {}) : options_(std::move(options)) {}

    /// Classifies and decodes one message, in arrival order; what it holds goes to `sink`.
    ProcessResult process(const source::Message& message, netflow::DecodeSink& sink);

    /// Sessions in the order they were first seen.
    [[nodiscard]] const std::deque<Session>& sessions() const noexcept { return sessions_; }
    /// Totals (sums over sessions made on demand).
    [[nodiscard]] Totals totals() const;

private:
    bool selected_port(const source::Message& m) const noexcept;
    bool is_export(const source::Message& m, bool known) const noexcept;
    Session* find_or_add(const SessionKey& key, const source::Message& m);
    static void track_sequence(Session& s, const netflow::ExportHeader& h, const netflow::MessageTally& tally);

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
};

}  // namespace nfpcap::session
