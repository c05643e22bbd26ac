#!/usr/bin/env python3
"""A simulated world with ground truth, and the list-quality benchmark of tl-score.

Usage:
    scripts/score-sim.py world DIR [WORLD OPTIONS]
    scripts/score-sim.py bench [--mode snapshot|runs|both] [--seeds 1,2,3] [--top N]
                               [--interval-hours H] [--average-days D] [--tl-score PATH]
                               [--compare NAME=PATH ...] [--markdown] [WORLD OPTIONS]
    scripts/score-sim.py self-check [--tl-score PATH]

`world` writes one seed's world as of NOW: DIR/events.csv (every sensor
event), DIR/indicators.csv (each feed's snapshot at NOW), DIR/feeds.toml
(the feeds with their categories only) and DIR/truth.csv
(address,label,category,start,stop; label one of active, stopped-recent
(1 to 2 days before), stopped, benign-noise, benign-lied, benign-cdn). `bench`
builds a world per seed in a temporary directory, runs tl-score
(--tl-score, else $TL_SCORE, else the release build of this repository)
and prints the quality table per seed.
`self-check` builds tiny worlds and asserts the table's invariants (needs
no tl-score for the world and the baselines; with one it checks both modes).

WORLD OPTIONS (defaults in brackets; everything is deterministic per seed):
    --seed S [1]  --days D [14]  --attackers N [20000]  --sensors N [400]
    --liars N [1]  --noise-hosts N [20000]  --noise-events N [60 per sensor]
    --cdn N [300]  --event-rate X [1.0: scales every attacker's event rate]

The world (NOW = 2026-11-27T12:00:00Z; the window is the D days before it):
- Attackers of five categories; lifetimes are gamma-distributed (shape 2)
  with means of about three days: scanner 3, bruteforce 3.5, spam 3,
  malware 4, botnet-c2 5 days. Starts are uniform from a day before the
  window to NOW, so at NOW about a fifth are active. Each has its own
  intensity (log-normal).
- Sensors: scanners touch about 10 % of the sensors about once a day each,
  brute-forcers 3 % a few times a day with many attempts, malware hosts 2 %
  and spam sources 1 % (SMTP traps); C2 servers are never seen by sensors.
  Every event counts as a scanner's in tl-score.
- Benign noise: every sensor reports random benign hosts (backscatter,
  misconfigured clients), chosen with a skew so that a few benign hosts
  reach many sensors; the --cdn popular CDN addresses get their own noise
  (a median of one report a day, a few of them many). The first --liars
  sensors lie: each reports its own 500 benign addresses (once a day each,
  counts up to 50) for the whole window, besides the real attackers it
  sees like any sensor.
- Seven feeds (FEEDS below), each with a detection probability per
  category, an exponential detection delay (from the attacker's start; an
  attacker that stops first is never listed), and a retention after the
  attacker stopped (0.5 to 1.5 times the feed's figure: 1 to 45 days). Some
  give per-entry times (first_seen = when listed, last_seen = the
  attacker's last activity), the others only the snapshot time (first_seen
  = last_seen = the time of the snapshot, as tl-ingest writes a plain
  list). "reputation" also lists the CDN addresses (benign) for the whole
  window. Confidence is 1 (what tl-ingest writes for a feed configured with
  a category only).

Modes:
- snapshot: one tl-score run at NOW on all events and the feeds' snapshots
  at NOW (as docs/scoring.md's example run).
- runs: a tl-score run every --interval-hours (4) over the window, as the
  service runs: each run gets only the events of its interval, each feed's
  snapshot as the feed looks at that time, the state of the run before
  (--state, --save-state) and its list (--previous). The list of the last
  run (at NOW) is evaluated; its top N comes from the last state
  (--min-score 0 --top N). With --average-days D > 0 one more row is the
  mean of the default list's figures over the runs of the last D days,
  each measured against the truth at its own time.

The table, at time T (NOW, or a run's time), for a list L:
- entries    = |L|
- recall of active = |L ∩ A| / |A|, A = attackers active at T
  (started at or before T, attacking within the day before T: still
  running, or stopped less than 24 h before; see ACTIVE_WINDOW)
- precision  = |L ∩ A| / |L|
- benign share  = |L ∩ benign| / |L| (noise hosts, the liars' addresses,
  CDN hosts)
- stopped share = |L ∩ S| / |L|, S = attackers that stopped more than
  2 days before T.
  The rest of L (1 − precision − benign − stopped) are attackers that
  stopped 1 to 2 days before T.
Lists:
- default list: tl-score with its defaults (feeds.toml gives categories).
- the same without trust: tl-score --no-trust (every source weighs 1, no
  negative evidence): the model before reliability and sensors' silence.
- its top N: tl-score --min-score 0 --top N (N = --top, 6000).
- IPsum rule: addresses ranked by the number of feeds listing them at T,
  ties in a fixed random order per seed, cut to N.
- naive sum: Σ over the address's sensor events of 2^(−age/24 h) (each
  event 1, whatever its count) + 0.5 per feed listing it at T, cut to N.
The baselines are stateless, so they are the same in both modes.
- NAME: default list (with --compare NAME=PATH): the default list of
  another tl-score build on the same world, e.g. a build with other
  constants, to compare models side by side.

Exit status: 0 when everything ran (and self-check held); 1 when tl-score
failed or a self-check assertion failed; 2 on bad usage or no tl-score.
"""

import argparse
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 27, 12, 0, 0, tzinfo=timezone.utc)
DAY = 86400
HOUR = 3600
STOPPED_AGE = 2 * DAY  # "stopped" in the table: more than this before T
# "active" at T: started by T and still attacking within the day before T.
# The reference world says a list of the sources two or more sensors
# reported in the last 24 h has precision about 0.98 there; counting only
# attackers still running at the very second T makes that 0.74 here, so the
# reference counts a day's window (0.96 here, the rest the noise that reaches
# several sensors).
ACTIVE_WINDOW = DAY

# category: (share of attackers, mean lifetime days, share of sensors touched,
#            events per touched sensor per day, mean count per event, ports)
CATEGORIES = {
    "scanner": (0.55, 3.0, 0.10, 1.0, 1.5, [22, 23, 80, 443, 445, 3389, 8080, 5900]),
    "bruteforce": (0.27, 3.5, 0.03, 3.0, 6.0, [22, 3389, 21, 1433]),
    "spam": (0.05, 3.0, 0.01, 2.0, 1.0, [25]),
    "malware": (0.08, 4.0, 0.02, 0.5, 1.0, [80, 443, 445]),
    "botnet-c2": (0.05, 5.0, 0.0, 0.0, 1.0, [443]),
}

# name, category, detects (category: probability), mean delay days,
# retention days after stop, per-entry times?
FEEDS = [
    ("scan-fast", "scanner", {"scanner": 0.5, "bruteforce": 0.2}, 0.25, 1, True),
    ("scan-wide", "scanner", {"scanner": 0.7, "bruteforce": 0.5}, 0.5, 30, False),
    ("ssh-bf", "bruteforce", {"bruteforce": 0.6, "scanner": 0.05}, 0.5, 14, False),
    ("c2-track", "botnet-c2", {"botnet-c2": 0.8}, 1.0, 10, True),
    ("spam-bl", "spam", {"spam": 0.7}, 0.25, 3, True),
    ("mal-hosts", "malware", {"malware": 0.7, "botnet-c2": 0.2}, 1.0, 21, False),
    ("reputation", "reputation", {c: 0.5 for c in CATEGORIES}, 2.0, 45, False),
]
CDN_FEED = "reputation"
LIAR_HOSTS = 500
LIAR_RATE = 1.0  # events per day and address
CDN_NOISE = 1.0  # median noise events per day about a CDN host


def add_world_options(p):
    p.add_argument("--days", type=int, default=14)
    p.add_argument("--attackers", type=int, default=20000)
    p.add_argument("--sensors", type=int, default=400)
    p.add_argument("--liars", type=int, default=1)
    p.add_argument("--noise-hosts", type=int, default=20000)
    p.add_argument("--noise-events", type=int, default=60)
    p.add_argument("--cdn", type=int, default=300)
    p.add_argument("--event-rate", type=float, default=1.0)


class Clock:
    """Times are integer seconds since the window's start; NOW = span."""

    def __init__(self, days):
        self.span = days * DAY
        self.base = NOW - timedelta(seconds=self.span)
        self.prefix = {}

    def iso(self, t):
        # Days counted from the midnight before the window's start, so the
        # time of day is the base's plus t (NOW prints as NOW).
        midnight = self.base.replace(hour=0, minute=0, second=0)
        d, s = divmod(int(t) + int((self.base - midnight).total_seconds()), DAY)
        p = self.prefix.get(d)
        if p is None:
            p = self.prefix[d] = (midnight + timedelta(days=d)).strftime("%Y-%m-%dT")
        return "%s%02d:%02d:%02dZ" % (p, s // 3600, s % 3600 // 60, s % 60)


def new_addr(rng, used):
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


class World:
    """One seed's world: truth, sensor events, feed listings."""

    def __init__(self, seed, o):
        rng = random.Random(seed)
        self.clock = clk = Clock(o.days)
        span = clk.span
        used = set()
        sensors = ["sensor-%03d" % i for i in range(o.sensors)]
        self.liars = sensors[: o.liars]
        # address -> (label, category, start, stop); label "attacker" or benign-*
        self.truth = {}
        events = []  # (t, csv line)
        naive = {}  # address -> Σ 2^(-(NOW - t)/24 h)

        def event(t, a, s, port, proto, count):
            events.append((t, "%s,%s,%s,%d,%s,%d\n" % (clk.iso(t), a, s, port, proto, count)))
            naive[a] = naive.get(a, 0.0) + 2.0 ** (-(span - t) / DAY)

        cats = list(CATEGORIES)
        weights = [CATEGORIES[c][0] for c in cats]
        self.attackers = []
        for _ in range(o.attackers):
            cat = rng.choices(cats, weights)[0]
            _, life, touch, rate, mean_count, ports = CATEGORIES[cat]
            start = int(rng.uniform(-DAY, span))
            stop = start + max(60, int(rng.gammavariate(2.0, life * DAY / 2)))
            a = new_addr(rng, used)
            self.truth[a] = ("attacker", cat, start, stop)
            self.attackers.append((a, cat, start, stop))
            intensity = rng.lognormvariate(0, 0.8)
            lo, hi = max(start, 0), min(stop, span)
            if hi <= lo or touch == 0:
                continue
            k = min(len(sensors), poisson(rng, touch * len(sensors) * math.sqrt(intensity)))
            for s in rng.sample(sensors, k):
                for _ in range(poisson(rng, o.event_rate * rate * intensity * (hi - lo) / DAY)):
                    c = 1 + int(rng.expovariate(1 / (mean_count - 1))) if mean_count > 1 else 1
                    event(rng.randrange(lo, hi), a, s, rng.choice(ports), "tcp", c)

        # Benign noise: skewed, so a few benign hosts reach many sensors.
        pool = [new_addr(rng, used) for _ in range(o.noise_hosts)]
        for a in pool:
            self.truth[a] = ("benign-noise", "", 0, 0)
        # Popular CDN hosts: in the noise too (backscatter, QUIC replies),
        # and listed by one feed (below).
        cdn = [new_addr(rng, used) for _ in range(o.cdn)]
        for a in cdn:
            self.truth[a] = ("benign-cdn", "", 0, 0)
        for a in cdn:
            # A CDN host's own share of the noise: mostly rare, a few often.
            for _ in range(poisson(rng, CDN_NOISE * rng.lognormvariate(0, 1) * o.days)):
                event(rng.randrange(0, span), a, rng.choice(sensors), 443, "udp", 1)
        if pool:
            for s in sensors:
                for _ in range(o.noise_events):
                    a = pool[int(len(pool) * rng.random() ** 2)]
                    event(rng.randrange(0, span), a, s, rng.choice([53, 123, 443, 80]), "udp", 1)
        for liar in self.liars:
            for _ in range(LIAR_HOSTS):
                a = new_addr(rng, used)
                self.truth[a] = ("benign-lied", "", 0, 0)
                for _ in range(poisson(rng, LIAR_RATE * o.days)):
                    event(rng.randrange(0, span), a, liar, 22, "tcp", rng.randint(1, 50))

        events.sort()
        self.event_times = [t for t, _ in events]
        self.event_lines = [line for _, line in events]
        self.naive_events = naive

        # Listings: (address, feed index, listed from, listed until, stop or None)
        self.listings = []
        for fi, (name, fcat, detects, delay, retention, own) in enumerate(FEEDS):
            for a, cat, start, stop in self.attackers:
                p = detects.get(cat, 0)
                if p == 0 or rng.random() >= p:
                    continue
                listed = start + int(rng.expovariate(1 / (delay * DAY)))
                if listed >= stop or listed > span:
                    continue
                until = stop + int(retention * DAY * rng.uniform(0.5, 1.5))
                self.listings.append((a, fi, listed, until, stop))
            if name == CDN_FEED:
                for a in cdn:
                    self.listings.append((a, fi, int(rng.uniform(-10 * DAY, span / 2)), 1 << 62, None))

    # -- views at time t ------------------------------------------------
    def snapshot(self, t):
        """Each feed's rows at t: (address, feed index, first_seen, last_seen)."""
        rows = []
        for a, fi, listed, until, stop in self.listings:
            if listed <= t < until:
                if FEEDS[fi][5]:
                    last = t if stop is None else min(stop, t)
                    rows.append((a, fi, listed, last))
                else:
                    rows.append((a, fi, t, t))
        return rows

    def write_indicators(self, path, t):
        clk = self.clock
        rows = self.snapshot(t)
        rows.sort(key=lambda r: (r[1], r[0]))
        with open(path, "w") as f:
            f.write("indicator,type,feed,category,first_seen,last_seen,hits,confidence\n")
            f.writelines("%s,ip,%s,%s,%s,%s,1,1\n" % (a, FEEDS[fi][0], FEEDS[fi][1], clk.iso(first), clk.iso(last))
                         for a, fi, first, last in rows)
        return rows

    def write_events(self, path, lo, hi):
        """Events with lo < t <= hi."""
        import bisect
        i = bisect.bisect_right(self.event_times, lo)
        j = bisect.bisect_right(self.event_times, hi)
        with open(path, "w") as f:
            f.write("time,source,sensor,port,proto,count\n")
            f.writelines(self.event_lines[i:j])
        return j - i

    def write_feeds(self, path):
        with open(path, "w") as f:
            f.write("# The simulated feeds (scripts/score-sim.py): categories only; paths are placeholders.\n")
            for name, fcat, *_ in FEEDS:
                f.write('\n[[feed]]\nname = "%s"\npath = "%s.txt"\ncategory = "%s"\n' % (name, name, fcat))

    def write_truth(self, path):
        clk = self.clock
        with open(path, "w") as f:
            f.write("address,label,category,start,stop\n")
            for a in sorted(self.truth, key=lambda x: tuple(int(p) for p in x.split("."))):
                label, cat, start, stop = self.truth[a]
                if label == "attacker":
                    label = self.label(a, self.clock.span)
                    f.write("%s,%s,%s,%s,%s\n" % (a, label, cat, clk.iso(start), clk.iso(stop)))
                else:
                    f.write("%s,%s,,,\n" % (a, label))

    def label(self, a, t):
        """active, stopped-recent, stopped, future, benign-*, or unknown at time t."""
        r = self.truth.get(a)
        if r is None:
            return "unknown"
        label, _, start, stop = r
        if label != "attacker":
            return label
        if start > t:
            return "future"
        if stop > t - ACTIVE_WINDOW:
            return "active"
        return "stopped" if stop < t - STOPPED_AGE else "stopped-recent"

    def n_active(self, t):
        return sum(1 for _, _, start, stop in self.attackers if start <= t and stop > t - ACTIVE_WINDOW)


def metrics(w, lst, t):
    n = len(lst)
    counts = {}
    for a in lst:
        lab = w.label(a, t)
        counts[lab] = counts.get(lab, 0) + 1
    active = w.n_active(t)
    benign = sum(v for k, v in counts.items() if k.startswith("benign"))
    d = max(n, 1)
    return {
        "entries": n,
        "recall": counts.get("active", 0) / max(active, 1),
        "precision": counts.get("active", 0) / d,
        "benign": benign / d,
        "stopped": counts.get("stopped", 0) / d,
        "counts": counts,
    }


def rank(scores, seed, n):
    rng = random.Random(seed * 31 + 7)
    keys = sorted(scores)  # a fixed order before the tie-breaker
    tie = {a: rng.random() for a in keys}
    return sorted(keys, key=lambda a: (-scores[a], tie[a]))[:n]


def baselines(w, snap, seed, n):
    counts = {}
    for a, *_ in snap:
        counts[a] = counts.get(a, 0) + 1
    naive = dict(w.naive_events)
    for a, c in counts.items():
        naive[a] = naive.get(a, 0.0) + 0.5 * c
    return rank(counts, seed, n), rank(naive, seed, n)


def tl_score(exe, args):
    p = subprocess.run([exe, "-q"] + [str(a) for a in args], capture_output=True, text=True)
    if p.returncode != 0:
        sys.stderr.write("tl-score %s: exit %d\n%s" % (" ".join(map(str, args)), p.returncode, p.stderr))
        sys.exit(1)
    return p.stdout


def read_list(text):
    lines = text.splitlines()
    out = []
    for line in lines[1:]:
        f = line.split(",", 2)
        if len(f) > 1 and f[1] == "ip":
            out.append(f[0])
    return out


def run_snapshot(w, exe, d, top):
    clk = w.clock
    w.write_events(d / "events.csv", -1, clk.span)
    w.write_feeds(d / "feeds.toml")
    snap = w.write_indicators(d / "indicators.csv", clk.span)
    common = ["--now", clk.iso(clk.span), "-e", d / "events.csv", "--feeds", d / "feeds.toml", d / "indicators.csv"]
    default = read_list(tl_score(exe, common))
    topn = read_list(tl_score(exe, common + ["--min-score", "0", "--top", top]))
    plain = read_list(tl_score(exe, common + ["--no-trust"]))
    return snap, default, topn, None, plain


def run_runs(w, exe, d, top, interval, average_days):
    clk = w.clock
    w.write_feeds(d / "feeds.toml")
    step = interval * HOUR
    times = list(range(step, clk.span + 1, step))
    if times[-1] != clk.span:
        times.append(clk.span)
    prev_t, state, prev_list = 0 - 1, None, None
    per_run = []
    for k, t in enumerate(times):
        w.write_events(d / "win.csv", prev_t, t)
        snap = w.write_indicators(d / "ind.csv", t)
        new_state, new_list = d / ("state-%d" % (k % 2)), d / ("list-%d.csv" % (k % 2))
        args = ["--now", clk.iso(t), "-e", d / "win.csv", "--feeds", d / "feeds.toml", d / "ind.csv",
                "--save-state", new_state, "-o", new_list]
        if state:
            args += ["--state", state]
        if prev_list:
            args += ["--previous", prev_list]
        tl_score(exe, args)
        if average_days > 0 and t > clk.span - average_days * DAY:
            per_run.append(metrics(w, read_list(new_list.read_text()), t))
        prev_t, state, prev_list = t, new_state, new_list
    default = read_list(prev_list.read_text())
    (d / "empty.csv").write_text("time,source,sensor,port,proto,count\n")
    topn = read_list(tl_score(exe, ["--now", clk.iso(clk.span), "--state", state, "-e", d / "empty.csv",
                                    "--min-score", "0", "--top", top]))
    mean = None
    if per_run:
        mean = {k: sum(m[k] for m in per_run) / len(per_run) for k in ("entries", "recall", "precision", "benign", "stopped")}
        mean["runs"] = len(per_run)
    return snap, default, topn, mean, None


def run_mode(w, exe, mode, o):
    """One mode's lists from one tl-score build, in a directory of its own."""
    with tempfile.TemporaryDirectory(prefix="score-sim-") as tmp:
        d = Path(tmp)
        if mode == "snapshot":
            return run_snapshot(w, exe, d, o.top)
        return run_runs(w, exe, d, o.top, o.interval_hours, o.average_days)


def evaluate(w, exe, mode, seed, o):
    snap, default, topn, mean, plain = run_mode(w, exe, mode, o)
    t = w.clock.span
    n = o.top
    ipsum, naive = baselines(w, snap, seed, n)
    rows = [
        ("default list", metrics(w, default, t)),
    ]
    if plain is not None:
        rows.append(("the same without trust (--no-trust)", metrics(w, plain, t)))
    rows += [
        ("its top %s" % fmt_int(n), metrics(w, topn, t)),
        ("IPsum rule (count of lists), same size", metrics(w, ipsum, t)),
        ("a 24 h half-life event sum, +0.5 per feed", metrics(w, naive, t)),
    ]
    if mean:
        rows.append(("default list, mean of the last %g days' %d runs" % (o.average_days, mean["runs"]), mean))
    for name, path in o.compare:
        _, default, _, mean, _ = run_mode(w, path, mode, o)
        rows.append(("%s: default list" % name, metrics(w, default, t)))
        if mean:
            rows.append(("%s: mean of the last %g days' runs" % (name, o.average_days), mean))
    return rows


def fmt_int(n):
    return "{:,}".format(int(round(n)))


def fmt_row(name, m, md):
    cells = [name, fmt_int(m["entries"]), "%.3f" % m["recall"], "%.3f" % m["precision"],
             "%.2f %%" % (100 * m["benign"]), "%.1f %%" % (100 * m["stopped"])]
    if md:
        return "| " + " | ".join(cells) + " |"
    return "%-48s %7s %7s %9s %8s %8s" % tuple(cells)


HEAD = ["list", "entries", "recall of active", "precision", "benign share", "stopped share"]


def find_tl_score(given):
    cands = [given] if given else [os.environ.get("TL_SCORE"),
                                   str(REPO / "target" / "x86_64-unknown-linux-gnu" / "release" / "tl-score"),
                                   str(REPO / "target" / "release" / "tl-score")]
    for c in cands:
        if c and os.access(c, os.X_OK):
            return c
    return None


def bench(o):
    exe = find_tl_score(o.tl_score)
    if not exe:
        sys.stderr.write("score-sim: tl-score not found (--tl-score PATH, TL_SCORE, or cargo build --release)\n")
        return 2
    modes = ["snapshot", "runs"] if o.mode == "both" else [o.mode]
    seeds = [int(s) for s in o.seeds.split(",")]
    for mode in modes:
        results = []
        for seed in seeds:
            t0 = time.monotonic()
            w = World(seed, o)
            t1 = time.monotonic()
            rows = evaluate(w, exe, mode, seed, o)
            t2 = time.monotonic()
            sys.stderr.write("score-sim: %s seed %d: %d events, %d listings, %d active at NOW; world %.1f s, %s %.1f s\n" % (
                mode, seed, len(w.event_times), len(w.listings), w.n_active(w.clock.span), t1 - t0, mode, t2 - t1))
            results.append((seed, w.n_active(w.clock.span), rows))
            del w  # one world in memory at a time (about 1 GB at the defaults)
        print("%s### mode %s (%d days, %s attackers, %d sensors, top N = %s%s)\n" % (
            "" if mode == modes[0] else "\n", mode, o.days, fmt_int(o.attackers), o.sensors, fmt_int(o.top),
            ", a run every %g h" % o.interval_hours if mode == "runs" else ""))
        for seed, active, rows in results:
            print("seed %d (%s active at NOW):\n" % (seed, fmt_int(active)))
            if o.markdown:
                print("| " + " | ".join(HEAD) + " |")
                print("|" + "---|" * len(HEAD))
            else:
                print("%-48s %7s %7s %9s %8s %8s" % ("list", "entries", "recall", "precision", "benign", "stopped"))
            for name, m in rows:
                print(fmt_row(name, m, o.markdown))
            print()
    return 0


def self_check(o):
    """A tiny world: determinism, labels that add up, columns in [0, 1]."""
    tiny = argparse.Namespace(days=3, attackers=600, sensors=20, liars=1, noise_hosts=300, noise_events=20,
                              cdn=20, event_rate=3.0, top=80, interval_hours=4, average_days=1, seeds="1",
                              compare=[])
    a, b = World(5, tiny), World(5, tiny)
    assert a.event_lines == b.event_lines and a.listings == b.listings and a.truth == b.truth, "not deterministic"
    assert World(6, tiny).event_lines != a.event_lines, "seed ignored"
    t = a.clock.span
    labels = {}
    for addr in a.truth:
        lab = a.label(addr, t)
        labels[lab] = labels.get(lab, 0) + 1
    assert sum(labels.values()) == len(a.truth)
    assert labels.get("active", 0) == a.n_active(t) > 0, labels
    attackers = sum(v for k, v in labels.items() if k in ("active", "stopped", "stopped-recent", "future"))
    assert attackers == tiny.attackers and labels.get("benign-cdn") == tiny.cdn, labels
    assert labels.get("benign-lied") == LIAR_HOSTS and labels.get("benign-noise") == tiny.noise_hosts, labels
    assert all(a.label(x, t) != "unknown" for x, *_ in a.snapshot(t))

    def check(rows, n):
        for name, m in rows:
            for k in ("recall", "precision", "benign", "stopped"):
                assert 0.0 <= m[k] <= 1.0, (name, k, m[k])
            assert m["precision"] + m["benign"] + m["stopped"] <= 1.0 + 1e-9, (name, m)
            if "counts" in m:
                assert sum(m["counts"].values()) == m["entries"], (name, m)
                assert "unknown" not in m["counts"] and "future" not in m["counts"], (name, m["counts"])
            if "same size" in name or "event sum" in name:
                assert m["entries"] == n, (name, m["entries"])

    snap = a.snapshot(t)
    ipsum, naive = baselines(a, snap, 5, tiny.top)
    check([("IPsum rule same size", metrics(a, ipsum, t)), ("event sum", metrics(a, naive, t))], tiny.top)
    exe = find_tl_score(o.tl_score)
    if not exe:
        print("score-sim self-check: world and baselines hold; tl-score not found, so its lists were not checked")
        return 0
    for mode in ("snapshot", "runs"):
        rows = evaluate(a, exe, mode, 5, tiny)
        check(rows, tiny.top)
        top = [m for name, m in rows if name.startswith("its top")]
        assert len(top) == 1 and top[0]["entries"] <= tiny.top, (mode, rows)
        assert rows[0][1]["entries"] > 0, (mode, rows)
    print("score-sim self-check: world, baselines and both modes hold")
    return 0


def name_path(v):
    name, sep, path = v.partition("=")
    if not sep or not name or not path:
        raise argparse.ArgumentTypeError("expected NAME=PATH, got %r" % v)
    return name, path


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("world", help="write one seed's world as of NOW")
    w.add_argument("dir")
    w.add_argument("--seed", type=int, default=1)
    add_world_options(w)
    b = sub.add_parser("bench", help="the quality table")
    b.add_argument("--mode", choices=["snapshot", "runs", "both"], default="snapshot")
    b.add_argument("--seeds", default="1,2,3")
    b.add_argument("--top", type=int, default=6000, help="N of the top-N and the baselines' size")
    b.add_argument("--interval-hours", type=float, default=4)
    b.add_argument("--average-days", type=float, default=2,
                   help="runs mode: also the mean over the runs of the last D days (0: no)")
    b.add_argument("--tl-score")
    b.add_argument("--compare", action="append", default=[], metavar="NAME=PATH",
                   type=name_path,
                   help="also score each world with another tl-score build (repeatable): its rows are named NAME")
    b.add_argument("--markdown", action="store_true")
    add_world_options(b)
    s = sub.add_parser("self-check", help="assert the invariants on a tiny world")
    s.add_argument("--tl-score")
    o = p.parse_args()
    if o.cmd == "world":
        wd = World(o.seed, o)
        out = Path(o.dir)
        out.mkdir(parents=True, exist_ok=True)
        wd.write_events(out / "events.csv", -1, wd.clock.span)
        wd.write_indicators(out / "indicators.csv", wd.clock.span)
        wd.write_feeds(out / "feeds.toml")
        wd.write_truth(out / "truth.csv")
        return 0
    if o.cmd == "self-check":
        try:
            return self_check(o)
        except AssertionError as e:
            sys.stderr.write("score-sim self-check failed: %r\n" % (e,))
            return 1
    if o.interval_hours <= 0 or o.top <= 0:
        p.error("--interval-hours and --top must be positive")
    return bench(o)


if __name__ == "__main__":
    sys.exit(main())
