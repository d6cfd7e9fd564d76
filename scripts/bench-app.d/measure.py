#!/usr/bin/python3
"""Cold start to first paint and resident memory: the release app against a bare WebKitGTK
window showing the same page (scripts/bench-app runs this under Xvfb with a Secret Service).

Each round starts each subject once, in alternating order, through WebKitWebDriver:
- cold start = from the moment the subject's process starts (scripts/bench-app.d/stamp writes
  the wall clock just before exec) to its page's first contentful paint
  (performance.timeOrigin + the 'first-contentful-paint' entry's startTime, both recorded by
  WebKit in the web process). WebDriver only reads the figure afterwards, so its own start-up
  and its polling are not in it.
- resident memory = RSS and PSS (/proc/PID/smaps_rollup) summed over the subject's process
  and all its descendants (WebKitWebProcess, WebKitNetworkProcess), once the first screen
  (onboarding) is shown and ASSENT_BENCH_SETTLE seconds have passed.

Usage: measure.py <app binary> <baseline binary> <ui/dist folder>
Environment: ASSENT_BENCH_ROUNDS (default 10), ASSENT_BENCH_SETTLE (seconds, default 3),
ASSENT_BENCH_JSON (where to write every measurement; default none).
"""

import json
import math
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
STAMP = os.path.join(HERE, "stamp")

# What the page reports: its paint timing, the first screen's state, and which backend it has
# (the app's IPC, or the UI's mock in the bare WebView).
PROBE = """
const paint = performance.getEntriesByName('first-contentful-paint')[0];
const screen = document.getElementById('screen-onboarding');
return {
  origin: performance.timeOrigin,
  fcp: paint ? paint.startTime : null,
  shown: !!screen && !screen.hidden && screen.getClientRects().length > 0,
  tauri: '__TAURI_INTERNALS__' in window,
  url: location.href,
  title: document.title,
};
"""


class BenchError(Exception):
    pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise BenchError(f"WebKitWebDriver does not listen on {port} after {seconds} s")


def webdriver(port, method, path, body=None, timeout=60):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=data,
        method=method,
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.load(response)["value"]
    except urllib.error.HTTPError as e:
        raise BenchError(f"WebDriver {method} {path}: {e.code} {e.read()[:500]!r}") from e


def children_of():
    """ppid -> [pid] over every process visible now."""
    tree = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # The command name is in parentheses and may contain spaces: split after the last ')'.
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def process_tree(pid):
    tree = children_of()
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(tree.get(p, []))
    return found


def memory(pid):
    """Summed RSS and PSS (KiB) of pid and its descendants, with their names and each one's
    PSS (where the difference between the subjects lies)."""
    rss = pss = 0
    names = []
    for p in process_tree(pid):
        try:
            with open(f"/proc/{p}/comm") as f:
                name = f.read().strip()
            with open(f"/proc/{p}/smaps_rollup") as f:
                fields = dict(
                    (line.split(":")[0], int(line.split()[1]))
                    for line in f
                    if line.startswith(("Rss:", "Pss:"))
                )
        except OSError:
            continue  # gone meanwhile
        rss += fields.get("Rss", 0)
        pss += fields.get("Pss", 0)
        names.append(f"{name} {fields.get('Pss', 0) / 1024:.1f}")
    return rss, pss, names


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


def end(pids):
    """Ends the processes this round started (by PID), politely first."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for p in pids:
            try:
                os.kill(p, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 5
        while any(alive(p) for p in pids) and time.monotonic() < deadline:
            time.sleep(0.05)
        if not any(alive(p) for p in pids):
            return


def run_once(subject, argv, settle):
    """One cold start of `argv`: (cold start ms, process start to navigation start ms, RSS KiB,
    PSS KiB, process names)."""
    with tempfile.TemporaryDirectory(prefix="assent-bench-app-") as tmp:
        stamp = os.path.join(tmp, "stamp")
        env = dict(os.environ)
        # A first launch each time: a new profile (the app shows onboarding), and new
        # WebKit data and cache folders for both subjects.
        env.update(
            ASSENT_BENCH_STAMP=stamp,
            ASSENT_PROFILE=os.path.join(tmp, "profile"),
            XDG_DATA_HOME=os.path.join(tmp, "data"),
            XDG_CACHE_HOME=os.path.join(tmp, "cache"),
            # wry and the baseline accept a WebDriver session only with this (as tauri-driver
            # sets it).
            TAURI_WEBVIEW_AUTOMATION="true",
        )
        port = free_port()
        driver = subprocess.Popen(
            ["WebKitWebDriver", f"--port={port}"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        pid = None
        try:
            wait_for_port(port, 20)
            capabilities = {
                "capabilities": {
                    "alwaysMatch": {
                        "webkitgtk:browserOptions": {"binary": STAMP, "args": argv}
                    }
                }
            }
            try:
                session = webdriver(port, "POST", "/session", capabilities)["sessionId"]
            except OSError as e:
                # WebKitWebDriver waits for ever on a browser that exited or never offers
                # automation (e.g. without TAURI_WEBVIEW_AUTOMATION): say which.
                state = "no stamp: it never started"
                if os.path.exists(stamp):
                    with open(stamp) as f:
                        started_pid = int(f.read().split()[0])
                    state = "still running" if alive(started_pid) else "it exited"
                raise BenchError(f"{subject}: no WebDriver session ({e}; {state})") from e
            with open(stamp) as f:
                pid_text, started = f.read().split()
            pid, started_ms = int(pid_text), float(started) * 1000
            deadline = time.monotonic() + 60
            while True:
                page = webdriver(
                    port,
                    "POST",
                    f"/session/{session}/execute/sync",
                    {"script": PROBE, "args": []},
                )
                if page["fcp"] is not None and page["shown"]:
                    break
                if time.monotonic() > deadline:
                    raise BenchError(f"{subject}: no first screen within 60 s: {page}")
                time.sleep(0.1)
            # The right page in the right shell, or the figures mean nothing.
            if not page["url"].startswith("tauri://localhost") or page["title"] != "Assent":
                raise BenchError(f"{subject}: unexpected page {page}")
            if page["tauri"] != (subject == "app"):
                raise BenchError(f"{subject}: Tauri IPC present = {page['tauri']}")
            cold_ms = page["origin"] + page["fcp"] - started_ms
            if not 0 < cold_ms < 60_000:
                raise BenchError(f"{subject}: impossible cold start {cold_ms} ms ({page})")
            time.sleep(settle)
            if not alive(pid):
                raise BenchError(f"{subject}: the process ended before its memory was read")
            rss, pss, names = memory(pid)
            try:
                webdriver(port, "DELETE", f"/session/{session}", timeout=20)
            except (BenchError, OSError):
                pass
            # Process start to the page's navigation start: the shell's own part of the cold
            # start (the rest, navigation to first paint, is the page in WebKit).
            shell_ms = page["origin"] - started_ms
            return cold_ms, shell_ms, rss, pss, names
        finally:
            leftovers = process_tree(pid) if pid is not None and alive(pid) else []
            end([driver.pid])
            driver.wait()
            end(leftovers)


def percentile(values, p):
    """Nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    app, baseline, dist = sys.argv[1:]
    rounds = int(os.environ.get("ASSENT_BENCH_ROUNDS", "10"))
    settle = float(os.environ.get("ASSENT_BENCH_SETTLE", "3"))
    if rounds < 1:
        sys.exit("ASSENT_BENCH_ROUNDS must be at least 1")
    subjects = {"app": [app], "baseline": [baseline, dist]}
    results = {"app": [], "baseline": []}
    load_before = open("/proc/loadavg").read().split()[:3]
    for i in range(1, rounds + 1):
        # Alternate who goes first, so neither always finds the other's pages in the cache.
        order = ["app", "baseline"] if i % 2 else ["baseline", "app"]
        for subject in order:
            cold, shell, rss, pss, names = run_once(subject, subjects[subject], settle)
            results[subject].append(
                {"round": i, "cold_ms": cold, "shell_ms": shell, "rss_kib": rss, "pss_kib": pss}
            )
            print(
                f"round {i:2} {subject:8} cold start {cold:7.1f} ms (navigation starts at"
                f" {shell:6.1f} ms)   RSS {rss / 1024:6.1f} MiB"
                f"   PSS {pss / 1024:6.1f} MiB   ({', '.join(sorted(names))})",
                flush=True,
            )
    load_after = open("/proc/loadavg").read().split()[:3]

    def summary(subject, key):
        values = [r[key] for r in results[subject]]
        return percentile(values, 50), percentile(values, 90)

    print()
    print(f"{rounds} rounds, settle {settle:g} s")
    print(f"{'':32}{'app':>12}{'bare WebView':>14}{'ratio':>8}")
    for key, label, scale, unit in [
        ("cold_ms", "cold start to FCP", 1, "ms"),
        ("shell_ms", "start to navigation", 1, "ms"),
        ("rss_kib", "RSS (summed)", 1 / 1024, "MiB"),
        ("pss_kib", "PSS (summed)", 1 / 1024, "MiB"),
    ]:
        for p, (a, b) in zip(("p50", "p90"), zip(summary("app", key), summary("baseline", key))):
            print(
                f"{f'{label} {p} ({unit})':32}{a * scale:12.1f}{b * scale:14.1f}"
                f"{a / b:7.2f}x"
            )
    first = {s: results[s][0] for s in results}
    print(
        f"round 1 (coldest caches): app {first['app']['cold_ms']:.1f} ms, "
        f"bare WebView {first['baseline']['cold_ms']:.1f} ms "
        f"({first['app']['cold_ms'] / first['baseline']['cold_ms']:.2f}x; the app went first)"
    )
    cpu = next(
        (line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
        "unknown",
    )
    print(f"nproc {len(os.sched_getaffinity(0))}, {cpu}")
    print(f"load average before {' '.join(load_before)}, after {' '.join(load_after)}")
    out = os.environ.get("ASSENT_BENCH_JSON")
    if out:
        with open(out, "w") as f:
            json.dump({"rounds": rounds, "settle_s": settle, "results": results,
                       "load_before": load_before, "load_after": load_after, "cpu": cpu,
                       "nproc": len(os.sched_getaffinity(0))}, f, indent=1)


if __name__ == "__main__":
    try:
        main()
    except BenchError as e:
        sys.exit(f"bench-app: {e}")
