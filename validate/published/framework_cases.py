"""Issue 14's published targets (framework-cases.json) and how a prediction is judged against one.

Shared by validate/published/frameworks, which predicts every case, and validate/published/compare,
which judges the MiCS paper's headline claims by the case that states the same claim, so the two
reports cannot disagree on a target.
"""
import json
import subprocess
from pathlib import Path

CASES_FILE = Path(__file__).resolve().parent / "framework-cases.json"
REPO = CASES_FILE.parent.parent.parent


def load():
    """framework-cases.json: its common_args (the one parameter set) and its cases."""
    return json.loads(CASES_FILE.read_text())


def runs_of(case):
    """Every `shardsim simulate` argument list the case runs: its runs, or its groups' runs."""
    return list(case.get("runs", [])) + [run for group in case.get("groups", []) for run in group]


def shardsim(binary, *args):
    """(the --json document, None) of `shardsim ARGS --json`, or (None, its last error line)."""
    result = subprocess.run([str(binary), *map(str, args), "--json"], capture_output=True, text=True)
    if result.returncode != 0:
        return None, (result.stderr.strip().splitlines() or ["failed"])[-1]
    return json.loads(result.stdout), None


def simulate(binary, common, args):
    """shardsim() of `simulate REPO/args[0] args[1:] common`."""
    return shardsim(binary, "simulate", REPO / args[0], *args[1:], *common)


def case_by_id(spec, case_id):
    for case in spec["cases"]:
        if case["id"] == case_id:
            return case
    raise KeyError(f"{CASES_FILE.name} has no case '{case_id}'")


def judge(case, value):
    """(met, error text) of `value` against the case's published figure and tolerance."""
    if "tolerance_relative" in case:
        error = value / case["published"] - 1
        return abs(error) <= case["tolerance_relative"], f"{error * 100:+.1f}% (tolerance {case['tolerance_relative'] * 100:.0f}%)"
    if "tolerance_absolute" in case:
        error = value - case["published"]
        return abs(error) <= case["tolerance_absolute"], f"{error * 100:+.1f} points (tolerance {case['tolerance_absolute'] * 100:.0f})"
    if "minimum" in case:
        return value >= case["minimum"], f"needs >= {case['minimum']}"
    low, high = case["range"]
    return low <= value <= high, f"needs {low}-{high}"
