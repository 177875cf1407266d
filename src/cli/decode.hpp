// SPDX-License-Identifier: MIT
// `nfpcap decode`: hex payloads (arguments, a file or stdin) decoded and printed like `flows`.
#pragma once
#include <string>
#include <vector>

#include "input.hpp"
#include "nfpcap/report/record_writer.hpp"

namespace nfpcap::cli {

struct DecodeOptions {
    std::vector<std::string> hex;    ///< payloads given as arguments
    std::vector<std::string> files;  ///< --file, "-" for stdin
    report::Format format = report::Format::text;
    bool options_records = false;
    bool provenance = false;
    std::size_t pending_limit = session::SessionOptions{}.pending_limit;
    bool join_options = false;
};

CLI::App* setup_decode(CLI::App& app, DecodeOptions& options);
int run_decode(const DecodeOptions& options);

}  // namespace nfpcap::cli
