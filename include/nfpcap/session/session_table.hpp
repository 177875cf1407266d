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

#include "nfpcap/capture/datagram.hpp"
#include "nfpcap/netflow/decoder.hpp"

namespace nfpcap::session {

/// RFC 7011 §8 / RFC 3954 §5: templates belong to the transport session and the
/// observation domain (v9 source ID); version is part of it since v9 and IPFIX IDs differ.
struct SessionKey {
    wire::Endpoint exporter;
    wire::Endpoint collector;
    std::uint16_t version = 0;
    std::uint32_t domain = 0;
    friend auto operator<=>(const SessionKey&, const SessionKey&) = default;
};

struct SessionKeyHash {
    std::size_t operator()(const SessionKey& k) const noexcept {
        return (wire::hash_value(k.exporter) * 31 + wire::hash_value(k.collector)) * 31 + k.version * 7919U + k.domain;
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

class SessionTable {
public:
    explicit SessionTable(SessionOptions options = {}) : options_(std::move(options)) {}

    /// Classifies and decodes one UDP datagram, in capture order.
    void process(const capture::Datagram& datagram, netflow::DecodeSink& sink);

    /// Sessions in the order they were first seen.
    [[nodiscard]] const std::deque<Session>& sessions() const noexcept { return sessions_; }
    /// Totals (sums over sessions made on demand).
    [[nodiscard]] Totals totals() const;

private:
    bool selected_port(const capture::Datagram& d) const noexcept;
    Session* find_or_add(const SessionKey& key, const capture::Datagram& d);
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
