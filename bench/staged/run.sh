#!/usr/bin/env bash
# Staged-scan benchmark: time the whole `keysweep scan --staged` process (and
# the keysweep-hook binary the installed hooks call) against the floor
# `git diff --cached -U0 >/dev/null`, on a repository of >= 50k files and
# >= 10k commits, for a 3-file change with a key and a 3-file clean change.
#
#   bench/staged/run.sh                 # FILES=50000 COMMITS=10000 RUNS=31
#   BENCH_DIR=/tmp/ksbench bench/staged/run.sh   # keep and reuse the repository
#
# Prints wall-clock and CPU-time medians (ms; runs interleaved), ratios to the floor, peak RSS (MiB) and package-init
# time of both binaries. Uses hyperfine as a cross-check when it is installed.
set -euo pipefail

FILES=${FILES:-50000}
COMMITS=${COMMITS:-10000}
RUNS=${RUNS:-31}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=${BENCH_DIR:-$(mktemp -d)}
mkdir -p "$WORK/bin"
[ -n "${BENCH_DIR:-}" ] || trap 'rm -rf "$WORK"' EXIT

cd "$ROOT"
if [ -z "${SKIP_BUILD:-}" ]; then # SKIP_BUILD=1: reuse the binaries in $BENCH_DIR/bin
	go build -trimpath -o "$WORK/bin/keysweep" .
	go build -trimpath -o "$WORK/bin/keysweep-hook" ./cmd/keysweep-hook
	go build -o "$WORK/bin/gen" ./bench/staged/gen
fi
KS=$WORK/bin/keysweep
KH=$WORK/bin/keysweep-hook
GEN=$WORK/bin/gen

REPO=$WORK/repo
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.com GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.com
if [ ! -d "$REPO/.git" ]; then
	echo "building repository: $FILES files, $COMMITS commits (git fast-import)..." >&2
	start=$(date +%s)
	git init -q -b main "$REPO"
	"$GEN" repo -files "$FILES" -commits "$COMMITS" | git -C "$REPO" fast-import --quiet
	git -C "$REPO" reset -q --hard main
	echo "built in $(($(date +%s) - start)) s" >&2
fi
cd "$REPO"
git reset -q --hard main
echo "repository: $(git ls-files | wc -l) files, $(git rev-list --count HEAD) commits, $(git count-objects -vH | sed -n 's/size-pack: //p') packed"

f1=$(git ls-files | sed -n 100p)
f2=$(git ls-files | sed -n 20000p)
f3=$(git ls-files | sed -n 40000p)

median() { "$GEN" time -n "$RUNS" -warmup 3 -- "$@" | cut -d' ' -f1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

run_case() {
	local name=$1
	local floor ks kh rss_ks rss_kh code_ks code_kh cfloor cks ckh
	# Interleaved runs: the three commands share whatever else the machine does.
	{ read -r floor _ _ cfloor; read -r ks _ _ cks; read -r kh _ _ ckh; } < <("$GEN" time -n "$RUNS" -warmup 3 \
		-- git diff --cached -U0 -- "$KS" scan --staged --no-progress -- "$KH" pre-commit)
	read -r rss_ks code_ks < <("$GEN" rss -- "$KS" scan --staged --no-progress)
	read -r rss_kh code_kh < <("$GEN" rss -- "$KH" pre-commit)
	printf '%-10s floor %7s ms | keysweep scan --staged %7s ms (%sx, exit %s, %s MiB) | keysweep-hook %7s ms (%sx, exit %s, %s MiB)\n' \
		"$name" "$floor" "$ks" "$(ratio "$ks" "$floor")" "$code_ks" "$rss_ks" "$kh" "$(ratio "$kh" "$floor")" "$code_kh" "$rss_kh"
	printf '%-10s cpu   %7s ms | keysweep scan --staged %7s ms (%sx)                        | keysweep-hook %7s ms (%sx)\n' \
		"" "$cfloor" "$cks" "$(ratio "$cks" "$cfloor")" "$ckh" "$(ratio "$ckh" "$cfloor")"
	if [ -x /usr/bin/time ]; then
		{ /usr/bin/time -v "$KH" pre-commit 2>&1 >/dev/null || true; } | sed -n 's/^\tMaximum resident set size (kbytes): /           \/usr\/bin\/time -v keysweep-hook pre-commit, peak RSS KiB: /p'
		{ /usr/bin/time -v "$KS" scan --staged --no-progress 2>&1 >/dev/null || true; } | sed -n 's/^\tMaximum resident set size (kbytes): /           \/usr\/bin\/time -v keysweep scan --staged, peak RSS KiB: /p'
	fi
	if command -v hyperfine >/dev/null; then
		hyperfine -N -i --warmup 3 --runs "$RUNS" --export-json "$WORK/$name.json" \
			'git diff --cached -U0' "$KS scan --staged --no-progress" "$KH pre-commit" >/dev/null 2>&1 || true
		python3 - "$WORK/$name.json" <<'PY' 2>/dev/null || true
import json, sys
r = json.load(open(sys.argv[1]))["results"]
f = r[0]["median"]
print("           hyperfine medians: " + " | ".join("%s %.2f ms (%.2fx)" % (x["command"].split("/")[-1], x["median"] * 1e3, x["median"] / f) for x in r))
PY
	fi
}

# A change of three files, one of them adding a (generated, fake) key.
echo "// edit" >>"$f1"
echo "// edit" >>"$f2"
mkdir -p config
"$GEN" key -seed 7 >config/settings.py
git add "$f1" "$f2" config/settings.py
run_case with-key

git reset -q --hard main
rm -rf config
echo "// edit" >>"$f1"
echo "// edit" >>"$f2"
echo "// edit" >>"$f3"
git add "$f1" "$f2" "$f3"
run_case clean
git reset -q --hard main

init_ms() { GODEBUG=inittrace=1 "$@" 2>&1 >/dev/null | awk '/^init /{ s += $5 } END { printf "%.2f", s }'; }
echo "package init: keysweep $(init_ms "$KS" version) ms, keysweep-hook $(init_ms "$KH" --help) ms"
echo "process start (median of $RUNS): keysweep version $(median "$KS" version) ms, keysweep-hook --help $(median "$KH" -h) ms, git --version $(median git --version) ms"
