#!/usr/bin/env bash
# run.sh DIR — time, on the repository DIR (made by gen.sh) and in the same
# run, the floor and the baselines against keysweep:
#   git cat-file --batch-all-objects --batch --unordered >/dev/null
#   git log -p --all >/dev/null
#   keysweep scan --format json
# Each runs RUNS times (default 3), interleaved; the run with the median wall
# time is reported with its CPU (user+sys, children included) and peak RSS,
# from /usr/bin/time -v. Ratios are against the cat-file line. When
# DIR/keys.txt exists, every key ID in it must be in keysweep's report.
# Set SKIP_LOG=1 to leave out git log -p (slow on big repositories), and
# GOGIT=1 to add a row for keysweep's pure go-git reader (--git-reader go-git),
# PACK=1 for its Go pack reader (--git-reader pack), CATFILE=1 for its git
# cat-file lanes (--git-reader git). The default reader chooses between
# those two from the pack listing.
set -euo pipefail
dir=$(cd "${1:?usage: run.sh DIR}" && pwd)
runs=${RUNS:-3}
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$root" && go build -o "$tmp/bin/keysweep" .)

# measure NAME OUT CMD...: one timed run, its stdout to OUT, appended to
# $tmp/NAME as "wall cpu rss".
measure() {
	local name=$1 out=$2
	shift 2
	/usr/bin/time -v -o "$tmp/time" "$@" >"$out" 2>/dev/null || true
	awk -F': ' '
		/Elapsed \(wall clock\)/ { n = split($2, p, ":"); w = 0; for (i = 1; i <= n; i++) w = w * 60 + p[i] }
		/User time/ { u = $2 } /System time/ { s = $2 } /Maximum resident/ { r = $2 }
		END { printf "%.2f %.2f %d\n", w, u + s, r / 1024 }' "$tmp/time" >>"$tmp/$name"
}

for ((i = 0; i < runs; i++)); do
	# git's output goes to /dev/null, as the floor is defined (writing a
	# gigabyte to a file would add the page cache's cost to the floor).
	measure catfile /dev/null git -C "$dir" cat-file --batch-all-objects --batch --unordered
	[[ ${SKIP_LOG:-} ]] || measure logp /dev/null git -C "$dir" log -p --all
	measure keysweep "$tmp/out.keysweep" "$tmp/bin/keysweep" scan --no-progress --format json "$dir"
	[[ -z ${GOGIT:-} ]] || measure gogit "$tmp/out.gogit" "$tmp/bin/keysweep" scan --no-progress --format json --git-reader go-git "$dir"
	[[ -z ${PACK:-} ]] || measure pack "$tmp/out.pack" "$tmp/bin/keysweep" scan --no-progress --format json --git-reader pack "$dir"
	[[ -z ${CATFILE:-} ]] || measure catlanes "$tmp/out.catlanes" "$tmp/bin/keysweep" scan --no-progress --format json --git-reader git "$dir"
done

median() { sort -n "$tmp/$1" | awk -v n="$runs" 'NR == int((n + 1) / 2)'; }
read -r fw fc fr < <(median catfile)
echo "repository: $dir ($(git -C "$dir" count-objects -vH | awk '/size-pack/ {print $2, $3}') packed, $(git -C "$dir" rev-list --all | wc -l) commits), $runs runs, $(nproc) CPUs"
printf '%-62s %8s %11s %8s %9s %8s %8s\n' command wall_s wall_min-max cpu_s rss_MB wall_x cpu_x
row() {
	read -r w c r < <(median "$1")
	read -r lo hi < <(awk 'NR == 1 || $1 < lo { lo = $1 } NR == 1 || $1 > hi { hi = $1 } END { print lo, hi }' "$tmp/$1")
	awk -v l="$2" -v w="$w" -v c="$c" -v r="$r" -v fw="$fw" -v fc="$fc" -v lo="$lo" -v hi="$hi" \
		'BEGIN { printf "%-62s %8.2f %5.2f-%5.2f %8.2f %9d %8.2f %8.2f\n", l, w, lo, hi, c, r, w / fw, c / fc }'
}
row catfile "git cat-file --batch-all-objects --batch --unordered"
[[ ${SKIP_LOG:-} ]] || row logp "git log -p --all"
row keysweep "keysweep scan --format json"
[[ -z ${GOGIT:-} ]] || row gogit "keysweep scan --format json --git-reader go-git"
[[ -z ${PACK:-} ]] || row pack "keysweep scan --format json --git-reader pack"
[[ -z ${CATFILE:-} ]] || row catlanes "keysweep scan --format json --git-reader git"

# Every reader must report the same (findings, errors, notes): only the
# duration differs.
for out in "$tmp"/out.*; do
	[[ $out == "$tmp/out.keysweep" ]] && continue
	if ! diff -q <(grep -v '"duration_ms"' "$tmp/out.keysweep") <(grep -v '"duration_ms"' "$out") >/dev/null; then
		echo "DIFFERENT report from $(basename "$out") than from the default reader"
		exit 1
	fi
done
[[ $(ls "$tmp"/out.* | wc -l) -gt 1 ]] && echo "same report from every reader"

if [[ -f $dir/keys.txt ]]; then
	missing=0
	while read -r id; do
		for out in "$tmp"/out.*; do
			grep -q "\"key_id\": \"$id\"" "$out" || { echo "MISSING planted key $id in $(basename "$out")"; missing=1; }
		done
	done <"$dir/keys.txt"
	[[ $missing == 0 ]] && echo "all $(wc -l <"$dir/keys.txt") planted keys found"
	exit $missing
fi
