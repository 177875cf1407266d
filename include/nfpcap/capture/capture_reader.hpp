// SPDX-License-Identifier: MIT
// Reads a pcap / pcapng file (or stdin) with libpcap and yields its UDP datagrams in order.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "nfpcap/capture/datagram.hpp"
#include "nfpcap/capture/frame.hpp"
#include "nfpcap/capture/reassembly.hpp"

namespace nfpcap::capture {

/// Opening failed: the message names the file and the cause.
class CaptureError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Frame-level accounting of one capture.
struct CaptureCounters {
    std::uint64_t frames = 0;
    std::uint64_t not_ip = 0;                              ///< frames carrying no IPv4/IPv6
    std::uint64_t not_udp = 0;                             ///< IP packets of another protocol
    std::uint64_t udp_datagrams = 0;                       ///< complete UDP datagrams handed on
    std::uint64_t fragments = 0;                           ///< UDP fragments seen
    std::uint64_t reassembled = 0;                         ///< datagrams rebuilt from fragments
    std::array<std::uint64_t, kFrameIssueCount> issues{};  ///< by FrameIssue
};

class CaptureReader {
public:
    /// Opens a capture file; "-" reads standard input. Throws CaptureError.
    explicit CaptureReader(const std::string& path);
    ~CaptureReader();
    CaptureReader(const CaptureReader&) = delete;
    CaptureReader& operator=(const CaptureReader&) = delete;

    /// Moves to the next UDP datagram; false at the end of the capture or on a read error
    /// (then `error()` says what went wrong, e.g. a file cut mid-record).
    bool next(Datagram& out);

    [[nodiscard]] const CaptureCounters& counters() const noexcept { return counters_; }
    [[nodiscard]] const std::string& error() const noexcept { return error_; }
    [[nodiscard]] const std::string& path() const noexcept { return path_; }
    [[nodiscard]] int link_type() const noexcept { return dlt_; }
    /// Bytes of the file read so far (for a progress line; 0 when it cannot tell).
    [[nodiscard]] std::uint64_t position() const noexcept;

private:
    bool emit_udp(const FrameInfo& info, std::int64_t time_ns, Datagram& out);

    std::string path_;
    struct PcapCloser {
        void operator()(void* p) const noexcept;
    };
    std::unique_ptr<void, PcapCloser> pcap_;
    int dlt_ = 0;
    bool nanosecond_ = false;
    CaptureCounters counters_;
    Reassembler reassembler_;
    std::string error_;
};

}  // namespace nfpcap::capture
