// SPDX-License-Identifier: MIT
// The nfdump filter language: a tokenizer, a recursive-descent parser into a tree in negation
// normal form, and the evaluation of that tree per record.
#include "nfpcap/analyze/filter.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>

#include "nfpcap/analyze/saturating.hpp"
#include "nfpcap/analyze/services.hpp"

namespace nfpcap::analyze {

std::string FilterError::describe() const { return "filter: " + message + " at column " + std::to_string(column); }

namespace {

struct Token {
    enum class Kind : std::uint8_t { word, open, close, list_open, list_close, comma, op, end } kind;
    std::string_view text;
    std::size_t column;  // 1-based
};

bool is_operator_char(char c) noexcept { return c == '<' || c == '>' || c == '=' || c == '!' || c == '&' || c == '|'; }

bool is_word_char(char c) noexcept {
    return !std::isspace(static_cast<unsigned char>(c)) && c != '(' && c != ')' && c != '[' && c != ']' && c != ',' &&
           c != '#' && !is_operator_char(c);
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
            return false;
        }
    }
    return true;
}

// Splits the text into tokens; an unknown operator becomes an op token the parser rejects.
std::vector<Token> tokenize(std::string_view text) {
    std::vector<Token> out;
    std::size_t i = 0;
    while (i < text.size()) {
        const char c = text[i];
        if (std::isspace(static_cast<unsigned char>(c))) {
            ++i;
            continue;
        }
        if (c == '#') {  // comment to the end of the line
            while (i < text.size() && text[i] != '\n') ++i;
            continue;
        }
        const std::size_t column = i + 1;
        auto single = [&](Token::Kind kind) {
            out.push_back({kind, text.substr(i, 1), column});
            ++i;
        };
        switch (c) {
        case '(': single(Token::Kind::open); continue;
        case ')': single(Token::Kind::close); continue;
        case '[': single(Token::Kind::list_open); continue;
        case ']': single(Token::Kind::list_close); continue;
        case ',': single(Token::Kind::comma); continue;
        default: break;
        }
        std::size_t j = i;
        if (is_operator_char(c)) {
            while (j < text.size() && is_operator_char(text[j])) ++j;
            out.push_back({Token::Kind::op, text.substr(i, j - i), column});
        } else {
            while (j < text.size() && is_word_char(text[j])) ++j;
            out.push_back({Token::Kind::word, text.substr(i, j - i), column});
        }
        i = j;
    }
    out.push_back({Token::Kind::end, {}, text.size() + 1});
    return out;
}

std::string quoted(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 2);
    out.push_back('\'');
    out.append(s);
    out.push_back('\'');
    return out;
}

struct ParseFailure {
    FilterError error;
};

}  // namespace

// Recursive descent over the tokens, building the node tree. Negations are pushed down while
// building (a `negate` argument), so the tree is in negation normal form when done.
class FilterParser {
public:
    explicit FilterParser(std::string_view text) : tokens_(tokenize(text)) {}

    void run(Filter& out) {
        if (peek().kind != Token::Kind::end) {
            or_expr(false);  // the root is the last node added
            if (peek().kind != Token::Kind::end) {
                const Token& t = peek();
                fail(t, t.kind == Token::Kind::close ? "unbalanced " + quoted(t.text)
                                                     : "expected 'and', 'or' or the end, got " + quoted(t.text));
            }
        }
        out = std::move(f_);
    }

private:
    using Node = Filter::Node;
    using Test = Filter::Test;
    using Side = Filter::Side;
    using Cmp = Filter::Cmp;

    const Token& peek(std::size_t ahead = 0) const noexcept {
        return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
    }
    const Token& next() noexcept {
        const Token& t = peek();
        if (pos_ + 1 < tokens_.size()) ++pos_;
        return t;
    }
    [[noreturn]] static void fail(const Token& t, std::string message) {
        throw ParseFailure{{t.column, std::string(t.text), std::move(message)}};
    }
    static std::string describe(const Token& t) {
        return t.kind == Token::Kind::end ? std::string("the end of the filter") : quoted(t.text);
    }
    bool word_is(const Token& t, std::string_view w) const noexcept {
        return t.kind == Token::Kind::word && iequals(t.text, w);
    }
    bool at_and() const noexcept {
        const Token& t = peek();
        return word_is(t, "and") || (t.kind == Token::Kind::op && t.text == "&&");
    }
    bool at_or() const noexcept {
        const Token& t = peek();
        return word_is(t, "or") || (t.kind == Token::Kind::op && t.text == "||");
    }
    bool at_not() const noexcept {
        const Token& t = peek();
        return word_is(t, "not") || (t.kind == Token::Kind::op && t.text == "!");
    }

    std::uint32_t add(Node n) {
        f_.nodes_.push_back(n);
        return static_cast<std::uint32_t>(f_.nodes_.size() - 1);
    }
    // One node for a whole chain `a and b and c` (or `or`): evaluation recursion then grows
    // with parentheses only, not with the length of a filter.
    std::uint32_t join(bool conjunction, bool negate, const std::vector<std::uint32_t>& operands) {
        if (operands.size() == 1) return operands.front();
        Node n;
        // De Morgan: not (a and b) = not a or not b; the operands were built negated already.
        n.kind = (conjunction != negate) ? Node::Kind::all_of : Node::Kind::any_of;
        n.left = static_cast<std::uint32_t>(f_.children_.size());
        f_.children_.insert(f_.children_.end(), operands.begin(), operands.end());
        n.right = static_cast<std::uint32_t>(f_.children_.size());
        return add(n);
    }

    // Nesting is bounded so that evaluation (recursive) cannot exhaust the stack.
    static constexpr std::size_t kMaxDepth = 256;

    std::uint32_t or_expr(bool negate) {
        std::vector<std::uint32_t> operands{and_expr(negate)};
        while (at_or()) {
            next();
            operands.push_back(and_expr(negate));
        }
        return join(false, negate, operands);
    }
    std::uint32_t and_expr(bool negate) {
        std::vector<std::uint32_t> operands{unary(negate)};
        while (at_and()) {
            next();
            operands.push_back(unary(negate));
        }
        return join(true, negate, operands);
    }
    std::uint32_t unary(bool negate) {
        if (++depth_ > kMaxDepth) fail(peek(), "nesting deeper than 256 at " + describe(peek()));
        std::uint32_t result = 0;
        if (at_not()) {
            next();
            result = unary(!negate);
        } else if (peek().kind == Token::Kind::open) {
            const Token& open = next();
            result = or_expr(negate);
            if (peek().kind != Token::Kind::close) {
                if (peek().kind == Token::Kind::end) fail(open, "unbalanced " + quoted(open.text));
                fail(peek(), "expected ')' or 'and'/'or', got " + describe(peek()));
            }
            next();
        } else {
            result = primitive(negate);
        }
        --depth_;
        return result;
    }

    // ---- values

    const Token& expect_word(std::string_view what) {
        const Token& t = peek();
        if (t.kind != Token::Kind::word) fail(t, "expected " + std::string(what) + ", got " + describe(t));
        return next();
    }

    static std::optional<std::uint64_t> parse_uint(std::string_view s, bool scaled) noexcept {
        std::uint64_t scale = 1;
        if (scaled && !s.empty()) {
            switch (s.back()) {
            case 'k':
            case 'K': scale = 1'000; break;
            case 'm':
            case 'M': scale = 1'000'000; break;
            case 'g':
            case 'G': scale = 1'000'000'000; break;
            default: break;
            }
            if (scale != 1) s.remove_suffix(1);
        }
        if (s.empty()) return std::nullopt;
        std::uint64_t v = 0;
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
        bool saturated = false;
        v = sat_mul(v, scale, saturated);
        if (saturated) return std::nullopt;
        return v;
    }

    std::uint64_t number(std::string_view what, std::uint64_t max, bool scaled = false) {
        const Token& t = expect_word(what);
        auto v = parse_uint(t.text, scaled);
        if (!v) fail(t, "expected " + std::string(what) + ", got " + quoted(t.text));
        if (*v > max) fail(t, out_of_range(t, max));
        return *v;
    }

    static std::string out_of_range(const Token& t, std::uint64_t max) {
        return quoted(t.text) + " is out of range 0.." + std::to_string(max);
    }

    std::optional<Cmp> comparator() {
        const Token& t = peek();
        std::optional<Cmp> c;
        if (t.kind == Token::Kind::op) {
            if (t.text == "=" || t.text == "==") c = Cmp::eq;
            if (t.text == "<") c = Cmp::lt;
            if (t.text == ">") c = Cmp::gt;
            if (t.text == "<=") c = Cmp::le;
            if (t.text == ">=") c = Cmp::ge;
            if (!c) fail(t, "unknown comparison " + quoted(t.text) + " (= == > < >= <= eq gt lt ge le)");
        } else if (t.kind == Token::Kind::word) {
            const std::string w = lower(t.text);
            if (w == "eq") c = Cmp::eq;
            if (w == "lt") c = Cmp::lt;
            if (w == "gt") c = Cmp::gt;
            if (w == "le") c = Cmp::le;
            if (w == "ge") c = Cmp::ge;
        }
        if (c) next();
        return c;
    }

    static Filter::Prefix prefix_of(const wire::IpAddress& a, unsigned bits) {
        Filter::Prefix p;
        p.net = a;
        for (unsigned i = 0; i < a.size(); ++i) {
            const unsigned have = bits > i * 8 ? std::min(8U, bits - i * 8) : 0U;
            p.mask[i] = static_cast<std::uint8_t>(have == 0 ? 0U : (0xffU << (8U - have)) & 0xffU);
            p.net.bytes[i] = static_cast<std::uint8_t>(p.net.bytes[i] & p.mask[i]);
        }
        return p;
    }

    static wire::IpAddress parse_address(std::string_view s) { return wire::IpAddress::parse(std::string(s)); }

    // ADDR or ADDR/BITS (with_bits) from one word.
    Filter::Prefix address_or_prefix(const Token& t, bool allow_bits) {
        std::string_view text = t.text;
        std::optional<unsigned> bits;
        if (const auto slash = text.find('/'); slash != std::string_view::npos) {
            if (!allow_bits) fail(t, "expected an address, got " + quoted(t.text));
            unsigned b = 0;
            const std::string_view tail = text.substr(slash + 1);
            auto [p, ec] = std::from_chars(tail.data(), tail.data() + tail.size(), b);
            if (tail.empty() || ec != std::errc{} || p != tail.data() + tail.size()) {
                fail(t, "expected prefix bits after '/' in " + quoted(t.text));
            }
            bits = b;
            text = text.substr(0, slash);
        }
        const wire::IpAddress a = parse_address(text);
        if (a.family == 0) fail(t, "expected an IPv4 or IPv6 address, got " + quoted(t.text));
        const unsigned max_bits = a.family == 4 ? 32U : 128U;
        if (bits && *bits > max_bits) {
            fail(t, "prefix " + quoted(t.text) + " has more than " + std::to_string(max_bits) + " bits");
        }
        return prefix_of(a, bits.value_or(max_bits));
    }

    Filter::Prefix network() {
        const Token& t = expect_word("a network (ADDR/BITS or ADDR MASK)");
        if (t.text.find('/') != std::string_view::npos) return address_or_prefix(t, true);
        const wire::IpAddress a = parse_address(t.text);
        if (a.family == 0) fail(t, "expected a network (ADDR/BITS or ADDR MASK), got " + quoted(t.text));
        // nfdump's `net 10.0.0.0 255.0.0.0`: an IPv4 network with a dotted mask.
        const Token& m = peek();
        const wire::IpAddress mask = m.kind == Token::Kind::word ? parse_address(m.text) : wire::IpAddress{};
        if (a.family != 4 || mask.family != 4) {
            fail(t, "expected a network (ADDR/BITS or ADDR MASK), got " + quoted(t.text));
        }
        next();
        Filter::Prefix p;
        p.net = a;
        for (unsigned i = 0; i < 4; ++i) {
            p.mask[i] = mask.bytes[i];
            p.net.bytes[i] = static_cast<std::uint8_t>(a.bytes[i] & mask.bytes[i]);
        }
        return p;
    }

    // `[ item item, item ]`; returns the number of items.
    template <typename F>
    std::size_t list(F&& item) {
        const Token& open = next();  // '['
        std::size_t n = 0;
        for (;;) {
            const Token& t = peek();
            if (t.kind == Token::Kind::comma) {
                next();
                continue;
            }
            if (t.kind == Token::Kind::list_close) {
                if (n == 0) fail(t, "empty list");
                next();
                return n;
            }
            if (t.kind == Token::Kind::end) fail(open, "unbalanced " + quoted(open.text));
            if (t.kind != Token::Kind::word) fail(t, "expected a list item or ']', got " + quoted(t.text));
            item(next());
            ++n;
        }
    }

    std::uint32_t number_list(Node& n, std::string_view what, std::uint64_t max) {
        const std::size_t begin = f_.numbers_.size();
        list([&](const Token& t) {
            auto v = parse_uint(t.text, false);
            if (!v) fail(t, "expected " + std::string(what) + ", got " + quoted(t.text));
            if (*v > max) fail(t, out_of_range(t, max));
            f_.numbers_.push_back(*v);
        });
        auto first = f_.numbers_.begin() + static_cast<std::ptrdiff_t>(begin);
        std::sort(first, f_.numbers_.end());
        f_.numbers_.erase(std::unique(first, f_.numbers_.end()), f_.numbers_.end());
        n.left = static_cast<std::uint32_t>(begin);
        n.right = static_cast<std::uint32_t>(f_.numbers_.size());
        return add(n);
    }

    // ---- primitives

    std::uint32_t primitive(bool negate) {
        Node n;
        n.negate = negate;
        const Token& t = peek();
        if (t.kind != Token::Kind::word) fail(t, "expected a filter primitive, got " + describe(t));
        const std::string w = lower(t.text);
        if (w == "src" || w == "dst") {
            next();
            n.side = w == "src" ? Side::src : Side::dst;
            const Token& k = peek();
            const std::string kw = lower(k.text);
            if (k.kind == Token::Kind::word &&
                (kw == "host" || kw == "ip" || kw == "net" || kw == "port" || kw == "as")) {
                return sided(n);
            }
            fail(k, "expected host, ip, net, port or as after " + quoted(t.text) + ", got " + describe(k));
        }
        if (w == "host" || w == "ip" || w == "net" || w == "port" || w == "as") return sided(n);
        if (w == "in" || w == "out") {
            next();
            n.side = w == "in" ? Side::src : Side::dst;
            const Token& k = expect_word("if, packets or bytes after " + quoted(t.text));
            const std::string kw = lower(k.text);
            if (kw == "if") return compare(n, Test::interface, "an interface index", UINT32_MAX);
            if (kw == "packets") {
                return compare(n, w == "in" ? Test::packets : Test::rev_packets, "a packet count", UINT64_MAX, true);
            }
            if (kw == "bytes") {
                return compare(n, w == "in" ? Test::bytes : Test::rev_bytes, "a byte count", UINT64_MAX, true);
            }
            fail(k, "expected if, packets or bytes after " + quoted(t.text) + ", got " + quoted(k.text));
        }
        next();
        if (w == "any") {
            n.test = Test::any;
            return add(n);
        }
        if (w == "ipv4" || w == "inet") {
            n.test = Test::ipv4;
            return add(n);
        }
        if (w == "ipv6" || w == "inet6") {
            n.test = Test::ipv6;
            return add(n);
        }
        if (w == "proto") return protocol(n);
        if (w == "if") return compare(n, Test::interface, "an interface index", UINT32_MAX);
        if (w == "packets") return compare(n, Test::packets, "a packet count", UINT64_MAX, true);
        if (w == "bytes") return compare(n, Test::bytes, "a byte count", UINT64_MAX, true);
        if (w == "duration") return compare(n, Test::duration, "a duration in milliseconds", UINT64_MAX);
        if (w == "tos") return compare(n, Test::tos, "a type of service", 255);
        if (w == "version") return compare(n, Test::version, "an export version", 65535);
        if (w == "domain") return compare(n, Test::domain, "an observation domain", UINT32_MAX);
        if (w == "flags") return flags(n);
        if (w == "exporter") return exporter(n);
        if (w == "router" || w == "next") {
            const Token& k = peek();
            if (!word_is(k, "ip")) fail(k, "expected 'ip' after " + quoted(t.text) + ", got " + describe(k));
            next();
            n.test = w == "router" ? Test::exporter : Test::next_hop;
            n.prefix = address_or_prefix(expect_word("an address"), false);
            return add(n);
        }
        fail(t, "unknown keyword " + quoted(t.text));
    }

    // After an optional src/dst: host|ip|net|port|as.
    std::uint32_t sided(Node& n) {
        const Token& k = next();
        const std::string kw = lower(k.text);
        if (kw == "host" || kw == "ip") {
            if (word_is(peek(), "in") && peek(1).kind == Token::Kind::list_open) {
                next();
                n.test = Test::address_list;
                n.left = static_cast<std::uint32_t>(f_.prefixes_.size());
                list([&](const Token& item) { f_.prefixes_.push_back(address_or_prefix(item, true)); });
                n.right = static_cast<std::uint32_t>(f_.prefixes_.size());
                return add(n);
            }
            n.test = Test::address;
            n.prefix = address_or_prefix(expect_word("an address after " + quoted(k.text)), false);
            return add(n);
        }
        if (kw == "net") {
            n.test = Test::address;
            n.prefix = network();
            return add(n);
        }
        const bool port = kw == "port";
        const std::string_view what = port ? "a port" : "an AS number";
        const std::uint64_t max = port ? 65535 : UINT32_MAX;
        if (word_is(peek(), "in") && peek(1).kind == Token::Kind::list_open) {
            next();
            n.test = port ? Test::port_list : Test::as_list;
            return number_list(n, what, max);
        }
        return compare(n, port ? Test::port : Test::as, what, max);
    }

    std::uint32_t compare(Node& n, Test test, std::string_view what, std::uint64_t max, bool scaled = false) {
        n.test = test;
        n.cmp = comparator().value_or(Cmp::eq);
        n.value = number(what, max, scaled);
        return add(n);
    }

    std::uint32_t protocol(Node& n) {
        n.test = Test::protocol;
        const Token& t = expect_word("a protocol name or number");
        if (auto v = parse_uint(t.text, false)) {
            if (*v > 255) fail(t, out_of_range(t, 255));
            n.value = *v;
            return add(n);
        }
        const std::string name = lower(t.text);
        // nfdump's short names beside the IANA keywords.
        if (name == "icmp6" || name == "icmpv6") {
            n.value = 58;
            return add(n);
        }
        for (const ProtocolEntry& p : protocol_table()) {
            if (p.keyword == name) {
                n.value = p.number;
                return add(n);
            }
        }
        fail(t, "unknown protocol " + quoted(t.text));
    }

    std::uint32_t flags(Node& n) {
        const Token& t = expect_word("TCP flags (letters of UAPRSFX)");
        std::uint64_t mask = 0;
        for (char c : t.text) {
            switch (std::toupper(static_cast<unsigned char>(c))) {
            case 'F': mask |= 0x01U; break;
            case 'S': mask |= 0x02U; break;
            case 'R': mask |= 0x04U; break;
            case 'P': mask |= 0x08U; break;
            case 'A': mask |= 0x10U; break;
            case 'U': mask |= 0x20U; break;
            case 'X': mask |= 0x3fU; break;
            default: fail(t, "unknown TCP flag '" + std::string(1, c) + "' in " + quoted(t.text) + " (UAPRSFX)");
            }
        }
        // nfdump: `flags AS` = all of them set; `not flags AS` = none of them set.
        n.test = n.negate ? Test::flags_none : Test::flags_all;
        n.negate = false;
        n.value = mask;
        return add(n);
    }

    std::uint32_t exporter(Node& n) {
        n.test = Test::exporter;
        const Token& t = peek();
        if (t.kind == Token::Kind::list_open) {  // [V6]:PORT
            next();
            const Token& a = expect_word("an IPv6 address after '['");
            n.prefix = address_or_prefix(a, false);
            const Token& close = peek();
            if (close.kind != Token::Kind::list_close) fail(close, "expected ']', got " + describe(close));
            next();
            const Token& p = peek();
            if (p.kind == Token::Kind::word && p.text.size() > 1 && p.text.front() == ':' &&
                p.column == close.column + 1) {
                next();
                auto v = parse_uint(p.text.substr(1), false);
                if (!v || *v > 65535) fail(p, "expected a port after ':', got " + quoted(p.text));
                n.value = *v;
            }
            return add(n);
        }
        const Token& w = expect_word("an exporter address (ADDR, ADDR:PORT or [V6]:PORT)");
        std::string_view text = w.text;
        // One colon: IPv4 with a port. More: an IPv6 address (ports need the bracket form).
        if (const auto colon = text.find(':'); colon != std::string_view::npos && text.rfind(':') == colon) {
            auto v = parse_uint(text.substr(colon + 1), false);
            if (!v || *v > 65535) fail(w, "expected a port after ':' in " + quoted(w.text));
            n.value = *v;
            text = text.substr(0, colon);
        }
        const wire::IpAddress a = parse_address(text);
        if (a.family == 0)
            fail(w, "expected an exporter address (ADDR, ADDR:PORT or [V6]:PORT), got " + quoted(w.text));
        n.prefix = prefix_of(a, a.family == 4 ? 32 : 128);
        return add(n);
    }

    std::vector<Token> tokens_;
    std::size_t pos_ = 0;
    std::size_t depth_ = 0;
    Filter f_;
};

std::optional<FilterError> compile_filter(std::string_view text, Filter& out) {
    try {
        FilterParser parser(text);
        parser.run(out);
        return std::nullopt;
    } catch (const ParseFailure& failure) {
        return failure.error;
    }
}

// ---- evaluation

bool Filter::Prefix::contains(const wire::IpAddress& a) const noexcept {
    if (a.family != net.family) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if ((a.bytes[i] & mask[i]) != net.bytes[i]) return false;
    }
    return true;
}

namespace {

bool compare(Filter::Cmp cmp, std::uint64_t have, std::uint64_t want) noexcept {
    switch (cmp) {
    case Filter::Cmp::eq: return have == want;
    case Filter::Cmp::lt: return have < want;
    case Filter::Cmp::gt: return have > want;
    case Filter::Cmp::le: return have <= want;
    case Filter::Cmp::ge: return have >= want;
    }
    return false;
}

// A test on one value per side: src, dst, or either.
template <typename F>
bool sides(Filter::Side side, F&& on) noexcept {
    switch (side) {
    case Filter::Side::src: return on(true);
    case Filter::Side::dst: return on(false);
    case Filter::Side::either: return on(true) || on(false);
    }
    return false;
}

}  // namespace

bool Filter::accepts_all() const noexcept {
    return nodes_.empty() ||
           (nodes_.back().kind == Node::Kind::test && nodes_.back().test == Test::any && !nodes_.back().negate);
}

bool Filter::matches(const FlowRecord& flow) const noexcept {
    if (nodes_.empty()) return true;
    return eval(static_cast<std::uint32_t>(nodes_.size() - 1), flow);
}

bool Filter::eval(std::uint32_t index, const FlowRecord& flow) const noexcept {
    const Node& n = nodes_[index];
    switch (n.kind) {
    case Node::Kind::all_of:
        for (std::uint32_t i = n.left; i < n.right; ++i) {
            if (!eval(children_[i], flow)) return false;
        }
        return true;
    case Node::Kind::any_of:
        for (std::uint32_t i = n.left; i < n.right; ++i) {
            if (eval(children_[i], flow)) return true;
        }
        return false;
    case Node::Kind::test: return test(n, flow) != n.negate;
    }
    return false;
}

bool Filter::test(const Node& n, const FlowRecord& flow) const noexcept {
    auto in_numbers = [&](std::uint64_t v) {
        const auto first = numbers_.begin() + n.left, last = numbers_.begin() + n.right;
        return std::binary_search(first, last, v);
    };
    switch (n.test) {
    case Test::any: return true;
    case Test::ipv4: return flow.src.family == 4 && flow.dst.family == 4;
    case Test::ipv6: return flow.src.family == 6 && flow.dst.family == 6;
    case Test::protocol: return flow.protocol == n.value;
    case Test::address: return sides(n.side, [&](bool src) { return n.prefix.contains(src ? flow.src : flow.dst); });
    case Test::address_list:
        return sides(n.side, [&](bool src) {
            const wire::IpAddress& a = src ? flow.src : flow.dst;
            for (std::uint32_t i = n.left; i < n.right; ++i) {
                if (prefixes_[i].contains(a)) return true;
            }
            return false;
        });
    case Test::port:
        return sides(n.side, [&](bool src) { return compare(n.cmp, src ? flow.src_port : flow.dst_port, n.value); });
    case Test::port_list:
        return sides(n.side, [&](bool src) { return in_numbers(src ? flow.src_port : flow.dst_port); });
    case Test::as:
        return sides(n.side, [&](bool src) { return compare(n.cmp, src ? flow.src_as : flow.dst_as, n.value); });
    case Test::as_list: return sides(n.side, [&](bool src) { return in_numbers(src ? flow.src_as : flow.dst_as); });
    case Test::interface:
        return sides(n.side, [&](bool in) { return compare(n.cmp, in ? flow.input_if : flow.output_if, n.value); });
    case Test::packets: return compare(n.cmp, flow.packets, n.value);
    case Test::bytes: return compare(n.cmp, flow.bytes, n.value);
    case Test::rev_packets: return compare(n.cmp, flow.rev_packets, n.value);
    case Test::rev_bytes: return compare(n.cmp, flow.rev_bytes, n.value);
    case Test::duration:
        if (!flow.start_ns || !flow.end_ns) return false;
        return compare(n.cmp, span_ns(*flow.start_ns, *flow.end_ns) / 1'000'000, n.value);
    case Test::flags_all: return (flow.tcp_flags & n.value) == n.value;
    case Test::flags_none: return (flow.tcp_flags & n.value) == 0;
    case Test::tos: return compare(n.cmp, flow.tos, n.value);
    case Test::next_hop: return n.prefix.contains(flow.next_hop);
    case Test::exporter:
        return n.prefix.contains(flow.exporter.addr) && (n.value == 0 || flow.exporter.port == n.value);
    case Test::version: return compare(n.cmp, flow.version, n.value);
    case Test::domain: return compare(n.cmp, flow.domain, n.value);
    }
    return false;
}

}  // namespace nfpcap::analyze
