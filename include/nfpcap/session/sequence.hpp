// SPDX-License-Identifier: MIT
// Sequence accounting of one exporter session: what was lost, duplicated, reordered, and where
// the exporter restarted, in each version's unit and safe across the 32-bit wrap.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "nfpcap/netflow/version.hpp"

namespace nfpcap::session {

/// What the sequence number (and the exporter's clock) of a message says, decided before the
/// message is decoded: a restart must be known before its templates are installed.
enum class SequenceClass : std::uint8_t {
    untracked,  ///< the version has no sequence number and no uptime (nothing to say)
    first,      ///< the first message of the session (or of an incarnation)
    next,       ///< in sequence, or ahead of it (a gap: see SequenceCounts::lost)
    duplicate,  ///< the same sequence number and the same bytes as a message seen before
    reordered,  ///< behind the expected number, filling a gap left earlier
    restart,    ///< the exporter restarted: the sequence starts again
    count_,
};

/// Stable snake_case name.
[[nodiscard]] std::string_view name(SequenceClass c) noexcept;

/// What a session's sequence numbers say, over the whole run.
struct SequenceCounts {
    std::uint64_t lost = 0;        ///< in the version's unit: flows (v5), export packets (v9), data records (IPFIX)
    std::uint64_t gaps = 0;        ///< messages that came after a gap (sequence ahead of the expected one)
    std::uint64_t duplicates = 0;  ///< datagrams
    std::uint64_t reordered = 0;   ///< datagrams that came after a later one
    std::uint64_t restarts = 0;    ///< exporter restarts (sequence reset, uptime or export time back)

    void add(const SequenceCounts& other) noexcept;
};

/// The header facts the tracker reads (from the version table's offsets, before decoding).
struct SequenceHeader {
    std::uint16_t version = 0;
    std::uint32_t sequence = 0;
    std::optional<std::uint32_t> uptime_ms;  ///< v1/v5/v9 sysUptime
    std::uint32_t export_secs = 0;           ///< header export time (seconds)
    std::uint16_t count = 0;                 ///< v5/v7/v8 flows in the message
    std::int64_t capture_ns = 0;             ///< when the capture saw it
    std::uint64_t digest = 0;                ///< of the whole payload (duplicates)
};

/// Reads a SequenceHeader from a payload; nullopt when the version is unknown or the header
/// was not captured whole.
[[nodiscard]] std::optional<SequenceHeader> read_sequence_header(std::span<const std::byte> payload,
                                                                 std::int64_t capture_ns) noexcept;

/// The size of a message in its unit, when it was not known as the message was accounted
/// (an IPFIX data set waiting for its template): filled in when it becomes known.
struct SequenceSize {
    std::uint32_t sequence = 0;
    bool known = false;
    std::uint32_t data_records = 0;
    std::uint32_t options_records = 0;
    /// Per reading (see SequenceTracker): the size the next message's number implied, if it did.
    std::array<std::optional<std::int64_t>, 4> inferred{};
};

/// One session's tracker. Messages are given in arrival order: `classify` before decoding,
/// then `account` with what the decoder found.
///
/// IPFIX exporters disagree on what the sequence number counts (RFC 7011 §3.1: data records
/// sent before this message; softflowd: including this message's; options records or not), so
/// four readings are followed side by side and the one with the fewest discontinuities is
/// reported. Gaps are remembered (a bounded number), so a message arriving late fills its gap
/// and counts as reordered, not as lost.
class SequenceTracker {
public:
    /// Gaps remembered for reordered messages; older ones stay lost.
    static constexpr std::size_t kMaxGaps = 64;
    /// Messages remembered for duplicates.
    static constexpr std::size_t kRecent = 64;
    /// An IPFIX export time this far back is a clock reset at an exporter restart, not reordering.
    static constexpr std::uint32_t kExportTimeBackSeconds = 60;
    /// Two messages whose boot times (export time minus uptime) differ by at most this are from
    /// one boot of the exporter (the export time has whole seconds).
    static constexpr std::int64_t kSameBootMs = 2000;

    /// Before decoding: what the message is. A restart resets the tracker.
    SequenceClass classify(const SequenceHeader& h);
    /// After decoding: the message's size in the unit. `size` is null when it is known
    /// (`data_records`, `options_records`), else the handle to fill in later (resolve()).
    void account(SequenceClass c, const SequenceHeader& h, std::uint32_t data_records, std::uint32_t options_records,
                 const std::shared_ptr<SequenceSize>& unknown = nullptr);
    /// A message accounted with an unknown size now has it (`size->known` set by the caller).
    void resolve(const SequenceSize& size);

    /// The counts of the reading that explains the numbers best.
    [[nodiscard]] SequenceCounts counts() const noexcept;

private:
    struct Gap {
        std::uint32_t begin = 0;
        std::uint32_t end = 0;  // exclusive
    };
    struct Reading {
        std::optional<std::uint32_t> next;  ///< the number the next message should carry
        std::vector<Gap> gaps;
        std::uint64_t lost = 0;
        std::uint64_t gap_messages = 0;
        std::uint64_t discontinuities = 0;
    };
    [[nodiscard]] std::size_t readings() const noexcept;
    [[nodiscard]] std::size_t best() const noexcept;
    [[nodiscard]] bool fills_gap(std::uint32_t sequence) const noexcept;
    /// A message numbered `steps_back` before the previous one was sent before it (reordered).
    [[nodiscard]] bool sent_before_last(const SequenceHeader& h, std::int64_t steps_back) const noexcept;
    void reset() noexcept;
    void fill(Reading& r, std::uint32_t begin, std::uint32_t end);
    [[nodiscard]] bool seen_recently(const SequenceHeader& h) const noexcept;

    netflow::SequenceUnit unit_ = netflow::SequenceUnit::none;
    bool started_ = false;
    std::uint32_t last_sequence_ = 0;
    std::uint32_t last_export_secs_ = 0;
    std::optional<std::uint32_t> last_uptime_ms_;
    std::int64_t last_capture_ns_ = 0;
    std::array<Reading, 4> readings_{};
    // The recent messages' numbers and digests, apart: the numbers are compared all at once.
    std::array<std::uint32_t, kRecent> recent_sequences_{};
    std::array<std::uint64_t, kRecent> recent_digests_{};
    std::size_t recent_count_ = 0;
    std::size_t recent_next_ = 0;
    /// The last message, when its size was not known (its successor then implies it).
    std::shared_ptr<SequenceSize> open_;
    SequenceCounts counts_;
};

}  // namespace nfpcap::session
