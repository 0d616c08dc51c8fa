#!/usr/bin/env bash
# shardsim_plots.py on fresh, small CLI outputs: every figure is written as a non-empty PNG and SVG;
# one input alone draws only its own figures; bad input fails with one line on stderr, exit 1
# and no image. Usage: test_plots.sh SHARDSIM_BINARY   (Python: $SHARDSIM_PYTHON, default /usr/bin/python3)
set -uo pipefail
shardsim=${1:?usage: test_plots.sh SHARDSIM_BINARY}
here=$(cd "$(dirname "$0")" && pwd)
py=${SHARDSIM_PYTHON:-/usr/bin/python3}
plots="$here/shardsim_plots.py"
scenario="$here/../scenarios/toy-mics-4node.json"
export MPLBACKEND=Agg

fail() { echo "FAIL: $*"; exit 1; }
[ -x "$py" ] || fail "$py not found: install Debian's python3 (bash .ci/install-deps)"
"$py" -c "import matplotlib, pandas" 2>/dev/null ||
  fail "$py cannot import matplotlib and pandas: run 'bash .ci/install-deps' (Debian packages python3-matplotlib python3-pandas)"

dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
run() { "$@" >"$dir/cli.out" 2>"$dir/cli.err" || fail "$* exited $?: $(cat "$dir/cli.err")"; }

# Inputs: the CLI's own outputs, small enough to take well under a second each.
run "$shardsim" scaling --model toy-1b --gpus 16,32,64 --strategies zero3,mics --csv "$dir/scaling.csv"
run "$shardsim" plan --model toy-1b --gpus 16,32 --global-batch 64 --strategies zero3,mics --splits 2 --csv "$dir/plan.csv"
for s in zero2 zero3 mics; do
  "$shardsim" simulate "$scenario" --strategy "$s" --json >"$dir/$s.json" 2>"$dir/cli.err" ||
    fail "simulate --strategy $s: $(cat "$dir/cli.err")"
done

# expect_images DIR STEM... : DIR holds exactly STEM.png and STEM.svg for each STEM, all valid.
expect_images() {
  local out=$1; shift
  local want=() stem f
  for stem in "$@"; do
    for f in "$out/$stem.png" "$out/$stem.svg"; do
      [ -s "$f" ] || fail "$f missing or empty"
      want+=("$(basename "$f")")
    done
    head -c 8 "$out/$stem.png" | od -An -tx1 | grep -q "89 50 4e 47 0d 0a 1a 0a" || fail "$out/$stem.png is not a PNG"
    grep -q "<svg" "$out/$stem.svg" || fail "$out/$stem.svg is not an SVG"
  done
  local have; have=$(cd "$out" && ls -A | sort | tr '\n' ' ')
  local expected; expected=$(printf '%s\n' "${want[@]}" | sort | tr '\n' ' ')
  [ "$have" = "$expected" ] || fail "$out holds '$have', expected '$expected' (left-over temporary files?)"
}

# All inputs at once.
"$py" "$plots" --scaling "$dir/scaling.csv" --plan "$dir/plan.csv" \
  --memory "$dir/zero2.json" "$dir/zero3.json" "$dir/mics.json" --model toy-1b \
  --out "$dir/all" --format png,svg >"$dir/out.txt" 2>"$dir/err.txt" || fail "plot run exited $?: $(cat "$dir/err.txt")"
[ ! -s "$dir/err.txt" ] || fail "plot run wrote to stderr: $(cat "$dir/err.txt")"
expect_images "$dir/all" scaling_efficiency throughput_per_gpu step_time_heatmap memory_breakdown
[ "$(wc -l <"$dir/out.txt")" -eq 8 ] || fail "expected the 8 written files on stdout, got: $(cat "$dir/out.txt")"

# One input alone draws its own figures and nothing else.
"$py" "$plots" --memory "$dir/mics.json" --out "$dir/memory" >/dev/null 2>&1 || fail "--memory alone failed"
expect_images "$dir/memory" memory_breakdown

# Without --out the figures go outside the source tree ($SHARDSIM_PLOT_DIR, else ~/.cache).
HOME="$dir/home" SHARDSIM_PLOT_DIR= XDG_CACHE_HOME= "$py" "$plots" --memory "$dir/mics.json" >"$dir/default.txt" 2>&1 ||
  fail "--memory without --out failed: $(cat "$dir/default.txt")"
expect_images "$dir/home/.cache/shardsim/plots" memory_breakdown

# Titles name the model (from the CSVs' model column, without --model) and the cluster; memory is
# in GiB with the GPU's memory as a line; strong scaling shares one baseline.
"$py" "$plots" --scaling "$dir/scaling.csv" --plan "$dir/plan.csv" --memory "$dir/zero3.json" "$dir/mics.json" \
  --out "$dir/titles" --format svg >/dev/null 2>&1 || fail "plot run for the titles failed"
for f in scaling_efficiency throughput_per_gpu step_time_heatmap memory_breakdown; do
  grep -q "toy-1b" "$dir/titles/$f.svg" || fail "$f.svg does not name the model"
  grep -q "p4d.24xlarge" "$dir/titles/$f.svg" || fail "$f.svg does not name the cluster"
done
grep -q "GPU memory (37.3 GiB)" "$dir/titles/memory_breakdown.svg" || fail "memory_breakdown.svg has no GPU memory line"
grep -q "for every strategy" "$dir/titles/scaling_efficiency.svg" || fail "strong scaling is not on one baseline"
"$py" - "$here" "$dir/scaling.csv" <<'PY' || fail "strong-scaling baseline (above)"
import sys
sys.path.insert(0, sys.argv[1])
import shardsim_plots as sp
df = sp.load_scaling(sys.argv[2])
strong = df[(df["mode"] == "strong") & df["fits"]]
# One baseline: the best per-GPU throughput at the smallest cluster is 100%, nothing else above it there.
smallest = strong[strong["gpus"] == strong["gpus"].min()]
assert abs(smallest["efficiency"].max() - 1.0) < 1e-9, smallest
ratio = strong["tokens_per_s_per_gpu"] / strong["efficiency"]
assert ratio.max() - ratio.min() < 1e-6 * ratio.max(), "strategies on different baselines"
PY

# Bad input: exit 1, exactly one line on stderr naming the problem, nothing on stdout, no image.
printf 'a,b\n1,2\n' >"$dir/wrong.csv"
printf '{"strategy": "mics", ' >"$dir/truncated.json"
echo '{"strategy": "mics"}' >"$dir/nobreakdown.json"
: >"$dir/empty.csv"
sed '2s/,true,/,maybe,/' "$dir/plan.csv" >"$dir/badfits.csv"
expect_failure() {
  local pattern=$1; shift
  local out="$dir/bad-out"
  rm -rf "$out"
  "$py" "$plots" "$@" --out "$out" >"$dir/bad.out" 2>"$dir/bad.err"; local status=$?
  [ "$status" -eq 1 ] || fail "$* exited $status, expected 1 (stderr: $(cat "$dir/bad.err"))"
  [ "$(wc -l <"$dir/bad.err")" -eq 1 ] || fail "$*: stderr is not one line: $(cat "$dir/bad.err")"
  grep -Eq -- "$pattern" "$dir/bad.err" || fail "$*: stderr '$(cat "$dir/bad.err")' does not match /$pattern/"
  [ ! -s "$dir/bad.out" ] || fail "$*: stdout is not empty"
  if [ -d "$out" ] && [ -n "$(ls -A "$out")" ]; then fail "$*: wrote $(ls -A "$out")"; fi
  echo "ok (fails as it should): $(cat "$dir/bad.err")"
}
# Three as separate processes (the exit status and stderr of the real command) ...
expect_failure "/nonexistent/scaling.csv: no such file" --scaling /nonexistent/scaling.csv
# A good input beside a bad one: still no image at all.
expect_failure "wrong.csv: not a shardsim scaling CSV" --plan "$dir/plan.csv" --memory "$dir/mics.json" --scaling "$dir/wrong.csv"
expect_failure "nothing to draw" --format png
# ... and the rest through main() in one process, which is what the command runs.
"$py" - "$here" "$dir" <<'PY' || fail "bad inputs run in-process (above)"
import contextlib, io, os, re, sys
sys.path.insert(0, sys.argv[1])
import shardsim_plots as sp
d = sys.argv[2]
cases = [
    ("wrong.csv: not a shardsim plan CSV: missing columns instance, ", ["--plan", f"{d}/wrong.csv"]),
    ("plan.csv: not a shardsim scaling CSV: missing columns mode, ", ["--scaling", f"{d}/plan.csv"]),
    ("empty.csv: empty file", ["--plan", f"{d}/empty.csv"]),
    ("badfits.csv: row 2: fits is 'maybe'", ["--plan", f"{d}/badfits.csv"]),
    (r"truncated.json:1:[0-9]+: malformed JSON", ["--memory", f"{d}/truncated.json"]),
    ('nobreakdown.json: no "memory_breakdown_bytes"', ["--memory", f"{d}/nobreakdown.json"]),
    ("unknown format 'gif'", ["--plan", f"{d}/plan.csv", "--format", "gif"]),
    ("unrecognized arguments: --frobnicate", ["--plan", f"{d}/plan.csv", "--frobnicate"]),
]
for pattern, args in cases:
    out = f"{d}/bad-out-inproc"
    err, std = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(std):
        status = sp.main(args + ["--out", out])
    lines = err.getvalue().splitlines()
    assert status == 1, f"{args}: returned {status}, expected 1"
    assert len(lines) == 1, f"{args}: stderr is not one line: {err.getvalue()!r}"
    assert re.search(pattern, lines[0]), f"{args}: stderr {lines[0]!r} does not match /{pattern}/"
    assert not std.getvalue(), f"{args}: stdout is not empty"
    assert not os.path.exists(out) or not os.listdir(out), f"{args}: wrote {os.listdir(out)}"
    print("ok (fails as it should):", lines[0])
PY
echo "shardsim_plots.py: 4 figures in PNG and SVG, one input alone, and 11 bad inputs rejected"
