// SPDX-License-Identifier: MIT
// Live capture on network interfaces (-i) through libpcap, parsed like a capture file's frames.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "nfpcap/source/capture_source.hpp"
#include "nfpcap/source/live.hpp"
#include "nfpcap/source/source.hpp"

namespace nfpcap::source {

struct InterfaceOptions {
    std::vector<std::string> interfaces;  ///< as libpcap names them ("eth0", "lo", "any")
    std::string filter;                   ///< a capture filter (pcap-filter(7)), "" for none
    int snaplen = 262144;
    bool promiscuous = false;
    std::size_t buffer_size = 0;  ///< libpcap's capture buffer, bytes (0: libpcap's default)
    LiveStop stop;
    Tap* tap = nullptr;  ///< sees every frame captured (may be null)
    /// TCP following, tunnels and limits, as for capture files (`capture.reader.filter` is not
    /// used: `filter` runs in the kernel).
    CaptureOptions capture;
};

/// The interfaces are one input ("lo, eth0"), opened in immediate mode (each frame as it
/// arrives, not in batches) and read until stopped. Their libpcap handles are a
/// capture::RecordSource read by a capture::CaptureReader, the path a capture file's frames
/// take: link/IP/UDP parsing, fragment reassembly, TCP following (IPFIX over TCP) and the cut
/// into messages. The kernel's drop count (pcap_stats) is reported at the end.
class InterfaceSource final : public MessageSource {
public:
    /// Opens every interface; throws std::runtime_error naming the interface (or the filter)
    /// that cannot be used, with libpcap's reason.
    explicit InterfaceSource(InterfaceOptions options);
    ~InterfaceSource() override;
    InterfaceSource(const InterfaceSource&) = delete;
    InterfaceSource& operator=(const InterfaceSource&) = delete;

    SourceEvent next(Message& out) override;
    [[nodiscard]] const InputSummary& current() const noexcept override { return summary_; }
    void stop() override;

    /// Sets the tap (once the link types are known, before the first frame is read).
    void set_tap(Tap* tap) noexcept;
    /// The link type (DLT_ value) of each interface, in the order given.
    [[nodiscard]] std::vector<int> link_types() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    InputSummary summary_;
    enum class State : std::uint8_t { before, open, ended } state_ = State::before;
};

}  // namespace nfpcap::source
