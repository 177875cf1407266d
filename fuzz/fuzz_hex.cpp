// SPDX-License-Identifier: MIT
// libFuzzer target: hex fixture text (parse_hex, decode_hex) with one long-lived session state.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_sink.hpp"

using namespace nfpcap;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static netflow::DecoderState state = [] {
        netflow::DecoderState s;
        s.limits.max_templates = 512;
        s.limits.max_stored_fields = 1U << 15U;
        return s;
    }();
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto bytes = netflow::parse_hex(text);
    if (bytes && bytes->size() > text.size() / 2) __builtin_trap();  // two digits per byte at least
    netflow::MessageContext context;
    context.frame = 1;
    fuzz::FormattingSink sink;
    (void)netflow::decode_hex(text, context, state, sink);
    return 0;
}
