#!/usr/bin/env bash
# The screenshot of the demo HTML report in docs/logs-report.png: the demo
# profile compiled as the README's first command does (with the clock of
# tests/tl_logs_report.rs), the demo log fixtures/logs/demo/kern.log read by
# tl-logs --html, and the page rendered by headless Chromium at 1200×2400.
# Builds the debug binaries unless BIN names a directory holding them (for
# instance BIN="$(scripts/release-dir)"). The page is left in
# target/logs-report/report.html.
#
#   scripts/logs-report-screenshot.sh [OUT.png]
set -euo pipefail
cd "$(dirname "$0")/.."
png="${1:-docs/logs-report.png}"
case "$png" in /*) ;; *) png="$PWD/$png" ;; esac
chromium="${CHROMIUM:-/usr/bin/chromium}"
now=2026-12-01T00:00:00Z
if [ -z "${BIN:-}" ]; then
  cargo build --quiet --bins
  host=$(rustc -vV | sed -n 's/^host: //p')
  BIN="${CARGO_TARGET_DIR:-$PWD/target}/$host/debug"
fi
PATH="$BIN:$PATH"
work=target/logs-report
rm -rf "$work"
mkdir -p "$work"
tl-ingest --config fixtures/demo/feeds.toml --now "$now" -o "$work/indicators.csv"
tl-score --feeds fixtures/demo/feeds.toml --now "$now" -o "$work/scores.csv" "$work/indicators.csv"
tl-geo build --db "$work/geo.mmdb" fixtures/geo/country.csv
tl-compile --scores "$work/scores.csv" --profiles fixtures/demo/profiles \
  --geo-db "$work/geo.mmdb" --now "$now" --out "$work/out" >/dev/null
# Syslog lines carry no year: the log's modification time puts them in 2026.
cp fixtures/logs/demo/kern.log "$work/kern.log"
touch -d 2026-12-08T00:00:00Z "$work/kern.log"
(cd "$work" && tl-logs --quiet --profile out/acme --html report.html kern.log)
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
"$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --disable-dev-shm-usage --host-resolver-rules='MAP * ~NOTFOUND' \
  --user-data-dir="$profile" --hide-scrollbars --window-size=1200,2400 \
  --screenshot="$png" "file://$PWD/$work/report.html" 2>/dev/null
echo "$png"
