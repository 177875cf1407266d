// SPDX-License-Identifier: MIT
// Capture files (pcap, pcapng; "-" for standard input) read one after the other as one capture.
#pragma once
#include <cstdint>
#include <map>
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
};

class CaptureSource final : public MessageSource {
public:
    /// Files are read in the order given; template state carries over from file to file (as for
    /// a capture split by tcpdump -C), since the session table outlives the files. UDP
    /// datagrams become `udp_datagram` messages; followed TCP connections are cut into export
    /// messages (one StreamFramer per connection and direction), `tcp_stream` messages whose
    /// `stream` is the connection's number in its file.
    explicit CaptureSource(std::vector<std::string> paths);
    CaptureSource(std::vector<std::string> paths, CaptureOptions options);
    ~CaptureSource() override;

    SourceEvent next(Message& out) override;
    [[nodiscard]] const InputSummary& current() const noexcept override { return summary_; }
    void stop() override;
    [[nodiscard]] Progress progress() const override;

    /// The reader options `options` amount to (TCP choice applied).
    [[nodiscard]] static capture::ReaderOptions reader_options(const CaptureOptions& options);

private:
    struct StreamKey {
        std::uint64_t connection = 0;
        wire::Endpoint sender;
        friend auto operator<=>(const StreamKey&, const StreamKey&) = default;
    };
    struct Stream {
        explicit Stream(std::size_t max_buffer) : framer(max_buffer) {}
        StreamFramer framer;
        wire::Endpoint receiver;
        std::uint64_t frame = 0;  ///< of the chunk fed last
        std::int64_t time_ns = 0;
        std::uint8_t time_digits = 6;
    };
    using Streams = std::map<StreamKey, Stream>;

    SourceEvent open_next();
    SourceEvent end_current();
    void feed(const capture::Datagram& chunk);
    void sweep(std::int64_t now);
    bool take(Message& out);

    std::vector<std::string> paths_;
    CaptureOptions options_;
    capture::ReaderOptions reader_options_;
    std::size_t next_path_ = 0;
    std::unique_ptr<capture::CaptureReader> reader_;
    capture::Datagram datagram_;
    InputSummary summary_;
    Streams streams_;
    Streams::iterator draining_ = streams_.end();  ///< the stream whose messages are taken now
    std::vector<StreamKey> closing_;               ///< streams ended by the sweep, to drain
    std::int64_t last_sweep_ = 0;
    bool ended_ = true;              ///< the current input has had its input_ends event
    bool flushed_ = false;           ///< the reader ended and every stream was finished
    std::uint64_t total_bytes_ = 0;  ///< sizes of the regular files among the paths
    std::uint64_t done_bytes_ = 0;   ///< sizes of the files read already
};

}  // namespace nfpcap::source
