// SPDX-License-Identifier: MIT
// Capture files (pcap, pcapng; "-" for standard input) read one after the other as one capture.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nfpcap/capture/capture_reader.hpp"
#include "nfpcap/source/source.hpp"
#include "nfpcap/source/stream_framer.hpp"

namespace nfpcap::source {

/// IANA's port for IPFIX (RFC 7011 §10.3.2 / §10.4.2), over UDP, TCP and SCTP alike.
inline constexpr std::uint16_t kIpfixPort = 4739;

/// Which TCP connections of a capture are read as streams of export messages.
enum class TcpFollow : std::uint8_t {
    none,    ///< none: TCP is "not UDP"
    ports,   ///< connections to or from `CaptureOptions::tcp_ports`
    detect,  ///< those, and any other whose data begins with an IPFIX or v9 message header
    all,     ///< every connection (streams searched for message headers from their start)
    count_,
};

/// Stable name ("none", "ports", "detect", "all").
[[nodiscard]] std::string_view name(TcpFollow follow) noexcept;

struct CaptureOptions {
    /// Filter, tunnels, limits. Its TCP choice (tcp_ports, tcp_all, tcp_start) is made from
    /// `tcp` and `tcp_ports` below.
    capture::ReaderOptions reader;
    TcpFollow tcp = TcpFollow::detect;
    std::vector<std::uint16_t> tcp_ports{kIpfixPort};
    std::size_t max_stream_buffer = 1U << 18U;  ///< bytes a stream may hold waiting for a message's end
    /// Read SCTP associations (IPFIX over SCTP, RFC 7011 §10.2).
    bool sctp = true;
    /// Read the files as one capture merged by capture time (mergecap's order; --merge) rather
    /// than one after the other.
    bool merge = false;
};

class ReaderMessages;

class CaptureSource final : public MessageSource {
public:
    /// Files are read in the order given; template state carries over from file to file (as for
    /// a capture split by tcpdump -C), since the session table outlives the files. UDP
    /// datagrams become `udp_datagram` messages; followed TCP connections are cut into export
    /// messages (one StreamFramer per connection and direction), `tcp_stream` messages whose
    /// `stream` is the connection's number in its file.
    ///
    /// With `options.merge`, the files are one capture merged by capture time
    /// (capture::CaptureReader over them all: one reassembly, connections numbered across the
    /// files). Every file begins before the first message (a file that cannot be opened
    /// begins and ends at once with its error), each message names its file (`input`) and its
    /// frame there, and the files end after the last message, in the order given.
    explicit CaptureSource(std::vector<std::string> paths);
    CaptureSource(std::vector<std::string> paths, CaptureOptions options);
    ~CaptureSource() override;

    SourceEvent next(Message& out) override;
    [[nodiscard]] const InputSummary& current() const noexcept override { return summaries_[current_]; }
    void stop() override;
    [[nodiscard]] Progress progress() const override;
    /// Messages name their file (`Message::input`: its place among the paths).
    [[nodiscard]] bool numbers_inputs() const noexcept override { return true; }

    /// The reader options `options` amount to (TCP choice applied).
    [[nodiscard]] static capture::ReaderOptions reader_options(const CaptureOptions& options);

private:
    enum class State : std::uint8_t { waiting, begun, ended };
    struct Event {
        SourceEvent event;
        std::size_t path;
    };

    void open_group();
    void end_group();

    std::vector<std::string> paths_;
    CaptureOptions options_;
    capture::ReaderOptions reader_options_;
    /// Paths read by one reader: each alone, or (merge) all together.
    std::vector<std::vector<std::size_t>> groups_;
    std::size_t next_group_ = 0;
    std::vector<std::size_t> reading_;  ///< paths of the open reader's inputs, in its order
    std::unique_ptr<capture::CaptureReader> reader_;
    std::unique_ptr<ReaderMessages> messages_;
    std::vector<InputSummary> summaries_;  ///< one per path
    std::vector<State> states_;            ///< one per path: what has been announced of it
    std::vector<Event> events_;            ///< announced before the next message (oldest first)
    std::size_t next_event_ = 0;
    std::size_t current_ = 0;
    std::uint64_t total_bytes_ = 0;  ///< sizes of the regular files among the paths
    std::uint64_t done_bytes_ = 0;   ///< sizes of the files read already
};

}  // namespace nfpcap::source
