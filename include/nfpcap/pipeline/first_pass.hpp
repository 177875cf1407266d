// SPDX-License-Identifier: MIT
// Two-pass runs: the first pass reads the inputs once more, only to learn every template
// definition, so data whose template comes after the late-data buffer filled still decodes.
#pragma once
#include <functional>
#include <memory>

#include "nfpcap/session/lookahead.hpp"
#include "nfpcap/source/source.hpp"

namespace nfpcap::pipeline {

/// A TemplateLookahead that runs the first pass the first time it is asked (most runs never
/// ask: only a full late-data buffer, or data still waiting at the end, does). The first pass
/// decodes the inputs with the same session options as the run, so sessions, restarts and
/// message numbers are the same in both passes.
class FirstPass final : public session::TemplateLookahead {
public:
    using Open = std::function<std::unique_ptr<source::MessageSource>()>;
    /// `open` makes a new source over the same inputs (e.g. a CaptureSource of the same files).
    FirstPass(Open open, session::SessionOptions options) : open_(std::move(open)), options_(std::move(options)) {}

    std::shared_ptr<const netflow::Template> after(const session::SessionKey& key, std::uint16_t id,
                                                   std::uint64_t message) override;

    /// Whether the first pass ran (and how much it learnt).
    [[nodiscard]] bool ran() const noexcept { return ran_; }
    [[nodiscard]] const session::TemplateHistory& history() const noexcept { return history_; }

private:
    void learn();

    Open open_;
    session::SessionOptions options_;
    session::TemplateHistory history_;
    bool ran_ = false;
};

}  // namespace nfpcap::pipeline
