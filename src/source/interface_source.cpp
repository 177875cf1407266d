// SPDX-License-Identifier: MIT
// Live capture: libpcap handles in immediate, non-blocking mode, waited on with poll() in short
// slices so that a stop request is seen while the interfaces are quiet.
#include "nfpcap/source/interface_source.hpp"

#include <pcap/pcap.h>
#include <poll.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

#include "nfpcap/capture/frame.hpp"
#include "nfpcap/capture/reassembly.hpp"

namespace nfpcap::source {

namespace {

struct PcapHandle {
    pcap_t* pcap = nullptr;
    int dlt = 0;
    int fd = -1;
    bool nanosecond = false;
    bool readable = true;  ///< try a read before waiting
    std::string name;
};

std::string link_name(int dlt) {
    const char* name = pcap_datalink_val_to_name(dlt);
    return name != nullptr ? name : std::to_string(dlt);
}

}  // namespace

struct InterfaceSource::Impl {
    InterfaceOptions options;
    std::vector<PcapHandle> handles;
    capture::Reassembler reassembler;
    capture::CaptureCounters counters;
    std::size_t next_handle = 0;
    std::string error;

    explicit Impl(InterfaceOptions o) : options(std::move(o)) {
        for (const auto& name : options.interfaces) {
            try {
                open(name);
            } catch (...) {
                close_all();
                throw;
            }
        }
    }
    ~Impl() { close_all(); }
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;

    void close_all() noexcept {
        for (auto& h : handles) {
            if (h.pcap != nullptr) pcap_close(h.pcap);
            h.pcap = nullptr;
        }
    }

    void open(const std::string& name) {
        char errbuf[PCAP_ERRBUF_SIZE] = {};
        PcapHandle h;
        h.name = name;
        h.pcap = pcap_create(name.c_str(), errbuf);
        if (h.pcap == nullptr) throw std::runtime_error(fmt::format("-i {}: {}", name, errbuf));
        auto fail = [&h, &name](const std::string& why) {
            pcap_close(h.pcap);
            throw std::runtime_error(fmt::format("-i {}: {}", name, why));
        };
        pcap_set_snaplen(h.pcap, options.snaplen);
        pcap_set_promisc(h.pcap, options.promiscuous ? 1 : 0);
        // Each frame as it arrives: without it libpcap hands frames on in blocks, late.
        pcap_set_immediate_mode(h.pcap, 1);
        h.nanosecond = pcap_set_tstamp_precision(h.pcap, PCAP_TSTAMP_PRECISION_NANO) == 0;
        if (options.buffer_size != 0) {
            pcap_set_buffer_size(h.pcap, static_cast<int>(std::min<std::size_t>(options.buffer_size, 1U << 30U)));
        }
        const int rc = pcap_activate(h.pcap);
        if (rc < 0) {
            std::string why = pcap_geterr(h.pcap);
            if (why.empty()) why = pcap_statustostr(rc);
            if (rc == PCAP_ERROR_PERM_DENIED && why.find("ermission") == std::string::npos) {
                why += " (capturing needs root or CAP_NET_RAW)";
            }
            fail(why);
        }
        h.dlt = pcap_datalink(h.pcap);
        if (!capture::supported_link(h.dlt)) {
            fail(fmt::format("link type {} is not supported (Ethernet, Linux cooked, raw IP and BSD loopback are)",
                             link_name(h.dlt)));
        }
        if (!options.filter.empty()) {
            bpf_u_int32 net = 0, mask = PCAP_NETMASK_UNKNOWN;
            if (pcap_lookupnet(name.c_str(), &net, &mask, errbuf) != 0) mask = PCAP_NETMASK_UNKNOWN;
            bpf_program program{};
            if (pcap_compile(h.pcap, &program, options.filter.c_str(), 1, mask) != 0) {
                fail(fmt::format("capture filter \"{}\": {}", options.filter, pcap_geterr(h.pcap)));
            }
            const int set = pcap_setfilter(h.pcap, &program);
            pcap_freecode(&program);
            if (set != 0) fail(fmt::format("capture filter \"{}\": {}", options.filter, pcap_geterr(h.pcap)));
        }
        if (pcap_setnonblock(h.pcap, 1, errbuf) != 0) fail(errbuf);
        h.fd = pcap_get_selectable_fd(h.pcap);
        if (h.fd < 0) fail("cannot be waited on (no selectable descriptor)");
        handles.push_back(h);
    }

    // One frame of `h` parsed; true with `out` filled when it completes a UDP datagram.
    bool handle(PcapHandle& h, const pcap_pkthdr& header, const u_char* data, Message& out) {
        ++counters.frames;
        std::int64_t time_ns = static_cast<std::int64_t>(header.ts.tv_sec) * 1'000'000'000 +
                               static_cast<std::int64_t>(header.ts.tv_usec) * (h.nanosecond ? 1 : 1000);
        const wire::Bytes frame(reinterpret_cast<const std::byte*>(data), header.caplen);
        if (options.tap != nullptr) options.tap->on_frame(h.dlt, time_ns, frame, header.len);
        capture::FrameInfo info = capture::parse_frame(h.dlt, frame);
        using Kind = capture::FrameInfo::Kind;
        if (info.kind == Kind::fragment) {
            ++counters.fragments;
            auto whole = reassembler.add(info, time_ns);
            sync_fragments();
            if (!whole) return false;
            ++counters.reassembled;
            capture::parse_udp(*whole, info);
            if (info.kind != Kind::udp) {
                ++counters.issues[static_cast<std::size_t>(info.issue)];
                return false;
            }
        }
        switch (info.kind) {
        case Kind::udp:
            ++counters.udp_datagrams;
            out = Message{};
            out.frame = counters.frames;
            out.time_ns = time_ns;
            out.time_digits = h.nanosecond ? 9 : 6;
            out.exporter = {info.src, info.src_port};
            out.collector = {info.dst, info.dst_port};
            out.transport = Transport::udp_datagram;
            out.payload = info.udp_payload;
            out.length = info.udp_length;
            out.truncated = info.udp_payload.size() < info.udp_length;
            return true;
        case Kind::fragment: return false;
        case Kind::not_ip: ++counters.not_ip; return false;
        case Kind::tcp:  // TCP is not followed on live interfaces (use --listen-tcp)
        case Kind::not_udp: ++counters.not_udp; return false;
        case Kind::issue: ++counters.issues[static_cast<std::size_t>(info.issue)]; return false;
        }
        return false;
    }

    void sync_fragments() noexcept {
        counters.issues[static_cast<std::size_t>(capture::FrameIssue::fragment_dropped)] =
            reassembler.dropped_fragments();
    }

    bool next(Message& out) {
        for (;;) {
            if (options.stop.requested() || !error.empty()) return false;
            bool any = false;
            for (std::size_t k = 0; k < handles.size(); ++k) {
                PcapHandle& h = handles[(next_handle + k) % handles.size()];
                if (!h.readable) continue;
                pcap_pkthdr* header = nullptr;
                const u_char* data = nullptr;
                const int rc = pcap_next_ex(h.pcap, &header, &data);
                if (rc == 0) {
                    h.readable = false;
                    continue;
                }
                if (rc < 0) {
                    error = fmt::format("{}: {}", h.name, pcap_geterr(h.pcap));
                    return false;
                }
                any = true;
                if (handle(h, *header, data, out)) {
                    next_handle = (next_handle + k + 1) % handles.size();
                    return true;
                }
            }
            if (any) continue;
            std::vector<pollfd> fds;
            for (const auto& h : handles) fds.push_back({h.fd, POLLIN, 0});
            const int n = ::poll(fds.data(), fds.size(), static_cast<int>(options.stop.poll_interval.count()));
            if (n < 0 && errno != EINTR) {
                error = fmt::format("waiting for frames: {}", std::strerror(errno));
                return false;
            }
            // A timeout too: libpcap's ring may hold frames poll() did not announce.
            for (auto& h : handles) h.readable = true;
        }
    }

    [[nodiscard]] std::optional<std::uint64_t> drops() const {
        std::optional<std::uint64_t> total;
        for (const auto& h : handles) {
            pcap_stat st{};
            if (h.pcap == nullptr || pcap_stats(h.pcap, &st) != 0) continue;
            total = total.value_or(0) + st.ps_drop + st.ps_ifdrop;
        }
        return total;
    }
};

InterfaceSource::InterfaceSource(InterfaceOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {
    for (const auto& h : impl_->handles) {
        summary_.name += (summary_.name.empty() ? "" : ", ") + h.name;
        const std::string link = link_name(h.dlt);
        if (summary_.link_type.find(link) == std::string::npos) {
            summary_.link_type += (summary_.link_type.empty() ? "" : ", ") + link;
        }
    }
    summary_.opened = true;
    summary_.live = true;
}

InterfaceSource::~InterfaceSource() = default;

void InterfaceSource::set_tap(Tap* tap) noexcept { impl_->options.tap = tap; }

std::vector<int> InterfaceSource::link_types() const {
    std::vector<int> types;
    for (const auto& h : impl_->handles) types.push_back(h.dlt);
    return types;
}

void InterfaceSource::stop() {
    if (state_ != State::open) return;
    impl_->reassembler.drop_all();
    impl_->sync_fragments();
    summary_.counters = impl_->counters;
    summary_.kernel_drops = impl_->drops();
    if (!impl_->error.empty()) summary_.error = impl_->error;
    state_ = State::ended;
}

SourceEvent InterfaceSource::next(Message& out) {
    switch (state_) {
    case State::before: state_ = State::open; return SourceEvent::input_begins;
    case State::ended: return SourceEvent::end;
    case State::open: break;
    }
    if (impl_->next(out)) return SourceEvent::message;
    stop();
    return SourceEvent::input_ends;
}

}  // namespace nfpcap::source
