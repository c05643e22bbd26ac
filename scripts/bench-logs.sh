#!/bin/sh
# tl-logs against grepcidr and grep, side by side in one run.
#
# Generates LINES netfilter LOG lines (default 2,000,000, about 480 MB) and a
# list of CIDRS networks (default 100,000), then times
#   grepcidr -c -f cidrs log      (the usual tool: filter lines by CIDR list)
#   grep -c SRC= log              (the floor: one pass over the bytes)
#   tl-logs --list cidrs ... log  (parse, match both ways, aggregate)
# and prints MB/s, the two ratios and tl-logs' peak memory (and its peak on
# a file half as long, to show it does not grow with the file).
#
#   scripts/bench-logs.sh [LINES] [CIDRS]
#
# Needs grepcidr (Debian: apt-get install grepcidr), GNU time, python3, and
# a release build (cargo build --release). Data goes to target/bench-logs/.
set -eu
cd "$(dirname "$0")/.."
lines=${1:-2000000}
cidrs=${2:-100000}
dir=target/bench-logs
bin="$(scripts/release-dir)/tl-logs"
mkdir -p "$dir"
command -v grepcidr >/dev/null || { echo "bench-logs: grepcidr is not installed" >&2; exit 2; }
[ -x "$bin" ] || { echo "bench-logs: no release build ($bin): cargo build --release" >&2; exit 2; }

log="$dir/kern-$lines.log"
half="$dir/kern-half-$lines.log"
list="$dir/cidrs-$cidrs.txt"
if [ ! -s "$log" ] || [ ! -s "$list" ]; then
    python3 - "$lines" "$cidrs" "$log" "$list" "$half" <<'PY'
import random, sys
lines, cidrs, log, lst, half = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
r = random.Random(7)
nets = set()
while len(nets) < cidrs:
    a = r.randrange(1 << 32)
    # Mostly hosts and /24s, a few wider networks, as in public lists.
    p = r.choice((32, 32, 32, 32, 24, 24, 28, 20))
    a &= ~((1 << (32 - p)) - 1) & 0xffffffff
    if a >> 24 in (0, 10, 127) or a >> 24 >= 224:
        continue
    nets.add((a, p))
ip = lambda a: "%d.%d.%d.%d" % (a >> 24, a >> 16 & 255, a >> 8 & 255, a & 255)
with open(lst, "w") as f:
    for a, p in sorted(nets):
        f.write("%s/%d\n" % (ip(a), p))
listed = sorted(nets)
# A network of 2,000 inside hosts; 50,000 outside addresses seen, a tenth
# of them in listed networks (as on a real perimeter, where the same
# sources come back).
insiders = ["10.%d.%d.%d" % (r.randrange(4), r.randrange(256), r.randrange(1, 255)) for _ in range(2000)]
def pick_listed():
    a, p = r.choice(listed)
    return ip(a + r.randrange(1 << (32 - p)))
outsiders = [pick_listed() if r.random() < 0.1 else ip(r.randrange(1 << 24, 223 << 24)) for _ in range(50000)]
# 20 infected machines calling 50 listed C&C addresses.
infected = insiders[:20]
c2 = [pick_listed() for _ in range(50)]
mon = "Dec"
with open(log, "w") as f, open(half, "w") as h:
    for i in range(lines):
        t = 7 * 86400 + i * 86400 // lines
        day, rest = divmod(t, 86400)
        stamp = "%s %2d %02d:%02d:%02d" % (mon, day, rest // 3600, rest // 60 % 60, rest % 60)
        inside = r.choice(insiders)
        outside = r.choice(outsiders)
        if r.random() < 0.01:
            inside, outside = r.choice(infected), r.choice(c2)
            src, dst, iface = inside, outside, "IN=eth1 OUT=eth0"
            dpt = r.choice((443, 8443, 4444))
        elif r.random() < 0.8:
            src, dst, iface = outside, inside, "IN=eth0 OUT="
            dpt = r.choice((22, 23, 80, 443, 3389, 445, 8080))
        else:
            # Outbound traffic goes to unlisted addresses.
            outside = ip(r.randrange(1 << 24, 223 << 24))
            src, dst, iface = inside, outside, "IN=eth1 OUT=eth0"
            dpt = r.choice((443, 80, 53, 8443, 4444))
        line = ("%s gw kernel: [%d.%06d] [UFW BLOCK] %s MAC=52:54:00:12:34:56:52:54:00:ab:cd:ef:08:00 "
                "SRC=%s DST=%s LEN=60 TOS=0x00 PREC=0x00 TTL=51 ID=%d DF PROTO=TCP SPT=%d DPT=%d "
                "WINDOW=29200 RES=0x00 SYN URGP=0\n") % (
            stamp, 100000 + i // 10, i % 1000000, iface, src, dst, r.randrange(65536),
            r.randrange(1024, 65536), dpt)
        f.write(line)
        if i < lines // 2:
            h.write(line)
PY
    touch -d 2026-12-08T00:00:00Z "$log" "$half"
fi
size=$(stat -c %s "$log")
mb() { python3 -c "print(f'{$size/1e6/$1:.0f}')"; }
best() { # best of 3 wall-clock seconds of a command
    b=""
    for _ in 1 2 3; do
        # Into a file, not /dev/null: GNU grep stops at the first match
        # when its output is /dev/null.
        s=$(date +%s.%N); "$@" >"$dir/out"; e=$(date +%s.%N)
        t=$(python3 -c "print(f'{$e-$s:.3f}')")
        if [ -z "$b" ] || python3 -c "import sys; sys.exit(0 if $t < $b else 1)"; then b=$t; fi
    done
    echo "$b"
}
cat "$log" >/dev/null
echo "log: $log, $lines lines, $((size / 1000000)) MB; list: $cidrs CIDRs; $(nproc) cores"
g=$(best grepcidr -c -f "$list" "$log")
f=$(best grep -c SRC= "$log")
t=$(best "$bin" --list "$list" --inside 10.0.0.0/8 --now 2026-12-08 -q "$log")
echo "grepcidr -c -f:   ${g} s  ($(mb "$g") MB/s)"
echo "grep -c SRC=:     ${f} s  ($(mb "$f") MB/s)"
echo "tl-logs:          ${t} s  ($(mb "$t") MB/s)"
python3 -c "print(f'tl-logs is {$g/$t:.1f}x faster than grepcidr, {$t/$f:.2f}x the grep floor')"
peak() { /usr/bin/time -f %M "$bin" --list "$list" --inside 10.0.0.0/8 --now 2026-12-08 -q "$1" 2>&1 >/dev/null | tail -1; }
echo "tl-logs peak memory: $(peak "$log") KB on the whole file, $(peak "$half") KB on its first half"
"$bin" --list "$list" --inside 10.0.0.0/8 --now 2026-12-08 "$log" | head -3
