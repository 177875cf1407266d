// SPDX-License-Identifier: MIT
// libFuzzer target: one export datagram per input, decoded with ONE session state kept across
// inputs, so templates from one input decode the data of later ones.
#include <cstddef>
#include <cstdint>

#include "fuzz_sink.hpp"

using namespace nfpcap;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static netflow::DecoderState state = [] {
        netflow::DecoderState s;
        // Small limits so memory stays bounded over millions of inputs (and the limits are hit).
        s.limits.max_templates = 512;
        s.limits.max_stored_fields = 1U << 15U;
        return s;
    }();
    static std::uint64_t frame = 0;
    netflow::MessageContext context;
    context.frame = ++frame;
    context.time_ns = 1'700'000'000'000'000'000;
    fuzz::FormattingSink sink;
    netflow::ExportHeader header;
    wire::Bytes payload(reinterpret_cast<const std::byte*>(data), size);
    (void)netflow::looks_like_export(payload);
    (void)netflow::peek_header(payload);
    auto tally = netflow::decode_message(payload, context, state, sink, &header);
    (void)tally;
    if (state.templates.size() > state.limits.max_templates) __builtin_trap();  // the limit must hold
    return 0;
}
