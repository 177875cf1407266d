// SPDX-License-Identifier: MIT
// Top-N statistics: keys encoded into 20 bytes, an open-addressing index over dense entries.
#include "nfpcap/analyze/top.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>

#include "nfpcap/analyze/saturating.hpp"
#include "nfpcap/analyze/services.hpp"

namespace nfpcap::analyze {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool is_icmp(std::uint8_t protocol) noexcept { return protocol == 1 || protocol == 58; }
bool has_ports(std::uint8_t protocol) noexcept {
    return protocol == 6 || protocol == 17 || protocol == 33 || protocol == 132 || protocol == 136;
}

}  // namespace

std::pair<std::uint8_t, std::uint16_t> flow_service(const FlowRecord& f) noexcept {
    if (is_icmp(f.protocol)) return {f.protocol, f.icmp_type.value_or(0)};
    if (!has_ports(f.protocol)) return {f.protocol, 0};
    const bool sd = is_service_port(f.protocol, f.dst_port), ss = is_service_port(f.protocol, f.src_port);
    if (sd != ss) return {f.protocol, sd ? f.dst_port : f.src_port};
    const bool wd = f.dst_port < 1024, ws = f.src_port < 1024;
    if (wd != ws) return {f.protocol, wd ? f.dst_port : f.src_port};
    return {f.protocol, std::min(f.src_port, f.dst_port)};
}

namespace {

using Key = std::array<std::uint8_t, 20>;

// Big-endian numbers and family-first addresses: byte order of keys is their natural order.
void put16(Key& k, std::size_t at, std::uint16_t v) noexcept {
    k[at] = static_cast<std::uint8_t>(v >> 8U);
    k[at + 1] = static_cast<std::uint8_t>(v);
}
void put32(Key& k, std::size_t at, std::uint32_t v) noexcept {
    put16(k, at, static_cast<std::uint16_t>(v >> 16U));
    put16(k, at + 2, static_cast<std::uint16_t>(v));
}
std::uint16_t get16(const Key& k, std::size_t at) noexcept {
    return static_cast<std::uint16_t>((k[at] << 8U) | k[at + 1]);
}
std::uint32_t get32(const Key& k, std::size_t at) noexcept {
    return (static_cast<std::uint32_t>(get16(k, at)) << 16U) | get16(k, at + 2);
}
Key address_key(const wire::IpAddress& a, unsigned bits) noexcept {
    Key k{};
    k[0] = a.family;
    for (unsigned i = 0; i < a.size(); ++i) {
        const unsigned have = bits > i * 8 ? std::min(8U, bits - i * 8) : 0U;
        const auto mask = static_cast<std::uint8_t>(have == 0 ? 0U : (0xffU << (8U - have)) & 0xffU);
        k[1 + i] = static_cast<std::uint8_t>(a.bytes[i] & mask);
    }
    return k;
}
wire::IpAddress key_address(const Key& k) noexcept {
    wire::IpAddress a;
    a.family = k[0];
    std::memcpy(a.bytes.data(), &k[1], 16);
    return a;
}
Key number_key(std::uint32_t v) noexcept {
    Key k{};
    put32(k, 0, v);
    return k;
}

std::size_t hash_key(const Key& k) noexcept {
    std::uint64_t a = 0, b = 0;
    std::uint32_t c = 0;
    std::memcpy(&a, k.data(), 8);
    std::memcpy(&b, k.data() + 8, 8);
    std::memcpy(&c, k.data() + 16, 4);
    std::uint64_t h =
        (a * 0x9e3779b97f4a7c15ULL) ^ (b + 0x632be59bd9b4e019ULL) ^ (static_cast<std::uint64_t>(c) << 17U);
    h ^= h >> 31U;
    h *= 0xd6e8feb86659fd93ULL;
    h ^= h >> 32U;
    return static_cast<std::size_t>(h);
}

void add_counts(TopCounters& c, std::uint64_t packets, std::uint64_t bytes, const FlowRecord& f) noexcept {
    c.flows = sat_add(c.flows, std::uint64_t{1}, c.saturated);
    c.packets = sat_add(c.packets, packets, c.saturated);
    c.bytes = sat_add(c.bytes, bytes, c.saturated);
    if (f.start_ns && (!c.first_ns || *f.start_ns < *c.first_ns)) c.first_ns = f.start_ns;
    if (f.end_ns && (!c.last_ns || *f.end_ns > *c.last_ns)) c.last_ns = f.end_ns;
}

std::uint64_t counter(const TopCounters& c, TopOrder order) noexcept {
    switch (order) {
    case TopOrder::flows: return c.flows;
    case TopOrder::packets: return c.packets;
    case TopOrder::bytes: return c.bytes;
    }
    return c.flows;
}

}  // namespace

std::optional<std::string> parse_top_key(std::string_view text, TopKey& out) {
    const std::string t = lower(text);
    static constexpr std::pair<std::string_view, TopField> kNames[] = {
        {"srcip", TopField::srcip},     {"dstip", TopField::dstip},       {"ip", TopField::ip},
        {"srcport", TopField::srcport}, {"dstport", TopField::dstport},   {"port", TopField::port},
        {"proto", TopField::proto},     {"exporter", TopField::exporter}, {"srcas", TopField::srcas},
        {"dstas", TopField::dstas},     {"inif", TopField::inif},         {"outif", TopField::outif},
        {"service", TopField::service},
    };
    for (const auto& [name, field] : kNames) {
        if (t == name) {
            out = TopKey{field, 32, 128};
            return std::nullopt;
        }
    }
    for (const auto& [name, field] : {std::pair{std::string_view("srcnet/"), TopField::srcnet},
                                      std::pair{std::string_view("dstnet/"), TopField::dstnet}}) {
        if (t.rfind(name, 0) != 0) continue;
        std::string_view rest = std::string_view(t).substr(name.size());
        auto bits = [](std::string_view s, unsigned max) -> std::optional<unsigned> {
            unsigned v = 0;
            auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
            if (s.empty() || ec != std::errc{} || p != s.data() + s.size() || v > max) return std::nullopt;
            return v;
        };
        const auto slash = rest.find('/');
        std::optional<unsigned> v4, v6;
        if (slash == std::string_view::npos) {
            v6 = bits(rest, 128);
            if (v6) v4 = std::min(*v6, 32U);
        } else {
            v4 = bits(rest.substr(0, slash), 32);
            v6 = bits(rest.substr(slash + 1), 128);
        }
        if (!v4 || !v6) {
            return std::string(text) + ": expected " + std::string(name) + "N (0-128) or " + std::string(name) +
                   "N/M (IPv4 0-32, IPv6 0-128)";
        }
        out = TopKey{field, static_cast<std::uint8_t>(*v4), static_cast<std::uint8_t>(*v6)};
        return std::nullopt;
    }
    return std::string(text) +
           ": not a statistic (srcip, dstip, ip, srcport, dstport, port, proto, exporter, srcas, dstas, inif, "
           "outif, service, srcnet/N, dstnet/N)";
}

std::optional<std::string> parse_top_order(std::string_view text, TopOrder& out) {
    const std::string t = lower(text);
    if (t == "flows")
        out = TopOrder::flows;
    else if (t == "packets")
        out = TopOrder::packets;
    else if (t == "bytes")
        out = TopOrder::bytes;
    else
        return std::string(text) + ": not an order (flows, packets, bytes)";
    return std::nullopt;
}

TopTable::TopTable(TopOptions options) : options_(options) { slots_.assign(1024, 0); }

void TopTable::grow() {
    std::vector<std::uint32_t> slots(slots_.size() * 2, 0);
    const std::size_t mask = slots.size() - 1;
    for (std::size_t e = 0; e < entries_.size(); ++e) {
        std::size_t s = hash_key(entries_[e].key) & mask;
        while (slots[s] != 0) s = (s + 1) & mask;
        slots[s] = static_cast<std::uint32_t>(e + 1);
    }
    slots_ = std::move(slots);
}

void TopTable::add_key(const Key& key, std::uint64_t packets, std::uint64_t bytes, const FlowRecord& flow) {
    const std::size_t mask = slots_.size() - 1;
    std::size_t s = hash_key(key) & mask;
    while (slots_[s] != 0) {
        Entry& e = entries_[slots_[s] - 1];
        if (e.key == key) {
            add_counts(e.counters, packets, bytes, flow);
            return;
        }
        s = (s + 1) & mask;
    }
    if (entries_.size() >= options_.max_keys || entries_.size() >= UINT32_MAX - 1) {
        limit_reached_ = true;
        add_counts(untracked_, packets, bytes, flow);
        return;
    }
    entries_.push_back({key, {}});
    add_counts(entries_.back().counters, packets, bytes, flow);
    slots_[s] = static_cast<std::uint32_t>(entries_.size());
    if (entries_.size() * 2 > slots_.size()) grow();  // load factor at most 1/2
}

void TopTable::add(const FlowRecord& flow) {
    std::uint64_t packets = flow.total_packets(), bytes = flow.total_bytes();
    if (options_.renormalize && flow.sampling > 1) {
        bool saturated = false;
        packets = sat_mul(packets, flow.sampling, saturated);
        bytes = sat_mul(bytes, flow.sampling, saturated);
        totals_.saturated = totals_.saturated || saturated;
    }
    add_counts(totals_, packets, bytes, flow);
    auto one = [&](const Key& k) { add_key(k, packets, bytes, flow); };
    auto port_key = [](std::uint16_t p) {
        Key k{};
        put16(k, 0, p);
        return k;
    };
    switch (options_.key.field) {
    case TopField::srcip: one(address_key(flow.src, 128)); break;
    case TopField::dstip: one(address_key(flow.dst, 128)); break;
    case TopField::ip:
        one(address_key(flow.src, 128));
        one(address_key(flow.dst, 128));
        break;
    case TopField::srcnet:
    case TopField::dstnet: {
        const wire::IpAddress& a = options_.key.field == TopField::srcnet ? flow.src : flow.dst;
        one(address_key(a, a.family == 4 ? options_.key.v4_bits : options_.key.v6_bits));
        break;
    }
    case TopField::srcport: one(port_key(flow.src_port)); break;
    case TopField::dstport: one(port_key(flow.dst_port)); break;
    case TopField::port:
        one(port_key(flow.src_port));
        one(port_key(flow.dst_port));
        break;
    case TopField::proto: {
        Key k{};
        k[0] = flow.protocol;
        one(k);
        break;
    }
    case TopField::exporter: {
        Key k = address_key(flow.exporter.addr, 128);
        put16(k, 17, flow.exporter.port);
        one(k);
        break;
    }
    case TopField::srcas: one(number_key(flow.src_as)); break;
    case TopField::dstas: one(number_key(flow.dst_as)); break;
    case TopField::inif: one(number_key(flow.input_if)); break;
    case TopField::outif: one(number_key(flow.output_if)); break;
    case TopField::service: {
        const auto [protocol, port] = flow_service(flow);
        Key k{};
        k[0] = protocol;
        put16(k, 1, port);
        one(k);
        break;
    }
    }
}

TopResult TopTable::result() const {
    TopResult r;
    r.key = options_.key;
    r.order = options_.order;
    r.totals = totals_;
    r.keys = entries_.size();
    r.untracked = untracked_;
    r.key_limit_reached = limit_reached_;
    std::vector<const Entry*> order;
    order.reserve(entries_.size());
    for (const Entry& e : entries_) order.push_back(&e);
    const TopOrder by = options_.order;
    auto before = [by](const Entry* a, const Entry* b) {
        const TopCounters &x = a->counters, &y = b->counters;
        if (counter(x, by) != counter(y, by)) return counter(x, by) > counter(y, by);
        if (x.bytes != y.bytes) return x.bytes > y.bytes;
        if (x.packets != y.packets) return x.packets > y.packets;
        if (x.flows != y.flows) return x.flows > y.flows;
        return a->key < b->key;
    };
    const std::size_t n = options_.count == 0 ? order.size() : std::min(options_.count, order.size());
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n), order.end(), before);
    for (std::size_t i = 0; i < n; ++i) {
        const Entry& e = *order[i];
        TopRow row;
        row.counters = e.counters;
        switch (options_.key.field) {
        case TopField::srcip:
        case TopField::dstip:
        case TopField::ip: row.address = key_address(e.key); break;
        case TopField::srcnet:
        case TopField::dstnet:
            row.address = key_address(e.key);
            row.prefix_bits = row.address.family == 4 ? options_.key.v4_bits : options_.key.v6_bits;
            break;
        case TopField::srcport:
        case TopField::dstport:
        case TopField::port: row.port = get16(e.key, 0); break;
        case TopField::proto: row.protocol = e.key[0]; break;
        case TopField::exporter:
            row.exporter.addr = key_address(e.key);
            row.exporter.port = get16(e.key, 17);
            break;
        case TopField::srcas:
        case TopField::dstas:
        case TopField::inif:
        case TopField::outif: row.number = get32(e.key, 0); break;
        case TopField::service:
            row.protocol = e.key[0];
            row.port = get16(e.key, 1);
            break;
        }
        r.rows.push_back(row);
    }
    return r;
}

namespace {

std::string proto_text(std::uint8_t p) {
    const std::string_view name = protocol_name(p);
    return name.empty() ? std::to_string(p) : std::string(name);
}

}  // namespace

std::string service_text(std::uint8_t protocol, std::uint16_t port) {
    const std::string proto = proto_text(protocol);
    if (is_icmp(protocol)) {
        const std::string_view type = icmp_type_name(protocol, static_cast<std::uint8_t>(port));
        return proto + " " + (type.empty() ? "type " + std::to_string(port) : std::string(type));
    }
    if (!has_ports(protocol)) return proto;
    const std::string_view name = service_name(protocol, port);
    const std::string where = proto + "/" + std::to_string(port);
    return name.empty() ? where : std::string(name) + " (" + where + ")";
}

std::string key_text(TopKey key, const TopRow& row) {
    switch (key.field) {
    case TopField::srcip:
    case TopField::dstip:
    case TopField::ip: return row.address.family == 0 ? std::string("-") : wire::to_string(row.address);
    case TopField::srcnet:
    case TopField::dstnet:
        if (row.address.family == 0) return "-";
        return wire::to_string(row.address) + "/" + std::to_string(row.prefix_bits);
    case TopField::srcport:
    case TopField::dstport:
    case TopField::port: return std::to_string(row.port);
    case TopField::proto: return proto_text(row.protocol);
    case TopField::exporter: return wire::to_string(row.exporter);
    case TopField::srcas:
    case TopField::dstas:
    case TopField::inif:
    case TopField::outif: return std::to_string(row.number);
    case TopField::service: return service_text(row.protocol, row.port);
    }
    return "-";
}

bool names_hosts(TopKey key) noexcept {
    return key.field == TopField::srcip || key.field == TopField::dstip || key.field == TopField::ip ||
           key.field == TopField::exporter;
}

std::optional<wire::IpAddress> key_host(TopKey key, const TopRow& row) {
    if (!names_hosts(key)) return std::nullopt;
    const wire::IpAddress& address = key.field == TopField::exporter ? row.exporter.addr : row.address;
    if (address.family == 0) return std::nullopt;
    return address;
}

}  // namespace nfpcap::analyze
