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

// GPU 0's NVLink capacity (p4d, p4de: 12 links to the NVSwitch; not its PCIe link).
double nvlink_capacity_Bps(const InstanceType& instance) {
  double total = 0;
  for (const Link& l : instance.links)
    if (l.from == 0 && instance.link_classes[l.link_class].name.starts_with("nvlink")) total += l.capacity_Bps;
  return total;
}

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
  const double nvlink_Bps = nvlink_capacity_Bps(cluster.instance);
  const ComputeContention contention = contention_of(gpu, {{plan.choice->channels, nvlink_Bps}});
  CHECK(sm_fraction_taken(gpu, contention) == Approx(static_cast<double>(plan.choice->channels) / 108).epsilon(1e-15));
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
  CHECK(kernel_seconds(gpu, gemm, contention) == Approx(kernel_seconds(gpu, gemm) / (1 - sm_fraction_taken(gpu, contention))).epsilon(1e-12));
  CHECK(kernel_seconds(gpu, ln, contention) ==
        Approx(ln.hbm_bytes / (gpu.hbm_achievable_Bps() * (1 - contention.hbm_Bps_taken / gpu.hbm_bandwidth_Bps))).epsilon(1e-12));
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
  const double nvlink_Bps = nvlink_capacity_Bps(cluster.instance);
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

// The published figures, against the model on the setup they were measured on. NVIDIA/nccl#1428
// (A100-80GB, one node): a GEMM 2.08 ms with an all-reduce running vs 1.18 ms alone (+76%);
// arXiv 2507.03114: compute slowed 18.9% on average, 40.0% at most. The model charges a GEMM only
// the SMs NCCL's channels hold (24 of 108 here, one block per channel: +28.6%, above the average
// and below nccl#1428's GEMM: the cache and HBM contention a compute-bound GEMM also suffers is
// not modelled), and a memory-bound kernel the HBM
// bandwidth the collective's traffic takes (+39.5%, between the average and the maximum). Stated
// here so that a change to the model or its data shows.
TEST_CASE("interference against the published slowdowns", "[stepsim][interference][published]") {
  const Cluster cluster = make_cluster(load_instance_by_name("p4de.24xlarge"), 1);
  const GpuSpec& gpu = cluster.instance.gpu;
  const CollectiveLibrary nccl = load_collective_library("2.28", cluster.instance);
  std::vector<int> node{0, 1, 2, 3, 4, 5, 6, 7};
  const LibraryPlan plan = plan_on_library(cluster, nccl, CollectiveKind::all_reduce, Algorithm::ring, node, 1073741824.0);
  REQUIRE(plan.choice);
  CHECK(plan.choice->channels == 24);  // 12 NVLink channels, doubled by ncclTopoPostset
  const double nvlink_Bps = nvlink_capacity_Bps(cluster.instance);
  const ComputeContention c = contention_of(gpu, {{plan.choice->channels, nvlink_Bps}});
  Kernel gemm;
  gemm.kind = KernelKind::gemm;
  gemm.m = gemm.n = gemm.k = 8192;
  gemm.flops = 2.0 * 8192 * 8192 * 8192;
  const double gemm_slowdown = kernel_seconds(gpu, gemm, c) / kernel_seconds(gpu, gemm) - 1;
  CHECK(gemm_slowdown == Approx(24.0 / 84).epsilon(1e-12));  // 1 / (1 - 24/108) - 1
  CHECK(gemm_slowdown < 0.76);                                 // nccl#1428's GEMM: the model is below
  Kernel ln;
  ln.kind = KernelKind::memory;
  ln.hbm_bytes = 1e9;
  const double memory_slowdown = kernel_seconds(gpu, ln, c) / kernel_seconds(gpu, ln) - 1;
  CHECK(nvlink_Bps == Approx(12 * 25e9 * 0.77));
  // 2.5 x 231 GB/s of NVLink traffic out of 2039 GB/s of HBM: +39.5%, at the measured maximum.
  CHECK(memory_slowdown == Approx(1 / (1 - 2.5 * nvlink_Bps / gpu.hbm_bandwidth_Bps) - 1).epsilon(1e-12));
  CHECK(memory_slowdown > 0.189);
  CHECK(memory_slowdown < 0.41);
}

// Where the GPU carries a measured table of the GEMM rate lost to b held blocks (p5.48xlarge: the
// H200 measurement), a compute-bound GEMM keeps 1 - the table's loss, interpolated linearly in b,
// and beyond the table's last point the larger of that loss and the SM share. A memory-bound
// kernel is untouched by held blocks. Without a table (p4de) the SM share stays.
TEST_CASE("a measured held-block table replaces the SM share for GEMMs", "[stepsim][interference]") {
  const GpuSpec& gpu = load_instance_by_name("p5.48xlarge").gpu;
  REQUIRE(gpu.gemm_rate_lost_by_blocks_held.size() == 6);
  Kernel gemm;
  gemm.kind = KernelKind::gemm;
  gemm.m = gemm.n = gemm.k = 8192;
  gemm.flops = 2.0 * 8192 * 8192 * 8192;
  const double alone = kernel_seconds(gpu, gemm);
  auto kept = [&](int blocks) { return alone / kernel_seconds(gpu, gemm, contention_of(gpu, {{blocks, 0.0}})); };
  CHECK(kept(4) == Approx(1 - 0.106).epsilon(1e-12));                          // a measured point
  CHECK(kept(3) == Approx(1 - (0.065 + (0.106 - 0.065) / 2)).epsilon(1e-12));  // between 2 and 4
  CHECK(kept(1) == Approx(1 - 0.099).epsilon(1e-12));
  CHECK(kept(64) == Approx(1 - 64.0 / 132).epsilon(1e-12));  // beyond 32: the SM share is larger
  CHECK(kept(32) == Approx(1 - 0.25).epsilon(1e-12));         // the last point (its SM share, 0.242, is smaller)
  CHECK(kept(40) == Approx(1 - 40.0 / 132).epsilon(1e-12));  // beyond it: the SM share, 0.303, is larger
  CHECK(kept(0) == 1.0);
  Kernel ln;
  ln.kind = KernelKind::memory;
  ln.hbm_bytes = 1e9;
  CHECK(kernel_seconds(gpu, ln, contention_of(gpu, {{8, 0.0}})) == kernel_seconds(gpu, ln));

  const GpuSpec& a100 = load_instance_by_name("p4de.24xlarge").gpu;
  CHECK(a100.gemm_rate_lost_by_blocks_held.empty());
  const double a100_alone = kernel_seconds(a100, gemm);
  CHECK(a100_alone / kernel_seconds(a100, gemm, contention_of(a100, {{8, 0.0}})) == Approx(1 - 8.0 / 108).epsilon(1e-12));
}
