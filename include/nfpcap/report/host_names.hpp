// SPDX-License-Identifier: MIT
// Host names in reports (connections, top): how a named address is printed, and the footer
// line saying what reverse DNS did. One place, so every command names hosts alike.
#pragma once
#include <string>
#include <string_view>

#include "nfpcap/analyze/hosts_file.hpp"
#include "nfpcap/analyze/resolver.hpp"
#include "nfpcap/report/output.hpp"

namespace nfpcap::report {

/// `name (text)` when `address` has a name, else `text` (the address as the report writes it,
/// perhaps with a port or brackets).
std::string named_text(const analyze::NameMap& names, const wire::IpAddress& address, std::string_view text);

/// The address's name as a JSON string, or null.
void append_json_name(Buffer& out, const analyze::NameMap& names, const wire::IpAddress& address);

/// "Names: 3 of 5 addresses named by reverse DNS (1 without a name, 1 timed out (--dns-timeout))."
/// and a newline; nothing when DNS was asked nothing.
void append_names_footer(Buffer& out, const analyze::ResolverStats& dns);

}  // namespace nfpcap::report
