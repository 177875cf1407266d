// SPDX-License-Identifier: MIT
// nfpcap: NetFlow v1/v5/v9 and IPFIX analysis of packet captures.
#include <csignal>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "flows.hpp"
#include "stats.hpp"
#include "templates.hpp"

int main(int argc, char** argv) {
    using namespace nfpcap::cli;
    // A closed pipe (`| head`) shows up as a write error, handled by report::Output.
    std::signal(SIGPIPE, SIG_IGN);

    CLI::App app{"nfpcap: decode NetFlow v1/v5/v9 and IPFIX export traffic in packet captures", "nfpcap"};
    app.set_version_flag("--version", std::string("nfpcap ") + NFPCAP_VERSION);
    app.require_subcommand(1);
    app.footer("Run `nfpcap COMMAND --help` for a command's options. See nfpcap(1).");

    FlowsOptions flows;
    StatsOptions stats;
    TemplatesOptions templates;
    auto* flows_cmd = setup_flows(app, flows);
    auto* stats_cmd = setup_stats(app, stats);
    auto* templates_cmd = setup_templates(app, templates);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        fmt::print(stderr, "nfpcap: {}\nRun `nfpcap --help` for usage.\n", e.what());
        return kExitUsage;
    }
    try {
        if (*flows_cmd) return run_flows(flows);
        if (*stats_cmd) return run_stats(stats);
        if (*templates_cmd) return run_templates(templates);
    } catch (const std::exception& e) {
        fmt::print(stderr, "nfpcap: {}\n", e.what());
        return kExitInputError;
    }
    return kExitUsage;
}
