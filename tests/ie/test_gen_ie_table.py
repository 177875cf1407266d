#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tools/gen_ie_table.py on small data folders: the real data gives byte-identical output run
after run; a (pen, id) in two files is reported naming both; a data folder whose CSVs differ from
the list meson gives is an error; an element of a pen without a scope is an error.

Usage: test_gen_ie_table.py GEN_IE_TABLE.py DATA_DIR
"""
import os
import subprocess
import sys
import tempfile

HEADER = "pen,id,name,dataType,dataSemantics,units,status\n"
ENTERPRISES = "pen,scope,organization\n6871,cert,CERT\n"


def run(gen, data_dir, *extra):
    with tempfile.TemporaryDirectory() as out:
        cpp, ids = os.path.join(out, "t.cpp"), os.path.join(out, "ids.hpp")
        p = subprocess.run([sys.executable, gen, "--data-dir", data_dir, "--cpp", cpp, "--ids", ids, *extra],
                           capture_output=True, text=True)
        texts = (open(cpp, "rb").read(), open(ids, "rb").read()) if p.returncode == 0 else (b"", b"")
        return p.returncode, p.stderr, texts


def write(folder, files):
    for name, text in files.items():
        with open(os.path.join(folder, name), "w") as f:
            f.write(text)


def main():
    gen, data = sys.argv[1], sys.argv[2]
    failures = []
    passed = []

    def check(ok, what):
        print(("ok   " if ok else "FAIL ") + what)
        (passed if ok else failures).append(what)

    rc1, err1, out1 = run(gen, data)
    rc2, _, out2 = run(gen, data)
    check(rc1 == 0 and rc2 == 0, f"the project's data generates ({err1.strip()})")
    check(out1 == out2 and out1[0] != b"", "byte-identical output for the same input")
    check(b"/work/" not in out1[0] and b"/tmp" not in out1[0], "no absolute paths in the output")

    with tempfile.TemporaryDirectory() as d:
        write(d, {"enterprises.csv": ENTERPRISES,
                  "a.csv": HEADER + "0,1,octetDeltaCount,unsigned64,deltaCounter,octets,current\n",
                  "b.csv": HEADER + "6871,14,initialTCPFlags,unsigned16,flags,,current\n"
                                    "0,1,otherName,unsigned32,,,current\n"})
        rc, err, (cpp, ids) = run(gen, d)
        check(rc == 0, "duplicates are a warning, not an error")
        check("b.csv:3" in err and "a.csv:2" in err and "keeping octetDeltaCount" in err,
              f"a duplicate across files names both places: {err.strip()}")
        check(b'"octetDeltaCount"' in cpp and b'"otherName"' not in cpp, "the first file in name order wins")
        check(b"inline constexpr std::uint16_t initialTCPFlags = 14;" in ids and b"namespace cert {" in ids,
              "ids.hpp names enterprise elements in their scope")
        check(b"inline constexpr std::uint32_t kPenCert = 6871;" in ids, "ids.hpp names the PENs")

        rc, err, _ = run(gen, d, os.path.join(d, "a.csv"), os.path.join(d, "enterprises.csv"))
        check(rc != 0 and "b.csv" in err, f"a CSV missing from meson's list is an error: {err.strip()}")

        write(d, {"c.csv": HEADER + "777,1,x,unsigned8,,,current\n"})
        rc, err, _ = run(gen, d)
        check(rc != 0 and "777" in err, f"a pen without a scope is an error: {err.strip()}")

    print(f"{len(passed)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
