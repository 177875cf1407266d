// SPDX-License-Identifier: MIT
// A capture reader's datagrams and TCP chunks as messages: one path for capture files and live
// interfaces.
#include "reader_messages.hpp"

namespace nfpcap::source {

namespace {
constexpr std::int64_t kSweepInterval = 1'000'000'000;
}  // namespace

ReaderMessages::ReaderMessages(capture::CaptureReader& reader, bool unaligned, std::size_t max_stream_buffer,
                               std::int64_t idle_timeout_ns)
    : reader_(reader),
      unaligned_(unaligned),
      max_stream_buffer_(max_stream_buffer),
      idle_timeout_ns_(idle_timeout_ns),
      inputs_(reader.inputs()) {}

void ReaderMessages::end(Streams::iterator stream) {
    inputs_[stream->second.began_in].streams.add(stream->second.framer.counters());
    if (draining_ == stream) draining_ = streams_.end();
    streams_.erase(stream);
}

void ReaderMessages::stop() {
    // Streams still open (stopped early): what they cut so far counts.
    while (!streams_.empty()) end(streams_.begin());
    closing_.clear();
}

void ReaderMessages::feed(const capture::Datagram& d) {
    const StreamKey key{d.connection, d.src};
    auto it = streams_.find(key);
    if (it == streams_.end()) {
        if (d.payload.empty() && !d.gap) return;  // a bare FIN/RST of a direction that sent nothing
        it = streams_.try_emplace(key, max_stream_buffer_).first;
        it->second.receiver = d.dst;
        it->second.began_in = d.input;
        ++inputs_[d.input].tcp_streams;
        // Picked up without its SYN (or every connection searched): the first bytes may be the
        // rest of a message.
        if (d.midstream || unaligned_) it->second.framer.start_unaligned();
    }
    Stream& s = it->second;
    s.input = d.input;
    s.frame = d.frame;
    s.time_ns = d.time_ns;
    s.time_digits = d.time_digits;
    s.framer.feed(d.payload, d.gap ? d.bytes_lost : 0);
    if (d.fin || d.rst) s.framer.finish();
    draining_ = it;
    sweep(d.time_ns);
}

void ReaderMessages::sweep(std::int64_t now) {
    // Connections the reassembler forgot (silent past its idle timeout) send no FIN: their
    // streams end here after the same time, so a long capture does not keep them all.
    std::int64_t since = 0;
    if (last_sweep_ != 0 && !__builtin_sub_overflow(now, last_sweep_, &since) && since >= 0 && since < kSweepInterval) {
        return;
    }
    last_sweep_ = now;
    for (auto& [key, s] : streams_) {
        std::int64_t age = 0;
        if (!s.framer.finished() && (__builtin_sub_overflow(now, s.time_ns, &age) || age > idle_timeout_ns_)) {
            s.framer.finish();
            closing_.push_back(key);
        }
    }
}

bool ReaderMessages::take(Message& out) {
    for (;;) {
        if (draining_ == streams_.end()) {
            if (!closing_.empty()) {
                draining_ = streams_.find(closing_.back());
                closing_.pop_back();
                continue;
            }
            if (!flushed_ || streams_.empty()) return false;
            draining_ = streams_.begin();  // end of the capture: every stream ends
            draining_->second.framer.finish();
        }
        Stream& s = draining_->second;
        wire::Bytes message;
        bool after_gap = false;
        if (s.framer.next(message, after_gap)) {
            out = Message{};
            out.frame = s.frame;
            out.input = s.input;
            out.time_ns = s.time_ns;
            out.time_digits = s.time_digits;
            out.exporter = draining_->first.sender;
            out.collector = s.receiver;
            out.transport = Transport::tcp_stream;
            out.stream = draining_->first.connection;
            out.payload = message;
            out.length = static_cast<std::uint32_t>(message.size());
            return true;
        }
        if (s.framer.finished()) {
            end(draining_);
        } else {
            draining_ = streams_.end();
        }
    }
}

bool ReaderMessages::next(Message& out) {
    for (;;) {
        if (take(out)) return true;
        if (flushed_) return false;
        if (!reader_.next(datagram_)) {
            flushed_ = true;
            continue;
        }
        const capture::Datagram& d = datagram_;
        if (d.transport == capture::Transport::tcp) {
            feed(d);
            continue;
        }
        out = Message{};
        if (d.transport == capture::Transport::sctp) {  // one user message is one export message
            out.transport = Transport::sctp_message;
            out.stream = d.connection;
        } else {
            out.transport = Transport::udp_datagram;
        }
        out.frame = d.frame;
        out.input = d.input;
        out.time_ns = d.time_ns;
        out.time_digits = d.time_digits;
        out.exporter = d.src;
        out.collector = d.dst;
        out.payload = d.payload;
        out.length = d.udp_length;
        out.truncated = d.truncated;
        return true;
    }
}

}  // namespace nfpcap::source
