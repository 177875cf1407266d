// SPDX-License-Identifier: MIT
#include "nfpcap/report/host_names.hpp"

#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace nfpcap::report {

std::string named_text(const analyze::NameMap& names, const wire::IpAddress& address, std::string_view text) {
    auto found = names.find(address);
    if (found == names.end()) return std::string(text);
    return fmt::format("{} ({})", found->second, text);
}

void append_json_name(Buffer& out, const analyze::NameMap& names, const wire::IpAddress& address) {
    auto found = names.find(address);
    if (found == names.end()) {
        out.append(std::string_view("null"));
    } else {
        append_json_string(out, found->second);
    }
}

void append_names_footer(Buffer& out, const analyze::ResolverStats& d) {
    if (d.asked == 0) return;
    fmt::format_to(fmt::appender(out), "Names: {} of {} addresses named by reverse DNS", d.named, d.asked);
    std::vector<std::string> rest;
    if (d.unnamed) rest.push_back(fmt::format("{} without a name", d.unnamed));
    if (d.timed_out) rest.push_back(fmt::format("{} timed out (--dns-timeout)", d.timed_out));
    if (d.skipped) rest.push_back(fmt::format("{} not asked: --dns-budget ran out", d.skipped));
    if (!rest.empty()) fmt::format_to(fmt::appender(out), " ({})", fmt::join(rest, ", "));
    out.append(std::string_view(".\n"));
}

}  // namespace nfpcap::report
