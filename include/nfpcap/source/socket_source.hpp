// SPDX-License-Identifier: MIT
// Export messages received on UDP sockets (--listen) and IPFIX over TCP connections
// (--listen-tcp), as a collector receives them.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nfpcap/source/live.hpp"
#include "nfpcap/source/source.hpp"

namespace nfpcap::source {

struct SocketOptions {
    std::vector<ListenAddress> udp;  ///< UDP sockets to bind
    std::vector<ListenAddress> tcp;  ///< TCP listeners: one transport session per connection
    /// Receive buffer to ask for, bytes (SO_RCVBUF; as root, SO_RCVBUFFORCE past the system's
    /// limit). 0: ask for kDefaultReceiveBuffer, quietly capped by the system's limit.
    std::size_t receive_buffer = 0;
    LiveStop stop;
    Tap* tap = nullptr;  ///< sees every message received (may be null)

    static constexpr std::size_t kDefaultReceiveBuffer = 8U << 20U;
};

/// Every socket is one input, named after its addresses ("udp [::]:2055, tcp 0.0.0.0:4739"), that
/// begins when the source is made and ends when it is stopped. A UDP datagram is one message: its
/// sender is the exporter, its destination (IP_PKTINFO: the address it was sent to, also on a
/// socket bound to every address) the collector, the kernel's receive time its time. A TCP
/// connection is its own stream, cut into messages by the IPFIX length field; bytes that do not
/// frame as IPFIX are handed on as one message (which then fails to decode) and the connection
/// is closed.
class SocketSource final : public MessageSource {
public:
    /// Binds every socket; throws std::runtime_error naming the address that cannot be bound.
    explicit SocketSource(SocketOptions options);
    ~SocketSource() override;
    SocketSource(const SocketSource&) = delete;
    SocketSource& operator=(const SocketSource&) = delete;

    SourceEvent next(Message& out) override;
    [[nodiscard]] const InputSummary& current() const noexcept override { return summary_; }
    void stop() override;

    /// The addresses bound, as text, in the order given (a port 0 shows the port chosen).
    [[nodiscard]] std::vector<std::string> bound() const;
    /// The smallest receive buffer the kernel granted a socket (bytes, as SO_RCVBUF reports it).
    [[nodiscard]] std::size_t receive_buffer() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    InputSummary summary_;
    enum class State : std::uint8_t { before, open, ended } state_ = State::before;
};

}  // namespace nfpcap::source
