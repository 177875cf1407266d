// SPDX-License-Identifier: MIT
// Hosts-file (hosts(5)) parsing for names given on the command line.
#include "nfpcap/analyze/hosts_file.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string_view>

namespace nfpcap::analyze {
namespace {

constexpr std::string_view kBlank = " \t\r\f\v";

/// Next blank-separated word of `line` from `pos`; empty at the end.
std::string_view next_word(std::string_view line, std::size_t& pos) {
    const auto begin = line.find_first_not_of(kBlank, pos);
    if (begin == std::string_view::npos) {
        pos = line.size();
        return {};
    }
    auto end = line.find_first_of(kBlank, begin);
    if (end == std::string_view::npos) end = line.size();
    pos = end;
    return line.substr(begin, end - begin);
}

}  // namespace

NameMap read_hosts_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error(path + ": cannot open: " + std::strerror(errno));
    NameMap names;
    std::string text;
    std::size_t line_no = 0;
    while (std::getline(in, text)) {
        ++line_no;
        std::string_view line = text;
        line = line.substr(0, line.find('#'));
        std::size_t pos = 0;
        const auto addr_text = next_word(line, pos);
        if (addr_text.empty()) continue;
        const auto name = next_word(line, pos);
        const auto where = path + ":" + std::to_string(line_no) + ": ";
        // Only the address part: a zone names an interface of the machine that wrote the file.
        const auto address = wire::IpAddress::parse(std::string(addr_text.substr(0, addr_text.find('%'))));
        if (address.family == 0) {
            throw std::runtime_error(where + "not an IP address: '" + std::string(addr_text) + "'");
        }
        if (name.empty()) throw std::runtime_error(where + "no host name after " + std::string(addr_text));
        names.try_emplace(address, name);
    }
    if (in.bad()) throw std::runtime_error(path + ": read error");
    return names;
}

}  // namespace nfpcap::analyze
