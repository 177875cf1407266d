// SPDX-License-Identifier: MIT
// The record sink: chosen formatter, output written as it fills; with workers, record batches
// formatted on other threads and written in order.
#include "nfpcap/report/record_writer.hpp"

#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace nfpcap::report {

namespace {

constexpr std::size_t kBatchRecords = 512;
constexpr std::size_t kBatchBytes = 1 << 16;

// Records copied out of their datagram: a DataRecord is a view valid only during on_record.
// Consecutive records share their message's context and header and their template, so each
// is kept once per run of records that have it. A RecordRun is one item: its records' bytes
// copied at once, split again by the formatting thread.
struct Batch {
    struct Item {
        std::uint32_t bytes_at = 0, bytes_size = 0, fields_at = 0, fields_size = 0;
        std::uint32_t count = 1;  // records of bytes_size back to back (a run's; by_places only)
        std::uint32_t context = 0, header = 0, tmpl = 0;
        std::uint32_t pre_at = 0, pre_size = 0;  // formatted already (is_pre)
        bool is_pre = false;
        bool by_places = false;  // a fixed-length template's: split again from its places, no fields kept
        bool late = false, previous_template = false;
        const netflow::DecoderState* state = nullptr;
        std::optional<std::int64_t> system_init_ms;
        std::string_view file;
    };
    std::vector<std::byte> bytes;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> fields;  // (offset in bytes, length) per value
    std::vector<netflow::MessageContext> contexts;
    std::vector<netflow::ExportHeader> headers;
    std::vector<std::shared_ptr<const netflow::Template>> templates;
    std::vector<Item> items;
    std::size_t records = 0;
    Buffer pre;  // records formatted on the decoding thread (see add)
    Buffer out;  // the batch's text, once formatted
    bool taken = false, done = false;

    void clear() {
        bytes.clear();
        fields.clear();
        contexts.clear();
        headers.clear();
        templates.clear();
        items.clear();
        records = 0;
        pre.clear();
        out.clear();
        taken = done = false;
    }
    [[nodiscard]] bool full() const noexcept { return records >= kBatchRecords || bytes.size() >= kBatchBytes; }

    void add(const netflow::DataRecord& r, const RecordNotes& notes, RecordFormatter& here) {
        ++records;
        Item& item = items.emplace_back();  // filled in place (a copy of it stalled on its own stores)
        item.file = notes.file;
        if (r.tmpl->has_lists || notes.joined != nullptr) {
            // Sub-template lists resolve against the session's template state, and joined
            // options point into the options state, both changed by the decoding thread as it
            // goes: such a record is formatted here, now.
            item.is_pre = true;
            item.pre_at = static_cast<std::uint32_t>(pre.size());
            here.record(pre, r, notes);
            item.pre_size = static_cast<std::uint32_t>(pre.size() - item.pre_at);
            return;
        }
        keep_shared(item, r, r.bytes);
        // The decoder splits a fixed-length record by its template's places (DataRecord::values):
        // the formatting thread can do that again rather than be handed every value's place
        // (the check is for records made otherwise, by hand).
        const netflow::Template& t = *r.tmpl;
        item.by_places = t.fixed_length && t.places.size() == r.values.size() &&
                         (r.values.empty() || r.values[0].data() == r.bytes.data() + t.places[0].offset);
        if (item.by_places) return;
        item.fields_at = static_cast<std::uint32_t>(fields.size());
        item.fields_size = static_cast<std::uint32_t>(r.values.size());
        fields.resize(fields.size() + r.values.size());  // one capacity check, not one per value
        auto* field = fields.data() + item.fields_at;
        for (const wire::Bytes& v : r.values) {
            // Every value is a part of the record's bytes (the decoder splits the record).
            const auto offset = v.empty() ? 0U : static_cast<std::uint32_t>(v.data() - r.bytes.data());
            *field++ = {item.bytes_at + offset, static_cast<std::uint32_t>(v.size())};
        }
    }

    /// A run of a data template without lists (what the decoder makes runs of), none of its
    /// records joined to options (those are formatted by add, now).
    void add_run(const netflow::RecordRun& run, std::string_view file) {
        records += run.count;
        Item& item = items.emplace_back();
        item.file = file;
        keep_shared(item, run.shared, run.bytes);
        item.bytes_size = static_cast<std::uint32_t>(run.record_length());
        item.count = static_cast<std::uint32_t>(run.count);
        item.by_places = true;
    }

    // What a record (or a run, its `bytes` all of the run's) shares with its neighbours, kept
    // once for them, and its bytes.
    void keep_shared(Item& item, const netflow::DataRecord& r, wire::Bytes record_bytes) {
        if (contexts.empty() || std::memcmp(&contexts.back(), r.context, sizeof *r.context) != 0) {
            contexts.push_back(*r.context);
        }
        item.context = static_cast<std::uint32_t>(contexts.size() - 1);
        if (headers.empty() || std::memcmp(&headers.back(), r.header, sizeof *r.header) != 0) {
            headers.push_back(*r.header);
        }
        item.header = static_cast<std::uint32_t>(headers.size() - 1);
        if (templates.empty() || templates.back().get() != r.tmpl) templates.push_back(r.tmpl->shared_from_this());
        item.tmpl = static_cast<std::uint32_t>(templates.size() - 1);
        item.bytes_at = static_cast<std::uint32_t>(bytes.size());
        item.bytes_size = static_cast<std::uint32_t>(record_bytes.size());
        bytes.insert(bytes.end(), record_bytes.begin(), record_bytes.end());
        item.state = r.state;
        item.system_init_ms = r.system_init_ms;
        item.late = r.late;
        item.previous_template = r.previous_template;
    }

    void format(RecordFormatter& formatter, bool provenance, std::vector<wire::Bytes>& values) {
        for (const Item& item : items) {
            if (item.is_pre) {
                out.append(pre.data() + item.pre_at, pre.data() + item.pre_at + item.pre_size);
                continue;
            }
            netflow::DataRecord r;
            r.context = &contexts[item.context];
            r.header = &headers[item.header];
            r.tmpl = templates[item.tmpl].get();
            r.state = item.state;
            r.system_init_ms = item.system_init_ms;
            r.late = item.late;
            r.previous_template = item.previous_template;
            const RecordNotes notes{item.file, provenance};
            if (!item.by_places) {
                values.clear();
                for (std::uint32_t k = 0; k < item.fields_size; ++k) {
                    const auto [offset, length] = fields[item.fields_at + k];
                    values.emplace_back(bytes.data() + offset, length);
                }
                r.bytes = wire::Bytes(bytes.data() + item.bytes_at, item.bytes_size);
                r.values = values;
                formatter.record(out, r, notes);
                continue;
            }
            const netflow::Template& t = *r.tmpl;
            values.resize(t.places.size());
            r.values = values;
            for (std::uint32_t i = 0; i < item.count; ++i) {
                const std::byte* at = bytes.data() + item.bytes_at + std::size_t{i} * item.bytes_size;
                netflow::split_fixed(t, at, values.data());
                r.bytes = wire::Bytes(at, item.bytes_size);
                formatter.record(out, r, notes);
            }
        }
    }
};

}  // namespace

// The batches in order; workers take the oldest untaken one. The decoding thread writes the
// done ones from the front, and formats the oldest untaken itself when too many wait.
class RecordWriter::Pool {
public:
    Pool(unsigned workers, Format format, bool provenance)
        : provenance_(provenance), helper_(make_record_formatter(format)) {
        filling_ = std::make_unique<Batch>();
        for (unsigned i = 0; i < workers; ++i) threads_.emplace_back([this, format] { work(format); });
        max_waiting_ = workers;
        max_queued_ = 4 * workers + 4;
    }
    ~Pool() {
        {
            const std::lock_guard lock(mutex_);
            stop_ = true;
        }
        work_cv_.notify_all();
        for (auto& t : threads_) t.join();
    }
    Pool(const Pool&) = delete;
    Pool& operator=(const Pool&) = delete;

    Batch& filling() noexcept { return *filling_; }
    RecordFormatter& helper() noexcept { return *helper_; }

    /// Queues the batch being filled, writes what is done, helps when the workers lag.
    void submit(Output& out) {
        std::unique_lock lock(mutex_);
        queue_.push_back(std::move(filling_));
        work_cv_.notify_one();
        write_done(lock, out);
        while (queue_.size() - taken_ > max_waiting_) {
            help(lock);
            write_done(lock, out);
        }
        while (queue_.size() > max_queued_) {
            done_cv_.wait(lock, [this] { return queue_.front()->done; });
            write_done(lock, out);
        }
        filling_ = spare();
    }

    /// Formats and writes everything queued and the batch being filled.
    void drain(Output& out) {
        if (!filling_->items.empty()) submit(out);
        std::unique_lock lock(mutex_);
        while (!queue_.empty()) {
            if (taken_ < queue_.size()) {
                help(lock);
            } else {
                done_cv_.wait(lock, [this] { return queue_.front()->done; });
            }
            write_done(lock, out);
        }
    }

private:
    // Formats the oldest untaken batch on this (the decoding) thread.
    void help(std::unique_lock<std::mutex>& lock) {
        Batch& b = *queue_[taken_++];
        b.taken = true;
        lock.unlock();
        b.format(*helper_, provenance_, values_);
        lock.lock();
        b.done = true;
    }

    void write_done(std::unique_lock<std::mutex>& lock, Output& out) {
        while (!queue_.empty() && queue_.front()->done) {
            std::unique_ptr<Batch> b = std::move(queue_.front());
            queue_.pop_front();
            --taken_;
            lock.unlock();
            if (!out.closed()) {
                if (out.buffer().size() == 0) {
                    // Handed over instead of copied (a batch's text is larger than a write):
                    // the batch gets the output's empty buffer, both keep their allocations.
                    std::swap(out.buffer(), b->out);
                } else {
                    out.buffer().append(b->out.data(), b->out.data() + b->out.size());
                }
                out.maybe_flush();
            }
            b->clear();
            lock.lock();
            spares_.push_back(std::move(b));
        }
    }

    // With the lock held.
    std::unique_ptr<Batch> spare() {
        if (spares_.empty()) return std::make_unique<Batch>();
        auto b = std::move(spares_.back());
        spares_.pop_back();
        return b;
    }

    void work(Format format) {
        const auto formatter = make_record_formatter(format);  // its own caches
        std::vector<wire::Bytes> values;
        std::unique_lock lock(mutex_);
        for (;;) {
            work_cv_.wait(lock, [this] { return stop_ || taken_ < queue_.size(); });
            if (taken_ >= queue_.size()) return;  // stopping, nothing left
            Batch& b = *queue_[taken_++];
            b.taken = true;
            lock.unlock();
            b.format(*formatter, provenance_, values);
            lock.lock();
            b.done = true;
            done_cv_.notify_all();
        }
    }

    bool provenance_;
    std::unique_ptr<RecordFormatter> helper_;  // the decoding thread's, for batches it formats
    std::vector<wire::Bytes> values_;
    std::unique_ptr<Batch> filling_;
    std::mutex mutex_;
    std::condition_variable work_cv_, done_cv_;
    std::deque<std::unique_ptr<Batch>> queue_;  // in record order; the first taken_ are taken
    std::size_t taken_ = 0;
    std::vector<std::unique_ptr<Batch>> spares_;
    std::vector<std::thread> threads_;
    std::size_t max_waiting_ = 1, max_queued_ = 8;
    bool stop_ = false;
};

RecordWriter::RecordWriter(Output& out, RecordWriterOptions options)
    : out_(out), options_(options), formatter_(make_record_formatter(options.format)) {
    if (options_.join_options) joined_ = std::make_unique<analyze::OptionsState>();
    // The header row even when no record follows: an empty CSV still names its columns.
    formatter_->begin(out_.buffer());
    if (options_.workers > 0) pool_ = std::make_unique<Pool>(options_.workers, options_.format, options_.provenance);
}

RecordWriter::~RecordWriter() = default;

void RecordWriter::set_file(std::string file) {
    files_.push_back(std::move(file));
    file_ = files_.back();
}

void RecordWriter::learn_options(const netflow::DataRecord& r) {
    if (joined_ && r.is_options()) joined_->learn(r);
}

void RecordWriter::on_record(const netflow::DataRecord& r) {
    learn_options(r);
    if (r.is_options() && !options_.include_options) return;
    if (out_.closed()) return;
    RecordNotes notes{file_, options_.provenance};
    if (joined_ && !r.is_options()) {
        // Made only here: zeroing one for every record cost a quarter of this function.
        const analyze::JoinedOptions joined = joined_->resolve_join(r);
        notes.joined = &joined;
        write(r, notes);
        return;
    }
    write(r, notes);
}

void RecordWriter::on_run(const netflow::RecordRun& run) {
    // With workers, a run is one item of the batch, its bytes copied at once (the decoding
    // thread's share of the work is what bounds the threads' speed-up). Runs hold data records
    // only; joined ones are formatted on this thread, one by one.
    if (!pool_ || joined_ || out_.closed()) {
        DecodeSink::on_run(run);
        return;
    }
    Batch& b = pool_->filling();
    b.add_run(run, file_);
    if (b.full()) pool_->submit(out_);
}

void RecordWriter::write(const netflow::DataRecord& r, const RecordNotes& notes) {
    if (pool_) {
        Batch& b = pool_->filling();
        b.add(r, notes, pool_->helper());
        if (b.full()) pool_->submit(out_);
        return;
    }
    formatter_->record(out_.buffer(), r, notes);
    out_.maybe_flush();
}

void RecordWriter::item_done() {
    if (pool_ && out_.immediate()) pool_->drain(out_);
    out_.item_done();
}

void RecordWriter::finish() {
    if (pool_) pool_->drain(out_);
    out_.flush();
}

}  // namespace nfpcap::report
