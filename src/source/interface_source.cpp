// SPDX-License-Identifier: MIT
// Live capture: libpcap handles in immediate, non-blocking mode, waited on with poll() in short
// slices so that a stop request is seen while the interfaces are quiet.
#include "nfpcap/source/interface_source.hpp"

#include <pcap/pcap.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

#include "nfpcap/capture/capture_reader.hpp"
#include "nfpcap/capture/frame.hpp"
#include "reader_messages.hpp"

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

// The interfaces' libpcap handles as a record source: records in arrival order, each naming
// its handle as its interface.
class LiveRecords final : public capture::RecordSource {
public:
    explicit LiveRecords(const InterfaceOptions& o) : options_(o) {
        for (const auto& name : options_.interfaces) {
            try {
                open(name);
            } catch (...) {
                close_all();
                throw;
            }
        }
    }
    ~LiveRecords() override { close_all(); }
    LiveRecords(const LiveRecords&) = delete;
    LiveRecords& operator=(const LiveRecords&) = delete;

    bool next(capture::Record& out) override;
    [[nodiscard]] const std::vector<capture::Interface>& interfaces() const noexcept override { return interfaces_; }
    [[nodiscard]] const std::vector<int>& link_types() const noexcept override { return link_types_; }
    [[nodiscard]] const std::string& error() const noexcept override { return error_; }

    [[nodiscard]] const std::vector<PcapHandle>& handles() const noexcept { return handles_; }
    void set_tap(Tap* tap) noexcept { options_.tap = tap; }
    [[nodiscard]] std::optional<std::uint64_t> drops() const;

private:
    void open(const std::string& name);
    void close_all() noexcept {
        for (auto& h : handles_) {
            if (h.pcap != nullptr) pcap_close(h.pcap);
            h.pcap = nullptr;
        }
    }
    bool take(std::size_t index, const pcap_pkthdr& header, const u_char* data, capture::Record& out);

    InterfaceOptions options_;
    std::vector<PcapHandle> handles_;
    std::vector<capture::Interface> interfaces_;
    std::vector<int> link_types_;
    std::size_t next_handle_ = 0;
    std::string error_;
};

void LiveRecords::open(const std::string& name) {
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    PcapHandle h;
    h.name = name;
    h.pcap = pcap_create(name.c_str(), errbuf);
    if (h.pcap == nullptr) throw std::runtime_error(fmt::format("-i {}: {}", name, errbuf));
    auto fail = [&h, &name](const std::string& why) {
        pcap_close(h.pcap);
        throw std::runtime_error(fmt::format("-i {}: {}", name, why));
    };
    pcap_set_snaplen(h.pcap, options_.snaplen);
    pcap_set_promisc(h.pcap, options_.promiscuous ? 1 : 0);
    // Each frame as it arrives: without it libpcap hands frames on in blocks, late.
    pcap_set_immediate_mode(h.pcap, 1);
    h.nanosecond = pcap_set_tstamp_precision(h.pcap, PCAP_TSTAMP_PRECISION_NANO) == 0;
    if (options_.buffer_size != 0) {
        pcap_set_buffer_size(h.pcap, static_cast<int>(std::min<std::size_t>(options_.buffer_size, 1U << 30U)));
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
    if (!options_.filter.empty()) {
        bpf_u_int32 net = 0, mask = PCAP_NETMASK_UNKNOWN;
        if (pcap_lookupnet(name.c_str(), &net, &mask, errbuf) != 0) mask = PCAP_NETMASK_UNKNOWN;
        bpf_program program{};
        if (pcap_compile(h.pcap, &program, options_.filter.c_str(), 1, mask) != 0) {
            fail(fmt::format("capture filter \"{}\": {}", options_.filter, pcap_geterr(h.pcap)));
        }
        const int set = pcap_setfilter(h.pcap, &program);
        pcap_freecode(&program);
        if (set != 0) fail(fmt::format("capture filter \"{}\": {}", options_.filter, pcap_geterr(h.pcap)));
    }
    if (pcap_setnonblock(h.pcap, 1, errbuf) != 0) fail(errbuf);
    h.fd = pcap_get_selectable_fd(h.pcap);
    if (h.fd < 0) fail("cannot be waited on (no selectable descriptor)");
    capture::Interface itf;
    itf.link_type = h.dlt;
    itf.snaplen = static_cast<std::uint32_t>(options_.snaplen);
    itf.time_digits = h.nanosecond ? 9 : 6;
    itf.name = name;
    interfaces_.push_back(std::move(itf));
    if (std::find(link_types_.begin(), link_types_.end(), h.dlt) == link_types_.end()) link_types_.push_back(h.dlt);
    handles_.push_back(h);
}

bool LiveRecords::take(std::size_t index, const pcap_pkthdr& header, const u_char* data, capture::Record& out) {
    const PcapHandle& h = handles_[index];
    out = capture::Record{};
    out.time_ns = static_cast<std::int64_t>(header.ts.tv_sec) * 1'000'000'000 +
                  static_cast<std::int64_t>(header.ts.tv_usec) * (h.nanosecond ? 1 : 1000);
    out.data = wire::Bytes(reinterpret_cast<const std::byte*>(data), header.caplen);
    out.wire_length = header.len;
    out.interface = static_cast<std::uint32_t>(index);
    out.time_digits = h.nanosecond ? 9 : 6;
    if (options_.tap != nullptr) options_.tap->on_frame(h.dlt, out.time_ns, out.data, header.len);
    return true;
}

// Each handle's frame stays valid until that handle is read again: only the next call does.
bool LiveRecords::next(capture::Record& out) {
    for (;;) {
        if (options_.stop.requested() || !error_.empty()) return false;
        for (std::size_t k = 0; k < handles_.size(); ++k) {
            const std::size_t index = (next_handle_ + k) % handles_.size();
            PcapHandle& h = handles_[index];
            if (!h.readable) continue;
            pcap_pkthdr* header = nullptr;
            const u_char* data = nullptr;
            const int rc = pcap_next_ex(h.pcap, &header, &data);
            if (rc == 0) {
                h.readable = false;
                continue;
            }
            if (rc < 0) {
                error_ = fmt::format("{}: {}", h.name, pcap_geterr(h.pcap));
                return false;
            }
            next_handle_ = (index + 1) % handles_.size();
            return take(index, *header, data, out);
        }
        std::vector<pollfd> fds;
        for (const auto& h : handles_) fds.push_back({h.fd, POLLIN, 0});
        const int n = ::poll(fds.data(), fds.size(), static_cast<int>(options_.stop.poll_interval.count()));
        if (n < 0 && errno != EINTR) {
            error_ = fmt::format("waiting for frames: {}", std::strerror(errno));
            return false;
        }
        // A timeout too: libpcap's ring may hold frames poll() did not announce.
        for (auto& h : handles_) h.readable = true;
    }
}

std::optional<std::uint64_t> LiveRecords::drops() const {
    std::optional<std::uint64_t> total;
    for (const auto& h : handles_) {
        pcap_stat st{};
        if (h.pcap == nullptr || pcap_stats(h.pcap, &st) != 0) continue;
        total = total.value_or(0) + st.ps_drop + st.ps_ifdrop;
    }
    return total;
}

capture::ReaderOptions live_reader_options(const InterfaceOptions& o) {
    capture::ReaderOptions r = CaptureSource::reader_options(o.capture);
    r.filter.clear();  // the kernel runs it (pcap_setfilter)
    r.stop = nullptr;  // the records stop themselves
    return r;
}

std::string joined_name(const InterfaceOptions& o) {
    std::string name;
    for (const auto& i : o.interfaces) name += (name.empty() ? "" : ", ") + i;
    return name;
}

std::vector<capture::ReaderInput> live_input(std::unique_ptr<LiveRecords> records, const InterfaceOptions& o) {
    std::vector<capture::ReaderInput> inputs;
    inputs.push_back({std::move(records), joined_name(o)});
    return inputs;
}

}  // namespace

struct InterfaceSource::Impl {
    LiveRecords* live;  // owned by the reader
    capture::CaptureReader reader;
    ReaderMessages messages;

    Impl(std::unique_ptr<LiveRecords> records, const InterfaceOptions& o)
        : live(records.get()),
          reader(live_input(std::move(records), o), live_reader_options(o)),
          messages(reader, o.capture.tcp == TcpFollow::all, o.capture.max_stream_buffer,
                   o.capture.reader.tcp.idle_timeout_ns) {}
};

InterfaceSource::InterfaceSource(InterfaceOptions options)
    : impl_(std::make_unique<Impl>(std::make_unique<LiveRecords>(options), options)) {
    for (const auto& h : impl_->live->handles()) {
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

void InterfaceSource::set_tap(Tap* tap) noexcept { impl_->live->set_tap(tap); }

std::vector<int> InterfaceSource::link_types() const {
    std::vector<int> types;
    for (const auto& h : impl_->live->handles()) types.push_back(h.dlt);
    return types;
}

void InterfaceSource::stop() {
    if (state_ != State::open) return;
    impl_->messages.stop();
    summary_.counters = impl_->reader.counters();
    summary_.streams = impl_->messages.streams(0);
    summary_.tcp_streams = impl_->messages.tcp_streams(0);
    summary_.kernel_drops = impl_->live->drops();
    if (!impl_->live->error().empty()) summary_.error = impl_->live->error();
    state_ = State::ended;
}

SourceEvent InterfaceSource::next(Message& out) {
    switch (state_) {
    case State::before: state_ = State::open; return SourceEvent::input_begins;
    case State::ended: return SourceEvent::end;
    case State::open: break;
    }
    if (impl_->messages.next(out)) return SourceEvent::message;
    stop();
    return SourceEvent::input_ends;
}

}  // namespace nfpcap::source
