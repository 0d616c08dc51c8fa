#!/usr/bin/env python3
"""Writes the synthetic nccl-tests logs under tests/validate/data/ (nccl-tests' exact text format,
src/common.cu) whose times are NCCL 2.28's own prediction (`shardsim nccl --json`, the selected
algorithm and protocol) on p4d.24xlarge with the network plugin latency set to 60 us and every
multi-node graph bandwidth x 0.8: shardsim-calibrate --nccl-tests must give those two back.
  tests/validate/data/make_nccl_tests_logs.py build/bin/shardsim
"""
import json, os, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
PLUGIN_LATENCY_US, BW_EFFICIENCY = 60.0, 0.8
# (program, op, nodes, min bytes, max bytes, file)
LOGS = [
    ("all_reduce_perf", "all_reduce", 2, 8, 1 << 30, "nccl-tests-all_reduce-p4d-2node.log"),
    ("all_reduce_perf", "all_reduce", 4, 8, 1 << 30, "nccl-tests-all_reduce-p4d-4node.log"),
    ("all_gather_perf", "all_gather", 4, 1024, 1 << 30, "nccl-tests-all_gather-p4d-4node.log"),
    ("reduce_scatter_perf", "reduce_scatter", 2, 1024, 1 << 30, "nccl-tests-reduce_scatter-p4d-2node.log"),
]


def topology_with_truth():
    with open(os.path.join(ROOT, "topologies", "p4d.24xlarge.json")) as f:
        doc = json.load(f)
    nccl = doc["nccl"]
    nccl["net_plugin"]["latency_us"] = PLUGIN_LATENCY_US
    for g in ("multi_node_ring", "multi_node_tree"):
        nccl[g]["bw_intra_GBps"] *= BW_EFFICIENCY
        nccl[g]["bw_inter_GBps"] *= BW_EFFICIENCY
    out = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
    json.dump(doc, out)
    out.close()
    return out.name


def time_text(us):
    return f"{us:7.0f}" if us >= 10000 else f"{us:7.1f}" if us >= 100 else f"{us:7.2f}"


def row(op, ranks, size, t_us, in_place_t_us):
    count = size // 4 if op == "all_reduce" else size // 4 // ranks
    factor = 2 * (ranks - 1) / ranks if op == "all_reduce" else (ranks - 1) / ranks
    redop = "none" if op == "all_gather" else "sum"
    cols = f"{size:12d}  {count:12d}  {'float':>8s}  {redop:>6s}  {-1:6d}"
    for t in (t_us, in_place_t_us):
        algbw = size / 1e9 / (t * 1e-6)
        cols += f"  {time_text(t):>7s}  {algbw:6.2f}  {algbw * factor:6.2f}  {0:5d}"
    return cols, algbw * factor


def write_log(shardsim, topo, program, op, nodes, lo, hi, name):
    ranks = nodes * 8
    res = json.loads(subprocess.check_output([shardsim, "nccl", "--instance", topo, "--nccl", "2.28", "--nodes", str(nodes), "--op",
                                              op, "--min-bytes", str(lo), "--max-bytes", str(hi), "--factor", "2", "--json"]))
    lines = [f"+ mpirun -np {ranks} -N 8 --hostfile hosts /opt/nccl-tests/build/{program} -b {lo} -e {hi} -f 2 -g 1",
             f"# nThread 1 nGpus 1 minBytes {lo} maxBytes {hi} step: 2(factor) warmup iters: 5 iters: 20 agg iters: 1 "
             "validation: 1 graph: 0", "#", "# Using devices"]
    for r in range(ranks):
        lines.append(f"#  Rank {r:2d} Group  0 Pid {41000 + r:6d} on ip-172-31-{nodes}-{10 + r // 8} device {r % 8:2d} "
                     f"[0x{0x10 + r % 8:02x}] NVIDIA A100-SXM4-40GB")
    lines += ["#", "#                                                              out-of-place                       in-place          ",
              "#       size         count      type   redop    root     time   algbw   busbw #wrong     time   algbw   busbw #wrong",
              "#        (B)    (elements)                               (us)  (GB/s)  (GB/s)            (us)  (GB/s)  (GB/s)       "]
    busbws = []
    for r in res["results"]:
        t_us = r["chosen"]["time_s"] * 1e6
        text, busbw = row(op, ranks, int(r["bytes"]), t_us, t_us * 1.004)
        lines.append(text)
        busbws.append(busbw)
    lines += ["# Out of bounds values : 0 OK", f"# Avg bus bandwidth    : {sum(busbws) / len(busbws):.4f} ", "#", ""]
    with open(os.path.join(HERE, name), "w") as f:
        f.write("\n".join(lines))


def main():
    topo = topology_with_truth()
    try:
        for log in LOGS:
            write_log(sys.argv[1], topo, *log)
    finally:
        os.unlink(topo)


if __name__ == "__main__":
    main()
