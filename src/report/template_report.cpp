// SPDX-License-Identifier: MIT
// Template listings, text or JSON, grouped by exporter session and template ID.
#include "nfpcap/report/template_report.hpp"

#include <algorithm>
#include <iterator>

namespace nfpcap::report {

namespace {

auto it(Buffer& out) { return fmt::appender(out); }

std::string_view change_name(netflow::TemplateChange c) {
    switch (c) {
    case netflow::TemplateChange::added: return "defined";
    case netflow::TemplateChange::redefined: return "redefined";
    case netflow::TemplateChange::refreshed: return "refreshed";
    case netflow::TemplateChange::withdrawn: return "withdrawn";
    case netflow::TemplateChange::withdrawal_ignored: return "withdrawal_ignored";
    }
    return "?";
}

bool defines(netflow::TemplateChange c) {
    switch (c) {
    case netflow::TemplateChange::added:
    case netflow::TemplateChange::redefined:
    case netflow::TemplateChange::refreshed: return true;
    case netflow::TemplateChange::withdrawn:
    case netflow::TemplateChange::withdrawal_ignored: break;
    }
    return false;
}

}  // namespace

void TemplateCollector::on_template(const netflow::MessageContext& context, const netflow::ExportHeader&,
                                    const netflow::Template& t, netflow::TemplateChange change) {
    Pending p{context.frame, change, t.id, nullptr};
    if (defines(change)) p.tmpl = t.shared_from_this();
    pending_.push_back(std::move(p));
}

void TemplateCollector::on_record(const netflow::DataRecord& r) {
    if (r.tmpl->version != 9 && r.tmpl->version != 10) return;
    // By the defining frame: a record decoded with a first pass's copy of a definition counts
    // for the definition the capture sent in that frame.
    Decoded& d = decoded_[{r.context->session, r.tmpl->id, r.tmpl->frame}];
    ++d.records;
    if (r.late) ++d.late;
}

void TemplateCollector::on_message(const source::Message&, const session::ProcessResult& result) {
    if (result.session == nullptr || pending_.empty()) {
        pending_.clear();
        return;
    }
    const session::SessionKey& key = result.session->key;
    const bool restarted = result.sequence == session::SequenceClass::restart;
    auto [pos, inserted] = sessions_.try_emplace(key);
    if (inserted) {
        order_.push_back(key);
        index_[key] = result.session->index;
    }
    for (Pending& p : pending_) {
        auto& history = pos->second.by_id[p.id];
        if (p.change == netflow::TemplateChange::refreshed) {
            // A resend of the definition in force (ignored withdrawals may sit after it).
            auto last = std::find_if(history.rbegin(), history.rend(), [](const Definition& d) { return d.tmpl; });
            if (last != history.rend()) {
                ++last->resends;
                last->last_frame = p.frame;
                if (last->frames.size() < kMaxFrames) last->frames.push_back(p.frame);
                continue;
            }
        }
        Definition d;
        d.after_restart = restarted && defines(p.change);
        d.frame = p.frame;
        d.last_frame = p.frame;
        d.change = p.change;
        d.tmpl = std::move(p.tmpl);
        if (d.tmpl) d.frames.push_back(p.frame);
        history.push_back(std::move(d));
    }
    pending_.clear();
}

void TemplateCollector::write(Output& out, Format format) const {
    Buffer& b = out.buffer();
    const bool json = format == Format::json;
    for (const auto& key : order_) {
        const auto& st = sessions_.at(key);
        const std::uint32_t index = index_.at(key);
        if (!json) {
            fmt::format_to(it(b), "Session {} -> {}  version {}  domain {}\n", wire::to_string(key.exporter),
                           wire::to_string(key.collector), key.version, key.domain);
        }
        for (const auto& [id, history] : st.by_id) {
            for (const Definition& d : history) {
                Decoded decoded;
                if (d.tmpl) {
                    auto found = decoded_.find({index, id, d.tmpl->frame});
                    if (found != decoded_.end()) decoded = found->second;
                }
                if (json) {
                    fmt::format_to(it(b),
                                   "{{\"exporter\":\"{}\",\"collector\":\"{}\",\"version\":{},\"domain\":{},"
                                   "\"template\":{},\"event\":\"{}\",\"frame\":{},\"resends\":{},\"last_frame\":{}",
                                   wire::to_string(key.exporter), wire::to_string(key.collector), key.version,
                                   key.domain, id, change_name(d.change), d.frame, d.resends, d.last_frame);
                    if (d.after_restart) b.append(std::string_view(",\"after_restart\":true"));
                    if (d.tmpl) {
                        fmt::format_to(it(b), ",\"kind\":\"{}\",\"scope_fields\":{},\"record_length\":{},\"fields\":[",
                                       d.tmpl->kind == netflow::TemplateKind::options ? "options" : "data",
                                       d.tmpl->scope_count, d.tmpl->min_record_length);
                        for (std::size_t i = 0; i < d.tmpl->fields.size(); ++i) {
                            const auto& f = d.tmpl->fields[i];
                            fmt::format_to(it(b), "{}{{\"name\":", i ? "," : "");
                            append_json_string(b, f.name);
                            fmt::format_to(it(b), ",\"id\":{},\"pen\":{},\"length\":{}{}}}", f.id, f.pen,
                                           f.length == netflow::kVariableLength ? std::string("\"variable\"")
                                                                                : std::to_string(f.length),
                                           f.scope ? ",\"scope\":true" : "");
                        }
                        b.append(std::string_view("],\"frames\":["));
                        for (std::size_t i = 0; i < d.frames.size(); ++i) {
                            fmt::format_to(it(b), "{}{}", i ? "," : "", d.frames[i]);
                        }
                        fmt::format_to(it(b), "],\"records\":{},\"late_records\":{}", decoded.records, decoded.late);
                    }
                    b.append(std::string_view("}\n"));
                    continue;
                }
                if (d.change == netflow::TemplateChange::withdrawal_ignored) {
                    fmt::format_to(it(b), "  template {} withdrawal in frame {} ignored (UDP, RFC 7011 8.4)\n", id,
                                   d.frame);
                    continue;
                }
                if (!d.tmpl) {
                    fmt::format_to(it(b), "  template {} withdrawn in frame {}\n", id, d.frame);
                    continue;
                }
                const auto& t = *d.tmpl;
                fmt::format_to(it(b), "  template {} ({}, {} fields, {}{} bytes) {} in frame {}", id,
                               t.kind == netflow::TemplateKind::options ? "options" : "data", t.fields.size(),
                               t.fixed_length ? "" : ">= ", t.min_record_length, change_name(d.change), d.frame);
                if (d.after_restart) b.append(std::string_view(" after an exporter restart"));
                if (d.resends) fmt::format_to(it(b), ", resent {} times until frame {}", d.resends, d.last_frame);
                fmt::format_to(it(b), "; {} records", decoded.records);
                if (decoded.late) fmt::format_to(it(b), " ({} late)", decoded.late);
                b.push_back('\n');
                if (d.resends) {
                    b.append(std::string_view("    frames"));
                    for (std::size_t i = 0; i < d.frames.size(); ++i) {
                        fmt::format_to(it(b), "{}{}", i ? ", " : " ", d.frames[i]);
                    }
                    if (d.resends + 1 > d.frames.size()) fmt::format_to(it(b), ", ... ({} in all)", d.resends + 1);
                    b.push_back('\n');
                }
                for (std::size_t i = 0; i < t.fields.size(); ++i) {
                    const auto& f = t.fields[i];
                    fmt::format_to(
                        it(b), "    {:>3}  {:<36} id {:>5}  pen {:>10}  length {:>8}{}{}\n", i + 1, f.name, f.id, f.pen,
                        f.length == netflow::kVariableLength ? std::string("variable") : std::to_string(f.length),
                        f.scope ? "  scope" : "", f.length_mismatch ? "  (length does not fit type)" : "");
                }
            }
        }
        if (!json) b.push_back('\n');
        out.maybe_flush();
    }
    if (!json && order_.empty()) b.append(std::string_view("No templates found.\n"));
    out.flush();
}

}  // namespace nfpcap::report
