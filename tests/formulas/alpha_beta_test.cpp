#include "sim/formulas/alpha_beta.hpp"

#include <catch2/catch.hpp>

using namespace shardsim;

TEST_CASE("closed forms", "[formulas]") {
  const RingCost c{20e-6, 50e9};
  const double M = 1e9;
  CHECK(ring_all_gather_time(128, M, c) == Approx(127 * 20e-6 + 127.0 / 128 * M / 50e9));
  CHECK(ring_all_reduce_time(128, M, c) == Approx(2 * (127 * 20e-6 + 127.0 / 128 * M / 50e9)));
  CHECK(ring_steps(CollectiveKind::all_gather, 128) == 127);
  CHECK(hierarchical_steps(CollectiveKind::all_gather, 128, 8) == 15 + 7);
  CHECK(hierarchical_steps(CollectiveKind::all_gather, 16, 8) == 8);
  CHECK(hierarchical_network_volume_fraction(16, 8) == 0.5);
  CHECK(flat_network_volume_fraction(16) == 15.0 / 16);
  CHECK(latency_ratio_estimate(128, 8) == Approx(128.0 / 24));
  // Two-level all-gather: (n-1) a_net + (n-1)/n M/B_net + (k-1) a_nvl + (k-1)/k M/B_nvl.
  const TwoLevelCost two{{20e-6, 50e9}, {3e-6, 200e9}, 0};
  CHECK(hierarchical_time(CollectiveKind::all_gather, 128, 8, M, two) ==
        Approx(15 * 20e-6 + 15.0 / 16 * M / 50e9 + 7 * 3e-6 + 7.0 / 8 * M / 200e9));
  CHECK_THROWS(hierarchical_time(CollectiveKind::all_gather, 12, 8, M, two));
}
