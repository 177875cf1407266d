// SPDX-License-Identifier: MIT
// pcap_loop: the bare libpcap read loop, the physical limit for any tool that reads a
// capture through libpcap. Reads every packet with pcap_next_ex and does nothing else
// than count packets and sum their captured lengths (printed, so the loop does work).
//
// It reads through a 1 MiB stdio buffer, as nfpcap's CaptureReader does: libpcap's default
// 4 KiB reads are syscall-bound, and the loop must stay the fastest way to read the file.
//
//   usage: pcap_loop FILE
#include <pcap/pcap.h>

#include <cinttypes>
#include <cstdint>
#include <cstdio>

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: pcap_loop FILE\n");
        return 2;
    }
    char errbuf[PCAP_ERRBUF_SIZE];
    std::FILE* file = std::fopen(argv[1], "rb");
    if (file == nullptr) {
        std::perror(argv[1]);
        return 1;
    }
    std::setvbuf(file, nullptr, _IOFBF, 1 << 20);
    pcap_t* p = pcap_fopen_offline(file, errbuf);
    if (p == nullptr) {
        std::fprintf(stderr, "pcap_loop: %s\n", errbuf);
        return 1;
    }
    std::uint64_t packets = 0;
    std::uint64_t bytes = 0;
    pcap_pkthdr* header = nullptr;
    const u_char* data = nullptr;
    int rc = 0;
    while ((rc = pcap_next_ex(p, &header, &data)) == 1) {
        ++packets;
        bytes += header->caplen;
    }
    if (rc == PCAP_ERROR) {
        std::fprintf(stderr, "pcap_loop: %s\n", pcap_geterr(p));
        pcap_close(p);
        return 1;
    }
    pcap_close(p);
    std::printf("packets %" PRIu64 " caplen_bytes %" PRIu64 "\n", packets, bytes);
    return 0;
}
