// SPDX-License-Identifier: MIT
// The messages of one capture reader, whatever it reads (capture files or a live capture): its
// UDP datagrams, and the export messages cut out of the TCP connections it follows.
#pragma once
#include <cstdint>
#include <map>
#include <vector>

#include "nfpcap/capture/capture_reader.hpp"
#include "nfpcap/source/message.hpp"
#include "nfpcap/source/stream_framer.hpp"

namespace nfpcap::source {

/// UDP datagrams become `udp_datagram` messages; each followed TCP connection and direction
/// is cut into export messages by its own StreamFramer (`tcp_stream` messages whose `stream`
/// is the connection's number in the reader); SCTP user messages become `sctp_message`
/// messages (`stream`: the association's number). `Message::input` is the reader's input.
class ReaderMessages {
public:
    /// `unaligned`: every stream may begin mid-message (every connection is searched).
    /// `idle_timeout_ns`: the reader's TCP idle timeout (a stream silent that long ends).
    ReaderMessages(capture::CaptureReader& reader, bool unaligned, std::size_t max_stream_buffer,
                   std::int64_t idle_timeout_ns);

    /// The next message; false once the reader has ended and every stream is drained.
    bool next(Message& out);
    /// Ends every stream still open (stopped early): what each cut so far counts.
    void stop();

    /// Of input `input`: what the streams begun there cut (a stream counts where it began).
    [[nodiscard]] const StreamCounters& streams(std::size_t input) const { return inputs_[input].streams; }
    /// Of input `input`: stream directions that carried data.
    [[nodiscard]] std::uint64_t tcp_streams(std::size_t input) const { return inputs_[input].tcp_streams; }

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
        std::uint32_t began_in = 0;  ///< the input of its first chunk
        std::uint32_t input = 0;     ///< the input of the chunk fed last
        std::uint64_t frame = 0;     ///< of the chunk fed last
        std::int64_t time_ns = 0;
        std::uint8_t time_digits = 6;
    };
    using Streams = std::map<StreamKey, Stream>;
    struct PerInput {
        StreamCounters streams;
        std::uint64_t tcp_streams = 0;
    };

    void feed(const capture::Datagram& chunk);
    void sweep(std::int64_t now);
    bool take(Message& out);
    void end(Streams::iterator stream);

    capture::CaptureReader& reader_;
    bool unaligned_;
    std::size_t max_stream_buffer_;
    std::int64_t idle_timeout_ns_;
    capture::Datagram datagram_;
    std::vector<PerInput> inputs_;
    Streams streams_;
    Streams::iterator draining_ = streams_.end();  ///< the stream whose messages are taken now
    std::vector<StreamKey> closing_;               ///< streams ended by the sweep, to drain
    std::int64_t last_sweep_ = 0;
    bool flushed_ = false;  ///< the reader ended: every stream ends
};

}  // namespace nfpcap::source
