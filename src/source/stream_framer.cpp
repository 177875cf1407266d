// SPDX-License-Identifier: MIT
// Cutting TCP streams into export messages; where messages end is the decoder's rule
// (netflow::cut_stream_message), this file only keeps the bytes and finds the next start.
#include "nfpcap/source/stream_framer.hpp"

#include <algorithm>

#include "nfpcap/netflow/decoder.hpp"

namespace nfpcap::source {

void StreamFramer::compact() {
    if (start_ == 0) return;
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(start_));
    for (std::size_t& g : gaps_) g -= std::min(g, start_);
    start_ = 0;
}

void StreamFramer::discard(std::size_t n) noexcept {
    start_ += n;
    counters_.bytes_lost += n;
}

void StreamFramer::feed(wire::Bytes data, std::uint64_t lost) {
    compact();
    if (lost != 0) {
        // Whole messages before the missing bytes still come out; one that spans them cannot.
        counters_.bytes_lost += lost;
        gaps_.push_back(buffer_.size());
    }
    buffer_.insert(buffer_.end(), data.begin(), data.end());
    if (buffer_.size() > max_buffer_) {
        // A message never fits this: keep the newest bytes and look for a header in them.
        const std::size_t drop = buffer_.size() - max_buffer_;
        counters_.bytes_lost += drop;
        ++counters_.overflows;
        buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(drop));
        gaps_.clear();
        searching_ = true;
        after_gap_ = true;
    }
}

void StreamFramer::finish() { ended_ = true; }

bool StreamFramer::next(wire::Bytes& message, bool& after_gap) {
    while (start_ < buffer_.size()) {
        if (!gaps_.empty() && gaps_.front() <= start_) {
            // At the missing bytes: look for the next message header after them.
            gaps_.erase(gaps_.begin());
            if (!searching_) ++counters_.resyncs;
            searching_ = true;
            after_gap_ = true;
            continue;
        }
        // A message must end before the next gap: the bytes up to it are all it can use.
        const std::size_t end = gaps_.empty() ? buffer_.size() : gaps_.front();
        const wire::Bytes available(buffer_.data() + start_, end - start_);
        const bool at_end = ended_ || !gaps_.empty();
        netflow::StreamCut cut = netflow::cut_stream_message(available, at_end, searching_);
        if (cut.kind == netflow::StreamCut::Kind::need_more && !gaps_.empty())
            cut.kind = netflow::StreamCut::Kind::invalid;
        switch (cut.kind) {
        case netflow::StreamCut::Kind::message:
            message = available.first(cut.length);
            after_gap = after_gap_;
            after_gap_ = false;
            searching_ = false;
            start_ += cut.length;
            ++counters_.messages;
            return true;
        case netflow::StreamCut::Kind::need_more: return false;
        case netflow::StreamCut::Kind::invalid:
            // Not a message start: skip a byte and try the next offset (bounded by the buffer).
            if (!searching_) {
                searching_ = true;
                after_gap_ = true;
                ++counters_.resyncs;
            }
            discard(1);
            break;
        }
    }
    return false;
}

}  // namespace nfpcap::source
