// SPDX-License-Identifier: MIT
// Per-exporter sessions: find export traffic, decode it with its session's templates, count.
#include "nfpcap/session/session_table.hpp"

#include <algorithm>

#include "nfpcap/netflow/version.hpp"

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

std::string_view name(Verdict verdict) noexcept {
    switch (verdict) {
    case Verdict::not_export: return "not_export";
    case Verdict::session_limit: return "session_limit";
    case Verdict::malformed: return "malformed";
    case Verdict::partial: return "partial";
    case Verdict::decoded: return "decoded";
    case Verdict::count_: break;
    }
    return "unknown";
}

SessionKey SessionKey::of(const source::Message& m) noexcept {
    const auto peek = netflow::peek_header(m.payload);
    return SessionKey{m.exporter, m.collector, m.stream, peek ? peek->version : std::uint16_t{0},
                      peek ? peek->domain : 0U};
}

bool SessionTable::selected_port(const source::Message& m) const noexcept {
    if (options_.ports.empty()) return true;
    return std::find(options_.ports.begin(), options_.ports.end(), m.collector.port) != options_.ports.end() ||
           std::find(options_.ports.begin(), options_.ports.end(), m.exporter.port) != options_.ports.end();
}

bool SessionTable::is_export(const source::Message& m, bool known) const noexcept {
    if (options_.all_export) return true;
    if (!selected_port(m)) return false;
    const bool by_port = !options_.ports.empty();
    return by_port || known || (!m.truncated && netflow::looks_like_export(m.payload));
}

Session* SessionTable::find_or_add(const SessionKey& key, const source::Message& m) {
    if (last_ != nullptr && last_->key == key) return last_;
    auto it = index_.find(key);
    Session* s = nullptr;
    if (it != index_.end()) {
        s = it->second;
    } else {
        if (sessions_.size() >= options_.max_sessions) return nullptr;
        s = &sessions_.emplace_back();
        s->key = key;
        s->index = static_cast<std::uint32_t>(sessions_.size() - 1);
        s->transport = m.transport;
        s->state.limits = options_.decoder;
        s->first_frame = m.frame;
        s->first_time_ns = m.time_ns;
        index_.emplace(key, s);
    }
    last_ = s;
    return s;
}

void SessionTable::track_sequence(Session& s, const netflow::ExportHeader& h, const netflow::MessageTally& tally) {
    // What the sequence number advances by: flows (v5), packets (v9), data records (IPFIX).
    // Exporters differ on whether options records count, and some (softflowd's IPFIX) send the
    // count after this message instead of before it; any of these readings is in sequence.
    const netflow::VersionInfo* info = netflow::version_info(h.version);
    if (info == nullptr) return;
    std::uint32_t with_options = 0;
    std::uint32_t data_only = 0;
    switch (info->sequence) {
    case netflow::SequenceUnit::flows: with_options = data_only = h.count; break;
    case netflow::SequenceUnit::export_packets: with_options = data_only = 1; break;
    case netflow::SequenceUnit::data_records:
        data_only = tally.data_records;
        with_options = tally.data_records + tally.options_records;
        break;
    case netflow::SequenceUnit::none:
    case netflow::SequenceUnit::count_: return;  // v1 has no sequence number
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

ProcessResult SessionTable::process(const source::Message& m, netflow::DecodeSink& sink) {
    ProcessResult result;
    ++datagrams_;
    const bool known = known_transports_.count({m.exporter, m.collector}) != 0;
    if (!is_export(m, known)) {
        ++not_export_;
        return result;
    }
    Session* s = find_or_add(SessionKey::of(m), m);
    if (s == nullptr) {
        ++session_limit_;
        result.verdict = Verdict::session_limit;
        return result;
    }
    result.session = s;
    Counters& c = s->counters;
    ++c.datagrams;
    s->last_frame = m.frame;
    s->last_time_ns = m.time_ns;

    auto reject = [&](netflow::Reason reason) {
        ++c.malformed_datagrams;
        ++c.reasons[static_cast<std::size_t>(reason)];
        result.verdict = Verdict::malformed;
        result.reason = reason;
        return result;
    };
    if (m.truncated) return reject(netflow::Reason::capture_truncated);
    const netflow::MessageContext context{m.frame, m.time_ns, m.exporter, m.collector, s->index, m.time_digits};
    CountingSink counting(c, sink);
    // The session may keep what it has plus what the other sessions left of the total budget.
    const std::size_t had_fields = s->state.stored_fields;
    const std::size_t left =
        options_.max_template_fields_total - std::min(options_.max_template_fields_total, template_fields_);
    s->state.limits.max_stored_fields = std::min(options_.decoder.max_stored_fields, had_fields + left);
    result.tally = netflow::decode_message(m.payload, context, s->state, counting, &result.header);
    template_fields_ = template_fields_ - had_fields + s->state.stored_fields;
    const netflow::MessageTally& tally = result.tally;
    if (tally.fatal) return reject(*tally.fatal);
    if (!known) known_transports_.insert({m.exporter, m.collector});
    c.data_records += tally.data_records;
    c.options_records += tally.options_records;
    c.template_records += tally.templates;
    c.options_template_records += tally.options_templates;
    c.template_withdrawals += tally.withdrawals;
    c.missing_template_sets += tally.missing_template_sets;
    if (tally.first_loss) {
        ++c.partial_datagrams;
        result.verdict = Verdict::partial;
        result.reason = tally.first_loss;
    } else {
        ++c.decoded_datagrams;
        result.verdict = Verdict::decoded;
    }
    track_sequence(*s, result.header, tally);
    return result;
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
