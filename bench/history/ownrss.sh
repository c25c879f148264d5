#!/usr/bin/env bash
# ownrss.sh OUT CMD... — runs CMD once, its stdout to OUT, and prints its
# wall time and the peak resident memory of CMD's own process (VmHWM,
# sampled every 0.1 s; the process's own high-water mark, so sampling
# misses nothing but the last 0.1 s). /usr/bin/time -v reports instead
# the largest process of the tree, which on a big repository is a git
# cat-file child mapping the pack.
set -euo pipefail
out=${1:?usage: ownrss.sh OUT CMD...}
shift
start=$(date +%s.%N)
"$@" >"$out" 2>/dev/null &
pid=$!
hwm=0
while kill -0 "$pid" 2>/dev/null; do
	v=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
	[[ -n $v ]] && hwm=$v
	sleep 0.1
done
wait "$pid" || true
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" -v h="$hwm" 'BEGIN { printf "wall %.2f s, own peak RSS %d MB\n", e - s, h / 1024 }'
