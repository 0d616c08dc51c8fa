// Rules that changed between NCCL releases, each as the tagged source has it (NVIDIA/nccl
// v2.8.4-1, v2.12.12-1, v2.18.6-1, v2.28.9-1, src/graph/tuning.cc), and the network plugin's
// declared latency of each release's time (aws-ofi-nccl; topologies/*.json net_plugin).
#include "sim/nccl/nccl_select.hpp"

#include <catch2/catch.hpp>

using namespace shardsim;

namespace {

using A = NcclAlgorithm;
using P = NcclProtocol;
using K = CollectiveKind;

NcclSystem system_of(const std::string& instance, int nodes, int ranks_per_node = 0) {
  const InstanceType inst = load_instance_by_name(instance);
  return nccl_system(inst, nodes, ranks_per_node == 0 ? inst.gpus_per_node : ranks_per_node);
}

const NcclCost& cell(const NcclCostTable& t, A a, P p) { return t[nccl_index(a)][nccl_index(p)]; }

}  // namespace

TEST_CASE("each NCCL release sees the latency its time's plugin declared", "[nccl]") {
  const NcclSystem p4d = system_of("p4d.24xlarge", 2);
  // aws-ofi-nccl v1.3.0-aws .. v1.6.0: 150 us on every EFA NIC; 75 us on p4d from v1.7.0-aws.
  CHECK(p4d.declared_latency_us(load_nccl_version("2.12")) == 150);
  CHECK(p4d.declared_latency_us(load_nccl_version("2.18")) == 75);
  CHECK(p4d.declared_latency_us(load_nccl_version("2.28")) == 75);
  CHECK(system_of("p3dn.24xlarge", 2).declared_latency_us(load_nccl_version("2.12")) == 150);
  // Per node crossing of a ring: 2.8 has no such property (hwLat[NET] alone), 2.12 replaces the
  // table with it for every protocol, 2.18 adds it (and again for Simple's flush).
  CHECK(nccl_ring_shape(load_nccl_version("2.8"), p4d, K::all_gather, P::simple).inter_step_latency_us == 9.6);
  for (P p : {P::ll, P::ll128, P::simple})
    CHECK(nccl_ring_shape(load_nccl_version("2.12"), p4d, K::all_gather, p).inter_step_latency_us == 150);
  CHECK(nccl_ring_shape(load_nccl_version("2.18"), p4d, K::all_gather, P::ll128).inter_step_latency_us == 4.0 + 75);
  CHECK(nccl_ring_shape(load_nccl_version("2.18"), p4d, K::all_gather, P::simple).inter_step_latency_us == 14 + 75 + 75);
  // Where the wire's latency is known (p5: 20 us), the flows pay it whatever the release.
  const NcclSystem p5 = system_of("p5.48xlarge", 2);
  CHECK(p5.declared_latency_us(load_nccl_version("2.12")) == 150);
  CHECK(nccl_flow_system(p5).declared_latency_us(load_nccl_version("2.12")) == 20);
}

TEST_CASE("each NCCL release runs with the Simple buffer its time's plugin set", "[nccl]") {
  // aws-ofi-nccl v1.16.0 (paired with 2.28) sets NCCL_BUFFSIZE=8 MiB on P4 and later; the plugins
  // of 2.12's and 2.18's time set none, so NCCL's DEFAULT_BUFFSIZE (4 MiB) applies.
  const NcclSystem p4d = system_of("p4d.24xlarge", 2);
  CHECK(p4d.simple_buffsize_bytes(load_nccl_version("2.28")) == 8388608);
  CHECK_FALSE(p4d.simple_buffsize_bytes(load_nccl_version("2.18")));
  CHECK_FALSE(p4d.simple_buffsize_bytes(load_nccl_version("2.12")));
  CHECK(system_of("p5.48xlarge", 2).simple_buffsize_bytes(load_nccl_version("2.28")) == 8388608);
  CHECK_FALSE(system_of("p3dn.24xlarge", 2).simple_buffsize_bytes(load_nccl_version("2.28")));
  // The ring's Simple chunk is stepSize x CHUNKSTEPS: 8 MiB / 8 x 4 = 4 MiB, still 2 slices and 4 in flight.
  const NcclVersion v = load_nccl_version("2.28");
  const ConnectionFifo fifo = v.ring_fifo(P::simple, p4d.simple_buffsize_bytes(v));
  CHECK(fifo.chunk_data_bytes == 4194304);
  CHECK(fifo.messages_per_chunk == 2);
  CHECK(fifo.in_flight_messages == 4);
  CHECK(v.ring_fifo(P::ll128, p4d.simple_buffsize_bytes(v)).chunk_data_bytes == v.ring_fifo(P::ll128).chunk_data_bytes);
}

TEST_CASE("ring LL128 with one GPU per node keeps 0.7 of the bus up to 2.18, 0.92 in 2.28", "[nccl]") {
  // 2 x p4d, 1 rank per node: 1 ring channel (4 x 1/8, at least 1) x bwIntra 12 (2 nodes).
  const NcclSystem s = system_of("p4d.24xlarge", 2, 1);
  CHECK(cell(nccl_tune_model(load_nccl_version("2.12"), s, K::all_gather), A::ring, P::ll128).busbw_GBps == Approx(0.7 * 12));
  CHECK(cell(nccl_tune_model(load_nccl_version("2.18"), s, K::all_gather), A::ring, P::ll128).busbw_GBps == Approx(0.7 * 12));
  CHECK(cell(nccl_tune_model(load_nccl_version("2.28"), s, K::all_gather), A::ring, P::ll128).busbw_GBps == Approx(0.92 * 12));
}

TEST_CASE("the ring plateau's size condition: per rank before 2.18, per communicator channel and rank after", "[nccl]") {
  const NcclSystem s = system_of("p4d.24xlarge", 2);  // 16 ranks, 4 ring graph channels, 8 comm channels
  const auto latency = [&](const char* version, double bytes) {
    return nccl_select(load_nccl_version(version), s, K::all_reduce, bytes, A::ring, P::simple).latency_us;
  };
  const auto table = [&](const char* version) {
    return cell(nccl_tune_model(load_nccl_version(version), s, K::all_reduce), A::ring, P::simple).latency_us;
  };
  // 2.12: nBytes >= nRanks/16*65536 = 65536, x1.9 on every GPU.
  CHECK(latency("2.12", 65535) == Approx(table("2.12")));
  CHECK(latency("2.12", 65536) == Approx(1.9 * table("2.12")));
  // 2.28: nBytes/(comm->nChannels * nRanks) >= 64 with 8 communicator channels: 8192 bytes, x1.4 on sm80.
  CHECK(latency("2.28", 8191) == Approx(table("2.28")));
  CHECK(latency("2.28", 8192) == Approx(1.4 * table("2.28")));
}

TEST_CASE("one GPU per node prices every network step with the tree's row from 2.23 on", "[nccl]") {
  const NcclSystem s = system_of("p4d.24xlarge", 4, 1);
  const NcclVersion v228 = load_nccl_version("2.28");
  const double tree_row = v228.hw_latency_us[nccl_index(NcclHardware::net)][nccl_index(A::tree)][nccl_index(P::ll128)];
  CHECK(nccl_ring_shape(v228, s, K::all_gather, P::ll128).inter_step_latency_us == Approx(tree_row + 75));
  CHECK(nccl_ring_shape(load_nccl_version("2.18"), s, K::all_gather, P::ll128).inter_step_latency_us == Approx(4.0 + 75));
}

TEST_CASE("2.18 prices NVLS by its bus ratios and runs 16 NVLS channels", "[nccl]") {
  const NcclVersion v = load_nccl_version("2.18");
  const NcclSystem one = system_of("p5.48xlarge", 1);
  const NcclCostTable one_table = nccl_tune_model(v, one, K::all_reduce);
  const NcclCost& nvls = cell(one_table, A::nvls, P::simple);
  // baseLat 23, no intra-node step (hwLat[NVLINK][NVLS] 0); busBw = channels x bwIntra, x 5/6.
  CHECK(nvls.latency_us == 23);
  CHECK(nvls.busbw_GBps == Approx(one.nvls.channels * one.nvls.bw_intra_GBps));
  CHECK(nvls.bandwidth_GBps == Approx(nvls.busbw_GBps * 5.0 / 6.0));
  CHECK(nccl_select(v, one, K::all_reduce, 64 * 1024.0 * 1024.0, A::nvls, P::simple).channels == 16);
  // NVLS-tree over 4 nodes: 23 + 2*(4-1)*19 (hwLat[NET][NVLS_TREE], no plugin latency), ratio 0.7*4/6.
  const NcclSystem four = system_of("p5.48xlarge", 4);
  const NcclCostTable four_table = nccl_tune_model(v, four, K::all_reduce);
  const NcclCost& tree = cell(four_table, A::nvls_tree, P::simple);
  CHECK(tree.latency_us == Approx(23 + 2 * 3 * 19));
  CHECK(tree.bandwidth_GBps == Approx(tree.busbw_GBps * 0.7 * 4 / 6));
}

TEST_CASE("several nodes take llMaxBw's AMD row only on AMD CPUs", "[nccl]") {
  // p4d x 4, ring LL: 0.5 x 48 = 24 GB/s, capped by the CPU row's >2-node column (Intel 20.4, AMD 19.0).
  const NcclVersion v = load_nccl_version("2.28");
  NcclSystem s = system_of("p4d.24xlarge", 4);
  const auto ll_busbw = [&](NcclCpuVendor cpu) {
    s.cpu_vendor = cpu;
    return cell(nccl_tune_model(v, s, K::all_gather), A::ring, P::ll).busbw_GBps;
  };
  CHECK(ll_busbw(NcclCpuVendor::intel) == Approx(20.4));
  CHECK(ll_busbw(NcclCpuVendor::other) == Approx(20.4));
  CHECK(ll_busbw(NcclCpuVendor::amd) == Approx(19.0));
}

TEST_CASE("a GPU takes its generation's row: exactly sm80 up to 2.12, the newest row at or below it from 2.18", "[nccl]") {
  // An sm86 GPU (A10G, say) on 2.12 takes the Volta row, on 2.28 the Ampere row; an sm90 on 2.12 Volta's.
  const NcclVersion v212 = load_nccl_version("2.12"), v228 = load_nccl_version("2.28");
  CHECK(v212.generation(86).tree_per_channel_GBps == v212.generation(70).tree_per_channel_GBps);
  CHECK(v212.generation(90).ll_max_bw_GBps == v212.generation(70).ll_max_bw_GBps);
  CHECK(v212.generation(80).tree_per_channel_GBps != v212.generation(70).tree_per_channel_GBps);
  CHECK(v228.generation(86).tree_per_channel_GBps == v228.generation(80).tree_per_channel_GBps);
  CHECK(v228.generation(89).ll_max_bw_GBps == v228.generation(80).ll_max_bw_GBps);
  CHECK(v228.generation(100).ll_max_bw_GBps != v228.generation(90).ll_max_bw_GBps);
  CHECK_THROWS_WITH(v228.generation(60), Catch::Matchers::Contains("no constants for compute capability 60"));
}
