// SPDX-License-Identifier: MIT
// The record sink: chosen formatter, output written as it fills.
#include "nfpcap/report/record_writer.hpp"

namespace nfpcap::report {

RecordWriter::RecordWriter(Output& out, RecordWriterOptions options)
    : out_(out), options_(options), formatter_(make_record_formatter(options.format)) {
    if (options_.join_options) joined_ = std::make_unique<analyze::OptionsState>();
    // The header row even when no record follows: an empty CSV still names its columns.
    formatter_->begin(out_.buffer());
}

void RecordWriter::learn_options(const netflow::DataRecord& r) {
    if (joined_ && r.is_options()) joined_->learn(r);
}

void RecordWriter::on_record(const netflow::DataRecord& r) {
    learn_options(r);
    if (r.is_options() && !options_.include_options) return;
    if (out_.closed()) return;
    RecordNotes notes{file_, options_.provenance};
    analyze::JoinedOptions joined;
    if (joined_ && !r.is_options()) {
        joined = joined_->resolve_join(r);
        notes.joined = &joined;
    }
    formatter_->record(out_.buffer(), r, notes);
    out_.maybe_flush();
}

}  // namespace nfpcap::report
