// SPDX-License-Identifier: MIT
// The run loop.
#include "nfpcap/pipeline/run.hpp"

namespace nfpcap::pipeline {

namespace {

bool stop_requested(const RunOptions& options) noexcept {
    return options.stop != nullptr && options.stop->load(std::memory_order_relaxed);
}

}  // namespace

RunResult run(source::MessageSource& source, session::SessionTable& sessions, Consumer& consumer,
              const RunOptions& options) {
    RunResult result;
    source::Message message;
    std::size_t open = 0;  // inputs begun and not yet ended
    std::uint32_t input = 0;
    while (true) {
        const source::SourceEvent event = source.next(message);
        if (event == source::SourceEvent::end) break;
        switch (event) {
        case source::SourceEvent::input_begins:
            ++open;
            ++input;
            consumer.on_input_begins(source.current());
            continue;
        case source::SourceEvent::input_ends:
            if (open > 0) --open;
            result.inputs.push_back(source.current());
            result.input_error = result.input_error || !source.current().error.empty();
            consumer.on_input_ends(source.current());
            break;
        case source::SourceEvent::message: {
            ++result.messages;
            if (!source.numbers_inputs()) message.input = input == 0 ? 0 : input - 1;
            consumer.on_message_begins(message);
            // A state-only message's own records are not handed on (the session table knows).
            const auto outcome = sessions.process(message, consumer);
            consumer.on_message(message, outcome);
            break;
        }
        case source::SourceEvent::end: break;
        }
        if (consumer.done() || stop_requested(options)) {
            result.stopped = true;
            break;
        }
    }
    if (open > 0) {
        // Stopped inside an input: it still counts, with what was read of it (and so does
        // every other input still open, ending at the next calls).
        source.stop();
        for (;;) {
            result.inputs.push_back(source.current());
            consumer.on_input_ends(source.current());
            if (--open == 0 || source.next(message) != source::SourceEvent::input_ends) break;
        }
    }
    sessions.finish(consumer);
    consumer.on_finish();
    return result;
}

}  // namespace nfpcap::pipeline
