// SPDX-License-Identifier: MIT
// `nfpcap templates`: the templates each exporter session defined.
#pragma once
#include "input.hpp"

namespace nfpcap::cli {

struct TemplatesOptions {
    InputOptions input;
    report::Format format = report::Format::text;
};

CLI::App* setup_templates(CLI::App& app, TemplatesOptions& options);
int run_templates(const TemplatesOptions& options);

}  // namespace nfpcap::cli
