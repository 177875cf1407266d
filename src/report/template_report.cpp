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
    const std::uint32_t session = r.context->session;
    // Most records are decoded with the definition in force: counted on its entry at once.
    if (auto s = by_index_.find(session); s != by_index_.end()) {
        auto h = s->second->by_id.find(r.tmpl->id);
        if (h != s->second->by_id.end()) {
            IdHistory& history = h->second;
            if (history.current < history.kept.size() && history.kept[history.current].tmpl &&
                history.current_frame == r.tmpl->frame) {
                Decoded& d = history.kept[history.current].decoded;
                ++d.records;
                if (r.late) ++d.late;
                return;
            }
        }
    }
    // Else by the defining frame, resolved when that definition comes (data in its own
    // message) or at the end (late data; a first pass's copy of a definition has its frame).
    Decoded& d = decoded_[{session, r.tmpl->id, r.tmpl->frame}];
    ++d.records;
    if (r.late) ++d.late;
}

void TemplateCollector::evict(IdHistory& history) {
    // The oldest entry that is neither the first nor the one in force.
    std::size_t victim = 1;
    if (victim == history.current) ++victim;
    if (victim >= history.kept.size()) return;
    const Definition& d = history.kept[victim];
    Summary& sum = history.summarized;
    if (sum.definitions == 0 || d.frame < sum.first_frame) sum.first_frame = d.frame;
    sum.last_frame = std::max(sum.last_frame, d.last_frame);
    sum.definitions += 1 + d.resends;
    if (d.tmpl) {
        ++sum.layouts;
    } else {
        sum.withdrawals += 1 + d.resends;
    }
    sum.decoded.records += d.decoded.records;
    sum.decoded.late += d.decoded.late;
    history.kept.erase(history.kept.begin() + static_cast<std::ptrdiff_t>(victim));
    if (history.current != SIZE_MAX && history.current > victim) --history.current;
}

void TemplateCollector::add(IdHistory& history, std::uint32_t session, std::uint16_t id, std::uint64_t frame,
                            netflow::TemplateChange change, std::shared_ptr<const netflow::Template> tmpl,
                            bool restarted) {
    auto sent_again = [&](Definition& d) {
        ++d.resends;
        d.last_frame = frame;
        if (d.frames.size() < kMaxFrames) d.frames.push_back(frame);
    };
    const bool definition = defines(change);
    const bool after_restart = restarted && definition;
    if (after_restart) ++history.epoch;  // a new incarnation of the exporter: its own entries
    if (change == netflow::TemplateChange::refreshed && history.current < history.kept.size() &&
        history.kept[history.current].tmpl) {
        // A resend of the definition in force (ignored withdrawals may sit after it).
        sent_again(history.kept[history.current]);
        return;
    }
    // The same layout (or the same kind of withdrawal) sent before, in this incarnation: a count.
    std::size_t found = SIZE_MAX;
    if (!after_restart) {
        for (std::size_t i = 0; i < history.kept.size() && found == SIZE_MAX; ++i) {
            const Definition& k = history.kept[i];
            if (k.epoch != history.epoch || (k.tmpl != nullptr) != definition) continue;
            const bool same =
                definition ? k.tmpl->kind == tmpl->kind && k.tmpl->definition == tmpl->definition : k.change == change;
            if (same) found = i;
        }
    }
    if (found != SIZE_MAX) {
        sent_again(history.kept[found]);
    } else {
        Definition d;
        d.after_restart = after_restart;
        d.frame = frame;
        d.last_frame = frame;
        d.change = change;
        d.epoch = history.epoch;
        d.tmpl = std::move(tmpl);
        if (d.tmpl) d.frames.push_back(frame);
        history.kept.push_back(std::move(d));
        found = history.kept.size() - 1;
    }
    Definition& entry = history.kept[found];
    if (change == netflow::TemplateChange::withdrawal_ignored) return;  // what is in force stays
    history.current = found;
    history.current_frame = 0;
    if (definition) {
        // Records this definition decoded before its message ended: counted on its entry now.
        const std::uint64_t defined_in = tmpl ? tmpl->frame : entry.tmpl->frame;
        history.current_frame = defined_in;
        if (auto early = decoded_.find({session, id, defined_in}); early != decoded_.end()) {
            entry.decoded.records += early->second.records;
            entry.decoded.late += early->second.late;
            decoded_.erase(early);
        }
    }
    if (history.kept.size() > kMaxKept) evict(history);
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
        by_index_[result.session->index] = &pos->second;  // map nodes never move
    }
    for (Pending& p : pending_) {
        add(pos->second.by_id[p.id], result.session->index, p.id, p.frame, p.change, std::move(p.tmpl), restarted);
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
            // Records not counted on an entry as they came (late data): by their defining frame.
            std::vector<Decoded> extra(history.kept.size());
            Summary summarized = history.summarized;
            for (auto e = decoded_.lower_bound({index, id, 0}); e != decoded_.end(); ++e) {
                const auto& [e_session, e_id, e_frame] = e->first;
                if (e_session != index || e_id != id) break;
                std::size_t at = 0;
                while (at < history.kept.size()) {
                    const Definition& k = history.kept[at];
                    if (k.tmpl && (k.tmpl->frame == e_frame ||
                                   std::find(k.frames.begin(), k.frames.end(), e_frame) != k.frames.end())) {
                        break;
                    }
                    ++at;
                }
                Decoded& to = at < history.kept.size() ? extra[at] : summarized.decoded;
                to.records += e->second.records;
                to.late += e->second.late;
            }
            for (std::size_t entry = 0; entry < history.kept.size(); ++entry) {
                const Definition& d = history.kept[entry];
                Decoded decoded = d.decoded;
                decoded.records += extra[entry].records;
                decoded.late += extra[entry].late;
                const bool in_force = entry == history.current && d.tmpl;
                if (json) {
                    fmt::format_to(it(b),
                                   "{{\"exporter\":\"{}\",\"collector\":\"{}\",\"version\":{},\"domain\":{},"
                                   "\"template\":{},\"event\":\"{}\",\"frame\":{},\"resends\":{},\"last_frame\":{}",
                                   wire::to_string(key.exporter), wire::to_string(key.collector), key.version,
                                   key.domain, id, change_name(d.change), d.frame, d.resends, d.last_frame);
                    if (d.after_restart) b.append(std::string_view(",\"after_restart\":true"));
                    if (in_force) b.append(std::string_view(",\"current\":true"));
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
                if (in_force && history.kept.size() > 1) b.append(std::string_view(", in force at the end"));
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
            if (summarized.definitions == 0) continue;
            if (json) {
                fmt::format_to(it(b),
                               "{{\"exporter\":\"{}\",\"collector\":\"{}\",\"version\":{},\"domain\":{},"
                               "\"template\":{},\"event\":\"summarized\",\"definitions\":{},\"withdrawals\":{},"
                               "\"layouts\":{},\"first_frame\":{},\"last_frame\":{},\"records\":{},"
                               "\"late_records\":{}}}\n",
                               wire::to_string(key.exporter), wire::to_string(key.collector), key.version, key.domain,
                               id, summarized.definitions, summarized.withdrawals, summarized.layouts,
                               summarized.first_frame, summarized.last_frame, summarized.decoded.records,
                               summarized.decoded.late);
            } else {
                fmt::format_to(it(b), "  template {}: {} more definitions", id,
                               summarized.definitions - summarized.withdrawals);
                if (summarized.withdrawals) fmt::format_to(it(b), " and {} withdrawals", summarized.withdrawals);
                fmt::format_to(it(b),
                               " ({} layouts, frames {} to {}, {} records) not listed: a template lists its first, "
                               "the one in force and the {} latest other definitions\n",
                               summarized.layouts, summarized.first_frame, summarized.last_frame,
                               summarized.decoded.records, kMaxKept - 2);
            }
        }
        if (!json) b.push_back('\n');
        out.maybe_flush();
    }
    if (!json && order_.empty()) b.append(std::string_view("No templates found.\n"));
    out.flush();
}

}  // namespace nfpcap::report
