// SPDX-License-Identifier: MIT
// Names of transports, as stats and JSON print them.
#include "nfpcap/source/message.hpp"

namespace nfpcap::source {

std::string_view name(Transport transport) noexcept {
    switch (transport) {
    case Transport::udp_datagram: return "udp";
    case Transport::tcp_stream: return "tcp";
    case Transport::socket_datagram: return "udp_socket";
    case Transport::socket_stream: return "tcp_socket";
    case Transport::sctp_message: return "sctp";
    case Transport::count_: break;
    }
    return "unknown";
}

}  // namespace nfpcap::source
