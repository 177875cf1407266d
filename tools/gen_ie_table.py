#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Generate nfpcap's information element table from the registry CSV.

Usage:
    python3 tools/gen_ie_table.py INPUT.csv OUTPUT.cpp

Typically:
    python3 tools/gen_ie_table.py /work/shared/registry/information-elements.csv \\
        src/ie/elements_table.cpp

INPUT.csv has the columns ``pen,id,name,dataType,dataSemantics,units,status,scope``
(a header row naming them is required; column order may vary, extra columns are
ignored).  ``pen`` 4294967294 holds NetFlow v9 field types below 32768, ``pen``
4294967295 holds v9 field types of 32768 and above stored as ``type - 32768``,
``pen`` 0 is IANA and any other ``pen`` is an enterprise number.

OUTPUT.cpp implements ``nfpcap::ie::all_elements()`` declared in
``include/nfpcap/ie/element.hpp``: a constexpr ``std::array<Element, N>`` sorted
by (pen, id), with a static_assert checking the order.

Irregularities are repaired where the intent is clear and reported on stderr
as warnings:
  * dataType is matched case-insensitively (``ipv6address`` -> ipv6Address);
    an unknown or empty dataType becomes octetArray.
  * dataSemantics empty or ``default`` (RFC 5610 value 0) -> Semantics::none
    silently; any other unknown value -> Semantics::none with a warning.
  * surrounding whitespace in fields is stripped; blank lines are skipped.
  * rows with a missing/invalid pen, id or name, or with an id outside the
    15-bit element-id range, are skipped.
  * duplicate (pen, id) rows: the first one is kept.

The output depends only on the CSV contents (no timestamps, no absolute
paths), so the same CSV always yields a byte-identical file.  Only the Python
standard library is used.
"""

from __future__ import annotations

import csv
import os
import sys
import tempfile
from dataclasses import dataclass

PEN_NETFLOW = 4294967294
PEN_NETFLOW_EXTRA = 4294967295
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

_TYPE_BY_LOWER = {t.lower(): t for t in DATA_TYPES}
_SEM_BY_LOWER = {s.lower(): s for s in SEMANTICS}


@dataclass(frozen=True)
class Element:
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

                elements.append(Element(pen, eid, name, data_type, semantics,
                                        field["units"]))
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
        elif kept == e:
            warn(None, f"duplicate row for ({e.pen}, {e.id}) {e.name}; dropped")
        else:
            warn(None, f"duplicate (pen, id) ({e.pen}, {e.id}): keeping {kept.name} "
                       f"({kept.data_type}), dropping {e.name} ({e.data_type})")
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
    return str(pen)


def render(elements: list[Element], source_name: str, data_rows: int) -> str:
    n = len(elements)
    lines = [
        "// SPDX-License-Identifier: MIT",
        "//",
        "// GENERATED by tools/gen_ie_table.py from the registry's",
        f"// {source_name} ({data_rows} data rows -> {n} elements).",
        "// Do not edit: change the CSV or the generator and regenerate with",
        f"//   python3 tools/gen_ie_table.py <registry>/{source_name} src/ie/elements_table.cpp",
        "",
        '#include "nfpcap/ie/element.hpp"',
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
        "}  // namespace nfpcap::ie",
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
    if len(argv) != 3 or argv[1] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    source, output = argv[1], argv[2]
    warn = Warner(os.path.basename(source))
    rows, data_rows = read_elements(source, warn)
    elements = dedupe(rows, warn)
    check_names(elements, warn)
    if not elements:
        raise SystemExit(f"gen_ie_table.py: error: {source}: no usable rows")
    write_if_changed(output, render(elements, os.path.basename(source), data_rows))
    print(f"gen_ie_table.py: wrote {len(elements)} elements to {output}"
          f" ({warn.count} warning(s))", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
