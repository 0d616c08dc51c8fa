#include "sim/network/flow_network.hpp"

#include <catch2/catch.hpp>

#include <limits>
#include <stdexcept>
#include <vector>

using namespace shardsim;

namespace {

struct Finish {
  double time_s;
  int tag;
  int flows;
  bool operator==(const Finish&) const = default;
};

// Runs the network until idle, recording each completion with its instant.
std::vector<Finish> run_to_idle(FlowNetwork& net) {
  std::vector<Finish> out;
  double now_s = 0;
  while (!net.idle()) {
    const double dt = net.time_to_next_completion();
    REQUIRE(dt < std::numeric_limits<double>::infinity());
    now_s += dt;
    for (const auto& c : net.advance(dt)) out.push_back({now_s, c.tag, c.flows});
  }
  return out;
}

}  // namespace

TEST_CASE("flows started as one set on alike links complete together as one cohort", "[network]") {
  // Links 0-2 at 10 B/s: three flows of 100 B, one per link, all at 10 B/s: 10 s.
  FlowNetwork net({10, 10, 10});
  std::vector<int> routes;
  for (int l = 0; l < 3; ++l) routes.push_back(net.intern_route({l}));
  const int set = net.intern_route_set(routes);
  CHECK(net.intern_route_set(routes) == set);
  net.start_flows(set, 100, 7);
  CHECK(net.active_flows() == 3);
  CHECK(net.changes() == 3);
  const auto finishes = run_to_idle(net);
  REQUIRE(finishes.size() == 1);
  CHECK(finishes[0] == Finish{10.0, 7, 3});
  CHECK(net.changes() == 6);
  CHECK(net.link_bytes() == std::vector<double>{100, 100, 100});
}

TEST_CASE("a set whose flows get different rates splits and each flow finishes on its own", "[network]") {
  // Link 1 is shared with a single flow started beside the set: the set's flow there gets half
  // of it (5 B/s) while the one on link 0 runs at 10 B/s.
  FlowNetwork net({10, 10});
  const int r0 = net.intern_route({0}), r1 = net.intern_route({1});
  net.start_flows(net.intern_route_set({r0, r1}), 100, 1);
  net.start_flow(r1, 20, 2);
  const auto finishes = run_to_idle(net);
  // Tag 2: 20 B at 5 B/s ends at 4 s. Tag 1 on link 0: 100 B at 10 B/s ends at 10 s. Tag 1 on
  // link 1: 20 B by 4 s, then 80 B at 10 B/s: 12 s.
  REQUIRE(finishes.size() == 3);
  CHECK(finishes[0] == Finish{4.0, 2, 1});
  CHECK(finishes[1].tag == 1);
  CHECK(finishes[1].flows == 1);
  CHECK(finishes[1].time_s == Approx(10.0));
  CHECK(finishes[2].tag == 1);
  CHECK(finishes[2].flows == 1);
  CHECK(finishes[2].time_s == Approx(12.0));
  CHECK(net.link_bytes() == std::vector<double>{100, 120});
  CHECK(net.changes() == 6);
}

TEST_CASE("a set of flows runs exactly as the same flows started one by one", "[network]") {
  // A small fat tree of uneven links: four flows over shared and private links, with a second set
  // started against them. The instants of completion are bit-identical either way.
  const std::vector<double> capacity{7, 3, 11, 5, 13};
  const std::vector<std::vector<int>> links{{0, 1}, {1, 2}, {2, 3, 3}, {4}};
  auto run = [&](bool as_sets) {
    FlowNetwork net(capacity);
    std::vector<int> routes;
    for (const auto& l : links) routes.push_back(net.intern_route(l));
    if (as_sets) {
      net.start_flows(net.intern_route_set(routes), 50, 1);
      net.start_flows(net.intern_route_set({routes[1], routes[3]}), 30, 2);
    } else {
      for (int r : routes) net.start_flow(r, 50, 1);
      for (int r : {routes[1], routes[3]}) net.start_flow(r, 30, 2);
    }
    std::vector<std::pair<double, int>> flows_done;  // (instant, tag) once per flow
    for (const Finish& f : run_to_idle(net))
      for (int k = 0; k < f.flows; ++k) flows_done.emplace_back(f.time_s, f.tag);
    return std::make_pair(flows_done, net.link_bytes());
  };
  const auto [by_set, set_bytes] = run(true);
  const auto [one_by_one, single_bytes] = run(false);
  CHECK(by_set.size() == 6);
  CHECK(by_set == one_by_one);
  CHECK(set_bytes == single_bytes);
}

TEST_CASE("route sets refuse what they cannot hold", "[network]") {
  FlowNetwork net({1});
  const int r = net.intern_route({0});
  CHECK_THROWS_AS(net.intern_route_set({}), std::invalid_argument);
  CHECK_THROWS_AS(net.intern_route_set({r, 5}), std::out_of_range);
  CHECK_THROWS_AS(net.start_flows(3, 10), std::out_of_range);
  CHECK_THROWS_AS(net.start_flows(net.intern_route_set({r}), 0), std::invalid_argument);
  CHECK_THROWS_AS(net.intern_route({1}), std::out_of_range);
}
