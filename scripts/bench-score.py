#!/usr/bin/env python3
"""Benchmark tl-score: scoring speed and memory, state merging, and the same
aggregation in DuckDB side by side.

Usage:
    scripts/bench-score.py [--runs N] [--events N] [--indicators N] [--data DIR]
                           [--tl-score PATH] [--skip-duckdb] [--skip-merge]

Data (scripts/bench-score-gen.py, cached in --data, default target/bench-score):
10M sensor events over a pool of 1M source addresses (7 days, 1,000 sensors)
and 1M feed indicators from 20 feeds.

Cases, each run N times (default 3) alternating with its rival, after one
untimed run to warm the page cache; reported: median wall time and peak RSS.
1. tl-score on the events and the indicators (the list to a file).
2. tl-score on the events alone, and the DuckDB query of
   scripts/bench-score.sql on the same events CSV (per source: decayed sum
   of counts, distinct sensors, first/last seen, hits) with 2 threads; the
   ratio tl-score/DuckDB (the goal: at most 1.5).
3. tl-score merge of two states of about 1M addresses each (4M events each,
   sources drawn evenly from one pool, so the states overlap).

Needs: a release build (cargo build --release), python3, and for case 2 the
duckdb module (pip install duckdb). Peak RSS comes from GNU time
(/usr/bin/time -f %M) when present, else from wait4.

Exit status: 0 when everything ran (PASS/FAIL is a report, not a test);
1 when a program failed; 2 when a program is missing.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GEN = REPO / "scripts" / "bench-score-gen.py"
SQL = REPO / "scripts" / "bench-score.sql"
NOW = "2026-01-01T00:00:00Z"


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def run(argv, workdir, gnu_time, stdout=os.devnull):
    """Runs argv; returns (wall seconds, peak RSS MB)."""
    rss_file = os.path.join(workdir, "rss.txt")
    err_file = os.path.join(workdir, "stderr.txt")
    full = [gnu_time, "-f", "%M", "-o", rss_file] + argv if gnu_time else argv
    with open(stdout, "wb") as out, open(err_file, "wb") as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(full, stdout=out, stderr=err)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        log("FAILED (%d): %s\n%s" % (code, " ".join(argv), open(err_file).read()))
        sys.exit(1)
    rss_kb = int(open(rss_file).read().split()[-1]) if gnu_time else ru.ru_maxrss
    return wall, rss_kb / 1024


def gen(data, name, args):
    path = data / name
    if not path.exists():
        log("generating %s ..." % path)
        tmp = str(path) + ".tmp"
        subprocess.run([sys.executable, str(GEN)] + args + [tmp], check=True)
        os.replace(tmp, path)
    return path


def timed(cases, runs, workdir, gnu_time):
    """cases: {name: argv}; ABBA order; returns {name: (median wall, max rss)}."""
    results = {n: [] for n in cases}
    names = list(cases)
    for n in names:
        run(cases[n], workdir, gnu_time)  # warm-up
    for i in range(runs):
        order = names if i % 2 == 0 else list(reversed(names))
        for n in order:
            results[n].append(run(cases[n], workdir, gnu_time))
    return {n: (statistics.median(w for w, _ in r), max(m for _, m in r)) for n, r in results.items()}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--events", type=int, default=10_000_000)
    p.add_argument("--indicators", type=int, default=1_000_000)
    p.add_argument("--data", default=str(REPO / "target" / "bench-score"))
    p.add_argument("--tl-score", default=str(REPO / "target" / "release" / "tl-score"))
    p.add_argument("--skip-duckdb", action="store_true")
    p.add_argument("--skip-merge", action="store_true")
    args = p.parse_args()
    if not os.path.exists(args.tl_score):
        log("missing %s: cargo build --release" % args.tl_score)
        return 2
    gnu_time = "/usr/bin/time" if os.path.exists("/usr/bin/time") else None
    data = Path(args.data)
    data.mkdir(parents=True, exist_ok=True)
    events = gen(data, "events-%d.csv" % args.events, ["events", str(args.events)])
    indicators = gen(data, "indicators-%d.csv" % args.indicators, ["indicators", str(args.indicators)])
    tl = args.tl_score
    report = []
    with tempfile.TemporaryDirectory() as work:
        out = os.path.join(work, "out.csv")
        r = timed({"full": [tl, "-q", "--now", NOW, "-e", str(events), str(indicators), "-o", out]},
                  args.runs, work, gnu_time)
        wall, rss = r["full"]
        report.append("| tl-score, %dM events + %dM indicators | %.2f s | %.0f MB | %s |" % (
            args.events // 1_000_000, args.indicators // 1_000_000, wall, rss,
            "PASS" if wall < 10 and rss < 2048 else "FAIL (goal: < 10 s, < 2 GB)"))

        if not args.skip_duckdb:
            try:
                import duckdb  # noqa: F401
                have = True
            except ImportError:
                log("duckdb is not installed (pip install duckdb): skipping the comparison")
                have = False
            if have:
                query = SQL.read_text().replace("{events}", str(events)).replace(
                    "{now}", NOW.replace("T", " ").replace("Z", "+00")).replace("{out}", os.path.join(work, "duck.csv"))
                qfile = os.path.join(work, "q.sql")
                Path(qfile).write_text(query)
                duck = [sys.executable, "-c",
                        "import duckdb,sys; c=duckdb.connect(); c.execute('SET threads=2'); "
                        "c.execute(\"SET enable_progress_bar=false\"); c.execute(open(sys.argv[1]).read())", qfile]
                r = timed({"tl": [tl, "-q", "--now", NOW, "-e", str(events), "-o", out], "duck": duck},
                          args.runs, work, gnu_time)
                (tw, trss), (dw, drss) = r["tl"], r["duck"]
                ratio = tw / dw
                report.append("| tl-score, %dM events alone | %.2f s | %.0f MB | |" % (args.events // 1_000_000, tw, trss))
                report.append("| DuckDB %s, the same events (2 threads) | %.2f s | %.0f MB | tl-score/DuckDB = %.2f: %s |" % (
                    duckdb_version(), dw, drss, ratio, "PASS" if ratio <= 1.5 else "FAIL (goal: <= 1.5)"))

        if not args.skip_merge:
            a_ev = gen(data, "merge-a.csv", ["events", "4000000", "--uniform", "--seed", "11", "--pool-seed", "10"])
            b_ev = gen(data, "merge-b.csv", ["events", "4000000", "--uniform", "--seed", "12", "--pool-seed", "10"])
            for name, ev in (("a.tls", a_ev), ("b.tls", b_ev)):
                path = data / name
                if not path.exists():
                    log("building %s ..." % path)
                    run([tl, "-q", "--now", NOW, "-e", str(ev), "--save-state", str(path), "--top", "0"], work, gnu_time)
            merged = os.path.join(work, "ab.tls")
            r = timed({"merge": [tl, "merge", "-q", str(data / "a.tls"), str(data / "b.tls"), "-o", merged]},
                      args.runs, work, gnu_time)
            wall, rss = r["merge"]
            info = subprocess.run([tl, "merge", str(data / "a.tls"), "-o", os.path.join(work, "a2.tls")],
                                  capture_output=True, text=True).stderr.strip()
            info_ab = subprocess.run([tl, "merge", str(data / "a.tls"), str(data / "b.tls"), "-o", merged],
                                     capture_output=True, text=True).stderr.strip()
            report.append("| merge two states (%s; merged: %s) | %.2f s | %.0f MB | %s |" % (
                info.split(": ", 2)[-1].split(" at ")[0], info_ab.split(": ", 2)[-1].split(" at ")[0], wall, rss,
                "PASS" if wall < 1 else "FAIL (goal: < 1 s)"))

    print("| case | wall (median of %d) | peak RSS | verdict |" % args.runs)
    print("|---|---|---|---|")
    for line in report:
        print(line)
    return 0


def duckdb_version():
    try:
        import duckdb
        return duckdb.__version__
    except ImportError:
        return "?"


if __name__ == "__main__":
    sys.exit(main())
