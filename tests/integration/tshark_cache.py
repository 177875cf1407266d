"""tshark runs shared between tests: each (command, capture) is run once.

Several tests ask tshark the same question about the same capture (every conversations test
reads samples/traffic-lo.pcap twice). When NFPCAP_TSHARK_CACHE names a directory (meson sets
it to one in the build tree), a run's exit status, stdout and stderr are kept there under a key
made of the tshark arguments, the capture's contents (SHA-256) and the tshark binary (path,
size, mtime: an upgrade is a new key), so a later run of the same command on an unchanged
capture reads them back. Tests running in parallel wait for the one computing an entry (an
flock on it) rather than running tshark beside it. Without the variable every call runs
tshark. Python 3 standard library only.
"""

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import tempfile

ENV = "NFPCAP_TSHARK_CACHE"


def _file_digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _key(args, capture):
    tshark = shutil.which("tshark") or "tshark"
    st = os.stat(tshark)
    ident = {
        "args": args,
        "capture": _file_digest(capture),
        "tshark": [os.path.realpath(tshark), st.st_size, st.st_mtime_ns],
    }
    return hashlib.sha256(json.dumps(ident, sort_keys=True).encode()).hexdigest()


def _run(command):
    proc = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    return proc.returncode, proc.stdout, proc.stderr


def tshark(args, capture):
    """Runs `tshark -r CAPTURE ARGS...` (or reads the cached run). Returns (status, stdout, stderr) as bytes."""
    command = ["tshark", "-r", capture] + list(args)
    cache = os.environ.get(ENV)
    if not cache:
        return _run(command)
    os.makedirs(cache, exist_ok=True)
    base = os.path.join(cache, _key(list(args), capture))
    with open(base + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            with open(base + ".json", encoding="utf-8") as f:
                meta = json.load(f)
            with open(base + ".out", "rb") as f:
                out = f.read()
            with open(base + ".err", "rb") as f:
                err = f.read()
            if len(out) == meta["stdout_bytes"]:
                return meta["status"], out, err
        except (OSError, ValueError, KeyError):
            pass
        status, out, err = _run(command)
        # Each file replaces the old one whole; the metadata, written last, says the entry is complete.
        for suffix, data in ((".out", out), (".err", err),
                             (".json", json.dumps({"status": status, "stdout_bytes": len(out),
                                                   "command": command}).encode())):
            fd, tmp = tempfile.mkstemp(dir=cache, prefix=".tmp-")
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, base + suffix)
        return status, out, err
