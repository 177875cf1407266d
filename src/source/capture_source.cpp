// SPDX-License-Identifier: MIT
// Capture files as a message source: each UDP datagram of each file, in order, and the export
// messages cut out of the TCP connections followed.
#include "nfpcap/source/capture_source.hpp"

#include <pcap/pcap.h>
#include <sys/stat.h>

#include <algorithm>

#include "nfpcap/netflow/decoder.hpp"
#include "nfpcap/netflow/version.hpp"
#include "reader_messages.hpp"

namespace nfpcap::source {

namespace {
std::uint64_t file_size(const std::string& path) {
    struct stat st {};
    if (path == "-" || ::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return 0;
    return static_cast<std::uint64_t>(st.st_size);
}

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
    r.sctp = options.sctp;
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
    summaries_.resize(std::max<std::size_t>(paths_.size(), 1));  // current() is always something
    states_.assign(paths_.size(), State::waiting);
    if (options_.merge && !paths_.empty()) {
        groups_.emplace_back();
        for (std::size_t i = 0; i < paths_.size(); ++i) groups_.back().push_back(i);
    } else {
        for (std::size_t i = 0; i < paths_.size(); ++i) groups_.push_back({i});
    }
}

Progress CaptureSource::progress() const { return {done_bytes_ + (reader_ ? reader_->position() : 0), total_bytes_}; }

CaptureSource::~CaptureSource() = default;

// Opens the next group's files: each begins; one that cannot be read ends at once with its
// error; the others are the inputs of one reader.
void CaptureSource::open_group() {
    std::vector<capture::ReaderInput> inputs;
    reading_.clear();
    for (std::size_t i : groups_[next_group_++]) {
        InputSummary& summary = summaries_[i];
        summary = InputSummary{};
        summary.name = paths_[i] == "-" ? "<stdin>" : paths_[i];
        events_.push_back({SourceEvent::input_begins, i});
        try {
            auto file = std::make_unique<capture::CaptureFile>(paths_[i], reader_options_.stop);
            capture::CaptureReader::check(*file, file->name(), reader_options_);
            const auto& types = file->link_types();
            const int dlt = types.empty() ? DLT_EN10MB : types.front();
            const char* link = pcap_datalink_val_to_name(dlt);
            summary.link_type = link ? link : std::to_string(dlt);
            summary.opened = true;
            inputs.push_back({std::move(file), summary.name});
            reading_.push_back(i);
        } catch (const capture::CaptureError& e) {
            // Unreadable: it begins and ends at once, with its error.
            summary.error = e.what();
            events_.push_back({SourceEvent::input_ends, i});
            done_bytes_ += file_size(paths_[i]);
        }
    }
    if (inputs.empty()) return;
    reader_ = std::make_unique<capture::CaptureReader>(std::move(inputs), reader_options_);
    messages_ = std::make_unique<ReaderMessages>(*reader_, options_.tcp == TcpFollow::all, options_.max_stream_buffer,
                                                 reader_options_.tcp.idle_timeout_ns);
}

// The open reader's files end, in the order given, with their counters.
void CaptureSource::end_group() {
    if (!reader_) return;
    messages_->stop();
    for (std::size_t k = 0; k < reading_.size(); ++k) {
        InputSummary& summary = summaries_[reading_[k]];
        summary.counters = reader_->counters(k);
        if (!reader_->error(k).empty()) summary.error = reader_->error(k);
        summary.streams = messages_->streams(k);
        summary.tcp_streams = messages_->tcp_streams(k);
        events_.push_back({SourceEvent::input_ends, reading_[k]});
        done_bytes_ += file_size(paths_[reading_[k]]);
    }
    messages_.reset();
    reader_.reset();
    reading_.clear();
}

void CaptureSource::stop() {
    end_group();
    next_group_ = groups_.size();
    // What was announced as begun ends now (the first at once: current()); what was not yet
    // announced never will be.
    events_.clear();
    next_event_ = 0;
    for (std::size_t i = 0; i < paths_.size(); ++i) {
        if (states_[i] == State::begun) events_.push_back({SourceEvent::input_ends, i});
    }
    if (events_.empty()) return;
    current_ = events_.front().path;
    states_[current_] = State::ended;
    next_event_ = 1;
}

SourceEvent CaptureSource::next(Message& out) {
    for (;;) {
        if (next_event_ < events_.size()) {
            const Event e = events_[next_event_++];
            if (next_event_ == events_.size()) {
                events_.clear();
                next_event_ = 0;
            }
            current_ = e.path;
            states_[e.path] = e.event == SourceEvent::input_begins ? State::begun : State::ended;
            return e.event;
        }
        if (messages_) {
            if (messages_->next(out)) {
                out.input = static_cast<std::uint32_t>(reading_[out.input]);
                return SourceEvent::message;
            }
            end_group();
            continue;
        }
        if (next_group_ >= groups_.size()) return SourceEvent::end;
        open_group();
    }
}

}  // namespace nfpcap::source
