#!/usr/bin/env bash
# gen.sh DIR — build the synthetic history benchmark repository in DIR
# (a bare repository, one pack) and write the planted key IDs to DIR/keys.txt.
# Extra arguments go to the generator (e.g. -commits 2000 -files 300 for a
# quick run). Needs go and git.
set -euo pipefail
dir=${1:?usage: gen.sh DIR [generator flags]}
shift
root=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$dir"
git init -q --bare "$dir"
git -C "$dir" symbolic-ref HEAD refs/heads/main
go build -o "$dir/gen.bin" "$root/bench/history/gen"
start=$(date +%s)
"$dir/gen.bin" -keys "$dir/keys.txt" "$@" | git -C "$dir" fast-import --quiet
rm -f "$dir/gen.bin"
echo "fast-import: $(( $(date +%s) - start )) s"
git -C "$dir" -c gc.auto=0 repack -a -d -q
git -C "$dir" -c gc.auto=0 gc -q --prune=now
echo "generated in $(( $(date +%s) - start )) s"
git -C "$dir" count-objects -vH | grep -E 'packs|size-pack|in-pack'
echo "commits: $(git -C "$dir" rev-list --all | wc -l)  files at HEAD: $(git -C "$dir" ls-tree -r HEAD | wc -l)"
