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
#include <vector>

#include "nfpcap/capture/capture_file.hpp"
#include "nfpcap/capture/datagram.hpp"
#include "nfpcap/capture/frame.hpp"
#include "nfpcap/capture/reassembly.hpp"
#include "nfpcap/capture/tcp_reassembly.hpp"

namespace nfpcap::capture {

/// Frame-level accounting of one capture. Every frame lands in exactly one of not_ip, not_udp,
/// filtered, issues (one FrameIssue), fragments, tcp_segments, or is a whole UDP datagram.
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
    std::array<std::uint64_t, kFrameIssueCount> issues{};           ///< by FrameIssue
    std::array<std::uint64_t, kEncapsulationCount> encapsulated{};  ///< frames per Encapsulation unwrapped

    /// Adds another capture's counters (several files read as one capture).
    void add(const CaptureCounters& o) noexcept;
    /// Frames the categories account for: equals `frames` for every capture (checked in tests).
    /// A fragment is counted once as a fragment, and the datagram it completes once more in its
    /// own category (hence less `reassembled`); fragment_dropped is a fragment already counted.
    [[nodiscard]] std::uint64_t accounted_frames() const noexcept;
};

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
    /// Set by whoever stops the run (a signal handler): a read blocked on a quiet pipe that a
    /// signal interrupts then ends the input instead of waiting on (null: reads always resume).
    const std::atomic<bool>* stop = nullptr;
    int max_tunnel_depth = 8;
    std::uint16_t vxlan_port = 4789;
    ReassemblyLimits reassembly;
    TcpLimits tcp;
};

/// libpcap's complaint about a capture filter (pcap-filter(7)) compiled for link type `dlt`
/// (a DLT_ value), or "" when it compiles: lets a command line reject a mistake before reading.
[[nodiscard]] std::string check_filter(const std::string& expression, int dlt);

class CaptureReader {
public:
    /// Opens a capture file; "-" reads standard input; gzip and zstd are read as they are.
    /// Throws CaptureError (the message names the file): unreadable, not a capture, no
    /// interface of a supported link type, or a filter libpcap cannot compile.
    explicit CaptureReader(const std::string& path, ReaderOptions options = {});
    ~CaptureReader();
    CaptureReader(const CaptureReader&) = delete;
    CaptureReader& operator=(const CaptureReader&) = delete;

    /// Moves to the next UDP datagram or TCP chunk (only when TCP is followed), in capture
    /// order; false at the end of the capture or on a read error (then `error()` says what
    /// went wrong, e.g. a file cut mid-record).
    bool next(Datagram& out);

    [[nodiscard]] const CaptureCounters& counters() const noexcept { return counters_; }
    [[nodiscard]] const std::string& error() const noexcept { return error_; }
    [[nodiscard]] const std::string& path() const noexcept { return path_; }
    /// The first interface's link type (DLT_ value).
    [[nodiscard]] int link_type() const noexcept { return dlt_; }
    /// Every link type met so far, in order (pcapng interfaces may differ).
    [[nodiscard]] const std::vector<int>& link_types() const noexcept { return file_.link_types(); }
    [[nodiscard]] Compression compression() const noexcept { return file_.compression(); }
    [[nodiscard]] FileFormat format() const noexcept { return file_.format(); }
    /// Bytes of the file read so far (for a progress line; 0 when it cannot tell).
    [[nodiscard]] std::uint64_t position() const noexcept { return file_.position(); }

private:
    class Filter;
    bool emit_udp(const FrameInfo& info, const Record& record, Datagram& out);
    void emit_tcp(const TcpChunk& chunk, Datagram& out);
    void feed_tcp(const FrameInfo& info, const Record& record);
    bool follows(const FrameInfo& info) const;
    void sync_tcp() noexcept;
    void sync_fragments() noexcept;
    void finish();

    std::string path_;
    ReaderOptions options_;
    ParseOptions parse_;
    CaptureFile file_;
    std::unique_ptr<Filter> filter_;
    int dlt_ = 0;
    CaptureCounters counters_;
    Reassembler reassembler_;
    std::optional<TcpReassembler> tcp_;
    std::int64_t last_time_ = 0;
    std::uint8_t time_digits_ = 6;
    bool finished_ = false;
    std::string error_;
};

}  // namespace nfpcap::capture
