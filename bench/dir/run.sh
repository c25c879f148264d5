#!/usr/bin/env bash
# Directory-scan benchmark: times `keysweep scan --no-git --format json`
# and `rg -c AKIA` over the same generated tree (>= 1 GiB of source-like
# text with a few planted fake keys), with wall time and peak RSS from
# /usr/bin/time -v, and prints keysweep/rg ratios. Each tool runs once to
# warm the page cache, then RUNS times; the best wall time, the least CPU
# time (user+system: the fairer figure on a busy machine) and the highest
# RSS are kept.
#
#   bench/dir/run.sh                 # tree in /tmp/keysweep-bench-tree, 1GiB
#   TREE=/data/t SIZE=2GiB RUNS=5 bench/dir/run.sh
#   BUILD=0 BIN=/path/to/keysweep bench/dir/run.sh   # time a prebuilt binary
#
# Needs: go, GNU time (/usr/bin/time), ripgrep (apt-get install -y ripgrep).
set -euo pipefail
cd "$(dirname "$0")/../.."

TREE=${TREE:-/tmp/keysweep-bench-tree}
SIZE=${SIZE:-1GiB}
KEYS=${KEYS:-5}
SEED=${SEED:-1}
RUNS=${RUNS:-3}
BIN=${BIN:-/tmp/keysweep-bench-bin}

command -v rg >/dev/null || { echo "ripgrep missing: apt-get install -y ripgrep" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "GNU time missing: apt-get install -y time" >&2; exit 1; }

if [ ! -f "$TREE.keys" ]; then
	rm -rf "$TREE"
	echo "generating $SIZE tree in $TREE (seed $SEED, $KEYS keys)..." >&2
	go run ./bench/dir/gen -out "$TREE" -size "$SIZE" -keys "$KEYS" -seed "$SEED"
fi
if [ "${BUILD:-1}" = 1 ]; then go build -o "$BIN" .; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# measure NAME CMD...: best wall seconds, least CPU seconds (user+system)
# and peak RSS (KiB) over RUNS runs.
measure() {
	local name=$1
	shift
	"$@" >/dev/null 2>&1 || true # warm-up
	local best="" cpu="" rss=0
	for _ in $(seq "$RUNS"); do
		/usr/bin/time -v -o "$tmp/$name.time" "$@" >"$tmp/$name.out" 2>/dev/null || true
		local wall c r
		wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$tmp/$name.time")
		c=$(awk -F': ' '/User time|System time/ {s+=$2} END {print s}' "$tmp/$name.time")
		r=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tmp/$name.time")
		if [ -z "$best" ] || awk "BEGIN{exit !($wall < $best)}"; then best=$wall; fi
		if [ -z "$cpu" ] || awk "BEGIN{exit !($c < $cpu)}"; then cpu=$c; fi
		if [ "$r" -gt "$rss" ]; then rss=$r; fi
	done
	echo "$best $cpu $rss"
}

bytes=$(find "$TREE" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
files=$(find "$TREE" -type f | wc -l)
read -r ks_wall ks_cpu ks_rss < <(measure keysweep "$BIN" scan --no-git --no-progress --format json "$TREE")
read -r rg_wall rg_cpu rg_rss < <(measure rg rg -c AKIA "$TREE")

planted=$(grep -c . "$TREE.keys")
found=$(grep -c -F -f "$TREE.keys" "$tmp/keysweep.out" || true)
echo "tree:      $TREE, $files files, $bytes bytes, $planted planted keys ($found found by keysweep)"
echo "machine:   $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf 'keysweep:  wall %6.2f s (%5.0f MB/s)  cpu %6.2f s  peak RSS %4d MiB   (%s scan --no-git --no-progress --format json)\n' \
	"$ks_wall" "$(awk "BEGIN{print $bytes/1e6/$ks_wall}")" "$ks_cpu" $((ks_rss / 1024)) "$BIN"
printf 'rg:        wall %6.2f s (%5.0f MB/s)  cpu %6.2f s  peak RSS %4d MiB   (rg -c AKIA, %s)\n' \
	"$rg_wall" "$(awk "BEGIN{print $bytes/1e6/$rg_wall}")" "$rg_cpu" $((rg_rss / 1024)) "$(rg --version 2>/dev/null | sed -n 1p)"
printf 'ratio keysweep/rg: wall %.2fx, cpu %.2fx, peak RSS %.2fx\n' \
	"$(awk "BEGIN{print $ks_wall/$rg_wall}")" "$(awk "BEGIN{print $ks_cpu/$rg_cpu}")" "$(awk "BEGIN{print $ks_rss/$rg_rss}")"
if [ "$found" -ne "$planted" ]; then
	echo "FAIL: keysweep found $found of $planted planted keys" >&2
	exit 1
fi
