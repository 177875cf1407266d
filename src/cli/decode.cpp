// SPDX-License-Identifier: MIT
// `nfpcap decode`: hex fixture lines back to records, templates carried from line to line.
#include "decode.hpp"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "nfpcap/fixture/fixture.hpp"

namespace nfpcap::cli {

namespace {

/// Hex digits (blanks and ':' between bytes allowed) to bytes; an error message otherwise.
std::optional<std::string> parse_hex_text(std::string_view text, std::vector<std::byte>& out) {
    if (auto error = netflow::parse_hex(text, out)) return error;
    if (out.empty()) return std::string("no hex digits");
    return std::nullopt;
}

std::optional<std::int64_t> parse_number(std::string_view s) {
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size() || s.empty()) return std::nullopt;
    return v;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction]Z`, as `hex` writes it, to Unix nanoseconds.
std::optional<std::int64_t> parse_iso_time(std::string_view s) {
    if (s.size() < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
        s.back() != 'Z') {
        return std::nullopt;
    }
    auto y = parse_number(s.substr(0, 4));
    auto mo = parse_number(s.substr(5, 2));
    auto d = parse_number(s.substr(8, 2));
    auto h = parse_number(s.substr(11, 2));
    auto mi = parse_number(s.substr(14, 2));
    auto se = parse_number(s.substr(17, 2));
    if (!y || !mo || !d || !h || !mi || !se || *mo < 1 || *mo > 12 || *d < 1 || *d > 31) return std::nullopt;
    std::int64_t ns = 0;
    std::string_view frac = s.substr(19, s.size() - 20);
    if (!frac.empty()) {
        if (frac[0] != '.' || frac.size() < 2 || frac.size() > 10) return std::nullopt;
        auto f = parse_number(frac.substr(1));
        if (!f) return std::nullopt;
        ns = *f;
        for (std::size_t i = frac.size() - 1; i < 9; ++i) ns *= 10;
    }
    const std::int64_t days = days_from_civil(*y, static_cast<unsigned>(*mo), static_cast<unsigned>(*d));
    return ((days * 24 + *h) * 60 + *mi) * 60 * 1'000'000'000 + *se * 1'000'000'000 + ns;
}

// Hands records to the writer; notes the issues that lost data for a warning.
class Forward final : public netflow::DecodeSink {
public:
    Forward(netflow::DecodeSink& next, bool quiet) : next_(next), quiet_(quiet) {}
    void on_record(const netflow::DataRecord& r) override {
        if (!quiet_) next_.on_record(r);
    }
    void on_issue(const netflow::MessageContext&, const netflow::Issue& issue) override {
        if (netflow::loses_data(issue.reason)) issues.push_back(issue);
    }
    std::vector<netflow::Issue> issues;

private:
    netflow::DecodeSink& next_;
    bool quiet_;
};

/// Decodes lines in order; a `#` comment names the exporter/collector (kept until another
/// comment changes them) and the frame and time of the next hex line, or marks it `rebuilt`.
class LineDecoder {
public:
    explicit LineDecoder(netflow::DecodeSink& sink) : sink_(sink) {}

    /// `where` names the line in messages (`FILE:LINE`, `argument N`); `number` is its
    /// frame unless a comment gives one. False when the line is bad.
    bool line(std::string_view text, const std::string& where, std::uint64_t number) {
        while (!text.empty() && (text.back() == '\r' || text.back() == ' ' || text.back() == '\t')) {
            text.remove_suffix(1);
        }
        while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
        if (text.empty()) return true;
        if (text.front() == '#') return comment(text.substr(1), where);
        if (auto error = parse_hex_text(text, bytes_)) {
            fmt::print(stderr, "nfpcap: {}: {}\n", where, *error);
            return false;
        }
        netflow::MessageContext context{frame_.value_or(number), time_ns_.value_or(0), exporter_, collector_};
        frame_.reset();
        time_ns_.reset();
        auto peek = netflow::peek_header(bytes_);
        const session::SessionKey key{exporter_, collector_, peek ? peek->version : std::uint16_t{0},
                                      peek ? peek->domain : 0U};
        // A `# rebuilt` line only restores state (templates, boot time) that frames outside
        // the fixture set up: its records were not selected, so they are not printed.
        Forward forward(sink_, rebuilt_);
        rebuilt_ = false;
        auto tally = netflow::decode_message(bytes_, context, states_[key], forward);
        if (tally.fatal) {
            fmt::print(stderr, "nfpcap: {}: not decoded: {} ({})\n", where, netflow::describe(*tally.fatal),
                       netflow::name(*tally.fatal));
            return false;
        }
        for (const auto& issue : forward.issues) {
            fmt::print(stderr, "nfpcap: {}: warning: {} ({}) at byte {}", where, netflow::describe(issue.reason),
                       netflow::name(issue.reason), issue.offset);
            if (issue.template_id != 0) fmt::print(stderr, ", template {}", issue.template_id);
            fmt::print(stderr, "\n");
        }
        return true;
    }

private:
    bool comment(std::string_view text, const std::string& where) {
        rebuilt_ = text.substr(0, 9) == " rebuilt " || text == " rebuilt";
        while (!text.empty()) {
            const auto space = text.find(' ');
            std::string_view word = text.substr(0, space);
            text = space == std::string_view::npos ? std::string_view{} : text.substr(space + 1);
            const auto eq = word.find('=');
            if (eq == std::string_view::npos) continue;
            const std::string_view key = word.substr(0, eq);
            const std::string value(word.substr(eq + 1));
            bool ok = true;
            if (key == "frame") {
                auto v = parse_number(value);
                ok = v && *v >= 0;
                if (ok) frame_ = static_cast<std::uint64_t>(*v);
            } else if (key == "time") {
                time_ns_ = parse_iso_time(value);
                ok = time_ns_.has_value();
            } else if (key == "exporter" || key == "collector") {
                try {
                    auto [addr, port] = fixture::parse_exporter(value);
                    (key == "exporter" ? exporter_ : collector_) = wire::Endpoint{addr, port.value_or(0)};
                } catch (const std::invalid_argument&) {
                    ok = false;
                }
            }
            if (!ok) {
                fmt::print(stderr, "nfpcap: {}: comment: bad {} '{}'\n", where, key, value);
                return false;
            }
        }
        return true;
    }

    netflow::DecodeSink& sink_;
    std::map<session::SessionKey, netflow::DecoderState> states_;
    std::vector<std::byte> bytes_;
    wire::Endpoint exporter_;
    wire::Endpoint collector_;
    std::optional<std::uint64_t> frame_;
    std::optional<std::int64_t> time_ns_;
    bool rebuilt_ = false;
};

}  // namespace

CLI::App* setup_decode(CLI::App& app, DecodeOptions& options) {
    auto* sub = app.add_subcommand(
        "decode",
        "Decode hex export payloads (arguments, --file or standard input; # comments as `hex` writes "
        "them) and print the records like `flows`");
    const std::map<std::string, report::RecordFormat> formats{
        {"text", report::RecordFormat::text}, {"json", report::RecordFormat::json}, {"csv", report::RecordFormat::csv}};
    add_choices(sub->add_option("-f,--format", options.format, "Output format: text, json (JSON lines) or csv")
                    ->type_name("FORMAT"),
                formats);
    sub->add_flag("--options", options.options_records, "Also print options records (marked \"kind\":\"options\")");
    sub->add_option("--file", options.files, "Read hex lines from this file (repeatable); - reads standard input")
        ->type_name("FILE");
    sub->add_option("hex", options.hex,
                    "Hex payloads, one export datagram each, decoded in order; - reads standard input")
        ->type_name("HEX...");
    return sub;
}

int run_decode(const DecodeOptions& options) {
    report::Output out(stdout);
    report::RecordWriter writer(out, {options.format, options.options_records});
    LineDecoder decoder(writer);
    int exit_code = kExitOk;
    auto read_stream = [&](std::istream& in, const std::string& name) {
        std::string text;
        std::uint64_t number = 0;
        while (!out.closed() && std::getline(in, text)) {
            ++number;
            if (!decoder.line(text, fmt::format("{}:{}", name, number), number)) exit_code = kExitInputError;
            out.maybe_flush();
        }
    };
    for (std::size_t i = 0; i < options.hex.size() && !out.closed(); ++i) {
        if (options.hex[i] == "-") {  // as everywhere else in nfpcap: standard input
            read_stream(std::cin, "<stdin>");
            continue;
        }
        if (!decoder.line(options.hex[i], fmt::format("argument {}", i + 1), i + 1)) exit_code = kExitInputError;
    }
    for (const std::string& file : options.files) {
        if (file == "-") {
            read_stream(std::cin, "<stdin>");
            continue;
        }
        std::ifstream in(file);
        if (!in) {
            fmt::print(stderr, "nfpcap: {}: cannot open: {}\n", file, std::strerror(errno));
            exit_code = kExitInputError;
            continue;
        }
        read_stream(in, file);
        if (in.bad()) {
            fmt::print(stderr, "nfpcap: {}: read error\n", file);
            exit_code = kExitInputError;
        }
    }
    if (options.hex.empty() && options.files.empty()) read_stream(std::cin, "<stdin>");
    out.flush();
    return exit_code;
}

}  // namespace nfpcap::cli
