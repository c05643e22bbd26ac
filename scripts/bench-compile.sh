#!/usr/bin/env bash
# Benchmark of tl-compile: one scored list of N entries (default 1M) compiled
# for P profiles (default 1, then 1000), each with a score threshold (3.0 to
# 7.0), a category threshold and 3 inbound countries from a full GeoLite2
# Country database (ip-location-db's npm package, as bench-geo.sh). Profile
# p1, and every hundredth after it, has no capacity limit (an nftables set);
# the others cycle through the firewall targets with their default
# capacities (ipset 65,536, Palo Alto EDL 50,000, FortiGate 131,072,
# MikroTik 50,000), keeping the highest-scored entries (the profiles are
# made by scripts/bench-update-gen.py profiles).
#
#   scripts/bench-compile.sh [N] [P...]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000000}"
shift || true
profiles=("${@:-1 1000}")
db=$(scripts/geolite2-db)
cargo build --release --quiet --bin tl-compile
rel=$(scripts/release-dir)
w=target/bench-compile
mkdir -p "$w"
python3 - "$n" > "$w/scores.csv" <<'PY'
import random, sys
random.seed(1)
n = int(sys.argv[1])
cats = ["scanner", "botnet-c2", "bruteforce", "spam", "hijacked"]
feeds = ["f%02d" % i for i in range(20)]
print("indicator,type,score,categories,feeds,first_seen,last_seen,hits,sensors")
seen = set()
while len(seen) < n:
    a = random.randrange(1 << 24, 223 << 24)
    if a in seen:
        continue
    seen.add(a)
    ip = "%d.%d.%d.%d" % (a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255)
    print("%s,ip,%d.%03d,%s,%s,2026-11-20T00:00:00Z,2026-11-27T00:00:00Z,1,1" % (
        ip, random.randrange(0, 10), random.randrange(1000),
        random.choice(cats), random.choice(feeds)))
PY
for p in ${profiles[*]}; do
  rm -rf "$w/profiles" "$w/out"
  python3 scripts/bench-update-gen.py profiles "$p" "$w/profiles"
  sync
  /usr/bin/time -f "%e %M" -o "$w/time" $rel/tl-compile --quiet --scores "$w/scores.csv" \
    --profiles "$w/profiles" --geo-db "$db" --out "$w/out" --now 2026-11-27T12:00:00Z
  read -r secs kb < "$w/time"
  lines=$(cat "$w"/out/p*/block-in.txt "$w"/out/p*/block-out.txt | wc -l)
  echo "tl-compile: $n scores, $p profiles (3 countries each): $secs s, peak $((kb / 1024)) MB;" \
    "$lines block-in/out lines in all; p1 (unlimited): $(wc -l < "$w/out/p1/block-in.txt") block-in lines;" \
    "output $(du -sh "$w/out" | cut -f1)"
done
