// SPDX-License-Identifier: MIT
// pcap / pcapng reading without libpcap: bounded block walk over plain, gzip or zstd bytes.
#include "nfpcap/capture/capture_file.hpp"

#include <atomic>

#include <fcntl.h>
#include <pcap/dlt.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <initializer_list>

#include <fmt/format.h>

namespace nfpcap::capture {

// ---------------------------------------------------------------- byte sources

/// Bytes of the input in order. `read` returns 0 at the end; `error` then tells whether the
/// end was clean ("" ) or why the bytes stopped early (I/O error, corrupt or cut compression).
class CaptureFile::Source {
public:
    virtual ~Source() = default;
    virtual std::size_t read(std::byte* out, std::size_t n) = 0;
    /// Bytes of the file (compressed, when it is) read so far.
    [[nodiscard]] virtual std::uint64_t position() const noexcept = 0;
    [[nodiscard]] const std::string& error() const noexcept { return error_; }

protected:
    std::string error_;
};

namespace {

// 128 KiB a read(2): fewer syscalls stopped paying past 64 KiB, and a buffer this size stays in
// the core's L2 cache, where the kernel's copy lands and the parser reads it (1 MiB was 8-9%
// slower in stats on one 2-core VM, the same on another: bench/README.md, sixth pass).
constexpr std::size_t kReadChunk = 128U << 10U;
constexpr std::size_t kFirstChunk = 64U << 10U;  // small files (and fuzz inputs) never need more

/// A file descriptor, with the bytes already peeked at (the magic) served first.
class FdSource final : public CaptureFile::Source {
public:
    FdSource(int fd, bool owned, const std::atomic<bool>* stop) : fd_(fd), owned_(owned), stop_(stop) {}
    ~FdSource() override {
        if (owned_) ::close(fd_);
    }
    FdSource(const FdSource&) = delete;
    FdSource& operator=(const FdSource&) = delete;

    /// Reads up to `n` bytes ahead without consuming them.
    std::vector<std::byte> peek(std::size_t n) {
        while (peeked_.size() < n) {
            std::byte tmp[16];
            std::size_t got = raw_read(tmp, std::min(sizeof tmp, n - peeked_.size()));
            if (got == 0) break;
            peeked_.insert(peeked_.end(), tmp, tmp + got);
        }
        return peeked_;
    }

    [[nodiscard]] std::uint64_t position() const noexcept override { return read_ - peeked_.size(); }

    std::size_t read(std::byte* out, std::size_t n) override {
        if (!peeked_.empty()) {
            std::size_t k = std::min(n, peeked_.size());
            std::memcpy(out, peeked_.data(), k);
            peeked_.erase(peeked_.begin(), peeked_.begin() + static_cast<std::ptrdiff_t>(k));
            return k;
        }
        return raw_read(out, n);
    }

private:
    std::size_t raw_read(std::byte* out, std::size_t n) {
        for (;;) {
            ssize_t got = ::read(fd_, out, n);
            if (got >= 0) {
                read_ += static_cast<std::uint64_t>(got);
                return static_cast<std::size_t>(got);
            }
            // A signal's stop request ends a read blocked on a quiet pipe; other signals do not.
            if (errno == EINTR && (stop_ == nullptr || !stop_->load(std::memory_order_relaxed))) continue;
            error_ = std::string("read error: ") + std::strerror(errno);
            return 0;
        }
    }

    int fd_;
    bool owned_;
    const std::atomic<bool>* stop_;
    std::vector<std::byte> peeked_;
    std::uint64_t read_ = 0;
};

/// gzip (RFC 1952) members, one after another as gzip and zcat accept them.
class GzipSource final : public CaptureFile::Source {
public:
    explicit GzipSource(std::unique_ptr<FdSource> in) : in_(std::move(in)), input_(256U << 10U) {
        // 15 + 16: a gzip wrapper, the largest window.
        if (inflateInit2(&z_, 15 + 16) != Z_OK) throw CaptureError("zlib initialisation failed");
    }
    ~GzipSource() override { inflateEnd(&z_); }
    [[nodiscard]] std::uint64_t position() const noexcept override { return in_->position(); }
    GzipSource(const GzipSource&) = delete;
    GzipSource& operator=(const GzipSource&) = delete;

    std::size_t read(std::byte* out, std::size_t n) override {
        if (done_) return 0;
        z_.next_out = reinterpret_cast<Bytef*>(out);
        z_.avail_out = static_cast<uInt>(std::min<std::size_t>(n, 1U << 30U));
        while (z_.avail_out > 0) {
            if (z_.avail_in == 0 && !refill()) {
                if (!in_->error().empty()) {
                    error_ = in_->error();
                } else if (in_member_) {
                    error_ = "the gzip data ends early (no end of stream)";
                }
                done_ = true;
                break;
            }
            if (!in_member_) {
                // A new member must start with the gzip magic; anything else is not gzip data.
                if (z_.avail_in < 2 && !refill_keep()) {
                    error_ = "bytes after the gzip data that are not gzip";
                    done_ = true;
                    break;
                }
                if (z_.next_in[0] != 0x1f || z_.next_in[1] != 0x8b) {
                    error_ = "bytes after the gzip data that are not gzip";
                    done_ = true;
                    break;
                }
                inflateReset(&z_);
                in_member_ = true;
            }
            int rc = inflate(&z_, Z_NO_FLUSH);
            if (rc == Z_STREAM_END) {
                in_member_ = false;
                continue;
            }
            if (rc == Z_BUF_ERROR && z_.avail_in == 0) continue;  // needs more input
            if (rc != Z_OK) {
                error_ = fmt::format("gzip data corrupt ({})", z_.msg != nullptr ? z_.msg : "inflate failed");
                done_ = true;
                break;
            }
        }
        return n - z_.avail_out;
    }

private:
    bool refill() {
        std::size_t got = in_->read(input_.data(), input_.size());
        if (got == 0) return false;
        z_.next_in = reinterpret_cast<Bytef*>(input_.data());
        z_.avail_in = static_cast<uInt>(got);
        return true;
    }
    // Keeps the bytes not yet consumed and appends more (a member header split across reads).
    bool refill_keep() {
        std::size_t left = z_.avail_in;
        std::memmove(input_.data(), z_.next_in, left);
        std::size_t got = in_->read(input_.data() + left, input_.size() - left);
        z_.next_in = reinterpret_cast<Bytef*>(input_.data());
        z_.avail_in = static_cast<uInt>(left + got);
        return z_.avail_in >= 2;
    }

    std::unique_ptr<FdSource> in_;
    ByteBuffer input_;
    z_stream z_{};
    bool in_member_ = true;
    bool done_ = false;
};

/// Zstandard frames (RFC 8878), one after another; skippable frames are skipped by libzstd.
class ZstdSource final : public CaptureFile::Source {
public:
    explicit ZstdSource(std::unique_ptr<FdSource> in)
        : in_(std::move(in)), input_(ZSTD_DStreamInSize()), d_(ZSTD_createDCtx()) {
        if (d_ == nullptr) throw CaptureError("zstd initialisation failed");
    }
    ~ZstdSource() override { ZSTD_freeDCtx(d_); }
    [[nodiscard]] std::uint64_t position() const noexcept override { return in_->position(); }
    ZstdSource(const ZstdSource&) = delete;
    ZstdSource& operator=(const ZstdSource&) = delete;

    std::size_t read(std::byte* out, std::size_t n) override {
        if (done_) return 0;
        ZSTD_outBuffer o{out, n, 0};
        while (o.pos < o.size) {
            if (in_buf_.pos == in_buf_.size) {
                std::size_t got = in_->read(input_.data(), input_.size());
                if (got == 0) {
                    if (!in_->error().empty()) {
                        error_ = in_->error();
                    } else if (last_ != 0) {
                        error_ = "the zstd data ends early (frame not complete)";
                    }
                    done_ = true;
                    break;
                }
                in_buf_ = {input_.data(), got, 0};
            }
            last_ = ZSTD_decompressStream(d_, &o, &in_buf_);
            if (ZSTD_isError(last_) != 0) {
                error_ = fmt::format("zstd data corrupt ({})", ZSTD_getErrorName(last_));
                done_ = true;
                break;
            }
        }
        return o.pos;
    }

private:
    std::unique_ptr<FdSource> in_;
    ByteBuffer input_;
    ZSTD_DCtx* d_;
    ZSTD_inBuffer in_buf_{nullptr, 0, 0};
    std::size_t last_ = 1;  // 0 once a frame is complete
    bool done_ = false;
};

// ---------------------------------------------------------------- loads

std::uint16_t load16(const std::byte* p, bool big) noexcept {
    std::uint16_t v;
    std::memcpy(&v, p, 2);
    return big ? __builtin_bswap16(v) : v;  // x86 and arm64 Linux: little-endian hosts
}
std::uint32_t load32(const std::byte* p, bool big) noexcept {
    std::uint32_t v;
    std::memcpy(&v, p, 4);
    return big ? __builtin_bswap32(v) : v;
}
std::uint64_t load64(const std::byte* p, bool big) noexcept {
    std::uint64_t v;
    std::memcpy(&v, p, 8);
    return big ? __builtin_bswap64(v) : v;
}
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the loads above assume a little-endian host");

constexpr std::uint32_t kPcapMicro = 0xa1b2c3d4;
constexpr std::uint32_t kPcapNano = 0xa1b23c4d;
constexpr std::uint32_t kShb = 0x0a0d0d0a;
constexpr std::uint32_t kByteOrderMagic = 0x1a2b3c4d;
constexpr std::size_t kPcapHeader = 24;
constexpr std::size_t kPcapRecordHeader = 16;

enum : std::uint32_t {
    kBlockIdb = 1,
    kBlockObsoletePacket = 2,
    kBlockSimplePacket = 3,
    kBlockEnhancedPacket = 6,
    kBlockSystemdJournal = 9,
    kBlockCustom = 0x00000bad,
    kBlockCustomNoCopy = 0x40000bad,
};

const char* block_name(std::uint32_t type) {
    switch (type) {
    case kShb: return "section header block";
    case kBlockIdb: return "interface description block";
    case kBlockObsoletePacket: return "packet block";
    case kBlockSimplePacket: return "simple packet block";
    case 4: return "name resolution block";
    case 5: return "interface statistics block";
    case kBlockEnhancedPacket: return "enhanced packet block";
    default: return "block";
    }
}

std::int64_t saturate(Uint128 ns) noexcept {
    return ns > static_cast<Uint128>(INT64_MAX) ? INT64_MAX : static_cast<std::int64_t>(ns);
}

}  // namespace

int dlt_from_linktype(std::uint32_t linktype) noexcept {
    // pcap-linktype(7): the LINKTYPE_ values that are not the DLT_ value on Linux.
    switch (linktype) {
    case 100: return DLT_ATM_RFC1483;
    case 101: return DLT_RAW;
    case 102: return DLT_SLIP_BSDOS;
    case 103: return DLT_PPP_BSDOS;
    default: return static_cast<int>(linktype);
    }
}

// ---------------------------------------------------------------- opening

CaptureFile::CaptureFile(const std::string& path, const std::atomic<bool>* stop)
    : name_(path == "-" ? "<stdin>" : path) {
    std::unique_ptr<FdSource> raw;
    if (path == "-") {
        raw = std::make_unique<FdSource>(0, false, stop);
    } else {
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0) throw CaptureError(path + ": " + std::strerror(errno));
        if (S_ISDIR(st.st_mode)) throw CaptureError(path + ": is a directory, not a capture file");
        // Pipes also report size 0, so regular files only.
        if (S_ISREG(st.st_mode) && st.st_size == 0) {
            throw CaptureError(path + ": empty file, not a pcap or pcapng capture");
        }
        int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) throw CaptureError(path + ": " + std::strerror(errno));
        raw = std::make_unique<FdSource>(fd, true, stop);
    }
    auto magic = raw->peek(4);
    auto is = [&](std::initializer_list<unsigned> m) {
        if (magic.size() < m.size()) return false;
        std::size_t i = 0;
        for (unsigned b : m) {
            if (static_cast<unsigned>(magic[i++]) != b) return false;
        }
        return true;
    };
    if (is({0x1f, 0x8b})) {
        compression_ = Compression::gzip;
        source_ = std::make_unique<GzipSource>(std::move(raw));
    } else if (is({0x28, 0xb5, 0x2f, 0xfd})) {
        compression_ = Compression::zstd;
        source_ = std::make_unique<ZstdSource>(std::move(raw));
    } else {
        source_ = std::move(raw);
    }
    const char* inside = compression_ == Compression::gzip   ? " (in gzip-compressed data)"
                         : compression_ == Compression::zstd ? " (in zstd-compressed data)"
                                                             : "";

    std::size_t got = fill(4);
    if (got == 0) {
        if (!source_->error().empty()) {
            throw CaptureError(name_ + ": truncated capture: " + source_->error() + ", before the file header");
        }
        throw CaptureError(name_ + ": empty input, not a pcap or pcapng capture" + inside);
    }
    std::uint32_t m = got >= 4 ? load32(buf_.data() + pos_, false) : 0;
    if (m == kPcapMicro || m == kPcapNano || __builtin_bswap32(m) == kPcapMicro || __builtin_bswap32(m) == kPcapNano) {
        format_ = FileFormat::pcap;
        open_pcap();
    } else if (m == kShb) {
        format_ = FileFormat::pcapng;
        open_pcapng();
    } else {
        if (!source_->error().empty()) throw CaptureError(name_ + ": " + source_->error());
        throw CaptureError(name_ + ": not a pcap or pcapng capture (unknown file format)" + inside);
    }
}

CaptureFile::~CaptureFile() = default;

std::uint64_t CaptureFile::position() const noexcept { return source_ ? source_->position() : 0; }

void ByteBuffer::resize(std::size_t n, std::size_t keep) {
    auto grown = std::make_unique_for_overwrite<std::byte[]>(n);
    if (keep != 0) std::memcpy(grown.get(), data_.get(), std::min(keep, n));
    data_ = std::move(grown);
    size_ = n;
}

std::size_t CaptureFile::fill(std::size_t n) {
    std::size_t have = end_ - pos_;
    if (have >= n || source_done_) return std::min(have, n);
    if (pos_ + n > buf_.size()) {
        // Move what is left to the front. The buffer doubles, up to kReadChunk, each time it has
        // been used up (larger reads for larger files), and grows past that only as far as the
        // data really goes, so a damaged length never allocates more than the input holds.
        if (have != 0) std::memmove(buf_.data(), buf_.data() + pos_, have);
        pos_ = 0;
        end_ = have;
        if (buf_.size() != 0 && buf_.size() < kReadChunk) buf_.resize(buf_.size() * 2, have);
    }
    while (end_ - pos_ < n) {
        if (end_ == buf_.size()) buf_.resize(std::max(kFirstChunk, buf_.size() * 2), end_);
        std::size_t got = source_->read(buf_.data() + end_, buf_.size() - end_);
        if (got == 0) {
            source_done_ = true;
            break;
        }
        end_ += got;
    }
    return std::min(end_ - pos_, n);
}

bool CaptureFile::fail(std::string why) {
    if (error_.empty()) error_ = std::move(why);
    done_ = true;
    return false;
}

std::string CaptureFile::cut_message(std::size_t got, std::size_t want, const char* what) const {
    // The cause of a compressed file's early end (cut or corrupt) goes inside the parentheses.
    return fmt::format("truncated capture: cut mid-{} ({} of the {} bytes of {}{}{})",
                       format_ == FileFormat::pcap ? "record" : "block", got, want, what,
                       source_->error().empty() ? "" : "; ", source_->error());
}

void CaptureFile::add_interface(Interface itf) {
    if (std::find(link_types_.begin(), link_types_.end(), itf.link_type) == link_types_.end()) {
        link_types_.push_back(itf.link_type);
    }
    interfaces_.push_back(std::move(itf));
}

void CaptureFile::open_pcap() {
    std::size_t got = fill(kPcapHeader);
    if (got < kPcapHeader) {
        throw CaptureError(
            fmt::format("{}: truncated capture: cut mid-header ({} of the 24 bytes of the pcap file "
                        "header{}{})",
                        name_, got, source_->error().empty() ? "" : "; ", source_->error()));
    }
    const std::byte* h = buf_.data() + pos_;
    std::uint32_t m = load32(h, false);
    big_endian_ = m == __builtin_bswap32(kPcapMicro) || m == __builtin_bswap32(kPcapNano);
    nanosecond_ = load32(h, big_endian_) == kPcapNano;
    std::uint16_t major = load16(h + 4, big_endian_);
    std::uint16_t minor = load16(h + 6, big_endian_);
    if (major != 2)
        throw CaptureError(fmt::format("{}: pcap version {}.{} is not supported (2.x is)", name_, major, minor));
    Interface itf;
    itf.snaplen = load32(h + 16, big_endian_);
    // The upper bits carry FCS information (pcap draft §4): the link type is the low 16.
    itf.link_type = dlt_from_linktype(load32(h + 20, big_endian_) & 0xffffU);
    itf.time_digits = nanosecond_ ? 9 : 6;
    add_interface(std::move(itf));
    clocks_.push_back({});
    pos_ += kPcapHeader;
}

bool CaptureFile::next(Record& out) {
    if (have_pending_) {
        have_pending_ = false;
        out = pending_;
        ++records_;
        return true;
    }
    if (done_) return false;
    bool ok = format_ == FileFormat::pcap ? next_pcap(out) : next_pcapng(out);
    if (ok) ++records_;
    return ok;
}

bool CaptureFile::next_pcap(Record& out) {
    std::size_t got = fill(kPcapRecordHeader);
    if (got == 0) {
        if (!source_->error().empty()) {
            return fail(fmt::format("truncated capture: {}, after the last whole record", source_->error()));
        }
        done_ = true;
        return false;
    }
    if (got < kPcapRecordHeader) return fail(cut_message(got, kPcapRecordHeader, "a record header"));
    const std::byte* h = buf_.data() + pos_;
    std::uint32_t sec = load32(h, big_endian_);
    std::uint32_t frac = load32(h + 4, big_endian_);
    std::uint32_t caplen = load32(h + 8, big_endian_);
    std::uint32_t len = load32(h + 12, big_endian_);
    if (caplen > kMaxBlock) {
        return fail(
            fmt::format("invalid record: captured length {} is larger than the limit of {} bytes", caplen, kMaxBlock));
    }
    got = fill(kPcapRecordHeader + caplen);
    if (got < kPcapRecordHeader + caplen) {
        return fail(cut_message(got - kPcapRecordHeader, caplen, "a record's captured data"));
    }
    out.data = wire::Bytes(buf_.data() + pos_ + kPcapRecordHeader, caplen);
    out.wire_length = len;
    // Unsigned 32-bit seconds (the pcap draft) and a fraction below 2^32: fits int64 ns.
    out.time_ns =
        static_cast<std::int64_t>(sec) * 1'000'000'000 + static_cast<std::int64_t>(frac) * (nanosecond_ ? 1 : 1000);
    out.interface = 0;
    out.time_digits = interfaces_[0].time_digits;
    pos_ += kPcapRecordHeader + caplen;
    return true;
}

// ---------------------------------------------------------------- pcapng

void CaptureFile::open_pcapng() {
    // The first block must be a section header; then read on to the first packet so that the
    // interfaces before it are known when the reader checks their link types.
    Record first;
    if (next_pcapng(first)) {
        pending_ = first;
        have_pending_ = true;
    }
    if (interfaces_.empty() && !error_.empty() && !have_pending_) {
        throw CaptureError(name_ + ": " + error_);
    }
}

bool CaptureFile::section_header(bool big_endian) {
    big_endian_ = big_endian;
    section_seen_ = true;
    interfaces_.clear();
    clocks_.clear();
    return true;
}

bool CaptureFile::next_pcapng(Record& out) {
    for (;;) {
        std::size_t got = fill(12);
        if (got == 0) {
            if (!source_->error().empty()) {
                return fail(fmt::format("truncated capture: {}, after the last whole block", source_->error()));
            }
            done_ = true;
            return false;
        }
        if (got < 12) return fail(cut_message(got, 12, "a block header"));
        const std::byte* b = buf_.data() + pos_;
        std::uint32_t type = load32(b, big_endian_);
        if (type == kShb) {
            // The byte-order magic tells how to read this block's own length.
            std::uint32_t bom = load32(b + 8, false);
            if (bom != kByteOrderMagic && bom != __builtin_bswap32(kByteOrderMagic)) {
                return fail("invalid pcapng section header: bad byte-order magic");
            }
            section_header(bom != kByteOrderMagic);
        } else if (!section_seen_) {
            return fail("invalid pcapng file: it does not start with a section header");
        }
        std::uint32_t length = load32(b + 4, big_endian_);
        if (length < 12 || length % 4 != 0 || length > kMaxBlock || (type == kShb && length < 28)) {
            return fail(fmt::format("invalid pcapng {} length {}", block_name(type), length));
        }
        got = fill(length);
        if (got < length) return fail(cut_message(got, length, fmt::format("a {}", block_name(type)).c_str()));
        b = buf_.data() + pos_;
        if (load32(b + length - 4, big_endian_) != length) {
            return fail(fmt::format("invalid pcapng {}: the lengths before and after it differ", block_name(type)));
        }
        const std::byte* body = b + 8;
        const std::size_t body_len = length - 12;
        pos_ += length;  // the views below stay valid: fill() runs only on the next call
        const bool big = big_endian_;

        // Options (pcapng §3.5): code, length, value padded to 4; end at code 0 or the body end.
        auto walk_options = [&](std::size_t from, auto&& visit) {
            std::size_t at = from;
            while (at + 4 <= body_len) {
                std::uint16_t code = load16(body + at, big);
                std::uint16_t len = load16(body + at + 2, big);
                if (code == 0) break;
                std::size_t padded = (static_cast<std::size_t>(len) + 3U) & ~std::size_t{3};
                if (at + 4 + len > body_len) break;  // damaged options: keep what was read
                visit(code, wire::Bytes(body + at + 4, len));
                at += 4 + padded;
            }
        };

        switch (type) {
        case kShb: {
            std::uint16_t major = load16(body + 4, big);
            if (major != 1) return fail(fmt::format("pcapng version {} is not supported (1.x is)", major));
            continue;
        }
        case kBlockIdb: {
            if (body_len < 8) return fail("invalid pcapng interface description block: too short");
            if (interfaces_.size() >= kMaxInterfaces) {
                return fail(fmt::format("more than {} interfaces in one pcapng section", kMaxInterfaces));
            }
            Interface itf;
            itf.link_type = dlt_from_linktype(load16(body, big));
            itf.snaplen = load32(body + 4, big);
            Clock clock;
            walk_options(8, [&](std::uint16_t code, wire::Bytes v) {
                if (code == 9 && v.size() == 1) {  // if_tsresol
                    auto r = static_cast<unsigned>(v[0]);
                    unsigned n = r & 0x7fU;
                    if ((r & 0x80U) != 0) {
                        clock.units_per_second = static_cast<Uint128>(1) << std::min(n, 127U);
                        // Fewest decimal digits whose unit is no coarser than 2^-n.
                        unsigned digits = 0;
                        Uint128 p = 1;
                        while (digits < 9 && p < clock.units_per_second) {
                            p *= 10;
                            ++digits;
                        }
                        itf.time_digits = static_cast<std::uint8_t>(digits);
                    } else {
                        // 10^38 is the largest power of ten in 128 bits; finer units than
                        // that make every time of a 64-bit count round to zero anyway.
                        Uint128 u = 1;
                        for (unsigned i = 0; i < std::min(n, 38U); ++i) u *= 10;
                        clock.units_per_second = n > 38 ? 0 : u;
                        itf.time_digits = static_cast<std::uint8_t>(std::min(n, 9U));
                    }
                } else if (code == 14 && v.size() == 8) {  // if_tsoffset, seconds
                    clock.offset_s = static_cast<std::int64_t>(load64(v.data(), big));
                } else if (code == 2) {  // if_name
                    itf.name.assign(reinterpret_cast<const char*>(v.data()), v.size());
                }
            });
            add_interface(std::move(itf));
            clocks_.push_back(clock);
            continue;
        }
        case kBlockEnhancedPacket:
        case kBlockObsoletePacket: {
            const bool epb = type == kBlockEnhancedPacket;
            if (body_len < 20) return fail(fmt::format("invalid pcapng {}: too short", block_name(type)));
            std::uint32_t itf = epb ? load32(body, big) : load16(body, big);
            std::uint64_t ts = (static_cast<std::uint64_t>(load32(body + 4, big)) << 32U) | load32(body + 8, big);
            std::uint32_t caplen = load32(body + 12, big);
            std::uint32_t len = load32(body + 16, big);
            if (caplen > body_len - 20) {
                return fail(fmt::format("invalid pcapng {}: captured length {} is larger than the block",
                                        block_name(type), caplen));
            }
            out.data = wire::Bytes(body + 20, caplen);
            out.wire_length = len;
            out.interface = itf;
            out.packet = true;
            if (itf < interfaces_.size()) {
                const Clock& c = clocks_[itf];
                Uint128 ns =
                    c.units_per_second == 0 ? 0 : static_cast<Uint128>(ts) * 1'000'000'000U / c.units_per_second;
                std::int64_t t = saturate(ns);
                std::int64_t offset_ns = 0;
                if (__builtin_mul_overflow(c.offset_s, std::int64_t{1'000'000'000}, &offset_ns) ||
                    __builtin_add_overflow(t, offset_ns, &t)) {
                    t = c.offset_s < 0 ? INT64_MIN : INT64_MAX;
                }
                out.time_ns = t;
                out.time_digits = interfaces_[itf].time_digits;
            } else {
                out.time_ns = 0;
                out.time_digits = 6;
            }
            return true;
        }
        case kBlockSimplePacket: {
            if (body_len < 4) return fail("invalid pcapng simple packet block: too short");
            std::uint32_t len = load32(body, big);
            std::size_t caplen = std::min<std::size_t>(len, body_len - 4);
            // The simple packet block belongs to interface 0; it has no time (0, as tshark shows).
            if (!interfaces_.empty() && interfaces_[0].snaplen != 0) {
                caplen = std::min<std::size_t>(caplen, interfaces_[0].snaplen);
            }
            out.data = wire::Bytes(body + 4, caplen);
            out.wire_length = len;
            out.interface = 0;
            out.packet = true;
            out.time_ns = 0;
            out.time_digits = interfaces_.empty() ? 6 : interfaces_[0].time_digits;
            // No interface 0: the reader sees interface 0 >= interfaces().size() and counts it.
            return true;
        }
        case kBlockCustom:
        case kBlockCustomNoCopy:
        case kBlockSystemdJournal:
            // No packet, but Wireshark shows each as a frame: count it so frame numbers agree.
            out.data = {};
            out.wire_length = 0;
            out.interface = 0;
            out.time_ns = 0;
            out.time_digits = 6;
            out.packet = false;
            return true;
        default: continue;  // ISB, NRB, DSB and unknown blocks: nothing a frame needs
        }
    }
}

}  // namespace nfpcap::capture
