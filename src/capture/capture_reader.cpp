// SPDX-License-Identifier: MIT
// libpcap offline reading: frames in, UDP datagrams out, every frame accounted for.
#include "nfpcap/capture/capture_reader.hpp"

#include <pcap/pcap.h>

#include <sys/stat.h>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>

namespace nfpcap::capture {

namespace {
pcap_t* as_pcap(void* p) { return static_cast<pcap_t*>(p); }
}  // namespace

void CaptureReader::PcapCloser::operator()(void* p) const noexcept { pcap_close(as_pcap(p)); }

CaptureReader::CaptureReader(const std::string& path) : path_(path) {
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    pcap_t* handle = nullptr;
    // libpcap reads through stdio in 4 KiB pieces; a 1 MiB buffer saves most of the syscalls,
    // which are half of a plain read loop's time.
    constexpr std::size_t kReadBuffer = 1 << 20;
    if (path == "-") {
        std::setvbuf(stdin, nullptr, _IOFBF, kReadBuffer);
        handle = pcap_fopen_offline_with_tstamp_precision(stdin, PCAP_TSTAMP_PRECISION_NANO, errbuf);
        path_ = "<stdin>";
    } else {
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0) {
            throw CaptureError(path + ": " + std::strerror(errno));
        }
        if (S_ISDIR(st.st_mode)) throw CaptureError(path + ": is a directory, not a capture file");
        // libpcap would call it a "truncated dump file"; pipes also report size 0, so files only.
        if (S_ISREG(st.st_mode) && st.st_size == 0) {
            throw CaptureError(path + ": empty file, not a pcap or pcapng capture");
        }
        std::FILE* file = std::fopen(path.c_str(), "rb");
        if (file == nullptr) throw CaptureError(path + ": " + std::strerror(errno));
        std::setvbuf(file, nullptr, _IOFBF, kReadBuffer);
        handle = pcap_fopen_offline_with_tstamp_precision(file, PCAP_TSTAMP_PRECISION_NANO, errbuf);
        if (handle == nullptr) std::fclose(file);  // libpcap owns the file only once it opened it
    }
    if (handle == nullptr) {
        std::string why = errbuf;
        if (why.empty()) why = "cannot read capture";
        // libpcap says "unknown file format" for anything that is not pcap/pcapng.
        if (why.find("unknown file format") != std::string::npos) {
            why = "not a pcap or pcapng capture (unknown file format)";
        }
        throw CaptureError(path_ + ": " + why);
    }
    pcap_.reset(handle);
    dlt_ = pcap_datalink(handle);
    nanosecond_ = pcap_get_tstamp_precision(handle) == PCAP_TSTAMP_PRECISION_NANO;
    if (!supported_link(dlt_)) {
        const char* name = pcap_datalink_val_to_name(dlt_);
        throw CaptureError(path_ + ": link type " + (name ? name : std::to_string(dlt_)) +
                           " is not supported (Ethernet, Linux cooked, raw IP and BSD loopback are)");
    }
}

CaptureReader::~CaptureReader() = default;

std::uint64_t CaptureReader::position() const noexcept {
    std::FILE* file = pcap_ ? pcap_file(as_pcap(pcap_.get())) : nullptr;
    const long at = file != nullptr ? std::ftell(file) : -1;
    return at > 0 ? static_cast<std::uint64_t>(at) : 0;
}

bool CaptureReader::emit_udp(const FrameInfo& info, std::int64_t time_ns, Datagram& out) {
    ++counters_.udp_datagrams;
    out.frame = counters_.frames;
    out.time_ns = time_ns;
    out.src = {info.src, info.src_port};
    out.dst = {info.dst, info.dst_port};
    out.payload = info.udp_payload;
    out.udp_length = info.udp_length;
    out.truncated = info.udp_payload.size() < info.udp_length;
    return true;
}

bool CaptureReader::next(Datagram& out) {
    for (;;) {
        pcap_pkthdr* header = nullptr;
        const u_char* data = nullptr;
        int rc = pcap_next_ex(as_pcap(pcap_.get()), &header, &data);
        if (rc == PCAP_ERROR_BREAK) {  // end of file
            reassembler_.drop_all();
            counters_.issues[static_cast<std::size_t>(FrameIssue::fragment_dropped)] = reassembler_.dropped_fragments();
            return false;
        }
        if (rc != 1) {
            error_ = pcap_geterr(as_pcap(pcap_.get()));
            reassembler_.drop_all();
            counters_.issues[static_cast<std::size_t>(FrameIssue::fragment_dropped)] = reassembler_.dropped_fragments();
            return false;
        }
        ++counters_.frames;
        // pcapng timestamps scaled by a hostile if_tsresol can exceed what int64 nanoseconds
        // hold (year 2262): such times saturate instead of overflowing.
        std::int64_t time_ns = 0;
        const auto sub_ns = static_cast<std::int64_t>(header->ts.tv_usec) * (nanosecond_ ? 1 : 1000);
        if (__builtin_mul_overflow(static_cast<std::int64_t>(header->ts.tv_sec), std::int64_t{1'000'000'000},
                                   &time_ns) ||
            __builtin_add_overflow(time_ns, sub_ns, &time_ns)) {
            time_ns = header->ts.tv_sec < 0 ? INT64_MIN : INT64_MAX;
        }
        wire::Bytes frame(reinterpret_cast<const std::byte*>(data), header->caplen);
        FrameInfo info = parse_frame(dlt_, frame);
        switch (info.kind) {
        case FrameInfo::Kind::udp: return emit_udp(info, time_ns, out);
        case FrameInfo::Kind::fragment: {
            ++counters_.fragments;
            auto whole = reassembler_.add(info, time_ns);
            counters_.issues[static_cast<std::size_t>(FrameIssue::fragment_dropped)] = reassembler_.dropped_fragments();
            if (!whole) continue;
            ++counters_.reassembled;
            parse_udp(*whole, info);
            if (info.kind == FrameInfo::Kind::udp) return emit_udp(info, time_ns, out);
            ++counters_.issues[static_cast<std::size_t>(info.issue)];
            continue;
        }
        case FrameInfo::Kind::not_ip: ++counters_.not_ip; continue;
        case FrameInfo::Kind::not_udp: ++counters_.not_udp; continue;
        case FrameInfo::Kind::issue: ++counters_.issues[static_cast<std::size_t>(info.issue)]; continue;
        }
    }
}

}  // namespace nfpcap::capture
