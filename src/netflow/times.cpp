// SPDX-License-Identifier: MIT
// Absolute flow start/end from whichever time fields a record carries.
#include <cstdint>

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
std::optional<std::int64_t> absolute(const Lookup& in, const ExportHeader& h, std::optional<std::int64_t> init_ms,
                                     TimeRole ms, TimeRole s, TimeRole us, TimeRole ns, TimeRole delta, TimeRole uptime,
                                     bool& clamped) noexcept {
    if (auto v = in.get(ms)) return wire::scaled_time(*v, kNsPerMs, clamped);
    if (auto v = in.get(s)) return wire::scaled_time(*v, kNsPerSec, clamped);
    if (auto v = in.get(us)) return ntp_to_unix_ns(*v, true);
    if (auto v = in.get(ns)) return ntp_to_unix_ns(*v, false);
    if (auto v = in.get(delta)) {
        return wire::clamp_time(static_cast<Int128>(h.export_time_ns) - static_cast<Int128>(*v) * kNsPerUs, clamped);
    }
    if (auto v = in.get(uptime)) {
        std::uint32_t uptime_at_export = h.sys_uptime_ms;
        if (!h.has_uptime) {
            // IPFIX: the exporter's uptime at export time follows from its boot time.
            if (auto rec_init = in.get(TimeRole::system_init_ms)) init_ms = static_cast<std::int64_t>(*rec_init);
            if (!init_ms) return std::nullopt;
            // Modulo 2^32 like the uptime itself (unsigned: a hostile boot time cannot overflow).
            uptime_at_export = static_cast<std::uint32_t>(static_cast<std::uint64_t>(h.export_time_ns / kNsPerMs) -
                                                          static_cast<std::uint64_t>(*init_ms));
        }
        // Signed 32-bit difference: correct across the 49.7-day uptime wrap.
        auto diff = static_cast<std::int32_t>(static_cast<std::uint32_t>(*v) - uptime_at_export);
        return wire::clamp_time(static_cast<Int128>(h.export_time_ns) + static_cast<Int128>(diff) * kNsPerMs, clamped);
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

FlowTimes flow_times(const Template& t, std::span<const wire::Bytes> values, const ExportHeader& h,
                     std::optional<std::int64_t> system_init_ms) noexcept {
    Lookup in{t, values};
    FlowTimes times;
    times.start_ns = absolute(in, h, system_init_ms, TimeRole::start_milliseconds, TimeRole::start_seconds,
                              TimeRole::start_microseconds, TimeRole::start_nanoseconds, TimeRole::start_delta_us,
                              TimeRole::start_sysuptime, times.clamped);
    times.end_ns =
        absolute(in, h, system_init_ms, TimeRole::end_milliseconds, TimeRole::end_seconds, TimeRole::end_microseconds,
                 TimeRole::end_nanoseconds, TimeRole::end_delta_us, TimeRole::end_sysuptime, times.clamped);
    if (times.end_ns.has_value() != times.start_ns.has_value()) {
        // One end and the duration give the other (clamped past the int64 range).
        std::optional<Int128> duration;
        if (auto v = in.get(TimeRole::duration_ms)) {
            duration = static_cast<Int128>(*v) * kNsPerMs;
        } else if (auto u = in.get(TimeRole::duration_us)) {
            duration = static_cast<Int128>(*u) * kNsPerUs;
        }
        if (duration && times.start_ns) {
            times.end_ns = wire::clamp_time(*times.start_ns + *duration, times.clamped);
        } else if (duration && times.end_ns) {
            times.start_ns = wire::clamp_time(*times.end_ns - *duration, times.clamped);
        }
    }
    if (!times.start_ns && !times.end_ns) {
        // Event records (NSEL, PSAMP packet reports) carry when they were observed instead; a
        // mediator's re-export at least when it was collected.
        std::optional<std::int64_t> at;
        if (auto v = in.get(TimeRole::observation_milliseconds)) {
            at = wire::scaled_time(*v, kNsPerMs, times.clamped);
        } else if (auto s = in.get(TimeRole::observation_seconds)) {
            at = wire::scaled_time(*s, kNsPerSec, times.clamped);
        } else if (auto us = in.get(TimeRole::observation_microseconds)) {
            at = ntp_to_unix_ns(*us, true);
        } else if (auto ns = in.get(TimeRole::observation_nanoseconds)) {
            at = ntp_to_unix_ns(*ns, false);
        } else if (auto c = in.get(TimeRole::collection_milliseconds)) {
            at = wire::scaled_time(*c, kNsPerMs, times.clamped);
        }
        times.start_ns = times.end_ns = at;
    }
    return times;
}

FlowTimes DataRecord::times() const noexcept { return flow_times(*tmpl, values, *header, system_init_ms); }

}  // namespace nfpcap::netflow
