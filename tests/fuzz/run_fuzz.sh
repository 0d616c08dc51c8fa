#!/usr/bin/env bash
# Runs one libFuzzer target from a fresh working corpus seeded with the shipped files, so every run
# starts from the same inputs: run_fuzz.sh FUZZER WORK_DIR RUNS SEED_DIR_OR_FILE... [-- LIBFUZZER_FLAGS...]
# A crash leaves its input in WORK_DIR/crash-* (copy it to tests/fuzz/regressions/TARGET/).
set -euo pipefail
fuzzer=$1 work=$2 runs=$3; shift 3
dirs=() files=() flags=()
while [ $# -gt 0 ]; do
  if [ "$1" = -- ]; then shift; flags=("$@"); break; fi
  if [ -d "$1" ]; then dirs+=("$1"); else files+=("$1"); fi
  shift
done
rm -rf "$work"; mkdir -p "$work/corpus"
seed_inputs=()
[ ${#files[@]} -eq 0 ] || seed_inputs=("-seed_inputs=$(IFS=,; echo "${files[*]}")")
# -seed=1: the same mutations every run; -timeout: one input may take at most 10 s (a hang is a bug).
exec "$fuzzer" -runs="$runs" -seed=1 -timeout=10 -print_final_stats=1 -artifact_prefix="$work/" \
  "${seed_inputs[@]}" "${flags[@]}" "$work/corpus" "${dirs[@]}"
