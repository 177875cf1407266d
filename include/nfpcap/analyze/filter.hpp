// SPDX-License-Identifier: MIT
// Display filters in nfdump's syntax, compiled once into a predicate over FlowRecords.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nfpcap/analyze/flow.hpp"

namespace nfpcap::analyze {

/// Where a filter is malformed: the offending token (empty at the end of the text) and its
/// 1-based column.
struct FilterError {
    std::size_t column = 0;
    std::string token;
    std::string message;  ///< what is wrong, naming the token ("unknown keyword 'prot'")
    /// "filter: unknown keyword 'prot' at column 1".
    [[nodiscard]] std::string describe() const;
};

/// A compiled filter. Default-constructed, it matches every record.
///
/// The syntax is nfdump's (nfdump(1), "filter"), as far as FlowRecord carries the fields:
///   expr:  expr or expr | expr and expr | not expr | ( expr ); also ||, &&, !
///          (not binds tighter than and, and tighter than or); keywords in any case;
///          '#' starts a comment to the end of the line.
///   any | ipv4 | inet | ipv6 | inet6
///   proto tcp|udp|icmp|icmp6|NAME|N        NAME: IANA keywords (esp, gre, sctp, ...)
///   [src|dst] host|ip ADDR                  IPv4 or IPv6
///   [src|dst] host|ip in [ADDR|CIDR ...]    space or comma separated
///   [src|dst] net ADDR/BITS | net A.B.C.D M.M.M.M
///   [src|dst] port [CMP] N | [src|dst] port in [N ...]
///   [src|dst] as [CMP] N | [src|dst] as in [N ...]
///   [in|out] if [CMP] N                     ingressInterface / egressInterface
///   [in] packets|bytes [CMP] N[k|m|g]       source -> destination counters; k = 1000 (as nfdump)
///   out packets|bytes [CMP] N[k|m|g]        the reverse counters of a biflow record
///   duration [CMP] MS                       end - start in milliseconds; false without times
///   flags LETTERS                           all of U A P R S F set (X: all six)
///   tos [CMP] N
///   next ip ADDR                            next hop
///   exporter ADDR[:PORT] | exporter [V6]:PORT | router ip ADDR
///   version [CMP] N | domain [CMP] N        export version, observation domain / source ID
///   CMP: = == > < >= <= eq gt lt ge le (default ==).
/// Without src/dst (in/out), either side may match. As in nfdump, `not flags LETTERS` holds when
/// none of the letters is set (so `flags S and not flags AFRPU` is a bare SYN): negations are
/// pushed down to the tests (De Morgan), where every other test is simply complemented.
class Filter {
public:
    /// Whether the record passes. Allocation-free; recursion depth is bounded by the text.
    [[nodiscard]] bool matches(const FlowRecord& flow) const noexcept;
    /// True for the default filter (and for `any`).
    [[nodiscard]] bool accepts_all() const noexcept;

    // The compiled form (filter.cpp builds it): a tree in negation normal form, root last.
    enum class Test : std::uint8_t {
        any,
        ipv4,
        ipv6,
        protocol,
        address,
        address_list,
        port,
        port_list,
        as,
        as_list,
        interface,
        packets,
        bytes,
        rev_packets,
        rev_bytes,
        duration,
        flags_all,
        flags_none,
        tos,
        next_hop,
        exporter,
        version,
        domain,
    };
    enum class Side : std::uint8_t { either, src, dst };  ///< in/out are src/dst
    enum class Cmp : std::uint8_t { eq, lt, gt, le, ge };
    struct Prefix {
        wire::IpAddress net;  ///< already masked
        std::array<std::uint8_t, 16> mask{};
        [[nodiscard]] bool contains(const wire::IpAddress& a) const noexcept;
    };
    struct Node {
        enum class Kind : std::uint8_t { test, all_of, any_of } kind = Kind::test;
        Test test = Test::any;
        Side side = Side::either;
        Cmp cmp = Cmp::eq;
        bool negate = false;
        std::uint32_t left = 0, right = 0;  ///< [left, right) of children_ (all_of/any_of) or a list
        std::uint64_t value = 0;            ///< number, flag mask, exporter port (0: any)
        Prefix prefix;                      ///< address tests
    };

private:
    [[nodiscard]] bool eval(std::uint32_t index, const FlowRecord& flow) const noexcept;
    [[nodiscard]] bool test(const Node& n, const FlowRecord& flow) const noexcept;

    std::vector<Node> nodes_;              // root last; empty: match all
    std::vector<std::uint32_t> children_;  // operands of all_of/any_of nodes
    std::vector<std::uint64_t> numbers_;   // `in [...]` lists of numbers, each sorted
    std::vector<Prefix> prefixes_;         // `host in [...]` lists
    friend class FilterParser;
};

/// Compiles `text` into `out`; on error returns it (and leaves `out` unchanged). Empty text (or
/// only blanks and comments) compiles to the filter that matches everything.
std::optional<FilterError> compile_filter(std::string_view text, Filter& out);

}  // namespace nfpcap::analyze
