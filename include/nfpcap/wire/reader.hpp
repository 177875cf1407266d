// SPDX-License-Identifier: MIT
// Bounds-checked big-endian reader over a byte span: the one way the decoders touch packet bytes.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace nfpcap::wire {

using Bytes = std::span<const std::byte>;

/// Loads `width` (1..8) big-endian bytes as an unsigned integer (RFC 7011 §6.2 reduced size).
/// The caller guarantees `width` bytes are readable.
[[nodiscard]] inline std::uint16_t load_be16(const std::byte* p) noexcept {
    return static_cast<std::uint16_t>((static_cast<unsigned>(p[0]) << 8U) | static_cast<unsigned>(p[1]));
}

[[nodiscard]] inline std::uint32_t load_be32(const std::byte* p) noexcept {
    std::uint32_t v;
    std::memcpy(&v, p, sizeof v);
    return __builtin_bswap32(v);
}

[[nodiscard]] inline std::uint64_t load_be64(const std::byte* p) noexcept {
    std::uint64_t v;
    std::memcpy(&v, p, sizeof v);
    return __builtin_bswap64(v);
}

[[nodiscard]] inline std::uint64_t load_be(const std::byte* p, std::size_t width) noexcept {
    // The widths elements are sent in take one load (a byte at a time is a chain of shifts).
    switch (width) {
    case 2: return load_be16(p);
    case 4: return load_be32(p);
    case 8: return load_be64(p);
    default: break;
    }
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < width; ++i) {
        v = (v << 8U) | static_cast<std::uint8_t>(p[i]);
    }
    return v;
}

/// Sequential reader. Failure is sticky: read a whole header, then check `failed()` once.
/// Reads past the end return zero / empty views and set the failure flag.
class Reader {
public:
    Reader() noexcept = default;
    explicit Reader(Bytes data) noexcept : data_(data) {}

    [[nodiscard]] std::uint8_t u8() noexcept {
        if (!ensure(1)) return 0;
        return static_cast<std::uint8_t>(data_[pos_++]);
    }
    [[nodiscard]] std::uint16_t be16() noexcept {
        if (!ensure(2)) return 0;
        auto v = load_be16(data_.data() + pos_);
        pos_ += 2;
        return v;
    }
    [[nodiscard]] std::uint32_t be32() noexcept {
        if (!ensure(4)) return 0;
        auto v = load_be32(data_.data() + pos_);
        pos_ += 4;
        return v;
    }
    [[nodiscard]] std::uint64_t be64() noexcept {
        if (!ensure(8)) return 0;
        auto v = load_be64(data_.data() + pos_);
        pos_ += 8;
        return v;
    }
    /// Unsigned integer of 1..8 bytes.
    [[nodiscard]] std::uint64_t be_uint(std::size_t width) noexcept {
        if (width == 0 || width > 8 || !ensure(width)) {
            failed_ = true;
            return 0;
        }
        auto v = load_be(data_.data() + pos_, width);
        pos_ += width;
        return v;
    }
    /// A view of the next `n` bytes; the reader moves past them.
    [[nodiscard]] Bytes bytes(std::size_t n) noexcept {
        if (!ensure(n)) return {};
        Bytes v = data_.subspan(pos_, n);
        pos_ += n;
        return v;
    }
    /// A child reader limited to the next `n` bytes; this reader skips all of them.
    [[nodiscard]] Reader sub(std::size_t n) noexcept { return Reader(bytes(n)); }

    void skip(std::size_t n) noexcept { (void)bytes(n); }

    [[nodiscard]] std::size_t remaining() const noexcept { return data_.size() - pos_; }
    [[nodiscard]] std::size_t offset() const noexcept { return pos_; }
    [[nodiscard]] bool empty() const noexcept { return pos_ >= data_.size(); }
    [[nodiscard]] bool failed() const noexcept { return failed_; }
    [[nodiscard]] Bytes rest() const noexcept { return data_.subspan(pos_); }
    [[nodiscard]] Bytes whole() const noexcept { return data_; }

private:
    bool ensure(std::size_t n) noexcept {
        if (failed_ || n > data_.size() - pos_) {
            failed_ = true;
            return false;
        }
        return true;
    }

    Bytes data_{};
    std::size_t pos_ = 0;
    bool failed_ = false;
};

}  // namespace nfpcap::wire
