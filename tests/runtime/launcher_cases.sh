#!/usr/bin/env bash
# shardsim-run's failure behaviour with real processes. Usage: launcher_cases.sh CASE SHARDSIM_RUN
# Each case bounds its own run time, so a hang fails the case instead of blocking CI.
set -u
case_name=$1; run=$2
out=$(mktemp); err=$(mktemp); work=$(mktemp -d)
trap 'rm -rf "$out" "$err" "$work"' EXIT
fail() { echo "FAIL ($case_name): $*"; echo "--- stdout"; cat "$out"; echo "--- stderr"; cat "$err"; exit 1; }
expect_status() { [ "$1" -eq "$2" ] || fail "exit status $1, expected $2"; }
expect_last_line() { tail -n 1 "$err" | grep -Eq -- "$1" || fail "last stderr line does not match /$1/"; }
expect_seconds_below() { [ "$1" -lt "$2" ] || fail "took $1 s, limit $2 s"; }

case $case_name in
  bench_json)
    # Every op, flat and two-level, on the world and on partition and replication groups, in
    # several dtypes: the JSON parses, holds every row, and no element is wrong.
    # Sizes 1000 and 10000 bytes are not multiples of the group: they are rounded down.
    for spec in "ring world f32 2" "hierarchical world bf16 2" "ring partition:2 f16 2" \
                "hierarchical partition:4 i32 2" "ring replication:2 f64 2" "hierarchical replication:2 f32 2"; do
      set -- $spec
      timeout 60 "$run" --local-ranks 4 --ranks-per-node 2 --timeout-s 10 bench --algo "$1" --group "$2" -d "$3" \
        -b 1000 -e 10000 -f 10 -n 1 -w 1 --json >"$out" 2>"$err"
      expect_status $? 0
      python3 - "$out" "$@" <<'PY' || fail "JSON check failed for $spec"
import json, sys
path, algo, group, dtype, sizes = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
rows = json.load(open(path))["results"]
group_size = 4 if group == "world" else (int(group.split(":")[1]) if group.startswith("partition") else 4 // int(group.split(":")[1]))
assert len(rows) == 3 * sizes * 2, f"{len(rows)} rows"
for r in rows:
    for key in ("op", "algo", "group_size", "bytes", "time_s", "algbw_GBps", "busbw_GBps", "wrong",
                "in_place", "dtype", "count", "iterations", "ranks_per_node", "nodes"):
        assert key in r, f"missing {key}"
    assert r["wrong"] == 0, r
    assert r["algo"] == algo and r["dtype"] == dtype and r["group_size"] == group_size, r
    assert r["nodes"] == 2 and r["ranks_per_node"] == 2, r
    assert r["time_s"] > 0 and r["busbw_GBps"] > 0, r
    rounded = not (r["op"] == "all_reduce" and algo == "ring")  # the flat all-reduce takes any count
    assert not rounded or r["bytes"] % (group_size * {"f32": 4, "bf16": 2, "f16": 2, "i32": 4, "f64": 8}[dtype]) == 0, r
assert {r["op"] for r in rows} == {"all_gather", "reduce_scatter", "all_reduce"}
PY
    done
    ;;
  table)
    timeout 60 "$run" --local-ranks 4 bench --ops all_reduce -b 1K -e 4K -n 2 -w 1 >"$out" 2>"$err"
    expect_status $? 0
    grep -Eq '^# +size +count +type +redop +root +time +algbw +busbw +#wrong +time +algbw +busbw +#wrong$' "$out" || fail "no nccl-tests header"
    [ "$(grep -Ec '^ +[0-9]+ +[0-9]+ +float +sum +-1 ' "$out")" -eq 3 ] || fail "expected 3 rows"
    grep -q "Out of bounds values : 0 OK" "$out" || fail "no OK line"
    ;;
  kill_rank)
    # Rank 1 dies (SIGKILL) before its first timed loop: the others fail at once, the launcher names it.
    start=$SECONDS
    timeout 30 "$run" --local-ranks 4 --timeout-s 5 bench -b 1K -e 1K -n 2 --test-kill-rank 1 >"$out" 2>"$err"
    expect_status $? 1
    expect_last_line '^shardsim-run: error: rank 1 was killed by signal 9'
    grep -Eq '^\[rank [023]\] shardsim-run: error: rank [023]: .*(died|failed)' "$err" || fail "no rank reported the dead peer"
    expect_seconds_below $((SECONDS - start)) 10
    ;;
  stall_rank)
    # Rank 2 stalls: the others time out after 2 s and fail; the launcher kills rank 2 after its grace.
    start=$SECONDS
    timeout 30 "$run" --local-ranks 4 --timeout-s 2 bench -b 1K -e 1K -n 2 --test-stall-rank 2 >"$out" 2>"$err"
    expect_status $? 1
    expect_last_line 'rank 2 was still running .* and was killed'
    grep -Eq 'did not complete within 2 s' "$err" || fail "no rank reported the timeout"
    expect_seconds_below $((SECONDS - start)) 15
    ;;
  mismatched_arguments)
    # Two ranks started by hand (torchrun variables, one file store) with different -n.
    for rank in 0 1; do
      RANK=$rank WORLD_SIZE=2 SHARDSIM_STORE_DIR="$work/store" timeout 30 \
        "$run" --timeout-s 10 bench -b 1K -e 1K -n $((rank + 1)) >"$out.$rank" 2>"$err.$rank" &
      pids[$rank]=$!
    done
    for rank in 0 1; do wait "${pids[$rank]}"; status[$rank]=$?; done
    cat "$err.0" "$err.1" >"$err"; rm -f "$out".? "$err".?
    expect_status "${status[0]}" 1
    expect_status "${status[1]}" 1
    grep -Eq '^shardsim-run: error: rank 1 was started with different arguments than rank 0' "$err" || fail "mismatch not named"
    [ "$(wc -l <"$err")" -eq 2 ] || fail "expected one line per rank"
    ;;
  tcp_rendezvous)
    # Two ranks over the TCP store at MASTER_ADDR:MASTER_PORT (a free port chosen by the system).
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    for rank in 1 0; do
      RANK=$rank WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=$port timeout 30 \
        "$run" --timeout-s 10 bench --ops all_gather -b 1K -e 1K -n 2 --json >"$out.$rank" 2>"$err.$rank" &
      pids[$rank]=$!
    done
    for rank in 0 1; do wait "${pids[$rank]}"; status[$rank]=$?; done
    cp "$out.0" "$out"; cat "$err.0" "$err.1" >"$err"; rm -f "$out".? "$err".?
    expect_status "${status[0]}" 0
    expect_status "${status[1]}" 0
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"]; assert len(r)==2 and all(x["wrong"]==0 and x["group_size"]==2 for x in r)' "$out" \
      || fail "bad JSON"
    ;;
  inter_node_delay)
    # The emulated inter-node delay: 2 nodes x 1 rank, one all-gather step crosses nodes, so an
    # all-gather takes at least the delay (a lower bound by construction, not a speed claim).
    timeout 60 "$run" --local-ranks 2 --ranks-per-node 1 --inter-node-delay-us 30000 bench --ops all_gather \
      -b 1K -e 1K -n 2 -w 0 --json >"$out" 2>"$err"
    expect_status $? 0
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"]; assert all(x["time_s"] >= 0.03 and x["nodes"] == 2 for x in r), r' "$out" \
      || fail "all-gather faster than the inter-node delay"
    ;;
  *) echo "unknown case $case_name"; exit 2 ;;
esac
echo "ok: $case_name"
