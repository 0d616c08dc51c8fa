#!/usr/bin/env bash
# The NCCL backend end to end on a machine with GPUs: every bench collective on the world, on
# partition groups and hierarchical (2 emulated nodes of 1 GPU), checked result by result, and a
# ZeRO-3 step where there are 4 GPUs. With one GPU, every 2-rank job runs as 2 emulated nodes of
# 1 rank sharing it (each emulated node has its own NCCL_HOSTID, so NCCL connects them through
# its network transport instead of refusing a duplicate GPU). Skips (77) without a GPU, i.e. on
# every machine of CI. The backend is an argument so the script's own logic can be run on CPUs with
# `cpu`, without the GPU count check.
# Usage: nccl_gpu.sh SHARDSIM_RUN SCENARIO_DIR [nccl|cpu]
set -euo pipefail
run=$1 scenarios=$2 backend=${3:-nccl}
skip_status=77

gpus=2
if [ "$backend" = nccl ]; then
  gpus=$( (nvidia-smi -L 2>/dev/null || true) | grep -c '^GPU' || true)
  if [ "$gpus" -lt 1 ]; then
    echo "SKIP: no CUDA device visible to nvidia-smi; the NCCL end-to-end test needs one"
    exit $skip_status
  fi
fi

check_bench() {  # JSON on stdin: at least one row, and no row with a wrong element
  python3 -c '
import json, sys
rows = json.load(sys.stdin)["results"]
assert rows, "bench printed no rows"
bad = [r for r in rows if r["wrong"] != 0]
assert not bad, "wrong results: %s" % bad[:3]
print("%d rows, %s, all correct" % (len(rows), sorted({(r["op"], r["algo"], r["group_size"]) for r in rows})))
'
}

common=(--backend "$backend" --timeout-s 60 --job-timeout-s 300)
sweep=(-b 1K -e 4M -f 16 -n 3 -w 1)
per_node=$((gpus >= 2 ? 2 : 1))  # one GPU: 2 emulated nodes share it
"$run" --local-ranks 2 --ranks-per-node $per_node "${common[@]}" bench --ops all_gather,reduce_scatter,all_reduce -d bf16 \
  "${sweep[@]}" --json | check_bench
"$run" --local-ranks 2 --ranks-per-node 1 "${common[@]}" bench --algo hierarchical --ops all_gather,reduce_scatter \
  -d f32 "${sweep[@]}" --json | check_bench
if [ "$gpus" -ge 4 ]; then
  "$run" --local-ranks 4 "${common[@]}" bench --group partition:2 --ops all_gather,reduce_scatter "${sweep[@]}" --json |
    check_bench
  "$run" --local-ranks 4 --ranks-per-node 2 "${common[@]}" step "$scenarios/toy-zero3-2node.json" \
    --scale-bytes 0.001 --scale-compute 0.001 -n 2 -w 1 | grep "step time"
fi
# GEMM throughput for the compute-efficiency calibration: real cuBLAS GEMMs on nccl; on cpu the
# sleep stand-in at the emulated topology's rate. Every row must report a positive rate.
gemm=(--min-flops 1e9 --max-flops 1e11)
if [ "$backend" = cpu ]; then gemm=(--min-flops 1e5 --max-flops 1e7 --instance emulated-k2); fi  # 10 us-1 ms at 10 GFLOP/s
"$run" --local-ranks 2 --ranks-per-node $per_node "${common[@]}" gemm "${gemm[@]}" --stepfactor 10 -n 3 -w 1 --json |
  python3 -c '
import json, sys
rows = json.load(sys.stdin)["results"]
assert len(rows) == 3 and all(r["op"] == "gemm" and r["tflops"] > 0 for r in rows), rows
print("gemm: %s TFLOP/s" % [round(r["tflops"], 4) for r in rows])
'
