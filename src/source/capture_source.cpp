// SPDX-License-Identifier: MIT
// Capture files as a message source: each UDP datagram of each file, in order, and the export
// messages cut out of the TCP connections followed.
#include "nfpcap/source/capture_source.hpp"

#include <pcap/pcap.h>
#include <sys/stat.h>

#include "nfpcap/netflow/decoder.hpp"
#include "nfpcap/netflow/version.hpp"

namespace nfpcap::source {

namespace {
std::uint64_t file_size(const std::string& path) {
    struct stat st {};
    if (path == "-" || ::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return 0;
    return static_cast<std::uint64_t>(st.st_size);
}

constexpr std::int64_t kSweepInterval = 1'000'000'000;

// Whether a TCP segment's data begins with an IPFIX or v9 message: a whole consistent message,
// or (a message longer than the segment) a header whose first set header is consistent.
bool starts_export_message(wire::Bytes data) noexcept {
    const netflow::StreamCut cut = netflow::cut_stream_message(data, false, true);
    if (cut.kind == netflow::StreamCut::Kind::message) return true;
    if (cut.kind != netflow::StreamCut::Kind::need_more) return false;
    if (netflow::looks_like_export(data)) return true;  // a whole v9 message (no length to cut by)
    const netflow::VersionInfo* info = netflow::version_info(wire::load_be16(data.data()));
    if (info == nullptr || !info->template_based || data.size() < info->header_size + 4U) return false;
    const std::uint16_t id = wire::load_be16(data.data() + info->header_size);
    const std::uint16_t set_length = wire::load_be16(data.data() + info->header_size + 2);
    if (set_length < 4) return false;
    if (info->has_length) {  // IPFIX: sets 2, 3, >= 256 inside the message's length
        const std::size_t length = wire::load_be16(data.data() + info->count_offset);
        return (id == 2 || id == 3 || id >= 256) && set_length <= length - info->header_size;
    }
    return id <= 1 || id >= 256;
}

}  // namespace

std::string_view name(TcpFollow follow) noexcept {
    switch (follow) {
    case TcpFollow::none: return "none";
    case TcpFollow::ports: return "ports";
    case TcpFollow::detect: return "detect";
    case TcpFollow::all: return "all";
    case TcpFollow::count_: break;
    }
    return "unknown";
}

capture::ReaderOptions CaptureSource::reader_options(const CaptureOptions& options) {
    capture::ReaderOptions r = options.reader;
    r.tcp_ports.clear();
    r.tcp_all = false;
    r.tcp_start = nullptr;
    switch (options.tcp) {
    case TcpFollow::none:
    case TcpFollow::count_: break;
    case TcpFollow::detect: r.tcp_start = starts_export_message; [[fallthrough]];
    case TcpFollow::ports: r.tcp_ports = options.tcp_ports; break;
    case TcpFollow::all: r.tcp_all = true; break;
    }
    return r;
}

// Not a default argument: GCC 12 then warns (wrongly) that the options may be used uninitialized.
CaptureSource::CaptureSource(std::vector<std::string> paths) : CaptureSource(std::move(paths), CaptureOptions{}) {}

CaptureSource::CaptureSource(std::vector<std::string> paths, CaptureOptions options)
    : paths_(std::move(paths)), options_(std::move(options)), reader_options_(reader_options(options_)) {
    for (const auto& p : paths_) total_bytes_ += file_size(p);
}

Progress CaptureSource::progress() const { return {done_bytes_ + (reader_ ? reader_->position() : 0), total_bytes_}; }

CaptureSource::~CaptureSource() = default;

SourceEvent CaptureSource::open_next() {
    const std::string& path = paths_[next_path_++];
    summary_ = InputSummary{};
    summary_.name = path == "-" ? "<stdin>" : path;
    ended_ = false;
    flushed_ = false;
    streams_.clear();
    draining_ = streams_.end();
    closing_.clear();
    last_sweep_ = 0;
    try {
        reader_ = std::make_unique<capture::CaptureReader>(path, reader_options_);
    } catch (const capture::CaptureError& e) {
        // Unreadable: it begins and ends at once, with its error.
        summary_.error = e.what();
        return SourceEvent::input_begins;
    }
    summary_.opened = true;
    const char* link = pcap_datalink_val_to_name(reader_->link_type());
    summary_.link_type = link ? link : std::to_string(reader_->link_type());
    return SourceEvent::input_begins;
}

SourceEvent CaptureSource::end_current() {
    if (reader_) {
        summary_.counters = reader_->counters();
        if (!reader_->error().empty()) summary_.error = reader_->error();
        reader_.reset();
    }
    if (next_path_ > 0) done_bytes_ += file_size(paths_[next_path_ - 1]);
    // Streams still open (stopped early): what they cut so far counts.
    for (auto& [key, s] : streams_) summary_.streams.add(s.framer.counters());
    streams_.clear();
    draining_ = streams_.end();
    closing_.clear();
    ended_ = true;
    return SourceEvent::input_ends;
}

void CaptureSource::stop() {
    if (!ended_) end_current();
    next_path_ = paths_.size();
}

void CaptureSource::feed(const capture::Datagram& d) {
    const StreamKey key{d.connection, d.src};
    auto it = streams_.find(key);
    if (it == streams_.end()) {
        if (d.payload.empty() && !d.gap) return;  // a bare FIN/RST of a direction that sent nothing
        it = streams_.try_emplace(key, options_.max_stream_buffer).first;
        it->second.receiver = d.dst;
        ++summary_.tcp_streams;
        // Picked up without its SYN (or every connection searched): the first bytes may be the
        // rest of a message.
        if (d.midstream || options_.tcp == TcpFollow::all) it->second.framer.start_unaligned();
    }
    Stream& s = it->second;
    s.frame = d.frame;
    s.time_ns = d.time_ns;
    s.time_digits = d.time_digits;
    s.framer.feed(d.payload, d.gap ? d.bytes_lost : 0);
    if (d.fin || d.rst) s.framer.finish();
    draining_ = it;
    sweep(d.time_ns);
}

void CaptureSource::sweep(std::int64_t now) {
    // Connections the reassembler forgot (silent past its idle timeout) send no FIN: their
    // streams end here after the same time, so a long capture does not keep them all.
    std::int64_t since = 0;
    if (last_sweep_ != 0 && !__builtin_sub_overflow(now, last_sweep_, &since) && since >= 0 && since < kSweepInterval) {
        return;
    }
    last_sweep_ = now;
    for (auto& [key, s] : streams_) {
        std::int64_t age = 0;
        if (!s.framer.finished() &&
            (__builtin_sub_overflow(now, s.time_ns, &age) || age > reader_options_.tcp.idle_timeout_ns)) {
            s.framer.finish();
            closing_.push_back(key);
        }
    }
}

bool CaptureSource::take(Message& out) {
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
            summary_.streams.add(s.framer.counters());
            streams_.erase(draining_);
        }
        draining_ = streams_.end();
    }
}

SourceEvent CaptureSource::next(Message& out) {
    if (ended_) {
        if (next_path_ >= paths_.size()) return SourceEvent::end;
        return open_next();
    }
    for (;;) {
        if (take(out)) return SourceEvent::message;
        if (!reader_ || flushed_) return end_current();
        if (!reader_->next(datagram_)) {
            flushed_ = true;
            continue;
        }
        const capture::Datagram& d = datagram_;
        if (d.transport == capture::Transport::tcp) {
            feed(d);
            continue;
        }
        out = Message{};
        out.frame = d.frame;
        out.time_ns = d.time_ns;
        out.time_digits = d.time_digits;
        out.exporter = d.src;
        out.collector = d.dst;
        out.transport = Transport::udp_datagram;
        out.payload = d.payload;
        out.length = d.udp_length;
        out.truncated = d.truncated;
        return SourceEvent::message;
    }
}

}  // namespace nfpcap::source
