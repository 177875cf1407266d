#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Generate nfpcap's information element table and ID header from data/ie/*.csv.

Usage:
    python3 tools/gen_ie_table.py --data-dir DIR [--cpp OUT.cpp] [--ids OUT.hpp] [FILE.csv ...]

The build (src/ie/meson.build, include/nfpcap/ie/meson.build) runs, for example:
    python3 tools/gen_ie_table.py --data-dir data/ie --cpp elements_table.cpp data/ie/*.csv

DIR holds one CSV of elements per scope and ``enterprises.csv`` (``pen,scope,organization``:
the scope name of every private enterprise number).  FILE.csv arguments, when given, must be
exactly DIR's element CSVs (meson lists them so that an edit triggers a rebuild; a CSV
missing from that list is an error rather than silently ignored).

Each element CSV has the columns ``pen,id,name,dataType,dataSemantics,units`` and
optionally ``status`` (a header row naming them is required; column order may vary,
extra columns are ignored).  ``pen`` 4294967294 holds NetFlow v9 field types below 32768, ``pen``
4294967295 holds v9 field types of 32768 and above stored as ``type - 32768``,
``pen`` 4294967293 holds fields of the fixed formats (NetFlow v7 and v8) that IANA lacks,
``pen`` 0 is IANA and any other ``pen`` is an enterprise number.

OUT.cpp implements ``nfpcap::ie::all_elements()`` and ``enterprise_scope()``: a constexpr
``std::array<Element, N>`` sorted by (pen, id), with a static_assert checking the order.
OUT.hpp (``include/nfpcap/ie/ids.hpp``) names every element ID and enterprise number as
constants: ``nfpcap::ie::iana::octetDeltaCount``, ``nfpcap::ie::v9::...`` (v9 field types,
the >= 32768 ones as the full type), ``nfpcap::ie::fixed::...`` (v7/v8 fields),
``nfpcap::ie::cert::...``, ``kPenCert``, ...

Irregularities are repaired where the intent is clear and reported on stderr
as warnings:
  * dataType is matched case-insensitively (``ipv6address`` -> ipv6Address);
    an unknown or empty dataType becomes octetArray.
  * dataSemantics empty or ``default`` (RFC 5610 value 0) -> Semantics::none
    silently; any other unknown value -> Semantics::none with a warning.
  * surrounding whitespace in fields is stripped; blank lines are skipped.
  * rows with a missing/invalid pen, id or name, or with an id outside the
    15-bit element-id range, are skipped.
  * duplicate (pen, id) rows: the first one is kept (files are read in name order),
    naming both files and lines.
  * an element whose pen has no scope in enterprises.csv is an error.
  * a name that is not a C++ identifier gets no constant in OUT.hpp; one that repeats
    within a namespace gets none either, with a warning.

The output depends only on the CSV contents and file names (no timestamps, no
absolute paths), so the same data always yields byte-identical files.  Only the Python
standard library is used.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import sys
import tempfile
from dataclasses import dataclass

PEN_NETFLOW = 4294967294
PEN_NETFLOW_EXTRA = 4294967295
PEN_NETFLOW_FIXED = 4294967293  # fields of the fixed formats (v7, v8) that IANA lacks
PSEUDO_PENS = (0, PEN_NETFLOW, PEN_NETFLOW_EXTRA, PEN_NETFLOW_FIXED)
MAX_ELEMENT_ID = 0x7FFF  # RFC 7011 §3.2: the element id is 15 bits

# Order and spelling must match include/nfpcap/ie/element.hpp.
DATA_TYPES = (
    "octetArray", "unsigned8", "unsigned16", "unsigned32", "unsigned64",
    "signed8", "signed16", "signed32", "signed64", "float32", "float64", "boolean",
    "macAddress", "string", "dateTimeSeconds", "dateTimeMilliseconds",
    "dateTimeMicroseconds", "dateTimeNanoseconds", "ipv4Address", "ipv6Address",
    "basicList", "subTemplateList", "subTemplateMultiList",
)
SEMANTICS = (
    "none", "quantity", "totalCounter", "deltaCounter", "identifier", "flags",
    "list", "snmpCounter", "snmpGauge",
)
# Values meaning "no particular semantics" (RFC 5610 encodes "default" as 0).
SEMANTICS_NONE_ALIASES = ("", "none", "default")

REQUIRED_COLUMNS = ("pen", "id", "name", "dataType", "dataSemantics", "units")
ENTERPRISE_COLUMNS = ("pen", "scope", "organization")

_TYPE_BY_LOWER = {t.lower(): t for t in DATA_TYPES}
_SEM_BY_LOWER = {s.lower(): s for s in SEMANTICS}


@dataclass(frozen=True)
class Element:
    source: str  # "file.csv:LINE", for duplicate reports
    pen: int
    id: int
    name: str
    data_type: str
    semantics: str
    units: str


class Warner:
    """Collects warnings, printing each to stderr as it arrives."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.count = 0

    def __call__(self, line: int | None, message: str) -> None:
        self.count += 1
        where = f"{self.source}:{line}" if line is not None else self.source
        print(f"gen_ie_table.py: warning: {where}: {message}", file=sys.stderr)


def parse_uint(text: str, limit: int) -> int | None:
    """Parse a plain decimal unsigned integer no larger than limit."""
    if not text.isascii() or not text.isdigit():
        return None
    value = int(text, 10)
    return value if value <= limit else None


def read_elements(path: str, warn: Warner) -> tuple[list[Element], int]:
    """Read the CSV; return (elements in file order, number of data rows)."""
    # utf-8-sig drops a byte-order mark; newline="" lets csv handle CRLF and
    # quoted fields containing line breaks.
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f, strict=True)
        try:
            header = next(reader)
        except StopIteration:
            raise SystemExit(f"gen_ie_table.py: error: {path}: empty file")
        columns = {name.strip(): i for i, name in reversed(list(enumerate(header)))}
        missing = [c for c in REQUIRED_COLUMNS if c not in columns]
        if missing:
            raise SystemExit(
                f"gen_ie_table.py: error: {path}: header lacks column(s) "
                f"{', '.join(missing)} (got: {','.join(header)})")
        width = max(columns[c] for c in REQUIRED_COLUMNS) + 1

        elements: list[Element] = []
        data_rows = 0
        try:
            for row in reader:
                line = reader.line_num
                if not row or all(not cell.strip() for cell in row):
                    continue  # blank line
                data_rows += 1
                if len(row) != len(header):
                    warn(line, f"{len(row)} fields, header has {len(header)}")
                if len(row) < width:
                    warn(line, "too few fields; row skipped")
                    continue
                raw = {c: row[columns[c]] for c in REQUIRED_COLUMNS}
                field = {c: v.strip() for c, v in raw.items()}
                for c in REQUIRED_COLUMNS:
                    if raw[c] != field[c]:
                        warn(line, f"{c} {raw[c]!r} has surrounding whitespace; stripped")

                pen = parse_uint(field["pen"], 0xFFFFFFFF)
                if pen is None:
                    warn(line, f"invalid pen {field['pen']!r}; row skipped")
                    continue
                eid = parse_uint(field["id"], 0xFFFF)
                if eid is None:
                    warn(line, f"invalid id {field['id']!r}; row skipped")
                    continue
                if eid > MAX_ELEMENT_ID:
                    warn(line, f"id {eid} (pen {pen}) exceeds the 15-bit element id "
                               f"range; row skipped")
                    continue
                name = field["name"]
                if not name:
                    warn(line, f"empty name for ({pen}, {eid}); row skipped")
                    continue

                dt_raw = field["dataType"]
                data_type = _TYPE_BY_LOWER.get(dt_raw.lower())
                if data_type is None:
                    warn(line, f"{name}: unknown dataType {dt_raw!r}; using octetArray")
                    data_type = "octetArray"
                elif data_type != dt_raw:
                    warn(line, f"{name}: dataType {dt_raw!r} normalized to {data_type!r}")

                sem_raw = field["dataSemantics"]
                if sem_raw.lower() in SEMANTICS_NONE_ALIASES:
                    semantics = "none"
                else:
                    semantics = _SEM_BY_LOWER.get(sem_raw.lower())
                    if semantics is None:
                        warn(line, f"{name}: unknown dataSemantics {sem_raw!r}; using none")
                        semantics = "none"
                    elif semantics != sem_raw:
                        warn(line, f"{name}: dataSemantics {sem_raw!r} normalized to "
                                   f"{semantics!r}")

                elements.append(Element(f"{os.path.basename(path)}:{line}", pen, eid, name,
                                        data_type, semantics, field["units"]))
        except csv.Error as e:
            raise SystemExit(f"gen_ie_table.py: error: {path}:{reader.line_num}: {e}")
    return elements, data_rows


def dedupe(elements: list[Element], warn: Warner) -> list[Element]:
    """Keep the first row for each (pen, id); warn about the others."""
    first: dict[tuple[int, int], Element] = {}
    for e in elements:
        key = (e.pen, e.id)
        kept = first.get(key)
        if kept is None:
            first[key] = e
        elif (kept.name, kept.data_type) == (e.name, e.data_type):
            warn(None, f"{e.source}: duplicate row for ({e.pen}, {e.id}) {e.name} "
                       f"(first at {kept.source}); dropped")
        else:
            warn(None, f"{e.source}: duplicate (pen, id) ({e.pen}, {e.id}): keeping {kept.name} "
                       f"({kept.data_type}) from {kept.source}, dropping {e.name} ({e.data_type})")
    return sorted(first.values(), key=lambda e: (e.pen, e.id))


def check_names(elements: list[Element], warn: Warner) -> None:
    """Warn when one pen has the same name for several ids (kept as-is)."""
    seen: dict[tuple[int, str], int] = {}
    for e in elements:
        other = seen.setdefault((e.pen, e.name), e.id)
        if other != e.id:
            warn(None, f"pen {e.pen}: name {e.name} used by ids {other} and {e.id}")


def cpp_string(text: str) -> str:
    """A C++ narrow string literal holding text's UTF-8 bytes."""
    out = ['"']
    for byte in text.encode("utf-8"):
        ch = chr(byte)
        if ch in '"\\':
            out.append("\\" + ch)
        elif 0x20 <= byte < 0x7F:
            out.append(ch)
        else:
            out.append(f"\\{byte:03o}")  # fixed-width octal: no run-on like \x
    out.append('"')
    return "".join(out)


def cpp_pen(pen: int) -> str:
    if pen == PEN_NETFLOW:
        return "kPenNetflow"
    if pen == PEN_NETFLOW_EXTRA:
        return "kPenNetflowExtra"
    if pen == PEN_NETFLOW_FIXED:
        return "kPenNetflowFixed"
    return str(pen)


@dataclass(frozen=True)
class Enterprise:
    pen: int
    scope: str
    organization: str


def read_enterprises(path: str) -> list[Enterprise]:
    """Read enterprises.csv (pen,scope,organization); errors are fatal."""
    where = os.path.basename(path)
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f, strict=True)
        header = [c.strip() for c in next(reader, [])]
        if tuple(header[:3]) != ENTERPRISE_COLUMNS:
            raise SystemExit(f"gen_ie_table.py: error: {where}: header must be "
                             f"{','.join(ENTERPRISE_COLUMNS)} (got: {','.join(header)})")
        out: list[Enterprise] = []
        for row in reader:
            if not row or all(not c.strip() for c in row):
                continue
            line = reader.line_num
            if len(row) != 3:
                raise SystemExit(f"gen_ie_table.py: error: {where}:{line}: 3 fields expected")
            pen = parse_uint(row[0].strip(), 0xFFFFFFFF)
            scope = row[1].strip()
            if pen is None or pen in PSEUDO_PENS:
                raise SystemExit(f"gen_ie_table.py: error: {where}:{line}: bad pen {row[0]!r}")
            if not IDENTIFIER.fullmatch(scope) or scope in CPP_RESERVED:
                raise SystemExit(f"gen_ie_table.py: error: {where}:{line}: bad scope {scope!r}")
            out.append(Enterprise(pen, scope, row[2].strip()))
    pens = [e.pen for e in out]
    scopes = [e.scope for e in out]
    for what, values in (("pen", pens), ("scope", scopes)):
        dup = sorted({v for v in values if values.count(v) > 1})
        if dup:
            raise SystemExit(f"gen_ie_table.py: error: {where}: {what} listed twice: {dup}")
    return sorted(out, key=lambda e: e.pen)


IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Keywords and the names that would clash inside the generated namespaces.
CPP_RESERVED = frozenset("""alignas alignof and and_eq asm auto bitand bitor bool break case catch char
    char8_t char16_t char32_t class compl concept const consteval constexpr constinit const_cast
    continue co_await co_return co_yield decltype default delete do double dynamic_cast else enum
    explicit export extern false float for friend goto if inline int long mutable namespace new
    noexcept not not_eq nullptr operator or or_eq private protected public register
    reinterpret_cast requires return short signed sizeof static static_assert static_cast struct
    switch template this thread_local throw true try typedef typeid typename union unsigned using
    virtual void volatile wchar_t while xor xor_eq iana v9 fixed""".split())
GENERATED_BANNER = [
    "// SPDX-License-Identifier: MIT",
    "//",
    "// GENERATED by tools/gen_ie_table.py from data/ie/*.csv at build time. Do not edit:",
    "// change the CSV files (or the generator) and rebuild.",
]


def render(elements: list[Element], enterprises: list[Enterprise], sources: list[str],
           data_rows: int) -> str:
    n = len(elements)
    lines = GENERATED_BANNER + [
        f"// Sources: {', '.join(sources)} ({data_rows} data rows -> {n} elements).",
        "",
        '#include "nfpcap/ie/element.hpp"',
        '#include "nfpcap/ie/registry.hpp"',
        "",
        "#include <array>",
        "#include <cstddef>",
        "",
        "namespace nfpcap::ie {",
        "namespace {",
        "",
        f"constexpr std::size_t kElementCount = {n};",
        "",
        "// Sorted by (pen, id).",
        "constexpr std::array<Element, kElementCount> kElements{{",
    ]
    for e in elements:
        lines.append(
            f"    {{{cpp_pen(e.pen)}, {e.id}, {cpp_string(e.name)}, "
            f"DataType::{e.data_type}, Semantics::{e.semantics}, {cpp_string(e.units)}}},")
    lines += [
        "}};",
        "",
        "constexpr bool sorted_by_pen_id(const std::array<Element, kElementCount>& elements) noexcept {",
        "    for (std::size_t i = 1; i < elements.size(); ++i) {",
        "        const Element& a = elements[i - 1];",
        "        const Element& b = elements[i];",
        "        if (a.pen > b.pen || (a.pen == b.pen && a.id >= b.id)) {",
        "            return false;",
        "        }",
        "    }",
        "    return true;",
        "}",
        "",
        'static_assert(sorted_by_pen_id(kElements), "kElements must be strictly sorted by (pen, id)");',
        "",
        "}  // namespace",
        "",
        "std::span<const Element> all_elements() noexcept {",
        "    return kElements;",
        "}",
        "",
        "std::string_view enterprise_scope(std::uint32_t pen) noexcept {",
        "    switch (pen) {",
    ]
    for ent in enterprises:
        lines.append(f"    case {ent.pen}: return {cpp_string(ent.scope)};  // {ent.organization}")
    lines += [
        "    default: return {};",
        "    }",
        "}",
        "",
        "}  // namespace nfpcap::ie",
        "",
    ]
    return "\n".join(lines)


def pen_constant(scope: str) -> str:
    return "kPen" + scope[0].upper() + scope[1:]


def id_constants(elements: list[Element], warn: Warner) -> list[tuple[str, int, str]]:
    """(name, value, comment) for one namespace; names that cannot be constants are left out."""
    out: list[tuple[str, int, str]] = []
    taken: dict[str, str] = {}
    for e in elements:
        value = e.id + 32768 if e.pen == PEN_NETFLOW_EXTRA else e.id
        if not IDENTIFIER.fullmatch(e.name) or e.name in CPP_RESERVED:
            continue  # e.g. CERT's httpX-Forwarded-For: named in output, not in code
        if e.name in taken:
            warn(None, f"{e.source}: {e.name} already names {taken[e.name]}; no constant in ids.hpp")
            continue
        taken[e.name] = e.source
        out.append((e.name, value, e.data_type))
    return out


def render_ids(elements: list[Element], enterprises: list[Enterprise], warn: Warner) -> str:
    lines = GENERATED_BANNER + [
        "//",
        "// Named information element IDs and private enterprise numbers, so that code says",
        "// ie::iana::octetDeltaCount rather than 1. Namespace iana: IANA element IDs (RFC 7012);",
        "// v9: NetFlow v9 field types that IANA lacks (RFC 3954 §8; the ones >= 32768 as the",
        "// full field type); one namespace per enterprise scope (ie::cert::initialTCPFlags).",
        "#pragma once",
        "#include <cstdint>",
        "",
        "namespace nfpcap::ie {",
        "",
        "/// Private enterprise numbers (IANA \"Private Enterprise Numbers\"); 0 is IANA itself.",
        "inline constexpr std::uint32_t kPenIana = 0;",
    ]
    for ent in enterprises:
        lines.append(f"inline constexpr std::uint32_t {pen_constant(ent.scope)} = {ent.pen};"
                     f"  // {ent.organization}")
    groups: list[tuple[str, str, list[Element]]] = [
        ("iana", "IANA element IDs.", [e for e in elements if e.pen == 0]),
        ("v9", "NetFlow v9 field types that IANA lacks (>= 32768: the full field type).",
         [e for e in elements if e.pen in (PEN_NETFLOW, PEN_NETFLOW_EXTRA)]),
        ("fixed", "Fields of the fixed formats (NetFlow v7, v8) that IANA lacks.",
         [e for e in elements if e.pen == PEN_NETFLOW_FIXED]),
    ]
    for ent in enterprises:
        members = [e for e in elements if e.pen == ent.pen]
        if members:
            groups.append((ent.scope, f"{ent.organization} (PEN {ent.pen}) element IDs.", members))
    for name, doc, members in groups:
        lines += ["", f"/// {doc}", f"namespace {name} {{"]
        for const, value, data_type in id_constants(members, warn):
            lines.append(f"inline constexpr std::uint16_t {const} = {value};  // {data_type}")
        lines.append(f"}}  // namespace {name}")
    lines += ["", "}  // namespace nfpcap::ie", ""]
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
    fd, tmp = tempfile.mkstemp(prefix=".gen_ie_table.", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="gen_ie_table.py", description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--cpp", help="write the element table (elements_table.cpp) here")
    parser.add_argument("--ids", help="write the ID header (ids.hpp) here")
    parser.add_argument("csv", nargs="*", help="DIR's element CSVs (all of them), as meson lists them")
    args = parser.parse_args(argv[1:])
    if not args.cpp and not args.ids:
        parser.error("nothing to write: give --cpp and/or --ids")
    found = sorted(f for f in os.listdir(args.data_dir)
                   if f.endswith(".csv") and f != "enterprises.csv")
    if args.csv:
        listed = sorted(b for b in map(os.path.basename, args.csv) if b != "enterprises.csv")
        if listed != found:
            raise SystemExit(
                f"gen_ie_table.py: error: {args.data_dir}: the CSV files listed "
                f"({', '.join(listed)}) are not the folder's ({', '.join(found)}); "
                f"update the list in meson.build")
    enterprises = read_enterprises(os.path.join(args.data_dir, "enterprises.csv"))
    warn = Warner(os.path.basename(os.path.normpath(args.data_dir)))
    rows: list[Element] = []
    data_rows = 0
    for name in found:
        warn.source = name
        file_rows, count = read_elements(os.path.join(args.data_dir, name), warn)
        rows += file_rows
        data_rows += count
    warn.source = os.path.basename(os.path.normpath(args.data_dir))
    elements = dedupe(rows, warn)
    check_names(elements, warn)
    if not elements:
        raise SystemExit(f"gen_ie_table.py: error: {args.data_dir}: no usable rows")
    scoped = {e.pen for e in enterprises}
    unscoped = sorted({e.pen for e in elements} - scoped - set(PSEUDO_PENS))
    if unscoped:
        raise SystemExit(f"gen_ie_table.py: error: enterprises.csv lacks a scope for pen(s) "
                         f"{', '.join(map(str, unscoped))}")
    if args.cpp:
        write_if_changed(args.cpp, render(elements, enterprises, found, data_rows))
    ids_warn = Warner("ids.hpp")
    if args.ids:
        write_if_changed(args.ids, render_ids(elements, enterprises, ids_warn))
    if warn.count or ids_warn.count or os.environ.get("NFPCAP_GEN_VERBOSE"):
        print(f"gen_ie_table.py: {len(elements)} elements from {len(found)} files"
              f" ({warn.count + ids_warn.count} warning(s))", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
