#!/usr/bin/env python3
"""Benchmark tl-set against FireHOL's iprange, side by side.

Usage:
    scripts/bench.py [--runs N] [--cases NAME,...] [--markdown]
                     [--tl-set PATH] [--iprange PATH] [--data DIR]
                     [--rss-method auto|gnu-time|wait4]

Every case runs both programs with the same arguments (iprange's command
line), N times each (default 5), alternating between the two (ABBA order),
after one untimed read of the inputs to warm the page cache. Each program's
stdout goes to a file (not a pipe), stdin is /dev/null.

Reported per case: median wall time, peak RSS (the maximum ru_maxrss over
the runs), the ratios iprange/tl-set for both, whether the outputs are
byte-identical (every run of both programs is hashed and compared; for
--count-unique only the unique-address column, since tl-set counts entries
as iprange 2.x does and Debian's 1.0.4 counts lines read), and
PASS/FAIL against the target: tl-set at least 3x faster and its peak RSS no
higher than iprange's.

Peak RSS: on Linux a child's ru_maxrss also counts the RSS of the process it
was forked from (the harness), so by default each run is repeated under GNU
time (/usr/bin/time, `-f %M`), whose own footprint is ~1 MB, for the memory
figure; the wall time is always that of the program started directly, so
GNU time's own start-up (about 1 ms) is not added to either side. Without
GNU time the harness reads os.wait4() and prints the floor this adds.

Exit status: 0 when every case ran and outputs matched (PASS/FAIL is only
reported: this is a report, not a test); 1 if any outputs differ or a program
failed; 2 if iprange or tl-set is missing or the arguments are bad.

Defaults: --tl-set the release build (scripts/release-dir) and --data target/bench-data, both
relative to the repository root (the parent of scripts/); --iprange is looked
up on PATH. Missing data is generated with scripts/bench-gen.py.
"""

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# where .cargo/config.toml makes cargo put release binaries
RELEASE = Path(subprocess.run([str(REPO / "scripts/release-dir")], capture_output=True,
                              text=True, check=True).stdout.strip())
GEN = REPO / "scripts" / "bench-gen.py"

# name -> (description, argument list with data-file names[, the CSV fields
# compared when not the whole output])
CASES = {
    "merge-10m": ("merge 10M", ["ips-10m.txt"]),
    "merge-1m": ("merge 1M", ["ips-1m.txt"]),
    "common": ("common", ["mixed-1m-a.txt", "--common", "mixed-1m-b.txt"]),
    "except": ("except", ["mixed-1m-a.txt", "--except", "mixed-1m-b.txt"]),
    # iprange 1.0.4's first column counts the lines it read; tl-set's counts
    # the ranges after merging, as iprange 2.x does (docs/iprange.md): the
    # unique addresses are compared.
    "count-unique-10m": ("count-unique 10M", ["--count-unique", "ips-10m.txt"], [1]),
    "merge-cidrs-100k": ("merge 100k CIDRs", ["cidrs-100k.txt"]),
}

TARGET_SPEEDUP = 3.0


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def data_files(args):
    return [a for a in args if a.endswith(".txt")]


# ---------------------------------------------------------------------------
# Running one program
# ---------------------------------------------------------------------------

class Runner:
    def __init__(self, method, gnu_time, workdir):
        self.method = method          # "gnu-time" or "wait4"
        self.gnu_time = gnu_time
        self.workdir = workdir
        self.rss_file = os.path.join(workdir, "rss.txt")
        self.err_file = os.path.join(workdir, "stderr.txt")

    def run(self, argv, out_path, cwd):
        """Run argv with stdout to out_path. Returns (wall_s, maxrss_kb,
        exit_status, stderr_text)."""
        wall, rss, code, err = self.spawn(argv, out_path, cwd)
        if self.method == "gnu-time":
            # The same run again under GNU time, for the memory figure only.
            full = [self.gnu_time, "-f", "%M", "-o", self.rss_file] + argv
            _, ru_rss, _, _ = self.spawn(full, out_path, cwd)
            rss = None
            try:
                with open(self.rss_file) as f:
                    for line in f.read().split("\n")[::-1]:
                        if line.strip().isdigit():
                            rss = int(line.strip())
                            break
            except OSError:
                pass
            if rss is None:
                rss = ru_rss  # should not happen; better than nothing
        return wall, rss, code, err

    def spawn(self, full, out_path, cwd):
        """Run full with stdout to out_path: (wall_s, ru_maxrss_kb,
        exit_status, stderr_text)."""
        fa = [
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, out_path,
             os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
            (os.POSIX_SPAWN_OPEN, 2, self.err_file,
             os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
        ]
        old = os.getcwd()
        os.chdir(cwd)
        try:
            t0 = time.perf_counter()
            pid = os.posix_spawn(full[0], full, os.environ, file_actions=fa)
            _, status, ru = os.wait4(pid, 0)
            wall = time.perf_counter() - t0
        finally:
            os.chdir(old)
        code = os.waitstatus_to_exitcode(status)
        with open(self.err_file, errors="replace") as f:
            err = f.read(20000)
        return wall, ru.ru_maxrss, code, err


def file_digest(path, fields=None):
    """SHA-256 of the file, or of the CSV `fields` of each of its lines."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        if fields is None:
            while True:
                b = f.read(1 << 20)
                if not b:
                    break
                h.update(b)
        else:
            for line in f:
                cells = line.rstrip(b"\n").split(b",")
                h.update(b",".join(cells[i] for i in fields if i < len(cells)) + b"\n")
    return h.hexdigest(), os.path.getsize(path)


def first_difference(a, b):
    """Describe the first differing line of two files (streaming)."""
    with open(a, "rb") as fa, open(b, "rb") as fb:
        n = 0
        for la, lb in zip(fa, fb):
            n += 1
            if la != lb:
                return f"line {n}: iprange {la!r} vs tl-set {lb!r}"
        ra, rb = fa.readline(), fb.readline()
        if ra or rb:
            longer = "iprange" if ra else "tl-set"
            return f"line {n + 1}: only {longer} has more output ({(ra or rb)!r})"
    return "files are identical"


def warm(paths):
    for p in paths:
        with open(p, "rb") as f:
            while f.read(1 << 24):
                pass


# ---------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------

def fmt_ratio(x):
    return "-" if x is None else f"{x:.2f}x"


def render(rows, markdown):
    head = ["case", "iprange s", "tl-set s", "speed x", "iprange MB",
            "tl-set MB", "mem x", "identical", "target"]
    body = []
    for r in rows:
        body.append([
            r["desc"],
            f"{r['t_ip']:.3f}", f"{r['t_tl']:.3f}", fmt_ratio(r["speed"]),
            f"{r['m_ip']:.1f}", f"{r['m_tl']:.1f}", fmt_ratio(r["mem"]),
            r["identical"], r["verdict"],
        ])
    if markdown:
        lines = ["| " + " | ".join(head) + " |",
                 "|" + "|".join(["---"] + ["---:"] * 6 + [":---:"] * 2) + "|"]
        lines += ["| " + " | ".join(b) + " |" for b in body]
        return "\n".join(lines)
    widths = [max(len(x[i]) for x in [head] + body) for i in range(len(head))]

    def line(cells):
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths)))
    out = [line(head), line(["-" * w for w in widths])]
    out += [line(b) for b in body]
    return "\n".join(out)


# ---------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Benchmark tl-set against iprange (time, peak RSS, output identity).",
        epilog="Cases: " + "; ".join(
            f"{k} = X {' '.join(v[1])}" for k, v in CASES.items()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--tl-set", default=str(RELEASE / "tl-set"),
                    help="tl-set binary (default: the release build, scripts/release-dir)")
    ap.add_argument("--iprange", default="iprange",
                    help="iprange binary (default: iprange on PATH)")
    ap.add_argument("--data", default=str(REPO / "target/bench-data"),
                    help="data directory (default: REPO/target/bench-data; "
                         "generated with bench-gen.py if files are missing)")
    ap.add_argument("--cases", metavar="NAME,...",
                    help="comma-separated case names (default: all)")
    ap.add_argument("--runs", type=int, default=5,
                    help="timed runs per program per case (default 5)")
    ap.add_argument("--markdown", action="store_true",
                    help="print the result table in markdown")
    ap.add_argument("--rss-method", choices=("auto", "gnu-time", "wait4"),
                    default="auto",
                    help="how to measure peak RSS (default auto: GNU time if "
                         "available, else os.wait4)")
    args = ap.parse_args(argv)

    if args.runs < 1:
        ap.error("--runs must be >= 1")
    names = list(CASES)
    if args.cases:
        names = [x.strip() for x in args.cases.split(",") if x.strip()]
        bad = [x for x in names if x not in CASES]
        if bad:
            ap.error(f"unknown case(s): {', '.join(bad)}; known: {', '.join(CASES)}")

    # --- binaries -----------------------------------------------------------
    missing = False
    ip = shutil.which(args.iprange)
    if not ip:
        log(f"ERROR: iprange not found ({args.iprange!r}); install it "
            "(apt-get install iprange) or pass --iprange PATH")
        missing = True
    tl = shutil.which(args.tl_set) if os.sep not in args.tl_set else (
        args.tl_set if os.path.isfile(args.tl_set) and os.access(args.tl_set, os.X_OK) else None)
    if not tl:
        log(f"ERROR: tl-set not found at {args.tl_set}; build it with "
            "`cargo build --release --bin tl-set` or pass --tl-set PATH")
        missing = True
    if missing:
        return 2
    ip, tl = os.path.abspath(ip), os.path.abspath(tl)

    src = REPO / "src"
    if Path(tl).resolve().is_relative_to(REPO) and src.is_dir():
        newest = max((p.stat().st_mtime for p in src.rglob("*.rs")), default=0)
        if newest > os.path.getmtime(tl):
            log(f"WARNING: {tl} is older than the newest file in src/; "
                "rebuild with `cargo build --release --bin tl-set`")

    gnu_time = shutil.which("time", path="/usr/bin:/bin:/usr/local/bin")
    if gnu_time:
        try:
            v = subprocess.run([gnu_time, "--version"], capture_output=True,
                               text=True, timeout=10)
            if "GNU" not in v.stdout + v.stderr:
                gnu_time = None
        except (OSError, subprocess.SubprocessError):
            gnu_time = None
    method = args.rss_method
    if method == "auto":
        method = "gnu-time" if gnu_time else "wait4"
    if method == "gnu-time" and not gnu_time:
        log("ERROR: --rss-method gnu-time but /usr/bin/time is missing "
            "(apt-get install time)")
        return 2

    # --- data ---------------------------------------------------------------
    data = os.path.abspath(args.data)
    needed = sorted({f for n in names for f in data_files(CASES[n][1])})
    absent = [f for f in needed if not os.path.isfile(os.path.join(data, f))]
    if absent:
        log(f"generating missing data in {data}: {', '.join(absent)}")
        rc = subprocess.call([sys.executable, str(GEN), data, "--only", ",".join(absent)])
        if rc != 0:
            log("ERROR: data generation failed")
            return 1

    workdir = tempfile.mkdtemp(prefix="tl-bench-")
    runner = Runner(method, gnu_time, workdir)

    log(f"iprange: {ip}")
    log(f"tl-set:  {tl}")
    log(f"data:    {data}")
    log(f"runs:    {args.runs} per program per case; cpus: {os.cpu_count()}; "
        f"RSS via {'GNU time' if method == 'gnu-time' else 'os.wait4'}")
    if method == "wait4":
        _, floor, _, _ = runner.run(["/bin/true"], os.devnull, data)
        log(f"note: without GNU time each peak RSS includes the harness' own "
            f"RSS, ~{floor / 1024:.1f} MB floor")

    progs = {"iprange": ip, "tl-set": tl}
    rows, mismatches, failures = [], [], []
    keep = False
    for name in names:
        desc, cargs, *rest = CASES[name]
        fields = rest[0] if rest else None
        log(f"\n== {name}: X {' '.join(cargs)}")
        warm([os.path.join(data, f) for f in data_files(cargs)])
        times = {p: [] for p in progs}
        rss = {p: [] for p in progs}
        digests = {p: [] for p in progs}
        outs = {p: os.path.join(workdir, f"{name}.{p}.out") for p in progs}
        failed = False
        for i in range(args.runs):
            order = ["iprange", "tl-set"] if i % 2 == 0 else ["tl-set", "iprange"]
            for p in order:
                wall, kb, code, err = runner.run([progs[p]] + cargs, outs[p], data)
                dg = file_digest(outs[p], fields)
                log(f"  run {i + 1} {p:8s} {wall:8.3f} s {kb / 1024:8.1f} MB"
                    f"  exit {code}  out {dg[1]:,} B {dg[0][:12]}")
                if code != 0:
                    failed = True
                    failures.append(f"{name}: {p} exited {code}: {err.strip()[-2000:]}")
                    log(f"  !! {p} exited with status {code}:\n{err.strip()[-2000:]}")
                times[p].append(wall)
                rss[p].append(kb)
                digests[p].append(dg[0])
            if failed:
                break
        ref = digests["iprange"][0]
        all_same = all(d == ref for p in progs for d in digests[p])
        if not all_same:
            keep = True
            diff = first_difference(outs["iprange"], outs["tl-set"])
            if diff == "files are identical":
                diff = "last outputs match, but outputs varied between runs"
            mismatches.append(f"{name}: {diff} (outputs kept in {workdir})")
            log(f"  !!!! OUTPUT MISMATCH in {name}: {diff}")
            log(f"  !!!! outputs kept: {outs['iprange']} {outs['tl-set']}")
        t_ip = statistics.median(times["iprange"])
        t_tl = statistics.median(times["tl-set"])
        m_ip = max(rss["iprange"]) / 1024
        m_tl = max(rss["tl-set"]) / 1024
        speed = t_ip / t_tl if t_tl > 0 else None
        mem = m_ip / m_tl if m_tl > 0 else None
        if failed:
            verdict, ident = "ERROR", "n/a"
        else:
            ident = ("yes" if fields is None else "yes (IPs)") if all_same else "NO"
            ok = all_same and speed is not None and speed >= TARGET_SPEEDUP and m_tl <= m_ip
            verdict = "PASS" if ok else "FAIL"
        rows.append(dict(desc=desc, t_ip=t_ip, t_tl=t_tl, speed=speed,
                         m_ip=m_ip, m_tl=m_tl, mem=mem, identical=ident,
                         verdict=verdict))
        for p in progs:
            if not keep:
                try:
                    os.unlink(outs[p])
                except OSError:
                    pass

    print()
    print(render(rows, args.markdown))
    print()
    print(f"target: tl-set >= {TARGET_SPEEDUP:g}x faster (median wall time) and peak RSS "
          f"<= iprange's; ratios are iprange/tl-set. {args.runs} run(s) each.")
    npass = sum(r["verdict"] == "PASS" for r in rows)
    print(f"{npass}/{len(rows)} case(s) meet the target.")

    rc = 0
    if failures:
        print("\nERROR: program failures:", file=sys.stderr)
        for f in failures:
            print(f"  {f}", file=sys.stderr)
        rc = 1
    if mismatches:
        print("\n" + "!" * 72, file=sys.stderr)
        print("OUTPUT MISMATCH: tl-set and iprange outputs differ:", file=sys.stderr)
        for m in mismatches:
            print(f"  {m}", file=sys.stderr)
        print("!" * 72, file=sys.stderr)
        rc = 1
    else:
        print("outputs: identical in every case." if not failures else
              "outputs: identical in every case that ran.")
    if not keep:
        shutil.rmtree(workdir, ignore_errors=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
