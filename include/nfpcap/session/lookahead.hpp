// SPDX-License-Identifier: MIT
// Templates known ahead of time: what a first pass over seekable inputs learns, so that data
// whose template comes later can be decoded when the late-data buffer is full, or at the end.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <unordered_map>
#include <vector>

#include "nfpcap/netflow/template.hpp"
#include "nfpcap/session/session_table.hpp"

namespace nfpcap::session {

/// Answers which definition of a template a session sends next. Message numbers are the
/// SessionTable's (SessionTable::messages() as the message was processed), the same in both
/// passes over the same inputs.
class TemplateLookahead {
public:
    virtual ~TemplateLookahead() = default;
    /// The first definition of template `id` in session `key` that arrives in message number
    /// `message` or later; null when none does.
    virtual std::shared_ptr<const netflow::Template> after(const SessionKey& key, std::uint16_t id,
                                                           std::uint64_t message) = 0;
};

/// Every definition (and redefinition) of every template of a run, per session, in arrival
/// order; bounded by `max_fields` (definitions past it are not kept, and counted).
class TemplateHistory final : public TemplateLookahead {
public:
    explicit TemplateHistory(std::size_t max_fields = std::size_t{1} << 22U) : max_fields_(max_fields) {}

    /// A template defined or redefined in message number `message` (identical resends are not
    /// new definitions).
    void add(const SessionKey& key, std::uint64_t message, const netflow::Template& t);

    std::shared_ptr<const netflow::Template> after(const SessionKey& key, std::uint16_t id,
                                                   std::uint64_t message) override;

    [[nodiscard]] std::size_t definitions() const noexcept { return definitions_; }
    [[nodiscard]] std::size_t not_kept() const noexcept { return not_kept_; }

private:
    struct Definition {
        std::uint64_t message = 0;
        std::shared_ptr<const netflow::Template> tmpl;
    };
    std::map<SessionKey, std::unordered_map<std::uint16_t, std::vector<Definition>>> sessions_;
    std::size_t max_fields_;
    std::size_t fields_ = 0;
    std::size_t definitions_ = 0;
    std::size_t not_kept_ = 0;
};

}  // namespace nfpcap::session
