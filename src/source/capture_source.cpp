// SPDX-License-Identifier: MIT
// Capture files as a message source: each UDP datagram of each file, in order.
#include "nfpcap/source/capture_source.hpp"

#include <pcap/pcap.h>
#include <sys/stat.h>

namespace nfpcap::source {

namespace {
std::uint64_t file_size(const std::string& path) {
    struct stat st {};
    if (path == "-" || ::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return 0;
    return static_cast<std::uint64_t>(st.st_size);
}
}  // namespace

CaptureSource::CaptureSource(std::vector<std::string> paths) : paths_(std::move(paths)) {
    for (const auto& p : paths_) total_bytes_ += file_size(p);
}

Progress CaptureSource::progress() const { return {done_bytes_ + (reader_ ? reader_->position() : 0), total_bytes_}; }

CaptureSource::~CaptureSource() = default;

SourceEvent CaptureSource::open_next() {
    const std::string& path = paths_[next_path_++];
    summary_ = InputSummary{};
    summary_.name = path == "-" ? "<stdin>" : path;
    ended_ = false;
    try {
        reader_ = std::make_unique<capture::CaptureReader>(path);
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
    ended_ = true;
    return SourceEvent::input_ends;
}

void CaptureSource::stop() {
    if (!ended_) end_current();
    next_path_ = paths_.size();
}

SourceEvent CaptureSource::next(Message& out) {
    if (ended_) {
        if (next_path_ >= paths_.size()) return SourceEvent::end;
        return open_next();
    }
    if (!reader_ || !reader_->next(datagram_)) return end_current();
    const capture::Datagram& d = datagram_;
    out = Message{};
    out.frame = d.frame;
    out.time_ns = d.time_ns;
    out.exporter = d.src;
    out.collector = d.dst;
    out.transport = Transport::udp_datagram;
    out.payload = d.payload;
    out.length = d.udp_length;
    out.truncated = d.truncated;
    return SourceEvent::message;
}

}  // namespace nfpcap::source
