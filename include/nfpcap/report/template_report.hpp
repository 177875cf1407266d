// SPDX-License-Identifier: MIT
// `nfpcap templates`: every template per session, where it was defined and redefined.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "nfpcap/pipeline/run.hpp"
#include "nfpcap/report/output.hpp"
#include "nfpcap/report/run_summary.hpp"

namespace nfpcap::report {

/// Collects template definitions as the capture is decoded, by the session the session table
/// put each message in. Definitions are shared with the decoder (templates never change).
///
/// Bounded per template ID, whatever the exporter sends: a layout sent again (a refresh, or a
/// redefinition back to a layout already listed) is a count on its entry, not a copy; at most
/// kMaxKept entries are listed (the first, the one in force, and the latest others), and the
/// ones that had to go are summarized: how many definitions, layouts and records.
class TemplateCollector final : public pipeline::Consumer {
public:
    /// Frames kept per definition (resends past it are counted, not listed).
    static constexpr std::size_t kMaxFrames = 1000;
    /// Entries listed per template ID: the first, the current and 8 distinct others.
    static constexpr std::size_t kMaxKept = 10;

    void on_template(const netflow::MessageContext& context, const netflow::ExportHeader& header,
                     const netflow::Template& t, netflow::TemplateChange change) override;
    void on_record(const netflow::DataRecord& record) override;
    void on_message(const source::Message& message, const session::ProcessResult& result) override;

    void write(Output& out, Format format) const;

private:
    struct Decoded {
        std::uint64_t records = 0;
        std::uint64_t late = 0;
    };
    struct Definition {
        std::uint64_t frame = 0;  // where this layout was first sent (or the first withdrawal)
        netflow::TemplateChange change{};
        std::shared_ptr<const netflow::Template> tmpl;  // the definition; null for withdrawals
        std::uint64_t resends = 0;                      // the same sent again: refreshed, or defined again
        std::uint64_t last_frame = 0;
        std::vector<std::uint64_t> frames;  // the frames that sent it: defined, then resent
        bool after_restart = false;         // defined by the message that showed an exporter restart
        std::uint32_t epoch = 0;            // exporter restarts before it: layouts merge within one only
        Decoded decoded;                    // records decoded with it
    };
    /// What the bound left out of one template ID's list.
    struct Summary {
        std::uint64_t definitions = 0;  // definitions and withdrawals (resends included) not listed
        std::uint64_t withdrawals = 0;  // of those, withdrawals
        std::uint64_t layouts = 0;      // entries with a layout among them
        std::uint64_t first_frame = 0, last_frame = 0;
        Decoded decoded;
    };
    struct IdHistory {
        std::vector<Definition> kept;     // in order of first appearance
        std::size_t current = SIZE_MAX;   // the entry in force (a definition or a withdrawal)
        std::uint64_t current_frame = 0;  // Template::frame of the definition in force
        std::uint32_t epoch = 0;
        Summary summarized;
    };
    struct SessionTemplates {
        std::map<std::uint16_t, IdHistory> by_id;
    };
    void add(IdHistory& history, std::uint32_t session, std::uint16_t id, std::uint64_t frame,
             netflow::TemplateChange change, std::shared_ptr<const netflow::Template> tmpl, bool restarted);
    void evict(IdHistory& history);

    /// Records whose definition was not (yet) the one in force when they came: by session
    /// index, template ID and defining frame (data in the defining message itself, late data).
    std::map<std::tuple<std::uint32_t, std::uint16_t, std::uint64_t>, Decoded> decoded_;
    std::map<session::SessionKey, std::uint32_t> index_;  ///< session index, by key
    std::unordered_map<std::uint32_t, SessionTemplates*> by_index_;
    struct Pending {
        std::uint64_t frame = 0;
        netflow::TemplateChange change{};
        std::uint16_t id = 0;
        std::shared_ptr<const netflow::Template> tmpl;
    };
    std::vector<Pending> pending_;  ///< the current message's template events
    std::map<session::SessionKey, SessionTemplates> sessions_;
    std::vector<session::SessionKey> order_;
};

}  // namespace nfpcap::report
