// SPDX-License-Identifier: MIT
// What a consumer works out once per template (JSON keys, a CSV layout, a flow plan), kept by
// the template's address.
#pragma once
#include <cstddef>
#include <memory>
#include <unordered_map>

#include "nfpcap/netflow/template.hpp"

namespace nfpcap::netflow {

/// One Value per template, made on first use. Each entry holds its template alive, so a later
/// template at the same address is never taken for it. The last template asked is checked first
/// (a data set's records share theirs); the others are one hash lookup away.
template <typename Value>
class TemplateCache {
public:
    static constexpr std::size_t kMaxEntries = 4096;  ///< a redefinition flood clears it, no more

    TemplateCache() = default;
    // A copy keeps the entries, not the pointer to the last one (it points into the original).
    TemplateCache(const TemplateCache& o) : entries_(o.entries_) {}
    TemplateCache& operator=(const TemplateCache& o) {
        if (this != &o) {
            entries_ = o.entries_;
            last_ = nullptr;
            last_value_ = nullptr;
        }
        return *this;
    }
    ~TemplateCache() = default;

    /// The value of `t`, made by `make(t)` the first time.
    template <typename Make>
    const Value& get(const Template& t, Make&& make) {
        if (&t == last_) return *last_value_;
        auto it = entries_.find(&t);
        if (it == entries_.end()) {
            if (entries_.size() >= kMaxEntries) entries_.clear();
            it = entries_.emplace(&t, Entry{t.shared_from_this(), make(t)}).first;
        }
        last_ = &t;
        last_value_ = &it->second.value;
        return *last_value_;
    }

private:
    struct Entry {
        std::shared_ptr<const Template> hold;
        Value value;
    };
    std::unordered_map<const Template*, Entry> entries_;  // (nodes: values stay put)
    const Template* last_ = nullptr;
    const Value* last_value_ = nullptr;
};

}  // namespace nfpcap::netflow
