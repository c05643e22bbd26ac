#!/usr/bin/env bash
# Fuzzes every parser that reads outside data (docs/hardening.md): builds a
# seed corpus from the repository's fixtures and a run of the demo, then runs
# each cargo-fuzz target in fuzz/ for SECONDS (default 300), one after the
# other.
#
#   scripts/fuzz.sh [SECONDS]
#
# Needs the nightly toolchain and cargo-fuzz (cargo install cargo-fuzz).
# Environment: FUZZ_DEMO (a directory where the demo already ran, instead of
# building and running it), FUZZ_TARGETS (default: every target), FUZZ_JOBS (parallel
# fuzzing processes per target, default 1), FUZZ_SANITIZER (default none:
# the library has no unsafe code of its own; "address" for ASan).
# Crashes are written to fuzz/artifacts/TARGET/ (replay one with
# `cargo +nightly fuzz run TARGET FILE`); the corpus grows in
# fuzz/corpus/TARGET/; a summary per target goes to fuzz/logs/.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-300}"
jobs="${FUZZ_JOBS:-1}"
sanitizer="${FUZZ_SANITIZER:-none}"
targets="${FUZZ_TARGETS:-net feed logs config artifact mmdb pull}"
root=$PWD
corpus=$root/fuzz/corpus
mkdir -p "$corpus" "$root/fuzz/logs"

# seed TARGET SELECTOR FILE: the selector byte, then the file's first 64 KiB.
seed() {
  local dir=$corpus/$1 sel=$2 file=$3
  mkdir -p "$dir"
  local name
  name=$(printf '%02x-%s' "$sel" "$(echo "$file" | tr '/ ' '__' | tail -c 100)")
  { printf "\\x$(printf '%02x' "$sel")"; head -c 65536 "$file"; } >"$dir/$name"
}

# seed_lines TARGET SELECTOR FILE: one seed per line (the first 40).
seed_lines() {
  local dir=$corpus/$1 sel=$2 file=$3 n=0
  mkdir -p "$dir"
  while IFS= read -r line && [ $n -lt 40 ]; do
    n=$((n + 1))
    { printf "\\x$(printf '%02x' "$sel")"; printf '%s' "$line"; } \
      >"$dir/$(printf '%02x' "$sel")-$(basename "$file")-$n"
  done <"$file"
}

# The demo's artifacts, zones and databases (tl-update on fixtures/demo,
# written under target/demo as its README says).
demo=${FUZZ_DEMO:-}
if [ -z "$demo" ]; then
  cargo build --quiet --bin tl-update --bin tl-geo
  bin=${CARGO_TARGET_DIR:-target}/$(rustc -vV | sed -n 's/^host: //p')/debug
  "$bin/tl-update" --config fixtures/demo/threatlist.toml -q || true
  demo=target/demo
  mkdir -p "$demo/geo-cache"
  "$bin/tl-geo" lookup --db "$demo/state/geo/country.mmdb" --cache-dir "$demo/geo-cache" \
    192.0.2.1 >/dev/null 2>&1 || true
fi

# net: entries, addresses, names, lists, times.
for f in fixtures/feeds/list.txt fixtures/zone/block.txt fixtures/demo/allow.txt; do
  seed_lines net 0 "$f"
  seed_lines net 1 "$f"
  for s in 3 4 5; do seed net "$s" "$f"; done
done
seed_lines net 2 fixtures/feeds/domains.txt
seed_lines net 2 tests/hostile/domains.txt
printf '2026-12-07T14:00:00Z\n1765116000\n2026-12-07\n30s\n+02:00\nEurope/Berlin\n' >"$corpus/times"
seed_lines net 6 "$corpus/times"
rm "$corpus/times"

# feed: every feed fixture, detected (0) and forced to each format (1-15).
for f in fixtures/feeds/* fixtures/demo/feeds/* tests/hostile/domains.txt; do
  [ -f "$f" ] || continue
  for s in 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do seed feed "$s" "$f"; done
done
gzip -c fixtures/feeds/list.txt >"$corpus/list.gz" && seed feed 0 "$corpus/list.gz" && rm "$corpus/list.gz"

# logs: every log fixture, detected (31) and as its directory's format.
formats=(asa filterlog panos fortinet cef mikrotik pf zeek suricata ulogd bind unbound netfilter nftables csv)
for i in "${!formats[@]}"; do
  for f in $(find "fixtures/logs/${formats[$i]}" -type f 2>/dev/null); do
    seed logs 31 "$f"
    seed logs "$i" "$f"
  done
done

# config: profiles (0), tl-update (1), zone (2), feeds (3), TSIG keys (4, 5),
# column mappings (6).
for f in fixtures/profiles/*.toml fixtures/demo/profiles/*.toml tests/hostile/traversal-profile.toml; do
  seed config 0 "$f"
done
for f in fixtures/demo/threatlist.toml tests/hostile/traversal-update.toml; do seed config 1 "$f"; done
for f in fixtures/zone/zone.toml examples/zone/zone.toml; do seed config 2 "$f"; done
for f in fixtures/demo/feeds.toml fixtures/score/feeds.toml tests/hostile/traversal-feeds.toml; do
  seed config 3 "$f"
done
printf 'key "threatlist-xfr" {\n\talgorithm hmac-sha256;\n\tsecret "cmVwbGFjZS13aXRoLXRzaWcta2V5Z2VuLW91dHB1dCE=";\n};\n' >"$corpus/key"
seed config 4 "$corpus/key"
printf 'hmac-sha256:threatlist-xfr:cmVwbGFjZS13aXRoLXRzaWcta2V5Z2VuLW91dHB1dCE=' >"$corpus/key"
seed config 5 "$corpus/key"
printf 'header,sep=tab,time=1,src=src_ip,dst=3,dport=4,action=5' >"$corpus/key"
seed config 6 "$corpus/key"
rm "$corpus/key"

# artifact: the demo's state (0), compiled versions (1), bases (2) and geo
# tables (3), each also resealed (4-7).
for f in $(find "$demo/state" -name '*.tls'); do seed artifact 0 "$f"; seed artifact 4 "$f"; done
for f in $(find "$demo/out" -name '*.tlc'); do seed artifact 1 "$f"; seed artifact 5 "$f"; done
for f in $(find "$demo/out" -name '*.tlb'); do seed artifact 2 "$f"; seed artifact 6 "$f"; done
for f in $(find "$demo" -path '*geo-cache*' -type f); do seed artifact 3 "$f"; seed artifact 7 "$f"; done

# mmdb: the demo's databases (no selector byte: the whole input is the file).
mkdir -p "$corpus/mmdb"
for f in $(find "$demo/state" -name '*.mmdb'); do cp "$f" "$corpus/mmdb/$(basename "$f")"; done

# pull: published zones (0), the codec's strings (2).
for f in fixtures/zone/expected/*.zone fixtures/zone/expected/out/*.zone $demo/zones/*.zone; do
  [ -f "$f" ] && seed pull 0 "$f"
done
grep -ho '"[^"]*"' fixtures/zone/expected/txt.zone | tr -d '"' | head -20 >"$corpus/strings"
seed_lines pull 2 "$corpus/strings"
rm "$corpus/strings"

cd fuzz
cargo +nightly fuzz build -s "$sanitizer" -a --codegen-units 16
for t in $targets; do
  mkdir -p "artifacts/$t"
  echo "fuzz: $t for ${secs}s"
  set +e
  parallel=()
  [ "$jobs" -gt 1 ] && parallel=(-jobs="$jobs" -workers="$jobs")
  cargo +nightly fuzz run -s "$sanitizer" -a --codegen-units 16 "$t" "corpus/$t" -- \
    -max_total_time="$secs" "${parallel[@]}" -max_len=65536 \
    -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 >"logs/$t.log" 2>&1
  status=$?
  set -e
  grep -E '^stat::number_of_executed_units|^Done|SUMMARY|panicked' "logs/$t.log" | sed "s/^/  $t: /" || true
  [ $status -eq 0 ] || echo "  $t: FOUND A CRASH (exit $status): see fuzz/artifacts/$t/ and fuzz/logs/$t.log"
done
if find artifacts -type f | grep -q .; then exit 1; fi
