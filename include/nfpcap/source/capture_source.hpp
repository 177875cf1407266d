// SPDX-License-Identifier: MIT
// Capture files (pcap, pcapng; "-" for standard input) read one after the other as one capture.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "nfpcap/capture/capture_reader.hpp"
#include "nfpcap/source/source.hpp"

namespace nfpcap::source {

class CaptureSource final : public MessageSource {
public:
    /// Files are read in the order given; template state carries over from file to file (as for
    /// a capture split by tcpdump -C), since the session table outlives the files.
    explicit CaptureSource(std::vector<std::string> paths);
    ~CaptureSource() override;

    SourceEvent next(Message& out) override;
    [[nodiscard]] const InputSummary& current() const noexcept override { return summary_; }
    void stop() override;
    [[nodiscard]] Progress progress() const override;

private:
    SourceEvent open_next();
    SourceEvent end_current();

    std::vector<std::string> paths_;
    std::size_t next_path_ = 0;
    std::unique_ptr<capture::CaptureReader> reader_;
    capture::Datagram datagram_;
    InputSummary summary_;
    bool ended_ = true;              ///< the current input has had its input_ends event
    std::uint64_t total_bytes_ = 0;  ///< sizes of the regular files among the paths
    std::uint64_t done_bytes_ = 0;   ///< sizes of the files read already
};

}  // namespace nfpcap::source
