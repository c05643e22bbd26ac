#!/usr/bin/env bash
# Benchmark: `tl-fw pull` of a 100k-prefix list over DNS from a local NSD.
#
# Makes two profiles of 100,000 prefixes each — `hosts` (90,000 IPv4 and
# 10,000 IPv6 addresses: what the multi-host A/AAAA form holds whole) and
# `mixed` (80 % IPv4 hosts, 15 % IPv4 networks /16–/30 with allow-listed
# holes, 5 % IPv6 /48–/128) — publishes them with tl-zone (A, AAAA, APL,
# TXT, default limits), serves them with NSD on 127.0.0.1 at a free port,
# and times one pull per form (release build), checking that the pulled
# block-in is the published list.
#
# Measured here (2 shared cores, release build, one run each): every pull of
# block-in took 0.01-0.04 s wall and 8-14 MB RSS in 20-34 queries (APL 0.02 s,
# TXT 0.01 s, A+AAAA 0.04 s for 100,000 hosts; APL and TXT 0.02/0.01 s for the
# mixed list's 111,723 prefixes); NSD took 16 s to load the two zones (14 MB).
#
# Usage: scripts/bench-fw-pull.sh [WORKDIR]   (needs nsd, dig, python3, bc)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d /tmp/bench-fw-pull.XXXXXX)}
mkdir -p "$work"
cd "$work"

cargo build --quiet --release --manifest-path "$root/Cargo.toml" --bin tl-zone --bin tl-fw --bin tl-set
bin="$root/target/release"

python3 - <<'EOF'
import ipaddress, os, random
random.seed(13)
def write(profile, block, allow):
    os.makedirs(f"out/{profile}", exist_ok=True)
    with open(f"out/{profile}/block-in.txt", "w") as f:
        f.write("".join(f"{p}\n" for p in block))
    with open(f"out/{profile}/block-out.txt", "w") as f:
        f.write("192.0.2.66\n")
    with open(f"out/{profile}/allow.txt", "w") as f:
        f.write("".join(f"{p}\n" for p in allow))

# hosts: 90,000 IPv4 and 10,000 IPv6 addresses, none adjacent
v4 = random.sample(range(1 << 23), 90000)
hosts = [ipaddress.IPv4Address((44 << 24) + (a << 1)) for a in v4]
hosts += [ipaddress.IPv6Address((0x2a001450 << 96) + (i << 70) + random.getrandbits(16) * 2 + 1)
          for i in range(10000)]
write("hosts", hosts, [])

# mixed: 80,000 IPv4 hosts, 15,000 IPv4 networks (1 in 10 with a hole),
# 5,000 IPv6 prefixes
block, allow = [], []
for a in random.sample(range(1 << 23), 80000):
    block.append(ipaddress.IPv4Address((45 << 24) + (a << 1)))
for i in range(15000):
    length = random.randint(16, 30)
    base = ((46 + i // 4096) << 24) + ((i % 4096) << 12) if length >= 20 else ((60 + i // 256) << 24) + ((i % 256) << 16)
    net = ipaddress.IPv4Network((base, length), strict=False)
    block.append(net)
    if i % 10 == 0 and net.num_addresses > 2:
        allow.append(net.network_address + 1)
for i in range(5000):
    length = random.randint(48, 128)
    net = ipaddress.IPv6Network(((0x2a020000 << 96) + (i << 80), length), strict=False)
    block.append(net)
write("mixed", block, allow)
EOF

"$bin/tl-zone" --out out --origin bench.example -o . --format a --format aaaa \
    --format apl --format txt --nsd-conf nsd-zones.conf --now 2026-12-07T00:00:00Z --quiet

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p nsd
cat >nsd/nsd.conf <<EOF
server:
	ip-address: 127.0.0.1@$port
	port: $port
	username: ""
	chroot: ""
	zonesdir: "$work/nsd"
	pidfile: "$work/nsd/nsd.pid"
	database: ""
	xfrdfile: "$work/nsd/xfrd.state"
	zonelistfile: "$work/nsd/zone.list"
	xfrdir: "$work/nsd"
	server-count: 1
	verbosity: 1
	do-ip6: no
remote-control:
	control-enable: no
include: "$work/nsd-zones.conf"
EOF
nsd -d -c nsd/nsd.conf >nsd/nsd.log 2>&1 &
nsd_pid=$!
trap 'kill $nsd_pid 2>/dev/null || true' EXIT
load_start=$(date +%s.%N)
for _ in $(seq 600); do
    if dig @127.0.0.1 -p "$port" +tcp +time=1 +tries=1 mixed.bench.example SOA | grep -q 'status: NOERROR' &&
        dig @127.0.0.1 -p "$port" +tcp +time=1 +tries=1 hosts.bench.example SOA | grep -q 'status: NOERROR'; then
        break
    fi
    sleep 0.2
done
load_end=$(date +%s.%N)
printf 'NSD loaded the zones in %.1f s (zone files: %s)\n' "$(echo "$load_end - $load_start" | bc)" \
    "$(du -ch hosts.zone mixed.zone | tail -1 | cut -f1)"

printf '\n| profile | form | prefixes | s (wall) | max RSS MB | queries |\n| --- | --- | ---: | ---: | ---: | ---: |\n'
for case in "hosts apl" "hosts txt" "hosts a aaaa" "mixed apl" "mixed txt"; do
    set -- $case
    profile=$1; shift
    forms=(); for f in "$@"; do forms+=(--form "$f"); done
    out="pulled-$profile-$(IFS=-; echo "$*")"
    /usr/bin/time -f '%e %M' -o time.txt "$bin/tl-fw" pull --server "127.0.0.1:$port" \
        --zone "$profile.bench.example" "${forms[@]}" --list block-in -o "$out" 2>pull.err ||
        { cat pull.err; exit 1; }
    read -r secs rss <time.txt
    queries=$(sed -n 's/.*serial [0-9]*, \([0-9]*\) queries.*/\1/p' pull.err)
    prefixes=$(wc -l <"$out/block-in.txt")
    "$bin/tl-set" except "out/$profile/block-in.txt" -x "out/$profile/allow.txt" >expected.txt
    cmp -s expected.txt "$out/block-in.txt" || { echo "MISMATCH: $profile $*"; exit 1; }
    printf '| %s | %s | %s | %s | %.1f | %s |\n' "$profile" "$*" "$prefixes" "$secs" \
        "$(echo "$rss / 1024" | bc -l)" "$queries"
done
