#!/bin/sh
# Sweep benchmark: 200 local repositories of mixed sizes behind githubfake.
#
#   bench/sweep/run.sh [WORKDIR]      (default: a new temp dir; REPOS=200 SCALE=1)
#
# Times the first sweep (clone + full scan of every repository), pushes one
# commit to 5 repositories, times the second sweep, and prints the ratio
# (target <= 5%), the peak RSS of each sweep (target <= 512 MB), the first
# sweep's speed per byte, and the history scanner's speed on the same
# mirrors once cloned (a sweep with a fresh state file) to compare with.
# Against the same server, it also times the physical floor of the first
# sweep's cloning: `git clone --mirror` of every repository, $(nproc) at
# once (xargs -P), into a temporary directory; the first sweep is compared
# with it, and its MB/s is printed beside HISTORY_MBPS, the history
# benchmark's figure when given (bench/history; "n/a" when not).
# It checks that every planted key was found. Needs git, xargs -P and
# /usr/bin/time.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
work=${1:-$(mktemp -d /tmp/keysweep-sweepbench.XXXXXX)}
repos=${REPOS:-200}
mkdir -p "$work"
cd "$top"
go build -o "$work/keysweep" .
go build -o "$work/sweepbench" ./bench/sweep
ks="$work/keysweep"

if [ ! -f "$work/org/meta.json" ]; then
	echo "generating $repos repositories in $work/org …"
	"$work/sweepbench" -root "$work/org" -gen "$repos" -scale "${SCALE:-1}"
fi
rm -rf "$work/cache" "$work/state.db" "$work/url"
"$work/sweepbench" -root "$work/org" -serve -urlfile "$work/url" 2>"$work/serve.log" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT INT TERM
while [ ! -s "$work/url" ]; do sleep 0.1; done
url=$(cat "$work/url")

sweep() { # NAME STATE
	/usr/bin/time -f '%e %M %U %S' -o "$work/$1.time" \
		"$ks" sweep github --org bench --api-url "$url" --cache-dir "$work/cache" --state "$work/$2" \
		--no-verify --no-progress --format json -o "$work/$1.json" 2>"$work/$1.err" || true
	cat "$work/$1.err" >&2
}
field() { sed -n "s/.*\"$2\": \([0-9]*\).*/\1/p" "$work/$1.json" | head -1; }

# The org was just generated or copied: read it once so that neither the
# first sweep nor the clone floor pays for a cold page cache.
find "$work/org" -type f -exec cat {} + >/dev/null
sweep first state.db
# The clone floor, before the pushes: the same repositories as the first sweep.
org=$(sed -n 's/^ *"org": "\(.*\)",*$/\1/p' "$work/org/meta.json" | head -1)
sed -n 's/^ *"Name": "\(.*\)",*$/\1/p' "$work/org/meta.json" >"$work/floor.names"
floor=$(mktemp -d "$work/floor.XXXXXX")
jobs=$(nproc)
/usr/bin/time -f '%e %M %U %S' -o "$work/floor.time" \
	xargs -P "$jobs" -I{} git clone --mirror -q "$url/$org/{}.git" "$floor/{}.git" <"$work/floor.names" ||
	echo "clone floor: some clones failed" >&2
cloned=$(find "$floor" -mindepth 1 -maxdepth 1 -name '*.git' -type d | wc -l)
rm -rf "$floor"
sleep 1.1 # pushes must land after the first sweep's fetches (pushed_at has 1 s precision on GitHub)
"$work/sweepbench" -root "$work/org" -push 5
sweep second state.db
# The history scanner alone on the same mirrors (already cloned): a sweep
# with a fresh state file rescans every object without fetching anything new.
rm -f "$work/rescan.db"
sweep rescan rescan.db 2>/dev/null
load=$(cut -d' ' -f1-3 /proc/loadavg)

missing=0
for k in $(sed -n 's/.*"\(AKIA[A-Z2-7]\{16\}\)".*/\1/p' "$work/org/meta.json"); do
	grep -q "\"$k\"" "$work/second.json" || { echo "MISSING planted key $k"; missing=$((missing + 1)); }
done

read -r t1 rss1 u1 s1 <<EOF
$(tail -1 "$work/first.time")
EOF
read -r t2 rss2 u2 s2 <<EOF
$(tail -1 "$work/second.time")
EOF
read -r h rss3 u3 s3 <<EOF
$(tail -1 "$work/rescan.time")
EOF
read -r f rss4 u4 s4 <<EOF
$(tail -1 "$work/floor.time")
EOF
b1=$(field first bytes)
b2=$(field second bytes)
awk -v t1="$t1" -v t2="$t2" -v r1="$rss1" -v r2="$rss2" -v b1="$b1" -v b2="$b2" -v h="$h" -v r3="$rss3" -v miss="$missing" -v n="$repos" \
	-v c1="$(echo "$u1 + $s1" | bc)" -v c2="$(echo "$u2 + $s2" | bc)" -v c3="$(echo "$u3 + $s3" | bc)" -v load="$load" \
	-v f="$f" -v c4="$(echo "$u4 + $s4" | bc)" -v jobs="$jobs" -v cloned="$cloned" -v total="$(wc -l <"$work/floor.names")" -v hist="${HISTORY_MBPS:-n/a}" '
BEGIN {
	printf "repositories:              %d, %.1f MB scanned by the first sweep\n", n, b1 / 1e6
	printf "first sweep:               %6.2f s wall, %6.2f s CPU, peak RSS %.0f MB, %.1f MB/s wall, %.1f MB/s CPU\n", t1, c1, r1 / 1024, b1 / 1e6 / t1, b1 / 1e6 / c1
	printf "second sweep (5 pushed):   %6.2f s wall, %6.2f s CPU, peak RSS %.0f MB, %.1f kB scanned\n", t2, c2, r2 / 1024, b2 / 1e3
	printf "second / first:            %.1f%% wall, %.1f%% CPU   (target <= 5%%)\n", 100 * t2 / t1, 100 * c2 / c1
	printf "scan only, same mirrors:   %6.2f s wall, %6.2f s CPU, peak RSS %.0f MB, %.1f MB/s wall, %.1f MB/s CPU\n", h, c3, r3 / 1024, b1 / 1e6 / h, b1 / 1e6 / c3
	printf "first sweep / scan only:   %.2fx wall, %.2fx CPU (the difference is cloning)\n", t1 / h, c1 / c3
	printf "clone floor:               %6.2f s wall, %6.2f s CPU (clients), %.1f MB/s wall (git clone --mirror, %d at once, %d of %d cloned)\n", f, c4, b1 / 1e6 / f, jobs, cloned, total
	printf "first sweep / clone floor: %.2fx wall, %.2fx CPU\n", t1 / f, c1 / c4
	if (hist == "n/a" || hist + 0 <= 0)
		printf "first sweep vs history:    %.1f MB/s wall; history benchmark n/a (set HISTORY_MBPS)\n", b1 / 1e6 / t1
	else
		printf "first sweep vs history:    %.1f MB/s wall; history benchmark %.1f MB/s, history / first sweep %.2fx (target <= 1.5x)\n", b1 / 1e6 / t1, hist, hist / (b1 / 1e6 / t1)
	printf "planted keys missing:      %d\n", miss
	printf "load average at the end:   %s (other processes share the machine)\n", load
}'
