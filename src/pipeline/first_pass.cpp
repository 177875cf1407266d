// SPDX-License-Identifier: MIT
// The first pass: the run loop over the same inputs with a consumer that only notes templates.
#include "nfpcap/pipeline/first_pass.hpp"

#include <vector>

#include "nfpcap/pipeline/run.hpp"

namespace nfpcap::pipeline {

namespace {

// Notes each definition and redefinition with its session and message number.
class TemplateLearner final : public Consumer {
public:
    TemplateLearner(const session::SessionTable& table, session::TemplateHistory& history)
        : table_(table), history_(history) {}

    void on_template(const netflow::MessageContext&, const netflow::ExportHeader&, const netflow::Template& t,
                     netflow::TemplateChange change) override {
        switch (change) {
        case netflow::TemplateChange::added:
        case netflow::TemplateChange::redefined: seen_.push_back(t.shared_from_this()); break;
        case netflow::TemplateChange::refreshed:
        case netflow::TemplateChange::withdrawn:
        case netflow::TemplateChange::withdrawal_ignored: break;
        }
    }
    void on_message(const source::Message&, const session::ProcessResult& result) override {
        if (result.session != nullptr) {
            for (const auto& t : seen_) history_.add(result.session->key, table_.messages(), *t);
        }
        seen_.clear();
    }

private:
    const session::SessionTable& table_;
    session::TemplateHistory& history_;
    std::vector<std::shared_ptr<const netflow::Template>> seen_;
};

}  // namespace

void FirstPass::learn() {
    ran_ = true;
    std::unique_ptr<source::MessageSource> source = open_();
    if (!source) return;
    session::SessionTable table(options_);
    TemplateLearner learner(table, history_);
    (void)run(*source, table, learner);
}

std::shared_ptr<const netflow::Template> FirstPass::after(const session::SessionKey& key, std::uint16_t id,
                                                          std::uint64_t message) {
    if (!ran_) learn();
    return history_.after(key, id, message);
}

}  // namespace nfpcap::pipeline
