#!/usr/bin/env python3
"""Deterministic benchmark data generator for tl-set / iprange.

Usage:
    scripts/bench-gen.py OUTDIR [--seed S] [--force] [--only NAME,...]

Writes into OUTDIR (created if missing):

    ips-10m.txt      10,000,000 IPv4 addresses, one per line, clustered in
                     skewed "hot" networks plus uniform noise; ~9.5M unique;
                     random (unsorted) order.
    ips-1m.txt       1,000,000 addresses from an independent draw of the same
                     kind (~95% unique).
    mixed-1m-a.txt   1,000,000 lines of mixed single IPs, CIDRs (/8../31,
    mixed-1m-b.txt   mostly /20../30) and ranges "a.b.c.d-e.f.g.h"; b shares
                     40% of its lines with a, and both are drawn from the same
                     hot networks, so they overlap substantially.
    cidrs-100k.txt   100,000 mixed CIDRs (/12../32, mostly /16../28).

Every file is generated from its own seeded random stream (derived from
--seed and the file name), so each file is reproducible on its own and
identical across runs and machines (Python >= 3.9). Files that already exist
with the expected line count are skipped unless --force is given. Progress
goes to stderr. Standard library only.

Unique-count calibration: the hot-network model for the address lists is
sized by binary search so that the *expected* number of distinct addresses
(sum over networks of size*(1-exp(-draws/size))) is 95% of the line count.
"""

import argparse
import math
import os
import random
import sys
import time

DEFAULT_SEED = 20240601
CHUNK = 500_000  # lines generated/written per batch
MASK32 = 0xFFFFFFFF

# Formatting tables: "a.b." for the high 16 bits, "c.d" for the low 16 bits.
_OCT = [str(i) for i in range(256)]
HI = [f"{_OCT[i >> 8]}.{_OCT[i & 255]}." for i in range(65536)]
LO = [f"{_OCT[i >> 8]}.{_OCT[i & 255]}" for i in range(65536)]
LO_NL = [s + "\n" for s in LO]
PFX = [f"/{p}\n" for p in range(33)]


def log(msg):
    print(f"[bench-gen] {msg}", file=sys.stderr, flush=True)


def ip_str(v):
    return HI[v >> 16] + LO[v & 0xFFFF]


def count_lines(path):
    n = 0
    with open(path, "rb") as f:
        while True:
            buf = f.read(1 << 24)
            if not buf:
                break
            n += buf.count(b"\n")
    return n


def rand_u32_list(rng, k):
    """k pseudo-random 32-bit ints from rng (fast, deterministic)."""
    mv = memoryview(rng.randbytes(4 * k)).cast("I")
    return mv.tolist()


# ---------------------------------------------------------------------------
# Hot-network model
# ---------------------------------------------------------------------------

# Usable /16 slots: first octet 1..223 except 10 and 127.
def _slots():
    return [
        (a << 8) | b
        for a in range(1, 224)
        if a not in (10, 127)
        for b in range(256)
    ]


class NetModel:
    """A list of disjoint hot networks with Zipf-like weights, plus noise.

    The networks are /16, /20 and /24 blocks, each in a distinct /16 slot so
    they never overlap. The last entry is 0.0.0.0/0 (uniform noise).
    """

    def __init__(self, rng, count, zipf_s=0.5, noise=0.05,
                 size_mix=((16, 0.55), (20, 0.35), (24, 0.10))):
        slots = rng.sample(_slots(), count)
        prefixes = [p for p, _ in size_mix]
        pweights = [w for _, w in size_mix]
        bases, masks, sizes = [], [], []
        for slot, p in zip(slots, rng.choices(prefixes, pweights, k=count)):
            host_bits = 32 - p
            sub = rng.getrandbits(p - 16) if p > 16 else 0
            base = (slot << 16) | (sub << host_bits)
            bases.append(base)
            masks.append((1 << host_bits) - 1)
            sizes.append(1 << host_bits)
        # Address density follows a Zipf law over a random ordering of the
        # networks: weight = size * rank^-s (a few very hot networks, a long
        # tail of lukewarm ones).
        ranks = list(range(count))
        rng.shuffle(ranks)
        w = [sz / (r + 1) ** zipf_s for sz, r in zip(sizes, ranks)]
        tot = sum(w)
        probs = [(1.0 - noise) * x / tot for x in w]
        # noise: the whole address space
        bases.append(0)
        masks.append(MASK32)
        sizes.append(1 << 32)
        probs.append(noise)
        self.bases, self.masks, self.sizes, self.probs = bases, masks, sizes, probs
        acc, cum = 0.0, []
        for p in probs:
            acc += p
            cum.append(acc)
        cum[-1] = 1.0 + 1e-12
        self.cum = cum
        self.idx = range(len(bases))

    def expected_unique(self, n):
        return sum(
            s * -math.expm1(-n * p / s) for s, p in zip(self.sizes, self.probs)
        )

    def draw(self, rng, k):
        """k random addresses (ints) following the model."""
        nets = rng.choices(self.idx, cum_weights=self.cum, k=k)
        rnd = rand_u32_list(rng, k)
        B, K = self.bases, self.masks
        return [B[j] | (r & K[j]) for j, r in zip(nets, rnd)]


def calibrated_model(rng_seed, n, target_frac=0.95):
    """Binary-search the number of hot networks so that the expected unique
    fraction of n draws is target_frac."""
    lo, hi = 50, 40_000
    best = None
    while lo < hi:
        mid = (lo + hi) // 2
        m = NetModel(random.Random(f"{rng_seed}:model:{mid}"), mid)
        u = m.expected_unique(n) / n
        if u < target_frac:
            lo = mid + 1
        else:
            hi = mid
            best = (m, u)
    if best is None or best[0] is None:
        m = NetModel(random.Random(f"{rng_seed}:model:{lo}"), lo)
        best = (m, m.expected_unique(n) / n)
    return lo, best[0], best[1]


# ---------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------

def write_atomic(path, producer):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="ascii", newline="\n", buffering=1 << 22) as f:
        producer(f)
    os.replace(tmp, path)


def gen_ips(path, n, seed, label):
    t0 = time.monotonic()
    ncount, model, exp = calibrated_model(f"{seed}:{label}", n)
    log(f"{os.path.basename(path)}: {ncount} hot networks, "
        f"expected unique {exp * n:,.0f} ({exp:.2%})")
    rng = random.Random(f"{seed}:{label}:draw")

    def produce(f):
        done = 0
        while done < n:
            k = min(CHUNK, n - done)
            vals = model.draw(rng, k)
            f.write("".join([HI[v >> 16] + LO_NL[v & 0xFFFF] for v in vals]))
            done += k
            if done % 2_000_000 == 0 or done == n:
                log(f"  {os.path.basename(path)}: {done:,}/{n:,} lines "
                    f"({time.monotonic() - t0:.1f}s)")

    write_atomic(path, produce)


# prefix -> relative weight (for CIDR entries in the mixed lists)
MIXED_PREFIX_WEIGHTS = {
    8: 0.000005, 9: 0.000005, 10: 0.00001, 11: 0.00001, 12: 0.00002,
    13: 0.00003, 14: 0.00005, 15: 0.0001, 16: 0.002, 17: 0.003, 18: 0.005,
    19: 0.01, 20: 0.04, 21: 0.05, 22: 0.07, 23: 0.08, 24: 0.25, 25: 0.07,
    26: 0.07, 27: 0.07, 28: 0.08, 29: 0.08, 30: 0.06, 31: 0.03,
}

CIDR100K_PREFIX_WEIGHTS = {
    12: 0.0005, 13: 0.001, 14: 0.002, 15: 0.004, 16: 0.03, 17: 0.03,
    18: 0.04, 19: 0.05, 20: 0.07, 21: 0.07, 22: 0.08, 23: 0.08, 24: 0.2,
    25: 0.05, 26: 0.05, 27: 0.05, 28: 0.05, 29: 0.04, 30: 0.03, 31: 0.02,
    32: 0.04,
}


def cidr_lines(rng, model, k, prefix_weights):
    pfx = list(prefix_weights)
    plens = rng.choices(pfx, list(prefix_weights.values()), k=k)
    addrs = model.draw(rng, k)
    out = []
    for v, p in zip(addrs, plens):
        v &= (MASK32 << (32 - p)) & MASK32
        out.append(HI[v >> 16] + LO[v & 0xFFFF] + PFX[p])
    return out


def mixed_lines(rng, model, k):
    """k lines: ~45% single IPs, ~40% CIDRs, ~15% ranges."""
    kinds = rng.choices((0, 1, 2), (45, 40, 15), k=k)
    n_cidr = kinds.count(1)
    n_range = kinds.count(2)
    singles = iter(model.draw(rng, k - n_cidr - n_range))
    cidrs = iter(cidr_lines(rng, model, n_cidr, MIXED_PREFIX_WEIGHTS))
    starts = model.draw(rng, n_range)
    rnd = rng.random
    ranges = []
    for s in starts:
        length = int(2.0 ** (1.0 + 15.0 * rnd()))  # 2 .. 65536, log-uniform
        e = min(s + length - 1, MASK32)
        ranges.append(HI[s >> 16] + LO[s & 0xFFFF] + "-"
                      + HI[e >> 16] + LO_NL[e & 0xFFFF])
    ranges = iter(ranges)
    out = []
    for t in kinds:
        if t == 0:
            v = next(singles)
            out.append(HI[v >> 16] + LO_NL[v & 0xFFFF])
        elif t == 1:
            out.append(next(cidrs))
        else:
            out.append(next(ranges))
    return out


def mixed_model(seed):
    return NetModel(random.Random(f"{seed}:mixed:model"), 3000, zipf_s=0.7)


def gen_mixed_a(path, n, seed):
    t0 = time.monotonic()
    model = mixed_model(seed)
    rng = random.Random(f"{seed}:mixed-a")
    lines = mixed_lines(rng, model, n)
    write_atomic(path, lambda f: f.write("".join(lines)))
    log(f"  {os.path.basename(path)}: {n:,} lines ({time.monotonic() - t0:.1f}s)")


def gen_mixed_b(path, n, seed, share=0.4):
    t0 = time.monotonic()
    model = mixed_model(seed)
    # Regenerate a's lines (deterministic) and share a random 40% of them.
    a_lines = mixed_lines(random.Random(f"{seed}:mixed-a"), model, n)
    rng = random.Random(f"{seed}:mixed-b")
    n_shared = int(n * share)
    lines = rng.sample(a_lines, n_shared)
    del a_lines
    lines += mixed_lines(rng, model, n - n_shared)
    rng.shuffle(lines)
    write_atomic(path, lambda f: f.write("".join(lines)))
    log(f"  {os.path.basename(path)}: {n:,} lines ({time.monotonic() - t0:.1f}s)")


def gen_cidrs(path, n, seed):
    t0 = time.monotonic()
    model = NetModel(random.Random(f"{seed}:cidrs:model"), 4000, zipf_s=0.5)
    rng = random.Random(f"{seed}:cidrs")
    lines = cidr_lines(rng, model, n, CIDR100K_PREFIX_WEIGHTS)
    write_atomic(path, lambda f: f.write("".join(lines)))
    log(f"  {os.path.basename(path)}: {n:,} lines ({time.monotonic() - t0:.1f}s)")


FILES = {
    # name: (line count, generator(path, n, seed))
    "ips-10m.txt": (10_000_000, lambda p, n, s: gen_ips(p, n, s, "ips-10m")),
    "ips-1m.txt": (1_000_000, lambda p, n, s: gen_ips(p, n, s, "ips-1m")),
    "mixed-1m-a.txt": (1_000_000, gen_mixed_a),
    "mixed-1m-b.txt": (1_000_000, gen_mixed_b),
    "cidrs-100k.txt": (100_000, gen_cidrs),
}


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Generate deterministic benchmark inputs for tl-set/iprange.",
        epilog="Files: " + ", ".join(FILES),
    )
    ap.add_argument("outdir", help="output directory (created if missing)")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED,
                    help=f"base random seed (default {DEFAULT_SEED})")
    ap.add_argument("--force", action="store_true",
                    help="regenerate files even if they exist with the right line count")
    ap.add_argument("--only", metavar="NAME,...",
                    help="generate only these files (comma-separated names)")
    args = ap.parse_args(argv)

    names = list(FILES)
    if args.only:
        names = [x.strip() for x in args.only.split(",") if x.strip()]
        bad = [x for x in names if x not in FILES]
        if bad:
            ap.error(f"unknown file(s): {', '.join(bad)}; known: {', '.join(FILES)}")

    os.makedirs(args.outdir, exist_ok=True)
    t_all = time.monotonic()
    for name in names:
        n, gen = FILES[name]
        path = os.path.join(args.outdir, name)
        if not args.force and os.path.exists(path):
            have = count_lines(path)
            if have == n:
                log(f"{name}: exists with {n:,} lines, skipping")
                continue
            log(f"{name}: exists with {have:,} lines (want {n:,}), regenerating")
        log(f"{name}: generating {n:,} lines")
        gen(path, n, args.seed)
    log(f"done in {time.monotonic() - t_all:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
