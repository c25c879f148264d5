#!/bin/sh
# A sweep of the small demonstration org, two nights running, against the
# local GitHub and the local AWS (sweepbench -demo): what a security team
# sees. Usage: bench/sweep/demo.sh [WORKDIR] > transcript.txt
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
work=${1:-$(mktemp -d /tmp/keysweep-demo.XXXXXX)}
rm -rf "$work/org" "$work/cache" "$work/state.db" "$work/url"
mkdir -p "$work"
(cd "$top" && go build -o "$work/keysweep" . && go build -o "$work/sweepbench" ./bench/sweep) || exit 1
"$work/sweepbench" -root "$work/org" -demo || exit 1
"$work/sweepbench" -root "$work/org" -serve -urlfile "$work/url" 2>"$work/serve.log" &
server=$!
trap 'kill $server 2>/dev/null' EXIT INT TERM
while [ "$(cat "$work/url" 2>/dev/null | wc -l)" -lt 2 ]; do sleep 0.1; done
gh=$(sed -n 1p "$work/url")
sts=$(sed -n 2p "$work/url")
ks() { "$work/keysweep" "$@"; }
run() { # show the command, run it, show its exit code
	echo "\$ keysweep $*" | sed "s|$work|\$WORK|g; s|$gh|\$GITHUB|g; s|$sts|\$STS|g"
	ks "$@" >"$work/out" 2>&1
	code=$?
	sed "s|$work|\$WORK|g; s|$gh|\$GITHUB|g" "$work/out"
	echo "(exit $code)"
	echo
}
# Without an AWS profile, the SDK still wants a region and credentials to exist.
export AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=unused AWS_SECRET_ACCESS_KEY=unused
export GITHUB_TOKEN=demo-token-never-printed
common="--org acme --api-url $gh --cache-dir $work/cache --state $work/state.db --sts-endpoint $sts --no-progress"

sleep 1.1 # GitHub's pushed_at has 1 s precision: a fetch in the push's second is redone next night
echo "# Night 1: first sweep of org acme (clones every repository, verifies by default)"
run sweep github $common --include-gists --include-comments
echo "# Night 2: acme/api deleted config/prod.env and committed a new key; nothing else changed"
sleep 1.1
"$work/sweepbench" -root "$work/org" -push 1 -rm config/prod.env 2>/dev/null
run sweep github $common --include-gists --include-comments --format json
echo "# Night 2 in short (key, verdict, status):"
grep -E '"(key_id|verdict|status)"' "$work/out" | sed 's/[",]//g; s/^ *//' | paste -d' ' - - - | sed 's/key_id: //; s/verdict: //; s/status: //'
echo
echo "# What the store says now"
run findings --state "$work/state.db" --status new
run findings --state "$work/state.db" --status removed
echo "# Sharded: two workers, then merge (fresh state files, same cache)"
for k in 0 1; do
	ks sweep github --org acme --api-url "$gh" --cache-dir "$work/cache" --state "$work/shard$k.db" --no-verify \
		--no-progress --shard "$k/2" --format json -o "$work/shard$k.json" 2>/dev/null
	echo "shard $k/2: $(grep -c '"fingerprint"' "$work/shard$k.json") findings, in: $(sed -n 's/.*"repo": "\([^"]*\)".*/\1/p' "$work/shard$k.json" | sort -u | tr '\n' ' ')"
done
run merge "$work/shard0.json" "$work/shard1.json" --format text
