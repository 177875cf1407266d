// SPDX-License-Identifier: MIT
// pcap and pcapng records read by nfpcap itself (no libpcap), from plain, gzip or zstd input.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "nfpcap/wire/reader.hpp"

namespace nfpcap::capture {

__extension__ typedef unsigned __int128 Uint128;  // g++ and clang; -Wpedantic otherwise objects

/// Opening failed: the message names the file and the cause.
class CaptureError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// One capturing interface: the only one of a pcap file, or an IDB of a pcapng section.
struct Interface {
    int link_type = 0;             ///< libpcap DLT_ value (LINKTYPE_RAW 101 is given as DLT_RAW)
    std::uint32_t snaplen = 0;     ///< 0: not limited
    std::uint8_t time_digits = 6;  ///< fractional digits of its times (6 µs, 9 ns; see Record)
    std::string name;              ///< pcapng if_name, "" when absent
};

/// One captured frame. `data` is a view into the reader's buffer, valid until the next call.
struct Record {
    wire::Bytes data;
    std::uint32_t wire_length = 0;  ///< original length on the wire (>= data.size() unless the file lies)
    std::int64_t time_ns = 0;       ///< Unix epoch nanoseconds, saturated at the int64 ends
    std::uint32_t interface = 0;    ///< index into interfaces() of the current section
    /// Decimal digits after the second that the time really has: 6 for microsecond pcap and
    /// pcapng without if_tsresol, 9 for nanosecond ones, n for if_tsresol 10^-n (at most 9),
    /// the fewest digits as fine as 2^-n for binary resolutions (at most 9).
    std::uint8_t time_digits = 6;
    /// false for the pcapng blocks that tshark numbers as frames although they hold no packet
    /// (custom blocks, systemd journal entries): counted so that frame numbers stay tshark's.
    bool packet = true;
};

/// Where a capture reader's frames come from: a capture file (CaptureFile) or a live capture
/// (source::InterfaceSource's libpcap handles). Records come in capture order; each names its
/// interface in `interfaces()`, which gives its link type.
class RecordSource {
public:
    virtual ~RecordSource() = default;
    /// The next record; false at the end, when stopped, or on damage (then `error()` says why).
    /// `out.data` stays valid until the next call.
    virtual bool next(Record& out) = 0;
    /// The interfaces records name now (a pcapng section's; a pcap file's one; a live handle each).
    [[nodiscard]] virtual const std::vector<Interface>& interfaces() const noexcept = 0;
    /// Every link type shown so far, in order of first appearance.
    [[nodiscard]] virtual const std::vector<int>& link_types() const noexcept = 0;
    [[nodiscard]] virtual const std::string& error() const noexcept = 0;
    /// Bytes read so far, for a progress line (0 when it cannot tell).
    [[nodiscard]] virtual std::uint64_t position() const noexcept { return 0; }
};

/// Bytes that are not zeroed when allocated or grown: a vector's would be, for every file opened
/// (which dominated the time of small inputs).
class ByteBuffer {
public:
    explicit ByteBuffer(std::size_t n = 0)
        : data_(n != 0 ? std::make_unique_for_overwrite<std::byte[]>(n) : nullptr), size_(n) {}
    [[nodiscard]] std::byte* data() noexcept { return data_.get(); }
    [[nodiscard]] const std::byte* data() const noexcept { return data_.get(); }
    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    /// Grows (or shrinks) to `n` bytes keeping the first `keep`.
    void resize(std::size_t n, std::size_t keep);

private:
    std::unique_ptr<std::byte[]> data_;
    std::size_t size_;
};

enum class Compression : std::uint8_t { none, gzip, zstd };
enum class FileFormat : std::uint8_t { pcap, pcapng };

/// Reads pcap (micro- and nanosecond magics, both byte orders) and pcapng (SHB, IDB, EPB, SPB,
/// obsolete PB; ISB, NRB, DSB and unknown blocks skipped, custom blocks numbered as tshark does; both byte orders;
/// several sections; per-interface link type, snap length, if_tsresol and if_tsoffset). Input compressed with gzip or
/// zstd (told by its magic bytes) is decompressed as it is read. Every length is checked before use and blocks are
/// bounded (16 MiB): damaged input ends the read with `error()`.
class CaptureFile final : public RecordSource {
public:
    /// Opens a file; "-" reads standard input. Reads the file header (and for pcapng, the
    /// blocks up to the first packet). Throws CaptureError naming `display_name`'s file. A read
    /// interrupted by a signal (EINTR) while `*stop` is set ends the input (the error says so).
    explicit CaptureFile(const std::string& path, const std::atomic<bool>* stop = nullptr);
    ~CaptureFile() override;
    CaptureFile(const CaptureFile&) = delete;
    CaptureFile& operator=(const CaptureFile&) = delete;

    /// The next packet record; false at the end or when the input is damaged (then `error()`
    /// says why, e.g. "truncated capture: cut mid-record (...)").
    bool next(Record& out) override;

    [[nodiscard]] const std::string& error() const noexcept override { return error_; }
    /// "<stdin>" for "-", else the path as given.
    [[nodiscard]] const std::string& name() const noexcept { return name_; }
    /// Interfaces of the current section (pcap: exactly one).
    [[nodiscard]] const std::vector<Interface>& interfaces() const noexcept override { return interfaces_; }
    /// Every link type the file has shown so far, in order of first appearance.
    [[nodiscard]] const std::vector<int>& link_types() const noexcept override { return link_types_; }
    [[nodiscard]] FileFormat format() const noexcept { return format_; }
    [[nodiscard]] Compression compression() const noexcept { return compression_; }
    /// Bytes of the file read so far (compressed bytes, when it is), for a progress line.
    [[nodiscard]] std::uint64_t position() const noexcept override;

    /// The largest block or record accepted (bytes); larger lengths are damage.
    static constexpr std::size_t kMaxBlock = 16U << 20U;
    /// Interfaces a pcapng section may describe.
    static constexpr std::size_t kMaxInterfaces = 1U << 16U;

    class Source;  // bytes of the file, decompressed

private:
    std::size_t fill(std::size_t n);
    bool fail(std::string why);
    std::string cut_message(std::size_t got, std::size_t want, const char* what) const;
    void open_pcap();
    void open_pcapng();
    bool next_pcap(Record& out);
    bool next_pcapng(Record& out);
    bool section_header(bool big_endian);
    void add_interface(Interface itf);

    std::string name_;
    std::unique_ptr<Source> source_;
    ByteBuffer buf_;
    std::size_t pos_ = 0, end_ = 0;
    bool source_done_ = false;
    bool section_seen_ = false;

    FileFormat format_ = FileFormat::pcap;
    Compression compression_ = Compression::none;
    bool big_endian_ = false;
    bool nanosecond_ = false;  // pcap
    std::vector<Interface> interfaces_;
    // pcapng time units per second and offset (seconds) of each interface of the section
    struct Clock {
        Uint128 units_per_second = 1'000'000;
        std::int64_t offset_s = 0;
    };
    std::vector<Clock> clocks_;
    std::vector<int> link_types_;
    bool have_pending_ = false;  // pcapng: the first packet, read while opening
    Record pending_;
    bool done_ = false;
    std::uint64_t records_ = 0;
    std::string error_;
};

/// LINKTYPE_ value of a file -> libpcap DLT_ value (they differ for a few old types).
int dlt_from_linktype(std::uint32_t linktype) noexcept;

}  // namespace nfpcap::capture
