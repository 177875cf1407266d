// SPDX-License-Identifier: MIT
// Records copied out of their messages into one batch, to be handed on elsewhere (another
// thread) as DataRecords again, in their order: what crosses between the decoding thread and
// the threads that format (flows) or count (connections).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "nfpcap/netflow/record.hpp"

namespace nfpcap::netflow {

/// A batch of copied records. Consecutive records share their message's context and header
/// and their template, so each is kept once for the records that have it; a RecordRun is one
/// item, its records' bytes copied at once and split again from the template's places when
/// replayed. A record's `state` is kept as the pointer it was (it is for walking sub-template
/// lists, which only the decoding thread may do: a replaying thread must not).
class RecordBatch {
public:
    /// What a replay hands on: each record in order, and the marks put between them.
    class Visitor {
    public:
        virtual ~Visitor() = default;
        virtual void record(const DataRecord& record, std::string_view file) = 0;
        /// A mark added with add_mark (its `id`), where it was added.
        virtual void mark(std::uint32_t /*id*/) {}
    };

    /// Copies a record; `file` must outlive the batch.
    void add(const DataRecord& record, std::string_view file);
    /// Copies a run's records at once.
    void add_run(const RecordRun& run, std::string_view file);
    /// A place between records for the caller's own use (replayed as Visitor::mark).
    void add_mark(std::uint32_t id);

    /// Hands each record (and mark) to `visitor` in order; `values` is scratch for the records'
    /// values.
    void replay(Visitor& visitor, std::vector<wire::Bytes>& values) const;

    /// Records and marks added (a run counts as its records).
    [[nodiscard]] std::size_t size() const noexcept { return records_; }
    [[nodiscard]] std::size_t byte_size() const noexcept { return bytes_.size(); }
    [[nodiscard]] bool empty() const noexcept { return items_.empty(); }
    /// Empties it, keeping its allocations.
    void clear();

private:
    struct Item {
        std::uint32_t bytes_at = 0, bytes_size = 0, fields_at = 0, fields_size = 0;
        std::uint32_t count = 1;  // records of bytes_size back to back (a run's; by_places only)
        std::uint32_t context = 0, header = 0, tmpl = 0;
        std::uint32_t mark = 0;
        bool is_mark = false;
        bool by_places = false;  // a fixed-length template's: split again from its places, no fields kept
        bool late = false, previous_template = false;
        const DecoderState* state = nullptr;
        std::optional<std::int64_t> system_init_ms;
        std::string_view file;
    };
    // What a record (or a run, `record_bytes` all of the run's) shares with its neighbours,
    // kept once for them, and its bytes.
    void keep_shared(Item& item, const DataRecord& r, wire::Bytes record_bytes);
    // The index of `t` in templates_, held there from now on.
    std::uint32_t kept_template(const Template* t);

    std::vector<std::byte> bytes_;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> fields_;  // (offset in bytes_, length) per value
    std::vector<MessageContext> contexts_;
    std::vector<ExportHeader> headers_;
    std::vector<std::shared_ptr<const Template>> templates_;
    std::vector<Item> items_;
    std::size_t records_ = 0;
};

}  // namespace nfpcap::netflow
