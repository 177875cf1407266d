// SPDX-License-Identifier: MIT
#include "help.hpp"

#include <sstream>

namespace nfpcap::cli {

std::string bare_type_name(const std::string& full) {
    int depth = 0;
    for (std::size_t i = 0; i < full.size(); ++i) {
        const char c = full[i];
        if (c == '[') ++depth;
        if (c == ']') --depth;
        if (c == ':' && depth == 0) return full.substr(0, i);
    }
    return full;
}

std::string HelpFormatter::make_help(const CLI::App* app, std::string name, CLI::AppFormatMode mode) const {
    if (mode != CLI::AppFormatMode::Normal || app->get_parent() != nullptr || default_command_ == nullptr) {
        return CLI::Formatter::make_help(app, std::move(name), mode);
    }
    // `nfpcap --help`: what `nfpcap [OPTIONS] FILE...` takes is the default command's.
    std::stringstream out;
    out << make_description(app) << make_usage(app, name) << make_groups(app, mode)
        << make_subcommands(app, mode) << "\nOptions of " << default_command_->get_name()
        << ", the command run without one (nfpcap [OPTIONS] FILE...):\n"
        << make_groups(default_command_, mode) << make_footer(app);
    return out.str();
}

std::string HelpFormatter::make_option_opts(const CLI::Option* option) const {
    if (!option->get_option_text().empty()) return " " + option->get_option_text();
    std::string out;
    if (option->get_type_size() != 0) {
        const std::string type = bare_type_name(option->get_type_name());
        if (!type.empty()) out += " " + type;
        if (option->get_expected_max() == CLI::detail::expected_max_vector_size) out += " ...";
    }
    return out;
}

std::string HelpFormatter::make_option_desc(const CLI::Option* option) const {
    std::string desc = option->get_description();
    const std::string& value = option->get_default_str();
    // A default the description does not state already.
    if (!value.empty() && desc.find("default") == std::string::npos) desc += " (default " + value + ")";
    return desc;
}

}  // namespace nfpcap::cli
