#!/usr/bin/env python3
"""Load test: the tools at the sizes of issue 18, in constant memory where
the input streams, with peak memory and time.

  tl-logs on a LOGS_GB stream of netfilter lines generated on the fly into
          a pipe (default 10 GB; nothing is written to disk)
  tl-set  union of ENTRIES random addresses from a pipe (default 50M)
  tl-score on ENTRIES indicators from a pipe (default 50M)
  tl-zone an RPZ zone of ZONE_RECORDS prefixes (default 5M), then
          named-checkzone on it (the zone is the one file written, under
          target/load/, removed at the end)

  scripts/load.py [--logs-gb 10] [--entries 50000000] [--zone-records 5000000]

Needs a release build (cargo build --release), GNU time (/usr/bin/time -v:
peak RSS) and, for the zone check, named-checkzone. Prints one table row
per step: input, wall seconds, CPU seconds, peak RSS. Data is generated
with a fixed seed; it is never stored.
"""
import argparse, os, random, shutil, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SELF = os.path.abspath(__file__)
NOW = "2026-12-08T00:00:00Z"


def ip(a):
    return "%d.%d.%d.%d" % (a >> 24, a >> 16 & 255, a >> 8 & 255, a & 255)


def public(r):
    while True:
        a = r.getrandbits(32)
        if a >> 24 not in (0, 10, 127) and a >> 24 < 224:
            return a


def gen_logs(total):
    """Netfilter LOG lines, `total` bytes: a 32 MB block of varied lines
    written again and again (the block's sources are listed one time in
    ten)."""
    r = random.Random(18)
    listed = [public(r) for _ in range(10000)]
    r = random.Random(19)
    lines = []
    size = 0
    i = 0
    while size < 32 << 20:
        src = ip(r.choice(listed)) if r.random() < 0.1 else ip(public(r))
        dst = "10.%d.%d.%d" % (r.randrange(4), r.randrange(256), r.randrange(1, 255))
        t = i % 86400
        line = ("Dec  7 %02d:%02d:%02d gw kernel: [%d.000000] [UFW BLOCK] IN=eth0 OUT= "
                "MAC=52:54:00:12:34:56:52:54:00:ab:cd:ef:08:00 SRC=%s DST=%s LEN=60 TOS=0x00 "
                "PREC=0x00 TTL=51 ID=%d DF PROTO=TCP SPT=%d DPT=%d WINDOW=29200 RES=0x00 SYN URGP=0 \n"
                % (t // 3600, t // 60 % 60, t % 60, i, src, dst, i & 0xffff,
                   r.randrange(1024, 65536), r.choice((22, 23, 80, 443, 3389))))
        lines.append(line)
        size += len(line)
        i += 1
    block = "".join(lines).encode()
    out = sys.stdout.buffer
    written = 0
    try:
        while written < total:
            chunk = block[: total - written]
            if len(chunk) < len(block):
                chunk = chunk[: chunk.rfind(b"\n") + 1]
                if not chunk:
                    break
            out.write(chunk)
            written += len(chunk)
        out.flush()
    except BrokenPipeError:
        pass


def gen_list(path, n):
    """The 10,000 addresses gen_logs draws listed sources from, then
    random addresses and /24s."""
    r = random.Random(18)
    with open(path, "w") as f:
        for _ in range(10000):
            f.write(ip(public(r)) + "\n")
        r = random.Random(7)
        for _ in range(n - 10000):
            f.write(ip(public(r)) + "/24\n" if r.random() < 0.3 else ip(public(r)) + "\n")


def gen_ips(n, prefix=""):
    r = random.Random(50)
    out = sys.stdout
    buf = []
    for i in range(n):
        buf.append(ip(public(r)))
        if len(buf) == 100000:
            out.write("\n".join(buf) + "\n")
            buf = []
    if buf:
        out.write("\n".join(buf) + "\n")


def gen_indicators(n):
    r = random.Random(51)
    out = sys.stdout
    out.write("indicator,type,feed,category,first_seen,last_seen,hits,confidence\n")
    feeds = [("feed%02d" % k, ("scanner", "botnet-c2", "spam", "bruteforce")[k % 4]) for k in range(20)]
    buf = []
    for i in range(n):
        f, c = feeds[i % 20]
        buf.append("%s,ip,%s,%s,2026-12-01T00:00:00Z,2026-12-07T00:00:00Z,1,0.8" % (ip(public(r)), f, c))
        if len(buf) == 100000:
            out.write("\n".join(buf) + "\n")
            buf = []
    if buf:
        out.write("\n".join(buf) + "\n")


def measure(label, pipeline, what, ok=(0,)):
    """Runs `sh -c pipeline` whose measured command is prefixed by TIME;
    returns a table row."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as t:
        cmd = pipeline.replace("TIME", "/usr/bin/time -v -o %s" % t.name)
        p = subprocess.run(["sh", "-c", cmd], stderr=subprocess.PIPE, text=True)
        stats = {}
        for line in open(t.name):
            k, _, v = line.strip().rpartition(": ")
            stats[k] = v
    if p.returncode not in ok:
        sys.stderr.write("%s: exit %d\n%s\n" % (label, p.returncode, p.stderr[-2000:]))
    wall = stats.get("Elapsed (wall clock) time (h:mm:ss or m:ss)", "?")
    parts = [float(x) for x in wall.split(":")] if wall != "?" else [0]
    secs = sum(x * 60 ** i for i, x in enumerate(reversed(parts)))
    cpu = float(stats.get("User time (seconds)", 0)) + float(stats.get("System time (seconds)", 0))
    rss = int(stats.get("Maximum resident set size (kbytes)", 0)) / 1024
    return "| %s | %s | %.1f | %.1f | %.0f | %s |" % (label, what, secs, cpu, rss, "ok" if p.returncode in ok else "exit %d" % p.returncode)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--logs-gb", type=float, default=10)
    ap.add_argument("--entries", type=int, default=50_000_000)
    ap.add_argument("--zone-records", type=int, default=5_000_000)
    ap.add_argument("gen", nargs="*", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.gen:
        kind, n = a.gen[0], int(a.gen[1])
        {"logs": gen_logs, "ips": gen_ips, "indicators": gen_indicators}[kind](n)
        return
    rel = subprocess.run([os.path.join(ROOT, "scripts/release-dir")], capture_output=True, text=True, check=True).stdout.strip()
    for b in ("tl-logs", "tl-set", "tl-score", "tl-zone"):
        if not os.access(os.path.join(rel, b), os.X_OK):
            sys.exit("load: no release build of %s in %s: cargo build --release" % (b, rel))
    work = os.path.join(ROOT, "target/load")
    os.makedirs(work, exist_ok=True)
    gen = "python3 %s" % SELF
    lst = os.path.join(work, "list.txt")
    gen_list(lst, 100000)
    rows = ["| step | input | wall s | CPU s | peak RSS MB | result |", "| --- | --- | --- | --- | --- | --- |"]
    logs_bytes = int(a.logs_gb * (1 << 30))
    rows.append(measure("tl-logs", "%s logs %d | TIME %s/tl-logs --list %s --inside 10.0.0.0/8 --now %s -q - >/dev/null"
                        % (gen, logs_bytes, rel, lst, NOW), "%.1f GB of log lines through a pipe" % a.logs_gb, ok=(0, 1)))
    print(rows[-1], flush=True)
    rows.append(measure("tl-set union", "%s ips %d | TIME %s/tl-set union - | wc -l >/dev/null"
                        % (gen, a.entries, rel), "%d addresses through a pipe" % a.entries))
    print(rows[-1], flush=True)
    rows.append(measure("tl-score", "%s indicators %d | TIME %s/tl-score --now %s - >/dev/null"
                        % (gen, a.entries, rel, NOW), "%d indicators through a pipe" % a.entries))
    print(rows[-1], flush=True)
    zone = os.path.join(work, "load.rpz.zone")
    rows.append(measure("tl-zone rpz", "%s ips %d | TIME %s/tl-zone --format rpz --origin rpz.load.example --now %s -q -o %s -"
                        % (gen, a.zone_records, rel, NOW, zone), "%d addresses" % a.zone_records))
    print(rows[-1], flush=True)
    if shutil.which("named-checkzone"):
        rows.append(measure("named-checkzone", "TIME named-checkzone -q rpz.load.example %s" % zone,
                            "the %d-record zone (%.0f MB)" % (a.zone_records, os.path.getsize(zone) / 1e6)))
    else:
        rows.append("| named-checkzone | not installed | | | | skipped |")
    print(rows[-1], flush=True)
    os.remove(zone)
    print()
    print("\n".join(rows))


if __name__ == "__main__":
    main()
