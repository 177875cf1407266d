// SPDX-License-Identifier: MIT
// Losses in words, from the same counters `stats` prints.
#include "nfpcap/report/losses.hpp"

#include <array>
#include <cstdio>
#include <iterator>

#include <fmt/format.h>

#include "nfpcap/capture/frame.hpp"
#include "nfpcap/netflow/issue.hpp"

namespace nfpcap::report {

namespace {

std::string_view plural(std::uint64_t n, std::string_view one, std::string_view many) { return n == 1 ? one : many; }

// What a reason loses, as the noun its count counts.
std::string_view unit(netflow::Reason r, std::uint64_t n) {
    using netflow::Reason;
    switch (r) {
    case Reason::capture_truncated:
    case Reason::header_truncated:
    case Reason::length_mismatch:
    case Reason::unknown_version: return plural(n, "export datagram not decoded", "export datagrams not decoded");
    case Reason::set_truncated:
    case Reason::set_length_invalid:
    case Reason::reserved_set_id: return plural(n, "set not decoded", "sets not decoded");
    case Reason::template_invalid:
    case Reason::template_limit:
    case Reason::template_too_large: return plural(n, "template not kept", "templates not kept");
    case Reason::missing_template:
    case Reason::pending_limit: return plural(n, "data set not decoded", "data sets not decoded");
    case Reason::record_invalid: return plural(n, "record not decoded", "records not decoded");
    case Reason::field_length_mismatch:
    case Reason::invalid_utf8:
    case Reason::invalid_boolean:
    case Reason::count_mismatch:
    case Reason::trailing_bytes:
    case Reason::list_too_deep:
    case Reason::type_information_invalid:
    case Reason::time_clamped:
    case Reason::time_reversed:
    case Reason::count_: break;  // anomalies: loses_data() is false
    }
    return plural(n, "item not decoded", "items not decoded");
}

}  // namespace

std::vector<Loss> losses(const std::vector<source::InputSummary>& inputs, const session::SessionTable& sessions) {
    std::vector<Loss> out;
    std::array<std::uint64_t, capture::kFrameIssueCount> issues{};
    std::uint64_t stream_bytes = 0;
    for (const auto& input : inputs) {
        for (std::size_t k = 0; k < issues.size(); ++k) issues[k] += input.counters.issues[k];
        if (!input.live) stream_bytes += input.streams.bytes_lost;
    }
    for (std::size_t k = 0; k < issues.size(); ++k) {
        if (issues[k] == 0) continue;
        const auto issue = static_cast<capture::FrameIssue>(k);
        out.push_back({issues[k],
                       fmt::format("{}: {} ({})", plural(issues[k], "frame not read", "frames not read"),
                                   capture::describe(issue), capture::name(issue)),
                       Loss::Stage::capture});
    }
    if (stream_bytes != 0) {
        out.push_back(
            {stream_bytes, "TCP stream bytes lost: missing from the capture, or skipped to find a message header", Loss::Stage::capture});
    }
    const session::Totals totals = sessions.totals();
    if (totals.session_limit_datagrams != 0) {
        out.push_back({totals.session_limit_datagrams,
                       fmt::format("{}: session limit ({} sessions) reached",
                                   plural(totals.session_limit_datagrams, "export datagram not decoded",
                                          "export datagrams not decoded"),
                                   sessions.options().max_sessions),
                       Loss::Stage::session_limit});
    }
    for (std::size_t i = 0; i < netflow::kReasonCount; ++i) {
        const auto r = static_cast<netflow::Reason>(i);
        const std::uint64_t n = totals.counters.reasons[i];
        if (n == 0 || !netflow::loses_data(r)) continue;
        out.push_back({n, fmt::format("{}: {} ({})", unit(r, n), netflow::describe(r), netflow::name(r))});
    }
    return out;
}

void append_losses(Buffer& out, const std::vector<Loss>& losses, std::string_view prefix, std::string_view end) {
    for (const Loss& l : losses) fmt::format_to(std::back_inserter(out), "{}{} {}{}", prefix, l.count, l.what, end);
}

void append_loss_footer(Buffer& out, const std::vector<Loss>& losses, std::string_view stats_hint) {
    if (losses.empty()) return;
    append_losses(out, losses, "", ".\n");
    if (!stats_hint.empty()) fmt::format_to(std::back_inserter(out), "`{}` says more.\n", stats_hint);
}

void print_losses(const std::vector<Loss>& losses) {
    Buffer b;
    append_losses(b, losses, "nfpcap: ", "\n");
    std::fwrite(b.data(), 1, b.size(), stderr);
}

}  // namespace nfpcap::report
