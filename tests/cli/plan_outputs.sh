#!/usr/bin/env bash
# The CSV and the JSON of one plan hold every candidate, with the documented columns.
set -euo pipefail
shardsim=$1; dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
args=(plan --model bert-10b --gpus 16,32 --global-batch 64 --strategies zero3,mics,ddp --splits 2)
"$shardsim" "${args[@]}" --csv "$dir/plan.csv" > /dev/null
"$shardsim" "${args[@]}" --json > "$dir/plan.json"
header=$(head -1 "$dir/plan.csv")
for col in instance nodes gpus strategy partition_size hierarchical micro_batch accumulation_steps fits step_time_s tokens_per_s tflops_per_gpu memory_per_gpu_bytes usd_per_million_tokens why; do
  case ",$header," in *",$col,"*) ;; *) echo "CSV lacks column $col"; exit 1;; esac
done
rows=$(($(wc -l < "$dir/plan.csv") - 1))
/usr/bin/python3 - "$dir/plan.json" "$rows" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
rows = int(sys.argv[2])
cands = doc["candidates"]
assert len(cands) == rows, f"JSON has {len(cands)} candidates, CSV {rows}"
assert "reason" in doc["recommendation"], "recommendation has no reason"
for c in cands:
    for key in ("strategy", "partition_size", "hierarchical", "micro_batch", "accumulation_steps", "fits", "memory_per_gpu_bytes"):
        assert key in c, f"candidate lacks {key}"
    if c["fits"]:
        for key in ("step_time_s", "tflops_per_gpu", "usd_per_million_tokens"):
            assert key in c, f"feasible candidate lacks {key}"
    else:
        assert "why" in c, "infeasible candidate lacks why"
assert any(not c["fits"] for c in cands), "expected some infeasible candidates (ddp)"
print(f"{rows} candidates in CSV and JSON")
PY
