// SPDX-License-Identifier: MIT
// `nfpcap templates`: every template per session, where it was defined and redefined.
#pragma once
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "nfpcap/pipeline/run.hpp"
#include "nfpcap/report/output.hpp"
#include "nfpcap/report/run_summary.hpp"

namespace nfpcap::report {

/// Collects template definitions as the capture is decoded, by the session the session table
/// put each message in. Definitions are shared with the decoder (templates never change).
class TemplateCollector final : public pipeline::Consumer {
public:
    /// Frames kept per definition (resends past it are counted, not listed).
    static constexpr std::size_t kMaxFrames = 1000;

    void on_template(const netflow::MessageContext& context, const netflow::ExportHeader& header,
                     const netflow::Template& t, netflow::TemplateChange change) override;
    void on_record(const netflow::DataRecord& record) override;
    void on_message(const source::Message& message, const session::ProcessResult& result) override;

    void write(Output& out, Format format) const;

private:
    struct Definition {
        std::uint64_t frame = 0;
        netflow::TemplateChange change{};
        std::shared_ptr<const netflow::Template> tmpl;  // copy of the definition
        std::uint64_t resends = 0;                      // identical definitions after it
        std::uint64_t last_frame = 0;
        std::vector<std::uint64_t> frames;  // the frames that sent it: defined, then resent
        bool after_restart = false;         // defined by the message that showed an exporter restart
    };
    /// Records each definition decoded (by session index, template ID, defining frame).
    struct Decoded {
        std::uint64_t records = 0;
        std::uint64_t late = 0;
    };
    std::map<std::tuple<std::uint32_t, std::uint16_t, std::uint64_t>, Decoded> decoded_;
    std::map<session::SessionKey, std::uint32_t> index_;  ///< session index, by key
    struct SessionTemplates {
        std::map<std::uint16_t, std::vector<Definition>> by_id;
    };
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
