// SPDX-License-Identifier: MIT
// Per-exporter sessions: find export traffic, decode it with its session's templates, count.
#include "nfpcap/session/session_table.hpp"

#include <algorithm>

namespace nfpcap::session {

void Counters::add(const Counters& o) noexcept {
    datagrams += o.datagrams;
    decoded_datagrams += o.decoded_datagrams;
    partial_datagrams += o.partial_datagrams;
    malformed_datagrams += o.malformed_datagrams;
    data_records += o.data_records;
    options_records += o.options_records;
    template_records += o.template_records;
    options_template_records += o.options_template_records;
    template_withdrawals += o.template_withdrawals;
    missing_template_sets += o.missing_template_sets;
    sequence_gaps += o.sequence_gaps;
    sequence_missing += o.sequence_missing;
    for (std::size_t i = 0; i < reasons.size(); ++i) reasons[i] += o.reasons[i];
}

namespace {

// Counts issues by reason for the session, then hands them on.
class CountingSink final : public netflow::DecodeSink {
public:
    CountingSink(Counters& counters, netflow::DecodeSink& next) : counters_(counters), next_(next) {}
    void on_template(const netflow::MessageContext& c, const netflow::ExportHeader& h, const netflow::Template& t,
                     netflow::TemplateChange change) override {
        next_.on_template(c, h, t, change);
    }
    void on_record(const netflow::DataRecord& r) override { next_.on_record(r); }
    void on_issue(const netflow::MessageContext& c, const netflow::Issue& issue) override {
        ++counters_.reasons[static_cast<std::size_t>(issue.reason)];
        next_.on_issue(c, issue);
    }

private:
    Counters& counters_;
    netflow::DecodeSink& next_;
};

}  // namespace

bool SessionTable::selected_port(const capture::Datagram& d) const noexcept {
    if (options_.ports.empty()) return true;
    return std::find(options_.ports.begin(), options_.ports.end(), d.dst.port) != options_.ports.end() ||
           std::find(options_.ports.begin(), options_.ports.end(), d.src.port) != options_.ports.end();
}

Session* SessionTable::find_or_add(const SessionKey& key, const capture::Datagram& d) {
    if (last_ != nullptr && last_->key == key) return last_;
    auto it = index_.find(key);
    Session* s = nullptr;
    if (it != index_.end()) {
        s = it->second;
    } else {
        if (sessions_.size() >= options_.max_sessions) return nullptr;
        s = &sessions_.emplace_back();
        s->key = key;
        s->state.limits = options_.decoder;
        s->first_frame = d.frame;
        s->first_time_ns = d.time_ns;
        index_.emplace(key, s);
    }
    last_ = s;
    return s;
}

void SessionTable::track_sequence(Session& s, const netflow::ExportHeader& h, const netflow::MessageTally& tally) {
    // What the sequence number advances by: flows (v5), packets (v9), data records (IPFIX).
    // Exporters differ on whether options records count, and some (softflowd's IPFIX) send the
    // count after this message instead of before it; any of these readings is in sequence.
    std::uint32_t with_options = 0;
    std::uint32_t data_only = 0;
    switch (h.version) {
    case 5: with_options = data_only = h.count; break;
    case 9: with_options = data_only = 1; break;
    case 10:
        data_only = tally.data_records;
        with_options = tally.data_records + tally.options_records;
        break;
    default: return;  // v1 has no sequence number
    }
    if (s.have_sequence) {
        const std::uint32_t prev = s.last_sequence;
        const bool in_order = h.sequence == prev + s.last_advance_all || h.sequence == prev + s.last_advance_data ||
                              h.sequence == prev + with_options || h.sequence == prev + data_only;
        if (!in_order) {
            ++s.counters.sequence_gaps;
            const std::uint32_t ahead = h.sequence - (prev + s.last_advance_all);
            if (ahead < 0x80000000U) s.counters.sequence_missing += ahead;  // else reordered / restarted
        }
    }
    s.have_sequence = true;
    s.last_sequence = h.sequence;
    s.last_advance_all = with_options;
    s.last_advance_data = data_only;
}

void SessionTable::process(const capture::Datagram& d, netflow::DecodeSink& sink) {
    ++datagrams_;
    const bool known = known_transports_.count({d.src, d.dst}) != 0;
    const bool selected = selected_port(d);
    const bool by_port = !options_.ports.empty() && selected;
    const bool is_export = selected && (by_port || known || (!d.truncated && netflow::looks_like_export(d.payload)));
    if (!is_export) {
        ++not_export_;
        return;
    }
    auto peek = netflow::peek_header(d.payload);
    SessionKey key{d.src, d.dst, peek ? peek->version : std::uint16_t{0}, peek ? peek->domain : 0U};
    Session* s = find_or_add(key, d);
    if (s == nullptr) {
        ++session_limit_;
        return;
    }
    Counters& c = s->counters;
    ++c.datagrams;
    s->last_frame = d.frame;
    s->last_time_ns = d.time_ns;

    if (d.truncated) {
        ++c.malformed_datagrams;
        ++c.reasons[static_cast<std::size_t>(netflow::Reason::capture_truncated)];
        return;
    }
    netflow::MessageContext context{d.frame, d.time_ns, d.src, d.dst};
    CountingSink counting(c, sink);
    netflow::ExportHeader header;
    // The session may keep what it has plus what the other sessions left of the total budget.
    const std::size_t had_fields = s->state.stored_fields;
    const std::size_t left =
        options_.max_template_fields_total - std::min(options_.max_template_fields_total, template_fields_);
    s->state.limits.max_stored_fields = std::min(options_.decoder.max_stored_fields, had_fields + left);
    auto tally = netflow::decode_message(d.payload, context, s->state, counting, &header);
    template_fields_ = template_fields_ - had_fields + s->state.stored_fields;
    if (tally.fatal) {
        ++c.malformed_datagrams;
        ++c.reasons[static_cast<std::size_t>(*tally.fatal)];
        return;
    }
    if (!known) known_transports_.insert({d.src, d.dst});
    c.data_records += tally.data_records;
    c.options_records += tally.options_records;
    c.template_records += tally.templates;
    c.options_template_records += tally.options_templates;
    c.template_withdrawals += tally.withdrawals;
    c.missing_template_sets += tally.missing_template_sets;
    if (tally.first_loss) {
        ++c.partial_datagrams;
    } else {
        ++c.decoded_datagrams;
    }
    track_sequence(*s, header, tally);
}

Totals SessionTable::totals() const {
    Totals t;
    t.datagrams = datagrams_;
    t.not_export_datagrams = not_export_;
    t.session_limit_datagrams = session_limit_;
    for (const Session& s : sessions_) t.counters.add(s.counters);
    return t;
}

}  // namespace nfpcap::session
