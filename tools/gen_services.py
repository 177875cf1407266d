#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Generate nfpcap's service and IP protocol name tables from Debian netbase.

Usage:
    python3 tools/gen_services.py [--netbase-version V] SERVICES_FILE PROTOCOLS_FILE OUTPUT.cpp

Typically (Debian: ``apt-get install netbase``):
    python3 tools/gen_services.py /etc/services /etc/protocols src/analyze/services_table.cpp

OUTPUT.cpp implements ``service_table()`` and ``protocol_table()`` declared in
``include/nfpcap/analyze/services.hpp``: constexpr arrays, services strictly sorted by
(protocol, port) and protocols strictly sorted by number, each with a static_assert
checking the order.  Carrying the table keeps nfpcap's output independent of the
host's /etc/services.

The netbase version named in the banner comes from ``dpkg-query -W netbase`` (or
``--netbase-version``).  When dpkg knows the package, the inputs are also checked
against the checksums dpkg recorded for /etc/services and /etc/protocols, and a
warning says so if they differ (a locally edited or foreign file).

Rules (each case met is reported on stderr, as a note when it is netbase's
expected content, as a warning otherwise):
  * services: the first column is the name; aliases and comments are ignored.
    Only tcp (6), udp (17), dccp (33) and sctp (132) entries are kept; netbase's
    AppleTalk ``ddp`` entries are not IP and are dropped.  For a duplicate
    (protocol, port) the first name in the file wins.
  * protocols: the first column, lowercased, is the keyword.  For a duplicate
    number the first keyword wins, except that netbase's ``ip 0`` line, a pseudo
    protocol for the socket API (IPPROTO_IP), is dropped so that 0 is IANA's
    ``hopopt``.  Numbers above 255 (``mptcp 262``, Linux's IPPROTO_MPTCP socket
    value) cannot appear in an IP header and are dropped.

The output depends only on the inputs and the version string (no timestamps, no
absolute paths), so the same netbase always yields a byte-identical file.  Only the
Python standard library is used.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass

PROG = "gen_services.py"

# Transport keywords in /etc/services -> IP protocol number.
TRANSPORTS = {"tcp": 6, "udp": 17, "dccp": 33, "sctp": 132}
# /etc/protocols lines that are not IP header values but socket API pseudo protocols.
PSEUDO_PROTOCOLS = {("ip", 0)}
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+/-]*$")


@dataclass(frozen=True)
class Service:
    protocol: int
    port: int
    name: str


@dataclass(frozen=True)
class Protocol:
    number: int
    keyword: str


class Reporter:
    """Prints notes and warnings to stderr, counting the warnings."""

    def __init__(self) -> None:
        self.warnings = 0

    def note(self, where: str, message: str) -> None:
        print(f"{PROG}: note: {where}: {message}", file=sys.stderr)

    def warn(self, where: str, message: str) -> None:
        self.warnings += 1
        print(f"{PROG}: warning: {where}: {message}", file=sys.stderr)


def data_lines(path: str):
    """Yield (line number, fields) for each non-blank line, comments removed."""
    try:
        with open(path, encoding="utf-8", errors="strict") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        raise SystemExit(f"{PROG}: error: {path}: {e}")
    for number, line in enumerate(text.splitlines(), start=1):
        fields = line.split("#", 1)[0].split()
        if fields:
            yield number, fields


def read_services(path: str, rep: Reporter) -> tuple[list[Service], int]:
    """Return (services sorted by (protocol, port), first name winning; entries read)."""
    base = os.path.basename(path)
    first: dict[tuple[int, int], Service] = {}
    entries = 0
    other: dict[str, int] = {}
    for line, fields in data_lines(path):
        where = f"{base}:{line}"
        entries += 1
        if len(fields) < 2 or fields[1].count("/") != 1:
            rep.warn(where, f"expected 'name port/protocol', got {' '.join(fields)!r}; skipped")
            continue
        name = fields[0]
        port_text, transport = fields[1].split("/")
        transport = transport.lower()
        if not port_text.isascii() or not port_text.isdigit() or int(port_text) > 0xFFFF:
            rep.warn(where, f"invalid port {port_text!r}; skipped")
            continue
        if not NAME_RE.match(name):
            rep.warn(where, f"unusual service name {name!r}; skipped")
            continue
        protocol = TRANSPORTS.get(transport)
        if protocol is None:
            other[transport] = other.get(transport, 0) + 1
            continue
        service = Service(protocol, int(port_text), name)
        kept = first.setdefault((service.protocol, service.port), service)
        if kept is not service:
            rep.warn(where, f"{port_text}/{transport} already named {kept.name!r}; "
                            f"dropping {name!r}")
    for transport, count in sorted(other.items()):
        level = rep.note if transport == "ddp" else rep.warn
        level(base, f"{count} '{transport}' entr{'y' if count == 1 else 'ies'} not over "
                    f"tcp/udp/dccp/sctp; dropped")
    return sorted(first.values(), key=lambda s: (s.protocol, s.port)), entries


def read_protocols(path: str, rep: Reporter) -> list[Protocol]:
    """Return protocols sorted by number, first keyword winning."""
    base = os.path.basename(path)
    first: dict[int, Protocol] = {}
    for line, fields in data_lines(path):
        where = f"{base}:{line}"
        if len(fields) < 2 or not fields[1].isascii() or not fields[1].isdigit():
            rep.warn(where, f"expected 'keyword number', got {' '.join(fields)!r}; skipped")
            continue
        keyword, number = fields[0].lower(), int(fields[1])
        if not NAME_RE.match(keyword):
            rep.warn(where, f"unusual keyword {keyword!r}; skipped")
            continue
        if (keyword, number) in PSEUDO_PROTOCOLS:
            rep.note(where, f"'{keyword} {number}' is a socket API pseudo protocol; dropped")
            continue
        if number > 0xFF:
            rep.note(where, f"'{keyword} {number}' does not fit the 8-bit IP protocol field; "
                            f"dropped")
            continue
        entry = Protocol(number, keyword)
        kept = first.setdefault(number, entry)
        if kept is not entry:
            rep.warn(where, f"protocol {number} already named {kept.keyword!r}; "
                            f"dropping {keyword!r}")
    for keyword, number in TRANSPORTS.items():
        if number in first and first[number].keyword != keyword:
            rep.warn(base, f"protocol {number} is {first[number].keyword!r}, "
                           f"the services file calls it {keyword!r}")
    return sorted(first.values(), key=lambda p: p.number)


def dpkg_query(fmt: str) -> str | None:
    try:
        done = subprocess.run(["dpkg-query", "-W", f"-f={fmt}", "netbase"],
                              capture_output=True, text=True, check=False)
    except OSError:
        return None
    return done.stdout if done.returncode == 0 else None


def check_conffiles(paths: dict[str, str], rep: Reporter) -> None:
    """Warn when an input differs from the file dpkg installed for netbase."""
    listing = dpkg_query("${Conffiles}")
    if listing is None:
        return
    recorded = {}
    for row in listing.splitlines():
        parts = row.split()
        if len(parts) >= 2:
            recorded[os.path.basename(parts[0])] = parts[1]
    for role, path in paths.items():
        want = recorded.get(role)
        if want is None:
            continue
        with open(path, "rb") as f:
            got = hashlib.md5(f.read()).hexdigest()
        if got != want:
            rep.warn(path, f"differs from netbase's /etc/{role} (md5 {got}, dpkg has {want}); "
                           f"the banner still names netbase")


def cpp_string(text: str) -> str:
    """A C++ string literal for a name NAME_RE accepted (printable ASCII, no quotes)."""
    return '"' + text + '"'


def render(services: list[Service], protocols: list[Protocol], version: str,
           service_entries: int) -> str:
    names = {n: k for k, n in TRANSPORTS.items()}
    counts = ", ".join(
        f"{sum(1 for s in services if s.protocol == p)} {names[p]}"
        for p in sorted(names) if any(s.protocol == p for s in services))
    lines = [
        "// SPDX-License-Identifier: MIT",
        "//",
        "// GENERATED by tools/gen_services.py from Debian netbase's services and protocols",
        f"// (netbase {version}; {service_entries} service entries -> {len(services)} names: "
        f"{counts};",
        f"// {len(protocols)} protocol numbers).",
        "// Do not edit: change the generator and regenerate with",
        "//   python3 tools/gen_services.py /etc/services /etc/protocols "
        "src/analyze/services_table.cpp",
        "",
        '#include "nfpcap/analyze/services.hpp"',
        "",
        "#include <array>",
        "#include <cstddef>",
        "",
        "namespace nfpcap::analyze {",
        "namespace {",
        "",
        f"constexpr std::size_t kServiceCount = {len(services)};",
        f"constexpr std::size_t kProtocolCount = {len(protocols)};",
        "",
        "// Sorted by (protocol, port).",
        "constexpr std::array<ServiceEntry, kServiceCount> kServices{{",
    ]
    lines += [f"    {{{s.protocol}, {s.port}, {cpp_string(s.name)}}}," for s in services]
    lines += [
        "}};",
        "",
        "// Sorted by number.",
        "constexpr std::array<ProtocolEntry, kProtocolCount> kProtocols{{",
    ]
    lines += [f"    {{{p.number}, {cpp_string(p.keyword)}}}," for p in protocols]
    lines += [
        "}};",
        "",
        "constexpr bool services_sorted() noexcept {",
        "    for (std::size_t i = 1; i < kServices.size(); ++i) {",
        "        const ServiceEntry& a = kServices[i - 1];",
        "        const ServiceEntry& b = kServices[i];",
        "        if (a.protocol > b.protocol || (a.protocol == b.protocol && a.port >= b.port)) {",
        "            return false;",
        "        }",
        "    }",
        "    return true;",
        "}",
        "",
        "constexpr bool protocols_sorted() noexcept {",
        "    for (std::size_t i = 1; i < kProtocols.size(); ++i) {",
        "        if (kProtocols[i - 1].number >= kProtocols[i].number) return false;",
        "    }",
        "    return true;",
        "}",
        "",
        'static_assert(services_sorted(), "kServices must be strictly sorted by (protocol, port)");',
        'static_assert(protocols_sorted(), "kProtocols must be strictly sorted by number");',
        "",
        "}  // namespace",
        "",
        "std::span<const ServiceEntry> service_table() noexcept {",
        "    return kServices;",
        "}",
        "",
        "std::span<const ProtocolEntry> protocol_table() noexcept {",
        "    return kProtocols;",
        "}",
        "",
        "}  // namespace nfpcap::analyze",
        "",
    ]
    return "\n".join(lines)


def write_if_changed(path: str, text: str) -> None:
    data = text.encode("utf-8")
    try:
        with open(path, "rb") as f:
            if f.read() == data:
                return
    except FileNotFoundError:
        pass
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".gen_services.", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def main(argv: list[str]) -> int:
    args = argv[1:]
    version = None
    if len(args) >= 2 and args[0] == "--netbase-version":
        version, args = args[1], args[2:]
    if len(args) != 3 or args[0] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    services_path, protocols_path, output = args
    rep = Reporter()
    if version is None:
        version = (dpkg_query("${Version}") or "").strip()
        if not version:
            raise SystemExit(f"{PROG}: error: dpkg-query knows no netbase package; install "
                             f"netbase or pass --netbase-version")
        check_conffiles({"services": services_path, "protocols": protocols_path}, rep)
    services, entries = read_services(services_path, rep)
    protocols = read_protocols(protocols_path, rep)
    if not services or not protocols:
        raise SystemExit(f"{PROG}: error: no usable services or protocols")
    write_if_changed(output, render(services, protocols, version, entries))
    print(f"{PROG}: wrote {len(services)} services and {len(protocols)} protocols to {output}"
          f" ({rep.warnings} warning(s))", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
