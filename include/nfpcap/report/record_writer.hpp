// SPDX-License-Identifier: MIT
// `flows` output: one decoded record per line. Each format is a RecordFormatter that writes a
// record into a buffer (so batches can be formatted anywhere); RecordWriter is the sink that
// hands records to the chosen one and writes the output as it fills.
#pragma once
#include <deque>
#include <memory>
#include <string>
#include <string_view>

#include "nfpcap/analyze/options_state.hpp"
#include "nfpcap/netflow/decoder.hpp"
#include "nfpcap/report/format.hpp"
#include "nfpcap/report/output.hpp"

namespace nfpcap::report {

/// What a record's line says besides the record itself.
struct RecordNotes {
    std::string_view file;    ///< the capture file, when several are read (empty: none)
    bool provenance = false;  ///< name the frame whose template decoded every record (late ones always do)
    /// What the session's options data says of a data record (--join-options), or null. Printed
    /// as snake_case keys after the record's fields: sampling_interval (null when sampled at an
    /// unknown rate), sampling_source, and the names found (ingress_interface_name, ...).
    const analyze::JoinedOptions* joined = nullptr;
};

/// Writes records in one format. Formatters keep caches (JSON keys), not output state.
class RecordFormatter {
public:
    virtual ~RecordFormatter() = default;
    /// Written once before the first record (CSV and `line`: the header row).
    virtual void begin(Buffer& /*out*/) {}
    virtual void record(Buffer& out, const netflow::DataRecord& record, const RecordNotes& notes) = 0;
};

/// The formatter of `format` (text, json, csv or line).
std::unique_ptr<RecordFormatter> make_record_formatter(Format format);

struct RecordWriterOptions {
    Format format = Format::text;
    bool include_options = false;  ///< also print options records ("kind":"options")
    bool provenance = false;       ///< "template_frame" on every v9/IPFIX record (--provenance)
    bool join_options = false;     ///< join options data to data records (RecordNotes::joined)
    /// Threads that format besides the caller's (0: all on the caller's thread). Records are
    /// copied into batches the others format; the output is the same bytes in the same order.
    unsigned workers = 0;
};

/// The sink of `flows`. With workers, the decoding thread copies each record or run (bytes, context,
/// header, a share of its template) into a batch; full batches are formatted by the workers
/// (or by the decoding thread, when they lag) into the batch's own buffer and written in
/// order by the decoding thread, the only one that touches the Output.
class RecordWriter final : public netflow::DecodeSink {
public:
    RecordWriter(Output& out, RecordWriterOptions options);
    ~RecordWriter() override;
    RecordWriter(const RecordWriter&) = delete;
    RecordWriter& operator=(const RecordWriter&) = delete;

    /// Names the capture file in every record (when several files are read).
    void set_file(std::string file);

    void on_record(const netflow::DataRecord& record) override;
    /// With workers, a run goes into the batch whole (one copy of its bytes); else record by record.
    void on_run(const netflow::RecordRun& run) override;
    /// Learns what an options record says (with join_options) without printing it: for callers
    /// that select which records reach on_record.
    void learn_options(const netflow::DataRecord& record);
    /// Whether on_record prints options records (include_options) or only learns from them.
    [[nodiscard]] bool prints_options() const noexcept { return options_.include_options; }
    /// The end of an item (a datagram's records): in immediate mode, everything so far is
    /// formatted and written now (Output::item_done).
    void item_done();
    /// Formats and writes every record still in a batch (then Output::flush).
    void finish();

    class Pool;

private:
    void write(const netflow::DataRecord& record, const RecordNotes& notes);

    Output& out_;
    RecordWriterOptions options_;
    std::unique_ptr<RecordFormatter> formatter_;
    std::unique_ptr<analyze::OptionsState> joined_;  ///< with join_options
    std::deque<std::string> files_;                  // every name given, so batches can point at them
    std::string_view file_;
    std::unique_ptr<Pool> pool_;
};

}  // namespace nfpcap::report
