#!/usr/bin/env bash
# validate/cluster/emulate: ranks get their variables, the inter-node rate is shaped, a failing
# rank fails the run with its status, and nothing is left behind. Skips (77) without namespaces.
set -euo pipefail
repo=$1
emulate="$repo/validate/cluster/emulate"
"$emulate" --check >/dev/null || exit 77
fail() { echo "FAIL: $*" >&2; exit 1; }
namespaces_before=$(ip netns list | grep -c '^ss[0-9a-f]\{5\}n' || true)

# Every rank sees its identity and its node's address; each line of --each runs on all ranks.
jobs=$(mktemp)
trap 'rm -f "$jobs"' EXIT
cat >"$jobs" <<'JOBS'
echo "$RANK/$WORLD_SIZE $LOCAL_RANK/$LOCAL_WORLD_SIZE node $NODE_RANK $SHARDSIM_GLOO_HOSTNAME" >"$SHARDSIM_STORE_DIR/../rank-$RANK"
ip -o -4 addr show dev eth0 | grep -q " $SHARDSIM_GLOO_HOSTNAME/24" && if [ "$RANK" = 0 ]; then cat "$SHARDSIM_STORE_DIR"/../rank-* | sort; fi
JOBS
out=$("$emulate" --nodes 2 --ranks-per-node 2 --rate 100mbit --each "$jobs")
expected=$'0/4 0/2 node 0 198.18.0.1\n1/4 1/2 node 0 198.18.0.1\n2/4 0/2 node 1 198.18.0.2\n3/4 1/2 node 1 198.18.0.2'
[[ "$out" == "$expected" ]] || fail "rank variables: expected
$expected
got
$out"

# tbf shapes node egress: goodput cannot exceed the configured rate (unshaped veth runs at GB/s).
probe=$("$emulate" --nodes 2 --ranks-per-node 1 --rate 100mbit -- /usr/bin/python3 "$repo/validate/cluster/goodput_probe.py" 8000000)
goodput=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["goodput_Mbps"])' "$probe")
python3 -c 'import sys; g=float(sys.argv[1]); sys.exit(0 if 0 < g <= 100 * 1.05 else 1)' "$goodput" ||
  fail "goodput $goodput Mbit/s at a 100 Mbit/s tbf rate"

# The first failing rank's status is the run's status, and its stderr is shown.
set +e
err=$("$emulate" --nodes 2 --ranks-per-node 1 --rate 100mbit -- sh -c '[ "$RANK" = 1 ] && { echo boom-$RANK >&2; exit 3; }; sleep 20' 2>&1 >/dev/null)
status=$?
set -e
[[ $status == 3 ]] || fail "a rank exiting 3 gave status $status"
[[ "$err" == *"rank 1 exited with status 3"* && "$err" == *"boom-1"* ]] || fail "failure message was: $err"

# Bad usage is a one-line error with status 1.
set +e
"$emulate" --nodes 0 --ranks-per-node 1 --rate 1mbit -- true 2>/dev/null
[[ $? == 1 ]] || fail "--nodes 0 was accepted"
set -e

namespaces_after=$(ip netns list | grep -c '^ss[0-9a-f]\{5\}n' || true)
[[ "$namespaces_after" -le "$namespaces_before" ]] || fail "namespaces left behind: $(ip netns list)"
echo "emulate: ok (goodput $goodput Mbit/s at 100 Mbit/s)"
