#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The HTML report in a real browser: headless Chromium, offline, driven over the DevTools
protocol (--remote-debugging-pipe, Python's standard library only).

    tests/integration/test_report_browser.py HTML_REPORT_SAMPLE NFPCAP SAMPLES_DIR BUILD_DIR

Writes two reports: `nfpcap report` of samples/softflowd-ipfix.pcap, and HTML_REPORT_SAMPLE's
large synthetic model with hostile names, loads each from a file with the network unreachable
(inside `unshare -n` when root, else with Chromium's own resolver and proxy pointed nowhere),
and checks: no console errors or exceptions, no request but the file itself, every section id,
the charts, the table rows against `nfpcap` itself, sorting by a real click on a heading,
filtering by text typed into the page, the print layout, and screenshots 1280 px wide in light
and dark mode (BUILD_DIR/report-*.png) that must be non-trivial PNGs. Exits 77 (skipped) when
chromium is not installed.
"""
import base64
import fcntl
import json
import os
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib

from checks import check, outcome

SAMPLE_WRITER, NFPCAP, SAMPLES, BUILD = sys.argv[1:5]


def chromium_path():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Browser:
    """One headless Chromium, one page, spoken to over fds 3 and 4 (NUL-separated JSON)."""

    # A guard against a browser that hangs, not a timing check.
    DEADLINE = 120

    def __init__(self, chromium, profile):
        cmd_r, self.cmd_w = os.pipe()
        self.resp_r, resp_w = os.pipe()

        def child_fds():
            # Through fds above 4 first: dup2 onto the same number would keep close-on-exec.
            high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (cmd_r, resp_w)]
            os.dup2(high[0], 3)
            os.dup2(high[1], 4)
            for fd in high:
                os.close(fd)

        flags = [
            "--headless", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-extensions", "--disable-features=Translate,MediaRouter,OptimizationHints",
            "--metrics-recording-only", "--mute-audio", "--hide-scrollbars",
            # Offline even where no network namespace can be made: nothing resolves, no proxy works.
            "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
            f"--user-data-dir={profile}", "--remote-debugging-pipe", "about:blank",
        ]
        cmd = [chromium] + flags
        if os.geteuid() == 0:
            cmd.insert(1, "--no-sandbox")  # Chromium's sandbox refuses to run as root
            if shutil.which("unshare"):
                cmd = ["unshare", "-n", "--"] + cmd
        self.stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self.stderr, stderr=self.stderr,
                                     close_fds=False, preexec_fn=child_fds)
        os.close(cmd_r)
        os.close(resp_w)
        self.buffer = b""
        self.next_id = 0
        self.events = []
        self.session = None

    def close(self):
        try:
            self.call("Browser.close", session=False)
        except Exception:  # already gone
            pass
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self.cmd_w)
        os.close(self.resp_r)

    def _read_message(self, deadline):
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer from chromium")
            ready, _, _ = select.select([self.resp_r], [], [], left)
            if ready:
                chunk = os.read(self.resp_r, 1 << 20)
                if not chunk:
                    self.stderr.seek(0)
                    raise RuntimeError("chromium closed the pipe: " + self.stderr.read().decode(errors="replace")[-2000:])
                self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method, params=None, session=True):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        data = json.dumps(message).encode() + b"\0"
        while data:
            data = data[os.write(self.cmd_w, data):]
        deadline = time.monotonic() + self.DEADLINE
        while True:
            m = self._read_message(deadline)
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            self.events.append(m)

    def wait_event(self, method):
        deadline = time.monotonic() + self.DEADLINE
        for i, e in enumerate(self.events):
            if e.get("method") == method:
                return self.events.pop(i)
        while True:
            m = self._read_message(deadline)
            if m.get("method") == method:
                return m
            self.events.append(m)

    def open_page(self):
        target = self.call("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True},
                                 session=False)["sessionId"]
        for domain in ("Runtime", "Log", "Page", "Network"):
            self.call(f"{domain}.enable")
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False})

    def load(self, url):
        self.events.clear()
        self.call("Page.navigate", {"url": url})
        self.wait_event("Page.loadEventFired")

    def eval(self, expression):
        r = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in r:
            raise RuntimeError(f"{expression[:80]}: {r['exceptionDetails']}")
        return r["result"].get("value")

    def click(self, selector):
        """A real mouse click at the middle of the element (scrolled into view first)."""
        box = self.eval(f"""(() => {{ const e = document.querySelector({json.dumps(selector)});
            e.scrollIntoView({{block: 'center'}}); const r = e.getBoundingClientRect();
            return [r.x + r.width / 2, r.y + r.height / 2]; }})()""")
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent",
                      {"type": kind, "x": box[0], "y": box[1], "button": "left", "clickCount": 1})

    def problems(self):
        """Console errors, exceptions and requests that are not the page's own file."""
        out = []
        for e in self.events:
            method, p = e.get("method"), e.get("params", {})
            if method == "Runtime.exceptionThrown":
                out.append(f"exception: {p['exceptionDetails'].get('text')} "
                           f"{p['exceptionDetails'].get('exception', {}).get('description', '')}")
            elif method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert", "warning"):
                out.append(f"console.{p['type']}: {[a.get('value', a.get('description')) for a in p.get('args', [])]}")
            elif method == "Log.entryAdded" and p["entry"].get("level") == "error":
                out.append(f"log {p['entry']['level']}: {p['entry'].get('text')} {p['entry'].get('url', '')}")
            elif method == "Network.requestWillBeSent" and not p["request"]["url"].startswith("file://"):
                out.append(f"request: {p['request']['url']}")
        return out

    def screenshot(self, path):
        self.eval("window.scrollTo(0, 0)")  # the sticky navigation bar at the top, where it belongs
        height = self.eval("Math.ceil(document.documentElement.scrollHeight)")
        r = self.call("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": 1280, "height": height, "scale": 1}})
        with open(path, "wb") as f:
            f.write(base64.b64decode(r["data"]))


def png_pixels(path):
    """Width, height and the rows of an 8-bit RGB/RGBA PNG (the filters undone)."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat = 8, b""
    while pos < len(data):
        n, = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
    if depth != 8 or colour not in (2, 6):
        raise ValueError(f"unexpected PNG format {depth}/{colour}")
    bpp = 3 if colour == 2 else 4
    raw, stride, rows, prev, p = zlib.decompress(idat), width * bpp, [], bytearray(width * bpp), 0
    for _ in range(height):
        kind, line = raw[p], bytearray(raw[p + 1:p + 1 + stride])
        p += 1 + stride
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], (prev[i - bpp] if i >= bpp else 0)
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + ((a + b) >> 1)) & 255
            elif kind == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows


def check_png(name, path, dark):
    try:
        width, height, bpp, rows = png_pixels(path)
    except (OSError, ValueError, zlib.error) as e:
        check(f"{name}: screenshot is a PNG", False, e)
        return
    check(f"{name}: screenshot 1280 px wide", width == 1280, width)
    check(f"{name}: screenshot taller than a screen", height > 900, height)
    colours, sampled, background = {}, 0, rows[5][:3]
    for y in range(0, height, 7):
        row = rows[y]
        for x in range(0, width * bpp, 5 * bpp):
            px = row[x:x + 3]
            colours[px] = colours.get(px, 0) + 1
            sampled += 1
    inked = sampled - colours.get(background, 0)
    check(f"{name}: screenshot has content", len(colours) > 64 and inked > sampled // 20,
          f"{len(colours)} colours, {inked} of {sampled} sampled pixels differ from the background")
    lum = sum(background) / 3
    check(f"{name}: background {'dark' if dark else 'light'}", lum < 60 if dark else lum > 200, background)
    # The chart palette is there (Okabe-Ito blue, light or dark variant).
    blues = sum(n for px, n in colours.items() if px[2] > 150 and px[0] < 90 and 90 < px[1] < 180)
    check(f"{name}: chart colours drawn", blues > 20, blues)


SECTIONS = ["summary", "timeline", "top-talkers", "services", "exporters", "connections", "templates"]


def common_checks(b, name):
    problems = b.problems()
    check(f"{name}: no console errors, exceptions or requests", not problems, "; ".join(problems[:5]))
    ids = b.eval("[...document.querySelectorAll('main > section')].map(s => s.id)")
    check(f"{name}: every section, in order", ids == SECTIONS, ids)
    headings = b.eval("[...document.querySelectorAll('main > section > h2')].map(h => h.textContent)")
    check(f"{name}: every section has a heading", len(headings) == len(SECTIONS) and all(headings), headings)
    check(f"{name}: script ran (filter shown)", b.eval("!document.querySelector('.controls').hidden"))
    check(f"{name}: no external resources",
          b.eval("performance.getEntriesByType('resource').length") == 0,
          b.eval("performance.getEntriesByType('resource').map(e => e.name)"))
    charts = b.eval("""[...document.querySelectorAll('#timeline svg.chart')].map(s => ({
        w: s.getBoundingClientRect().width, paths: s.querySelectorAll('.series path').length,
        ticks: s.querySelectorAll('.xaxis text').length, labels: s.querySelectorAll('.ylabels text').length}))""")
    check(f"{name}: timeline charts drawn", len(charts) >= 2 and all(
        c["paths"] >= 1 and c["ticks"] >= 2 and c["labels"] >= 2 and c["w"] > 900 for c in charts), charts)
    check(f"{name}: legend", b.eval("document.querySelectorAll('#timeline ul.legend li').length") >= 1)
    check(f"{name}: tooltips on the charts", b.eval("document.querySelectorAll('#timeline .hover rect > title').length") > 0)
    check(f"{name}: top bars", b.eval("document.querySelectorAll('#top-talkers svg.bar rect').length") >= 1)
    width = b.eval("document.documentElement.scrollWidth")
    check(f"{name}: fits 1280 px (no horizontal scrolling)", width <= 1280, width)


def column(b, index):
    return b.eval(f"""[...document.querySelectorAll('#connections-table tbody tr')].filter(r => !r.hidden)
        .map(r => r.cells[{index}].getAttribute('data-v') ?? r.cells[{index}].textContent)""")


def sorting_checks(b, name):
    heads = b.eval("[...document.querySelectorAll('#connections-table thead th')].map(t => t.textContent)")
    bytes_col = heads.index("Bytes")
    start_col = 0
    # Numbers: largest first on the first click, then ascending; compared as integers.
    b.click(f"#connections-table thead th:nth-child({bytes_col + 1}) button")
    values = [int(v) for v in column(b, bytes_col)]
    check(f"{name}: sort by bytes, largest first", values == sorted(values, reverse=True) and len(set(values)) > 1,
          values[:10])
    check(f"{name}: heading marks the order",
          b.eval(f"document.querySelector('#connections-table thead th:nth-child({bytes_col + 1})')"
                 ".getAttribute('aria-sort')") == "descending")
    b.click(f"#connections-table thead th:nth-child({bytes_col + 1}) button")
    values = [int(v) for v in column(b, bytes_col)]
    check(f"{name}: sort by bytes again, smallest first", values == sorted(values), values[:10])
    b.click(f"#connections-table thead th:nth-child({start_col + 1}) button")
    starts = [int(v) for v in column(b, start_col) if v != ""]
    check(f"{name}: sort by start time", starts == sorted(starts, reverse=True), starts[:5])
    # Text: the service column, alphabetical on the first click.
    service_col = heads.index("Service")
    b.click(f"#connections-table thead th:nth-child({service_col + 1}) button")
    services = [s.lower() for s in column(b, service_col)]
    named = [s for s in services if s]
    check(f"{name}: sort by service, A to Z (none first)",
          named == sorted(named) and services == [""] * (len(services) - len(named)) + named, services[:8])
    # Addresses: numerically (10.0.0.2 before 10.0.0.10), by their data-v keys.
    client_col = heads.index("Client")
    b.click(f"#connections-table thead th:nth-child({client_col + 1}) button")
    keys = column(b, client_col)
    check(f"{name}: sort by client address", keys == sorted(keys), keys[:5])


def filter_checks(b, name, word):
    texts = b.eval("[...document.querySelectorAll('#connections-table tbody tr')].map(r => r.textContent.toLowerCase())")
    expected = sum(1 for t in texts if word.lower() in t)
    b.click("#connections-filter")
    b.call("Input.insertText", {"text": word})
    shown = b.eval("[...document.querySelectorAll('#connections-table tbody tr')].filter(r => !r.hidden)"
                   ".map(r => r.textContent.toLowerCase())")
    check(f"{name}: filter '{word}' keeps the matching rows", len(shown) == expected and 0 < expected < len(texts),
          f"{len(shown)} shown, {expected} expected of {len(texts)}")
    check(f"{name}: filtered rows all match", all(word.lower() in t for t in shown))
    count = b.eval("document.getElementById('connections-count').textContent")
    check(f"{name}: filter says how many match", count == f"{expected} of {len(texts)} rows match", count)
    b.eval("(() => { const i = document.getElementById('connections-filter'); i.value = '';"
           " i.dispatchEvent(new Event('input')); })()")
    check(f"{name}: clearing the filter shows all rows",
          b.eval("[...document.querySelectorAll('#connections-table tbody tr')].filter(r => r.hidden).length") == 0)


def print_checks(b, name, pdf_path):
    b.call("Emulation.setEmulatedMedia", {"media": "print"})
    hidden = b.eval("""['nav.toc', '.controls'].map(s => getComputedStyle(document.querySelector(s)).display)""")
    check(f"{name}: print hides the controls", hidden == ["none", "none"], hidden)
    rows = b.eval("getComputedStyle(document.querySelector('#connections-table tbody tr')).breakInside")
    check(f"{name}: print keeps table rows whole", rows == "avoid", rows)
    charts = b.eval("[...document.querySelectorAll('svg.chart')].filter(s => s.getBoundingClientRect().height > 50).length")
    check(f"{name}: print keeps the charts", charts >= 2, charts)
    overflow = b.eval("getComputedStyle(document.querySelector('#connections .scroll')).maxHeight")
    check(f"{name}: print shows the whole table", overflow == "none", overflow)
    pdf = base64.b64decode(b.call("Page.printToPDF", {"printBackground": True})["data"])
    with open(pdf_path, "wb") as f:
        f.write(pdf)
    check(f"{name}: prints to PDF", pdf.startswith(b"%PDF") and len(pdf) > 20000, len(pdf))
    b.call("Emulation.setEmulatedMedia", {"media": ""})


def nfpcap_json(*args):
    r = subprocess.run([NFPCAP, *args], capture_output=True, timeout=60, check=True)
    return r.stdout.decode()


def main():
    chromium = chromium_path()
    if not chromium:
        print("test_report_browser: chromium not installed (tools/bootstrap.sh --test installs it): skipped")
        return 77
    capture = os.path.join(SAMPLES, "softflowd-ipfix.pcap")
    real = os.path.join(BUILD, "report-softflowd-ipfix.html")
    big = os.path.join(BUILD, "report-synthetic.html")
    subprocess.run([NFPCAP, "report", "-n", "-o", real, capture], check=True, timeout=60)
    subprocess.run([SAMPLE_WRITER, "--synthetic", "100000", "-o", big], check=True, timeout=120)

    with tempfile.TemporaryDirectory() as profile:
        b = Browser(chromium, profile)
        try:
            b.open_page()

            # A report of a real capture: its numbers against nfpcap's own.
            b.load("file://" + os.path.abspath(real))
            common_checks(b, "real")
            connections = [json.loads(l) for l in nfpcap_json("-n", "-p", "0", "--format", "json", capture).splitlines()]
            rows = b.eval("document.querySelectorAll('#connections-table tbody tr').length")
            check("real: one row per connection of `nfpcap`", rows == len(connections) > 0, f"{rows} != {len(connections)}")
            shown_bytes = sorted(int(v) for v in column(b, 10))
            nfpcap_bytes = sorted(c["bytes_to_server"] + c["bytes_to_client"] for c in connections)
            check("real: the same bytes per connection as `nfpcap`", shown_bytes == nfpcap_bytes)
            stats = json.loads(nfpcap_json("stats", "--format", "json", capture))
            card = b.eval("""[...document.querySelectorAll('.card')].find(c =>
                c.querySelector('.label').textContent === 'Flow records').querySelector('.value').textContent""")
            check("real: flow records as `nfpcap stats`", card == f"{stats['data_records']:,}", card)
            exporters = b.eval("document.querySelectorAll('#exporters-table tbody tr').length")
            check("real: one exporter row per session", exporters == len(stats["sessions"]), exporters)
            fields = b.eval("document.querySelectorAll('#templates table.fields tbody tr').length")
            templates = b.eval("document.querySelectorAll('#templates .template').length")
            check("real: templates and their fields", templates == stats["sessions"][0]["templates"] and fields > templates,
                  f"{templates} templates, {fields} fields")
            sorting_checks(b, "real")
            filter_checks(b, "real", "domain")
            b.call("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "light"}]})
            b.eval("window.scrollTo(0, 0)")
            b.screenshot(os.path.join(BUILD, "report-light.png"))
            check_png("real light", os.path.join(BUILD, "report-light.png"), dark=False)
            b.call("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
            check("real: dark mode", b.eval("getComputedStyle(document.body).fontFamily") != "" and
                  b.eval("getComputedStyle(document.documentElement).backgroundColor") == "rgb(15, 20, 25)")
            b.screenshot(os.path.join(BUILD, "report-dark.png"))
            check_png("real dark", os.path.join(BUILD, "report-dark.png"), dark=True)
            b.call("Emulation.setEmulatedMedia", {"features": []})
            print_checks(b, "real", os.path.join(BUILD, "report-print.pdf"))
            problems = b.problems()
            check("real: still no console errors after the interactions", not problems, "; ".join(problems[:5]))

            # A large model: the top 2,000 of 100,000 connections, 3 timelines, hostile names.
            b.load("file://" + os.path.abspath(big))
            common_checks(b, "large")
            rows = b.eval("document.querySelectorAll('#connections-table tbody tr').length")
            check("large: the top 2,000 rows", rows == 2000, rows)
            note = b.eval("document.getElementById('connections-shown').textContent")
            check("large: says how many of how many", note.startswith("2,000 of 100,000 connections are shown"), note)
            check("large: three timelines", b.eval("document.querySelectorAll('#timeline figure').length") == 3)
            check("large: 8 groups at most per chart, 'other' last", b.eval(
                "[...document.querySelectorAll('#timeline svg.chart')].every(s => "
                "s.querySelectorAll('.series path').length <= 8 && s.querySelector('.series path:last-child.so'))"))
            check("large: hostile names stay text", b.eval("window.__pwned === undefined") and
                  b.eval("document.querySelectorAll('main img').length") == 0)
            check("large: a hostile name shows as written", b.eval(
                "[...document.querySelectorAll('#connections-table .name')].some(n => n.textContent.startsWith('<img'))"))
            check("large: a hostile field name shows as written", b.eval(
                "[...document.querySelectorAll('#templates code')].some(c => c.textContent.startsWith('</script>'))"))
            summary = json.loads(b.eval("document.getElementById('nfpcap-summary').textContent"))
            check("large: the embedded summary is JSON", summary.get("connections") == 100000, summary.get("connections"))
            check("large: sequence loss charts", b.eval("document.querySelectorAll('#exporters svg.spark').length") == 2)
            sorting_checks(b, "large")
            filter_checks(b, "large", "ntp")
            b.screenshot(os.path.join(BUILD, "report-large-light.png"))
            check_png("large light", os.path.join(BUILD, "report-large-light.png"), dark=False)
            b.call("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
            b.screenshot(os.path.join(BUILD, "report-large-dark.png"))
            check_png("large dark", os.path.join(BUILD, "report-large-dark.png"), dark=True)
            b.call("Emulation.setEmulatedMedia", {"features": []})
            problems = b.problems()
            check("large: no console errors, exceptions or requests", not problems, "; ".join(problems[:5]))
        finally:
            b.close()

    print(f"screenshots: {BUILD}/report-light.png, report-dark.png, report-large-light.png, report-large-dark.png")
    return outcome("test_report_browser")


if __name__ == "__main__":
    sys.exit(main())
