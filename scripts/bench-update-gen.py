#!/usr/bin/env python3
"""Deterministic data for the tl-update benchmark (scripts/bench-update.sh).

Usage:
    scripts/bench-update-gen.py feeds DIR [--feeds F] [--rows N] [--seed S]
                                [--sources M] [--now TIME]
    scripts/bench-update-gen.py profiles P DIR

feeds: N indicator rows from F feeds, drawn by `bench-score-gen.py
indicators` (same --seed and --sources as its events, so about half of the
listed addresses are also event sources), written as one file per feed in
the formats tl-ingest detects, cycling: a plain list (`.txt`), a FireHOL
netset (`.netset`), a CSV whose address is in the `dst_ip` column (with
first_seen, last_seen and hits), and a JSON document whose addresses are at
`data.host.ip`. DIR/feeds.toml is the feed configuration (category and
confidence per feed). Every file's time (mtime, the netset's Source File
Date) is six hours before --now. DIR/next/ holds the feed that changes for
the second run: the first feed with a tenth of its rows dropped and 2,000
new addresses. Prints the number of distinct addresses.

profiles: P profiles as scripts/bench-compile.sh makes them (score
thresholds 3.0 to 7.0, a category threshold, 3 inbound countries; p1 and
every hundredth after it unlimited, the others cycling through the capacity
targets ipset, Palo Alto EDL, FortiGate and MikroTik).

The same arguments always give the same bytes.
"""

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
FORMATS = ["txt", "netset", "csv", "json"]
COUNTRIES = ["CN", "RU", "IR", "KP", "BR", "IN", "VN", "ID", "TR", "NG", "UA", "PK", "BD", "EG", "TH"]
TARGETS = ["ipset", "paloalto-edl", "fortigate", "mikrotik"]


def write_feed(path, name, rows, when):
    """One feed file in the format its extension names; rows are
    (address, first_seen, last_seen, hits)."""
    ext = path.rsplit(".", 1)[1]
    with open(path, "w", newline="") as f:
        if ext == "txt":
            f.write("# %s: hosts seen attacking (benchmark data)\n" % name)
            f.writelines(r[0] + "\n" for r in rows)
        elif ext == "netset":
            f.write("#\n# %s\n#\n# ipv4 hash:ip ipset\n#\n" % name)
            f.write("# Source File Date: %s\n#\n" % when.strftime("%a %b %d %H:%M:%S UTC %Y"))
            f.write("# Category        : attacks\n#\n")
            f.writelines(r[0] + "\n" for r in rows)
        elif ext == "csv":
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["first_seen", "dst_ip", "last_seen", "hits"])
            w.writerows([r[1], r[0], r[2], r[3]] for r in rows)
        else:
            f.write('{"query_status": "ok", "data": [\n')
            f.write(",\n".join(json.dumps({"id": i + 1, "host": {"ip": r[0]}, "seen": r[2]})
                               for i, r in enumerate(rows)))
            f.write("\n]}\n")
    t = when.timestamp()
    os.utime(path, (t, t))


def feeds(args):
    now = datetime.fromisoformat(args.now.replace("Z", "+00:00"))
    when = now - timedelta(hours=6)
    os.makedirs(os.path.join(args.dir, "next"), exist_ok=True)
    with tempfile.NamedTemporaryFile(suffix=".csv", dir=args.dir) as tmp:
        subprocess.run([sys.executable, os.path.join(HERE, "bench-score-gen.py"), "indicators",
                        str(args.rows), tmp.name, "--seed", str(args.seed),
                        "--sources", str(args.sources), "--now", args.now,
                        "--feeds", str(args.feeds)], check=True)
        per_feed = {}
        meta = {}
        with open(tmp.name, newline="") as f:
            for r in csv.DictReader(f):
                per_feed.setdefault(r["feed"], []).append(
                    (r["indicator"], r["first_seen"], r["last_seen"], r["hits"]))
                meta[r["feed"]] = (r["category"], r["confidence"])
    distinct = set()
    conf = ["# The benchmark's %d feeds (scripts/bench-update-gen.py).\n" % len(per_feed)]
    files = []
    for i, name in enumerate(sorted(per_feed)):
        rows = per_feed[name]
        distinct.update(r[0] for r in rows)
        fname = "%s.%s" % (name, FORMATS[i % len(FORMATS)])
        files.append(fname)
        write_feed(os.path.join(args.dir, fname), name, rows, when)
        cat, c = meta[name]
        conf.append("\n[[feed]]\nname = \"%s\"\npath = \"%s\"\ncategory = \"%s\"\nconfidence = %s\n"
                    % (name, fname, cat, c))
        if fname.endswith(".csv"):
            conf.append("column = \"dst_ip\"\n")
        elif fname.endswith(".json"):
            conf.append("field = \"data.host.ip\"\n")
    with open(os.path.join(args.dir, "feeds.toml"), "w") as f:
        f.writelines(conf)
    # The second run's change: a tenth of the first feed gone, new addresses.
    first = sorted(per_feed)[0]
    rng = random.Random(args.seed + 2)
    kept = [r for r in per_feed[first] if rng.random() >= 0.1]
    stamp = (now + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    new = set()
    while len(new) < 2000:
        a = "%d.%d.%d.%d" % (rng.choice([45, 91, 185, 193]), rng.randrange(256),
                             rng.randrange(256), rng.randrange(1, 255))
        if a not in distinct:
            new.add(a)
    rows = kept + [(a, stamp, stamp, "1") for a in sorted(new)]
    rows.sort(key=lambda r: tuple(int(x) for x in r[0].split(".")) if ":" not in r[0] else (999,))
    write_feed(os.path.join(args.dir, "next", files[0]), first, rows, now + timedelta(hours=3))
    print(len(distinct))


def profiles(args):
    os.makedirs(args.dir, exist_ok=True)
    for i in range(1, args.p + 1):
        c = [COUNTRIES[(i + k) % 15] for k in (0, 5, 10)]
        target = "unlimited" if i % 100 == 1 else TARGETS[i % 4]
        with open(os.path.join(args.dir, "p%d.toml" % i), "w") as f:
            f.write('name = "p%d"\n[evidence]\nmin_score = %d.0\n'
                    'categories = { scanner = 2.0 }\n[[geo]]\n'
                    'countries = ["%s", "%s", "%s"]\ndirection = "inbound"\n'
                    '[capacity]\ntarget = "%s"\n' % (i, i % 5 + 3, c[0], c[1], c[2], target))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="what", required=True)
    f = sub.add_parser("feeds")
    f.add_argument("dir")
    f.add_argument("--feeds", type=int, default=50)
    f.add_argument("--rows", type=int, default=1_500_000)
    f.add_argument("--seed", type=int, default=1)
    f.add_argument("--sources", type=int, default=1_000_000)
    f.add_argument("--now", default="2026-11-27T12:00:00Z")
    g = sub.add_parser("profiles")
    g.add_argument("p", type=int)
    g.add_argument("dir")
    args = p.parse_args()
    if args.what == "feeds":
        feeds(args)
    else:
        profiles(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
