// SPDX-License-Identifier: MIT
// What each exporter session's options data said (sampling rates, sampler, interface and VRF
// names, the exporter's address), joined to the data records of that session.
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nfpcap/analyze/sampling.hpp"
#include "nfpcap/netflow/decoder.hpp"

namespace nfpcap::analyze {

/// One exporter session's options data, as far as it was read (later records replace earlier
/// ones of the same scope).
struct SessionOptions {
    /// Sampling announced for the whole session: options data naming no sampler or selector
    /// (scope system, metering or exporting process, interface).
    std::optional<Sampling> sampling;
    std::map<std::uint64_t, Sampling> samplers;          ///< by samplerId (48) / selectorId (302)
    std::map<std::uint64_t, std::string> sampler_names;  ///< samplerName (84) / selectorName (335)
    /// By interface index (the scope interface of v9, or ingressInterface / egressInterface).
    std::map<std::uint64_t, std::string> interface_names;         ///< interfaceName (82)
    std::map<std::uint64_t, std::string> interface_descriptions;  ///< interfaceDescription (83)
    std::map<std::uint64_t, std::string> vrf_names;               ///< VRFname (236) by ingress/egressVRFID
    std::optional<wire::IpAddress> exporter_ipv4;                 ///< exporterIPv4Address (130)
    std::optional<wire::IpAddress> exporter_ipv6;                 ///< exporterIPv6Address (131)
    /// The metering process's timeouts in seconds: flowActiveTimeout (36) and flowIdleTimeout
    /// (37), the same IDs in v9 (FLOW_ACTIVE_TIMEOUT, FLOW_INACTIVE_TIMEOUT) and IPFIX.
    std::optional<std::uint32_t> active_timeout_s, idle_timeout_s;
    std::array<std::uint64_t, kSamplingSourceCount> records{};   ///< data records resolved, by source
    std::map<std::uint32_t, std::uint64_t> records_by_interval;  ///< data records of a known rate, by it
    std::uint64_t options_records = 0;                           ///< options records read
};

/// What options data says of one data record.
struct JoinedOptions {
    Sampling sampling;
    // Views into the OptionsState: valid until it learns from the next options record.
    std::string_view ingress_interface_name, egress_interface_name;
    std::string_view ingress_interface_description, egress_interface_description;
    std::string_view ingress_vrf_name, egress_vrf_name;
    std::string_view sampler_name;
    std::optional<wire::IpAddress> exporter_address;  ///< IPv4 if the exporter announced one, else IPv6
};

/// Per-session options state, by session index (MessageContext::session). Bounded: a session
/// keeps at most kMaxEntries names and samplers of each kind.
class OptionsState {
public:
    static constexpr std::size_t kMaxEntries = 65536;

    /// Reads an options record of its session (other records are ignored).
    void learn(const netflow::DataRecord& options_record);

    /// The sampling that applies to a data record, in this order: its own fields; the sampler or
    /// selector it names (a named one never announced: unknown, unless the session announced a
    /// rate); the v5 header; the session's announced rate; else none (1 in 1).
    [[nodiscard]] Sampling sampling_for(const netflow::DataRecord& record) const;
    /// sampling_for, counted in the session's `records` (`count` records that share it).
    Sampling resolve(const netflow::DataRecord& record, std::uint64_t count = 1);

    /// Sampling, names and exporter address for a data record.
    [[nodiscard]] JoinedOptions join(const netflow::DataRecord& record) const;
    /// join() with the sampling counted, as resolve().
    JoinedOptions resolve_join(const netflow::DataRecord& record);

    /// How far apart (ns) two records of one flow of this record's session may be: the larger
    /// of the timeouts its exporter announced (a flow is split by the active timeout, and one
    /// idle for longer than the idle timeout resumes as a new record), 0 when it announced none.
    [[nodiscard]] std::int64_t split_gap_ns(const netflow::DataRecord& record) const noexcept;

    /// The session's state, or nullptr when nothing was learnt or resolved for it.
    [[nodiscard]] const SessionOptions* session(std::uint32_t index) const noexcept;

private:
    /// sampling_for with the record's session looked up (nullptr: nothing known of it).
    [[nodiscard]] static Sampling sampling_in(const netflow::DataRecord& record, const SessionOptions* session);
    SessionOptions* slot(std::uint32_t index);
    std::vector<SessionOptions> sessions_;
    std::optional<SessionOptions> no_session_;  ///< records decoded outside a session table
};

/// A DecodeSink keeping an OptionsState: options records teach it, each data record's sampling
/// is resolved and counted (what `stats` reports per session).
class OptionsSink final : public netflow::DecodeSink {
public:
    void on_record(const netflow::DataRecord& record) override {
        if (record.is_options()) {
            state_.learn(record);
        } else {
            (void)state_.resolve(record);
        }
    }
    /// A run shares its session, header and template: unless the template has sampling
    /// fields of its own, the run's records all get the first one's sampling.
    void on_run(const netflow::RecordRun& run) override {
        if (run.shared.tmpl->has_sampling_fields) {
            DecodeSink::on_run(run);
            return;
        }
        (void)state_.resolve(run.shared, run.count);
    }
    [[nodiscard]] const OptionsState& state() const noexcept { return state_; }

private:
    OptionsState state_;
};

}  // namespace nfpcap::analyze
