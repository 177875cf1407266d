// SPDX-License-Identifier: MIT
// Fluent builder of NetFlow v9 / IPFIX (and v5/v7/v8) messages, so each edge case is one line:
//   Msg::ipfix(1).templates().tmpl(256, {{8, 4}, {12, 4}}).data(256).ip4("10.0.0.1").ip4("10.0.0.2").bytes()
#pragma once
#include <arpa/inet.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace nfpcap::test {

/// A template field as written: element ID, length, enterprise number (0 = none).
struct F {
    std::uint16_t id;
    std::uint16_t length;
    std::uint32_t pen = 0;
};

class Msg {
public:
    static Msg ipfix(std::uint32_t domain = 0, std::uint32_t export_time = 1700000000, std::uint32_t sequence = 0) {
        Msg m(10);
        m.u16(10).u16(0).u32(export_time).u32(sequence).u32(domain);
        return m;
    }
    static Msg v9(std::uint32_t source_id = 0, std::uint32_t uptime_ms = 100000, std::uint32_t secs = 1700000000,
                  std::uint32_t sequence = 0) {
        Msg m(9);
        m.u16(9).u16(0).u32(uptime_ms).u32(secs).u32(sequence).u32(source_id);
        return m;
    }

    /// NetFlow v5 / v7 / v8 headers (Cisco's formats); records follow as rec() then their bytes.
    static Msg v5(std::uint32_t uptime_ms = 100000, std::uint32_t secs = 1700000000, std::uint32_t nsecs = 0,
                  std::uint32_t sequence = 0, std::uint16_t sampling = 0) {
        Msg m(5);
        m.u16(5).u16(0).u32(uptime_ms).u32(secs).u32(nsecs).u32(sequence).u8(0).u8(0).u16(sampling);
        return m;
    }
    static Msg v7(std::uint32_t uptime_ms = 100000, std::uint32_t secs = 1700000000, std::uint32_t nsecs = 0,
                  std::uint32_t sequence = 0) {
        Msg m(7);
        m.u16(7).u16(0).u32(uptime_ms).u32(secs).u32(nsecs).u32(sequence).u32(0);
        return m;
    }
    static Msg v8(std::uint8_t scheme, std::uint32_t uptime_ms = 100000, std::uint32_t secs = 1700000000,
                  std::uint32_t sequence = 0, std::uint8_t engine_type = 0, std::uint8_t engine_id = 0) {
        Msg m(8);
        m.u16(8).u16(0).u32(uptime_ms).u32(secs).u32(0).u32(sequence);
        m.u8(engine_type).u8(engine_id).u8(scheme).u8(2).u32(0);
        return m;
    }

    /// Opens a set (closing the previous one).
    Msg& set(std::uint16_t id) {
        close();
        set_start_ = buf_.size();
        return u16(id).u16(0);
    }
    /// Template set: 2 (IPFIX) or 0 (v9).
    Msg& templates() { return set(version_ == 10 ? 2 : 0); }
    /// Options template set: 3 (IPFIX) or 1 (v9).
    Msg& options_templates() { return set(version_ == 10 ? 3 : 1); }
    Msg& data(std::uint16_t template_id) { return set(template_id); }

    /// A template record in the current template set.
    Msg& tmpl(std::uint16_t id, std::initializer_list<F> fields) {
        ++count_;
        u16(id).u16(static_cast<std::uint16_t>(fields.size()));
        for (const F& f : fields) field(f);
        return *this;
    }
    /// An options template record: IPFIX (id, count, scope count) or v9 (id, scope bytes, option bytes).
    Msg& options_tmpl(std::uint16_t id, std::initializer_list<F> scope, std::initializer_list<F> options) {
        ++count_;
        if (version_ == 10) {
            u16(id)
                .u16(static_cast<std::uint16_t>(scope.size() + options.size()))
                .u16(static_cast<std::uint16_t>(scope.size()));
        } else {
            u16(id)
                .u16(static_cast<std::uint16_t>(scope.size() * 4))
                .u16(static_cast<std::uint16_t>(options.size() * 4));
        }
        for (const F& f : scope) field(f);
        for (const F& f : options) field(f);
        return *this;
    }
    /// Marks one data record (counted in the v9 header's record count, and v5/v7/v8's).
    Msg& rec() {
        ++count_;
        return *this;
    }

    Msg& u8(std::uint8_t v) {
        buf_.push_back(std::byte{v});
        return *this;
    }
    Msg& u16(std::uint16_t v) { return u8(static_cast<std::uint8_t>(v >> 8U)).u8(static_cast<std::uint8_t>(v)); }
    Msg& u32(std::uint32_t v) { return u16(static_cast<std::uint16_t>(v >> 16U)).u16(static_cast<std::uint16_t>(v)); }
    Msg& u64(std::uint64_t v) { return u32(static_cast<std::uint32_t>(v >> 32U)).u32(static_cast<std::uint32_t>(v)); }
    Msg& ip4(const char* text) {
        unsigned char b[4];
        inet_pton(AF_INET, text, b);
        for (auto c : b) u8(c);
        return *this;
    }
    Msg& ip6(const char* text) {
        unsigned char b[16];
        inet_pton(AF_INET6, text, b);
        for (auto c : b) u8(c);
        return *this;
    }
    Msg& raw(std::initializer_list<std::uint8_t> bytes) {
        for (auto c : bytes) u8(c);
        return *this;
    }
    Msg& text(const std::string& s) {
        for (char c : s) u8(static_cast<std::uint8_t>(c));
        return *this;
    }
    /// RFC 7011 §7 variable-length encoding (1-byte length, or 255 + 2-byte length).
    Msg& varlen(const std::string& s) {
        if (s.size() < 255) {
            u8(static_cast<std::uint8_t>(s.size()));
        } else {
            u8(255).u16(static_cast<std::uint16_t>(s.size()));
        }
        return text(s);
    }
    Msg& pad(std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) u8(0);
        return *this;
    }
    /// Overrides the v9 record count written in the header.
    Msg& count(std::uint16_t n) {
        forced_count_ = n;
        return *this;
    }

    /// Closes the open set and fills in the lengths (IPFIX) / record count (v5-v9).
    std::vector<std::byte> bytes() {
        close();
        std::vector<std::byte> out = buf_;
        auto put16 = [&](std::size_t at, std::size_t v) {
            out[at] = std::byte{static_cast<std::uint8_t>(v >> 8U)};
            out[at + 1] = std::byte{static_cast<std::uint8_t>(v)};
        };
        put16(2, version_ == 10 ? out.size() : (forced_count_ >= 0 ? static_cast<std::size_t>(forced_count_) : count_));
        return out;
    }

private:
    explicit Msg(std::uint16_t version) : version_(version) {}
    void field(const F& f) {
        u16(static_cast<std::uint16_t>(f.pen ? (f.id | 0x8000U) : f.id)).u16(f.length);
        if (f.pen) u32(f.pen);
    }
    void close() {
        if (set_start_ == 0) return;
        auto len = buf_.size() - set_start_;
        buf_[set_start_ + 2] = std::byte{static_cast<std::uint8_t>(len >> 8U)};
        buf_[set_start_ + 3] = std::byte{static_cast<std::uint8_t>(len)};
        set_start_ = 0;
    }

    std::uint16_t version_;
    std::vector<std::byte> buf_;
    std::size_t set_start_ = 0;
    std::size_t count_ = 0;
    int forced_count_ = -1;
};

}  // namespace nfpcap::test
