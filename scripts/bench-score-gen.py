#!/usr/bin/env python3
"""Deterministic data for the tl-score speed benchmark.

Usage:
    scripts/bench-score-gen.py events N OUT.csv [--seed S] [--sources M] [--now TIME]
                               [--uniform] [--pool-seed P]
    scripts/bench-score-gen.py indicators N OUT.csv [--seed S] [--sources M] [--now TIME]
                               [--feeds F]

events: N sensor reports (time,source,sensor,port,proto,count) over the 7 days
before --now, from a pool of M source addresses (default 1,000,000; about 2 %
IPv6) with skewed activity (a few sources send most reports, as on real
sensors), 1,000 sensors, common attacked ports, counts mostly 1.

indicators: N indicator rows from F feeds (default 20) with assorted
categories; about half of the addresses also appear in the events pool (same
--seed and --sources), the rest are listed by feeds only. Rows are sorted per
feed as tl-ingest writes them.

--uniform draws sources evenly from the pool (for states that hold most of
it); --pool-seed picks the address pool (default: --seed), so two event
files can share their sources.

The same arguments always give the same bytes.
"""

import argparse
import random
import sys
from datetime import datetime, timedelta, timezone

PORTS = [22, 23, 80, 443, 445, 3389, 8080, 5900, 25, 1433, 3306, 6379, 2222, 8443, 21, 0]
CATEGORIES = ["scanner", "bruteforce", "botnet-c2", "hijacked", "spam", "malware",
              "exploit", "anonymizer", "scanner", "bruteforce"]


def pool(seed, n):
    """The source address pool: mostly IPv4 outside the obvious special blocks."""
    rng = random.Random(seed * 7919 + 1)
    out = []
    seen = set()
    while len(out) < n:
        if rng.random() < 0.02:
            a = "2a0%x:%x:%x::%x" % (rng.randrange(16), rng.randrange(1, 65536),
                                      rng.randrange(65536), rng.randrange(1, 65536))
        else:
            first = rng.randrange(1, 224)
            if first in (10, 100, 127, 169, 172, 192, 198, 203):
                continue
            a = "%d.%d.%d.%d" % (first, rng.randrange(256), rng.randrange(256), rng.randrange(1, 255))
        if a not in seen:
            seen.add(a)
            out.append(a)
    return out


def time_table(now, days):
    base = now - timedelta(days=days)
    day_strs = [(base + timedelta(days=d)).strftime("%Y-%m-%d") for d in range(days + 1)]
    hms = ["%02d:%02d:%02d" % (s // 3600, s // 60 % 60, s % 60) for s in range(86400)]
    return base, day_strs, hms


def events(args):
    rng = random.Random(args.seed)
    srcs = pool(args.pool_seed if args.pool_seed is not None else args.seed, args.sources)
    m = len(srcs)
    power = 1 if args.uniform else 3
    now = datetime.fromisoformat(args.now.replace("Z", "+00:00"))
    _, day_strs, hms = time_table(now, 7)
    sensors = ["s%04d" % i for i in range(1000)]
    ports = PORTS
    rand = rng.random
    with open(args.out, "w", buffering=1 << 20) as f:
        f.write("time,source,sensor,port,proto,count\n")
        batch = []
        for _ in range(args.n):
            # Skewed activity: the cube of a uniform number favours low indexes.
            src = srcs[int(m * rand() ** power)]
            t = int(rand() * 7 * 86400)
            c = 1 if rand() < 0.8 else int(1 + rand() * 20)
            batch.append("%sT%sZ,%s,%s,%d,%s,%d\n" % (
                day_strs[t // 86400], hms[t % 86400], src,
                sensors[int(rand() * 1000)], ports[int(rand() * 16)],
                "tcp" if rand() < 0.9 else "udp", c))
            if len(batch) >= 100000:
                f.write("".join(batch))
                batch.clear()
        f.write("".join(batch))


def indicators(args):
    rng = random.Random(args.seed + 1)
    srcs = pool(args.seed, args.sources)
    now = datetime.fromisoformat(args.now.replace("Z", "+00:00"))
    feeds = ["feed%02d" % i for i in range(args.feeds)]
    per_feed = args.n // len(feeds)
    extra = pool(args.seed + 99, args.n // 2 + 1000)
    with open(args.out, "w", buffering=1 << 20) as f:
        f.write("indicator,type,feed,category,first_seen,last_seen,hits,confidence\n")
        for i, feed in enumerate(feeds):
            n = per_feed + (args.n - per_feed * len(feeds) if i == 0 else 0)
            chosen = set()
            while len(chosen) < n:
                p = srcs if rng.random() < 0.5 else extra
                chosen.add(p[rng.randrange(len(p))])
            rows = []
            for a in chosen:
                last = now - timedelta(seconds=rng.randrange(14 * 86400))
                first = last - timedelta(seconds=rng.randrange(30 * 86400))
                rows.append((a, first, last))
            # tl-ingest's order: IPv4 by address, then IPv6.
            rows.sort(key=lambda r: (":" in r[0], tuple(int(x) for x in r[0].split("."))
                                     if ":" not in r[0] else (int(r[0].split(":")[0], 16),)))
            cat = CATEGORIES[i % len(CATEGORIES)]
            conf = [1, 0.9, 0.8, 0.6][i % 4]
            for a, first, last in rows:
                f.write("%s,ip,%s,%s,%s,%s,%d,%s\n" % (
                    a, feed, cat, first.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    last.strftime("%Y-%m-%dT%H:%M:%SZ"), 1, conf))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("what", choices=["events", "indicators"])
    p.add_argument("n", type=int)
    p.add_argument("out")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--sources", type=int, default=1_000_000)
    p.add_argument("--now", default="2026-01-01T00:00:00Z")
    p.add_argument("--uniform", action="store_true")
    p.add_argument("--pool-seed", type=int)
    p.add_argument("--feeds", type=int, default=20)
    args = p.parse_args()
    if args.what == "events":
        events(args)
    else:
        indicators(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
