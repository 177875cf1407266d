// SPDX-License-Identifier: MIT
// A DecodeSink that keeps what it is given, as text, for assertions.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "nfpcap/netflow/decoder.hpp"
#include "nfpcap/report/field_value.hpp"

namespace nfpcap::test {

struct SeenRecord {
    std::uint16_t template_id = 0;
    bool options = false;
    std::uint64_t frame = 0;                                  ///< its message's frame
    bool late = false;                                        ///< decoded after its message (DataRecord::late)
    bool previous_template = false;                           ///< with the template of before a restart
    std::uint64_t template_frame = 0;                         ///< the frame that defined its template
    std::vector<std::pair<std::string, std::string>> fields;  // (name, text value) in order
    std::optional<std::int64_t> start_ns, end_ns;

    /// The first value of `name`, or "<absent>".
    [[nodiscard]] std::string operator[](const std::string& name) const {
        for (const auto& [n, v] : fields) {
            if (n == name) return v;
        }
        return "<absent>";
    }
    [[nodiscard]] std::vector<std::string> all(const std::string& name) const {
        std::vector<std::string> out;
        for (const auto& [n, v] : fields) {
            if (n == name) out.push_back(v);
        }
        return out;
    }
    /// The record as one JSON object's fields (report::append_fields).
    std::string json;
    /// The bytes of each field as decoded (copied), in template order: assertions on values
    /// that do not go through the report printer.
    std::vector<std::pair<std::string, std::vector<std::byte>>> raw_fields;

    /// The bytes of the first field named `name`; nullopt when there is none.
    [[nodiscard]] std::optional<std::vector<std::byte>> raw(const std::string& name) const {
        for (const auto& [n, v] : raw_fields) {
            if (n == name) return v;
        }
        return std::nullopt;
    }
    /// The first field named `name` as a big-endian unsigned integer (1 to 8 bytes, reduced
    /// size included); nullopt when absent or of another length.
    [[nodiscard]] std::optional<std::uint64_t> uint(const std::string& name) const {
        const auto v = raw(name);
        if (!v || v->empty() || v->size() > 8) return std::nullopt;
        return wire::load_be(v->data(), v->size());
    }
};

struct SeenTemplate {
    std::uint16_t id;
    netflow::TemplateChange change;
    std::size_t fields;
};

class CollectingSink final : public netflow::DecodeSink {
public:
    std::vector<SeenRecord> records;
    std::vector<netflow::Issue> issues;
    std::vector<SeenTemplate> templates;

    void on_record(const netflow::DataRecord& r) override {
        SeenRecord seen;
        seen.template_id = r.tmpl->id;
        seen.options = r.is_options();
        seen.frame = r.context->frame;
        seen.late = r.late;
        seen.previous_template = r.previous_template;
        seen.template_frame = r.tmpl->frame;
        seen.start_ns = r.times().start_ns;
        seen.end_ns = r.times().end_ns;
        for (std::size_t i = 0; i < r.tmpl->fields.size(); ++i) {
            report::Buffer b;
            report::append_value(b, r.tmpl->fields[i], r.values[i], r, report::ValueStyle::text);
            seen.fields.emplace_back(r.tmpl->fields[i].name, fmt::to_string(b));
            seen.raw_fields.emplace_back(r.tmpl->fields[i].name,
                                         std::vector<std::byte>(r.values[i].begin(), r.values[i].end()));
        }
        report::Buffer json;
        report::append_fields(json, *r.tmpl, r.values, r, report::ValueStyle::json);
        seen.json = fmt::to_string(json);
        records.push_back(std::move(seen));
    }
    void on_issue(const netflow::MessageContext&, const netflow::Issue& issue) override { issues.push_back(issue); }
    void on_template(const netflow::MessageContext&, const netflow::ExportHeader&, const netflow::Template& t,
                     netflow::TemplateChange change) override {
        templates.push_back({t.id, change, t.fields.size()});
    }

    [[nodiscard]] std::size_t count(netflow::Reason reason) const {
        std::size_t n = 0;
        for (const auto& i : issues) n += i.reason == reason;
        return n;
    }
};

/// Decodes one message with the given state; returns the tally.
inline netflow::MessageTally decode(const std::vector<std::byte>& bytes, netflow::DecoderState& state,
                                    CollectingSink& sink, std::uint64_t frame = 1) {
    netflow::MessageContext ctx;
    ctx.frame = frame;
    return netflow::decode_message(bytes, ctx, state, sink);
}

}  // namespace nfpcap::test
