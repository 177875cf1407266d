// SPDX-License-Identifier: MIT
// The saturating arithmetic of wire/saturating.hpp, by the names the analyzer uses.
#pragma once
#include "nfpcap/wire/saturating.hpp"

namespace nfpcap::analyze {

using wire::clamp_time;
using wire::duration_ns;
using wire::Int128;
using wire::kMaxCounter;
using wire::kMaxTimeNs;
using wire::kMinTimeNs;
using wire::sat_add;
using wire::sat_mul;
using wire::sat_sub;
using wire::seconds_to_ns;
using wire::span_ns;
using wire::UInt128;

}  // namespace nfpcap::analyze
