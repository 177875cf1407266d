// SPDX-License-Identifier: MIT
// Per-exporter sessions: find export traffic, decode it with its session's templates, count.
#include "nfpcap/session/session_table.hpp"

#include <algorithm>

#include "nfpcap/netflow/version.hpp"
#include "nfpcap/session/lookahead.hpp"

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
    template_withdrawals_ignored += o.template_withdrawals_ignored;
    missing_template_sets += o.missing_template_sets;
    late_sets += o.late_sets;
    late_data_records += o.late_data_records;
    late_options_records += o.late_options_records;
    previous_template_records += o.previous_template_records;
    sequence_gaps += o.sequence_gaps;
    sequence_missing += o.sequence_missing;
    sequence_duplicates += o.sequence_duplicates;
    sequence_reordered += o.sequence_reordered;
    restarts += o.restarts;
    for (std::size_t i = 0; i < reasons.size(); ++i) reasons[i] += o.reasons[i];
}

// The decoder's sink for one message of one session: counts issues, keeps the data sets whose
// template is unknown, decodes kept sets when their template arrives, and hands on what the
// message holds (a state-only message's own records, templates and issues excepted).
class SessionTable::SessionSink final : public netflow::DecodeSink {
public:
    SessionSink(SessionTable& table, Session& s, netflow::DecodeSink& next, const netflow::MessageContext* own,
                bool state_only)
        : table_(table), s_(s), next_(next), own_(own), state_only_(state_only) {}

    void on_template(const netflow::MessageContext& c, const netflow::ExportHeader& h, const netflow::Template& t,
                     netflow::TemplateChange change) override {
        if (!state_only_) next_.on_template(c, h, t, change);
        switch (change) {
        case netflow::TemplateChange::added:
        case netflow::TemplateChange::redefined:
        case netflow::TemplateChange::refreshed: table_.resolve(s_, t.shared_from_this(), *this); break;
        case netflow::TemplateChange::withdrawn:
        case netflow::TemplateChange::withdrawal_ignored: break;
        }
    }
    void on_record(const netflow::DataRecord& r) override {
        if (state_only_ && r.context == own_) return;
        next_.on_record(r);
    }
    void on_run(const netflow::RecordRun& run) override {
        if (state_only_ && run.shared.context == own_) return;
        next_.on_run(run);
    }
    void on_issue(const netflow::MessageContext& c, const netflow::Issue& issue) override {
        ++s_.counters.reasons[static_cast<std::size_t>(issue.reason)];
        if (state_only_ && &c == own_) return;
        next_.on_issue(c, issue);
    }
    netflow::UnknownSetAction on_unknown_set(const netflow::MessageContext& c, const netflow::ExportHeader& h,
                                             const netflow::UnknownSet& set) override {
        const SessionOptions& o = table_.options_;
        if (o.pending_limit == 0) {
            estimate(set);
            return netflow::UnknownSetAction::missing;  // late decoding is off
        }
        const std::size_t cost = set.body.size() + sizeof(PendingSet) + (pending_ ? 0 : sizeof(PendingMessage));
        const std::size_t per_session =
            o.pending_limit_session == 0 ? o.pending_limit : std::min(o.pending_limit, o.pending_limit_session);
        if (table_.pending_bytes_ + cost <= o.pending_limit && s_.pending_bytes + cost <= per_session) {
            if (!pending_) {
                pending_ = std::make_shared<PendingMessage>();
                pending_->context = c;
                pending_->header = h;
                pending_->message = table_.datagrams_;
            }
            PendingSet& kept = s_.pending[set.set_id].emplace_back();
            kept.message = pending_;
            kept.set_id = set.set_id;
            kept.offset = set.offset;
            kept.view = set.body;
            kept.cost = cost;
            kept.fresh = true;
            ++pending_->waiting;
            s_.pending_bytes += cost;
            table_.pending_bytes_ += cost;
            table_.fresh_.push_back(&kept);
            return netflow::UnknownSetAction::kept;
        }
        // The buffer is full: a first pass knows the definition that comes later (decode it now,
        // in capture order), or that none does (after a restart: the previous incarnation's).
        if (table_.lookahead_ != nullptr) {
            const auto later = table_.lookahead_->after(s_.key, set.set_id, table_.datagrams_);
            const netflow::Template* t = later.get();
            const auto previous = s_.previous.find(set.set_id);
            const bool use_previous = t == nullptr && previous != s_.previous.end();
            if (use_previous) t = previous->second.get();
            if (t != nullptr) {
                const auto tally = netflow::decode_kept_set(set, *t, c, h, s_.state, *this, use_previous);
                table_.count_late(s_, tally, use_previous);
                extra_data += tally.data_records;
                extra_options += tally.options_records;
                return netflow::UnknownSetAction::kept;
            }
        }
        estimate(set);
        return netflow::UnknownSetAction::dropped;
    }

    [[nodiscard]] const std::shared_ptr<PendingMessage>& pending() const noexcept { return pending_; }

    std::uint32_t extra_data = 0;     ///< this message's records decoded at once from a first pass
    std::uint32_t extra_options = 0;  ///< (or counted by set length, see estimate)
    bool size_unknown = false;        ///< some set of it could not be counted

private:
    // A set that is not decoded still counts in the IPFIX sequence: by its length, when a
    // fixed-length definition of its template is known (from before a restart).
    void estimate(const netflow::UnknownSet& set) {
        const auto previous = s_.previous.find(set.set_id);
        if (previous == s_.previous.end() || !previous->second->fixed_length ||
            previous->second->min_record_length == 0) {
            size_unknown = true;
            return;
        }
        const auto records = static_cast<std::uint32_t>(set.body.size() / previous->second->min_record_length);
        (previous->second->kind == netflow::TemplateKind::options ? extra_options : extra_data) += records;
    }

    SessionTable& table_;
    Session& s_;
    netflow::DecodeSink& next_;
    const netflow::MessageContext* own_;
    bool state_only_;
    std::shared_ptr<PendingMessage> pending_;
};

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
    return SessionKey{m.exporter,
                      m.collector,
                      m.stream,
                      peek ? peek->version : std::uint16_t{0},
                      peek ? peek->domain : 0U,
                      m.transport == source::Transport::sctp_message};
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
    // A datagram the capture cut counts when what was captured is the start of an export message.
    return by_port || known || netflow::looks_like_export(m.payload, m.truncated ? m.length : 0);
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
        s->state.honour_withdrawals = source::is_reliable(m.transport);
        s->first_frame = m.frame;
        s->first_time_ns = m.time_ns;
        index_.emplace(key, s);
    }
    last_ = s;
    return s;
}

void SessionTable::copy_sequence_counts(Session& s) const noexcept {
    const SequenceCounts q = s.sequence.counts();
    s.counters.sequence_gaps = q.gaps;
    s.counters.sequence_missing = q.lost;
    s.counters.sequence_duplicates = q.duplicates;
    s.counters.sequence_reordered = q.reordered;
    s.counters.restarts = q.restarts;
}

void SessionTable::count_late(Session& s, const netflow::MessageTally& tally, bool previous) noexcept {
    Counters& c = s.counters;
    ++c.late_sets;
    c.data_records += tally.data_records;
    c.options_records += tally.options_records;
    c.late_data_records += tally.data_records;
    c.late_options_records += tally.options_records;
    if (previous) c.previous_template_records += tally.data_records + tally.options_records;
}

void SessionTable::settle(Session& s, PendingSet& set, const netflow::Template* t, bool previous,
                          netflow::DecodeSink& sink) {
    PendingMessage& pm = *set.message;
    if (t != nullptr) {
        const netflow::UnknownSet kept{set.set_id, set.offset, set.body()};
        const auto tally = netflow::decode_kept_set(kept, *t, pm.context, pm.header, s.state, sink, previous);
        count_late(s, tally, previous);
        pm.late_data += tally.data_records;
        pm.late_options += tally.options_records;
        if (pm.size) {
            pm.size->data_records += tally.data_records;
            pm.size->options_records += tally.options_records;
        }
        if (tally.first_loss && !pm.loss) pm.loss = tally.first_loss;
    } else {
        ++s.counters.missing_template_sets;
        sink.on_issue(pm.context,
                      netflow::Issue{netflow::Reason::missing_template, set.offset, set.set_id, set.set_id});
        if (!pm.loss) pm.loss = netflow::Reason::missing_template;
    }
    if (set.fresh) {
        fresh_.erase(std::remove(fresh_.begin(), fresh_.end(), &set), fresh_.end());
        set.fresh = false;
    }
    set.view = {};
    std::vector<std::byte>().swap(set.bytes);
    s.pending_bytes -= std::min(s.pending_bytes, set.cost);
    pending_bytes_ -= std::min(pending_bytes_, set.cost);
    set.cost = 0;
    if (pm.waiting > 0) --pm.waiting;
    if (pm.loss && pm.counted_decoded) {
        // Its datagram was counted as decoded with nothing lost: no longer true.
        --s.counters.decoded_datagrams;
        ++s.counters.partial_datagrams;
        pm.counted_decoded = false;
    }
    if (pm.waiting == 0 && !pm.loss && pm.size && !pm.size->known) {
        pm.size->known = true;
        s.sequence.resolve(*pm.size);
        copy_sequence_counts(s);
    }
}

void SessionTable::resolve(Session& s, const std::shared_ptr<const netflow::Template>& t, netflow::DecodeSink& sink) {
    auto it = s.pending.find(t->id);
    if (it == s.pending.end()) return;
    std::deque<PendingSet> sets;
    sets.swap(it->second);  // elements keep their addresses (fresh_ points at some)
    s.pending.erase(it);
    for (PendingSet& set : sets) settle(s, set, t.get(), false, sink);
}

namespace {

/// Kept sets in capture order: by message, then by place in the message.
bool capture_order(const PendingSet* a, const PendingSet* b) noexcept {
    return a->message->message != b->message->message ? a->message->message < b->message->message
                                                      : a->offset < b->offset;
}

}  // namespace

void SessionTable::restart(Session& s, netflow::DecodeSink& sink) {
    // The old incarnation's templates stay at hand for data that waits in vain for new ones
    // (bounded like a session's templates).
    for (const auto& [id, t] : s.state.templates) {
        if (s.previous.size() < options_.decoder.max_templates || s.previous.count(id) != 0) s.previous[id] = t;
    }
    template_fields_ -= std::min(template_fields_, s.state.stored_fields);
    s.state.templates.clear();
    s.state.stored_fields = 0;
    s.state.system_init_ms.reset();
    // What waited for a template of the old incarnation will not get one.
    auto pending = std::move(s.pending);
    s.pending.clear();
    std::vector<PendingSet*> sets;
    for (auto& [id, queue] : pending) {
        for (PendingSet& set : queue) sets.push_back(&set);
    }
    std::sort(sets.begin(), sets.end(), capture_order);
    for (PendingSet* set : sets) settle(s, *set, nullptr, false, sink);
}

void SessionTable::finish(netflow::DecodeSink& out) {
    struct Kept {
        Session* session;
        PendingSet* set;
    };
    std::vector<std::map<std::uint16_t, std::deque<PendingSet>>> holders;
    std::vector<Kept> kept;
    for (Session& s : sessions_) {
        if (s.pending.empty()) continue;
        holders.push_back(std::move(s.pending));
        s.pending.clear();
        for (auto& [id, queue] : holders.back()) {
            for (PendingSet& set : queue) kept.push_back({&s, &set});
        }
    }
    std::sort(kept.begin(), kept.end(), [](const Kept& a, const Kept& b) { return capture_order(a.set, b.set); });
    for (const Kept& k : kept) {
        Session& s = *k.session;
        SessionSink sink(*this, s, out, nullptr, false);
        std::shared_ptr<const netflow::Template> later;
        if (lookahead_ != nullptr) later = lookahead_->after(s.key, k.set->set_id, k.set->message->message);
        if (later) {
            settle(s, *k.set, later.get(), false, sink);
            continue;
        }
        const auto previous = s.previous.find(k.set->set_id);
        if (previous != s.previous.end()) {
            settle(s, *k.set, previous->second.get(), true, sink);
        } else {
            settle(s, *k.set, nullptr, false, sink);
        }
    }
}

ProcessResult SessionTable::process(const source::Message& m, netflow::DecodeSink& out) {
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

    netflow::MessageContext context{m.frame, m.time_ns, m.exporter, m.collector, s->index};
    if (m.truncated) context.cut_from = m.length;
    context.input = m.input;
    context.time_digits = m.time_digits;
    SessionSink sink(*this, *s, out, &context, m.state_only);
    // The sequence number first: a restart must be known before the message's templates are.
    // (A rebuilt state-only message is no message of the exporter's.)
    std::optional<SequenceHeader> numbers;
    if (!m.state_only) numbers = read_sequence_header(m.payload, m.time_ns);
    if (numbers) {
        result.sequence = s->sequence.classify(*numbers);
        if (result.sequence == SequenceClass::restart) restart(*s, sink);
    }

    auto reject = [&](netflow::Reason reason) {
        ++c.malformed_datagrams;
        ++c.reasons[static_cast<std::size_t>(reason)];
        result.verdict = Verdict::malformed;
        result.reason = reason;
        copy_sequence_counts(*s);
        return result;
    };
    // The session may keep what it has plus what the other sessions left of the total budget.
    const std::size_t had_fields = s->state.stored_fields;
    const std::size_t left =
        options_.max_template_fields_total - std::min(options_.max_template_fields_total, template_fields_);
    s->state.limits.max_stored_fields = std::min(options_.decoder.max_stored_fields, had_fields + left);
    result.tally = netflow::decode_message(m.payload, context, s->state, sink, &result.header);
    template_fields_ = template_fields_ - had_fields + s->state.stored_fields;
    // What stays kept is copied: views never outlive their datagram.
    for (PendingSet* set : fresh_) {
        set->bytes.assign(set->view.begin(), set->view.end());
        set->view = {};
        set->fresh = false;
    }
    fresh_.clear();
    const netflow::MessageTally& tally = result.tally;
    if (tally.fatal) return reject(*tally.fatal);
    if (!known) known_transports_.insert({m.exporter, m.collector});
    c.data_records += tally.data_records;
    c.options_records += tally.options_records;
    c.template_records += tally.templates;
    c.options_template_records += tally.options_templates;
    c.template_withdrawals += tally.withdrawals;
    c.template_withdrawals_ignored += tally.withdrawals_ignored;
    c.missing_template_sets += tally.missing_template_sets;
    const std::shared_ptr<PendingMessage>& pending = sink.pending();
    result.waiting_sets = pending ? pending->waiting : 0;
    if (tally.first_loss || (pending && pending->loss)) {
        ++c.partial_datagrams;
        result.verdict = Verdict::partial;
        result.reason = tally.first_loss ? tally.first_loss : pending->loss;
    } else {
        ++c.decoded_datagrams;
        result.verdict = Verdict::decoded;
        if (pending) pending->counted_decoded = true;
    }
    if (numbers) {
        // The message's size in records (IPFIX): what it decoded now, at once or late, and what
        // is still kept for templates, known when those come.
        const std::uint32_t data = tally.data_records + sink.extra_data + (pending ? pending->late_data : 0);
        const std::uint32_t options =
            tally.options_records + sink.extra_options + (pending ? pending->late_options : 0);
        std::shared_ptr<SequenceSize> size;
        if (context.cut_from != 0 || sink.size_unknown || (pending && pending->waiting > 0)) {
            size = std::make_shared<SequenceSize>();
            size->sequence = numbers->sequence;
            size->data_records = data;
            size->options_records = options;
            if (context.cut_from == 0 && !sink.size_unknown) pending->size = size;
        }
        s->sequence.account(result.sequence, *numbers, data, options, size);
        copy_sequence_counts(*s);
    }
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
