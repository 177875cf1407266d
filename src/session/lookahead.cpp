// SPDX-License-Identifier: MIT
// The template history a first pass fills.
#include "nfpcap/session/lookahead.hpp"

#include <algorithm>

namespace nfpcap::session {

void TemplateHistory::add(const SessionKey& key, std::uint64_t message, const netflow::Template& t) {
    if (fields_ + t.fields.size() > max_fields_) {
        ++not_kept_;
        return;
    }
    fields_ += t.fields.size();
    ++definitions_;
    sessions_[key][t.id].push_back({message, t.shared_from_this()});
}

std::shared_ptr<const netflow::Template> TemplateHistory::after(const SessionKey& key, std::uint16_t id,
                                                                std::uint64_t message) {
    auto s = sessions_.find(key);
    if (s == sessions_.end()) return nullptr;
    auto d = s->second.find(id);
    if (d == s->second.end()) return nullptr;
    // Definitions are added in arrival order.
    auto it = std::lower_bound(d->second.begin(), d->second.end(), message,
                               [](const Definition& def, std::uint64_t m) { return def.message < m; });
    return it == d->second.end() ? nullptr : it->tmpl;
}

}  // namespace nfpcap::session
