#!/usr/bin/env python3
"""Benchmark of tl-zone: every format for a 1M-prefix list, and how long
named-checkzone (and nsd-checkzone) take to load the result.

Usage:
    scripts/bench-zone.py [--prefixes N] [--no-check] [--markdown]

Generates (once, seeded) target/bench-zone/list.txt: N prefixes (default
1,000,000) that stay N prefixes after merging: 80% single IPv4 addresses,
15% IPv4 networks (/16../31, mostly /24../30), 5% IPv6 (/32../128), plus an
allow-list of 1,000 addresses inside listed networks. Then, per format, runs
the release tl-zone (best of 3 wall-clock runs, peak RSS from the kernel) and
reports the file size and the size per 100,000 prefixes; the --out mode (all
formats of one profile in one run) is timed too. Standard library only.
"""

import argparse
import ipaddress
import os
import random
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, "target", "bench-zone")
# scripts/release-dir: where .cargo/config.toml makes cargo put release binaries
REL = subprocess.run([os.path.join(ROOT, "scripts", "release-dir")], capture_output=True, text=True,
                     check=True).stdout.strip()
BIN = os.path.join(REL, "tl-zone")
NOW = "2026-11-27T12:00:00Z"


def generate(n, path, allow_path):
    """n prefixes that stay n prefixes after merging: hosts, networks and
    IPv6 prefixes each in their own space, never overlapping or touching."""
    rnd = random.Random(20261127)
    v4_hosts, v4_nets, v6 = int(n * 0.80), int(n * 0.15), n - int(n * 0.80) - int(n * 0.15)
    out, allow = [], []
    # IPv4 hosts in 1.0.0.0 .. 99.255.255.255, at least two apart
    step = (99 << 24) // v4_hosts
    for i in range(v4_hosts):
        a = (1 << 24) + i * step + (rnd.randrange(step // 2) & ~1)
        out.append(str(ipaddress.IPv4Address(a)))
    # IPv4 networks: /24../31 each in its own /23 of 100.0.0.0/5 (so two
    # never touch), and a few /16../22 each in its own /16 of 112.0.0.0/6
    small = [24] * 30 + [25] * 10 + [26] * 10 + [27] * 10 + [28] * 15 + [29] * 10 + [30] * 8 + [31] * 1
    wide = v4_nets // 50
    slots = rnd.sample(range(1 << 18), v4_nets - wide)
    for slot in slots:
        ln = rnd.choice(small)
        a = (100 << 24) + (slot << 9) + (rnd.randrange(1 << (ln - 24)) << (32 - ln) if ln > 24 else 0)
        out.append(f"{ipaddress.IPv4Address(a)}/{ln}")
        if len(allow) < 1000 and ln <= 28 and rnd.random() < 0.01:
            allow.append(str(ipaddress.IPv4Address(a + 1 + rnd.randrange((1 << (32 - ln)) - 2))))
    for slot in rnd.sample(range(1 << 9), wide) if wide <= 1 << 9 else range(wide):
        ln = rnd.choice([16, 18, 20, 22])
        a = (112 << 24) + (slot << 17)
        out.append(f"{ipaddress.IPv4Address(a)}/{ln}")
    # IPv6: /32../128, each in its own /32 of 2a00::/16
    for i in range(v6):
        ln = rnd.choice([32, 48, 48, 56, 64, 64, 64, 128, 128, 128])
        a = (0x2A00 << 112) | ((i + 1) << 96) | (rnd.getrandbits(64) << 16)
        a &= ((1 << 128) - 1) ^ ((1 << (128 - ln)) - 1)
        out.append(f"{ipaddress.IPv6Address(a)}/{ln}")
    rnd.shuffle(out)
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
    with open(allow_path, "w") as f:
        f.write("\n".join(allow) + "\n")


def timed(args, runs=3):
    """Best wall-clock time of `runs` runs, the peak RSS (KB) and the CPU
    time (user + system) of the process itself (wait4 gives each child's
    own usage): on a busy machine the CPU time is the steadier figure."""
    best, rss, cpu = None, 0, None
    for _ in range(runs):
        s = time.perf_counter()
        p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        err = p.stderr.read()
        _, status, usage = os.wait4(p.pid, 0)
        t = time.perf_counter() - s
        if status != 0:
            sys.exit(f"failed: {' '.join(args)}\n{err.decode()}")
        rss = max(rss, usage.ru_maxrss)
        c = usage.ru_utime + usage.ru_stime
        cpu = c if cpu is None else min(cpu, c)
        best = t if best is None else min(best, t)
    return best, rss, cpu


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--prefixes", type=int, default=1_000_000)
    ap.add_argument("--no-check", action="store_true", help="skip named-checkzone / nsd-checkzone")
    ap.add_argument("--markdown", action="store_true")
    a = ap.parse_args()
    os.makedirs(WORK, exist_ok=True)
    lst, allow = os.path.join(WORK, f"list-{a.prefixes}.txt"), os.path.join(WORK, f"allow-{a.prefixes}.txt")
    if not os.path.exists(lst):
        print(f"generating {a.prefixes} prefixes ...", file=sys.stderr)
        generate(a.prefixes, lst, allow)
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "tl-zone", "--bin", "tl-set"], cwd=ROOT, check=True)
    count = subprocess.run([os.path.join(REL, "tl-set"), "count", "--csv", "--union", lst],
                           capture_output=True, text=True, check=True).stdout.splitlines()[1].split(",")
    prefixes = int(count[2])
    print(f"list: {prefixes} prefixes after merging ({count[1]} ranges); allow-list 1,000 holes", file=sys.stderr)

    rows = []
    for f in ["a", "aaaa", "apl", "txt", "dnsbl", "rbldnsd", "rpz"]:
        out = os.path.join(WORK, f"{f}.zone" if f != "rbldnsd" else "bl.rbl")
        args = [BIN, "-q", "--format", f, "--origin", "lists.example", "--allow", allow,
                "--serial-style", "increment", "-o", out, lst]
        for p in [out, out.replace("bl.rbl", "bl6.rbl")]:
            if os.path.exists(p):
                os.remove(p)  # time a full write, not an unchanged zone
        t, rss, cpu = timed(args, runs=1)
        size = os.path.getsize(out) + (os.path.getsize(out.replace("bl.rbl", "bl6.rbl")) if f == "rbldnsd" else 0)
        check = ""
        if not a.no_check and f != "rbldnsd":
            ct, _, _ = timed(["named-checkzone", "-q", "lists.example", out], runs=1)
            nt, _, _ = timed(["nsd-checkzone", "lists.example", out], runs=1)
            check = (ct, nt)
        rows.append((f, t, cpu, rss, size, check))

    prof = os.path.join(WORK, "out", "bench")
    os.makedirs(prof, exist_ok=True)
    for name, src in [("block-in.txt", lst), ("allow.txt", allow)]:
        dst = os.path.join(prof, name)
        if not os.path.exists(dst):
            os.symlink(src, dst)
    zdir = os.path.join(WORK, "zones")
    os.makedirs(zdir, exist_ok=True)
    for p in os.listdir(zdir):
        os.remove(os.path.join(zdir, p))
    t_all, rss_all, cpu_all = timed([BIN, "-q", "--out", os.path.join(WORK, "out"), "--origin", "lists.example",
                            "--now", NOW, "-o", zdir], runs=1)

    per = prefixes / 100_000
    if a.markdown:
        print("| format | tl-zone s | CPU s | peak RSS MB | zone MB | MB per 100k prefixes | named-checkzone s | nsd-checkzone s |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for f, t, cpu, rss, size, check in rows:
        c = f"{check[0]:.1f} | {check[1]:.1f}" if check else "— | —"
        if a.markdown:
            print(f"| {f} | {t:.2f} | {cpu:.2f} | {rss / 1024:.0f} | {size / 1e6:.1f} | {size / 1e6 / per:.2f} | {c} |")
        else:
            print(f"{f:8} {t:6.2f} s  cpu {cpu:5.2f} s  {rss / 1024:6.0f} MB  zone {size / 1e6:7.1f} MB  "
                  f"{size / 1e6 / per:6.2f} MB/100k  checkzone named/nsd {c.replace(' | ', ' / ')} s")
    total = sum(r[1] for r in rows)
    print(f"\nall formats, one run each: {total:.2f} s; --out (one profile, every format, one process): "
          f"{t_all:.2f} s ({cpu_all:.2f} s CPU), peak RSS {rss_all / 1024:.0f} MB")


if __name__ == "__main__":
    main()
