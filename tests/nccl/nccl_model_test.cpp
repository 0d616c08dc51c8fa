// NCCL's cost model against shared/reference/nccl-tuning-model.md: the worked example of §1.10,
// its switch points, the measured "2 nodes: NCCL picks tree" (hardware-and-calibration.md),
// version differences, forcing like NCCL_ALGO / NCCL_PROTO, and refusals.
#include "sim/input/input_error.hpp"
#include "sim/nccl/nccl_select.hpp"

#include <catch2/catch.hpp>

using namespace shardsim;
using Catch::Matchers::Contains;

namespace {

constexpr double kMiB = 1024.0 * 1024.0;

NcclSystem system_of(const std::string& instance, int nodes) {
  const InstanceType inst = load_instance_by_name(instance);
  return nccl_system(inst, nodes, inst.gpus_per_node);
}

const NcclCost& cell(const NcclCostTable& t, NcclAlgorithm a, NcclProtocol p) { return t[nccl_index(a)][nccl_index(p)]; }

void check_cell(const NcclCostTable& t, NcclProtocol p, double latency_us, double busbw_GBps) {
  INFO(to_string(p));
  CHECK(cell(t, NcclAlgorithm::ring, p).latency_us == Approx(latency_us).epsilon(1e-12));
  CHECK(cell(t, NcclAlgorithm::ring, p).busbw_GBps == Approx(busbw_GBps).epsilon(1e-12));
}

}  // namespace

TEST_CASE("the worked example of nccl-tuning-model.md §1.10 (NCCL 2.28), cell by cell", "[nccl]") {
  const NcclVersion v = load_nccl_version("2.28");
  using P = NcclProtocol;
  SECTION("8 x A100, 1 node, 12 ch x 20") {
    // AG: 6.6 + 7*0.6 = 10.8, min(87.7, 0.5*240); 14 + 7*1.9 = 27.3, 0.92*240; 8.4 + 7*3.4 = 32.2, 240.
    const NcclSystem s = system_of("p4d.24xlarge", 1);
    const NcclCostTable ag = nccl_tune_model(v, s, CollectiveKind::all_gather);
    check_cell(ag, P::ll, 10.8, 87.7);
    check_cell(ag, P::ll128, 27.3, 220.8);
    check_cell(ag, P::simple, 32.2, 240);
    // AR: 14 steps: 6.6 + 14*0.6 = 15.0, 14 + 14*1.9 = 40.6, 8.4 + 14*3.4 = 56.0.
    const NcclCostTable ar = nccl_tune_model(v, s, CollectiveKind::all_reduce);
    check_cell(ar, P::ll, 15.0, 87.7);
    check_cell(ar, P::ll128, 40.6, 220.8);
    check_cell(ar, P::simple, 56.0, 240);
  }
  SECTION("8 x H100, 1 node, 18 x 20.6 = 370.8") {
    // LL128: min(0.92*370.8 = 341.136, 18*36.7); the table's "341" is this value rounded.
    const NcclCostTable ag = nccl_tune_model(v, system_of("p5.48xlarge", 1), CollectiveKind::all_gather);
    check_cell(ag, P::ll, 10.8, 141);
    check_cell(ag, P::ll128, 27.3, 0.92 * 370.8);
    check_cell(ag, P::simple, 32.2, 370.8);
  }
  SECTION("p4d x 16 (128 ranks), 4 ch x 12, plugin latency 75 us and 0") {
    // 127 steps, 15 across nodes. LL: 6.6 + 112*max(0.6, 1.0 Intel overhead) + 15*(2.7+75) = 1284.1;
    // LL128: 14 + 112*1.9 + 15*(4+75) = 1411.8; Simple: 8.4 + 112*max(3.4, 3*1.0) + 15*(14+75+75) = 2849.2.
    NcclSystem s = system_of("p4d.24xlarge", 16);
    const NcclCostTable ag = nccl_tune_model(v, s, CollectiveKind::all_gather);
    check_cell(ag, P::ll, 1284.1, 20.4);
    check_cell(ag, P::ll128, 1411.8, 0.92 * 48);  // the table's 44.2 = 44.16 rounded
    check_cell(ag, P::simple, 2849.2, 48);
    s.plugin_latency_us = 0;  // IB-like: 6.6 + 112 + 15*2.7; 14 + 212.8 + 15*4; 8.4 + 380.8 + 15*14
    const NcclCostTable ib = nccl_tune_model(v, s, CollectiveKind::all_gather);
    check_cell(ib, P::ll, 159.1, 20.4);
    check_cell(ib, P::ll128, 286.8, 0.92 * 48);
    check_cell(ib, P::simple, 599.2, 48);
  }
}

TEST_CASE("§1.10: 2 GiB all-gather on p4d x 16 is ~47 ms Simple vs ~50 ms LL128, and Simple is chosen", "[nccl]") {
  const NcclVersion v = load_nccl_version("2.28");
  const NcclSystem s = system_of("p4d.24xlarge", 16);
  const double bytes = 2048 * kMiB;
  const double simple = nccl_select(v, s, CollectiveKind::all_gather, bytes, {}, NcclProtocol::simple).time_s;
  const double ll128 = nccl_select(v, s, CollectiveKind::all_gather, bytes, {}, NcclProtocol::ll128).time_s;
  // time = lat + nBytes * (127/128) / busBw
  CHECK(simple == Approx((2849.2 + bytes * 127.0 / 128.0 / 48e3) * 1e-6).epsilon(1e-12));
  CHECK(ll128 == Approx((1411.8 + bytes * 127.0 / 128.0 / 44.16e3) * 1e-6).epsilon(1e-12));
  CHECK(simple == Approx(0.047).margin(0.0005));
  CHECK(ll128 == Approx(0.050).margin(0.0005));
  const NcclChoice c = nccl_select(v, s, CollectiveKind::all_gather, bytes);
  CHECK(c.algorithm == NcclAlgorithm::ring);
  CHECK(c.protocol == NcclProtocol::simple);
}

TEST_CASE("§1.10 switch points of p4d x 16 all-gather under the 75 us knob", "[nccl]") {
  // LL -> LL128 where 1284.1 + x(127/128)/20.4e3 = 1411.8 + x(127/128)/44.16e3: x = 4.880e6 B
  // (4.65 MiB). The reference's "~6 MiB" is looser than its own formula: it lies between the
  // 4 MiB and 8 MiB points of a power-of-two sweep, which is what it reads. LL128 -> Simple at
  // 1437.4 us / ((127/128)(1/44.16 - 1/48)/1e3) = 7.997e8 B = 762.6 MiB (the reference: ~768 MiB).
  // With plugin latency 0 the second switch is at 165.8 MiB (the reference says ~192 MiB; by hand:
  // 312.4 us / ((127/128)(1/44.16 - 1/48)/1e3) = 1.738e8 B).
  const NcclVersion v = load_nccl_version("2.28");
  NcclSystem s = system_of("p4d.24xlarge", 16);
  auto proto = [&](double bytes) { return nccl_select(v, s, CollectiveKind::all_gather, bytes).protocol; };
  CHECK(proto(4 * kMiB) == NcclProtocol::ll);
  CHECK(proto(4.6 * kMiB) == NcclProtocol::ll);
  CHECK(proto(4.7 * kMiB) == NcclProtocol::ll128);
  CHECK(proto(8 * kMiB) == NcclProtocol::ll128);
  CHECK(proto(762 * kMiB) == NcclProtocol::ll128);
  CHECK(proto(763 * kMiB) == NcclProtocol::simple);
  s.plugin_latency_us = 0;
  CHECK(proto(165 * kMiB) == NcclProtocol::ll128);
  CHECK(proto(167 * kMiB) == NcclProtocol::simple);
}

TEST_CASE("2-node all-reduces run as trees on p4de (measured: '2 nodes: NCCL picks tree')", "[nccl]") {
  const NcclVersion v = load_nccl_version("2.28");
  const NcclSystem s = system_of("p4de.24xlarge", 2);
  for (double bytes : {8.0, 1 * kMiB, 8 * kMiB, 256 * kMiB, 1024 * kMiB, 2048 * kMiB}) {
    INFO(bytes);
    CHECK(nccl_select(v, s, CollectiveKind::all_reduce, bytes).algorithm == NcclAlgorithm::tree);
  }
  // 8 B: Tree LL, 6.8 + 2*((8-1)*0.6 + log2(2)*(5.0+75)) = 175.2 us (measured 161-165 us).
  CHECK(nccl_select(v, s, CollectiveKind::all_reduce, 8).latency_us == Approx(175.2).epsilon(1e-12));
  // 1 GiB: Tree Simple; tree graph bwIntra 24 (search.cc raises it to < 2 x bwInter 12), 4 ch:
  // busBw min(0.92*96, 4*23.6) = 88.32, algbw 44.16 (measured 40.96); latency 8.4 + 2*(7*4 + 14+75+75).
  const NcclChoice c = nccl_select(v, s, CollectiveKind::all_reduce, 1024 * kMiB);
  CHECK(c.protocol == NcclProtocol::simple);
  CHECK(c.busbw_GBps == Approx(88.32).epsilon(1e-12));
  CHECK(c.algbw_GBps == Approx(44.16).epsilon(1e-12));
  CHECK(c.time_s == Approx((392.4 + 1024 * kMiB / 44.16e3) * 1e-6).epsilon(1e-12));
}

TEST_CASE("all-gather and reduce-scatter never choose tree", "[nccl]") {
  for (const char* version : {"2.8", "2.12", "2.18", "2.28"}) {
    const NcclVersion v = load_nccl_version(version);
    for (const char* instance : {"p3dn.24xlarge", "p4d.24xlarge", "p5.48xlarge"})
      for (int nodes : {1, 2, 4, 32})
        for (CollectiveKind kind : {CollectiveKind::all_gather, CollectiveKind::reduce_scatter})
          for (double bytes = 8; bytes <= 4096 * kMiB; bytes *= 16) {
            INFO(version << " " << instance << " x" << nodes << " " << to_string(kind) << " " << bytes);
            CHECK(nccl_select(v, system_of(instance, nodes), kind, bytes).algorithm != NcclAlgorithm::tree);
          }
  }
}

TEST_CASE("versions differ: latency of an 8-node ring all-reduce on p4d, NCCL 2.12 vs 2.28", "[nccl]") {
  // 64 ranks, 126 steps. 2.28: 14 inter-node steps (2*(nNodes-1)), interLat = hwLat[NET] + 75
  // (+75 Simple flush); LL intraLat 0.47 raised to the 1.0 us net overhead. 2.12: 16 inter-node
  // steps (2*nNodes), interLat = the 150 us the plugin of its time declared, replacing hwLat[NET]
  // for every protocol (no flush); LL intraLat = 0.47*1.8 = 0.846, no net overhead yet.
  const NcclSystem s = system_of("p4d.24xlarge", 8);
  const NcclCostTable t228 = nccl_tune_model(load_nccl_version("2.28"), s, CollectiveKind::all_reduce);
  const NcclCostTable t212 = nccl_tune_model(load_nccl_version("2.12"), s, CollectiveKind::all_reduce);
  using A = NcclAlgorithm;
  using P = NcclProtocol;
  CHECK(cell(t228, A::ring, P::simple).latency_us == Approx(8.4 + 112 * 3.4 + 14 * 164).epsilon(1e-12));  // 2685.2
  CHECK(cell(t212, A::ring, P::simple).latency_us == Approx(8.4 + 110 * 3.4 + 16 * 150).epsilon(1e-12));  // 2782.4
  CHECK(cell(t228, A::ring, P::ll).latency_us == Approx(6.6 + 112 * 1.0 + 14 * 77.7).epsilon(1e-12));     // 1206.4
  CHECK(cell(t212, A::ring, P::ll).latency_us == Approx(3.6 + 110 * 0.47 * 1.8 + 16 * 150).epsilon(1e-12));  // 2496.66
}

TEST_CASE("forcing an algorithm or protocol, like NCCL_ALGO and NCCL_PROTO", "[nccl]") {
  const NcclVersion v = load_nccl_version("2.28");
  const NcclSystem s = system_of("p4de.24xlarge", 2);
  const NcclChoice ring = nccl_select(v, s, CollectiveKind::all_reduce, 1024 * kMiB, NcclAlgorithm::ring);
  CHECK(ring.algorithm == NcclAlgorithm::ring);
  CHECK(ring.protocol == NcclProtocol::simple);
  const NcclChoice ll = nccl_select(v, s, CollectiveKind::all_reduce, 1024 * kMiB, NcclAlgorithm::ring, NcclProtocol::ll);
  CHECK(ll.protocol == NcclProtocol::ll);
  CHECK(ll.time_s > ring.time_s);
  CHECK(nccl_select(v, s, CollectiveKind::all_reduce, 8, {}, NcclProtocol::simple).protocol == NcclProtocol::simple);
}

TEST_CASE("refusals name why", "[nccl]") {
  const NcclVersion v = load_nccl_version("2.28");
  const NcclSystem p4d = system_of("p4d.24xlarge", 2);
  CHECK_THROWS_WITH(nccl_select(v, p4d, CollectiveKind::all_gather, 1e6, NcclAlgorithm::tree),
                    Contains("does not run Tree for all_gather"));
  CHECK_THROWS_WITH(nccl_select(v, p4d, CollectiveKind::all_reduce, 1e6, NcclAlgorithm::nvls), Contains("NVLink SHARP"));
  CHECK_THROWS_WITH(nccl_select(v, p4d, CollectiveKind::all_gather, 1e6, NcclAlgorithm::pat), Contains("PAT needs 1 GPU per node"));
  CHECK_THROWS_WITH(nccl_select(v, p4d, CollectiveKind::all_reduce, 1e6, NcclAlgorithm::nvls_tree, NcclProtocol::ll),
                    Contains("without the LL protocol"));
  CHECK_THROWS_WITH(nccl_select(v, system_of("p3dn.24xlarge", 2), CollectiveKind::all_gather, 1e6, {}, NcclProtocol::ll128),
                    Contains("LL128 is disabled"));
  CHECK_THROWS_WITH(nccl_select(load_nccl_version("2.12"), system_of("p5.48xlarge", 2), CollectiveKind::all_reduce, 1e6,
                                NcclAlgorithm::nvls_tree),
                    Contains("NCCL 2.12 does not run NVLSTree"));
  CHECK_THROWS_WITH(nccl_system(load_instance_by_name("emulated-k2"), 2, 2), Contains("no \"nccl\" block"));
  CHECK_THROWS_WITH(nccl_system(load_instance_by_name("p4d.24xlarge"), 2, 9), Contains("between 1 and 8"));
  CHECK_THROWS_WITH(load_nccl_version("2.99"), Contains("unknown NCCL version '2.99' (shipped: 2.12, 2.18, 2.28, 2.8"));
  CHECK_THROWS_AS(nccl_select(v, p4d, CollectiveKind::all_gather, 0), InputError);
}

TEST_CASE("algorithm and protocol names as NCCL_ALGO / NCCL_PROTO spell them, case-insensitive", "[nccl]") {
  CHECK(parse_nccl_algorithm("Tree") == NcclAlgorithm::tree);
  CHECK(parse_nccl_algorithm("RING") == NcclAlgorithm::ring);
  CHECK(parse_nccl_algorithm("nvlstree") == NcclAlgorithm::nvls_tree);
  CHECK(parse_nccl_algorithm("nvls_tree") == NcclAlgorithm::nvls_tree);
  CHECK(parse_nccl_algorithm("CollnetDirect") == NcclAlgorithm::collnet_direct);
  CHECK(parse_nccl_algorithm("pat") == NcclAlgorithm::pat);
  CHECK(parse_nccl_protocol("ll128") == NcclProtocol::ll128);
  CHECK(parse_nccl_protocol("SIMPLE") == NcclProtocol::simple);
  CHECK(std::string(to_string(NcclAlgorithm::nvls_tree)) == "NVLSTree");
  CHECK(std::string(to_string(NcclProtocol::simple)) == "Simple");
  CHECK_THROWS_WITH(parse_nccl_algorithm("Rign"), Contains("did you mean 'Ring'"));
  CHECK_THROWS_WITH(parse_nccl_protocol("LL64"), Contains("unknown NCCL protocol 'LL64'"));
}
