#!/usr/bin/env bash
# Benchmark of tl-update, the whole server side in one run.
#
# demo: the bundled demo (fixtures/demo/threatlist.toml, on a copy of
# fixtures/) on a fresh state, then again with nothing new; hyperfine when
# installed, else the best of 5. Goal: under 2 s.
#
# run: a realistic run (goal: under 2 minutes) made by
# scripts/bench-update-gen.py: 50 feeds (1.5M indicator rows, about 1M
# distinct addresses) as plain lists, netsets, CSV with a named column and
# JSON with a field path; 10M sensor events in 4 files
# (scripts/bench-score-gen.py events); 100 profiles as bench-compile.sh makes
# them, with 3 countries each from a full GeoLite2 Country database
# (ip-location-db's npm package, as .ci/run installs it); all 7 zone formats.
# Run 1 on a fresh state, run 2 with 1M new events in a new file and one
# feed changed, run 3 with nothing new. Prints the per-step seconds of each
# run (tl-update --report-json), its wall time and peak RSS
# (/usr/bin/time), and writes the table to target/bench-update/table.md.
#
#   scripts/bench-update.sh [demo|run|data|all]
#
# The data are made once per set of parameters (target/bench-update/data);
# BENCH_EVENTS, BENCH_FEEDS, BENCH_ROWS and BENCH_PROFILES change them.
# HYPERFINE=none times the demo without hyperfine.
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"
events="${BENCH_EVENTS:-10000000}"
nfeeds="${BENCH_FEEDS:-50}"
rows="${BENCH_ROWS:-1500000}"
nprofiles="${BENCH_PROFILES:-100}"
hyperfine="${HYPERFINE:-hyperfine}"
w=target/bench-update
mkdir -p "$w"
rel=$(scripts/release-dir)
now1=2026-11-27T12:00:00Z
now2=2026-11-27T16:00:00Z

# Seconds (3 decimals) of the fastest of 5 runs of "$@", each after
# `$prepare` (a shell command, may be empty).
best_of_5() {
  local best="" t0 t1 s
  for _ in 1 2 3 4 5; do
    eval "$prepare"
    t0=$(date +%s.%N)
    "$@" >/dev/null
    t1=$(date +%s.%N)
    s=$(echo "$t1 - $t0" | bc)
    if [ -z "$best" ] || [ "$(echo "$s < $best" | bc)" = 1 ]; then best=$s; fi
  done
  printf '%.3f' "$best"
}

# The fastest run of a hyperfine JSON export, with the mean.
hyperfine_result() {
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.3f s (mean %.3f ± %.3f, hyperfine)" % (r["min"], r["mean"], r["stddev"]))' "$1"
}

demo() {
  local d=$w/demo cfg
  cargo build --release --quiet --bin tl-update
  # A fresh copy of the fixtures: the demo's state, lists and zones are
  # written inside it, wherever its configuration puts them.
  prepare="rm -rf $d && mkdir -p $d && cp -r fixtures $d/fixtures"
  if [ -f fixtures/demo/threatlist.toml ]; then
    cfg=$d/fixtures/demo/threatlist.toml
  else
    # Until the demo has its configuration: the same parts by hand.
    cfg=$d/threatlist.toml
    prepare="$prepare && cat > $cfg <<'TOML'
state_dir = \"state\"
out_dir = \"out\"
zone_dir = \"zones\"
feeds = \"fixtures/demo/feeds.toml\"
profiles = [\"fixtures/demo/profiles\"]
[geo]
country_csv = [\"fixtures/geo/country.csv\"]
[zone]
origin = \"lists.example\"
TOML"
  fi
  local cmd=("$rel/tl-update" --config "$cfg" --quiet)
  echo "demo: $cfg"
  if command -v "$hyperfine" >/dev/null; then
    "$hyperfine" --style basic --runs 10 --prepare "$prepare" \
      --export-json "$w/demo-fresh.json" -n "demo, fresh state" "${cmd[*]}"
    eval "$prepare"
    "${cmd[@]}" >/dev/null
    "$hyperfine" --style basic --runs 10 --warmup 1 \
      --export-json "$w/demo-again.json" -n "demo, nothing new" "${cmd[*]}"
    demo_fresh=$(hyperfine_result "$w/demo-fresh.json")
    demo_again=$(hyperfine_result "$w/demo-again.json")
  else
    demo_fresh="$(best_of_5 "${cmd[@]}") s (best of 5)"
    local p=$prepare
    eval "$p"
    "${cmd[@]}" >/dev/null
    prepare=""
    demo_again="$(best_of_5 "${cmd[@]}") s (best of 5)"
    prepare=$p
  fi
  echo "tl-update demo: fresh state $demo_fresh; nothing new $demo_again"
}

# The GeoLite2 Country database of ip-location-db's npm package.
geo_db() {
  scripts/geolite2-db
}

# The realistic run's data, made once per set of parameters.
data() {
  local d=$w/data key="events=$events feeds=$nfeeds rows=$rows profiles=$nprofiles"
  if [ "$(cat "$d/done" 2>/dev/null)" = "$key" ]; then return; fi
  rm -rf "$d"
  mkdir -p "$d/events" "$d/new"
  echo "making the data ($key) ..."
  local t0=$SECONDS
  scripts/bench-update-gen.py profiles "$nprofiles" "$d/profiles"
  distinct=$(scripts/bench-update-gen.py feeds "$d/feeds" --feeds "$nfeeds" --rows "$rows" --now "$now1")
  echo "$distinct" > "$d/distinct"
  # The event files share one source pool (--pool-seed), as one set of
  # sensors reporting over time.
  local pids=()
  for i in 1 2 3 4; do
    scripts/bench-score-gen.py events $((events / 4)) "$d/events/events-$i.csv" \
      --seed "$i" --pool-seed 1 --now "$now1" & pids+=($!)
  done
  scripts/bench-score-gen.py events $((events / 10)) "$d/new/events-5.csv" \
    --seed 5 --pool-seed 1 --now "$now2" & pids+=($!)
  for p in "${pids[@]}"; do wait "$p"; done
  echo "$key" > "$d/done"
  echo "data made in $((SECONDS - t0)) s"
}

# One run of the realistic benchmark: tl-update under /usr/bin/time.
run_once() {
  local n=$1 now=$2 r=$w/run rc=0
  sync
  /usr/bin/time -f "%e %M" -o "$r/time-$n" "$rel/tl-update" --config "$r/threatlist.toml" \
    --now "$now" --quiet --report-json "$r/report-$n.json" > "$r/out-$n.txt" 2>&1 || rc=$?
  if [ "$rc" -gt 1 ]; then
    cat "$r/out-$n.txt" >&2
    echo "run $n failed (exit $rc)" >&2
    exit 1
  fi
  echo "run $n: exit $rc, $(cut -d' ' -f1 "$r/time-$n") s"
}

realistic() {
  local db
  cargo build --release --quiet --bin tl-update
  db=$(geo_db)
  data
  local d=$w/data r=$w/run
  rm -rf "$r"
  mkdir -p "$r/events" "$r/feeds"
  cp -p "$d"/feeds/*.* "$r/feeds/"
  ln "$d"/events/*.csv "$r/events/"
  cat > "$r/threatlist.toml" <<TOML
# The realistic run of scripts/bench-update.sh.
state_dir = "state"
out_dir = "out"
zone_dir = "zones"
feeds = "feeds/feeds.toml"
events = ["events"]
profiles = ["../data/profiles"]
[geo]
country_db = "$db"
[zone]
origin = "lists.example"
formats = ["a", "aaaa", "apl", "txt", "dnsbl", "rbldnsd", "rpz"]
TOML
  echo "load before: $(uptime)"
  run_once 1 "$now1"
  # New sensor events in a new file, and one feed changed.
  ln "$d/new/events-5.csv" "$r/events/"
  cp -p "$d"/feeds/next/* "$r/feeds/"
  run_once 2 "$now2"
  run_once 3 "$now2"
  echo "load after: $(uptime)"
  python3 - "$r" "$(cat "$d/distinct")" "$events" "$nfeeds" "$nprofiles" <<'PY' | tee "$w/table.md"
import json, sys
r, distinct, events, feeds, profiles = sys.argv[1:]
steps = ["geo", "ingest", "score", "compile", "zone", "render", "logs"]
runs = []
for n in (1, 2, 3):
    rep = json.load(open("%s/report-%d.json" % (r, n)))
    wall, kb = open("%s/time-%d" % (r, n)).read().split()
    t = {x["step"]: x["seconds"] for x in rep["timings"]}
    runs.append((rep, t, float(wall), int(kb)))
used = [s for s in steps if any(s in t for _, t, _, _ in runs)]
print("%s feeds (%s distinct addresses), %s events, %s profiles, 7 zone formats"
      % (feeds, format(int(distinct), ","), format(int(events), ","), profiles))
print()
print("| step | run 1 (cold) | run 2 (+10 % events, a feed changed) | run 3 (nothing new) |")
print("| --- | ---: | ---: | ---: |")
for s in used:
    print("| %s | %s |" % (s, " | ".join("%.2f" % t[s] if s in t else "—" for _, t, _, _ in runs)))
print("| other (reading event files, profiles, state switch) | %s |" % " | ".join(
    "%.2f" % (w - sum(t.values())) for _, t, w, _ in runs))
print("| **total (wall)** | %s |" % " | ".join("**%.2f**" % w for _, _, w, _ in runs))
print("| peak RSS | %s |" % " | ".join("%d MB" % (kb // 1024) for _, _, _, kb in runs))
print("| scored entries / listed | %s |" % " | ".join(
    "%s / %s" % (format(rep["score"]["entries"], ","), format(rep["score"]["listed"], ","))
    for rep, _, _, _ in runs))
print("| profiles published | %s |" % " | ".join(
    str(sum(p["outcome"] == "published" for p in rep["profiles"])) for rep, _, _, _ in runs))
print("| verdict | %s |" % " | ".join(rep["verdict"] for rep, _, _, _ in runs))
PY
  echo "zones: $(ls "$r/zones" | wc -l) files, $(du -sh "$r/zones" | cut -f1); lists: $(du -sh "$r/out" | cut -f1)"
}

case "$what" in
  demo) demo ;;
  run) realistic ;;
  data) data ;;
  all) demo; realistic ;;
  *) echo "usage: scripts/bench-update.sh [demo|run|data|all]" >&2; exit 2 ;;
esac
