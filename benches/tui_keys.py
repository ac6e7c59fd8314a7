#!/usr/bin/env python3
"""What the user waits for: Enter on a filter to `N events match` on screen, in tmux.

usage: benches/tui_keys.py [--during JOB] [--runs N] VIGIL DIR QUERY...

Starts VIGIL on DIR in a fresh 100x30 tmux session per run, waits until loading is over and
JOB (`detecting`, `analyzing`, `indexing`) is under way (or, without --during, until every
background job is done), then types each QUERY as a filter (`f`, text, Enter) and times
Enter to the `N events match` line, polling the pane every 5 ms. Prints one line per query
and run. Give two binaries as VIGIL=a,b to alternate them run by run.
"""
import argparse
import re
import subprocess
import time

BUSY = ("loading", "indexing", "detecting", "analyzing", "loading rules")


def tmux(*args):
    return subprocess.run(["tmux", *args], capture_output=True, text=True).stdout


def lines(session):
    return tmux("capture-pane", "-p", "-t", session).splitlines()


def status(session):
    ls = lines(session)
    return ls[-2] if len(ls) >= 2 else ""


def wait(session, ready, limit=600):
    t0 = time.time()
    while time.time() - t0 < limit:
        s = status(session)
        if "loading" not in s and ready(s):
            return True
        time.sleep(0.02)
    return False


def one(vigil, folder, queries, during):
    session = "vigil-bench"
    tmux("kill-session", "-t", session)
    tmux("new-session", "-d", "-s", session, "-x", "100", "-y", "30", f"{vigil} {folder}")
    if during:
        ok = wait(session, lambda s: re.search(during + r" ([5-9]|[1-8]\d)%", s) is not None)
    else:
        ok = wait(session, lambda s: "events" in s and not any(b in s for b in BUSY))
    out = []
    if not ok:
        out.append(("(never ready)", None, status(session)))
    else:
        for q in queries:
            tmux("send-keys", "-t", session, "f")
            time.sleep(0.3)
            tmux("send-keys", "-t", session, "C-u")
            tmux("send-keys", "-t", session, "-l", q)
            time.sleep(0.3)
            before = status(session)
            t0 = time.perf_counter()
            tmux("send-keys", "-t", session, "Enter")
            took, last = None, ""
            while time.perf_counter() - t0 < 120:
                ls = lines(session)
                last = ls[-1] if ls else ""
                if re.match(r"\s*[\d,]+ events? match", last):
                    took = time.perf_counter() - t0
                    break
                time.sleep(0.005)
            out.append((q, took, before))
            tmux("send-keys", "-t", session, "F")
            time.sleep(0.5)
    tmux("send-keys", "-t", session, "q")
    time.sleep(0.5)
    tmux("kill-session", "-t", session)
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--during", default="")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("vigil")
    p.add_argument("dir")
    p.add_argument("queries", nargs="+")
    a = p.parse_args()
    bins = a.vigil.split(",")
    for r in range(a.runs):
        for b in bins:
            with open("/proc/loadavg") as f:
                load = f.read().split()[0]
            for q, took, st in one(b, a.dir, a.queries, a.during):
                t = f"{took:.3f} s" if took is not None else "no result"
                print(f"run {r + 1} {b}: {q!r}: {t} (load {load}; status then: {st.strip()})")


if __name__ == "__main__":
    main()
