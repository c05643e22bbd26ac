#!/usr/bin/env bash
# Benchmark of `tl-fw apply` on a 1M-prefix list, side by side with the
# naive way, in throwaway network namespaces (needs root, nft, ipset,
# iptables, iproute2, GNU time).
#
#   scripts/bench-fw.sh [ENTRIES] [NAIVE_SECONDS]
#
# ENTRIES (default 1,000,000) disjoint IPv4 prefixes (nine in ten /32,
# one in ten /24) in block-in. For each of nftables and ipset: render,
# apply into an empty namespace (tl-fw apply: render, nft -c, nft -f; or
# ipset restore + swap and iptables-restore), apply again (the steady
# state: replacing a loaded table or set), check; the kernel memory the
# sets hold (SUnreclaim + VmallocUsed in /proc/meminfo before and after, and ipset's own
# "Size in memory"). Then the naive way: `nft add element` in batches of
# 5,000 and `ipset add` per entry, each a process of its own. The naive
# runs stop after NAIVE_SECONDS (default 60) and the rest is extrapolated
# linearly from the entries done (said so in the output; for nft the cost
# of a batch grows with the set, so the extrapolation is a lower bound).
set -euo pipefail

N=${1:-1000000}
NAIVE_SECONDS=${2:-60}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" = 0 ] || { echo "bench-fw: needs root (network namespaces)" >&2; exit 2; }
for t in nft ipset iptables ip /usr/bin/time awk; do
    command -v "$t" >/dev/null || { echo "bench-fw: $t is missing" >&2; exit 2; }
done

cd "$ROOT"
cargo build --release --bin tl-fw >&2
BIN=$(scripts/release-dir 2>/dev/null || echo target/release)/tl-fw
[ -x "$BIN" ] || BIN=$(ls target/*/release/tl-fw target/release/tl-fw 2>/dev/null | head -1)
[ -x "$BIN" ] || { echo "bench-fw: tl-fw release binary not found" >&2; exit 2; }
BIN=$(readlink -f "$BIN")

WORK=$(mktemp -d /tmp/bench-fw.XXXXXX)
NS=benchfw$$
cleanup() {
    ip netns del "$NS" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

# The list: disjoint, non-adjacent prefixes.
awk -v n="$N" 'BEGIN {
    for (i = 0; i < n; i++) {
        if (i % 10 == 9) {            # a /24, 512 addresses apart
            j = int(i / 10); a = 40 * 16777216 + j * 512
            printf "%d.%d.%d.0/24\n", int(a / 16777216), int(a / 65536) % 256, int(a / 256) % 256
        } else {                      # a /32, every other address
            a = 20 * 16777216 + i * 2
            printf "%d.%d.%d.%d\n", int(a / 16777216), int(a / 65536) % 256, int(a / 256) % 256, a % 256
        }
    }
}' > "$WORK/block-in.txt"
mkdir -p "$WORK/lists" && mv "$WORK/block-in.txt" "$WORK/lists/"
echo "list: $(wc -l < "$WORK/lists/block-in.txt") prefixes" >&2

# Kernel memory that sets take: unreclaimable slab and vmalloc (kB).
slab() { awk '/^SUnreclaim:|^VmallocUsed:/ { s += $2 } END { print s }' /proc/meminfo; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
# Wall seconds and peak RSS (MB) of a command: "S MB".
timed() {
    /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" > "$WORK/out" 2> "$WORK/err" || {
        cat "$WORK/err" >&2; return 1; }
    awk '{ printf "%s %.0f", $1, $2 / 1024 }' "$WORK/time"
}
fresh_ns() {
    ip netns del "$NS" 2>/dev/null || true
    ip netns add "$NS"
    sleep 1
}
declare -a ROWS
row() { ROWS+=("$(printf '%-44s %10s %10s %12s' "$1" "$2" "$3" "$4")"); }

for target in nftables ipset; do
    fresh_ns
    out="$WORK/render-$target"
    read -r s mb < <(timed "$BIN" render -q -t "$target" -o "$out" "$WORK/lists"; echo)
    row "$target: tl-fw render" "$s" "$mb" "-"
    before=$(slab)
    read -r s mb < <(timed ip netns exec "$NS" "$BIN" apply -q -t "$target" "$WORK/lists"; echo)
    sleep 1
    after=$(slab)
    row "$target: tl-fw apply (empty namespace)" "$s" "$mb" "$(( (after - before) / 1024 ))"
    read -r s mb < <(timed ip netns exec "$NS" "$BIN" apply -q -t "$target" "$WORK/lists"; echo)
    row "$target: tl-fw apply again (replace)" "$s" "$mb" "-"
    read -r s mb < <(timed ip netns exec "$NS" "$BIN" check -t "$target" "$WORK/lists"; echo)
    row "$target: tl-fw check" "$s" "$mb" "-"
    if [ "$target" = nftables ]; then
        read -r s mb < <(timed ip netns exec "$NS" nft -f "$out"; echo)
        row "nftables: nft -f alone (replace)" "$s" "$mb" "-"
    else
        mem=$(ip netns exec "$NS" ipset list -t threatlist-in4 | awk '/^Size in memory/ { print $4 }')
        row "ipset: set's own Size in memory (MB)" "-" "-" "$(( mem / 1048576 ))"
    fi
    ip netns del "$NS"
done

# The naive ways, each entry batch a process of its own.
fresh_ns
ip netns exec "$NS" nft add table inet naive
ip netns exec "$NS" nft add set inet naive s '{ type ipv4_addr; flags interval; }'
split -l 5000 "$WORK/lists/block-in.txt" "$WORK/batch."
before=$(slab); start=$(now)
# One process per batch, run inside the namespace; stops after the budget.
done_n=$(ip netns exec "$NS" bash -c '
    start=$(date +%s); n=0
    for b in "$1"/batch.*; do
        nft add element inet naive s "{ $(paste -sd, "$b") }" || exit 1
        n=$(( n + $(wc -l < "$b") ))
        [ $(( $(date +%s) - start )) -ge "$2" ] && break
    done
    echo "$n"' sh "$WORK" "$NAIVE_SECONDS")
end=$(now); after=$(slab)
el=$(secs "$start" "$end")
if [ "$done_n" -lt "$N" ]; then
    est=$(awk -v e="$el" -v d="$done_n" -v n="$N" 'BEGIN { printf "%.0f", e * n / d }')
    row "naive nft add element x5,000: $done_n done" "$el" "-" "$(( (after - before) / 1024 ))"
    row "  extrapolated to $N (lower bound)" "$est" "-" "-"
else
    row "naive nft add element x5,000" "$el" "-" "$(( (after - before) / 1024 ))"
fi
ip netns del "$NS"

fresh_ns
ip netns exec "$NS" ipset create naive hash:net maxelem 2097152 hashsize 1048576
before=$(slab); start=$(now)
done_n=$(ip netns exec "$NS" bash -c '
    start=$(date +%s); n=0
    while read -r e; do
        ipset add naive "$e" || exit 1
        n=$(( n + 1 ))
        if [ $(( n % 500 )) = 0 ] && [ $(( $(date +%s) - start )) -ge "$2" ]; then break; fi
    done < "$1"
    echo "$n"' sh "$WORK/lists/block-in.txt" "$NAIVE_SECONDS")
end=$(now); after=$(slab)
el=$(secs "$start" "$end")
if [ "$done_n" -lt "$N" ]; then
    est=$(awk -v e="$el" -v d="$done_n" -v n="$N" 'BEGIN { printf "%.0f", e * n / d }')
    row "naive ipset add per entry: $done_n done" "$el" "-" "$(( (after - before) / 1024 ))"
    row "  extrapolated to $N" "$est" "-" "-"
else
    row "naive ipset add per entry" "$el" "-" "$(( (after - before) / 1024 ))"
fi
ip netns del "$NS"

printf '\n%-44s %10s %10s %12s\n' "step ($N prefixes)" seconds "peak MB" "kernel MB"
printf '%s\n' "${ROWS[@]}"
