#!/usr/bin/env python3
"""A simulated world with ground truth, to measure what tl-score's list catches.

Usage:
    scripts/score-sim.py world DIR [--seed S] [--attackers N] [--days D]
    scripts/score-sim.py bench [--seeds 1,2,3] [--attackers N] [--tl-score PATH] [--markdown]

`world` writes DIR/events.csv, DIR/indicators.csv, DIR/feeds.toml and
DIR/truth.csv (address,label,category,start,stop) for one seed. `bench`
builds a world per seed in a temporary directory, runs tl-score with its
defaults, and compares its list with the IPsum rule (rank addresses by the
number of feeds that list them) cut to the same size.

The world (all times in the D days before NOW):
- Attackers of five categories start at uniform times and stop after an
  exponential lifetime (mean: scanner 3 d, bruteforce 5 d, spam 7 d,
  malware 10 d, botnet-c2 20 d). "Active" means still running at NOW.
- 50 sensors. Scanners touch about 30 % of the sensors a few times a day,
  brute-forcers 10 % with many attempts, spam sources and malware hosts
  rarely, C2 servers almost never. Each attacker has its own intensity
  (log-normal).
- Noise: every sensor reports a few random benign addresses now and then
  (backscatter, misconfigured clients), and one sensor lies: it reports
  500 benign addresses heavily and for the whole period.
- Nine feeds with detection probability, detection delay (exponential),
  retention after the attacker stopped (stale entries), and their own
  confidence; some give per-entry last-seen times, others only the
  snapshot time. One feed lists 300 popular CDN hosts as malware (false
  positives) besides some real malware hosts; one "reputation" aggregator
  keeps everything for 60 days.

Labels in truth.csv: active, stopped, benign-cdn, benign-noise, benign-lied.

Exit status: 0 when everything ran; 1 when tl-score failed.
"""

import argparse
import csv
import math
import os
import random
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 27, 12, 0, 0, tzinfo=timezone.utc)
DAY = 86400.0

# category: (share of attackers, mean lifetime days, share of sensors touched,
#            events per touched sensor per day, mean count per event, ports)
CATEGORIES = {
    "scanner": (0.45, 3.0, 0.30, 2.0, 1.5, [22, 23, 80, 443, 445, 3389, 8080, 5900]),
    "bruteforce": (0.25, 5.0, 0.10, 4.0, 8.0, [22, 3389, 21, 1433]),
    "spam": (0.15, 7.0, 0.02, 0.2, 1.0, [25, 587]),
    "malware": (0.10, 10.0, 0.04, 0.3, 1.0, [80, 443]),
    "botnet-c2": (0.05, 20.0, 0.01, 0.05, 1.0, [443, 8443]),
}

# name, category, confidence, detects (category: probability), mean delay
# days, retention days after stop, per-entry last-seen times?
FEEDS = [
    ("scan-a", "scanner", 0.6, {"scanner": 0.6, "bruteforce": 0.3}, 1.0, 7, False),
    ("scan-b", "scanner", 0.5, {"scanner": 0.4}, 0.5, 30, True),
    ("ssh-bf", "bruteforce", 0.8, {"bruteforce": 0.5, "scanner": 0.05}, 1.0, 14, True),
    ("c2-track", "botnet-c2", 0.9, {"botnet-c2": 0.8}, 2.0, 10, True),
    ("c2-intel", "botnet-c2", 0.7, {"botnet-c2": 0.5, "malware": 0.1}, 3.0, 30, False),
    ("spam-bl", "spam", 0.7, {"spam": 0.7}, 0.5, 14, False),
    ("mal-hosts", "malware", 0.6, {"malware": 0.6}, 2.0, 20, False),
    ("reputation", "reputation", 0.5, {"scanner": 0.3, "bruteforce": 0.3, "spam": 0.3, "malware": 0.3, "botnet-c2": 0.3}, 3.0, 60, False),
    ("blocklist-x", "exploit", 0.6, {"scanner": 0.2, "bruteforce": 0.2, "malware": 0.2}, 1.0, 21, True),
]
CDN_FEED = "mal-hosts"


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def addr(rng, used):
    while True:
        first = rng.randrange(1, 224)
        if first in (10, 100, 127, 169, 172, 192, 198, 203):
            continue
        a = "%d.%d.%d.%d" % (first, rng.randrange(256), rng.randrange(256), rng.randrange(1, 255))
        if a not in used:
            used.add(a)
            return a


def poisson(rng, lam):
    if lam <= 0:
        return 0
    if lam > 50:
        return max(0, int(rng.gauss(lam, math.sqrt(lam)) + 0.5))
    l, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= l:
            return k
        k += 1


def world(out, seed, attackers, days):
    rng = random.Random(seed)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    used = set()
    span = days * DAY
    sensors = ["sensor-%02d" % i for i in range(50)]
    liar = sensors[7]
    truth = []  # (address, label, category, start, stop)
    events = []  # (t seconds before NOW, address, sensor, port, proto, count)

    cats = list(CATEGORIES)
    weights = [CATEGORIES[c][0] for c in cats]
    actors = []
    for _ in range(attackers):
        cat = rng.choices(cats, weights)[0]
        share, life, touch, rate, mean_count, ports = CATEGORIES[cat]
        # Start anywhere from 2 lifetimes before the window to NOW, so the
        # window holds attackers at every age.
        start = rng.uniform(-2 * life * DAY - span, 0) + span  # seconds after window start
        stop = start + rng.expovariate(1 / (life * DAY))
        a = addr(rng, used)
        active = stop > span
        truth.append((a, "active" if active else "stopped", cat, start - span, stop - span))
        actors.append((a, cat, start, stop))
        intensity = rng.lognormvariate(0, 0.8)
        lo, hi = max(start, 0), min(stop, span)
        if hi <= lo:
            continue
        for s in sensors:
            if rng.random() >= touch:
                continue
            n = poisson(rng, rate * intensity * (hi - lo) / DAY)
            for _ in range(n):
                t = rng.uniform(lo, hi)
                c = 1 + int(rng.expovariate(1 / max(mean_count - 1, 0.01))) if mean_count > 1 else 1
                events.append((t, a, s, rng.choice(ports), "tcp", c))

    # Benign noise: every sensor reports a few random benign addresses.
    noise_pool = [addr(rng, used) for _ in range(20000)]
    for a in noise_pool:
        truth.append((a, "benign-noise", "", 0, 0))
    for s in sensors:
        for _ in range(200):
            a = rng.choice(noise_pool)
            events.append((rng.uniform(0, span), a, s, rng.choice([53, 123, 443, 80]), "udp", 1))
    # The lying sensor: 500 benign addresses, heavily, all the time.
    for _ in range(500):
        a = addr(rng, used)
        truth.append((a, "benign-lied", "", 0, 0))
        for _ in range(poisson(rng, 3 * days)):
            events.append((rng.uniform(0, span), a, liar, 22, "tcp", rng.randint(1, 50)))
    # Popular CDN hosts: benign, touched by nothing but one feed.
    cdn = [addr(rng, used) for _ in range(300)]
    for a in cdn:
        truth.append((a, "benign-cdn", "", 0, 0))

    # Feeds: a snapshot at NOW.
    indicators = []
    for name, fcat, conf, detects, delay, retention, own_times in FEEDS:
        for a, cat, start, stop in actors:
            p = detects.get(cat, 0)
            if p == 0 or rng.random() >= p:
                continue
            listed = start + rng.expovariate(1 / (delay * DAY))
            if listed >= stop or listed > span:
                continue  # stopped (or not yet found) before the feed noticed
            if stop + retention * DAY < span:
                continue  # retention over: dropped from the feed
            last = min(stop, span) if own_times else span
            indicators.append((a, name, fcat, max(listed, 0), last, conf))
        if name == CDN_FEED:
            for a in cdn:
                indicators.append((a, name, fcat, rng.uniform(0, span), span, conf))

    base = NOW - timedelta(seconds=span)
    with open(out / "events.csv", "w", newline="") as f:
        f.write("time,source,sensor,port,proto,count\n")
        events.sort()
        for t, a, s, port, proto, c in events:
            f.write("%s,%s,%s,%d,%s,%d\n" % (iso(base + timedelta(seconds=int(t))), a, s, port, proto, c))
    with open(out / "indicators.csv", "w", newline="") as f:
        f.write("indicator,type,feed,category,first_seen,last_seen,hits,confidence\n")
        indicators.sort(key=lambda r: (r[1], tuple(int(x) for x in r[0].split("."))))
        for a, name, cat, first, last, conf in indicators:
            f.write("%s,ip,%s,%s,%s,%s,1,%s\n" % (a, name, cat, iso(base + timedelta(seconds=int(first))),
                                                 iso(base + timedelta(seconds=int(last))), conf))
    with open(out / "feeds.toml", "w") as f:
        f.write("# The simulated feeds (scripts/score-sim.py); paths are placeholders.\n")
        for name, fcat, conf, *_ in FEEDS:
            f.write('\n[[feed]]\nname = "%s"\npath = "%s.txt"\ncategory = "%s"\nconfidence = %s\n' % (name, name, fcat, conf))
    with open(out / "truth.csv", "w", newline="") as f:
        f.write("address,label,category,start,stop\n")
        for a, label, cat, start, stop in sorted(truth, key=lambda r: tuple(int(x) for x in r[0].split("."))):
            f.write("%s,%s,%s,%s,%s\n" % (a, label, cat,
                                           iso(base + timedelta(seconds=int(start + span))) if label in ("active", "stopped") else "",
                                           iso(base + timedelta(seconds=int(stop + span))) if label == "stopped" else ""))
    return out


def read_truth(d):
    with open(Path(d) / "truth.csv") as f:
        return {r["address"]: r for r in csv.DictReader(f)}


def ipsum_rank(d, seed):
    """Addresses by number of feeds listing them; ties in a fixed random order."""
    counts = {}
    with open(Path(d) / "indicators.csv") as f:
        for r in csv.DictReader(f):
            counts[r["indicator"]] = counts.get(r["indicator"], 0) + 1
    rng = random.Random(seed * 31 + 7)
    tie = {a: rng.random() for a in counts}
    return sorted(counts, key=lambda a: (-counts[a], tie[a]))


def run_tl_score(d, exe):
    p = subprocess.run([exe, "-q", "--now", iso(NOW), "-e", str(Path(d) / "events.csv"),
                        "--feeds", str(Path(d) / "feeds.toml"), str(Path(d) / "indicators.csv")],
                       capture_output=True, text=True)
    if p.returncode != 0:
        sys.stderr.write(p.stderr)
        sys.exit(1)
    rows = list(csv.DictReader(p.stdout.splitlines()))
    return [r["indicator"] for r in rows if r["type"] == "ip"]


def metrics(lst, truth):
    n = len(lst) or 1
    label = lambda a: truth.get(a, {}).get("label", "")
    active = [a for a, r in truth.items() if r["label"] == "active"]
    nonspam = [a for a in active if truth[a]["category"] != "spam"]
    listed = set(lst)
    day_ago = iso(NOW - timedelta(days=1))
    return {
        "size": len(lst),
        "recall": sum(1 for a in active if a in listed) / max(len(active), 1),
        "recall_nonspam": sum(1 for a in nonspam if a in listed) / max(len(nonspam), 1),
        "precision": sum(1 for a in lst if label(a) == "active") / n,
        "benign": sum(1 for a in lst if label(a).startswith("benign")) / n,
        "stopped": sum(1 for a in lst if label(a) == "stopped") / n,
        "stopped_day": sum(1 for a in lst if label(a) == "stopped" and truth[a]["stop"] < day_ago) / n,
    }


def bench(args):
    exe = args.tl_score or str(REPO / "target" / "release" / "tl-score")
    if not os.path.exists(exe):
        sys.stderr.write("tl-score not found at %s (cargo build --release)\n" % exe)
        return 2
    rows = []
    for seed in [int(s) for s in args.seeds.split(",")]:
        with tempfile.TemporaryDirectory() as tmp:
            world(tmp, seed, args.attackers, args.days)
            truth = read_truth(tmp)
            ours = run_tl_score(tmp, exe)
            ipsum = ipsum_rank(tmp, seed)[:len(ours)]
            active = sum(1 for r in truth.values() if r["label"] == "active")
            rows.append((seed, active, metrics(ours, truth), metrics(ipsum, truth)))
    print("| seed | active | list | size | recall | recall without spam | precision | benign share | stopped share | stopped > 1 day |")
    print("|" + "---|" * 10)
    for seed, active, m, i in rows:
        for name, x in (("tl-score", m), ("IPsum rule", i)):
            print("| %d | %d | %s | %d | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f |" % (
                seed, active, name, x["size"], x["recall"], x["recall_nonspam"], x["precision"],
                x["benign"], x["stopped"], x["stopped_day"]))
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("world")
    w.add_argument("dir")
    w.add_argument("--seed", type=int, default=1)
    w.add_argument("--attackers", type=int, default=4000)
    w.add_argument("--days", type=int, default=30)
    b = sub.add_parser("bench")
    b.add_argument("--seeds", default="1,2,3,4,5")
    b.add_argument("--attackers", type=int, default=4000)
    b.add_argument("--days", type=int, default=30)
    b.add_argument("--tl-score")
    b.add_argument("--markdown", action="store_true", help="(the table is always markdown)")
    args = p.parse_args()
    if args.cmd == "world":
        world(args.dir, args.seed, args.attackers, args.days)
        return 0
    return bench(args)


if __name__ == "__main__":
    sys.exit(main())
