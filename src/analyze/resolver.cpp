// SPDX-License-Identifier: MIT
// Reverse DNS on detached worker threads, each with its own Boost.Asio resolver.
//
// Why detached threads and synchronous resolves: getnameinfo(3) cannot be cancelled, and a lookup
// sent to a server that never answers blocks for the C library's own timeouts (resolv.conf
// `timeout` x `attempts`, twice over, as Asio retries with NI_NUMERICSERV after a failure).
// Boost 1.74's async_resolve runs that same call on one hidden thread per io_context, and the
// io_context destructor joins that thread, so a stuck lookup would hold up whoever destroys it.
// Instead each worker is a detached std::thread with its own io_context and resolver as locals,
// calling the synchronous resolve, which is the same getnameinfo on the worker's own thread:
// one io_context per parallel slot, as the Asio of 1.74 needs for concurrency.
//
// Lifetime: resolve() and its workers share one Job through shared_ptr; besides it a worker touches
// only its own io_context and resolver and the trivially destructible live_workers counter, so
// static destructors running at exit cannot pull anything from under it. When resolve() stops
// waiting (lookup timeout, budget, or all answered), a worker still inside getnameinfo keeps the
// Job alive, finds its lookup given up when it returns, and exits. Nothing is ever joined, so
// neither ~Resolver nor process exit waits for a silent server; at exit the OS ends such threads.
// A worker whose lookup timed out is replaced by a fresh one, up to kMaxLiveWorkers threads in
// the process, which bounds what a silent server can pin.
#include "nfpcap/analyze/resolver.hpp"

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <utility>

namespace nfpcap::analyze {
namespace {

using Clock = std::chrono::steady_clock;

enum class LookupState : std::uint8_t { waiting, running, named, unnamed, given_up };

/// One resolve() call's lookups, shared by the caller and its workers.
struct Job {
    std::mutex mutex;
    std::condition_variable changed;         // all answered, or a first lookup started (a new earliest timeout)
    std::vector<wire::IpAddress> addresses;  // distinct
    std::vector<LookupState> state;
    std::vector<std::string> names;
    std::vector<Clock::time_point> started;
    std::vector<std::size_t> running;  // indices being looked up, oldest first
    std::size_t next = 0;              // first address not handed out yet
    std::size_t outstanding = 0;       // neither answered nor given up
    std::size_t workers = 0;           // workers that will still take an address
    bool closed = false;               // resolve() has returned: hand out nothing more
};

/// Worker threads alive in the process, stuck ones included.
std::atomic<std::size_t> live_workers{0};
constexpr std::size_t kMaxLiveWorkers = 256;

boost::asio::ip::address to_asio(const wire::IpAddress& a) {
    if (a.family == 4) {
        boost::asio::ip::address_v4::bytes_type b;
        std::copy_n(a.bytes.begin(), b.size(), b.begin());
        return boost::asio::ip::address_v4(b);
    }
    boost::asio::ip::address_v6::bytes_type b;
    std::copy_n(a.bytes.begin(), b.size(), b.begin());
    return boost::asio::ip::address_v6(b);
}

/// The host name of `a`, or "" when there is none or the lookup failed.
std::string reverse_lookup(boost::asio::ip::tcp::resolver& resolver, const wire::IpAddress& a) {
    boost::system::error_code ec;
    const auto results = resolver.resolve(boost::asio::ip::tcp::endpoint(to_asio(a), 0), ec);
    if (ec || results.empty()) return {};
    std::string name = results.begin()->host_name();
    // Without a PTR record getnameinfo answers with the numeric form: that is no name.
    boost::asio::ip::make_address(name, ec);
    if (!ec || name.empty()) return {};
    return name;
}

void run_worker(Job& job) {
    boost::asio::io_context io;  // a resolver needs one; the synchronous resolve never runs it
    boost::asio::ip::tcp::resolver resolver(io);
    std::unique_lock lock(job.mutex);
    while (!job.closed && job.next < job.addresses.size()) {
        const auto i = job.next++;
        job.state[i] = LookupState::running;
        job.started[i] = Clock::now();
        job.running.push_back(i);
        if (job.running.size() == 1) job.changed.notify_all();
        const auto address = job.addresses[i];
        lock.unlock();
        std::string name;
        try {
            name = reverse_lookup(resolver, address);
        } catch (const std::exception&) {
            // Out of memory in the resolver: leave the address numeric.
        }
        lock.lock();
        // Given up on (timeout or budget): resolve() has counted this worker out already.
        if (job.state[i] != LookupState::running) return;
        job.running.erase(std::find(job.running.begin(), job.running.end(), i));
        job.state[i] = name.empty() ? LookupState::unnamed : LookupState::named;
        job.names[i] = std::move(name);
        if (--job.outstanding == 0) job.changed.notify_all();
    }
    --job.workers;
}

/// Starts a worker for the job (its mutex held by the caller); false when none can be started.
bool spawn_worker(const std::shared_ptr<Job>& job) {
    if (live_workers.fetch_add(1) >= kMaxLiveWorkers) {
        live_workers.fetch_sub(1);
        return false;
    }
    try {
        std::thread([job] {
            try {
                run_worker(*job);
            } catch (const std::exception&) {
                // No io_context or resolver (out of memory): this worker takes no address.
                const std::lock_guard lock(job->mutex);
                --job->workers;
            }
            live_workers.fetch_sub(1);
        }).detach();
    } catch (const std::system_error&) {
        live_workers.fetch_sub(1);
        return false;
    }
    ++job->workers;
    return true;
}

}  // namespace

Resolver::Resolver(ResolverOptions options) : options_(options), budget_left_(options.budget) {
    options_.parallel = std::max<std::size_t>(options_.parallel, 1);
}

Resolver::~Resolver() = default;

void Resolver::add_names(NameMap names) { names_.merge(names); }

NameMap Resolver::resolve(const std::vector<wire::IpAddress>& addresses) {
    const auto start = Clock::now();
    auto job = std::make_shared<Job>();
    for (const auto& a : addresses) {
        if (a.family != 4 && a.family != 6) continue;
        const auto [it, fresh] = cache_.try_emplace(a);
        if (!fresh) continue;
        if (const auto named = names_.find(a); named != names_.end()) {
            it->second = named->second;
            ++stats_.from_names;
        } else {
            job->addresses.push_back(a);
        }
    }

    const auto n = job->addresses.size();
    stats_.asked += n;
    if (n != 0) {
        job->state.assign(n, LookupState::waiting);
        job->names.resize(n);
        job->started.resize(n);
        job->outstanding = n;
        const auto deadline = start + budget_left_;
        std::unique_lock lock(job->mutex);
        if (budget_left_.count() > 0) {
            for (std::size_t w = 0; w < std::min(options_.parallel, n) && spawn_worker(job); ++w) {}
        }
        while (job->outstanding != 0) {
            const auto now = Clock::now();
            // Past its timeout a lookup is given up and its worker is stuck in getnameinfo:
            // a fresh worker takes its place.
            while (!job->running.empty() && job->started[job->running.front()] + options_.lookup_timeout <= now) {
                job->state[job->running.front()] = LookupState::given_up;
                job->running.erase(job->running.begin());
                --job->outstanding;
                --job->workers;
                if (job->next < n) spawn_worker(job);
            }
            if (job->outstanding == 0 || now >= deadline) break;
            // No worker left to take the rest (none could be started): they stay numeric.
            if (job->workers == 0 && job->running.empty()) break;
            auto wake = deadline;
            if (!job->running.empty()) {
                wake = std::min(wake, job->started[job->running.front()] + options_.lookup_timeout);
            }
            job->changed.wait_until(lock, wake);
        }
        job->closed = true;
        for (std::size_t i = 0; i < n; ++i) {
            switch (job->state[i]) {
            case LookupState::named:
                ++stats_.named;
                cache_[job->addresses[i]] = std::move(job->names[i]);
                break;
            case LookupState::unnamed: ++stats_.unnamed; break;
            case LookupState::running:
                job->state[i] = LookupState::given_up;  // its worker finds it given up and exits
                ++stats_.timed_out;
                break;
            case LookupState::given_up: ++stats_.timed_out; break;
            case LookupState::waiting: ++stats_.skipped; break;
            }
        }
    }

    NameMap out;
    for (const auto& a : addresses) {
        if (const auto named = names_.find(a); named != names_.end()) {
            out.try_emplace(a, named->second);
        } else if (const auto it = cache_.find(a); it != cache_.end() && !it->second.empty()) {
            out.try_emplace(a, it->second);
        }
    }
    const auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    stats_.elapsed += spent;
    budget_left_ = std::max(budget_left_ - spent, std::chrono::milliseconds{0});
    return out;
}

}  // namespace nfpcap::analyze
