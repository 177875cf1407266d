// SPDX-License-Identifier: MIT
// UDP and TCP sockets as a message source. Boost.Asio owns the sockets and waits for them; the
// receive itself is a recvmsg() of our own, since the ancillary data that makes a datagram a
// collector's message (where it was sent, the kernel's receive time, the kernel's drop count)
// is beyond Asio's receive_from. One message is out at a time: its payload is a view into this
// source's buffers until the next call, as for every source.
#include "nfpcap/source/socket_source.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <cerrno>
#include <cstring>
#include <deque>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <type_traits>

#include <fmt/format.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/ip/v6_only.hpp>

#include "nfpcap/source/stream_framer.hpp"

namespace nfpcap::source {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;

namespace {

// The largest UDP payload (IPv6 without jumbograms): a datagram longer than the buffer is
// truncated, which MSG_TRUNC tells.
constexpr std::size_t kDatagramBuffer = 65536;
constexpr std::size_t kTcpReadChunk = 65536;

wire::IpAddress from_asio(const asio::ip::address& a) {
    if (a.is_v4()) {
        const auto b = a.to_v4().to_bytes();
        return wire::IpAddress::v4(std::as_bytes(std::span<const unsigned char, 4>(b)));
    }
    const auto v6 = a.to_v6();
    if (v6.is_v4_mapped()) return from_asio(asio::ip::make_address_v4(asio::ip::v4_mapped, v6));
    const auto b = v6.to_bytes();
    return wire::IpAddress::v6(std::as_bytes(std::span<const unsigned char, 16>(b)));
}

wire::Endpoint from_sockaddr(const sockaddr_storage& ss) {
    wire::Endpoint e;
    if (ss.ss_family == AF_INET) {
        sockaddr_in sin{};
        std::memcpy(&sin, &ss, sizeof sin);
        e.addr = wire::IpAddress::v4(std::as_bytes(std::span<const in_addr, 1>(&sin.sin_addr, 1)).first<4>());
        e.port = ntohs(sin.sin_port);
    } else if (ss.ss_family == AF_INET6) {
        sockaddr_in6 sin6{};
        std::memcpy(&sin6, &ss, sizeof sin6);
        asio::ip::address_v6::bytes_type b;
        std::memcpy(b.data(), &sin6.sin6_addr, 16);
        e.addr = from_asio(asio::ip::address_v6(b));
        e.port = ntohs(sin6.sin6_port);
    }
    return e;
}

std::string text_of(const ListenAddress& a) {
    if (a.host.empty()) return fmt::format(":{}", a.port);
    if (a.host.find(':') != std::string::npos) return fmt::format("[{}]:{}", a.host, a.port);
    return fmt::format("{}:{}", a.host, a.port);
}

std::string endpoint_text(const asio::ip::address& a, std::uint16_t port) {
    return wire::to_string(wire::Endpoint{from_asio(a), port});
}

void set_int_option(int fd, int level, int name, int value) {
    // Best effort: a kernel without the option gives less information, not a broken source.
    (void)::setsockopt(fd, level, name, &value, sizeof value);
}

// Asks for `wanted` bytes of receive buffer; returns what the kernel granted.
std::size_t set_receive_buffer(int fd, std::size_t wanted, bool forced) {
    const int value = static_cast<int>(std::min<std::size_t>(wanted, 1U << 30U));
    // SO_RCVBUFFORCE passes net.core.rmem_max (CAP_NET_ADMIN); SO_RCVBUF is capped by it.
    if (!forced || ::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &value, sizeof value) != 0) {
        (void)::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &value, sizeof value);
    }
    int granted = 0;
    socklen_t len = sizeof granted;
    if (::getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &granted, &len) != 0) return 0;
    return static_cast<std::size_t>(granted);
}

// The kernel's drop count of a UDP socket, from its line in /proc/net/udp or udp6 (found by
// the socket's inode; the last column is sk_drops); nothing where there is no such file.
std::optional<std::uint64_t> socket_drops(int fd) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) return std::nullopt;
    for (const char* table : {"/proc/net/udp", "/proc/net/udp6"}) {
        std::ifstream in(table);
        std::string line;
        std::getline(in, line);  // the column names
        while (std::getline(in, line)) {
            std::istringstream words(line);
            std::vector<std::string> w;
            for (std::string word; words >> word;) w.push_back(word);
            // sl local rem st queues tr:when retrnsmt uid timeout inode ref pointer drops
            if (w.size() < 13 || w[9] != std::to_string(st.st_ino)) continue;
            try {
                return std::stoull(w.back());
            } catch (const std::exception&) {
                return std::nullopt;
            }
        }
    }
    return std::nullopt;
}

// The address a listener binds: the one given, or every address (IPv6 with IPv4 mapped, or
// IPv4 alone where the host has no IPv6).
template <typename Protocol>
typename Protocol::endpoint bind_endpoint(const ListenAddress& a, bool& any) {
    any = a.host.empty();
    if (any) return {Protocol::v6(), a.port};
    boost::system::error_code ec;
    const auto addr = asio::ip::make_address(a.host, ec);
    if (ec) throw std::runtime_error(fmt::format("--listen {}: not an IPv4 or IPv6 address", text_of(a)));
    return {addr, a.port};
}

template <typename Socket>
void open_and_bind(Socket& socket, const ListenAddress& a, const char* what) {
    using Protocol = typename Socket::protocol_type;
    bool any = false;
    auto endpoint = bind_endpoint<Protocol>(a, any);
    boost::system::error_code ec;
    socket.open(endpoint.protocol(), ec);
    if (ec && any) {  // no IPv6 here: every IPv4 address
        endpoint = typename Protocol::endpoint(Protocol::v4(), a.port);
        socket.open(endpoint.protocol(), ec);
    }
    if (ec) throw std::runtime_error(fmt::format("{} {}: cannot open a socket: {}", what, text_of(a), ec.message()));
    if (endpoint.protocol() == Protocol::v6()) {
        // Every address ([::] given or no address) takes IPv4 too; ::1 or another one address does not.
        socket.set_option(asio::ip::v6_only(!any && !endpoint.address().is_unspecified()), ec);
    }
    // A TCP listener may take its port back from connections in TIME_WAIT. Not UDP: there
    // SO_REUSEADDR would let a second collector share the port and take half the datagrams.
    if constexpr (std::is_same_v<Protocol, tcp>) socket.set_option(typename Socket::reuse_address(true), ec);
    socket.bind(endpoint, ec);
    if (ec) throw std::runtime_error(fmt::format("{} {}: cannot bind: {}", what, text_of(a), ec.message()));
}

}  // namespace

struct SocketSource::Impl {
    struct UdpSocket {
        explicit UdpSocket(asio::io_context& io) : socket(io) {}
        udp::socket socket;
        wire::Endpoint local;     ///< as bound (the collector when the kernel gives no pktinfo)
        bool readable = false;    ///< a datagram may be waiting
        bool waiting = false;     ///< an async_wait is pending
        std::uint32_t drops = 0;  ///< SO_RXQ_OVFL: drops since the socket was made
        bool drops_known = false;
    };
    struct Connection {
        explicit Connection(asio::io_context& io) : socket(io) {}
        tcp::socket socket;
        std::uint64_t id = 0;
        wire::Endpoint remote, local;
        StreamFramer framer;  ///< the stream cut into messages
        std::vector<std::byte> chunk = std::vector<std::byte>(kTcpReadChunk);
        bool reading = false;
        bool closed = false;  ///< the peer closed (or the connection failed): no more bytes
        bool done = false;    ///< closed and every message handed on: to be removed
    };
    struct Listener {
        explicit Listener(asio::io_context& io) : acceptor(io) {}
        tcp::acceptor acceptor;
        bool accepting = false;
    };

    SocketOptions options;
    asio::io_context io;
    std::deque<UdpSocket> udp;
    std::deque<Listener> listeners;
    std::deque<std::shared_ptr<Connection>> connections;
    std::vector<std::string> names;
    std::vector<std::byte> datagram = std::vector<std::byte>(kDatagramBuffer);
    std::size_t next_udp = 0;       ///< round robin over readable sockets
    std::size_t next_tcp = 0;       ///< round robin over connections
    StreamCounters closed_streams;  ///< what the connections gone away lost of their framing
    std::uint64_t arrivals = 0;
    std::uint64_t streams = 0;
    std::size_t granted = 0;
    std::string error;

    explicit Impl(SocketOptions o) : options(std::move(o)) {
        const bool forced = options.receive_buffer != 0;
        const std::size_t wanted = forced ? options.receive_buffer : SocketOptions::kDefaultReceiveBuffer;
        for (const auto& a : options.udp) {
            UdpSocket& s = udp.emplace_back(io);
            open_and_bind(s.socket, a, "--listen");
            const int fd = s.socket.native_handle();
            set_int_option(fd, SOL_SOCKET, SO_TIMESTAMPNS, 1);
            set_int_option(fd, SOL_SOCKET, SO_RXQ_OVFL, 1);
            set_int_option(fd, IPPROTO_IP, IP_PKTINFO, 1);
            if (s.socket.local_endpoint().protocol() == udp::v6())
                set_int_option(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1);
            const std::size_t got = set_receive_buffer(fd, wanted, forced);
            granted = granted == 0 ? got : std::min(granted, got);
            const auto le = s.socket.local_endpoint();
            s.local = {from_asio(le.address()), le.port()};
            names.push_back("udp " + endpoint_text(le.address(), le.port()));
        }
        for (const auto& a : options.tcp) {
            Listener& l = listeners.emplace_back(io);
            open_and_bind(l.acceptor, a, "--listen-tcp");
            boost::system::error_code ec;
            l.acceptor.listen(asio::socket_base::max_listen_connections, ec);
            if (ec)
                throw std::runtime_error(fmt::format("--listen-tcp {}: cannot listen: {}", text_of(a), ec.message()));
            const auto le = l.acceptor.local_endpoint();
            names.push_back("tcp " + endpoint_text(le.address(), le.port()));
        }
    }

    // Receives one datagram from `s` into `out`; false when none is waiting.
    bool receive(UdpSocket& s, Message& out) {
        sockaddr_storage from{};
        iovec iov{datagram.data(), datagram.size()};
        alignas(cmsghdr) char control[512];
        msghdr mh{};
        mh.msg_name = &from;
        mh.msg_namelen = sizeof from;
        mh.msg_iov = &iov;
        mh.msg_iovlen = 1;
        mh.msg_control = control;
        mh.msg_controllen = sizeof control;
        ssize_t n = 0;
        do {
            n = ::recvmsg(s.socket.native_handle(), &mh, MSG_DONTWAIT | MSG_TRUNC);
        } while (n < 0 && errno == EINTR);
        if (n < 0) {
            s.readable = false;
            // Nothing waiting, or a transient error (an ICMP error queued on the socket, no
            // memory): wait for the socket again. Anything else ends the input.
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ECONNREFUSED && errno != ENOBUFS &&
                errno != ENOMEM) {
                error = fmt::format("{}: receive failed: {}", names[static_cast<std::size_t>(&s - &udp[0])],
                                    std::strerror(errno));
            }
            return false;
        }
        out = Message{};
        out.frame = ++arrivals;
        out.exporter = from_sockaddr(from);
        out.collector = s.local;
        out.transport = Transport::socket_datagram;
        out.time_ns = 0;
        out.time_digits = 9;
        for (cmsghdr* c = CMSG_FIRSTHDR(&mh); c != nullptr; c = CMSG_NXTHDR(&mh, c)) {
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
                timespec ts{};
                std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
                out.time_ns = static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
            } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
                std::memcpy(&s.drops, CMSG_DATA(c), sizeof s.drops);
                s.drops_known = true;
            } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
                in_pktinfo pi{};
                std::memcpy(&pi, CMSG_DATA(c), sizeof pi);
                out.collector.addr =
                    wire::IpAddress::v4(std::as_bytes(std::span<const in_addr, 1>(&pi.ipi_addr, 1)).first<4>());
            } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
                in6_pktinfo pi{};
                std::memcpy(&pi, CMSG_DATA(c), sizeof pi);
                asio::ip::address_v6::bytes_type b;
                std::memcpy(b.data(), &pi.ipi6_addr, 16);
                out.collector.addr = from_asio(asio::ip::address_v6(b));
            }
        }
        if (out.time_ns == 0) out.time_ns = wall_clock_ns();
        const auto size = static_cast<std::size_t>(n);
        out.length = static_cast<std::uint32_t>(size);
        out.truncated = size > datagram.size();
        out.payload = wire::Bytes(datagram.data(), std::min(size, datagram.size()));
        return true;
    }

    void wait_udp(UdpSocket& s) {
        if (s.readable || s.waiting) return;
        s.waiting = true;
        s.socket.async_wait(udp::socket::wait_read, [&s](const boost::system::error_code& ec) {
            s.waiting = false;
            if (!ec) s.readable = true;
        });
    }

    void accept(Listener& l) {
        if (l.accepting) return;
        l.accepting = true;
        auto conn = std::make_shared<Connection>(io);
        l.acceptor.async_accept(conn->socket, [this, &l, conn](const boost::system::error_code& ec) {
            l.accepting = false;
            if (ec) return;  // e.g. too many open files: try again on the next round
            boost::system::error_code e;
            const auto re = conn->socket.remote_endpoint(e);
            const auto le = conn->socket.local_endpoint(e);
            conn->remote = {from_asio(re.address()), re.port()};
            conn->local = {from_asio(le.address()), le.port()};
            conn->id = ++streams;
            connections.push_back(conn);
        });
    }

    void read(Connection& c) {
        if (c.reading || c.closed) return;
        c.reading = true;
        c.socket.async_read_some(asio::buffer(c.chunk), [&c](const boost::system::error_code& ec, std::size_t n) {
            c.reading = false;
            c.framer.feed(wire::Bytes(c.chunk.data(), n));
            if (ec) {
                c.closed = true;
                c.framer.finish();  // a v9 message still open ends with the stream
            }
        });
    }

    // Hands on the next message of `c`, if a whole one is there.
    bool take(Connection& c, Message& out) {
        wire::Bytes message;
        bool after_gap = false;
        if (!c.framer.next(message, after_gap)) {
            if (c.closed) c.done = true;
            return false;
        }
        out = Message{};
        out.frame = ++arrivals;
        out.time_ns = wall_clock_ns();
        out.time_digits = 9;
        out.exporter = c.remote;
        out.collector = c.local;
        out.transport = Transport::socket_stream;
        out.stream = c.id;
        out.payload = message;
        out.length = static_cast<std::uint32_t>(message.size());
        return true;
    }

    [[nodiscard]] StreamCounters stream_counters() const {
        StreamCounters total = closed_streams;
        for (const auto& c : connections) total.add(c->framer.counters());
        return total;
    }

    void drop_done() {
        for (std::size_t i = 0; i < connections.size();) {
            if (connections[i]->done && !connections[i]->reading) {
                closed_streams.add(connections[i]->framer.counters());
                connections.erase(connections.begin() + static_cast<std::ptrdiff_t>(i));
            } else {
                ++i;
            }
        }
    }

    // The next message, or false once stopped (or failed).
    bool next(Message& out) {
        drop_done();
        for (;;) {
            if (options.stop.requested() || !error.empty()) return false;
            for (std::size_t k = 0; k < udp.size(); ++k) {
                UdpSocket& s = udp[(next_udp + k) % udp.size()];
                if (!s.readable) continue;
                if (receive(s, out)) {
                    next_udp = (next_udp + k + 1) % udp.size();
                    if (options.tap != nullptr) options.tap->on_message(out);
                    return true;
                }
            }
            for (std::size_t k = 0; k < connections.size(); ++k) {
                Connection& c = *connections[(next_tcp + k) % connections.size()];
                if (take(c, out)) {
                    next_tcp = (next_tcp + k + 1) % connections.size();
                    if (options.tap != nullptr) options.tap->on_message(out);
                    return true;
                }
            }
            drop_done();
            for (auto& s : udp) wait_udp(s);
            for (auto& l : listeners) accept(l);
            for (auto& c : connections) {
                if (!c->done) read(*c);
            }
            if (io.stopped()) io.restart();
            io.run_one_for(options.stop.poll_interval);
            io.poll();  // whatever else is ready
        }
    }

    [[nodiscard]] std::optional<std::uint64_t> drops() {
        std::optional<std::uint64_t> total;
        for (auto& s : udp) {
            // SO_RXQ_OVFL comes with each datagram: what was dropped after the last one read is
            // only in the socket's own counter (/proc/net/udp), the same sk_drops.
            const auto now = socket_drops(s.socket.native_handle());
            if (now) {
                total = total.value_or(0) + std::max<std::uint64_t>(*now, s.drops);
            } else if (s.drops_known) {
                total = total.value_or(0) + s.drops;
            }
        }
        if (!total && !udp.empty()) total = 0;  // the option is there, nothing dropped yet
        return total;
    }
};

SocketSource::SocketSource(SocketOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {
    for (const auto& n : impl_->names) summary_.name += (summary_.name.empty() ? "" : ", ") + n;
    summary_.opened = true;
    summary_.live = true;
}

SocketSource::~SocketSource() = default;

std::vector<std::string> SocketSource::bound() const { return impl_->names; }

std::size_t SocketSource::receive_buffer() const noexcept { return impl_->granted; }

void SocketSource::stop() {
    if (state_ != State::open) return;
    summary_.streams = impl_->stream_counters();
    summary_.kernel_drops = impl_->drops();
    if (!impl_->error.empty()) summary_.error = impl_->error;
    state_ = State::ended;
}

SourceEvent SocketSource::next(Message& out) {
    switch (state_) {
    case State::before: state_ = State::open; return SourceEvent::input_begins;
    case State::ended: return SourceEvent::end;
    case State::open: break;
    }
    if (impl_->next(out)) {
        ++summary_.counters.frames;
        if (out.transport == Transport::socket_datagram) ++summary_.counters.udp_datagrams;
        return SourceEvent::message;
    }
    stop();
    return SourceEvent::input_ends;
}

}  // namespace nfpcap::source
