// SPDX-License-Identifier: MIT
// TCP reassembly: sequence-ordered chunks per connection direction, bounded holding of what is early.
#include "nfpcap/capture/tcp_reassembly.hpp"

#include <algorithm>
#include <iterator>

#include "nfpcap/capture/frame.hpp"

namespace nfpcap::capture {

namespace {
// What a held piece costs beyond its bytes (map node, vector header), charged against the
// limits so that a flood of one-byte segments is bounded like a few big ones.
constexpr std::size_t kPieceOverhead = 64;
constexpr std::int64_t kSweepInterval = 1'000'000'000;

std::size_t charge(const std::vector<std::byte>& piece) { return piece.size() + kPieceOverhead; }
}  // namespace

TcpReassembler::Connection* TcpReassembler::start(const Key& key, const TcpSegment& s) {
    if (connections_.size() >= limits_.max_connections) {
        ++counters_.connection_limit;
        return nullptr;
    }
    ++counters_.connections;
    Connection& c = connections_[key];
    c.id = ++next_id_;
    c.a = s.src;
    c.b = s.dst;
    c.last_seen = s.time_ns;
    return &c;
}

void TcpReassembler::deliver(Connection& c, int d, const Now& now, wire::Bytes view, std::vector<std::byte> owned,
                             bool own) {
    Direction& dir = c.dir[d];
    Ready r;
    r.uses_owned = own;
    r.owned = std::move(owned);
    TcpChunk& k = r.chunk;
    k.frame = now.frame;
    k.input = now.input;
    k.time_ns = now.time_ns;
    k.src = d == 0 ? c.a : c.b;
    k.dst = d == 0 ? c.b : c.a;
    k.connection = c.id;
    k.offset = dir.next_off;
    k.data = own ? wire::Bytes(r.owned) : view;
    k.gap = dir.gap;
    k.bytes_lost = dir.lost;
    k.first = !dir.started;
    k.midstream = !dir.syn;
    dir.gap = false;
    dir.lost = 0;
    dir.started = true;
    dir.next_off += k.data.size();
    dir.next_seq += static_cast<std::uint32_t>(k.data.size());
    ++counters_.chunks;
    counters_.bytes += k.data.size();
    ready_.push_back(std::move(r));
}

void TcpReassembler::pull(Connection& c, int d, const Now& now) {
    Direction& dir = c.dir[d];
    while (!dir.held.empty() && dir.held.begin()->first <= dir.next_off) {
        auto node = dir.held.extract(dir.held.begin());
        std::vector<std::byte>& piece = node.mapped();
        dir.held_bytes -= charge(piece);
        total_held_ -= charge(piece);
        const std::uint64_t begin = node.key();
        if (begin + piece.size() <= dir.next_off) continue;  // all of it is behind us now
        if (begin < dir.next_off) {
            piece.erase(piece.begin(), piece.begin() + static_cast<std::ptrdiff_t>(dir.next_off - begin));
        }
        deliver(c, d, now, {}, std::move(piece), true);
    }
    dir.hole_since = dir.held.empty() ? 0 : now.time_ns;
}

void TcpReassembler::give_up_hole(Connection& c, int d, const Now& now) {
    Direction& dir = c.dir[d];
    if (dir.held.empty()) return;
    const std::uint64_t lost = dir.held.begin()->first - dir.next_off;
    dir.lost += lost;
    dir.gap = true;
    ++counters_.gaps;
    counters_.bytes_lost += lost;
    dir.next_off += lost;
    dir.next_seq += static_cast<std::uint32_t>(lost);
    pull(c, d, now);
}

void TcpReassembler::flush(Connection& c, int d, const Now& now) {
    Direction& dir = c.dir[d];
    while (!dir.held.empty()) give_up_hole(c, d, now);
    if (!dir.fin_seen || dir.fin_done) return;
    dir.fin_done = true;
    if (dir.next_off < dir.fin_off) {  // bytes missing right before the FIN
        const std::uint64_t lost = dir.fin_off - dir.next_off;
        dir.lost += lost;
        dir.gap = true;
        ++counters_.gaps;
        counters_.bytes_lost += lost;
        dir.next_off = dir.fin_off;
    }
    // The FIN rides on the last chunk of this direction when that is still waiting to be taken.
    const wire::Endpoint& sender = d == 0 ? c.a : c.b;
    if (!dir.gap && !ready_.empty() && ready_.back().chunk.connection == c.id && ready_.back().chunk.src == sender) {
        ready_.back().chunk.fin = true;
        return;
    }
    deliver(c, d, now, {}, {}, true);
    ready_.back().chunk.fin = true;
}

void TcpReassembler::hold(Connection& c, int d, std::uint64_t off, wire::Bytes bytes, std::int64_t time_ns) {
    Direction& dir = c.dir[d];
    const bool was_empty = dir.held.empty();
    std::uint64_t b = off;
    const std::uint64_t e = off + bytes.size();
    bool dropped = false, placed = false;
    auto it = dir.held.upper_bound(b);
    if (it != dir.held.begin()) {
        auto prev = std::prev(it);
        const std::uint64_t prev_end = prev->first + prev->second.size();
        if (prev_end > b) {
            dropped = true;
            b = std::min(prev_end, e);
        }
    }
    // Fill only what lies between the pieces already held (the first copy wins).
    while (b < e) {
        const std::uint64_t stop = (it != dir.held.end() && it->first < e) ? it->first : e;
        if (stop > b) {
            auto from = bytes.begin() + static_cast<std::ptrdiff_t>(b - off);
            std::vector<std::byte> piece(from, from + static_cast<std::ptrdiff_t>(stop - b));
            dir.held_bytes += charge(piece);
            total_held_ += charge(piece);
            dir.held.emplace_hint(it, b, std::move(piece));
            placed = true;
        }
        if (it == dir.held.end() || it->first >= e) break;
        dropped = true;
        b = std::max(b, it->first + it->second.size());
        ++it;
    }
    if (dropped) ++counters_.retransmitted;
    if (placed) ++counters_.out_of_order;
    if (was_empty && !dir.held.empty()) dir.hole_since = time_ns;
}

void TcpReassembler::enforce(Connection& c, int d, const Now& now) {
    Direction& dir = c.dir[d];
    while (!dir.held.empty() &&
           (dir.held_bytes > limits_.max_held_bytes || dir.held.size() > limits_.max_held_segments)) {
        give_up_hole(c, d, now);
    }
    while (total_held_ > limits_.max_total_held_bytes) {
        if (!dir.held.empty()) {
            give_up_hole(c, d, now);
            continue;
        }
        // Rare: many connections hold data at once. Free the first one found.
        bool freed = false;
        for (auto& [key, other] : connections_) {
            for (int k = 0; k < 2 && !freed; ++k) {
                if (!other.dir[k].held.empty()) {
                    give_up_hole(other, k, now);
                    freed = true;
                }
            }
            if (freed) break;
        }
        if (!freed) break;
    }
}

void TcpReassembler::end_connection(Connection& c, const Now& now, bool rst, int rst_dir) {
    for (int d = 0; d < 2; ++d) flush(c, d, now);
    if (rst) {
        const wire::Endpoint& sender = rst_dir == 0 ? c.a : c.b;
        if (!ready_.empty() && ready_.back().chunk.connection == c.id && ready_.back().chunk.src == sender) {
            ready_.back().chunk.rst = true;
        } else {
            deliver(c, rst_dir, now, {}, {}, true);
            ready_.back().chunk.rst = true;
        }
    }
    connections_.erase(Key{std::min(c.a, c.b), std::max(c.a, c.b)});
}

void TcpReassembler::sweep(const Now& now) {
    std::int64_t since = 0;
    if (swept_ && !__builtin_sub_overflow(now.time_ns, last_sweep_, &since) && since >= 0 && since < kSweepInterval) {
        return;
    }
    swept_ = true;
    last_sweep_ = now.time_ns;
    std::vector<Key> idle;
    for (auto& [key, c] : connections_) {
        std::int64_t age = 0;
        if (__builtin_sub_overflow(now.time_ns, c.last_seen, &age) || age > limits_.idle_timeout_ns) {
            idle.push_back(key);
            continue;
        }
        for (int d = 0; d < 2; ++d) {
            Direction& dir = c.dir[d];
            std::int64_t waited = 0;
            if (!dir.held.empty() &&
                (__builtin_sub_overflow(now.time_ns, dir.hole_since, &waited) || waited > limits_.hole_timeout_ns)) {
                give_up_hole(c, d, now);
            }
        }
    }
    for (const Key& key : idle) {
        auto it = connections_.find(key);
        if (it != connections_.end()) end_connection(it->second, now, false, 0);
    }
}

void TcpReassembler::add(const TcpSegment& s) {
    ++counters_.segments;
    const Now now{s.frame, s.time_ns, s.input};
    sweep(now);
    const bool syn = (s.flags & tcp_flag::syn) != 0;
    const bool ack = (s.flags & tcp_flag::ack) != 0;
    const bool fin = (s.flags & tcp_flag::fin) != 0;
    const bool rst = (s.flags & tcp_flag::rst) != 0;
    const Key key{std::min(s.src, s.dst), std::max(s.src, s.dst)};

    auto it = connections_.find(key);
    Connection* c = it == connections_.end() ? nullptr : &it->second;
    if (c != nullptr && syn && !ack) {
        const Direction& dir = c->dir[c->a == s.src ? 0 : 1];
        if (!(dir.syn && dir.isn == s.seq)) {  // not a retransmitted SYN: a new connection
            end_connection(*c, now, false, 0);
            c = nullptr;
        }
    }
    if (c == nullptr) {
        // Pure ACKs, FINs and RSTs of connections not followed: nothing to keep.
        if ((!syn && s.length == 0) || rst) return;
        c = start(key, s);
        if (c == nullptr) return;
    }
    c->last_seen = s.time_ns;
    const int d = c->a == s.src ? 0 : 1;
    Direction& dir = c->dir[d];
    std::uint32_t seq = s.seq;
    if (syn) {
        if (!dir.syn && !dir.based) {
            dir.syn = true;
            dir.isn = s.seq;
            dir.based = true;
            dir.next_seq = s.seq + 1;
        }
        seq = s.seq + 1;  // the SYN takes one sequence number; data in it follows
    }
    if (!dir.based) {
        dir.based = true;
        dir.next_seq = seq;
    }
    if (rst) {
        end_connection(*c, now, true, d);
        return;
    }
    const std::int64_t next = static_cast<std::int64_t>(dir.next_off);
    std::int64_t off = next + static_cast<std::int32_t>(seq - dir.next_seq);
    const std::int64_t len = s.length;
    const std::int64_t end = off + len;

    if (len > 0 && !dir.fin_done) {
        if (end <= next) {
            ++counters_.retransmitted;
        } else if (s.payload.size() < static_cast<std::size_t>(len)) {
            // Cut by the snap length: never handed on as data. In order, its bytes are lost for
            // sure; ahead, they stay a hole that the rules below give up.
            ++counters_.truncated;
            if (off <= next) {
                const auto lost = static_cast<std::uint64_t>(end - next);
                dir.lost += lost;
                dir.gap = true;
                ++counters_.gaps;
                counters_.bytes_lost += lost;
                dir.next_off += lost;
                dir.next_seq += static_cast<std::uint32_t>(lost);
                pull(*c, d, now);
            }
        } else {
            wire::Bytes bytes = s.payload.first(static_cast<std::size_t>(len));
            if (off < next) {
                ++counters_.retransmitted;
                bytes = bytes.subspan(static_cast<std::size_t>(next - off));
                off = next;
            }
            if (off == next) {
                deliver(*c, d, now, bytes, {}, false);
                pull(*c, d, now);
            } else {
                hold(*c, d, static_cast<std::uint64_t>(off), bytes, s.time_ns);
                enforce(*c, d, now);
            }
        }
    }
    if (fin && !dir.fin_seen) {
        dir.fin_seen = true;
        dir.fin_off = static_cast<std::uint64_t>(std::max<std::int64_t>(end, 0));
    }
    if (dir.fin_seen && !dir.fin_done) flush(*c, d, now);
    if (c->dir[0].fin_done && c->dir[1].fin_done) connections_.erase(key);
}

bool TcpReassembler::next(TcpChunk& out) {
    if (ready_.empty()) return false;
    current_ = std::move(ready_.front());
    ready_.pop_front();
    if (current_.uses_owned) current_.chunk.data = wire::Bytes(current_.owned);
    out = current_.chunk;
    return true;
}

void TcpReassembler::finish(std::uint64_t frame, std::int64_t time_ns, std::uint32_t input) {
    const Now now{frame, time_ns, input};
    while (!connections_.empty()) end_connection(connections_.begin()->second, now, false, 0);
}

}  // namespace nfpcap::capture
