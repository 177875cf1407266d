// SPDX-License-Identifier: MIT
// The record sink: chosen formatter, output written as it fills.
#include "nfpcap/report/record_writer.hpp"

namespace nfpcap::report {

RecordWriter::RecordWriter(Output& out, RecordWriterOptions options)
    : out_(out), options_(options), formatter_(make_record_formatter(options.format)) {
    // The header row even when no record follows: an empty CSV still names its columns.
    formatter_->begin(out_.buffer());
}

void RecordWriter::on_record(const netflow::DataRecord& r) {
    if (r.is_options() && !options_.include_options) return;
    if (out_.closed()) return;
    formatter_->record(out_.buffer(), r, RecordNotes{file_, options_.provenance});
    out_.maybe_flush();
}

}  // namespace nfpcap::report
