#!/usr/bin/env python3
"""Benchmark tl-ingest: speed against iprange, and memory on a large CSV feed.

Usage:
    scripts/bench-ingest.py [--runs N] [--csv-mb MB] [--skip-csv] [--markdown]
                            [--tl-ingest PATH] [--iprange PATH] [--data DIR]

Case 1, plain list: tl-ingest turns the 10M-line IPv4 list ips-10m.txt
(scripts/bench-gen.py) into full indicator records, written to a file;
iprange --count-unique reads the same file and prints one count. Both run N
times (default 3), alternating (ABBA), after one untimed read to warm the
page cache. Reported: median wall time, input MB/s, peak RSS, and the ratio
iprange/tl-ingest (PASS when tl-ingest is no slower).

Case 2, large CSV: a "mixed" CSV feed (header; first_seen, indicator, port,
tag; the indicator column mixes IPv4, IPv6, domains and URLs drawn from one
pool of about a million distinct indicators) is generated at CSV_MB/4 and at
CSV_MB (default 1024 MB), and tl-ingest --column indicator reads each.
Reported: wall time, MB/s, peak RSS. Streaming in constant memory means the
peak RSS of the large file is about that of the small one: memory follows
the distinct indicators, not the length of the file.

Peak RSS comes from GNU time (/usr/bin/time -f %M) when present, else from
wait4 (which also counts the harness's own RSS).

Exit status: 0 when everything ran (PASS/FAIL is a report, not a test);
1 when a program failed; 2 when a program is missing.
"""

import argparse
import os
import random
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
NOW = "2026-01-01T00:00:00Z"


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def run(argv, out_path, gnu_time, workdir):
    """Runs argv with stdout to out_path; returns (wall_s, maxrss_kb, code, stderr)."""
    rss_file = os.path.join(workdir, "rss.txt")
    err_file = os.path.join(workdir, "stderr.txt")
    full = [gnu_time, "-f", "%M", "-o", rss_file] + argv if gnu_time else argv
    with open(os.devnull, "rb") as sin, open(out_path, "wb") as sout, open(err_file, "wb") as serr:
        t0 = time.perf_counter()
        p = subprocess.Popen(full, stdin=sin, stdout=sout, stderr=serr)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    rss = ru.ru_maxrss
    if gnu_time:
        try:
            lines = [l for l in Path(rss_file).read_text().split("\n") if l.strip().isdigit()]
            rss = int(lines[-1])
        except (OSError, IndexError):
            pass
    return wall, rss, code, Path(err_file).read_text(errors="replace")[:2000]


def warm(path):
    with open(path, "rb") as f:
        while f.read(1 << 24):
            pass


def mb(path):
    return os.path.getsize(path) / 1e6


def gen_csv(path, size_mb, seed=7):
    """A mixed CSV feed of about size_mb MB from a fixed pool of indicators."""
    if path.exists() and abs(mb(path) - size_mb) < size_mb * 0.02:
        return
    log(f"generating {path.name} ({size_mb} MB)")
    rnd = random.Random(seed)
    pool = []
    for _ in range(600_000):
        pool.append("%d.%d.%d.%d" % (rnd.randint(1, 223), rnd.randint(0, 255), rnd.randint(0, 255), rnd.randint(1, 254)))
    for _ in range(200_000):
        pool.append("2a0%x:%x:%x::%x" % (rnd.randint(1, 15), rnd.randint(0, 0xFFFF), rnd.randint(0, 0xFFFF), rnd.randint(1, 0xFFFF)))
    words = ["login", "secure", "update", "cdn", "mail", "pay", "verify", "files", "api", "static"]
    tlds = ["com", "net", "org", "info", "top", "xyz", "ru", "cn"]
    for i in range(200_000):
        pool.append("%s-%x.%s" % (rnd.choice(words), i, rnd.choice(tlds)))
    tags = ["scanner", "bruteforce", "botnet-c2", "malware", "spam", "phishing"]
    blocks = []
    for b in range(16):
        rows = []
        for _ in range(50_000):
            ind = rnd.choice(pool)
            if ind[0].isalpha() and rnd.random() < 0.3:
                ind = "https://%s/%s/x.php?id=%d" % (ind, rnd.choice(words), rnd.randint(1, 99999))
            day = rnd.randint(1, 28)
            rows.append('2026-02-%02d %02d:%02d:%02d,"%s",%d,%s\n' % (
                day, rnd.randint(0, 23), rnd.randint(0, 59), rnd.randint(0, 59),
                ind, rnd.choice([22, 23, 80, 443, 3389, 8080]), rnd.choice(tags)))
        blocks.append("".join(rows).encode())
    target = size_mb * 1_000_000
    with open(path, "wb") as f:
        f.write(b"first_seen,indicator,port,tag\n")
        written, i = 0, 0
        while written < target:
            f.write(blocks[i % len(blocks)])
            written += len(blocks[i % len(blocks)])
            i += 1


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--csv-mb", type=int, default=1024)
    ap.add_argument("--skip-csv", action="store_true")
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--tl-ingest", default=str(RELEASE / "tl-ingest"))
    ap.add_argument("--iprange", default=shutil.which("iprange"))
    ap.add_argument("--data", default=str(REPO / "target/bench-data"))
    args = ap.parse_args(argv)
    if not os.access(args.tl_ingest, os.X_OK):
        log(f"missing {args.tl_ingest}: cargo build --release --bin tl-ingest")
        return 2
    if not args.iprange:
        log("iprange is not on PATH")
        return 2
    gnu_time = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None
    data = Path(args.data)
    ips = data / "ips-10m.txt"
    if not ips.exists():
        subprocess.run([sys.executable, str(GEN), str(data), "--only", "ips-10m.txt"], check=True)
    rows = []
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out")
        warm(ips)
        progs = {
            "iprange": [args.iprange, "--count-unique", str(ips)],
            "tl-ingest": [args.tl_ingest, "-q", "--now", NOW, "-o", out + ".csv", str(ips)],
        }
        res = {k: [] for k in progs}
        for i in range(args.runs):
            order = ["iprange", "tl-ingest"] if i % 2 == 0 else ["tl-ingest", "iprange"]
            for name in order:
                wall, rss, code, err = run(progs[name], out, gnu_time, tmp)
                if code != 0:
                    log(f"{name} failed ({code}): {err}")
                    failed = True
                res[name].append((wall, rss))
        med = {k: statistics.median(w for w, _ in v) for k, v in res.items()}
        peak = {k: max(r for _, r in v) for k, v in res.items()}
        size = mb(ips)
        ratio = med["iprange"] / med["tl-ingest"]
        records = os.path.getsize(out + ".csv") / 1e6
        for name in ["iprange", "tl-ingest"]:
            rows.append([f"10M IPv4 list ({size:.0f} MB)", name, f"{med[name]:.2f} s",
                         f"{size / med[name]:.0f} MB/s", f"{peak[name] / 1024:.0f} MB",
                         f"{ratio:.2f}x {'PASS' if ratio >= 1 else 'FAIL'}" if name == "tl-ingest" else "",
                         f"{records:.0f} MB of records" if name == "tl-ingest" else "one count"])
        if not args.skip_csv:
            small = data / f"mixed-{args.csv_mb // 4}m.csv"
            big = data / f"mixed-{args.csv_mb}m.csv"
            gen_csv(small, args.csv_mb // 4)
            gen_csv(big, args.csv_mb)
            for path in [small, big]:
                warm(path)
                argv = [args.tl_ingest, "-q", "--now", NOW, "--column", "indicator", "-o", out + ".csv", str(path)]
                wall, rss, code, err = run(argv, out, gnu_time, tmp)
                if code != 0:
                    log(f"tl-ingest failed ({code}): {err}")
                    failed = True
                n = sum(1 for _ in open(out + ".csv", "rb")) - 1
                rows.append([f"mixed CSV ({mb(path):.0f} MB)", "tl-ingest", f"{wall:.2f} s",
                             f"{mb(path) / wall:.0f} MB/s", f"{rss / 1024:.0f} MB", "",
                             f"{n} distinct indicators"])
    head = ["case", "program", "median time", "input MB/s", "peak RSS", "iprange/tl-ingest", "output"]
    if args.markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for r in rows:
            print("| " + " | ".join(r) + " |")
    else:
        widths = [max(len(str(x[i])) for x in [head] + rows) for i in range(len(head))]
        for r in [head] + rows:
            print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
