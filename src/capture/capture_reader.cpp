// SPDX-License-Identifier: MIT
// Capture reading: records in, UDP datagrams (and followed TCP chunks) out, every frame accounted for.
#include "nfpcap/capture/capture_reader.hpp"

#include <pcap/pcap.h>

#include <algorithm>
#include <bit>

namespace nfpcap::capture {

/// A libpcap capture filter compiled once per link type (pcap_open_dead + pcap_compile) and run
/// with pcap_offline_filter.
class CaptureReader::Filter {
public:
    explicit Filter(std::string expression) : expression_(std::move(expression)) {}
    ~Filter() {
        for (auto& [dlt, p] : programs_) {
            if (p.ok) pcap_freecode(&p.program);
        }
    }
    Filter(const Filter&) = delete;
    Filter& operator=(const Filter&) = delete;

    /// Compiles for `dlt` (once); libpcap's message when it cannot, "" when it can.
    std::string compile(int dlt) {
        auto [it, added] = programs_.try_emplace(dlt);
        if (!added) return it->second.message;
        Program& p = it->second;
        pcap_t* dead = pcap_open_dead(dlt, 262144);
        if (dead == nullptr) {
            p.message = "cannot set up the filter compiler";
            return p.message;
        }
        if (pcap_compile(dead, &p.program, expression_.c_str(), 1, PCAP_NETMASK_UNKNOWN) == 0) {
            p.ok = true;
        } else {
            p.message = pcap_geterr(dead);
            if (p.message.empty()) p.message = "cannot compile";
        }
        pcap_close(dead);
        return p.message;
    }

    /// True when the frame passes. A link type the expression cannot be compiled for (a
    /// pcapng interface met after opening) passes nothing.
    bool matches(int dlt, const Record& r) {
        auto it = programs_.find(dlt);
        if (it == programs_.end()) {
            compile(dlt);
            it = programs_.find(dlt);
        }
        if (!it->second.ok) return false;
        pcap_pkthdr h{};
        h.caplen = static_cast<bpf_u_int32>(r.data.size());
        h.len = std::max<bpf_u_int32>(r.wire_length, h.caplen);
        return pcap_offline_filter(&it->second.program, &h, reinterpret_cast<const u_char*>(r.data.data())) != 0;
    }

    [[nodiscard]] const std::string& expression() const noexcept { return expression_; }

private:
    struct Program {
        bool ok = false;
        bpf_program program{};
        std::string message;
    };
    std::string expression_;
    std::map<int, Program> programs_;
};

std::string check_filter(const std::string& expression, int dlt) {
    pcap_t* dead = pcap_open_dead(dlt, 262144);
    if (dead == nullptr) return "cannot set up the filter compiler";
    bpf_program program{};
    std::string message;
    if (pcap_compile(dead, &program, expression.c_str(), 1, PCAP_NETMASK_UNKNOWN) == 0) {
        pcap_freecode(&program);
    } else {
        message = pcap_geterr(dead);
        if (message.empty()) message = "cannot compile";
    }
    pcap_close(dead);
    return message;
}

void CaptureCounters::add(const CaptureCounters& o) noexcept {
    for (const auto& f : kCaptureCounterFields) this->*f.member += o.*f.member;
    for (std::size_t i = 0; i < issues.size(); ++i) issues[i] += o.issues[i];
    for (std::size_t i = 0; i < encapsulated.size(); ++i) encapsulated[i] += o.encapsulated[i];
}

std::uint64_t CaptureCounters::accounted_frames() const noexcept {
    std::uint64_t n =
        not_ip + not_udp + filtered + fragments + tcp_segments + sctp_packets + udp_datagrams - reassembled;
    for (std::size_t i = 0; i < issues.size(); ++i) {
        if (static_cast<FrameIssue>(i) != FrameIssue::fragment_dropped) n += issues[i];
    }
    return n;
}

namespace {
std::string link_name(int dlt) {
    const char* name = pcap_datalink_val_to_name(dlt);
    return name != nullptr ? name : std::to_string(dlt);
}

// A reassembler's counter and the capture counter it feeds.
template <class Counters>
struct CounterMap {
    std::uint64_t Counters::*from;
    std::uint64_t CaptureCounters::*to;
};

// The reassemblers count for the whole run; each capture counter gets what its counter grew by
// since the last look (so the input being read gets it), and `seen` becomes `now`.
template <class Counters, std::size_t N>
void add_growth(const CounterMap<Counters> (&map)[N], const Counters& now, Counters& seen, CaptureCounters& c) {
    for (const auto& m : map) c.*m.to += now.*m.from - seen.*m.from;
    seen = now;
}
}  // namespace

void CaptureReader::check(const RecordSource& records, const std::string& name, const ReaderOptions& options) {
    const auto& types = records.link_types();
    if (!types.empty() && std::none_of(types.begin(), types.end(), supported_link)) {
        throw CaptureError(name + ": link type " + link_name(types.front()) +
                           " is not supported (Ethernet, Linux cooked, raw IP and BSD loopback are)");
    }
    if (options.filter.empty()) return;
    // Check the expression now, for every link type known (or Ethernet for a capture that
    // describes none yet), so a mistake is an error before anything is read.
    std::vector<int> check;
    for (int t : types) {
        if (supported_link(t)) check.push_back(t);
    }
    if (check.empty()) check.push_back(DLT_EN10MB);
    for (int t : check) {
        std::string message = check_filter(options.filter, t);
        if (!message.empty()) {
            throw CaptureError(name + ": capture filter \"" + options.filter + "\": " + message +
                               (check.size() > 1 ? " (link type " + link_name(t) + ")" : std::string()));
        }
    }
}

CaptureReader::CaptureReader(const std::string& path, ReaderOptions options)
    : options_(std::move(options)), reassembler_(options_.reassembly) {
    auto file = std::make_unique<CaptureFile>(path, options_.stop);
    file_ = file.get();
    inputs_.push_back(Input{});
    inputs_.back().name = file->name();
    inputs_.back().records = std::move(file);
    setup();
}

CaptureReader::CaptureReader(std::vector<ReaderInput> inputs, ReaderOptions options)
    : options_(std::move(options)), reassembler_(options_.reassembly) {
    for (auto& in : inputs) {
        inputs_.push_back(Input{});
        inputs_.back().records = std::move(in.records);
        inputs_.back().name = std::move(in.name);
    }
    setup();
}

void CaptureReader::setup() {
    for (Input& in : inputs_) {
        check(*in.records, in.name, options_);
        const auto& types = in.records->link_types();
        in.dlt = types.empty() ? DLT_EN10MB : types.front();
    }
    if (!options_.filter.empty()) filter_ = std::make_unique<Filter>(options_.filter);
    parse_.tcp = options_.tcp_all || !options_.tcp_ports.empty() || options_.tcp_start != nullptr;
    parse_.max_tunnel_depth = options_.max_tunnel_depth;
    parse_.vxlan_port = options_.vxlan_port;
    if (parse_.tcp) tcp_.emplace(options_.tcp);
    parse_.sctp = options_.sctp;
    if (parse_.sctp) sctp_.emplace(options_.sctp_limits);
}

CaptureReader::~CaptureReader() = default;

std::uint64_t CaptureReader::position() const noexcept {
    std::uint64_t sum = 0;
    for (const Input& in : inputs_) sum += in.records->position();
    return sum;
}

bool CaptureReader::follows(const FrameInfo& info) const {
    if (options_.tcp_all) return true;
    const auto& ports = options_.tcp_ports;
    if (std::find(ports.begin(), ports.end(), info.src_port) != ports.end() ||
        std::find(ports.begin(), ports.end(), info.dst_port) != ports.end()) {
        return true;
    }
    if (options_.tcp_start == nullptr) return false;
    // Another port: followed once a segment's data looked like the start of what is wanted.
    const wire::Endpoint src{info.src, info.src_port};
    const wire::Endpoint dst{info.dst, info.dst_port};
    if (tcp_->follows(src, dst)) return true;
    return !info.tcp_payload.empty() && info.tcp_payload.size() == info.tcp_length &&
           options_.tcp_start(info.tcp_payload);
}

bool CaptureReader::emit_udp(const FrameInfo& info, const Record& record, Datagram& out) {
    CaptureCounters& c = counters_now();
    ++c.udp_datagrams;
    out = Datagram{};
    out.frame = c.frames;
    out.input = static_cast<std::uint32_t>(current_);
    out.time_ns = record.time_ns;
    out.time_digits = record.time_digits;
    out.interface = record.interface;
    out.encapsulations = info.encapsulations;
    out.transport = Transport::udp;
    out.src = {info.src, info.src_port};
    out.dst = {info.dst, info.dst_port};
    out.payload = info.udp_payload;
    out.udp_length = info.udp_length;
    out.truncated = info.udp_payload.size() < info.udp_length;
    if (out.truncated) ++c.truncated_datagrams;
    return true;
}

void CaptureReader::emit_tcp(const TcpChunk& chunk, Datagram& out) {
    Input& in = inputs_[chunk.input];
    ++in.counters.tcp_chunks;
    out = Datagram{};
    out.frame = chunk.frame;
    out.input = chunk.input;
    out.time_ns = chunk.time_ns;
    out.time_digits = in.time_digits;
    out.transport = Transport::tcp;
    out.src = chunk.src;
    out.dst = chunk.dst;
    out.payload = chunk.data;
    out.udp_length = static_cast<std::uint32_t>(chunk.data.size());
    out.connection = chunk.connection;
    out.stream_offset = chunk.offset;
    out.bytes_lost = chunk.bytes_lost;
    out.gap = chunk.gap;
    out.stream_start = chunk.first;
    out.midstream = chunk.midstream;
    out.fin = chunk.fin;
    out.rst = chunk.rst;
}

void CaptureReader::emit_sctp(const SctpMessage& m, Datagram& out) {
    // Counted here, for the input the message is handed out as (as TCP chunks are): with --merge
    // the frame that completes a message may be another input's.
    Input& in = inputs_[m.input];
    ++in.counters.sctp_messages;
    out = Datagram{};
    out.frame = m.frame;
    out.input = m.input;
    out.time_ns = m.time_ns;
    out.time_digits = in.time_digits;
    out.transport = Transport::sctp;
    out.src = m.src;
    out.dst = m.dst;
    out.payload = m.data;
    out.udp_length = static_cast<std::uint32_t>(m.data.size());
    out.connection = m.association;
}

bool CaptureReader::feed_sctp(const FrameInfo& info, const Record& record) {
    SctpPacket p;
    p.frame = counters_now().frames;
    p.input = static_cast<std::uint32_t>(current_);
    p.time_ns = record.time_ns;
    p.src = {info.src, info.src_port};
    p.dst = {info.dst, info.dst_port};
    p.tag = info.sctp_tag;
    p.chunks = info.sctp_chunks;
    const bool ok = sctp_->add(p);
    sync_sctp();
    return ok;
}

void CaptureReader::sync_sctp() noexcept {
    // Messages are counted as they are handed out (emit_sctp), for the input they go out as.
    static constexpr CounterMap<SctpCounters> kSctp[] = {
        {&SctpCounters::associations, &CaptureCounters::sctp_associations},
        {&SctpCounters::duplicates, &CaptureCounters::sctp_duplicates},
        {&SctpCounters::out_of_order, &CaptureCounters::sctp_out_of_order},
        {&SctpCounters::gaps, &CaptureCounters::sctp_gaps},
        {&SctpCounters::messages_skipped, &CaptureCounters::sctp_messages_lost},
        {&SctpCounters::incomplete, &CaptureCounters::sctp_incomplete},
        {&SctpCounters::association_limit, &CaptureCounters::sctp_association_limit},
    };
    add_growth(kSctp, sctp_->counters(), sctp_seen_, counters_now());
}

void CaptureReader::feed_tcp(const FrameInfo& info, const Record& record) {
    TcpSegment s;
    s.frame = counters_now().frames;
    s.input = static_cast<std::uint32_t>(current_);
    s.time_ns = record.time_ns;
    s.src = {info.src, info.src_port};
    s.dst = {info.dst, info.dst_port};
    s.seq = info.tcp_seq;
    s.flags = info.tcp_flags;
    s.payload = info.tcp_payload;
    s.length = info.tcp_length;
    tcp_->add(s);
    sync_tcp();
}

void CaptureReader::sync_tcp() noexcept {
    static constexpr CounterMap<TcpCounters> kTcp[] = {
        {&TcpCounters::connections, &CaptureCounters::tcp_connections},
        {&TcpCounters::out_of_order, &CaptureCounters::tcp_out_of_order},
        {&TcpCounters::retransmitted, &CaptureCounters::tcp_retransmitted},
        {&TcpCounters::gaps, &CaptureCounters::tcp_gaps},
        {&TcpCounters::bytes_lost, &CaptureCounters::tcp_bytes_lost},
        {&TcpCounters::truncated, &CaptureCounters::tcp_truncated},
        {&TcpCounters::connection_limit, &CaptureCounters::tcp_connection_limit},
    };
    add_growth(kTcp, tcp_->counters(), tcp_seen_, counters_now());
}

void CaptureReader::sync_fragments() noexcept {
    CaptureCounters& c = counters_now();
    c.issues[static_cast<std::size_t>(FrameIssue::fragment_dropped)] +=
        reassembler_.dropped_fragments() - dropped_seen_;
    c.fragment_duplicates += reassembler_.duplicates() - duplicates_seen_;
    c.fragment_limit_hits += reassembler_.limit_hits() - limit_hits_seen_;
    dropped_seen_ = reassembler_.dropped_fragments();
    duplicates_seen_ = reassembler_.duplicates();
    limit_hits_seen_ = reassembler_.limit_hits();
}

void CaptureReader::finish() {
    finished_ = true;
    reassembler_.drop_all();
    sync_fragments();
    if (tcp_) {
        tcp_->finish(counters_now().frames, last_time_, static_cast<std::uint32_t>(current_));
        sync_tcp();
    }
    if (sctp_) {
        sctp_->finish();
        sync_sctp();
    }
}

// The earliest record of the inputs (the first input's at equal times), as mergecap picks.
// Only the input read last is read again: the others' records are still waiting, and the
// views of the one handed out last are no longer used once this is called.
bool CaptureReader::next_record(Record& out) {
    std::size_t best = inputs_.size();
    for (std::size_t i = 0; i < inputs_.size(); ++i) {
        Input& in = inputs_[i];
        if (!in.has_pending && !in.done) {
            in.has_pending = in.records->next(in.pending);
            if (!in.has_pending) {
                in.done = true;
                in.error = in.records->error();
            }
        }
        if (in.has_pending && (best == inputs_.size() || in.pending.time_ns < inputs_[best].pending.time_ns)) {
            best = i;
        }
    }
    if (best == inputs_.size()) return false;
    current_ = best;
    inputs_[best].has_pending = false;
    out = inputs_[best].pending;
    return true;
}

bool CaptureReader::next(Datagram& out) {
    for (;;) {
        if (tcp_) {
            TcpChunk chunk;
            if (tcp_->next(chunk)) {
                emit_tcp(chunk, out);
                return true;
            }
        }
        if (sctp_) {
            SctpMessage message;
            if (sctp_->next(message)) {
                emit_sctp(message, out);
                return true;
            }
        }
        if (finished_) return false;
        Record record;
        if (!next_record(record)) {
            finish();
            continue;
        }
        Input& in = inputs_[current_];
        CaptureCounters& c = in.counters;
        ++c.frames;
        if (!record.packet) {  // a pcapng custom block: a frame to tshark, no packet in it
            ++c.not_ip;
            continue;
        }
        last_time_ = record.time_ns;
        const auto& interfaces = in.records->interfaces();
        if (record.interface >= interfaces.size()) {
            ++c.issues[static_cast<std::size_t>(FrameIssue::no_interface)];
            continue;
        }
        const int dlt = interfaces[record.interface].link_type;
        in.time_digits = record.time_digits;
        if (record.data.size() < record.wire_length) ++c.truncated_frames;
        if (filter_ && !filter_->matches(dlt, record)) {
            ++c.filtered;
            continue;
        }
        FrameInfo info = parse_frame(dlt, record.data, parse_);
        // A datagram completed by this fragment may carry more tunnels inside: reassembled
        // payloads are parsed again, each time one layer deeper, so this ends.
        while (info.kind == FrameInfo::Kind::fragment) {
            ++c.fragments;
            auto whole = reassembler_.add(info, record.time_ns);
            sync_fragments();
            if (!whole) break;
            ++c.reassembled;
            parse_reassembled(*whole, info, parse_);
        }
        for (unsigned bits = info.encapsulations; bits != 0; bits &= bits - 1) {
            ++c.encapsulated[static_cast<std::size_t>(std::countr_zero(bits))];
        }
        switch (info.kind) {
        case FrameInfo::Kind::udp: return emit_udp(info, record, out);
        case FrameInfo::Kind::tcp:
            if (tcp_ && follows(info)) {
                ++c.tcp_segments;
                feed_tcp(info, record);
            } else {
                ++c.not_udp;
            }
            continue;
        case FrameInfo::Kind::sctp:
            if (!sctp_) {
                ++c.not_udp;
            } else if (feed_sctp(info, record)) {
                ++c.sctp_packets;
            } else {
                ++c.issues[static_cast<std::size_t>(FrameIssue::sctp_invalid)];
            }
            continue;
        case FrameInfo::Kind::fragment: continue;
        case FrameInfo::Kind::not_ip: ++c.not_ip; continue;
        case FrameInfo::Kind::not_udp: ++c.not_udp; continue;
        case FrameInfo::Kind::issue: ++c.issues[static_cast<std::size_t>(info.issue)]; continue;
        }
    }
}

}  // namespace nfpcap::capture
