// SPDX-License-Identifier: MIT
// nfpcap: NetFlow v1/v5/v9 and IPFIX analysis of packet captures.
#include <fcntl.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <string_view>
#include <utility>
#include <vector>

#include "commands.hpp"
#include "connections.hpp"
#include "decode.hpp"
#include "flows.hpp"
#include "help.hpp"
#include "hex.hpp"
#include "nfpcap/fixture/pcap_writer.hpp"
#include "report.hpp"
#include "stats.hpp"
#include "templates.hpp"
#include "timeline.hpp"
#include "top.hpp"

namespace {

using nfpcap::cli::is_command;
using nfpcap::cli::kCommands;

// The input options every command shares may come before the command, as in
// `nfpcap --listen :2055 --write today.pcap flows -T json`: the command moves in front of them.
void command_first(std::vector<std::string>& args) {
    // Every option of add_input_options (cli/input.cpp) but the files, and -n (every command has it).
    static constexpr std::string_view kWithValue[] = {
        "--listen",   "--listen-tcp", "-i",     "--interface",     "-f",          "--capture-filter", "--write",
        "--rcvbuf",   "--duration",   "-c",     "--count",         "--datagrams", "--port",           "--tcp",
        "--tcp-port", "-r",           "--read", "--pending-limit", "--ie-file"};
    static constexpr std::string_view kFlags[] = {
        "-l", "--line-buffered", "--no-progress", "--merge", "--two-pass", "--no-two-pass", "-n", "--no-dns"};
    std::size_t i = 1;
    while (i < args.size()) {
        const std::string_view word = args[i];
        bool value = false, flag = false;
        for (auto o : kWithValue) value = value || word == o;
        for (auto o : kFlags) flag = flag || word == o;
        for (auto o : kWithValue) {
            flag = flag || (word.size() > o.size() && word.substr(0, o.size()) == o && word[o.size()] == '=');
        }
        if (value) {
            i += 2;
        } else if (flag) {
            i += 1;
        } else {
            break;
        }
    }
    if (i > 1 && i < args.size() && is_command(args[i])) {
        // Before the command every option is an input option: named so that the command's own
        // options (timeline -i, top --count) cannot take them.
        static constexpr std::pair<std::string_view, std::string_view> kUnambiguous[] = {{"-i", "--interface"},
                                                                                         {"-f", "--capture-filter"},
                                                                                         {"-l", "--line-buffered"},
                                                                                         {"-c", "--datagrams"},
                                                                                         {"--count", "--datagrams"}};
        for (std::size_t k = 1; k < i; ++k) {
            for (auto [from, to] : kUnambiguous) {
                if (args[k] == from) {
                    args[k] = to;
                } else if (args[k].size() > from.size() && args[k].compare(0, from.size(), from) == 0 &&
                           args[k][from.size()] == '=') {
                    // --count=5 is -c5; a long name keeps its '='
                    const std::size_t value = from.size() + (to.substr(0, 2) == "--" ? 0 : 1);
                    args[k] = std::string(to) + args[k].substr(value);
                }
            }
        }
        std::string command = std::move(args[i]);
        args.erase(args.begin() + static_cast<std::ptrdiff_t>(i));
        args.insert(args.begin() + 1, std::move(command));
    }
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = up;
        }
    }
    return row[b.size()];
}

// A first word that is no file but nearly a command name (`flow`, `stat`, `tempaltes`) is a
// typo, not a capture to open: the nearest command, if it is near enough.
std::string_view nearest_command(std::string_view word) {
    if (word.empty() || word[0] == '-' || std::filesystem::exists(std::string(word))) return {};
    std::string_view best;
    std::size_t best_distance = 3;  // at most two edits
    for (auto c : kCommands) {
        const std::size_t d = edit_distance(word, c);
        if (d == 0) return {};
        if (d < best_distance && d < c.size()) {
            best = c;
            best_distance = d;
        }
    }
    return best;
}

// `nfpcap [OPTIONS] FILE...` is `nfpcap connections [OPTIONS] FILE...`: anything but a
// command name or a top-level flag in first place selects the default command.
std::vector<std::string> with_default_command(int argc, char** argv) {
    std::vector<std::string> args(argv, argv + argc);
    command_first(args);
    static constexpr std::string_view kTopLevel[] = {"-h", "--help", "--help-all", "--version"};
    if (args.size() > 1) {
        bool top_level = is_command(args[1]);
        for (auto word : kTopLevel) top_level = top_level || args[1] == word;
        if (!top_level) args.insert(args.begin() + 1, "connections");
    }
    return args;
}

// A standard descriptor the caller closed (`>&-`) would be taken by the next file opened, and
// output meant for standard output would land in it: each closed one gets /dev/null opened the
// wrong way round (standard output read-only, standard input write-only), so that using it
// fails with EBADF as a closed descriptor does, and is reported.
void hold_closed_descriptors() {
    for (int fd = 0; fd <= 2; ++fd) {
        if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
        const int held = ::open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY);
        if (held >= 0 && held != fd) {
            ::dup2(held, fd);
            ::close(held);
        }
    }
}

// --help and --version go to std::cout: a full disk there is an output error too.
int help_written(int rc) {
    std::cout.flush();
    if (std::cout.good()) return rc;
    const int error = errno;
    if (error == EPIPE) return rc;
    nfpcap::cli::print_output_error("standard output", error != 0 ? error : EIO);
    return nfpcap::cli::kExitOutputError;
}

int run_main(int argc, char** argv) {
    using namespace nfpcap::cli;
    hold_closed_descriptors();
    // A closed pipe (`| head`) shows up as a write error, handled by report::Output.
    std::signal(SIGPIPE, SIG_IGN);
    // From the start: a signal during setup or output then never ends the process mid-write.
    install_stop_handlers();

    CLI::App app{
        "nfpcap: decode NetFlow v1/v5/v9 and IPFIX export traffic in packet captures, or live as a collector.\n"
        "Without a command, nfpcap [OPTIONS] FILE... runs `connections`. Instead of FILE, every command can\n"
        "listen (--listen [ADDR:]PORT UDP, --listen-tcp PORT IPFIX over TCP) or capture (-i IFACE -f BPF),\n"
        "and save what it receives (--write FILE.pcap); Ctrl-C stops and prints what was received.",
        "nfpcap"};
    app.set_version_flag("--version", std::string("nfpcap ") + NFPCAP_VERSION);
    // Before the commands are added: they take their parent's formatter.
    auto formatter = std::make_shared<HelpFormatter>();
    app.formatter(formatter);
    app.require_subcommand(1);
    app.footer(
        "Run `nfpcap COMMAND --help` for a command's options. See nfpcap(1).\n"
        "Exit status (every command): 0 ok, 1 input error, 2 usage error, 3 output error (cannot write: full disk,\n"
        "closed descriptor), 128+N when signal N stopped the reading of a file (live input, standard input: 0).");

    ConnectionsOptions connections;
    FlowsOptions flows;
    StatsOptions stats;
    TemplatesOptions templates;
    HexOptions hex;
    DecodeOptions decode;
    TopOptions top;
    TimelineOptions timeline;
    ReportOptions report;
    auto* connections_cmd = setup_connections(app, connections);
    auto* flows_cmd = setup_flows(app, flows);
    auto* stats_cmd = setup_stats(app, stats);
    auto* templates_cmd = setup_templates(app, templates);
    auto* hex_cmd = setup_hex(app, hex);
    auto* decode_cmd = setup_decode(app, decode);
    auto* top_cmd = setup_top(app, top);
    auto* timeline_cmd = setup_timeline(app, timeline);
    auto* report_cmd = setup_report(app, report);
    formatter->set_default_command(connections_cmd);

    if (argc > 1) {
        if (auto guess = nearest_command(argv[1]); !guess.empty()) {
            fmt::print(stderr,
                       "nfpcap: '{}' is neither a command nor a file; did you mean '{}'?\n"
                       "Run `nfpcap --help` for the commands.\n",
                       argv[1], guess);
            return kExitUsage;
        }
    }
    try {
        std::vector<std::string> args = with_default_command(argc, argv);
        std::vector<const char*> cargs;
        cargs.reserve(args.size());
        for (const auto& a : args) cargs.push_back(a.c_str());
        app.parse(static_cast<int>(cargs.size()), cargs.data());
    } catch (const CLI::CallForHelp& e) {
        return help_written(app.exit(e));
    } catch (const CLI::CallForAllHelp& e) {
        return help_written(app.exit(e));
    } catch (const CLI::CallForVersion& e) {
        return help_written(app.exit(e));
    } catch (const CLI::ParseError& e) {
        fmt::print(stderr, "nfpcap: {}\nRun `nfpcap --help` for usage.\n", e.what());
        return kExitUsage;
    }
    try {
        if (*connections_cmd) return run_connections(connections);
        if (*flows_cmd) return run_flows(flows);
        if (*stats_cmd) return run_stats(stats);
        if (*templates_cmd) return run_templates(templates);
        if (*hex_cmd) return run_hex(hex);
        if (*decode_cmd) return run_decode(decode);
        if (*top_cmd) return run_top(top);
        if (*timeline_cmd) return run_timeline(timeline);
        if (*report_cmd) return run_report(report);
    } catch (const nfpcap::fixture::PcapCreateError& e) {  // hex --pcap, --write
        fmt::print(stderr, "nfpcap: {}\n", e.what());
        return kExitOutputError;
    } catch (const std::exception& e) {
        fmt::print(stderr, "nfpcap: {}\n", e.what());
        return kExitInputError;
    }
    return kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
    // The last boundary, for what the commands' own handlers do not see (setting up the
    // command line, out of memory): a message and an exit status rather than std::terminate.
    try {
        return run_main(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "nfpcap: %s\n", e.what());
    } catch (...) {
        std::fputs("nfpcap: unexpected error\n", stderr);
    }
    return nfpcap::cli::kExitInputError;
}
