#include "sim/formulas/alpha_beta.hpp"

#include <catch2/catch.hpp>

using namespace shardsim;

TEST_CASE("closed forms", "[formulas]") {
  const RingCost c = alpha_beta_cost(20e-6, 50e9);
  const double M = 1e9;
  CHECK(ring_all_gather_time(128, M, c) == Approx(127 * 20e-6 + 127.0 / 128 * M / 50e9));
  CHECK(ring_all_reduce_time(128, M, c) == Approx(2 * (127 * 20e-6 + 127.0 / 128 * M / 50e9)));
  CHECK(ring_steps(CollectiveKind::all_gather, 128) == 127);
  // DeepSpeed's MiCS gather: n-1 node crossings, then one (k-1)-step gather per node block.
  CHECK(hierarchical_steps(CollectiveKind::all_gather, 128, 8) == 15 + 16 * 7);
  CHECK(hierarchical_steps(CollectiveKind::all_gather, 16, 8) == 1 + 2 * 7);
  CHECK(hierarchical_steps(CollectiveKind::all_reduce, 16, 8) == 2 * 1 + 2 * 7);
  CHECK(hierarchical_network_volume_fraction(16, 8) == 0.5);
  CHECK(flat_network_volume_fraction(16) == 15.0 / 16);
  CHECK(latency_ratio_estimate(128, 8) == Approx(128.0 / 24));
  // Two-level all-gather: (n-1) a_net + (n-1)/n M/B_net + n (k-1) a_nvl + (k-1)/k M/B_nvl.
  const TwoLevelCost two{alpha_beta_cost(20e-6, 50e9), alpha_beta_cost(3e-6, 200e9), 0};
  CHECK(hierarchical_time(CollectiveKind::all_gather, 128, 8, M, two) ==
        Approx(15 * 20e-6 + 15.0 / 16 * M / 50e9 + 16 * 7 * 3e-6 + 7.0 / 8 * M / 200e9));
  // With a copy rate: the gathered M/k is read and written once.
  const TwoLevelCost copying{alpha_beta_cost(20e-6, 50e9), alpha_beta_cost(3e-6, 200e9), 1e12};
  CHECK(hierarchical_time(CollectiveKind::all_gather, 128, 8, M, copying) ==
        Approx(hierarchical_time(CollectiveKind::all_gather, 128, 8, M, two) + 2 * (M / 8) / 1e12));
  CHECK_THROWS(hierarchical_time(CollectiveKind::all_gather, 12, 8, M, two));
}

TEST_CASE("a pipelined ring pays its hop latencies once along the critical path", "[formulas]") {
  // The last chunk to arrive crosses every hop but the cheapest one.
  CHECK(pipelined_ring_step_latency_s({2e-6, 8e-6}) == 8e-6);
  CHECK(pipelined_ring_step_latency_s({3e-6, 3e-6, 3e-6, 3e-6}) == Approx(3e-6).epsilon(1e-15));
  // Two nodes of four: six intra-node hops of 1 us, two node crossings of 9 us; 7 steps pay
  // 5 x 1 + 2 x 9 us in all, where waiting for the slowest hop every step would pay 7 x 9 us.
  const std::vector<double> two_nodes{1e-6, 1e-6, 1e-6, 9e-6, 1e-6, 1e-6, 1e-6, 9e-6};
  CHECK(7 * pipelined_ring_step_latency_s(two_nodes) == Approx(23e-6).epsilon(1e-12));
}

TEST_CASE("reductions add (p-1)/p M / R to reduce-scatter and all-reduce, nothing to all-gather", "[formulas]") {
  const RingCost fused = alpha_beta_cost(1e-6, 1e9);
  const RingCost reducing = alpha_beta_cost(1e-6, 1e9, 2e9);
  const double M = 4e6;
  CHECK(ring_all_gather_time(4, M, reducing) == ring_all_gather_time(4, M, fused));
  CHECK(ring_reduce_scatter_time(4, M, reducing) == Approx(3e-6 + 3e6 / 1e9 + 3e6 / 2e9).epsilon(1e-12));
  CHECK(ring_all_reduce_time(4, M, reducing) == Approx(6e-6 + 6e6 / 1e9 + 3e6 / 2e9).epsilon(1e-12));
  CHECK(ring_reduce_scatter_time(4, M, fused) == ring_all_gather_time(4, M, fused));
  // Two-level: the intra-node reduce-scatter reduces (k-1)/k M, the inter-node one (n-1)/n M/k.
  const TwoLevelCost two{reducing, reducing, 0};
  // The intra-node level is one reduce-scatter per node block (4 blocks of M/4).
  CHECK(hierarchical_time(CollectiveKind::reduce_scatter, 8, 2, M, two) ==
        Approx(4 * ring_reduce_scatter_time(2, M / 4, reducing) + 3e-6 + 0.75 * M / 1e9 + 0.75 * (M / 2) / 2e9)
            .epsilon(1e-12));
}

TEST_CASE("a bounded FIFO: a step's messages hold the slots for the hop's latency plus their transfer", "[formulas]") {
  // NCCL's ring Simple: chunks of 2 MiB as 2 slices, 4 slices in flight (8 slots of 2 steps).
  const ConnectionFifo simple{2097152, 2, 4};
  CHECK(fifo_messages(simple, 1) == 2);  // an almost empty step still posts both slices
  CHECK(fifo_messages(simple, 262144) == 2);
  CHECK(fifo_messages(simple, 2097152) == 2);
  CHECK(fifo_messages(simple, 2097153) == 4);
  CHECK(fifo_messages(simple, 5 * 2097152.0) == 10);
  // (m x latency + transfer) / slots: 262 KB at 150 us per crossing and 50 us on the wire.
  CHECK(fifo_step_floor_s(simple, 262144, 150e-6, 50e-6) == Approx((2 * 150e-6 + 50e-6) / 4).epsilon(1e-12));
  // No bound where the FIFO has no slots (Gloo).
  CHECK(fifo_messages(ConnectionFifo{}, 1e6) == 0);
  CHECK(fifo_step_floor_s(ConnectionFifo{}, 1e6, 1, 1) == 0);
  // A ring step takes the largest of the wire, the pipelined latency and the FIFO's floor.
  RingCost c = alpha_beta_cost(20e-6, 100e9);
  c.fifo = simple;
  c.fifo_hop_latency_s = 150e-6;
  c.rings = 8;
  const double chunk = 8 * 262144.0;  // 262 KB per ring, 21 us on the wire
  CHECK(ring_step_time(chunk, c, false) == Approx((2 * 150e-6 + chunk / 100e9) / 4).epsilon(1e-12));
  CHECK(ring_all_gather_time(512, 512 * chunk, c) == Approx(511 * (2 * 150e-6 + chunk / 100e9) / 4).epsilon(1e-12));
  // Large steps: the latency and the wire again (the FIFO's slots stay full).
  CHECK(ring_step_time(1000 * chunk, c, false) == Approx(20e-6 + 1000 * chunk / 100e9).epsilon(1e-12));
}
