// A table of (instance, nodes, collective, size, version) cases whose chosen algorithm, protocol,
// channels, latency, busBw and time were computed by hand from nccl-tuning-model.md §1.2-§1.7 and
// the shipped data (topologies/*.json "nccl" blocks, topologies/nccl/*.json). Each row's comment
// is that hand computation. Bandwidths use the search's channels; a call runs on the
// communicator's, twice as many (ncclTopoPostset, at most MAXCHANNELS: 32 before 2.19, 64 in
// 2.28), reduced for small sizes - NCCL 2.28.9 on the device machine logged 2 channels per call
// from a 1-channel search.
#include "sim/nccl/nccl_select.hpp"

#include <catch2/catch.hpp>

using namespace shardsim;

namespace {

constexpr double kMiB = 1024.0 * 1024.0;
constexpr double kGiB = 1024.0 * kMiB;

struct Case {
  const char* label;
  const char* instance;
  int nodes;
  int ranks_per_node;
  CollectiveKind kind;
  double bytes;
  const char* version;
  NcclAlgorithm algorithm;
  NcclProtocol protocol;
  int channels;
  double latency_us;
  double busbw_GBps;
  double time_us;
};

using A = NcclAlgorithm;
using P = NcclProtocol;
using K = CollectiveKind;

const Case kCases[] = {
    // 16 ranks, 15 steps, 1 across nodes; intra max(3.4, 3*1.0 Intel) = 3.4, inter 14 + 150 + 150;
    // one NIC: 1 ch x 12 (bwIntra, 2 nodes); LL128 off (NIC behind the CPU). algbw 12*16/15.
    {"p3dn x2 AG 1 GiB 2.28", "p3dn.24xlarge", 2, 8, K::all_gather, kGiB, "2.28", A::ring, P::simple, 2,
     8.4 + 14 * 3.4 + 314, 12, 370.0 + kGiB / (12e3 * 16 / 15)},
    // 2.12: busBw min(240, A100 cap 235); latency 8.4 + 14*3.4; algbw 235*8/14.
    {"p4d x1 AR 1 GiB 2.12", "p4d.24xlarge", 1, 8, K::all_reduce, kGiB, "2.12", A::ring, P::simple, 24, 56.0, 235,
     56.0 + kGiB / (235e3 * 8 / 14)},
    // PAT, one GPU per node, on the tree's graph: 1 channel (4 ch x 1/8 GPUs, at least 1; 2 per call)
    // x bwInter 12 (16 nodes) x 0.75 = 9 GB/s, already
    // algorithm bandwidth; latency 8 + log2(16)*(14+75+75)/3.5 + 16*2.8 (hwLat NET row of Tree as ppn = 1).
    {"p4d x16 1 GPU/node AG 1 MiB 2.28", "p4d.24xlarge", 16, 1, K::all_gather, 1 * kMiB, "2.28", A::pat, P::simple, 2,
     8 + 4 * 164 / 3.5 + 16 * 2.8, 9, 8 + 4 * 164 / 3.5 + 16 * 2.8 + kMiB / 9e3},
    // NVLS on one H100 node: intraBw 20*0.85*15/16*2 = 31.875, interBw 20 -> 20 x 16 ch = 320;
    // latency = hwLat[NVLINK][NVLS][Simple] 25 ('=' not '+='); algbw 320*8/14. Beats ring LL
    // (15 + 4 MiB/80.57e3) and LL128 (40.6 + 4 MiB/194.9e3).
    {"p5 x1 AR 4 MiB 2.28", "p5.48xlarge", 1, 8, K::all_reduce, 4 * kMiB, "2.28", A::nvls, P::simple, 16, 25, 320,
     25 + 4 * kMiB / (320e3 * 8 / 14)},
    // NVLSTree on 2 x p5: 16 NVLS ch, intraBw 20*0.85*15/16*2 = 31.875, interBw 20*2 (2 nodes),
    // cap 57.7 -> 31.875 x 16 = 510, algbw x 16/30 = 272; latency 0 + 25 + 2*1*(20.9+75+75) = 366.8.
    // Beats Tree Simple (32 ch x bwIntra 12: min(0.92*384, 32*41.4) = 353.28, algbw /2;
    // 8.4 + 2*(7*4.0 + (14+75+75)) = 392.4 + 1 GiB/176.64e3) and ring. NVLS itself is off across
    // nodes without CollNet.
    {"p5 x2 AR 1 GiB 2.28", "p5.48xlarge", 2, 8, K::all_reduce, kGiB, "2.28", A::nvls_tree, P::simple, 16, 366.8, 510,
     366.8 + kGiB / 272e3},
    // Tree LL128 on 2 x p5 at 8 MiB: busBw min(0.92*384, 32*41.4) = 353.28, then
    // min(353.28*120/128, 32*36.7) = 331.2, algbw 165.6 x the LL128 correction 0.9 (index
    // log2(8 MiB >> 6) = 17); latency 14 + 2*(7*1.25 + (8.5+75)) = 198.5. Beats NVLSTree
    // (366.8 + 8 MiB/272e3) and Tree LL (175.2 + 8 MiB/(11.25e3*0.8): busBw min(353.28/3.8, 22.5 AMD row)).
    {"p5 x2 AR 8 MiB 2.28", "p5.48xlarge", 2, 8, K::all_reduce, 8 * kMiB, "2.28", A::tree, P::ll128, 64, 198.5, 331.2,
     198.5 + 8 * kMiB / (165.6e3 * 0.9)},
    // 2.18 on 4 x p4d (v2.18.6 tuning.cc: the plugin's 75 adds to hwLat[NET], Simple adds it again):
    // ring LL128 14 + 54*max(1.9, 1.0 Intel net overhead) + 8*(4.0+75) (2*nNodes inter steps),
    // busBw min(0.92*48, 4*20), algbw x 32/62. Tree LL128 (14 + 2*(7*1.25 + 2*(8.5+75)) = 365.5 +
    // 64 MiB/(20.7e3*0.9)) and ring Simple ((8.4 + 54*3.4 + 8*164)*1.4 + 64 MiB/24.77e3) lose.
    {"p4d x4 AR 64 MiB 2.18", "p4d.24xlarge", 4, 8, K::all_reduce, 64 * kMiB, "2.18", A::ring, P::ll128, 8,
     14 + 54 * 1.9 + 8 * 79, 44.16, 14 + 54 * 1.9 + 8 * 79 + 64 * kMiB / (44.16e3 * 32 / 62)},
    // 8 B on 8 x p4de: Tree LL 6.8 + 2*(7*0.6 + 3*(5.0+75)) = 495.2; busBw 0.92*48/3.8; algbw /2; 1 channel.
    {"p4de x8 AR 8 B 2.28", "p4de.24xlarge", 8, 8, K::all_reduce, 8, "2.28", A::tree, P::ll, 1, 495.2, 0.92 * 48 / 3.8,
     495.2 + 8 / (0.92 * 48 / 3.8 * 0.5e3)},
};

}  // namespace

TEST_CASE("hand-computed cases: chosen algorithm, protocol, channels, latency, busBw and time", "[nccl]") {
  for (const Case& c : kCases) {
    INFO(c.label);
    const InstanceType inst = load_instance_by_name(c.instance);
    const NcclSystem s = nccl_system(inst, c.nodes, c.ranks_per_node);
    const NcclChoice got = nccl_select(load_nccl_version(c.version), s, c.kind, c.bytes);
    CHECK(to_string(got.algorithm) == std::string(to_string(c.algorithm)));
    CHECK(to_string(got.protocol) == std::string(to_string(c.protocol)));
    CHECK(got.channels == c.channels);
    CHECK(got.latency_us == Approx(c.latency_us).epsilon(1e-12));
    CHECK(got.busbw_GBps == Approx(c.busbw_GBps).epsilon(1e-12));
    CHECK(got.time_s * 1e6 == Approx(c.time_us).epsilon(1e-12));
  }
}

TEST_CASE("hand-computed cost-table cells of the older versions", "[nccl]") {
  const NcclSystem p4d = nccl_system(load_instance_by_name("p4d.24xlarge"), 1, 8);
  // 2.12, single-node AG, ring LL: 1/3 of the A100-capped 235.
  const NcclCostTable ag212 = nccl_tune_model(load_nccl_version("2.12"), p4d, K::all_gather);
  CHECK(ag212[nccl_index(A::ring)][nccl_index(P::ll)].busbw_GBps == Approx(235.0 / 3).epsilon(1e-12));
  // 2.8, RS ring LL128: min(0.92*235, 12 ch x 15.2, v2.8's per-collective cap).
  const NcclCostTable rs28 = nccl_tune_model(load_nccl_version("2.8"), p4d, K::reduce_scatter);
  CHECK(rs28[nccl_index(A::ring)][nccl_index(P::ll128)].busbw_GBps == Approx(12 * 15.2).epsilon(1e-12));
  // 2.8, AR ring Simple on 2 nodes (v2.8.4 tuning.cc l.112, l.140): the plugin's latency does not
  // exist yet, so NET ring Simple 9.6 per node crossing, and 2*(nNodes-1) = 2 of the 30 steps cross.
  const NcclSystem two = nccl_system(load_instance_by_name("p4d.24xlarge"), 2, 8);
  const NcclCostTable ar28 = nccl_tune_model(load_nccl_version("2.8"), two, K::all_reduce);
  CHECK(ar28[nccl_index(A::ring)][nccl_index(P::simple)].latency_us == Approx(8.4 + 28 * 3.4 + 2 * 9.6).epsilon(1e-12));
  // 2.12 on the same nodes: 2*nNodes = 4 crossings, each at the 150 us the plugin of 2022 declared
  // (replacing the table; p4d.24xlarge.json net_plugin.earlier_latencies), no Simple flush.
  const NcclCostTable ar212 = nccl_tune_model(load_nccl_version("2.12"), two, K::all_reduce);
  CHECK(ar212[nccl_index(A::ring)][nccl_index(P::simple)].latency_us == Approx(8.4 + 26 * 3.4 + 4 * 150).epsilon(1e-12));
  CHECK(ar212[nccl_index(A::ring)][nccl_index(P::ll128)].latency_us == Approx(10.0 + 26 * 1.9 + 4 * 150).epsilon(1e-12));
}

TEST_CASE("the ring shape a flow simulator uses adds up to the cost table's ring latency", "[nccl]") {
  const NcclVersion v = load_nccl_version("2.28");
  const NcclSystem s = nccl_system(load_instance_by_name("p4d.24xlarge"), 16, 8);
  const NcclRingShape r = nccl_ring_shape(v, s, K::all_gather, P::simple);
  CHECK(r.base_latency_us == 8.4);
  CHECK(r.intra_step_latency_us == 3.4);
  CHECK(r.inter_step_latency_us == 164);
  CHECK(r.steps == 127);
  CHECK(r.inter_steps == 15);
  CHECK(r.bandwidth_efficiency == 1);
  const NcclRingShape ll = nccl_ring_shape(v, s, K::all_gather, P::ll);
  CHECK(ll.bandwidth_efficiency == Approx(20.4 / 48).epsilon(1e-12));
  CHECK(ll.intra_step_latency_us == 1.0);  // the Intel net overhead, above NVLink's 0.6
}
