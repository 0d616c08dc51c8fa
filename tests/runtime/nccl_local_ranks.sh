#!/usr/bin/env bash
# shardsim-run --local-ranks 2 --backend nccl with no visible GPU: the launcher finds the missing
# device before starting any rank and says so in one line, exits 1, and nothing hangs or crashes
# (status 2 or a signal).
# Usage: nccl_local_ranks.sh SHARDSIM_RUN
set -u
run=$1
err=$(mktemp)
CUDA_VISIBLE_DEVICES= timeout 60 "$run" --local-ranks 2 --backend nccl bench --ops all_gather -b 1K -e 1K 2>"$err" >/dev/null
status=$?
fail() { echo "FAIL: $*"; echo "--- stderr"; cat "$err"; rm -f "$err"; exit 1; }
[ "$status" -eq 1 ] || fail "exit status $status, expected 1"
[ "$(wc -l <"$err")" -eq 1 ] || fail "stderr is not exactly one line"
grep -Eq "^shardsim-run: error: --backend nccl: no CUDA device visible \(cudaGetDeviceCount: .+\); use --backend cpu" "$err" ||
  fail "the missing device was not reported"
cat "$err"; rm -f "$err"
