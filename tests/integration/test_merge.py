#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""--merge against mergecap: `nfpcap flows --merge FILES` gives, record by record, what nfpcap
gives on `mergecap -w` of the same FILES, each record naming its own file and its frame there;
without --merge the files are read one after the other.

    tests/integration/test_merge.py NFPCAP_BINARY CAPTURE_DATA_DIR SAMPLES_DIR

The captures are tests/data/capture/merge/ (see its README.md): two exporters captured at once
on two interfaces (two link types), a TCP connection and fragmented datagrams whose frames are
in two files. mergecap runs with -I none, so each file keeps its own interface in the merged
pcapng; tshark then says which file (interface) and which frame there each merged frame is.
Exit 77 (skipped) without mergecap or tshark.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

from checks import check, outcome

NFPCAP, DATA, SAMPLES = (os.path.abspath(a) for a in sys.argv[1:4])


def data(name):
    return os.path.join(DATA, name)


def run(*args):
    return subprocess.run([NFPCAP, *args], capture_output=True, timeout=300)


def records(out):
    return [json.loads(line) for line in out.decode().splitlines() if line.strip()]


def without(r, keys=("file", "frame")):
    return {k: v for k, v in r.items() if k not in keys}


def merged_frames(merged):
    """Merged frame number -> (file index, frame number in that file), from tshark."""
    r = subprocess.run(["tshark", "-r", merged, "-T", "fields", "-e", "frame.number", "-e", "frame.interface_id"],
                       capture_output=True, timeout=300, check=True)
    seen = {}
    out = {}
    for line in r.stdout.decode().splitlines():
        number, interface = line.split("\t")
        i = int(interface)
        seen[i] = seen.get(i, 0) + 1
        out[int(number)] = (i, seen[i])
    return out


def mergecap(tmp, files, name):
    out = os.path.join(tmp, name)
    subprocess.run(["mergecap", "-I", "none", "-F", "pcapng", "-w", out, *files], check=True, timeout=300)
    return out


def compare_with_mergecap(tmp, what, files, extra=()):
    merged = mergecap(tmp, files, what.replace(" ", "_") + ".pcapng")
    want = records(run("flows", "-T", "json", *extra, merged).stdout)
    r = run("flows", "-T", "json", "--merge", *extra, *files)
    got = records(r.stdout)
    check(f"{what}: exit 0", r.returncode == 0, r.stderr)
    check(f"{what}: records", len(want) > 0 and len(got) == len(want), (len(got), len(want)))
    where = merged_frames(merged)
    names = [f if f != "-" else "<stdin>" for f in files]
    for k, (g, w) in enumerate(zip(got, want)):
        file, frame = where[w["frame"]]
        if without(g) != without(w) or g.get("file") != names[file] or g.get("frame") != frame:
            check(f"{what}: record {k} as in the mergecap file, at its own file and frame", False,
                  (g, w, names[file], frame))
            return
    check(f"{what}: every record as in the mergecap file, at its own file and frame", True)
    # The counters add up to the merged file's, and each file's frames are its own.
    stats = json.loads(run("stats", "-T", "json", "--merge", *extra, *files).stdout)
    whole = json.loads(run("stats", "-T", "json", *extra, merged).stdout)
    for key in ("frames", "udp_datagrams", "reassembled_datagrams", "tcp_chunks", "datagrams", "decoded_datagrams",
                "partial_datagrams", "malformed_datagrams", "data_records", "late_data_records",
                "missing_template_sets"):
        check(f"{what}: stats {key} as the mergecap file's", key in stats and stats.get(key) == whole.get(key),
              (key, stats.get(key), whole.get(key)))
    frames = [sum(1 for f, _ in where.values() if f == i) for i in range(len(files))]
    check(f"{what}: each file's frames counted in its own summary",
          [f["frames"] for f in stats["files"]] == frames, (stats["files"], frames))
    return got


def test_merge_cases(tmp):
    two = [data("merge/v9-lo.pcap"), data("merge/ipfix-any.pcapng")]
    got = compare_with_mergecap(tmp, "two exporters on two interfaces", two)
    check("two exporters: the records interleave by time",
          got is not None and len({r["file"] for r in got[:len(got) // 2]}) == 2, [r.get("file") for r in got or []])
    tcp = [data("merge/tcp-part1.pcap"), data("merge/tcp-part2.pcap")]
    compare_with_mergecap(tmp, "a TCP connection in two files", tcp)
    frags = [data("merge/v9-odd.pcap"), data("merge/v9-even.pcap")]
    compare_with_mergecap(tmp, "fragments in two files", frags)
    everything = [data("merge/ipfix-any.pcapng"), data("merge/v9-even.pcap"), data("merge/tcp-part2.pcap"),
                  data("merge/v9-odd.pcap"), data("merge/tcp-part1.pcap")]
    compare_with_mergecap(tmp, "five files", everything)
    # Two passes: with no room for late data, the first pass (over the same files, merged)
    # gives what the mergecap file's does.
    late = [os.path.join(SAMPLES, "cases", "softflowd-ipfix-late-start.pcap"), data("merge/v9-lo.pcap")]
    got = compare_with_mergecap(tmp, "two-pass, no late-data buffer", late, ("--pending-limit", "1"))
    once = records(run("flows", "-T", "json", "--merge", "--pending-limit", "1", "--no-two-pass", *late).stdout)
    check("two-pass: the first pass decoded what waited", got is not None and len(got) > len(once),
          (len(got or []), len(once)))
    # The same file twice: equal times, the first given first.
    compare_with_mergecap(tmp, "one file twice", [data("merge/v9-lo.pcap"), data("merge/v9-lo.pcap")])


def test_without_merge(tmp):
    two = [data("merge/v9-lo.pcap"), data("merge/ipfix-any.pcapng")]
    got = records(run("flows", "-T", "json", *two).stdout)
    alone = []
    for f in two:
        alone += [dict(r, file=f) for r in records(run("flows", "-T", "json", f).stdout)]
    reorder = lambda rs: [dict(sorted(r.items())) for r in rs]  # noqa: E731
    check("without --merge: file after file", reorder(got) == reorder(alone) and len(got) > 0, (len(got), len(alone)))
    tcp = [data("merge/tcp-part1.pcap"), data("merge/tcp-part2.pcap")]
    merged = [r["file"] for r in records(run("flows", "-T", "json", "--merge", *tcp).stdout)]
    apart = [r["file"] for r in records(run("flows", "-T", "json", *tcp).stdout)]
    check("without --merge: a TCP connection in two files is read file after file",
          len(apart) > 0 and apart == sorted(apart, key=tcp.index) and tcp[1] in apart, apart)
    check("with --merge: the second file's segment between the first file's",
          tcp[0] in merged[merged.index(tcp[1]):], merged)


def test_bad_files(tmp):
    good = [data("merge/v9-lo.pcap"), data("merge/ipfix-any.pcapng")]
    missing = os.path.join(tmp, "missing.pcap")
    r = run("flows", "-T", "json", "--merge", good[0], missing, good[1])
    want = records(run("flows", "-T", "json", "--merge", *good).stdout)
    check("a missing file: exit 1, named", r.returncode == 1 and missing.encode() in r.stderr, r.stderr)
    check("a missing file: the others merge as without it", records(r.stdout) == want, r.stderr)
    # v9-lo.pcap cut in the middle of its 4th record: its first 3 frames merge with the other file.
    with open(good[0], "rb") as f:
        raw = f.read()
    offset, n = 24, 0
    while n < 3:
        offset += 16 + int.from_bytes(raw[offset + 8:offset + 12], "little")
        n += 1
    cut = os.path.join(tmp, "cut.pcap")
    with open(cut, "wb") as f:
        f.write(raw[:offset + 30])
    head = os.path.join(tmp, "head.pcap")
    subprocess.run(["editcap", "-r", good[0], head, "1-3"], check=True, capture_output=True)
    r = run("flows", "-T", "json", "--merge", cut, good[1])
    want = [dict(x, file=cut) if x.get("file") == head else x
            for x in records(run("flows", "-T", "json", "--merge", head, good[1]).stdout)]
    check("a cut file: exit 1, named", r.returncode == 1 and b"cut.pcap" in r.stderr and b"after frame 3" in r.stderr,
          r.stderr)
    check("a cut file: what it held before the cut merges with the rest", records(r.stdout) == want,
          (len(records(r.stdout)), len(want)))
    r = run("flows", "--merge", "--listen", "127.0.0.1:0")
    check("--merge with a live input: usage error", r.returncode == 2, r.returncode)


def main():
    for tool in ("mergecap", "tshark", "editcap"):
        if shutil.which(tool) is None:
            print(f"SKIP: {tool} not installed")
            sys.exit(77)
    with tempfile.TemporaryDirectory() as tmp:
        for t in (test_merge_cases, test_without_merge, test_bad_files):
            try:
                t(tmp)
            except Exception as e:  # one broken test should not hide the others
                check(t.__name__, False, repr(e))
    sys.exit(outcome("test_merge"))


if __name__ == "__main__":
    main()
