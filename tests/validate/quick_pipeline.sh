#!/usr/bin/env bash
# validate/run --quick end to end: emulated cluster, bench sweep, calibration, collective and step
# matrix, report. Asserts the report is complete and the simulator orders the strategies as the
# live runs do. Skips (77) where namespaces cannot be created.
set -euo pipefail
repo=$1 bin=$2 timing=${3:-plain}  # timing: plain, or sanitized (ordering reported, not asserted)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
set +e
"$repo/validate/run" --quick --bin "$bin" --out "$out"
status=$?
set -e
((status == 77)) && exit 77
((status == 0)) || { echo "FAIL: validate/run --quick exited $status" >&2; exit 1; }
/usr/bin/python3 - "$out" "$timing" <<'PY'
import json, sys
from pathlib import Path
out, timing = Path(sys.argv[1]), sys.argv[2]
report = json.loads((out / "report.json").read_text())
cases, summary = report["cases"], report["summary"]
def check(ok, what):
    if not ok:
        sys.exit(f"FAIL: {what}")
check(any(c["kind"] == "step" for c in cases), "no training-step case")
check({"all_gather", "reduce_scatter", "all_reduce"} <= {c["kind"] for c in cases}, "a collective is missing")
for c in cases:
    check(c["predicted_s"] > 0 and c["measured_s"] > 0 and c["spread"]["runs"] == report["setup"]["runs"] >= 3, f"case {c['case']} incomplete")
    check(abs(c["error_pct"] - (c["predicted_s"] / c["measured_s"] - 1) * 100) < 1e-9, f"error_pct of {c['case']}")
if timing == "plain":
    check(summary["ordering_matches"] is True, f"strategy ordering differs: {summary['orderings']}")
elif not summary["ordering_matches"]:
    print(f"note: sanitizer build, ordering not asserted: {summary['orderings']}")
check((out / "report.md").stat().st_size > 0 and (out / "predicted_vs_measured.png").stat().st_size > 0, "report files")
check(report["calibration"]["r_squared"] > 0, "calibration")
print(f"quick validation: {len(cases)} cases, median |error| {summary['median_abs_error_pct']:.1f}%, "
      f"max {summary['max_abs_error_pct']:.1f}%, ordering matches: {summary['ordering_matches']}")
PY
