// SPDX-License-Identifier: MIT
// Options data joined to data records: by session, and within it by the scope or key field
// (sampler / selector ID, interface index, VRF ID) both carry.
#include "nfpcap/analyze/options_state.hpp"

#include <algorithm>

#include "nfpcap/ie/ids.hpp"
#include "nfpcap/netflow/template.hpp"

namespace nfpcap::analyze {

namespace {

namespace iana = ie::iana;

// RFC 3954 §6.1: the v9 options scope type of an interface.
constexpr std::uint16_t kV9ScopeInterface = 2;

struct Field {
    wire::Bytes value;
};

// The first IANA field `id` of a record (v9 scope fields are scope types, not elements).
std::optional<Field> field(const netflow::DataRecord& r, std::uint16_t id) {
    const netflow::Template& t = *r.tmpl;
    for (std::size_t i = 0; i < t.fields.size(); ++i) {
        const netflow::FieldSpec& f = t.fields[i];
        if (f.pen == ie::kPenIana && f.id == id && !(f.scope && t.version == 9)) return Field{r.values[i]};
    }
    return std::nullopt;
}

std::optional<std::uint64_t> number(wire::Bytes v) {
    if (v.empty() || v.size() > 8) return std::nullopt;
    return wire::load_be(v.data(), v.size());
}

std::optional<std::uint64_t> number(const netflow::DataRecord& r, std::uint16_t id) {
    auto f = field(r, id);
    return f ? number(f->value) : std::nullopt;
}

// A string field as text: NUL padding dropped (fixed-length names are padded), bytes as sent.
std::optional<std::string> text(const netflow::DataRecord& r, std::uint16_t id) {
    auto f = field(r, id);
    if (!f) return std::nullopt;
    std::string_view s(reinterpret_cast<const char*>(f->value.data()), f->value.size());
    while (!s.empty() && s.back() == '\0') s.remove_suffix(1);
    return std::string(s);
}

// The interface an options record is about: a v9 interface scope, else ingressInterface or
// egressInterface (scope or option field: Cisco's interface table scopes by system).
std::optional<std::uint64_t> interface_of(const netflow::DataRecord& r) {
    const netflow::Template& t = *r.tmpl;
    if (t.version == 9) {
        for (std::size_t i = 0; i < t.scope_count && i < t.fields.size(); ++i) {
            if (t.fields[i].id == kV9ScopeInterface) return number(r.values[i]);
        }
    }
    if (auto n = number(r, iana::ingressInterface)) return n;
    return number(r, iana::egressInterface);
}

template <typename Map, typename Value>
void put(Map& map, std::uint64_t key, Value&& value) {
    auto it = map.find(key);
    if (it != map.end()) {
        it->second = std::forward<Value>(value);
    } else if (map.size() < OptionsState::kMaxEntries) {
        map.emplace(key, std::forward<Value>(value));
    }
}

std::string_view lookup(const std::map<std::uint64_t, std::string>& map, std::optional<std::uint64_t> key) {
    if (!key) return {};
    auto it = map.find(*key);
    return it == map.end() ? std::string_view{} : std::string_view(it->second);
}

std::optional<wire::IpAddress> address(const netflow::DataRecord& r, std::uint16_t id, std::size_t size) {
    auto f = field(r, id);
    if (!f || f->value.size() != size) return std::nullopt;
    return size == 4 ? wire::IpAddress::v4(f->value.first<4>()) : wire::IpAddress::v6(f->value.first<16>());
}

}  // namespace

SessionOptions* OptionsState::slot(std::uint32_t index) {
    if (index == netflow::kNoSession) {
        if (!no_session_) no_session_.emplace();
        return &*no_session_;
    }
    if (sessions_.size() <= index) sessions_.resize(std::size_t{index} + 1);
    return &sessions_[index];
}

const SessionOptions* OptionsState::session(std::uint32_t index) const noexcept {
    if (index == netflow::kNoSession) return no_session_ ? &*no_session_ : nullptr;
    return index < sessions_.size() ? &sessions_[index] : nullptr;
}

void OptionsState::learn(const netflow::DataRecord& r) {
    if (!r.is_options()) return;
    SessionOptions& s = *slot(r.context->session);
    ++s.options_records;
    const auto id = sampler_id(r);
    if (auto rate = announced_rate(r)) {
        if (id) {
            rate->source = rate->known() ? SamplingSource::sampler : SamplingSource::unknown;
            put(s.samplers, *id, *rate);
        } else {
            rate->source = rate->known() ? SamplingSource::session : SamplingSource::unknown;
            s.sampling = *rate;
        }
    }
    if (id) {
        auto name = text(r, iana::samplerName);
        if (!name) name = text(r, iana::selectorName);
        if (name) put(s.sampler_names, *id, std::move(*name));
    }
    auto if_name = text(r, iana::interfaceName);
    auto if_description = text(r, iana::interfaceDescription);
    if (if_name || if_description) {
        if (auto index = interface_of(r)) {
            if (if_name) put(s.interface_names, *index, std::move(*if_name));
            if (if_description) put(s.interface_descriptions, *index, std::move(*if_description));
        }
    }
    if (auto vrf = text(r, iana::VRFname)) {
        auto vrf_id = number(r, iana::ingressVRFID);
        if (!vrf_id) vrf_id = number(r, iana::egressVRFID);
        if (vrf_id) put(s.vrf_names, *vrf_id, std::move(*vrf));
    }
    // A timeout is a count of seconds: 0 says nothing (some exporters send it for "none").
    auto seconds = [&r](std::uint16_t element) -> std::optional<std::uint32_t> {
        auto n = number(r, element);
        if (!n || *n == 0) return std::nullopt;
        return static_cast<std::uint32_t>(std::min<std::uint64_t>(*n, UINT32_MAX));
    };
    if (auto t = seconds(iana::flowActiveTimeout)) s.active_timeout_s = t;
    if (auto t = seconds(iana::flowIdleTimeout)) s.idle_timeout_s = t;
    if (auto a = address(r, iana::exporterIPv4Address, 4)) s.exporter_ipv4 = a;
    if (auto a = address(r, iana::exporterIPv6Address, 16)) s.exporter_ipv6 = a;
}

std::int64_t OptionsState::split_gap_ns(const netflow::DataRecord& r) const noexcept {
    const SessionOptions* s = session(r.context->session);
    if (s == nullptr) return 0;
    const std::uint32_t seconds = std::max(s->active_timeout_s.value_or(0), s->idle_timeout_s.value_or(0));
    return std::int64_t{seconds} * 1'000'000'000;
}

Sampling OptionsState::sampling_for(const netflow::DataRecord& r) const {
    return sampling_in(r, session(r.context->session));
}

Sampling OptionsState::sampling_in(const netflow::DataRecord& r, const SessionOptions* s) {
    // (Records of templates without a sampling field skip both lookups at once: has_sampling_fields.)
    const auto own = announced_rate(r);
    if (own && own->known()) return *own;
    if (const auto id = sampler_id(r)) {
        if (s != nullptr) {
            auto it = s->samplers.find(*id);
            if (it != s->samplers.end()) return it->second;
        }
        // A sampler nothing described (yet): the session's rate if it announced one; sampler 0
        // is Cisco's "not sampled" when no sampler 0 was described.
        if (s != nullptr && s->sampling) return *s->sampling;
        if (*id != 0) return Sampling{1, SamplingSource::unknown, 0};
    }
    if (auto h = header_rate(*r.header)) return *h;
    if (s != nullptr && s->sampling) return *s->sampling;
    if (own) return *own;  // the record says it was sampled, and nothing says at what rate
    return Sampling{};
}

Sampling OptionsState::resolve(const netflow::DataRecord& r, std::uint64_t count) {
    SessionOptions& s = *slot(r.context->session);  // (a new, empty slot answers as none would)
    const Sampling sampling = sampling_in(r, &s);
    s.records[static_cast<std::size_t>(sampling.source)] += count;
    if (sampling.known()) {
        // Bounded: a new interval only while there is room; one counted before goes on counting.
        auto& by_interval = s.records_by_interval;
        if (by_interval.size() < kMaxEntries) {
            by_interval[sampling.interval] += count;
        } else if (auto it = by_interval.find(sampling.interval); it != by_interval.end()) {
            it->second += count;
        }
    }
    return sampling;
}

JoinedOptions OptionsState::join(const netflow::DataRecord& r) const {
    JoinedOptions j;
    const SessionOptions* s = session(r.context->session);
    j.sampling = sampling_in(r, s);
    if (s == nullptr) return j;
    const auto in = number(r, iana::ingressInterface);
    const auto out = number(r, iana::egressInterface);
    j.ingress_interface_name = lookup(s->interface_names, in);
    j.egress_interface_name = lookup(s->interface_names, out);
    j.ingress_interface_description = lookup(s->interface_descriptions, in);
    j.egress_interface_description = lookup(s->interface_descriptions, out);
    j.ingress_vrf_name = lookup(s->vrf_names, number(r, iana::ingressVRFID));
    j.egress_vrf_name = lookup(s->vrf_names, number(r, iana::egressVRFID));
    j.sampler_name = lookup(s->sampler_names, sampler_id(r));
    j.exporter_address = s->exporter_ipv4 ? s->exporter_ipv4 : s->exporter_ipv6;
    return j;
}

JoinedOptions OptionsState::resolve_join(const netflow::DataRecord& r) {
    // resolve() first: it counts the record and makes its slot, so join's views stay where they
    // are. (join works the sampling out again: --join-options pays for that, resolve stays lean.)
    (void)resolve(r);
    return join(r);
}

}  // namespace nfpcap::analyze
