#!/usr/bin/env bash
# One GPU, one short run: what shardsim-run's NCCL backend does on real hardware, and the inputs
# the simulator's NCCL and compute models are checked against afterwards (on any machine):
#   1. the NCCL end-to-end test (tests/runtime/nccl_gpu.sh: every bench collective checked);
#   2. the GEMM sweep of this GPU (shardsim-calibrate's compute efficiency);
#   3. bench on 1 rank, and on 2 and 4 emulated nodes sharing the GPU (one NCCL_HOSTID per node,
#      so NCCL connects them through its socket transport), with NCCL's TUNING debug output (the
#      init-time cost table and each call's algorithm, protocol and channels) for
#      `shardsim nccl --tuning-log --instance h200-socket-emulated`;
#   4. under MPS (when it starts): bench's row-by-row view of measured time, shardsim's prediction
#      and NCCL formula, NCCL's own estimate (ncclGroupSimulateEnd) and choice (--nccl-choice), and
#      a GEMM sweep alone and beside NCCL traffic.
# Emulated nodes that share one GPU time-slice it: their measured times are not a cluster's, but
# NCCL's choices and predictions are those of that many nodes of one GPU. Every step has its own
# time limit and the script goes on after a failure; OUT/summary.txt says what ran.
# Usage: one_gpu_check.sh SHARDSIM_RUN OUT
set -uo pipefail
run=$1 out=$2
mkdir -p "$out"
summary=$out/summary.txt
step() {  # step NAME LIMIT_S COMMAND...: run (stdout to OUT/NAME.out, stderr to OUT/NAME.err), note the status
  local name=$1 limit=$2; shift 2
  local start=$SECONDS
  NCCL_DEBUG_FILE="$out/$name.nccl.%p.log" timeout "$limit" "$@" >"$out/$name.out" 2>"$out/$name.err"
  local status=$?
  echo "$name: exit $status in $((SECONDS - start)) s" | tee -a "$summary"
}
export NCCL_SOCKET_IFNAME=${NCCL_SOCKET_IFNAME:-lo} NCCL_IB_DISABLE=1
common=(--backend nccl --timeout-s 120 --job-timeout-s 200)
tuning=(env NCCL_DEBUG=INFO NCCL_DEBUG_SUBSYS=INIT,ENV,NET,TUNING)

{ date -u; nvidia-smi -L; nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,memory.total --format=csv; } >"$out/gpu.txt" 2>&1
step version 30 "${tuning[@]}" "$run" --local-ranks 1 "${common[@]}" bench --ops all_reduce -b 8 -e 8 -n 1 -w 0
step e2e 150 bash tests/runtime/nccl_gpu.sh "$run" scenarios nccl
step gemm 120 "$run" --local-ranks 1 "${common[@]}" gemm --min-flops 1e8 --max-flops 4e12 --stepfactor 4 -n 20 -w 3 --json
step gemm_alignment 60 python3 validate/gpu/gemm_alignment.py
step bench_1rank 90 "$run" --local-ranks 1 "${common[@]}" bench -b 8 -e 1G -f 4 -n 10 -w 3 --json
step bench_2nodes 150 "${tuning[@]}" "$run" --local-ranks 2 --ranks-per-node 1 "${common[@]}" bench -b 8 -e 256M -f 4 -n 5 -w 2 --json
step bench_4nodes 120 "${tuning[@]}" "$run" --local-ranks 4 --ranks-per-node 1 "${common[@]}" bench --ops all_reduce,all_gather -b 8 -e 64M -f 8 -n 3 -w 1 --json
# With MPS the emulated nodes' kernels run side by side instead of time-slicing, if it starts here.
if command -v nvidia-cuda-mps-control >/dev/null && nvidia-cuda-mps-control -d 2>"$out/mps.log"; then
  sleep 1
  # Measured, shardsim's prediction (event simulation and NCCL's formula), NCCL's own estimate and
  # NCCL's own choice, row by row.
  view=(bench -b 8 -e 256M -f 8 -n 5 -w 2 --nccl-choice --predict --topology h200-socket-emulated)
  step view_2nodes_mps 90 "$run" --local-ranks 2 --ranks-per-node 1 "${common[@]}" "${view[@]}"
  step view_4nodes_mps 120 "$run" --local-ranks 4 --ranks-per-node 1 "${common[@]}" "${view[@]}" --json
  # A strategy's schedule live (ZeRO-3 on the toy model, 2 emulated nodes): cuBLAS compute and NCCL
  # collectives on their streams, beside the simulator's prediction for that machine. The two ranks
  # share the GPU, so compute takes about twice its modelled time; this checks that it runs.
  step step_2nodes_mps 150 "$run" --local-ranks 2 --ranks-per-node 1 "${common[@]}" step scenarios/toy-zero3-2node.json \
    --scale-bytes 0.01 -n 3 -w 1 --predict --topology topologies/h200-socket-emulated.json
  # Compute beside NCCL kernels: the GEMM sweep alone, then while 2 emulated nodes all-reduce.
  gemm_args=(--local-ranks 1 "${common[@]}" gemm --min-flops 1e11 --max-flops 4e12 --stepfactor 4 -n 40 -w 3 --json)
  step gemm_mps_alone 45 "$run" "${gemm_args[@]}"
  "$run" --local-ranks 2 --ranks-per-node 1 "${common[@]}" bench --ops all_reduce -b 256M -e 256M -n 400 -w 1 \
    >"$out/gemm_mps_traffic.out" 2>&1 &
  traffic=$!
  sleep 5
  step gemm_mps_beside_nccl 45 "$run" "${gemm_args[@]}"
  kill "$traffic" 2>/dev/null; wait "$traffic" 2>/dev/null
  echo quit | nvidia-cuda-mps-control
else
  echo "mps: not available ($(command -v nvidia-cuda-mps-control || echo 'no nvidia-cuda-mps-control'))" | tee -a "$summary"
fi
