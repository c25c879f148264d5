#!/usr/bin/env bash
# firstpaint.sh REPO — time from launching `keysweep triage REPO` to its
# first frame (the scan progress view) and to the list (its "VERDICT"
# header), as a person at the terminal sees them.
#
# Method: the real binary runs in a detached tmux session (100x30); a loop
# polls `tmux capture-pane` (a few ms per poll) from the moment just before
# tmux is asked to start it. RUNS launches (default 5); min and median are
# printed. Verification is off (--verify=false): no call leaves the machine.
#
#   bench/history/gen.sh /tmp/bench-10k -commits 10000
#   bench/triage/firstpaint.sh /tmp/bench-10k
#
# Needs go, git and tmux. KEYSWEEP=path uses an existing binary.
set -euo pipefail
repo=${1:?usage: firstpaint.sh REPO}
runs=${RUNS:-5}
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${KEYSWEEP:-}
if [ -z "$bin" ]; then
  bin=$(mktemp -d)/keysweep
  go build -o "$bin" "$root"
fi
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
firsts=(); lists=()
for i in $(seq "$runs"); do
  sess=ks-firstpaint-$$-$i
  start=$(date +%s%N)
  tmux new-session -d -s "$sess" -x 100 -y 30 "$bin triage --verify=false '$repo'; sleep 60"
  first=""
  while :; do
    pane=$(tmux capture-pane -t "$sess" -p 2>/dev/null || true)
    if [ -z "$first" ] && grep -q "keysweep triage" <<<"$pane"; then first=$(ms "$start"); fi
    if grep -q "VERDICT" <<<"$pane"; then list=$(ms "$start"); break; fi
    if [ "$(ms "$start")" -gt 600000 ]; then echo "timeout" >&2; tmux kill-session -t "$sess"; exit 1; fi
  done
  tmux kill-session -t "$sess"
  echo "run $i: first frame ${first} ms, list ${list} ms"
  firsts+=("$first"); lists+=("$list")
done
stats() { sort -n | awk '{a[NR]=$1} END {printf "min %d ms, median %d ms\n", a[1], a[int((NR+1)/2)]}'; }
echo "first frame: $(printf '%s\n' "${firsts[@]}" | stats)"
echo "list:        $(printf '%s\n' "${lists[@]}" | stats)"
echo "commits: $(git -C "$repo" rev-list --all | wc -l), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
