// SPDX-License-Identifier: MIT
// `flows` output: one decoded record per line as text, JSON lines or CSV.
#pragma once
#include <string>

#include "nfpcap/netflow/decoder.hpp"
#include "nfpcap/report/output.hpp"

namespace nfpcap::report {

enum class RecordFormat : std::uint8_t { text, json, csv };

struct RecordWriterOptions {
    RecordFormat format = RecordFormat::text;
    bool include_options = false;  ///< also print options records ("kind":"options")
};

class RecordWriter final : public netflow::DecodeSink {
public:
    RecordWriter(Output& out, RecordWriterOptions options);

    /// Names the capture file in every record (when several files are read).
    void set_file(std::string file) { file_ = std::move(file); }

    void on_record(const netflow::DataRecord& record) override;

private:
    void write_json(const netflow::DataRecord& r);
    void write_text(const netflow::DataRecord& r);
    void write_csv(const netflow::DataRecord& r);

    Output& out_;
    RecordWriterOptions options_;
    std::string file_;
};

}  // namespace nfpcap::report
