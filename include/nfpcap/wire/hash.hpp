// SPDX-License-Identifier: MIT
// One 64-bit mixing step for the project's hash tables and digests.
#pragma once
#include <cstdint>

namespace nfpcap::wire {

/// The 64-bit finalizer of MurmurHash3: every input bit reaches every output bit.
constexpr std::uint64_t mix64(std::uint64_t x) noexcept {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

}  // namespace nfpcap::wire
