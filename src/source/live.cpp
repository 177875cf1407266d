// SPDX-License-Identifier: MIT
// --listen addresses and the wall clock of live sources.
#include "nfpcap/source/live.hpp"

#include <charconv>
#include <ctime>
#include <stdexcept>

namespace nfpcap::source {

ListenAddress parse_listen_address(const std::string& text) {
    ListenAddress a;
    std::string port = text;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
            throw std::invalid_argument("\"" + text + "\": expected [IPV6]:PORT");
        }
        a.host = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else if (const auto colon = text.rfind(':'); colon != std::string::npos) {
        if (text.find(':') != colon) throw std::invalid_argument("\"" + text + "\": write IPv6 as [ADDR]:PORT");
        a.host = text.substr(0, colon);
        port = text.substr(colon + 1);
    }
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value > 65535) {
        throw std::invalid_argument("\"" + text + "\": the port must be a number from 0 to 65535");
    }
    a.port = static_cast<std::uint16_t>(value);
    if (a.host.empty() && text.front() == '[') throw std::invalid_argument("\"" + text + "\": empty address");
    return a;
}

std::int64_t wall_clock_ns() noexcept {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace nfpcap::source
