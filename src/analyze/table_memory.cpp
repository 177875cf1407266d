// SPDX-License-Identifier: MIT
// Memory for large tables: kernel blocks in huge pages, and the supply that makes them ahead.
#include "nfpcap/analyze/table_memory.hpp"

#include <algorithm>
#include <new>

#include <sys/mman.h>

namespace nfpcap::analyze::detail {

PageBlock::PageBlock(std::size_t bytes, bool huge) : size_(bytes) {
    if (bytes == 0) return;
    constexpr std::size_t kHuge = std::size_t{2} << 20;
    const bool align = huge && bytes % kHuge == 0;
    // Aligned: map a huge page more and unmap what is around the aligned part.
    const std::size_t mapped = align ? bytes + kHuge : bytes;
    void* p = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    auto* base = static_cast<std::byte*>(p);
    if (align) {
        const std::size_t head = (kHuge - reinterpret_cast<std::uintptr_t>(base) % kHuge) % kHuge;
        if (head != 0) munmap(base, head);
        munmap(base + head + bytes, kHuge - head);
        base += head;
    }
#ifdef MADV_HUGEPAGE
    if (huge) madvise(base, bytes, MADV_HUGEPAGE);  // advice: without it, small pages
#endif
    data_ = base;
}

void PageBlock::touch() noexcept {
    constexpr std::size_t kPage = 4096;
    auto* bytes = static_cast<volatile std::byte*>(data_);
    for (std::size_t at = 0; at < size_; at += kPage) bytes[at] = std::byte{0};
}

PageBlock::~PageBlock() {
    if (data_ != nullptr) munmap(data_, size_);
}

PageBlock& PageBlock::operator=(PageBlock&& o) noexcept {
    if (this != &o) {
        if (data_ != nullptr) munmap(data_, size_);
        data_ = std::exchange(o.data_, nullptr);
        size_ = std::exchange(o.size_, 0);
    }
    return *this;
}

PageBlock PageSupply::take(std::size_t bytes) {
    {
        const std::lock_guard lock(mutex_);
        auto ready = std::find_if(ready_.begin(), ready_.end(), [&](const PageBlock& b) { return b.size() == bytes; });
        if (ready != ready_.end()) {
            PageBlock block = std::move(*ready);
            ready_.erase(ready);
            return block;
        }
        std::erase(wanted_, bytes);  // made here, now
    }
    return PageBlock(bytes, true);
}

void PageSupply::want(std::size_t bytes) {
    const std::lock_guard lock(mutex_);
    const bool ready = std::any_of(ready_.begin(), ready_.end(), [&](const PageBlock& b) { return b.size() == bytes; });
    if (!ready && std::find(wanted_.begin(), wanted_.end(), bytes) == wanted_.end()) wanted_.push_back(bytes);
}

void PageSupply::prepare() {
    for (;;) {
        std::size_t bytes = 0;
        {
            const std::lock_guard lock(mutex_);
            if (wanted_.empty()) return;
            bytes = wanted_.back();
            wanted_.pop_back();
        }
        PageBlock block(bytes, true);
        block.touch();
        const std::lock_guard lock(mutex_);
        ready_.push_back(std::move(block));
    }
}

std::size_t PageSupply::ready() {
    const std::lock_guard lock(mutex_);
    return ready_.size();
}

}  // namespace nfpcap::analyze::detail
