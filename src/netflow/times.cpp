// SPDX-License-Identifier: MIT
// Absolute flow start/end from whichever time fields a record carries.
#include <array>
#include <cstdint>
#include <vector>

#include "nfpcap/netflow/decoder.hpp"
#include "nfpcap/netflow/record.hpp"
#include "nfpcap/wire/saturating.hpp"

namespace nfpcap::netflow {

namespace {

constexpr std::int64_t kNsPerMs = 1'000'000;
constexpr std::int64_t kNsPerUs = 1'000;
constexpr std::int64_t kNsPerSec = 1'000'000'000;
// Seconds between the NTP era 0 epoch (1900) and the Unix epoch (1970).
constexpr std::int64_t kNtpToUnixSeconds = 2'208'988'800;
// Seconds of one NTP era (the 32-bit seconds field wraps on 2036-02-07).
constexpr std::int64_t kNtpEraSeconds = 4'294'967'296;

using wire::Int128;

// The precedence of the encodings of each part of a flow's time: the first one a record
// carries is read (plan_times keeps those its template has, in this order).
constexpr std::array kStartRoles{TimeRole::start_milliseconds, TimeRole::start_seconds,  TimeRole::start_microseconds,
                                 TimeRole::start_nanoseconds,  TimeRole::start_delta_us, TimeRole::start_sysuptime};
constexpr std::array kEndRoles{TimeRole::end_milliseconds, TimeRole::end_seconds,  TimeRole::end_microseconds,
                               TimeRole::end_nanoseconds,  TimeRole::end_delta_us, TimeRole::end_sysuptime};
constexpr std::array kDurationRoles{TimeRole::duration_ms, TimeRole::duration_us};
// Event records (NSEL, PSAMP packet reports) carry when they were observed instead; a
// mediator's re-export at least when it was collected.
constexpr std::array kObservedRoles{TimeRole::observation_milliseconds, TimeRole::observation_seconds,
                                    TimeRole::observation_microseconds, TimeRole::observation_nanoseconds,
                                    TimeRole::collection_milliseconds};

template <std::size_t N>
TimeChain chain_of(const Template& t, const std::array<TimeRole, N>& roles) noexcept {
    static_assert(N <= TimeChain::kMaxRoles);
    TimeChain chain;
    for (TimeRole role : roles) {
        const auto idx = t.time_field[static_cast<std::size_t>(role)];
        if (idx < 0) continue;
        const std::uint16_t length = t.fields[static_cast<std::size_t>(idx)].length;
        if (length != kVariableLength && (length == 0 || length > 8)) continue;  // never readable
        chain.roles[chain.size++] = role;
        if (length != kVariableLength) {
            chain.always_read = true;  // what follows would never be tried
            break;
        }
    }
    return chain;
}

struct Lookup {
    const Template& t;
    std::span<const wire::Bytes> values;

    /// The first field with this role as an unsigned integer, if present and readable.
    std::optional<std::uint64_t> get(TimeRole role) const noexcept {
        auto idx = t.time_field[static_cast<std::size_t>(role)];
        if (idx < 0) return std::nullopt;
        wire::Bytes v = values[static_cast<std::size_t>(idx)];
        if (v.empty() || v.size() > 8) return std::nullopt;
        return wire::load_be(v.data(), v.size());
    }
};

// Hostile values must not overflow (undefined behaviour) into a wrong time: past what int64
// nanoseconds hold (year 2262, or before 1677) a time is clamped to the limit and `clamped` set.
[[gnu::always_inline]] inline std::optional<std::int64_t> to_unix_ns(TimeRole role, std::uint64_t v, const Lookup& in,
                                                                     const ExportHeader& h,
                                                                     std::optional<std::int64_t> init_ms,
                                                                     bool& clamped) noexcept {
    switch (role) {
    case TimeRole::start_milliseconds:
    case TimeRole::end_milliseconds:
    case TimeRole::observation_milliseconds:
    case TimeRole::collection_milliseconds: return wire::scaled_time(v, kNsPerMs, clamped);
    case TimeRole::start_seconds:
    case TimeRole::end_seconds:
    case TimeRole::observation_seconds: return wire::scaled_time(v, kNsPerSec, clamped);
    case TimeRole::start_microseconds:
    case TimeRole::end_microseconds:
    case TimeRole::observation_microseconds: return ntp_to_unix_ns(v, true);
    case TimeRole::start_nanoseconds:
    case TimeRole::end_nanoseconds:
    case TimeRole::observation_nanoseconds: return ntp_to_unix_ns(v, false);
    case TimeRole::start_delta_us:
    case TimeRole::end_delta_us:
        return wire::clamp_time(static_cast<Int128>(h.export_time_ns) - static_cast<Int128>(v) * kNsPerUs, clamped);
    case TimeRole::start_sysuptime:
    case TimeRole::end_sysuptime: {
        std::uint32_t uptime_at_export = h.sys_uptime_ms;
        if (!h.has_uptime) {
            // IPFIX: the exporter's uptime at export time follows from its boot time.
            if (auto rec_init = in.get(TimeRole::system_init_ms)) init_ms = static_cast<std::int64_t>(*rec_init);
            if (!init_ms) return std::nullopt;
            // Modulo 2^32 like the uptime itself (unsigned: a hostile boot time cannot overflow).
            uptime_at_export = static_cast<std::uint32_t>(static_cast<std::uint64_t>(h.export_time_ns / kNsPerMs) -
                                                          static_cast<std::uint64_t>(*init_ms));
        }
        // Signed 32-bit difference: correct across the 49.7-day uptime wrap. At most 2^31 ms
        // (int64 holds it in ns) from an export time of 32-bit seconds: the sum overflows only
        // for a header no decoder makes, and is then clamped like the others.
        const auto diff = static_cast<std::int32_t>(static_cast<std::uint32_t>(v) - uptime_at_export);
        std::int64_t ns = 0;
        if (__builtin_add_overflow(h.export_time_ns, std::int64_t{diff} * kNsPerMs, &ns)) {
            return wire::clamp_time(static_cast<Int128>(h.export_time_ns) + static_cast<Int128>(diff) * kNsPerMs,
                                    clamped);
        }
        return ns;
    }
    case TimeRole::none:
    case TimeRole::duration_ms:
    case TimeRole::duration_us:
    case TimeRole::system_init_ms:
    case TimeRole::count_: break;
    }
    return std::nullopt;
}

/// The time the first readable field of `chain` gives (inlined: it runs twice per record).
[[gnu::always_inline]] inline std::optional<std::int64_t> first_time(const TimeChain& chain, const Lookup& in,
                                                                     const ExportHeader& h,
                                                                     std::optional<std::int64_t> init_ms,
                                                                     bool& clamped) noexcept {
    for (TimeRole role : chain) {
        if (auto v = in.get(role)) return to_unix_ns(role, *v, in, h, init_ms, clamped);
    }
    return std::nullopt;
}

}  // namespace

std::int64_t ntp_to_unix_ns(std::uint64_t ntp, bool microsecond_precision) noexcept {
    // RFC 4330 §3 (as Wireshark reads it): seconds with the top bit set are era 0 (1968-2036),
    // the others era 1 (2036-2104), so timestamps past 2036 do not fall back to 1900.
    const auto ntp_seconds = static_cast<std::int64_t>(ntp >> 32U);
    const std::int64_t era = (ntp_seconds & 0x80000000LL) != 0 ? 0 : kNtpEraSeconds;
    const std::int64_t seconds = ntp_seconds + era - kNtpToUnixSeconds;
    std::uint64_t fraction = ntp & 0xffffffffULL;
    // RFC 7011 §6.1.9: for microseconds the lowest 11 bits of the fraction are ignored.
    if (microsecond_precision) fraction &= ~0x7ffULL;
    return seconds * kNsPerSec + static_cast<std::int64_t>((fraction * 1'000'000'000ULL) >> 32U);
}

// Both ends one always-read field, in the same unit.
QuickTimes quick_times(const TimeChain& start, const TimeChain& end) noexcept {
    if (!start.always_read || !end.always_read || start.size != 1 || end.size != 1) return QuickTimes::none;
    const TimeRole s = start.roles[0];
    const TimeRole e = end.roles[0];
    if (s == TimeRole::start_sysuptime && e == TimeRole::end_sysuptime) return QuickTimes::sysuptime;
    if (s == TimeRole::start_milliseconds && e == TimeRole::end_milliseconds) return QuickTimes::milliseconds;
    if (s == TimeRole::start_seconds && e == TimeRole::end_seconds) return QuickTimes::seconds;
    return QuickTimes::none;
}

TimePlan plan_times(const Template& t) noexcept {
    TimePlan plan;
    plan.start = chain_of(t, kStartRoles);
    plan.end = chain_of(t, kEndRoles);
    plan.duration = chain_of(t, kDurationRoles);
    plan.observed = chain_of(t, kObservedRoles);
    plan.quick = quick_times(plan.start, plan.end);
    return plan;
}

FlowTimes flow_times(const Template& t, std::span<const wire::Bytes> values, const ExportHeader& h,
                     std::optional<std::int64_t> system_init_ms) noexcept {
    const TimePlan& plan = t.time_plan;
    const Lookup in{t, values};
    FlowTimes times;
    times.start_ns = first_time(plan.start, in, h, system_init_ms, times.clamped);
    times.end_ns = first_time(plan.end, in, h, system_init_ms, times.clamped);
    if (times.end_ns.has_value() != times.start_ns.has_value()) {
        // One end and the duration give the other (clamped past the int64 range).
        std::optional<Int128> duration;
        for (TimeRole role : plan.duration) {
            if (auto v = in.get(role)) {
                duration = static_cast<Int128>(*v) * (role == TimeRole::duration_ms ? kNsPerMs : kNsPerUs);
                break;
            }
        }
        if (duration && times.start_ns) {
            times.end_ns = wire::clamp_time(*times.start_ns + *duration, times.clamped);
        } else if (duration && times.end_ns) {
            times.start_ns = wire::clamp_time(*times.end_ns - *duration, times.clamped);
        }
    }
    if (!times.start_ns && !times.end_ns) {
        times.start_ns = times.end_ns = first_time(plan.observed, in, h, system_init_ms, times.clamped);
    }
    return times;
}

namespace {

// The decoder asks this of every data record. Where the plan has quick times, in a unit whose
// clamping is a bound on the value, the answer needs no times: the same as flow_times gives
// (tests/netflow/test_times.cpp checks both ways agree). `start` and `end`: the two fields'
// values; nullopt: the times must be worked out.
std::optional<TimeAnomalies> quick_anomalies(QuickTimes quick, std::uint64_t start, std::uint64_t end,
                                             const ExportHeader& h) noexcept {
    std::int64_t unit = 0;
    switch (quick) {
    case QuickTimes::sysuptime: {
        // sysUpTime with the header's uptime: the export time plus a signed 32-bit offset in ms
        // (to_unix_ns), never past the int64 range from an export time within +-2^62 ns.
        constexpr std::int64_t kSafeExport = std::int64_t{1} << 62U;
        if (!h.has_uptime || h.export_time_ns >= kSafeExport || h.export_time_ns <= -kSafeExport) return std::nullopt;
        const auto from = static_cast<std::int32_t>(static_cast<std::uint32_t>(start) - h.sys_uptime_ms);
        const auto to = static_cast<std::int32_t>(static_cast<std::uint32_t>(end) - h.sys_uptime_ms);
        return TimeAnomalies{false, to < from};
    }
    case QuickTimes::milliseconds: unit = kNsPerMs; break;
    case QuickTimes::seconds: unit = kNsPerSec; break;
    case QuickTimes::none: return std::nullopt;
    }
    // Milliseconds or seconds since the epoch: clamped only past kMaxTimeNs / unit.
    const auto limit = static_cast<std::uint64_t>(wire::kMaxTimeNs / unit);
    if (start <= limit && end <= limit) return TimeAnomalies{false, end < start};
    return std::nullopt;
}

TimeAnomalies worked_out(const Template& t, std::span<const wire::Bytes> values, const ExportHeader& h,
                         std::optional<std::int64_t> system_init_ms) noexcept {
    const FlowTimes times = flow_times(t, values, h, system_init_ms);
    return {times.clamped, times.reversed()};
}

// A fixed-length record's, split first. Never inlined: the quick path then needs no stack
// frame for this one's (a fifth of its instructions went to saving registers).
[[gnu::noinline]] TimeAnomalies worked_out(const Template& t, const std::byte* record, const ExportHeader& h,
                                           std::optional<std::int64_t> system_init_ms) noexcept {
    thread_local std::vector<wire::Bytes> values;
    if (values.size() < t.places.size()) values.resize(t.places.size());
    split_fixed(t, record, values.data());
    return worked_out(t, std::span<const wire::Bytes>(values.data(), t.places.size()), h, system_init_ms);
}

}  // namespace

TimeAnomalies time_anomalies(const Template& t, std::span<const wire::Bytes> values, const ExportHeader& h,
                             std::optional<std::int64_t> system_init_ms) noexcept {
    const TimePlan& plan = t.time_plan;
    if (plan.quick != QuickTimes::none) {
        const Lookup in{t, values};
        if (auto quick = quick_anomalies(plan.quick, *in.get(plan.start.roles[0]), *in.get(plan.end.roles[0]), h)) {
            return *quick;
        }
    }
    return worked_out(t, values, h, system_init_ms);
}

TimeAnomalies time_anomalies(const Template& t, const std::byte* record, const ExportHeader& h,
                             std::optional<std::int64_t> system_init_ms) noexcept {
    const TimePlan& plan = t.time_plan;
    if (plan.quick != QuickTimes::none) {
        // An always-read field is fixed-length, of 1 to 8 bytes (chain_of).
        const std::uint64_t start = wire::load_be(record + plan.quick_start.offset, plan.quick_start.length);
        const std::uint64_t end = wire::load_be(record + plan.quick_end.offset, plan.quick_end.length);
        if (auto quick = quick_anomalies(plan.quick, start, end, h)) return *quick;
    }
    return worked_out(t, record, h, system_init_ms);
}

FlowTimes DataRecord::times() const noexcept { return flow_times(*tmpl, values, *header, system_init_ms); }

}  // namespace nfpcap::netflow
