// SPDX-License-Identifier: MIT
// The input of every command (capture files, standard input, sockets, interfaces) through the
// library's run loop: one error line per bad input, signals, limits, --write and progress.
#include "input.hpp"

#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>

#include <fmt/format.h>
#include <pcap/dlt.h>

#include "commands.hpp"
#include "nfpcap/fixture/pcap_writer.hpp"
#include "nfpcap/ie/definitions.hpp"
#include "nfpcap/pipeline/first_pass.hpp"
#include "nfpcap/source/capture_source.hpp"
#include "nfpcap/source/interface_source.hpp"
#include "nfpcap/source/socket_source.hpp"
#include "numbers.hpp"

namespace nfpcap::cli {

namespace {

using Clock = std::chrono::steady_clock;

// Set by the first SIGINT/SIGTERM; the run loop and the live sources poll it. A second signal
// ends the process at once, as tcpdump does. Only async-signal-safe calls in the handler: a
// lock-free atomic store, a sig_atomic_t, _exit.
std::atomic<bool> g_stop{false};
volatile std::sig_atomic_t g_signal = 0;
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void on_stop_signal(int signal) {
    if (g_stop.load(std::memory_order_relaxed)) ::_exit(kExitSignalBase + signal);
    g_signal = signal;
    g_stop.store(true, std::memory_order_relaxed);
}

bool is_regular_file(const std::string& path) {
    struct stat st {};
    return path != "-" && ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool is_pipe(int fd) {
    struct stat st {};
    return ::fstat(fd, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
}

bool interrupted(const source::InputSummary& input) {
    return input.error.find(std::strerror(EINTR)) != std::string::npos;
}

// An input error that is only the user's stop (a read interrupted by SIGINT) is no error.
bool real_error(const source::InputSummary& input) {
    return !input.error.empty() && !(g_stop.load() && interrupted(input));
}

// Prints each input's error as the input ends (and what a live input received), then passes
// the event on.
class ReportingConsumer final : public pipeline::ForwardingConsumer {
public:
    ReportingConsumer(pipeline::Consumer& next, std::string_view kept) : ForwardingConsumer(next), kept_(kept) {}
    void on_input_ends(const source::InputSummary& input) override {
        if (real_error(input)) print_input_error(input, kept_);
        if (input.live) {
            const auto& c = input.counters;
            const bool frames = !input.link_type.empty();  // an interface, not sockets
            fmt::print(stderr, "nfpcap: {}: {} {} received", input.name, c.frames, frames ? "frames" : "messages");
            if (frames) {
                fmt::print(stderr, " ({} UDP datagrams", c.udp_datagrams);
                if (input.tcp_streams != 0) fmt::print(stderr, ", {} messages in TCP streams", input.streams.messages);
                if (c.sctp_messages != 0) fmt::print(stderr, ", {} SCTP messages", c.sctp_messages);
                fmt::print(stderr, ")");
            }
            if (input.kernel_drops) fmt::print(stderr, ", {} dropped by the kernel", *input.kernel_drops);
            if (input.streams.bytes_lost != 0 || input.streams.resyncs != 0) {
                fmt::print(stderr, ", {} TCP stream bytes skipped (no message header) in {} resync{}",
                           input.streams.bytes_lost, input.streams.resyncs, input.streams.resyncs == 1 ? "" : "s");
            }
            fmt::print(stderr, "\n");
        }
        ForwardingConsumer::on_input_ends(input);
    }

private:
    std::string_view kept_;
};

// -c and --duration: the consumer is done after N messages or once the time is up.
class LimitConsumer final : public pipeline::ForwardingConsumer {
public:
    LimitConsumer(pipeline::Consumer& next, std::uint64_t count, std::optional<Clock::time_point> deadline)
        : ForwardingConsumer(next), count_(count), deadline_(deadline) {}
    void on_message(const source::Message& m, const session::ProcessResult& r) override {
        ++messages_;
        ForwardingConsumer::on_message(m, r);
    }
    [[nodiscard]] bool done() const override {
        return (count_ != 0 && messages_ >= count_) || (deadline_ && Clock::now() >= *deadline_) ||
               ForwardingConsumer::done();
    }

private:
    std::uint64_t count_;
    std::optional<Clock::time_point> deadline_;
    std::uint64_t messages_ = 0;
};

// A progress line on stderr (a terminal) while large files are read; erased at the end.
class ProgressConsumer final : public pipeline::ForwardingConsumer {
public:
    ProgressConsumer(pipeline::Consumer& next, const source::MessageSource& source)
        : ForwardingConsumer(next), source_(source), started_(Clock::now()), last_(started_) {}
    ~ProgressConsumer() override { erase(); }
    ProgressConsumer(const ProgressConsumer&) = delete;
    ProgressConsumer& operator=(const ProgressConsumer&) = delete;

    void on_record(const netflow::DataRecord& r) override {
        ++records_;
        ForwardingConsumer::on_record(r);
    }
    void on_run(const netflow::RecordRun& run) override {
        records_ += run.count;
        ForwardingConsumer::on_run(run);
    }
    void on_message(const source::Message& m, const session::ProcessResult& r) override {
        ForwardingConsumer::on_message(m, r);
        if ((++messages_ & 255U) != 0) return;
        const auto now = Clock::now();
        if (now - last_ < std::chrono::milliseconds(250)) return;
        last_ = now;
        const source::Progress p = source_.progress();
        const double seconds = std::chrono::duration<double>(now - started_).count();
        const double rate = seconds > 0 ? static_cast<double>(p.done) / seconds / 1e6 : 0;
        const double percent = p.total != 0 ? 100.0 * static_cast<double>(p.done) / static_cast<double>(p.total) : 0;
        fmt::print(stderr, "\r\033[Knfpcap: {:.0f} of {:.0f} MB ({:.0f}%), {} records, {:.0f} MB/s",
                   static_cast<double>(p.done) / 1e6, static_cast<double>(p.total) / 1e6, percent, records_, rate);
        std::fflush(stderr);
        shown_ = true;
    }
    void erase() {
        if (!shown_) return;
        fmt::print(stderr, "\r\033[K");
        std::fflush(stderr);
        shown_ = false;
    }

private:
    const source::MessageSource& source_;
    Clock::time_point started_, last_;
    std::uint64_t messages_ = 0;
    std::uint64_t records_ = 0;
    bool shown_ = false;
};

// --write: every datagram received (synthesized Ethernet/IP/UDP frames with the real addresses
// and times) or every frame captured, flushed as it goes so the file is whole after any stop.
class WriteTap final : public source::Tap {
public:
    WriteTap(const std::string& path, int link_type) : writer_(path, link_type), path_(path) {}
    void on_frame(int, std::int64_t time_ns, wire::Bytes frame, std::uint32_t wire_length) override {
        writer_.write_frame(time_ns, frame, wire_length);
        check(writer_.flush());
    }
    void on_message(const source::Message& m) override {
        try {
            writer_.write(m.time_ns, m.exporter, m.collector, m.payload);
        } catch (const std::runtime_error&) {
            return;  // addresses of two families, or too large for one frame: not written
        }
        check(writer_.flush());
    }
    /// Closes the file; false when some of it could not be written (said on stderr, once).
    bool close() {
        check(writer_.close());
        return !failed_;
    }

private:
    // The run goes on (what it prints is still right); the exit status says the file is not whole.
    void check(bool ok) {
        if (ok || failed_) return;
        failed_ = true;
        print_output_error(path_, writer_.error());
    }
    fixture::PcapWriter writer_;
    std::string path_;
    bool failed_ = false;
};

void check_options(InputOptions& o) {
    o.files.insert(o.files.end(), o.read_files.begin(), o.read_files.end());
    o.read_files.clear();
    // `nfpcap -p 0 top FILE`: a command after another command's options is no capture file.
    for (const auto& file : o.files) {
        if (is_command(file) && !std::filesystem::exists(file)) {
            throw CLI::ValidationError(fmt::format(
                "'{0}' is a command, not a capture file: the command comes first, then its options (nfpcap {0} "
                "[OPTIONS] FILE...; input options such as -r and --listen may also come before it)",
                file));
        }
    }
    const bool files = !o.files.empty();
    const bool sockets = o.sockets();
    const bool interfaces = !o.interfaces.empty();
    if (int(files) + int(sockets) + int(interfaces) > 1) {
        throw CLI::ValidationError("FILE, --listen/--listen-tcp and -i are different inputs: give one kind");
    }
    for (const auto* list : {&o.listen, &o.listen_tcp}) {
        for (const auto& text : *list) {
            try {
                (void)source::parse_listen_address(text);
            } catch (const std::invalid_argument& e) {
                throw CLI::ValidationError(list == &o.listen ? "--listen" : "--listen-tcp", e.what());
            }
        }
    }
    if (!o.capture_filter.empty() && sockets) {
        throw CLI::ValidationError("-f", "filters the frames of capture files and -i; a --listen socket has none");
    }
    if (!o.write.empty() && !o.live()) {
        throw CLI::ValidationError("--write", "saves what --listen or -i receives; for files use hex --pcap");
    }
    if (!o.ports.empty() && sockets) {
        throw CLI::ValidationError("--port", "everything a --listen socket receives is export data");
    }
    if (o.merge && o.live()) {
        throw CLI::ValidationError("--merge", "merges capture files; live inputs arrive in time order already");
    }
    if (!files && !o.live()) {
        if (!is_pipe(STDIN_FILENO)) {
            throw CLI::RequiredError("FILE (or --listen, -i, or a capture piped on standard input)");
        }
        o.files.emplace_back("-");
    }
}

std::unique_ptr<source::MessageSource> make_source(const InputOptions& o, const source::LiveStop& stop,
                                                   std::unique_ptr<WriteTap>& tap) {
    if (o.sockets()) {
        source::SocketOptions so;
        for (const auto& a : o.listen) so.udp.push_back(source::parse_listen_address(a));
        for (const auto& a : o.listen_tcp) so.tcp.push_back(source::parse_listen_address(a));
        so.receive_buffer = o.receive_buffer;
        so.stop = stop;
        if (!o.write.empty()) tap = std::make_unique<WriteTap>(o.write, fixture::PcapWriter::kEthernet);
        so.tap = tap.get();
        auto s = std::make_unique<source::SocketSource>(std::move(so));
        std::string where;
        for (const auto& b : s->bound()) where += (where.empty() ? "" : ", ") + b;
        if (o.listen.empty()) {  // TCP only: the UDP receive buffer is not there to speak of
            fmt::print(stderr, "nfpcap: listening on {}\n", where);
        } else {
            fmt::print(stderr, "nfpcap: listening on {} (receive buffer {} bytes)\n", where, s->receive_buffer());
        }
        if (!o.listen.empty() && o.receive_buffer != 0 && s->receive_buffer() < o.receive_buffer) {
            fmt::print(stderr, "nfpcap: warning: --rcvbuf {}: the system granted {} bytes (net.core.rmem_max)\n",
                       o.receive_buffer, s->receive_buffer());
        }
        return s;
    }
    if (!o.interfaces.empty()) {
        source::InterfaceOptions io;
        io.interfaces = o.interfaces;
        io.filter = o.capture_filter;
        io.buffer_size = o.receive_buffer;
        io.stop = stop;
        io.capture = o.capture_options();
        auto s = std::make_unique<source::InterfaceSource>(std::move(io));
        if (!o.write.empty()) {
            const auto types = s->link_types();
            for (int t : types) {
                if (t != types.front()) {
                    throw std::runtime_error("--write " + o.write +
                                             ": the interfaces have different link types; a pcap file holds one");
                }
            }
            tap = std::make_unique<WriteTap>(o.write, types.front());
            s->set_tap(tap.get());
        }
        fmt::print(stderr, "nfpcap: listening on {}, link type {}\n", s->current().name, s->current().link_type);
        return s;
    }
    source::CaptureOptions capture = o.capture_options();
    capture.reader.stop = stop.stop;
    return std::make_unique<source::CaptureSource>(o.files, std::move(capture));
}

}  // namespace

void install_stop_handlers() {
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    // No SA_RESTART: a read blocked on a quiet pipe returns (EINTR), so the stop is seen.
    sa.sa_flags = 0;
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
}

const std::atomic<bool>* stop_flag() noexcept { return &g_stop; }

int stop_signal() noexcept { return g_stop.load() ? g_signal : 0; }

void print_output_error(std::string_view what, int error) {
    fmt::print(stderr, "nfpcap: cannot write to {}: {}\n", what, std::strerror(error));
}

int finish_output(report::Output& out, int rc) {
    out.flush();
    if (out.error() == 0) return rc;
    print_output_error(out.name(), out.error());
    return kExitOutputError;
}

bool InputOptions::immediate_output() const {
    if (immediate || live()) return true;
    for (const auto& f : files) {
        if (!is_regular_file(f)) return true;  // standard input, a FIFO, a device
    }
    return is_pipe(STDOUT_FILENO);
}

std::string InputOptions::describe() const {
    std::string text;
    auto add = [&text](std::string_view option, const std::string& value) {
        text += fmt::format("{}{}{}", text.empty() ? "" : " ", option, value);
    };
    for (const auto& a : listen) add("--listen ", a);
    for (const auto& a : listen_tcp) add("--listen-tcp ", a);
    for (const auto& i : interfaces) add("-i ", i);
    for (const auto& f : files) add("", f);
    return text;
}

void add_format_option(CLI::App& app, report::Format& format, std::initializer_list<report::Format> formats,
                       const std::string& help) {
    std::map<std::string, report::Format> names;
    for (report::Format f : formats) names.emplace(std::string(report::name(f)), f);
    format = *formats.begin();
    const std::vector<report::Format> list(formats);
    add_choices(app.add_option("-T,--format", format,
                               fmt::format("Output format: {} (default {}); {}", report::describe_choices(list),
                                           report::name(format), help))
                    ->type_name("FORMAT"),
                names);
}

void add_quiet_option(CLI::App& app, bool& quiet) {
    app.add_flag("-q,--quiet", quiet,
                 "Rows only, as nfdump -q: no title, column header or footer (JSON: no total object; CSV keeps "
                 "its header row); what the run lost is said on standard error instead");
}

void add_ie_file_option(CLI::App& app) {
    app.add_option("--ie-file",
                   "Element definitions of your own, one pen,id,name,type a line (pen v9 for a NetFlow v9 "
                   "field type; type an RFC 7012 name such as unsigned32): they name and type fields the "
                   "built-in table does not know")
        ->each([](const std::string& path) {
            try {
                ie::set_user_definitions(ie::load_definitions(path));
            } catch (const ie::DefinitionsError& e) {
                throw CLI::ValidationError("--ie-file", e.what());
            }
        })
        ->type_name("FILE");
}

void add_capture_filter_option(CLI::App& app, std::string& filter, const std::string& name) {
    app.add_option(name, filter,
                   "Only frames matching this libpcap capture filter (pcap-filter(7), as tcpdump -f "
                   "or tshark -f), e.g. 'udp port 2055 or tcp port 4739'")
        ->type_name("EXPR")
        ->check(
            [](const std::string& expression) {
                // Checked for Ethernet; a file of another link type is checked again when opened.
                const std::string message = capture::check_filter(expression, DLT_EN10MB);
                return message.empty() ? message : "capture filter \"" + expression + "\": " + message;
            },
            "", "");
}

void add_input_options(CLI::App& app, InputOptions& options) {
    add_ie_file_option(app);
    app.add_option("--port", options.ports,
                   "Only UDP datagrams to or from this port are export traffic (repeatable); "
                   "by default export datagrams are recognized on any port")
        ->type_name("PORT");
    // -n means "no DNS" in every command, so that a habit never turns into a usage error.
    if (app.get_option_no_throw("--no-dns") == nullptr) {
        app.add_flag("-n,--no-dns", options.no_dns, "Do not look up host names (this command looks up none)");
    }
    app.add_option("--listen", options.listen,
                   "Receive export datagrams on this UDP port instead of reading a file, as a collector "
                   "(repeatable; [ADDR:]PORT, [::]:2055 IPv6; no ADDR: every address, IPv4 and IPv6)")
        ->type_name("[ADDR:]PORT");
    app.add_option("--listen-tcp", options.listen_tcp,
                   "Accept IPFIX over TCP on this port (repeatable); each connection is its own session")
        ->type_name("[ADDR:]PORT");
    // A command's own options win (timeline -i is its interval, top --count its rows): the input
    // option keeps the name that is free.
    auto names = [&app](const std::string& short_name, const std::string& long_name) {
        const bool short_free = app.get_option_no_throw(short_name) == nullptr;
        const bool long_free = app.get_option_no_throw(long_name) == nullptr;
        if (short_free && long_free) return short_name + "," + long_name;
        if (!short_free && !long_free) return std::string();  // the command has both (flows -c, --count)
        return short_free ? short_name : long_name;
    };
    app.add_option(names("-i", "--interface"), options.interfaces,
                   "Capture live on this interface (repeatable), as tcpdump -i; needs root or CAP_NET_RAW")
        ->type_name("IFACE");
    add_capture_filter_option(app, options.capture_filter, names("-f", "--capture-filter"));
    app.add_option("--write", options.write,
                   "Also save everything --listen or -i receives as a pcap capture, written as it arrives: "
                   "datagrams as Ethernet/IP/UDP frames with their real addresses and times, frames as captured")
        ->type_name("FILE.pcap");
    app.add_option("--rcvbuf", options.receive_buffer,
                   "Socket receive buffer (capture buffer for -i), e.g. 64M; past net.core.rmem_max as root")
        ->transform(CLI::AsSizeValue(false))
        ->type_name("BYTES");
    app.add_option("--duration", options.duration, "Stop after this many seconds (up to 9.2e9)")
        ->check(seconds_range(0, true))
        ->type_name("SECONDS");
    // flows and hex count what they print with -c: --datagrams is the datagram count everywhere.
    const auto count = names("-c", "--count");
    app.add_option(count.empty() ? "--datagrams" : count + ",--datagrams", options.count,
                   "Stop after N datagrams (export messages) read")
        ->check(CLI::PositiveNumber)
        ->type_name("N");
    app.add_flag(names("-l", "--line-buffered"), options.immediate,
                 "Write each datagram's output as soon as it is decoded (the default for live input, standard "
                 "input and pipes)");
    app.add_flag("--no-progress", options.no_progress, "No progress line on the terminal while large files are read");
    add_pending_option(app, options.pending_limit);
    app.add_flag("--two-pass,!--no-two-pass", options.two_pass,
                 "When the late-data buffer fills (or data still waits at the end), read the files once more "
                 "to learn the templates that come later (default; never for standard input)");
    const std::map<std::string, source::TcpFollow> follows{
        {"none", source::TcpFollow::none},
        {"ports", source::TcpFollow::ports},
        {"detect", source::TcpFollow::detect},
        {"all", source::TcpFollow::all},
    };
    add_choices(app.add_option("--tcp", options.tcp,
                               "Which TCP connections (in capture files and on -i) carry IPFIX/NetFlow v9 (RFC "
                               "7011 10.4): ports (those to or "
                               "from --tcp-port), detect (those, and any whose data begins with an export message "
                               "header; the default), all (every connection, searched for messages), none")
                    ->type_name("MODE"),
                follows);
    app.add_option("--tcp-port", options.tcp_ports,
                   "TCP port whose connections are export streams (repeatable; default 4739, IANA's IPFIX port)")
        ->type_name("PORT");
    app.add_option(names("-r", "--read"), options.read_files,
                   "Read this capture file (repeatable, as tcpdump -r; after FILE...)")
        ->type_name("FILE");
    app.add_flag("--merge", options.merge,
                 "Read the files as one capture merged by capture time, as mergecap does (captures taken on "
                 "several interfaces at once); each record still names its file and frame. Default: one "
                 "file after the other");
    app.add_option("files", options.files,
                   "Capture files (pcap or pcapng, plain, .gz or .zst); - reads standard input (the default when "
                   "it is a pipe)")
        ->type_name("FILE...");
    // FILE is optional (a pipe on standard input is read without it, and -r names files too): a
    // repeatable option must take one value per use, or `--port 9 FILE` would take FILE as a
    // second port.
    for (CLI::Option* o : app.get_options()) {
        if (!o->get_positional()) o->allow_extra_args(false);
    }
    app.callback([&options] { check_options(options); });
}

void add_pending_option(CLI::App& app, std::size_t& pending_limit) {
    app.add_option("--pending-limit", pending_limit,
                   "Keep at most SIZE bytes of data that came before its template (all exporters; K, M, G: "
                   "binary units; default 64M), decoded when the template arrives; 0 keeps none")
        ->transform(CLI::AsSizeValue(false))
        ->type_name("SIZE");
}

void print_input_error(const source::InputSummary& input, std::string_view kept) {
    if (input.error.empty()) return;
    if (!input.opened) {
        fmt::print(stderr, "nfpcap: {}\n", input.error);
        return;
    }
    fmt::print(stderr, "nfpcap: {}: {} (after frame {}; what came before it was {})\n", input.name, input.error,
               input.counters.frames, kept);
}

void explain_no_export(const pipeline::RunResult& run, const session::SessionTable& sessions,
                       const InputOptions& options) {
    const session::Totals totals = sessions.totals();
    if (run.input_error || run.stopped || totals.datagrams != totals.not_export_datagrams) return;
    std::uint64_t frames = 0;
    for (const auto& input : run.inputs) frames += input.counters.frames;
    if (frames == 0) return;  // an empty capture is plain enough
    if (options.ports.empty()) {
        fmt::print(stderr,
                   "nfpcap: no NetFlow or IPFIX export traffic in {} frames ({} UDP datagrams): nfpcap reads what "
                   "flow exporters (routers, softflowd, nfprobe) send to a collector, not the traffic itself\n",
                   frames, totals.datagrams);
    } else {
        fmt::print(stderr,
                   "nfpcap: no NetFlow or IPFIX export traffic on the selected ports in {} frames ({} UDP "
                   "datagrams); without --port every UDP port is looked at\n",
                   frames, totals.datagrams);
    }
}

int run_captures(const InputOptions& options, session::SessionTable& sessions, pipeline::Consumer& consumer,
                 pipeline::RunResult* result, std::string_view kept) {
    install_stop_handlers();  // main did already; a caller of its own (tests) may not have
    std::optional<Clock::time_point> deadline;
    if (options.duration > 0) {
        deadline =
            Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.duration));
    }
    source::LiveStop stop;
    stop.stop = &g_stop;
    stop.deadline = deadline;
    std::unique_ptr<WriteTap> tap;
    std::unique_ptr<source::MessageSource> source = make_source(options, stop, tap);

    LimitConsumer limited(consumer, options.count, deadline);
    ReportingConsumer reporting(limited, kept);
    pipeline::Consumer* first = &reporting;
    std::unique_ptr<ProgressConsumer> progress;
    constexpr std::uint64_t kProgressAbove = 100'000'000;
    if (!options.live() && !options.no_progress && ::isatty(STDERR_FILENO) != 0 &&
        source->progress().total > kProgressAbove) {
        progress = std::make_unique<ProgressConsumer>(reporting, *source);
        first = progress.get();
    }
    pipeline::RunOptions run_options;
    run_options.stop = &g_stop;
    // A first pass over named files learns the templates that come after the late-data buffer
    // filled (never over standard input or live input).
    const bool from_stdin =
        options.files.empty() || std::find(options.files.begin(), options.files.end(), "-") != options.files.end();
    std::unique_ptr<pipeline::FirstPass> first_pass;
    if (!options.live() && options.two_pass && !from_stdin && options.pending_limit != 0) {
        const auto files = options.files;
        const auto capture = options.capture_options();
        first_pass = std::make_unique<pipeline::FirstPass>(
            [files, capture] { return std::make_unique<source::CaptureSource>(files, capture); }, sessions.options());
        sessions.set_lookahead(first_pass.get());
    }
    pipeline::RunResult run = pipeline::run(*source, sessions, *first, run_options);
    sessions.set_lookahead(nullptr);
    if (progress) progress->erase();
    const bool tap_failed = tap && !tap->close();

    if (!options.live()) explain_no_export(run, sessions, options);
    bool input_error = false;
    for (const auto& input : run.inputs) input_error = input_error || real_error(input);
    int rc = input_error ? kExitInputError : kExitOk;
    if (rc == kExitOk && g_stop.load() && run.stopped) {
        // Stopped by the user: the normal end for a live source or a pipe; a file was cut short.
        bool files = false;
        for (const auto& f : options.files) files = files || is_regular_file(f);
        if (files) rc = kExitSignalBase + g_signal;
    }
    if (tap_failed) rc = kExitOutputError;
    if (result != nullptr) *result = std::move(run);
    return rc;
}

}  // namespace nfpcap::cli
