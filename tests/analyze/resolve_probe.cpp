// SPDX-License-Identifier: MIT
// Test helper: reverse-resolves the addresses given on the command line with analyze::Resolver.
//
//   resolve_probe [--timeout MS] [--budget MS] [--parallel N] [--hosts FILE] ADDR...
//
// Prints "ADDR NAME" per address (NAME is ADDR when there is none), then one stats line:
// "stats asked=.. named=.. unnamed=.. timed_out=.. skipped=.. from_names=.. elapsed_ms=..".
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "nfpcap/analyze/hosts_file.hpp"
#include "nfpcap/analyze/resolver.hpp"

using namespace nfpcap;

int main(int argc, char** argv) {
    try {
        analyze::ResolverOptions options;
        std::vector<wire::IpAddress> addresses;
        analyze::NameMap hosts;
        for (int i = 1; i < argc; ++i) {
            const std::string_view arg = argv[i];
            const bool has_value = i + 1 < argc;
            if (arg == "--timeout" && has_value) {
                options.lookup_timeout = std::chrono::milliseconds{std::stol(argv[++i])};
            } else if (arg == "--budget" && has_value) {
                options.budget = std::chrono::milliseconds{std::stol(argv[++i])};
            } else if (arg == "--parallel" && has_value) {
                options.parallel = std::stoul(argv[++i]);
            } else if (arg == "--hosts" && has_value) {
                hosts = analyze::read_hosts_file(argv[++i]);
            } else {
                const auto a = wire::IpAddress::parse(std::string(arg));
                if (a.family == 0) {
                    std::fprintf(stderr, "resolve_probe: not an address: %s\n", argv[i]);
                    return 2;
                }
                addresses.push_back(a);
            }
        }
        analyze::Resolver resolver(options);
        resolver.add_names(std::move(hosts));
        const auto names = resolver.resolve(addresses);
        for (const auto& a : addresses) {
            const auto text = wire::to_string(a);
            const auto it = names.find(a);
            std::printf("%s %s\n", text.c_str(), it != names.end() ? it->second.c_str() : text.c_str());
        }
        const auto& s = resolver.stats();
        std::printf("stats asked=%zu named=%zu unnamed=%zu timed_out=%zu skipped=%zu from_names=%zu elapsed_ms=%lld\n",
                    s.asked, s.named, s.unnamed, s.timed_out, s.skipped, s.from_names,
                    static_cast<long long>(s.elapsed.count()));
        std::fflush(stdout);
        // Returning from main with lookups still stuck on a silent server must not wait for them.
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "resolve_probe: %s\n", e.what());
        return 1;
    }
}
