#!/usr/bin/env bash
# The same input gives byte-identical output: simulate --json, schedule --json and plan --json
# twice each (plan also with different thread counts).
set -euo pipefail
shardsim=$1; scenario=$2; dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
"$shardsim" simulate "$scenario" --json > "$dir/a"; "$shardsim" simulate "$scenario" --json > "$dir/b"; cmp "$dir/a" "$dir/b"
"$shardsim" schedule "$scenario" --rank 5 --json > "$dir/a"; "$shardsim" schedule "$scenario" --rank 5 --json > "$dir/b"; cmp "$dir/a" "$dir/b"
"$shardsim" plan --model toy-1b --gpus 16,32 --global-batch 128 --json --threads 1 > "$dir/a"
"$shardsim" plan --model toy-1b --gpus 16,32 --global-batch 128 --json --threads 2 > "$dir/b"
cmp "$dir/a" "$dir/b"
echo "identical"
