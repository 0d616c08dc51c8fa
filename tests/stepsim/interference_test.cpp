// Compute slowed while collectives run (sim/compute/interference.hpp, executed by
// sim/stepsim/step_simulation.cpp): a compute op overlapped by a collective runs at the contended
// rate for exactly the overlap, and at its own rate otherwise.
#include "sim/collsim/library_plan.hpp"
#include "sim/compute/block_kernels.hpp"
#include "sim/compute/interference.hpp"
#include "sim/stepsim/step_simulation.hpp"

#include "tests/support/test_data.hpp"

#include <catch2/catch.hpp>

using namespace shardsim;

namespace {

// One compute op (a GEMM and a memory-bound kernel) and one all-gather over the world group,
// which depends on the compute op only when `serial`.
Schedule compute_and_gather(int world, double gather_bytes, bool serial) {
  Schedule s;
  s.strategy = "test";
  s.world_size = world;
  Group g{0, GroupRole::world, {}};
  for (int r = 0; r < world; ++r) g.ranks.push_back(r);
  s.groups = {g};
  s.communicators = {{0, GroupRole::world, world, "world"}};
  Kernel gemm;
  gemm.kind = KernelKind::gemm;
  gemm.name = "gemm";
  gemm.m = gemm.n = gemm.k = 8192;
  gemm.flops = 2.0 * 8192 * 8192 * 8192;
  gemm.hbm_bytes = 3.0 * 8192 * 8192 * 2;
  Kernel ln;
  ln.kind = KernelKind::memory;
  ln.name = "ln";
  ln.hbm_bytes = 2e9;
  s.program.add(Op{compute_op_of({gemm, ln}), Stream::compute, {}, "compute", 0, 0});
  s.program.add(Op{CollectiveOp{CollectiveKind::all_gather, Algorithm::ring, 0, gather_bytes, "bf16", 0}, Stream::gather,
                   serial ? std::vector<int>{0} : std::vector<int>{}, "ag", 0, 0});
  return s;
}

Cluster p4d_node() { return make_cluster(load_instance_by_name("p4d.24xlarge"), 1); }

}  // namespace

TEST_CASE("a compute op fully overlapped by a collective is slowed by exactly the modelled contention", "[stepsim][interference]") {
  const Cluster cluster = p4d_node();
  const GpuSpec& gpu = cluster.instance.gpu;
  const CollectiveLibrary nccl = load_collective_library("2.28", cluster.instance);
  const Schedule s = compute_and_gather(8, 64e9, false);  // a gather far longer than the compute
  const StepResult r = simulate_step(cluster, s, FlowModel::per_flow, nccl);
  const ComputeOp& op = std::get<ComputeOp>(s.program.ops[0].body);

  // The load: NCCL's channel count for this call, the GPU's NVLink capacity (inside one node).
  const LibraryPlan plan = plan_on_library(cluster, nccl, CollectiveKind::all_gather, Algorithm::ring, s.groups[0].ranks, 64e9);
  REQUIRE(plan.choice);
  double nvlink_Bps = 0;
  for (const Link& l : cluster.instance.links)
    if (l.from == 0) nvlink_Bps += l.capacity_Bps;
  const ComputeContention contention = contention_of(gpu, {{plan.choice->channels, nvlink_Bps}});
  CHECK(contention.sm_fraction_taken == Approx(static_cast<double>(plan.choice->channels) / 108).epsilon(1e-15));
  CHECK(contention.hbm_Bps_taken == Approx(2.5 * nvlink_Bps).epsilon(1e-15));

  const double alone_s = compute_op_seconds(gpu, op);
  const double contended_s = compute_op_seconds(gpu, op, contention);
  REQUIRE(r.ops[1].end_s > r.ops[0].end_s);  // the gather covers the whole compute
  CHECK(r.ops[0].start_s == 0);
  CHECK(r.ops[0].end_s == Approx(contended_s).epsilon(1e-12));
  CHECK(r.interference_s == Approx(contended_s - alone_s).epsilon(1e-9));
  // Both parts of the model act: the GEMM on the SMs left, the memory-bound kernel on the HBM left.
  const Kernel& gemm = op.kernels[0];
  const Kernel& ln = op.kernels[1];
  CHECK(kernel_seconds(gpu, gemm, contention) == Approx(kernel_seconds(gpu, gemm) / (1 - contention.sm_fraction_taken)).epsilon(1e-12));
  CHECK(kernel_seconds(gpu, ln, contention) ==
        Approx(ln.hbm_bytes / (gpu.hbm_bandwidth_Bps - contention.hbm_Bps_taken)).epsilon(1e-12));
  CHECK(contended_s > alone_s);
}

TEST_CASE("a compute op with no collective in flight runs at its own rate", "[stepsim][interference]") {
  const Cluster cluster = p4d_node();
  const CollectiveLibrary nccl = load_collective_library("2.28", cluster.instance);
  const Schedule s = compute_and_gather(8, 64e9, true);  // the gather waits for the compute
  const StepResult r = simulate_step(cluster, s, FlowModel::per_flow, nccl);
  const ComputeOp& op = std::get<ComputeOp>(s.program.ops[0].body);
  CHECK(r.ops[0].end_s == compute_op_seconds(cluster.instance.gpu, op));
  CHECK(r.interference_s == 0);
}

TEST_CASE("a compute op partly overlapped runs at the contended rate for the overlap only", "[stepsim][interference]") {
  const Cluster cluster = p4d_node();
  const CollectiveLibrary nccl = load_collective_library("2.28", cluster.instance);
  const Schedule s = compute_and_gather(8, 1e9, false);  // a gather that ends mid-compute
  const StepResult r = simulate_step(cluster, s, FlowModel::per_flow, nccl);
  const ComputeOp& op = std::get<ComputeOp>(s.program.ops[0].body);
  const GpuSpec& gpu = cluster.instance.gpu;
  const LibraryPlan plan = plan_on_library(cluster, nccl, CollectiveKind::all_gather, Algorithm::ring, s.groups[0].ranks, 1e9);
  double nvlink_Bps = 0;
  for (const Link& l : cluster.instance.links)
    if (l.from == 0) nvlink_Bps += l.capacity_Bps;
  const double alone_s = compute_op_seconds(gpu, op);
  const double contended_s = compute_op_seconds(gpu, op, contention_of(gpu, {{plan.choice->channels, nvlink_Bps}}));
  const double overlap_s = r.ops[1].end_s;
  REQUIRE(overlap_s < r.ops[0].end_s);
  // Work done while overlapped: overlap / contended; the rest at the own rate.
  CHECK(r.ops[0].end_s == Approx(overlap_s + (1 - overlap_s / contended_s) * alone_s).epsilon(1e-12));
  CHECK(r.interference_s == Approx(r.ops[0].end_s - alone_s).epsilon(1e-9));
}

TEST_CASE("GPUs without an interference block, and Gloo's collectives' SMs, slow nothing", "[stepsim][interference]") {
  // The uniform test topology has no kernel model and no interference block.
  const Cluster cluster = make_cluster(load_instance_type(test::data_path("tests/data/uniform-1gpu.json")), 2);
  const Schedule s = compute_and_gather(2, 1e9, false);
  const StepResult r = simulate_step(cluster, s, FlowModel::per_flow);
  CHECK(r.ops[0].end_s == compute_op_seconds(cluster.instance.gpu, std::get<ComputeOp>(s.program.ops[0].body)));
  CHECK(r.interference_s == 0);
}
