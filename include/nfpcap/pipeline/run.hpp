// SPDX-License-Identifier: MIT
// The one run loop: messages from a source, in arrival order, through the session table to a
// consumer. Every command (and every embedder) reads its input through it.
#pragma once
#include <atomic>
#include <cstdint>
#include <vector>

#include "nfpcap/session/session_table.hpp"
#include "nfpcap/source/source.hpp"

namespace nfpcap::pipeline {

/// What a command does with its input. The decode callbacks (records, templates, issues) of a
/// message arrive while the session table processes it, then `on_message` with the verdict.
class Consumer : public netflow::DecodeSink {
public:
    virtual void on_input_begins(const source::InputSummary& /*input*/) {}
    /// The input ended: read to its end, or stopped early or unreadable (`input.error`).
    virtual void on_input_ends(const source::InputSummary& /*input*/) {}
    /// Before the session table processes `message` (its payload is valid until on_message).
    virtual void on_message_begins(const source::Message& /*message*/) {}
    virtual void on_message(const source::Message& /*message*/, const session::ProcessResult& /*result*/) {}
    /// Polled between messages: true ends the run early (output closed, a limit reached).
    [[nodiscard]] virtual bool done() const { return false; }
    /// After the last message: the late data still waiting for templates has been decoded (or
    /// counted as missing) through the decode callbacks, with no message around it.
    virtual void on_finish() {}
};

/// A consumer that hands decoded records, templates and issues to a plain DecodeSink. Runs of
/// records (on_run) go on as runs: a class deriving from it (or from ForwardingConsumer) that
/// looks at records overrides on_run too.
class SinkConsumer : public Consumer {
public:
    explicit SinkConsumer(netflow::DecodeSink& sink) : sink_(sink) {}
    void on_template(const netflow::MessageContext& c, const netflow::ExportHeader& h, const netflow::Template& t,
                     netflow::TemplateChange change) override {
        sink_.on_template(c, h, t, change);
    }
    void on_record(const netflow::DataRecord& r) override { sink_.on_record(r); }
    void on_run(const netflow::RecordRun& run) override { sink_.on_run(run); }
    void on_issue(const netflow::MessageContext& c, const netflow::Issue& issue) override { sink_.on_issue(c, issue); }

private:
    netflow::DecodeSink& sink_;
};

/// Passes everything on to another consumer; derive to add to one step.
class ForwardingConsumer : public Consumer {
public:
    explicit ForwardingConsumer(Consumer& next) : next_(next) {}
    void on_input_begins(const source::InputSummary& i) override { next_.on_input_begins(i); }
    void on_input_ends(const source::InputSummary& i) override { next_.on_input_ends(i); }
    void on_message_begins(const source::Message& m) override { next_.on_message_begins(m); }
    void on_message(const source::Message& m, const session::ProcessResult& r) override { next_.on_message(m, r); }
    void on_template(const netflow::MessageContext& c, const netflow::ExportHeader& h, const netflow::Template& t,
                     netflow::TemplateChange change) override {
        next_.on_template(c, h, t, change);
    }
    void on_record(const netflow::DataRecord& r) override { next_.on_record(r); }
    void on_run(const netflow::RecordRun& run) override { next_.on_run(run); }
    void on_issue(const netflow::MessageContext& c, const netflow::Issue& issue) override { next_.on_issue(c, issue); }
    [[nodiscard]] bool done() const override { return next_.done(); }
    void on_finish() override { next_.on_finish(); }

private:
    Consumer& next_;
};

struct RunResult {
    std::vector<source::InputSummary> inputs;  ///< every input, in order, with its counters
    std::uint64_t messages = 0;                ///< messages handed to the session table
    bool input_error = false;                  ///< some input could not be read (to its end)
    bool stopped = false;                      ///< ended early: the consumer was done, or a stop request
};

struct RunOptions {
    /// Set (e.g. by a signal handler) to stop between messages; may be null.
    const std::atomic<bool>* stop = nullptr;
};

/// Reads `source` to its end (or until the consumer is done or a stop is requested), then
/// finishes the session table (late data still waiting: SessionTable::finish) and the consumer.
RunResult run(source::MessageSource& source, session::SessionTable& sessions, Consumer& consumer,
              const RunOptions& options = {});

}  // namespace nfpcap::pipeline
