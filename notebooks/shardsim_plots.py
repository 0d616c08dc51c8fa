#!/usr/bin/python3
"""Figures from shardsim's outputs: scaling CSV, plan CSV and simulate JSON.

Command line (every input is optional; it draws what its inputs allow):

    /usr/bin/python3 notebooks/shardsim_plots.py --scaling scaling.csv --plan plan.csv \
        --memory zero3.json mics.json [--out DIR] [--format png,svg] [--model NAME]

Figures written to DIR (one file per format):

    scaling_efficiency   from --scaling: per-GPU throughput at N over a baseline: weak scaling,
                         each strategy's own at the smallest N; strong scaling, one baseline for
                         every strategy (the best per-GPU throughput at the smallest N)
    throughput_per_gpu   from --scaling: tokens/s per GPU against GPUs, one line per strategy
    step_time_heatmap    from --plan: best step time per (partition size p, cluster size N), MiCS
                         plus ZeRO-3 as p = N
    memory_breakdown     from --memory: memory per GPU by component, one stacked bar per run,
                         with the GPU's memory as a line

Every title names the model (the CSVs' model column, else --model) and the cluster. Memory is in
GiB (2^30 bytes), as shardsim's human output. DIR defaults to $SHARDSIM_PLOT_DIR, else
~/.cache/shardsim/plots ($XDG_CACHE_HOME honoured): never inside the source tree.

Bad input (missing file, wrong columns, malformed JSON) prints one line on stderr and exits 1
before any image is written; images are written under a temporary name and renamed.

The notebooks in this folder import the same functions: load_scaling, load_plan, load_memory,
scaling_efficiency_figure, throughput_per_gpu_figure, step_time_heatmap_figure,
memory_breakdown_figure, save_figure and plot_all.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # headless: figures are only ever written to files

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib import colors as mcolors  # noqa: E402
from matplotlib import ticker  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch, Rectangle  # noqa: E402

GiB = 2 ** 30  # memory in GiB, as shardsim's human output and the axis labels say

SCALING_COLUMNS = [
    "mode", "strategy", "instance", "gpus", "nodes", "partition_size", "micro_batch",
    "accumulation_steps", "global_batch", "step_time_s", "tokens_per_s", "tokens_per_s_per_gpu",
    "tflops_per_gpu", "efficiency", "fits", "why",
]
# Optional columns (newer CSVs): the model the rows are of.
MODEL_COLUMN = "model"
PLAN_COLUMNS = [
    "instance", "nodes", "gpus", "strategy", "partition_size", "hierarchical", "micro_batch",
    "accumulation_steps", "fits", "within_constraints", "step_time_s", "tokens_per_s",
    "tflops_per_gpu", "exposed_comm_s", "memory_per_gpu_bytes", "cluster_usd_per_hour",
    "usd_per_million_tokens", "why",
]
FORMATS = ("png", "svg", "pdf")

# One name and one colour per strategy in every figure.
STRATEGY_NAMES = {
    "ddp": "DDP", "zero1": "ZeRO-1", "zero2": "ZeRO-2", "zero3": "ZeRO-3", "mics": "MiCS",
    "zeropp_hpz": "ZeRO++ (hpZ)", "hybrid_shard": "FSDP hybrid shard",
    "hybrid_shard_deferred": "FSDP hybrid shard (deferred)",
}
STRATEGY_ORDER = ["zero3", "mics", "zero2", "zero1", "ddp", "zeropp_hpz", "hybrid_shard",
                  "hybrid_shard_deferred"]
STRATEGY_COLORS = {
    "zero3": "#1f77b4", "mics": "#d62728", "zero2": "#2ca02c", "zero1": "#9467bd",
    "ddp": "#7f7f7f", "zeropp_hpz": "#ff7f0e", "hybrid_shard": "#8c564b",
    "hybrid_shard_deferred": "#e377c2",
}
STRATEGY_MARKERS = {"zero3": "o", "mics": "s", "zero2": "^", "zero1": "v", "ddp": "D",
                    "zeropp_hpz": "P", "hybrid_shard": "X", "hybrid_shard_deferred": "*"}
# Strategies whose partition-group size p is worth naming in a label.
PARTITIONED = {"mics", "zeropp_hpz", "hybrid_shard", "hybrid_shard_deferred"}
# Known memory components keep their colour (and stacking order, bottom up) in every figure.
KNOWN_COMPONENTS = {"parameters": "#4c72b0", "gradients": "#dd8452", "optimizer states": "#55a868",
                    "gradient buckets": "#937860", "gathered parameters": "#c44e52",
                    "activations": "#8172b3", "other": "#8c8c8c"}
COMPONENT_COLORS = ["#da8bc3", "#ccb974", "#64b5cd", "#1b9e77", "#e7298a", "#66a61e"]


class InputError(Exception):
    """An input the figures cannot be drawn from; the message is one line naming the problem."""


# ----------------------------------------------------------------------------------------------
# Loading and checking inputs


def strategy_name(key: str) -> str:
    return STRATEGY_NAMES.get(str(key), str(key))


def _strategy_sort_key(key: str):
    key = str(key)
    return (STRATEGY_ORDER.index(key) if key in STRATEGY_ORDER else len(STRATEGY_ORDER), key)


def _check_file(path) -> Path:
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, expected a file")
    return path


def _parse_bool(df: pd.DataFrame, column: str, path: Path) -> pd.Series:
    text = df[column].astype(str).str.strip().str.lower()
    values = text.map({"true": True, "false": False, "1": True, "0": False})
    bad = values.isna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(f"{path}: row {row + 2}: {column} is '{df[column].iloc[row]}', "
                         "expected true or false")
    return values.astype(bool)


def _read_csv(path, required: list[str], what: str, numeric: list[str],
              needed_when_fits: list[str]) -> pd.DataFrame:
    path = _check_file(path)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise InputError(f"{path}: empty file, expected a shardsim {what} CSV") from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise InputError(f"{path}: not a CSV file ({first})") from None
    df.columns = [str(c).strip() for c in df.columns]
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise InputError(f"{path}: not a shardsim {what} CSV: missing column"
                         f"{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
    if df.empty:
        raise InputError(f"{path}: no rows after the header")
    df["fits"] = _parse_bool(df, "fits", path)
    for column in numeric:
        text = df[column].astype(str).str.strip()
        values = pd.to_numeric(text.where(text != "", None), errors="coerce")
        # Numbers are required for every row that fits; rows that do not fit may leave them empty.
        must = text.ne("") | (df["fits"] & (column in needed_when_fits))
        bad = must & values.isna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(f"{path}: row {row + 2}: {column} is '{df[column].iloc[row]}', "
                             "expected a number")
        df[column] = values
    for column in ("gpus",):
        if (df[column] <= 0).any():
            row = int(np.flatnonzero((df[column] <= 0).to_numpy())[0])
            raise InputError(f"{path}: row {row + 2}: {column} must be positive")
    df["strategy"] = df["strategy"].astype(str).str.strip()
    df["instance"] = df["instance"].astype(str).str.strip()
    return df


def load_scaling(path) -> pd.DataFrame:
    """Reads `shardsim scaling --csv` output; raises InputError naming the problem."""
    numeric = ["gpus", "nodes", "partition_size", "micro_batch", "accumulation_steps",
               "global_batch", "step_time_s", "tokens_per_s", "tokens_per_s_per_gpu",
               "tflops_per_gpu", "efficiency"]
    df = _read_csv(path, SCALING_COLUMNS, "scaling", numeric,
                   needed_when_fits=["gpus", "tokens_per_s_per_gpu", "efficiency"])
    df["mode"] = df["mode"].astype(str).str.strip().str.lower()
    unknown = sorted(set(df["mode"]) - {"weak", "strong"})
    if unknown:
        raise InputError(f"{path}: unknown mode '{unknown[0]}', expected weak or strong")
    # Rows that do not fit carry no numbers; 0 would draw as a real (terrible) point.
    for column in ("step_time_s", "tokens_per_s", "tokens_per_s_per_gpu", "tflops_per_gpu",
                   "efficiency"):
        df.loc[~df["fits"], column] = np.nan
    return common_strong_baseline(df)


def common_strong_baseline(df: pd.DataFrame) -> pd.DataFrame:
    """Strong scaling on one baseline for every strategy: efficiency = per-GPU throughput over the
    best per-GPU throughput of any strategy at the smallest cluster where one fits (per instance),
    so the lines compare strategies as well as sizes. Weak scaling keeps each strategy's own."""
    df = df.copy()
    df["baseline"] = ""
    for instance in df["instance"].unique():
        rows = (df["mode"] == "strong") & (df["instance"] == instance)
        ok = df[rows & df["fits"]]
        if ok.empty:
            continue
        smallest = ok["gpus"].min()
        at = ok[ok["gpus"] == smallest]
        best = at.loc[at["tokens_per_s_per_gpu"].idxmax()]
        if best["tokens_per_s_per_gpu"] > 0:
            df.loc[rows, "efficiency"] = df.loc[rows, "tokens_per_s_per_gpu"] / best["tokens_per_s_per_gpu"]
            df.loc[rows, "baseline"] = f"{strategy_name(best['strategy'])} at {smallest:g} GPUs"
    return df


def model_of(df: pd.DataFrame, given: str | None) -> str | None:
    """The model for titles: `given` (--model), else the CSV's model column when it has one value."""
    if given:
        return given
    if MODEL_COLUMN in df.columns:
        names = sorted({str(m).strip() for m in df[MODEL_COLUMN] if str(m).strip()})
        if len(names) == 1:
            return names[0]
    return None


def load_plan(path) -> pd.DataFrame:
    """Reads `shardsim plan --csv` output; raises InputError naming the problem."""
    numeric = ["nodes", "gpus", "partition_size", "micro_batch", "accumulation_steps",
               "step_time_s", "tokens_per_s", "tflops_per_gpu", "exposed_comm_s",
               "memory_per_gpu_bytes", "cluster_usd_per_hour", "usd_per_million_tokens"]
    df = _read_csv(path, PLAN_COLUMNS, "plan", numeric,
                   needed_when_fits=["gpus", "partition_size", "step_time_s"])
    df["hierarchical"] = _parse_bool(df, "hierarchical", path)
    df.loc[~df["fits"], ["step_time_s", "tokens_per_s", "tflops_per_gpu"]] = np.nan
    return df


def load_memory(paths) -> list[dict]:
    """Reads `shardsim simulate --json` documents: one record per file, in the order given."""
    records = []
    for p in paths:
        path = _check_file(p)
        try:
            doc = json.loads(path.read_text())
        except UnicodeDecodeError:
            raise InputError(f"{path}: not a JSON file") from None
        except json.JSONDecodeError as err:
            raise InputError(f"{path}:{err.lineno}:{err.colno}: malformed JSON ({err.msg})") from None
        if not isinstance(doc, dict):
            raise InputError(f"{path}: expected a JSON object from 'shardsim simulate --json'")
        breakdown = doc.get("memory_breakdown_bytes")
        if not isinstance(breakdown, dict) or not breakdown:
            raise InputError(f"{path}: no \"memory_breakdown_bytes\" object "
                             "(expected the output of 'shardsim simulate --json')")
        if "strategy" not in doc:
            raise InputError(f"{path}: no \"strategy\" field "
                             "(expected the output of 'shardsim simulate --json')")
        components = {}
        for name, value in breakdown.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 \
                    or not math.isfinite(value):
                raise InputError(f"{path}: memory_breakdown_bytes.{name} is {json.dumps(value)}, "
                                 "expected a non-negative number of bytes")
            components[str(name)] = float(value)
        total = doc.get("memory_per_gpu_bytes")
        if isinstance(total, bool) or not isinstance(total, (int, float)):
            total = sum(components.values())
        records.append({
            "path": str(path), "strategy": str(doc["strategy"]),
            "partition_size": doc.get("partition_size"),
            "hierarchical": doc.get("hierarchical_gather"), "gpus": doc.get("gpus"),
            "nodes": doc.get("nodes"), "instance": doc.get("instance"),
            "model": doc.get("model"), "scenario": doc.get("scenario"),
            "micro_batch": doc.get("micro_batch"), "fits": doc.get("fits", True),
            "gpu_memory_bytes": doc.get("gpu_memory_bytes"),
            "components": components, "total_bytes": float(total),
        })
    if not records:
        raise InputError("--memory: no simulate JSON files given")
    return records


# ----------------------------------------------------------------------------------------------
# Axes helpers


def set_log2_gpu_axis(ax, gpus, label="Cluster size (GPUs, log\u2082 scale)"):
    """Log2 x axis with one tick per GPU count, labelled with the count itself."""
    ticks = sorted({int(g) for g in gpus if g and g > 0})
    ax.set_xscale("log", base=2)
    ax.xaxis.set_major_locator(ticker.FixedLocator(ticks))
    ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_locator(ticker.NullLocator())
    if ticks:
        ax.set_xlim(ticks[0] / 2 ** 0.35, ticks[-1] * 2 ** 0.35)
    if len(ticks) > 7:
        ax.tick_params(axis="x", labelrotation=45)
    ax.set_xlabel(label)


def _thousands(v, _pos=None):
    return f"{v:,.0f}"


def _series_groups(df: pd.DataFrame):
    """(strategy, instance) groups in a stable order; instances named only when there are several."""
    several = df["instance"].nunique() > 1
    keys = sorted({(s, i) for s, i in zip(df["strategy"], df["instance"])},
                  key=lambda k: (_strategy_sort_key(k[0]), k[1]))
    for strategy, instance in keys:
        sub = df[(df["strategy"] == strategy) & (df["instance"] == instance)].sort_values("gpus")
        label = strategy_name(strategy)
        ps = sub["partition_size"].dropna().unique()
        if strategy in PARTITIONED and len(ps) == 1:
            label += f" (p = {ps[0]:g})"
        if several:
            label += f", {instance}"
        yield strategy, label, sub


def _mode_title(mode: str, sub: pd.DataFrame) -> str:
    if mode == "weak":
        per_gpu = (sub["global_batch"] / sub["gpus"]).dropna().unique()
        extra = (f", {per_gpu[0]:g} sequence{'' if per_gpu[0] == 1 else 's'} per GPU"
                 if len(per_gpu) == 1 else "")
        return f"Weak scaling (batch per GPU fixed{extra})"
    batches = sub["global_batch"].dropna().unique()
    extra = f" at {batches[0]:g} sequences" if len(batches) == 1 else ""
    return f"Strong scaling (global batch fixed{extra})"


def _baseline_note(mode: str, sub: pd.DataFrame) -> str:
    """What 100% is in an efficiency panel."""
    if mode == "strong" and "baseline" in sub.columns:
        names = sorted({b for b in sub["baseline"] if b})
        if len(names) == 1:
            return f"100% = {names[0]}, for every strategy"
    return "100% = each strategy at its smallest cluster"


def _modes(df: pd.DataFrame) -> list[str]:
    return [m for m in ("weak", "strong") if (df["mode"] == m).any()]


def _mark_not_fitting(ax, sub, color) -> bool:
    """An x near the bottom of the axes at each cluster size where the strategy does not fit."""
    bad = sub[~sub["fits"]]
    if bad.empty:
        return False
    ax.scatter(bad["gpus"], [0.04] * len(bad), transform=ax.get_xaxis_transform(), marker="x",
               s=60, color=color, linewidths=2, clip_on=False, zorder=5)
    return True


def _instances_title(df: pd.DataFrame) -> str:
    inst = sorted(df["instance"].unique())
    return inst[0] if len(inst) == 1 else ", ".join(inst)


def _scaling_lines_figure(df: pd.DataFrame, column: str, scale: float, ylabel: str,
                          title: str, ideal: float | None, yformatter, annotate=None,
                          model: str | None = None) -> Figure:
    """One panel per mode (weak, strong), one line per strategy, a shared legend on the right."""
    modes = _modes(df)
    fig = Figure(figsize=(5.4 * len(modes) + 2.4, 4.8), layout="constrained")
    axes = fig.subplots(1, len(modes), squeeze=False)[0]
    legend = {}  # label -> handle, in first-seen order across panels
    any_bad = False
    for ax, mode in zip(axes, modes):
        sub_mode = df[df["mode"] == mode]
        for strategy, label, sub in _series_groups(sub_mode):
            ok = sub[sub["fits"]]
            color = STRATEGY_COLORS.get(strategy)
            marker = STRATEGY_MARKERS.get(strategy, "o")
            if not ok.empty:
                (line,) = ax.plot(ok["gpus"], ok[column] * scale, marker=marker, color=color,
                                  label=label, linewidth=2, markersize=7)
                legend.setdefault(label, line)
            if _mark_not_fitting(ax, sub, color):
                any_bad = True
                if ok.empty:  # never fits: the legend still names it, with its x
                    legend.setdefault(label + " (never fits)",
                                      Line2D([], [], linestyle="none", marker="x", color=color,
                                             markersize=8, markeredgewidth=2))
        if ideal is not None:
            ax.axhline(ideal, color="0.4", linestyle="--", linewidth=1)
        if annotate:
            annotate(ax, sub_mode)
        set_log2_gpu_axis(ax, sub_mode["gpus"])
        values = sub_mode[column].to_numpy(dtype=float) * scale
        top = np.nanmax(values, initial=ideal or 0.0)
        ax.set_ylim(0, (top if top > 0 else 1.0) * (1.12 if ideal else 1.22))
        ax.yaxis.set_major_formatter(yformatter)
        ax.set_ylabel(ylabel)
        title_text = _mode_title(mode, sub_mode)
        if ideal is not None:  # an efficiency panel: say what 100% is
            title_text += "\n" + _baseline_note(mode, sub_mode)
        ax.set_title(title_text, fontsize=11)
        ax.grid(True, which="major", alpha=0.3)
    handles, labels = list(legend.values()), list(legend.keys())
    if ideal is not None:
        handles.append(Line2D([], [], color="0.4", linestyle="--"))
        labels.append("ideal")
    if any_bad:
        handles.append(Line2D([], [], linestyle="none", marker="x", color="0.3", markersize=8,
                              markeredgewidth=2))
        labels.append("does not fit in\nGPU memory")
    axes[-1].legend(handles, labels, loc="upper left", bbox_to_anchor=(1.03, 1.0),
                    borderaxespad=0, frameon=False, title="strategy")
    model = model_of(df, model)
    of = f" of {model}" if model else ""
    fig.suptitle(f"{title}{of} on {_instances_title(df)}", fontweight="bold")
    return fig


def scaling_efficiency_figure(df: pd.DataFrame, model: str | None = None) -> Figure:
    """Efficiency (% of the per-GPU throughput at the smallest N) vs GPUs, one panel per mode."""
    return _scaling_lines_figure(
        df, "efficiency", 100.0,
        "Scaling efficiency (% of the baseline's\nper-GPU throughput)",
        "Scaling efficiency", 100.0, ticker.PercentFormatter(decimals=0), model=model)


def throughput_per_gpu_figure(df: pd.DataFrame, model: str | None = None) -> Figure:
    """Tokens/s per GPU vs GPUs, one line per strategy, one panel per mode."""
    return _scaling_lines_figure(
        df, "tokens_per_s_per_gpu", 1.0, "Throughput per GPU (tokens/s/GPU)",
        "Throughput per GPU", None, ticker.FuncFormatter(_thousands),
        annotate=_annotate_mics_vs_zero3, model=model)


def _annotate_mics_vs_zero3(ax, sub_mode: pd.DataFrame):
    """'MiCS 1.4x ZeRO-3 at 128 GPUs' in the top-right corner, for the largest cluster where both
    fit (one instance only)."""
    if sub_mode["instance"].nunique() != 1:
        return
    ok = sub_mode[sub_mode["fits"]]
    z = ok[ok["strategy"] == "zero3"].groupby("gpus")["tokens_per_s_per_gpu"].max()
    m = ok[ok["strategy"] == "mics"].groupby("gpus")["tokens_per_s_per_gpu"].max()
    common = sorted(set(z.index) & set(m.index))
    if not common or z[common[-1]] <= 0:
        return
    n = common[-1]
    ax.text(0.98, 0.97, f"MiCS {m[n] / z[n]:.2f}\u00d7 ZeRO-3 at {n:g} GPUs",
            transform=ax.transAxes, ha="right", va="top", fontsize=9,
            bbox=dict(boxstyle="round,pad=0.3", fc="white", ec="0.6", alpha=0.9))


def step_time_grid(plan: pd.DataFrame, instance: str | None = None):
    """Best step time (s) per (partition size, GPUs) among fitting candidates.

    MiCS candidates at every p (best of hierarchical on/off and micro-batch splits), plus ZeRO-3
    as p = N. Returns (ps, gpus, best_s, source, state): best_s[i, j] is the time at p=ps[i],
    N=gpus[j]; source is 'mics' or 'zero3'; state is 'ok', 'oom' (candidates exist, none fits)
    or 'none' (no candidate, e.g. p > N).
    """
    df = plan if instance is None else plan[plan["instance"] == instance]
    mics = df[df["strategy"] == "mics"].copy()
    zero3 = df[df["strategy"] == "zero3"].copy()
    zero3["partition_size"] = zero3["gpus"]
    both = pd.concat([mics, zero3])
    if both.empty:
        raise InputError("plan has no MiCS or ZeRO-3 candidates to draw the step-time heatmap from")
    gpus = sorted({int(g) for g in both["gpus"]})
    ps = sorted({int(p) for p in both["partition_size"]})
    best = np.full((len(ps), len(gpus)), np.nan)
    source = np.full((len(ps), len(gpus)), "", dtype=object)
    state = np.full((len(ps), len(gpus)), "none", dtype=object)
    for (p, n), group in both.groupby(["partition_size", "gpus"]):
        i, j = ps.index(int(p)), gpus.index(int(n))
        ok = group[group["fits"]]
        if ok.empty:
            state[i, j] = "oom"
            continue
        row = ok.loc[ok["step_time_s"].idxmin()]
        best[i, j] = row["step_time_s"]
        source[i, j] = row["strategy"]
        state[i, j] = "ok"
    return ps, gpus, best, source, state


def step_time_heatmap_figure(plan: pd.DataFrame, model: str | None = None) -> Figure:
    """Heatmap of the best step time over partition size p x cluster size N, one panel per instance."""
    instances = sorted(plan["instance"].unique())
    grids = [(inst, *step_time_grid(plan, inst)) for inst in instances
             if plan[(plan["instance"] == inst) & plan["strategy"].isin(["mics", "zero3"])].size]
    if not grids:
        raise InputError("plan has no MiCS or ZeRO-3 candidates to draw the step-time heatmap from")
    values = np.concatenate([g[3].ravel() for g in grids])
    finite = values[np.isfinite(values)]
    if finite.size:
        lo, hi = finite.min() * 1e3, finite.max() * 1e3
        if hi <= lo * 1.0001:
            lo, hi = lo * 0.9, hi * 1.1
        norm = mcolors.LogNorm(vmin=lo, vmax=hi)
    else:
        norm = mcolors.LogNorm(vmin=1, vmax=10)
    cmap = matplotlib.colormaps["viridis_r"].copy()
    cmap.set_bad("white")
    max_cols = max(len(g[2]) for g in grids)
    max_rows = max(len(g[1]) for g in grids)
    width = 1.9 + 1.15 * max_cols
    height = 1.9 + 0.62 * max_rows
    fig = Figure(figsize=(max(6.4, width) * len(grids) + 1.0, max(4.2, height)),
                 layout="constrained")
    axes = fig.subplots(1, len(grids), squeeze=False)[0]
    fontsize = 9 if max_cols <= 6 and max_rows <= 10 else 7
    image = None
    for ax, (inst, ps, gpus, best, source, state) in zip(axes, grids):
        image = ax.imshow(best * 1e3, origin="lower", aspect="auto", cmap=cmap, norm=norm,
                          interpolation="nearest")
        for i, p in enumerate(ps):
            for j, n in enumerate(gpus):
                if state[i, j] == "none":
                    ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor="0.93",
                                           edgecolor="none"))
                    continue
                if state[i, j] == "oom":
                    ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor="white",
                                           edgecolor="0.6", hatch="///", linewidth=0))
                    ax.text(j, i, "does not fit", ha="center", va="center",
                            fontsize=fontsize - 1, color="0.2",
                            bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none"))
                    continue
                ms = best[i, j] * 1e3
                rgba = cmap(norm(ms))
                light = 0.299 * rgba[0] + 0.587 * rgba[1] + 0.114 * rgba[2] > 0.55
                text = f"{ms:.0f} ms" if ms >= 10 else f"{ms:.1f} ms"
                if source[i, j] == "zero3":
                    text += "\nZeRO-3"
                ax.text(j, i, text, ha="center", va="center", fontsize=fontsize,
                        color="black" if light else "white")
        for j in range(len(gpus)):
            column = best[:, j]
            if np.isfinite(column).any():
                i = int(np.nanargmin(column))
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="#d62728",
                                       linewidth=2.5))
        ax.set_xticks(range(len(gpus)), [str(n) for n in gpus])
        ax.set_yticks(range(len(ps)), [str(p) for p in ps])
        ax.set_xlim(-0.5, len(gpus) - 0.5)
        ax.set_ylim(-0.5, len(ps) - 0.5)
        ax.set_xlabel("Cluster size N (GPUs)")
        ax.set_ylabel("Partition-group size p (GPUs)")
        ax.set_title(inst)
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
    colorbar = fig.colorbar(image, ax=list(axes), shrink=0.9, pad=0.02)
    colorbar.set_label("Best step time (ms, log colour scale)")
    colorbar.ax.yaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    colorbar.ax.yaxis.set_minor_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    states = {s for g in grids for s in g[5].ravel()}
    handles = [Patch(facecolor="none", edgecolor="#d62728", linewidth=2.5,
                     label="fastest p for each N")]
    if "oom" in states:
        handles.append(Patch(facecolor="white", edgecolor="0.6", hatch="///",
                             label="no candidate fits in memory"))
    if "none" in states:
        handles.append(Patch(facecolor="0.93", edgecolor="0.8", label="no candidate (p > N)"))
    axes[0].legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncols=len(handles),
                   frameon=False, fontsize=9, borderaxespad=0)
    model = model_of(plan, model)
    of = f" of {model}" if model else ""
    fig.suptitle(f"Step time{of} on {', '.join(instances)} by partition-group size and cluster size\n"
                 "MiCS (best of hierarchical gather on/off and micro-batch splits); "
                 "ZeRO-3 shown as p = N", fontsize=11)
    return fig


def _memory_label(rec: dict, several_clusters: bool, duplicates: bool) -> str:
    label = strategy_name(rec["strategy"])
    p = rec.get("partition_size")
    if rec["strategy"] in PARTITIONED and p:
        label += f"\np = {p}"
    if several_clusters and rec.get("gpus"):
        label += f"\n{rec['gpus']} GPUs"
    if duplicates and rec.get("scenario"):
        label += f"\n{rec['scenario']}"
    return label


def memory_breakdown_figure(records: list[dict]) -> Figure:
    """Stacked bars of memory per GPU by component (GiB), one bar per simulate JSON, with each
    run's GPU memory as a line over its bar (one line across when every run has the same GPU)."""
    # Known components in their fixed order, then unknown ones as first seen; components that are
    # zero everywhere are left out.
    components: list[str] = [c for c in KNOWN_COMPONENTS
                             if any(r["components"].get(c, 0) > 0 for r in records)]
    for rec in records:
        for name in rec["components"]:
            if name not in components and any(r["components"].get(name, 0) > 0 for r in records):
                components.append(name)
    # Anything the breakdown leaves out of the reported total shows as 'other'.
    extras = [max(0.0, rec["total_bytes"] - sum(rec["components"].values())) for rec in records]
    if "other" not in components and any(e > 0.005 * rec["total_bytes"]
                                         for e, rec in zip(extras, records)):
        components.append("other")
        records = [dict(rec, components=dict(rec["components"], other=e))
                   for e, rec in zip(extras, records)]
    clusters = {(r.get("model"), r.get("instance"), r.get("gpus")) for r in records}
    several = len(clusters) > 1
    base = [_memory_label(r, several, False) for r in records]
    dup = len(set(base)) < len(base)
    labels = [_memory_label(r, several, dup) for r in records]
    widest = max(len(line) for label in labels for line in label.split("\n"))
    per_bar = max(1.25, 0.1 * widest + 0.3)  # inches: room for the longest label line
    fig = Figure(figsize=(max(6.4, 3.2 + per_bar * len(records)), 5.2), layout="constrained")
    ax = fig.subplots()
    x = np.arange(len(records))
    bottom = np.zeros(len(records))
    unknown = 0
    for name in components:
        heights = np.array([r["components"].get(name, 0.0) for r in records]) / GiB
        color = KNOWN_COMPONENTS.get(name)
        if color is None:
            color = COMPONENT_COLORS[unknown % len(COMPONENT_COLORS)]
            unknown += 1
        ax.bar(x, heights, 0.62, bottom=bottom, label=name, color=color, edgecolor="white",
               linewidth=0.6)
        bottom += heights
    top = bottom.max() if len(bottom) else 1.0
    capacities = [r.get("gpu_memory_bytes") for r in records]
    known = [c / GiB for c in capacities if isinstance(c, (int, float)) and not isinstance(c, bool) and c > 0]
    if known:
        top = max(top, max(known))
        if len(set(known)) == 1 and len(known) == len(records):
            ax.axhline(known[0], color="#d62728", linestyle="--", linewidth=1.5,
                       label=f"GPU memory ({known[0]:.1f} GiB)")
        else:
            first = True
            for xi, c in zip(x, capacities):
                if isinstance(c, (int, float)) and not isinstance(c, bool) and c > 0:
                    ax.hlines(c / GiB, xi - 0.42, xi + 0.42, color="#d62728", linestyle="--", linewidth=1.5,
                              label="GPU memory" if first else None)
                    first = False
    for xi, total, rec in zip(x, bottom, records):
        text = f"{total:.2f} GiB"
        if rec.get("fits") is False:
            text += "\ndoes not fit"
        ax.text(xi, total + top * 0.015, text, ha="center", va="bottom", fontsize=9,
                fontweight="bold" if rec.get("fits") is False else "normal")
    ax.set_xticks(x, labels)
    ax.set_xlim(-0.6, len(records) - 0.4)
    ax.set_ylim(0, top * 1.15 if top > 0 else 1)
    ax.set_ylabel("Memory per GPU (GiB, 1 GiB = 2\u00b3\u2070 bytes)")
    ax.grid(True, axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    handles, names = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], names[::-1], title="component", loc="upper left",
              bbox_to_anchor=(1.01, 1.0), borderaxespad=0, frameon=False)
    title = "Memory per GPU by component"
    if several:
        models = sorted({str(r.get("model")) for r in records if r.get("model")})
        where = sorted({f"{r.get('nodes')} \u00d7 {r.get('instance')}" for r in records if r.get("instance")})
        title += "\n" + "; ".join(s for s in (", ".join(models), ", ".join(where)) if s)
    else:
        model, instance, gpus = next(iter(clusters))
        nodes = records[0].get("nodes")
        where = f"{nodes} \u00d7 {instance} ({gpus} GPUs)" if nodes and instance else (
            f"{gpus} GPUs" if gpus else "")
        title += "\n" + ", ".join(s for s in (str(model) if model else "", where) if s)
    ax.set_title(title)
    return fig


# ----------------------------------------------------------------------------------------------
# Running the CLI from the notebooks


def shardsim_binary(default="../build/bin/shardsim") -> Path:
    """The shardsim binary: $SHARDSIM_BIN, else `default` (relative to the notebook's folder)."""
    path = Path(os.environ.get("SHARDSIM_BIN") or default).expanduser().resolve()
    if not path.is_file() or not os.access(path, os.X_OK):
        raise FileNotFoundError(f"{path}: no shardsim binary there; build it first "
                                "(cmake --build build) or set SHARDSIM_BIN")
    return path


def default_out_dir() -> Path:
    """$SHARDSIM_PLOT_DIR, else ~/.cache/shardsim/plots ($XDG_CACHE_HOME honoured): outside the
    source tree, so figures never end up in a commit."""
    if os.environ.get("SHARDSIM_PLOT_DIR"):
        return Path(os.environ["SHARDSIM_PLOT_DIR"]).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(cache) / "shardsim" / "plots"


def plot_dir(default=None) -> Path:
    """Where the notebooks write images and data: $SHARDSIM_PLOT_DIR, else `default`, else
    default_out_dir()."""
    chosen = os.environ.get("SHARDSIM_PLOT_DIR") or default
    path = (Path(chosen).expanduser() if chosen else default_out_dir()).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def run_shardsim(binary, *args, timeout=60) -> str:
    """Runs `shardsim ARGS...` and returns its stdout; a failure raises with shardsim's message."""
    import subprocess
    import time

    cmd = [str(binary)] + [str(a) for a in args]
    start = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    elapsed = time.monotonic() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.strip()}")
    print(f"$ shardsim {' '.join(str(a) for a in args)}   ({elapsed:.2f} s)")
    return proc.stdout


# ----------------------------------------------------------------------------------------------
# Writing


def save_figure(fig: Figure, out_dir, stem: str, formats=("png", "svg")) -> list[Path]:
    """Writes fig as out_dir/stem.<fmt> for each format: to a temporary name first, then renamed."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    matplotlib.rcParams["svg.hashsalt"] = "shardsim"  # the same SVG ids from run to run
    written = []
    for fmt in formats:
        final = out_dir / f"{stem}.{fmt}"
        tmp = out_dir / f".{stem}.{fmt}.tmp{os.getpid()}"
        metadata = {"Date": None} if fmt == "svg" else ({"Software": None} if fmt == "png" else {})
        try:
            fig.savefig(tmp, format=fmt, dpi=150, metadata=metadata)
            os.replace(tmp, final)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        written.append(final)
    return written


def build_figures(scaling=None, plan=None, memory=(), model=None) -> dict[str, Figure]:
    """Loads every given input (raising InputError on the first bad one) and draws its figures."""
    scaling_df = load_scaling(scaling) if scaling else None
    plan_df = load_plan(plan) if plan else None
    memory_recs = load_memory(memory) if memory else None
    figures = {}
    if scaling_df is not None:
        if not scaling_df["fits"].any():
            raise InputError(f"{scaling}: no row fits in memory, nothing to draw")
        figures["scaling_efficiency"] = scaling_efficiency_figure(scaling_df, model)
        figures["throughput_per_gpu"] = throughput_per_gpu_figure(scaling_df, model)
    if plan_df is not None:
        try:
            figures["step_time_heatmap"] = step_time_heatmap_figure(plan_df, model)
        except InputError as err:
            raise InputError(f"{plan}: {err}") from None
    if memory_recs is not None:
        figures["memory_breakdown"] = memory_breakdown_figure(memory_recs)
    return figures


def plot_all(scaling=None, plan=None, memory=(), out_dir=None, formats=("png", "svg"),
             model=None) -> list[Path]:
    """Draws every figure the inputs allow and writes them; returns the files written."""
    figures = build_figures(scaling, plan, memory, model)
    out_dir = default_out_dir() if out_dir is None else out_dir
    written = []
    for stem, fig in figures.items():
        written += save_figure(fig, out_dir, stem, formats)
    return written


def parse_formats(text: str) -> list[str]:
    formats = [f.strip().lower().lstrip(".") for f in text.split(",") if f.strip()]
    if not formats:
        raise InputError("--format: no format given")
    for f in formats:
        if f not in FORMATS:
            raise InputError(f"--format: unknown format '{f}', expected one of {', '.join(FORMATS)}")
    return list(dict.fromkeys(formats))


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line and exit 1, like every other bad input
        raise InputError(message)


def main(argv=None) -> int:
    parser = _Parser(
        prog="shardsim_plots.py",
        description="Draw figures from shardsim outputs (scaling CSV, plan CSV, simulate JSON).")
    parser.add_argument("--scaling", metavar="CSV", help="output of 'shardsim scaling --csv'")
    parser.add_argument("--plan", metavar="CSV", help="output of 'shardsim plan --csv'")
    parser.add_argument("--memory", metavar="JSON", nargs="+", default=[],
                        help="outputs of 'shardsim simulate --json', one bar each")
    parser.add_argument("--out", metavar="DIR",
                        help="directory for the images (default $SHARDSIM_PLOT_DIR, else "
                             "~/.cache/shardsim/plots)")
    parser.add_argument("--model", metavar="NAME",
                        help="model name for the titles of the scaling and plan figures "
                             "(their CSVs do not name it)")
    parser.add_argument("--format", default="png,svg",
                        help="comma-separated image formats: png, svg, pdf (default png,svg)")
    try:
        args = parser.parse_args(argv)
        formats = parse_formats(args.format)
        if not (args.scaling or args.plan or args.memory):
            raise InputError("nothing to draw: give --scaling, --plan and/or --memory")
        out = Path(args.out) if args.out else default_out_dir()
        if out.exists() and not out.is_dir():
            raise InputError(f"{out}: exists and is not a directory")
        written = plot_all(args.scaling, args.plan, args.memory, out, formats, args.model)
    except InputError as err:
        message = " ".join(str(err).split())
        print(f"shardsim_plots: error: {message}", file=sys.stderr)
        return 1
    except OSError as err:
        print(f"shardsim_plots: error: {err.filename or ''}: {err.strerror or err}".replace(" : ", " "),
              file=sys.stderr)
        return 1
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
