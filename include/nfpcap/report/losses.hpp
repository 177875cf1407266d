// SPDX-License-Identifier: MIT
// What a run lost, in words: every loss `stats` counts, as the other commands name it.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "nfpcap/report/output.hpp"
#include "nfpcap/session/session_table.hpp"
#include "nfpcap/source/source.hpp"

namespace nfpcap::report {

/// One kind of loss: `count` things, and what became of them ("export datagrams not decoded:
/// session limit (20000 sessions) reached").
struct Loss {
    std::uint64_t count = 0;
    std::string what;
    /// Where it was counted: the capture stage (frames, stream bytes), the session table (past
    /// its limit) or the decoder (a netflow::Reason).
    enum class Stage : std::uint8_t { capture, session_limit, decoder } stage = Stage::decoder;
};

/// Every loss the run counted, in the order `stats` lists them: frames the capture stage could
/// not read, TCP stream bytes skipped (files; a live input says so as it ends), datagrams past
/// the session limit, then each data-losing reason (netflow::loses_data) with its count.
/// Empty when nothing was lost. Anomalies (data decoded with a remark) are not losses.
[[nodiscard]] std::vector<Loss> losses(const std::vector<source::InputSummary>& inputs,
                                       const session::SessionTable& sessions);

/// One line per loss, each `prefix` + "COUNT WHAT" + `end` ("nfpcap: " and "\n" on stderr,
/// "" and ".\n" in a footer).
void append_losses(Buffer& out, const std::vector<Loss>& losses, std::string_view prefix, std::string_view end);

/// The losses as the last lines of a text table's footer, then "`STATS_HINT` says more." (none
/// when nothing was lost).
void append_loss_footer(Buffer& out, const std::vector<Loss>& losses, std::string_view stats_hint);

/// The losses on stderr, one "nfpcap: COUNT WHAT" line each (`flows`, `decode`).
void print_losses(const std::vector<Loss>& losses);

}  // namespace nfpcap::report
