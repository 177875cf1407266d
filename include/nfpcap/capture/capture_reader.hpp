// SPDX-License-Identifier: MIT
// Reads a pcap / pcapng file (or stdin; plain, gzip or zstd) and yields its UDP datagrams in order.
#pragma once
#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nfpcap/capture/capture_file.hpp"
#include "nfpcap/capture/datagram.hpp"
#include "nfpcap/capture/frame.hpp"
#include "nfpcap/capture/reassembly.hpp"
#include "nfpcap/capture/sctp_reassembly.hpp"
#include "nfpcap/capture/tcp_reassembly.hpp"

namespace nfpcap::capture {

/// Frame-level accounting of one capture. Every frame lands in exactly one of not_ip, not_udp,
/// filtered, issues (one FrameIssue), fragments, tcp_segments, sctp_packets, or is a whole UDP
/// datagram.
struct CaptureCounters {
    std::uint64_t frames = 0;
    std::uint64_t not_ip = 0;                ///< frames carrying no IPv4/IPv6
    std::uint64_t not_udp = 0;               ///< IP packets of another protocol (TCP not followed included)
    std::uint64_t udp_datagrams = 0;         ///< complete UDP datagrams handed on
    std::uint64_t fragments = 0;             ///< IP fragments seen (of UDP, TCP followed, tunnels)
    std::uint64_t reassembled = 0;           ///< datagrams rebuilt from fragments
    std::uint64_t filtered = 0;              ///< frames the capture filter rejected
    std::uint64_t truncated_frames = 0;      ///< frames captured shorter than on the wire (snap length)
    std::uint64_t truncated_datagrams = 0;   ///< of udp_datagrams, those handed on `truncated`
    std::uint64_t fragment_duplicates = 0;   ///< fragments whose bytes were all held already
    std::uint64_t fragment_limit_hits = 0;   ///< datagrams given up at a reassembly limit
    std::uint64_t tcp_segments = 0;          ///< segments of followed TCP (ports or all)
    std::uint64_t tcp_chunks = 0;            ///< ordered TCP chunks handed on
    std::uint64_t tcp_connections = 0;       ///< TCP connections followed
    std::uint64_t tcp_out_of_order = 0;      ///< segments held for reordering
    std::uint64_t tcp_retransmitted = 0;     ///< segments (or parts) dropped as already received
    std::uint64_t tcp_gaps = 0;              ///< holes in TCP streams given up
    std::uint64_t tcp_bytes_lost = 0;        ///< bytes in those holes
    std::uint64_t tcp_truncated = 0;         ///< TCP segments cut by the snap length
    std::uint64_t tcp_connection_limit = 0;  ///< segments not followed: too many connections
    std::uint64_t sctp_packets = 0;          ///< SCTP packets followed (their DATA chunks read)
    std::uint64_t sctp_associations = 0;     ///< SCTP associations (directions carrying DATA) followed
    std::uint64_t sctp_messages = 0;         ///< SCTP user messages handed on
    std::uint64_t sctp_duplicates = 0;       ///< DATA chunks or messages already had (retransmitted), dropped
    std::uint64_t sctp_out_of_order = 0;     ///< messages held until an earlier one of their stream came
    std::uint64_t sctp_gaps = 0;             ///< times a stream went on without messages that never came
    std::uint64_t sctp_messages_lost = 0;    ///< stream sequence numbers given up in those gaps
    std::uint64_t sctp_incomplete = 0;       ///< fragmented messages given up (a limit, or never completed)
    std::uint64_t sctp_association_limit = 0;  ///< DATA chunks not followed: too many associations
    std::array<std::uint64_t, kFrameIssueCount> issues{};           ///< by FrameIssue
    std::array<std::uint64_t, kEncapsulationCount> encapsulated{};  ///< frames per Encapsulation unwrapped

    /// Adds another capture's counters (several files read as one capture).
    void add(const CaptureCounters& o) noexcept;
    /// Frames the categories account for: equals `frames` for every capture (checked in tests).
    /// A fragment is counted once as a fragment, and the datagram it completes once more in its
    /// own category (hence less `reassembled`); fragment_dropped is a fragment already counted.
    [[nodiscard]] std::uint64_t accounted_frames() const noexcept;
};

/// A counter of CaptureCounters and the name `stats -T json` gives it.
struct CaptureCounterField {
    std::string_view name;
    std::uint64_t CaptureCounters::*member;
};

/// Every scalar counter of CaptureCounters, once: what add() sums and what the stats report
/// prints, in its order (the first five before the frame issues, the rest after them). A new
/// counter goes here, or it is neither summed over files nor reported.
inline constexpr CaptureCounterField kCaptureCounterFields[] = {
    {"frames", &CaptureCounters::frames},
    {"not_ip_frames", &CaptureCounters::not_ip},
    {"not_udp_packets", &CaptureCounters::not_udp},
    {"udp_fragments", &CaptureCounters::fragments},
    {"reassembled_datagrams", &CaptureCounters::reassembled},
    {"filtered_frames", &CaptureCounters::filtered},
    {"udp_datagrams", &CaptureCounters::udp_datagrams},
    {"truncated_frames", &CaptureCounters::truncated_frames},
    {"truncated_datagrams", &CaptureCounters::truncated_datagrams},
    {"fragment_duplicates", &CaptureCounters::fragment_duplicates},
    {"fragment_limit_hits", &CaptureCounters::fragment_limit_hits},
    {"tcp_segments", &CaptureCounters::tcp_segments},
    {"tcp_connections", &CaptureCounters::tcp_connections},
    {"tcp_chunks", &CaptureCounters::tcp_chunks},
    {"tcp_out_of_order", &CaptureCounters::tcp_out_of_order},
    {"tcp_retransmitted", &CaptureCounters::tcp_retransmitted},
    {"tcp_gaps", &CaptureCounters::tcp_gaps},
    {"tcp_bytes_lost", &CaptureCounters::tcp_bytes_lost},
    {"tcp_truncated", &CaptureCounters::tcp_truncated},
    {"tcp_connection_limit", &CaptureCounters::tcp_connection_limit},
    {"sctp_packets", &CaptureCounters::sctp_packets},
    {"sctp_associations", &CaptureCounters::sctp_associations},
    {"sctp_messages", &CaptureCounters::sctp_messages},
    {"sctp_duplicates", &CaptureCounters::sctp_duplicates},
    {"sctp_out_of_order", &CaptureCounters::sctp_out_of_order},
    {"sctp_gaps", &CaptureCounters::sctp_gaps},
    {"sctp_messages_lost", &CaptureCounters::sctp_messages_lost},
    {"sctp_incomplete", &CaptureCounters::sctp_incomplete},
    {"sctp_association_limit", &CaptureCounters::sctp_association_limit},
};
/// How many of kCaptureCounterFields the stats report prints before the frame issues.
inline constexpr std::size_t kCaptureCountersFirst = 5;

/// Choices of a reader; the defaults read UDP only, with no filter.
struct ReaderOptions {
    /// A libpcap capture filter (pcap-filter(7)), applied to every frame before anything else,
    /// compiled for each link type met (pcapng interfaces may differ). "" keeps every frame.
    std::string filter;
    /// Follow TCP to or from these ports (IPFIX over TCP, RFC 7011 §10.4) ...
    std::vector<std::uint16_t> tcp_ports;
    /// ... or every TCP connection.
    bool tcp_all = false;
    /// ... and, when set, any other connection from the first segment whose payload this
    /// accepts (e.g. one that starts with an export message header); empty: none.
    bool (*tcp_start)(wire::Bytes) = nullptr;
    /// Read SCTP associations (IPFIX over SCTP, RFC 7011 §10.2): each one's user messages, every
    /// stream in order.
    bool sctp = false;
    /// Set by whoever stops the run (a signal handler): a read blocked on a quiet pipe that a
    /// signal interrupts then ends the input instead of waiting on (null: reads always resume).
    const std::atomic<bool>* stop = nullptr;
    int max_tunnel_depth = 8;
    std::uint16_t vxlan_port = 4789;
    ReassemblyLimits reassembly;
    TcpLimits tcp;
    SctpLimits sctp_limits;
};

/// libpcap's complaint about a capture filter (pcap-filter(7)) compiled for link type `dlt`
/// (a DLT_ value), or "" when it compiles: lets a command line reject a mistake before reading.
[[nodiscard]] std::string check_filter(const std::string& expression, int dlt);

/// One input of a reader: where its records come from, and the name its errors give.
struct ReaderInput {
    std::unique_ptr<RecordSource> records;
    std::string name;
};

class CaptureReader {
public:
    /// Opens a capture file; "-" reads standard input; gzip and zstd are read as they are.
    /// Throws CaptureError (the message names the file): unreadable, not a capture, no
    /// interface of a supported link type, or a filter libpcap cannot compile.
    explicit CaptureReader(const std::string& path, ReaderOptions options = {});
    /// Reads several inputs (capture files, or a live capture) as one capture, their frames
    /// merged by capture time as mergecap does: at equal times (and for each input's own order)
    /// the input given first comes first. One IP reassembly and one TCP reassembly span them
    /// all (a connection's segments may be captured on several interfaces), as tshark sees the
    /// merged file; each frame keeps its input and its number there, and is counted in its
    /// input's counters. An input that ends early (damaged, cut) ends with its error while the
    /// others go on. Throws CaptureError as `check` does.
    CaptureReader(std::vector<ReaderInput> inputs, ReaderOptions options);
    ~CaptureReader();
    CaptureReader(const CaptureReader&) = delete;
    CaptureReader& operator=(const CaptureReader&) = delete;

    /// Throws CaptureError naming `name` when the reader cannot read `records` with `options`:
    /// no supported link type, or a filter that does not compile for its link types.
    static void check(const RecordSource& records, const std::string& name, const ReaderOptions& options);

    /// Moves to the next UDP datagram, TCP chunk or SCTP message (when followed), in capture
    /// order; false at the end of every input (each input's `error()` says whether it was read
    /// to its end, e.g. not a file cut mid-record).
    bool next(Datagram& out);

    [[nodiscard]] std::size_t inputs() const noexcept { return inputs_.size(); }
    /// Frames of input `input`, by what they were. What the end of the capture settles (TCP
    /// holes given up, fragments never completed) counts in the input read last.
    [[nodiscard]] const CaptureCounters& counters(std::size_t input = 0) const noexcept {
        return inputs_[input].counters;
    }
    [[nodiscard]] const std::string& error(std::size_t input = 0) const noexcept { return inputs_[input].error; }
    [[nodiscard]] const std::string& path(std::size_t input = 0) const noexcept { return inputs_[input].name; }
    /// The first interface's link type (DLT_ value) of input `input`.
    [[nodiscard]] int link_type(std::size_t input = 0) const noexcept { return inputs_[input].dlt; }
    /// Every link type met so far in input `input`, in order (pcapng interfaces may differ).
    [[nodiscard]] const std::vector<int>& link_types(std::size_t input = 0) const noexcept {
        return inputs_[input].records->link_types();
    }
    /// Of a reader opened on one file (none otherwise).
    [[nodiscard]] Compression compression() const noexcept { return file_ ? file_->compression() : Compression::none; }
    [[nodiscard]] FileFormat format() const noexcept { return file_ ? file_->format() : FileFormat::pcap; }
    /// Bytes of the inputs read so far (for a progress line; 0 when they cannot tell).
    [[nodiscard]] std::uint64_t position() const noexcept;

private:
    class Filter;
    struct Input {
        std::unique_ptr<RecordSource> records;
        std::string name;
        int dlt = 0;
        CaptureCounters counters;
        Record pending;             ///< its next record, once read (`has_pending`)
        bool has_pending = false;
        bool done = false;
        std::uint8_t time_digits = 6;  ///< of its last record
        std::string error;
    };

    void setup();
    bool next_record(Record& out);
    bool emit_udp(const FrameInfo& info, const Record& record, Datagram& out);
    void emit_tcp(const TcpChunk& chunk, Datagram& out);
    void emit_sctp(const SctpMessage& message, Datagram& out);
    bool feed_sctp(const FrameInfo& info, const Record& record);
    void sync_sctp() noexcept;
    void feed_tcp(const FrameInfo& info, const Record& record);
    bool follows(const FrameInfo& info) const;
    void sync_tcp() noexcept;
    void sync_fragments() noexcept;
    void finish();
    [[nodiscard]] CaptureCounters& counters_now() noexcept { return inputs_[current_].counters; }

    ReaderOptions options_;
    ParseOptions parse_;
    std::vector<Input> inputs_;
    const CaptureFile* file_ = nullptr;  ///< the one file, when opened on a path
    std::size_t current_ = 0;            ///< the input of the record read last
    std::unique_ptr<Filter> filter_;
    Reassembler reassembler_;
    std::optional<TcpReassembler> tcp_;
    std::optional<SctpReassembler> sctp_;
    // What the shared reassemblers had counted at the last sync: each change since counts in
    // the input whose frame caused it.
    TcpCounters tcp_seen_;
    SctpCounters sctp_seen_;
    std::uint64_t dropped_seen_ = 0, duplicates_seen_ = 0, limit_hits_seen_ = 0;
    std::int64_t last_time_ = 0;
    bool finished_ = false;
};

}  // namespace nfpcap::capture
