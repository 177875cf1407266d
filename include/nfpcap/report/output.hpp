// SPDX-License-Identifier: MIT
// Buffered output that survives closed pipes (`| head`), and the formatting helpers every report uses.
#pragma once
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "nfpcap/report/format.hpp"
#include "nfpcap/wire/reader.hpp"

namespace nfpcap::report {

using Buffer = fmt::memory_buffer;

/// Formats into a large buffer and writes it out in big chunks, or, in immediate mode, at the
/// end of each item (a datagram's records), so that a reader sees records as they arrive (a
/// live source, a pipe: tcpdump's -l). Once the reader has gone away (EPIPE), output stops
/// quietly: `closed()` tells the caller to stop producing. Any other write error (a full disk,
/// a closed descriptor) stops it too and is kept in `error()` for the caller to report.
///
/// Writes happen only between records (callers flush after whole records), and a record a
/// write left half done is finished with SIGINT/SIGTERM blocked, so that no signal cuts a line.
class Output {
public:
    /// `name` says what is written in error messages: "standard output" or a file's path.
    explicit Output(std::FILE* file, std::string name = "standard output") : file_(file), name_(std::move(name)) {}
    ~Output() { flush(); }
    Output(const Output&) = delete;
    Output& operator=(const Output&) = delete;

    Buffer& buffer() noexcept { return buffer_; }
    /// Call after each record: writes when the buffer is large.
    void maybe_flush() {
        if (buffer_.size() >= kFlushAt) flush();
    }
    /// Call at the end of each item (a datagram): writes now in immediate mode, else when the
    /// buffer is large.
    void item_done() {
        if (immediate_ || buffer_.size() >= kFlushAt) flush();
    }
    void set_immediate(bool immediate) noexcept { immediate_ = immediate; }
    [[nodiscard]] bool immediate() const noexcept { return immediate_; }
    /// Writes what is buffered (also what went to the FILE* through stdio). After a failure the
    /// buffer is discarded.
    void flush();
    /// True once output stopped: the reader went away, or a write failed.
    [[nodiscard]] bool closed() const noexcept { return closed_; }
    /// The errno of the write that failed (ENOSPC, EBADF, EIO...); 0 when none did, or when the
    /// output only ended because the reader went away (EPIPE: `| head`).
    [[nodiscard]] int error() const noexcept { return error_; }
    [[nodiscard]] const std::string& name() const noexcept { return name_; }

private:
    static constexpr std::size_t kFlushAt = 1 << 16;
    void fail(int error) noexcept;
    std::FILE* file_;
    std::string name_;
    Buffer buffer_;
    int error_ = 0;
    bool closed_ = false;
    bool immediate_ = false;
};

/// Makes room for `n` more bytes at the end of `out` and returns where they start; write
/// there with the put_* functions, then `commit` the end. One capacity check for many writes.
inline char* reserve(Buffer& out, std::size_t n) {
    const std::size_t old = out.size();
    out.resize(old + n);
    return out.data() + old;
}
inline void commit(Buffer& out, const char* end) { out.resize(static_cast<std::size_t>(end - out.data())); }

// Raw writers: each writes at `p` into room the caller reserved and returns the new end.
char* put_uint(char* p, std::uint64_t v) noexcept;                  ///< at most 20 bytes
char* put_iso_time(char* p, std::int64_t ns, int digits) noexcept;  ///< at most 40 bytes
char* put_json_string(char* p, std::string_view s) noexcept;        ///< at most 2 + 6 * size
char* put_hex(char* p, wire::Bytes b) noexcept;                     ///< 2 * size
inline char* put(char* p, std::string_view s) noexcept {
    for (char c : s) *p++ = c;
    return p;
}
/// Copies `n` bytes in 16-byte blocks: source and destination must have 15 bytes of slack.
/// Faster than a memcpy call for the short JSON keys every record repeats.
inline char* put_blocks(char* p, const char* src, std::size_t n) noexcept {
    for (std::size_t i = 0; i < n; i += 16) std::memcpy(p + i, src + i, 16);
    return p + n;
}

/// ISO 8601 UTC with `digits` fractional digits (0, 3, 6 or 9), e.g. 2024-05-01T12:00:00.123Z.
void append_iso_time(Buffer& out, std::int64_t ns, int digits = 3);
/// Like append_iso_time in local time with the UTC offset.
void append_local_time(Buffer& out, std::int64_t ns, int digits = 3);
/// A JSON string literal; bytes that are not valid UTF-8 are escaped as \u00XX.
void append_json_string(Buffer& out, std::string_view s);
/// An RFC 4180 CSV field: as it is, or quoted (quotes doubled) when it holds a comma, a quote
/// or a line break.
void append_csv_field(Buffer& out, std::string_view s);
std::string csv_field(std::string_view s);
void append_hex(Buffer& out, wire::Bytes b);
void append_uint(Buffer& out, std::uint64_t v);
/// `n` spaces (padding a column: no string made for them).
void append_spaces(Buffer& out, std::size_t n);

}  // namespace nfpcap::report
