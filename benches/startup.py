#!/usr/bin/env python3
"""Start-up and idle memory of Lockstep against a bare Tauri 2 app, in one run.

Run through `benches/startup.sh` (it builds both release binaries and starts Xvfb). Each
round starts the bare app, Lockstep with no history and Lockstep with a large history, one
after another, each with a fresh profile, and measures from the outside (no hook in the apps):

- window mapped: the app's window is viewable (`xdotool search --onlyvisible --pid`);
- first paint: the first capture of the window that is not one flat colour;
- first screen complete: the first capture identical to the window at rest (painted, then
  unchanged for REST seconds), i.e. "visually complete";
- idle PSS of the main process, WebKitWebProcess and WebKitNetworkProcess, 2 s after rest.

Window captures use XGetImage through ctypes (no process per capture), about every 15 ms,
so times have that resolution. Medians over the rounds and the ratios to the bare app are
printed. Standard library only.
"""

import argparse
import ctypes
import hashlib
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

REST = 1.5  # seconds without change that count as "at rest"
TIMEOUT = 25.0

# --- X11 through ctypes -----------------------------------------------------------------

xlib = ctypes.cdll.LoadLibrary("libX11.so.6")
xlib.XOpenDisplay.restype = ctypes.c_void_p
xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
xlib.XGetImage.restype = ctypes.c_void_p
xlib.XGetImage.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_int,
                           ctypes.c_uint, ctypes.c_uint, ctypes.c_ulong, ctypes.c_int]
xlib.XGetWindowAttributes.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_void_p]
xlib.XFree.argtypes = [ctypes.c_void_p]
xlib.XSync.argtypes = [ctypes.c_void_p, ctypes.c_int]
ERROR_HANDLER = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)
_ignore_errors = ERROR_HANDLER(lambda d, e: 0)  # a window that went away is not fatal
xlib.XSetErrorHandler(_ignore_errors)

DPY = xlib.XOpenDisplay(None)
if not DPY:
    sys.exit("startup.py: no X display (run through benches/startup.sh)")


class XImage(ctypes.Structure):
    _fields_ = [("width", ctypes.c_int), ("height", ctypes.c_int), ("xoffset", ctypes.c_int),
                ("format", ctypes.c_int), ("data", ctypes.c_void_p), ("byte_order", ctypes.c_int),
                ("bitmap_unit", ctypes.c_int), ("bitmap_bit_order", ctypes.c_int),
                ("bitmap_pad", ctypes.c_int), ("depth", ctypes.c_int),
                ("bytes_per_line", ctypes.c_int), ("bits_per_pixel", ctypes.c_int)]


def window_size(wid):
    buf = (ctypes.c_int * 64)()
    if not xlib.XGetWindowAttributes(DPY, wid, ctypes.byref(buf)):
        return None
    return buf[2], buf[3]


def capture(wid, size):
    """(digest, flat) of the window's pixels, or None if it cannot be read."""
    ptr = xlib.XGetImage(DPY, wid, 0, 0, size[0], size[1], 0xFFFFFFFF, 2)
    if not ptr:
        return None
    img = XImage.from_address(ptr)
    data = ctypes.string_at(img.data, img.bytes_per_line * img.height)
    xlib.XFree(img.data)
    xlib.XFree(ptr)
    px = data[:4]
    flat = data == px * (len(data) // 4)
    return hashlib.blake2b(data, digest_size=16).digest(), flat


# --- processes ---------------------------------------------------------------------------

def descendants(pid):
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
        except (OSError, IndexError, ValueError):
            pass
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def pss_kib(pid, field="Pss"):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            m = re.search(rf"^{field}:\s+(\d+) kB", f.read(), re.M)
            return int(m.group(1)) if m else 0
    except OSError:
        return 0


def comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return "?"


def memory(pid):
    """PSS in MiB: main, WebKitWebProcess, WebKitNetworkProcess (summed if several), and the
    anonymous part of the first two (heaps: what a process keeps, as opposed to the pages of
    its binary and libraries it maps)."""
    out = {"main": 0.0, "web": 0.0, "network": 0.0, "main_anon": 0.0, "web_anon": 0.0}
    for p in descendants(pid):
        name = comm(p)
        key = "main" if p == pid else "web" if name.startswith("WebKitWebProc") else \
            "network" if name.startswith("WebKitNetwork") else None
        if key:
            out[key] += pss_kib(p) / 1024
        if key in ("main", "web"):
            out[key + "_anon"] += pss_kib(p, "Pss_Anon") / 1024
    return out


# --- profiles ----------------------------------------------------------------------------

def check_ids(repo):
    src = open(os.path.join(repo, "src-tauri/core/src/check_registry.rs")).read()
    return re.findall(r'spec\("([a-z_.]+)"', src)


def seed_history(data_home, repo, n):
    """`n` reviews in Lockstep's format, one a day, as a year of daily CI checks leaves."""
    reviews = os.path.join(data_home, "lockstep", "reviews")
    os.makedirs(reviews, exist_ok=True)
    ids = check_ids(repo)
    statuses = ["pass", "warn", "pass", "unknown", "fail"]
    base = 1_700_000_000
    for i in range(n):
        t = time.gmtime(base + i * 86400)
        rid = time.strftime("%Y%m%dT%H%M%SZ", t)
        review = {
            "version": 1, "id": rid, "checked_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", t),
            "journey": "review",
            "results": [{"id": c, "status": statuses[(i + k) % 5], "summary": f"{c} looked at.",
                         "evidence": [f"{c}: evidence"], "remediation": []}
                        for k, c in enumerate(ids)],
            "answers": {},
        }
        with open(os.path.join(reviews, rid + ".json"), "w") as f:
            json.dump(review, f, indent=2)
    past = time.time() - 3600
    os.utime(reviews, (past, past))


def profile(kind, repo, reviews):
    root = tempfile.mkdtemp(prefix=f"lockstep-startup-{kind}-")
    env = dict(os.environ)
    for k in ["HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"]:
        env[k] = os.path.join(root, k.lower())
        os.makedirs(env[k], exist_ok=True)
    # Nothing leaves this machine: every platform points at a closed local port.
    for p in ["GITHUB", "GITLAB", "NPM", "PYPI", "RUBYGEMS", "CRATES"]:
        env[f"LOCKSTEP_{p}_URL"] = "http://127.0.0.1:9"
    env["LOCKSTEP_KEYCHAIN_SERVICE"] = f"dev.lockstep.startup-bench-{os.getpid()}"
    return root, env


def warm_index(binary, env):
    """`lockstep status` reads the history once, as any earlier start would have, so the
    review index exists: the start measured is an ordinary one, not the first after an upgrade
    (what that first read costs is in the ui_ops bench, "index rebuilt")."""
    for _ in range(2):
        # The second read, past index::RACY after the first created the index folder, leaves
        # an index the app can trust without checking the folder again.
        subprocess.run([binary, "status"], env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=120)
        time.sleep(2.1)


# --- one start ---------------------------------------------------------------------------

def find_window(pid):
    out = subprocess.run(["xdotool", "search", "--onlyvisible", "--pid", str(pid)],
                         capture_output=True, text=True).stdout.split()
    for w in out:
        size = window_size(int(w))
        if size and size[0] > 100 and size[1] > 100:
            return int(w), size
    return None


def start(binary, env):
    t0 = time.monotonic()
    proc = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        found = None
        while not found:
            if time.monotonic() - t0 > TIMEOUT or proc.poll() is not None:
                raise RuntimeError(f"{binary}: no window")
            found = find_window(proc.pid)
            if not found:
                time.sleep(0.005)
        mapped = time.monotonic() - t0
        wid, size = found
        frames = []  # (seconds since start, digest, flat)
        last_change = time.monotonic()
        painted_once = False
        # At rest: painted, then unchanged for REST seconds (a blank window is not at rest).
        while (not painted_once or time.monotonic() - last_change < REST) \
                and time.monotonic() - t0 < TIMEOUT:
            shot = capture(wid, size)
            now = time.monotonic()
            if shot:
                if not frames or frames[-1][1] != shot[0]:
                    last_change = now
                painted_once = painted_once or not shot[1]
                frames.append((now - t0, shot[0], shot[1]))
            time.sleep(0.01)
        painted = next((t for t, _, flat in frames if not flat), None)
        final = frames[-1][1] if frames else None
        complete = next((t for t, d, _ in frames if d == final), None)
        time.sleep(2.0)
        mem = memory(proc.pid)
        return {"mapped": mapped, "paint": painted, "complete": complete, **mem}
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ours", required=True)
    ap.add_argument("--bare", required=True)
    ap.add_argument("--repo", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--reviews", type=int, default=2000,
                    help="history size of the third start (0: leave that start out)")
    ap.add_argument("--also", action="append", default=[], metavar="LABEL=BINARY",
                    help="another build to start with no history in the same rounds, e.g. "
                         "before=/tmp/lockstep-before for an A/B of a change (repeatable)")
    args = ap.parse_args()

    apps = [("bare", args.bare, 0)]
    for spec in args.also:
        label, sep, path = spec.partition("=")
        if not sep or not label or not os.path.isfile(path):
            ap.error(f"--also takes LABEL=BINARY with an existing binary, got {spec!r}")
        apps.append((label, os.path.abspath(path), 0))
    apps.append(("lockstep, 0 reviews", args.ours, 0))
    if args.reviews:
        apps.append((f"lockstep, {args.reviews} reviews", args.ours, args.reviews))
    results = {name: [] for name, _, _ in apps}
    for r in range(args.rounds):
        # Each round starts one place further along, so no app always goes first (cold
        # caches) or right after another one.
        for name, binary, reviews in apps[r % len(apps):] + apps[:r % len(apps)]:
            root, env = profile(re.sub(r"\W+", "-", name.split(",")[0]), args.repo, reviews)
            if reviews:
                seed_history(env["XDG_DATA_HOME"], args.repo, reviews)
                warm_index(binary, env)
            try:
                res = start(binary, env)
            finally:
                shutil.rmtree(root, ignore_errors=True)
            results[name].append(res)
            print(f"round {r + 1} {name:<24} " + "  ".join(
                f"{k} {v * 1000:.0f} ms" if k in ("mapped", "paint", "complete") and v is not None
                else f"{k} {v:.0f} MiB" if v is not None else f"{k} -" for k, v in res.items()),
                flush=True)

    def med(name, key):
        vals = [x[key] for x in results[name] if x[key] is not None]
        return statistics.median(vals) if vals else float("nan")

    keys = [("mapped", "window mapped", 1000, "ms"), ("paint", "first paint", 1000, "ms"),
            ("complete", "first screen complete", 1000, "ms"), ("main", "PSS main", 1, "MiB"),
            ("web", "PSS WebKitWebProcess", 1, "MiB"), ("network", "PSS WebKitNetworkProcess", 1, "MiB"),
            ("main_anon", "  of main: anonymous", 1, "MiB"), ("web_anon", "  of web: anonymous", 1, "MiB")]
    print(f"\nmedians over {args.rounds} rounds (ratio to bare)")
    print(f"  {'':<26}" + "".join(f"{name:>28}" for name, _, _ in apps))
    for key, label, scale, unit in keys:
        base = med("bare", key)
        cells = []
        for name, _, _ in apps:
            v = med(name, key)
            cells.append(f"{v * scale:>10.0f} {unit:<3}" + (f" ({v / base:.2f}x)" if name != "bare" else "        "))
        print(f"  {label:<26}" + "".join(f"{c:>28}" for c in cells))
    total = {name: med(name, "main") + med(name, "web") + med(name, "network") for name, _, _ in apps}
    print(f"  {'PSS, three processes':<26}" + "".join(
        f"{total[n]:>10.0f} MiB" + (f" ({total[n] / total['bare']:.2f}x)" if n != "bare" else "        ")
        for n, _, _ in apps))


if __name__ == "__main__":
    main()
