// SPDX-License-Identifier: MIT
// The record sink: chosen formatter, output written as it fills; with workers, record batches
// formatted on other threads and written in order.
#include "nfpcap/report/record_writer.hpp"

#include <condition_variable>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "nfpcap/netflow/record_batch.hpp"

namespace nfpcap::report {

namespace {

constexpr std::size_t kBatchRecords = 512;
constexpr std::size_t kBatchBytes = 1 << 16;

// Records copied out of their datagrams (a DataRecord is a view valid only during on_record),
// and the text of those formatted at once on the decoding thread, in their places.
struct Batch {
    netflow::RecordBatch records;
    Buffer pre;                                               // records formatted on the decoding thread
    std::vector<std::pair<std::size_t, std::size_t>> pre_at;  // (offset, size) in pre, by mark
    Buffer out;                                               // the batch's text, once formatted
    bool taken = false, done = false;

    void clear() {
        records.clear();
        pre.clear();
        pre_at.clear();
        out.clear();
        taken = done = false;
    }
    [[nodiscard]] bool full() const noexcept {
        return records.size() >= kBatchRecords || records.byte_size() >= kBatchBytes;
    }

    void add(const netflow::DataRecord& r, const RecordNotes& notes, RecordFormatter& here) {
        if (r.tmpl->has_lists || notes.joined != nullptr) {
            // Sub-template lists resolve against the session's template state, and joined
            // options point into the options state, both changed by the decoding thread as it
            // goes: such a record is formatted here, now.
            const std::size_t at = pre.size();
            here.record(pre, r, notes);
            records.add_mark(static_cast<std::uint32_t>(pre_at.size()));
            pre_at.emplace_back(at, pre.size() - at);
            return;
        }
        records.add(r, notes.file);
    }

    void format(RecordFormatter& formatter, bool provenance, std::vector<wire::Bytes>& values) {
        class Formatting final : public netflow::RecordBatch::Visitor {
        public:
            Formatting(Batch& b, RecordFormatter& f, bool provenance) : b_(b), f_(f), provenance_(provenance) {}
            void record(const netflow::DataRecord& r, std::string_view file) override {
                f_.record(b_.out, r, RecordNotes{file, provenance_});
            }
            void mark(std::uint32_t id) override {
                const auto [at, size] = b_.pre_at[id];
                b_.out.append(b_.pre.data() + at, b_.pre.data() + at + size);
            }

        private:
            Batch& b_;
            RecordFormatter& f_;
            bool provenance_;
        };
        Formatting visitor(*this, formatter, provenance);
        records.replay(visitor, values);
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
        if (!filling_->records.empty()) submit(out);
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
    b.records.add_run(run, file_);
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
