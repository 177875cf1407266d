// SPDX-License-Identifier: MIT
// wire::Reader: big-endian loads of every width, sticky failure, sub(n), skips and empty input.
#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "nfpcap/wire/reader.hpp"

using namespace nfpcap;

namespace {

std::vector<std::byte> bytes_of(std::initializer_list<unsigned> values) {
    std::vector<std::byte> out;
    for (unsigned v : values) out.push_back(static_cast<std::byte>(v));
    return out;
}

}  // namespace

TEST_SUITE("wire.reader") {
    TEST_CASE("be16, be32, be64 and u8 read big-endian and advance") {
        const auto data = bytes_of({0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d,
                                    0x0e, 0x0f, 0x10, 0xff});
        wire::Reader r{data};
        CHECK(r.be16() == 0x0102U);
        CHECK(r.offset() == 2);
        CHECK(r.be32() == 0x03040506U);
        CHECK(r.be64() == 0x0708090a0b0c0d0eULL);
        CHECK(r.u8() == 0x0fU);
        CHECK(r.u8() == 0x10U);
        CHECK(r.remaining() == 1);
        CHECK(r.u8() == 0xffU);
        CHECK(r.empty());
        CHECK_FALSE(r.failed());
    }

    TEST_CASE("high bits survive every width (no sign extension)") {
        const auto data = bytes_of({0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0xfa, 0xf9, 0xf8});
        CHECK(wire::Reader{data}.be16() == 0xfffeU);
        CHECK(wire::Reader{data}.be32() == 0xfffefdfcU);
        CHECK(wire::Reader{data}.be64() == 0xfffefdfcfbfaf9f8ULL);
    }

    TEST_CASE("be_uint reads 1 to 8 bytes (RFC 7011 §6.2 reduced-size encoding)") {
        const auto data = bytes_of({0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88});
        std::uint64_t expected = 0;
        for (std::size_t width = 1; width <= 8; ++width) {
            CAPTURE(width);
            expected = (expected << 8U) | (0x80U + width);
            wire::Reader r{data};
            CHECK(r.be_uint(width) == expected);
            CHECK(r.offset() == width);
            CHECK_FALSE(r.failed());
        }
        // The fixed-width loads agree with be_uint of the same width.
        CHECK(wire::Reader{data}.be_uint(2) == wire::Reader{data}.be16());
        CHECK(wire::Reader{data}.be_uint(4) == wire::Reader{data}.be32());
        CHECK(wire::Reader{data}.be_uint(8) == wire::Reader{data}.be64());
    }

    TEST_CASE("be_uint of width 0 or more than 8 fails without moving") {
        const auto data = bytes_of({1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
        for (std::size_t width : {std::size_t{0}, std::size_t{9}, std::size_t{10}}) {
            CAPTURE(width);
            wire::Reader r{data};
            CHECK(r.be_uint(width) == 0);
            CHECK(r.failed());
            CHECK(r.offset() == 0);
        }
    }

    TEST_CASE("a read past the end returns zero, does not move, and the failure is sticky") {
        const auto data = bytes_of({0xaa, 0xbb, 0xcc});
        SUBCASE("be32 on 3 bytes") {
            wire::Reader r{data};
            CHECK(r.be32() == 0);
            CHECK(r.failed());
            CHECK(r.offset() == 0);
            CHECK(r.remaining() == 3);
            // Bytes are there, but a failed reader reads nothing more.
            CHECK(r.u8() == 0);
            CHECK(r.be16() == 0);
            CHECK(r.offset() == 0);
            CHECK(r.failed());
        }
        SUBCASE("a whole header read, then one check") {
            wire::Reader r{data};
            const auto a = r.be16();
            const auto b = r.be16();  // one byte short
            const auto c = r.u8();    // would fit, but the reader has failed
            CHECK(a == 0xaabbU);
            CHECK(b == 0);
            CHECK(c == 0);
            CHECK(r.failed());
            CHECK(r.offset() == 2);
        }
        SUBCASE("be64 and be_uint") {
            wire::Reader r{data};
            CHECK(r.be64() == 0);
            CHECK(r.failed());
            wire::Reader s{data};
            CHECK(s.be_uint(4) == 0);
            CHECK(s.failed());
            CHECK(s.offset() == 0);
        }
    }

    TEST_CASE("bytes(n) is a view of the next n bytes") {
        const auto data = bytes_of({1, 2, 3, 4, 5});
        wire::Reader r{data};
        const wire::Bytes v = r.bytes(3);
        REQUIRE(v.size() == 3);
        CHECK(v.data() == data.data());  // a view, not a copy
        CHECK(std::to_integer<unsigned>(v[2]) == 3U);
        CHECK(r.offset() == 3);
        CHECK(r.bytes(3).empty());  // past the end: empty view, failed
        CHECK(r.failed());
        CHECK(r.offset() == 3);
    }

    TEST_CASE("sub(n): a child limited to n bytes while the parent skips all n") {
        const auto data = bytes_of({0x00, 0x02, 0x11, 0x22, 0x33, 0x44, 0x55});
        wire::Reader r{data};
        const auto length = r.be16();
        wire::Reader child = r.sub(length + 1U);
        CHECK(r.offset() == 5);
        CHECK_FALSE(r.failed());
        CHECK(child.remaining() == 3);
        CHECK(child.whole().data() == data.data() + 2);
        CHECK(child.be16() == 0x1122U);
        CHECK(child.u8() == 0x33U);
        CHECK(child.empty());
        // The child's limit is its own: reading past it fails the child only.
        CHECK(child.u8() == 0);
        CHECK(child.failed());
        CHECK_FALSE(r.failed());
        CHECK(r.be16() == 0x4455U);
        CHECK(r.empty());
        CHECK_FALSE(r.failed());
    }

    TEST_CASE("sub(n) past the end fails the parent and gives an empty child") {
        const auto data = bytes_of({0x01, 0x02, 0x03});
        wire::Reader r{data};
        r.skip(1);
        wire::Reader child = r.sub(3);
        CHECK(r.failed());
        CHECK(r.offset() == 1);
        CHECK(child.empty());
        CHECK(child.remaining() == 0);
        CHECK(child.u8() == 0);
        CHECK(child.failed());
    }

    TEST_CASE("sub(0) is an empty, valid child") {
        const auto data = bytes_of({0x01});
        wire::Reader r{data};
        wire::Reader child = r.sub(0);
        CHECK(child.empty());
        CHECK_FALSE(child.failed());
        CHECK_FALSE(r.failed());
        CHECK(r.offset() == 0);
    }

    TEST_CASE("skip moves within bounds; past the end it fails without moving") {
        const auto data = bytes_of({1, 2, 3, 4});
        wire::Reader r{data};
        r.skip(2);
        CHECK(r.offset() == 2);
        CHECK(r.rest().size() == 2);
        CHECK(std::to_integer<unsigned>(r.rest()[0]) == 3U);
        r.skip(2);
        CHECK(r.empty());
        CHECK_FALSE(r.failed());
        r.skip(1);
        CHECK(r.failed());
        CHECK(r.offset() == 4);

        wire::Reader s{data};
        s.skip(5);
        CHECK(s.failed());
        CHECK(s.offset() == 0);
        CHECK(s.u8() == 0);  // sticky: the bytes are there, the reader has failed
    }

    TEST_CASE("an empty reader: nothing to read, every read fails") {
        wire::Reader r;
        CHECK(r.empty());
        CHECK(r.remaining() == 0);
        CHECK(r.whole().empty());
        CHECK(r.rest().empty());
        CHECK_FALSE(r.failed());
        CHECK(r.u8() == 0);
        CHECK(r.failed());

        const std::vector<std::byte> none;
        wire::Reader e{none};
        CHECK(e.be16() == 0);
        CHECK(e.failed());
        wire::Reader f{none};
        CHECK(f.bytes(0).empty());  // zero bytes are always there
        CHECK_FALSE(f.failed());
        CHECK(f.be_uint(1) == 0);
        CHECK(f.failed());
    }

    TEST_CASE("the free loads agree with the reader") {
        const auto data = bytes_of({0xde, 0xad, 0xbe, 0xef, 0x01, 0x23, 0x45, 0x67});
        CHECK(wire::load_be16(data.data()) == 0xdeadU);
        CHECK(wire::load_be32(data.data()) == 0xdeadbeefU);
        CHECK(wire::load_be64(data.data()) == 0xdeadbeef01234567ULL);
        CHECK(wire::load_be(data.data() + 1, 3) == 0xadbeefU);
        CHECK(wire::load_be(data.data(), 0) == 0);
    }
}
