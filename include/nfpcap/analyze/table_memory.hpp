// SPDX-License-Identifier: MIT
// The memory a large table lives in (the connection table's entries and index): blocks straight
// from the kernel, made ahead on another thread, chunked vectors and index slots over them.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <type_traits>
#include <utility>
#include <vector>

namespace nfpcap::analyze::detail {

/// Memory straight from the kernel: zero-filled when first touched (no memset over what is
/// written anyway), in transparent huge pages where the system offers them on request
/// (madvise), which spares the many small page faults and TLB misses of a large table.
/// Sizes that are a multiple of 2 MiB are placed on a 2 MiB boundary.
class PageBlock {
public:
    PageBlock() = default;
    /// `huge`: ask for transparent huge pages (for blocks that will be filled).
    PageBlock(std::size_t bytes, bool huge);
    ~PageBlock();
    PageBlock(PageBlock&& o) noexcept : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)) {}
    PageBlock& operator=(PageBlock&& o) noexcept;
    PageBlock(const PageBlock&) = delete;
    PageBlock& operator=(const PageBlock&) = delete;
    [[nodiscard]] void* data() const noexcept { return data_; }
    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    /// Writes to each page, so that the kernel backs (and zeroes) them now.
    void touch() noexcept;

private:
    void* data_ = nullptr;
    std::size_t size_ = 0;
};

/// Huge blocks made and first touched ahead of need, on another thread: a fresh page costs
/// its first touch (the kernel zeroes it; a virtual machine's host may only back it then), a
/// third of filling a table of millions of connections. The table asks for the blocks it will
/// take next; a thread with time to spare (the one decoding for it) makes them.
class PageSupply {
public:
    /// The table's thread: a block of `bytes` in huge pages, the one made ahead if there is.
    PageBlock take(std::size_t bytes);
    /// The table's thread: a block of `bytes` will be taken (once per size until taken).
    void want(std::size_t bytes);
    /// Any thread: makes and touches the blocks asked for.
    void prepare();
    /// Blocks made ahead and not taken yet.
    [[nodiscard]] std::size_t ready();

private:
    std::mutex mutex_;
    std::vector<std::size_t> wanted_;
    std::vector<PageBlock> ready_;
};

/// A vector in fixed chunks: growing it never copies what is there (a doubling vector of 5 M
/// entries would hold the old and the new block at once), and it costs one allocation per
/// chunk, not per element. Chunks are PageBlocks (for trivially copyable elements only).
template <typename T, std::size_t kChunkBits = 14>
class ChunkedVector {
    static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

public:
    static constexpr std::size_t kChunk = std::size_t{1} << kChunkBits;

    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
    T& operator[](std::size_t i) noexcept { return chunk(i >> kChunkBits)[i & (kChunk - 1)]; }
    const T& operator[](std::size_t i) const noexcept { return chunk(i >> kChunkBits)[i & (kChunk - 1)]; }
    static constexpr std::size_t kChunkBytes = kChunk * sizeof(T);
    /// The next push_back makes a chunk, unless one is added first.
    [[nodiscard]] bool full() const noexcept { return (size_ >> kChunkBits) == chunks_.size(); }
    /// A chunk made elsewhere (kChunkBytes of them), for when full.
    void add_chunk(PageBlock chunk) { chunks_.push_back(std::move(chunk)); }
    T& push_back(const T& value) {
        // The first chunk in small pages: a small table stays small.
        if (full()) chunks_.emplace_back(kChunkBytes, !chunks_.empty());
        T* slot = &(*this)[size_++];
        std::memcpy(static_cast<void*>(slot), &value, sizeof(T));
        return *slot;
    }
    void clear() noexcept {
        chunks_.clear();
        size_ = 0;
    }

private:
    [[nodiscard]] T* chunk(std::size_t c) const noexcept { return static_cast<T*>(chunks_[c].data()); }
    std::vector<PageBlock> chunks_;
    std::size_t size_ = 0;
};

/// The slots of an open-addressing index: a power of two of them, zero (empty) until written.
class Slots {
public:
    Slots() = default;
    explicit Slots(std::size_t n) : Slots(n, PageBlock(bytes(n), bytes(n) >= kHugeFrom)) {}
    /// In `block` (of bytes(n), zero).
    Slots(std::size_t n, PageBlock block) : block_(std::move(block)), size_(n) {}
    static constexpr std::size_t bytes(std::size_t n) noexcept { return n * sizeof(std::uint64_t); }
    static constexpr std::size_t kHugeFrom = std::size_t{2} << 20;  ///< blocks this large in huge pages
    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
    std::uint64_t& operator[](std::size_t i) noexcept { return static_cast<std::uint64_t*>(block_.data())[i]; }
    std::uint64_t operator[](std::size_t i) const noexcept { return data()[i]; }
    [[nodiscard]] const std::uint64_t* data() const noexcept {
        return static_cast<const std::uint64_t*>(block_.data());
    }

private:
    PageBlock block_;
    std::size_t size_ = 0;
};

}  // namespace nfpcap::analyze::detail
