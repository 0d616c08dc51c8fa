#include "sim/engine/event_queue.hpp"

#include <catch2/catch.hpp>

#include <vector>

using namespace shardsim;

TEST_CASE("events fire by time, then in the order scheduled", "[engine]") {
  EventQueue q;
  std::vector<int> order;
  q.schedule_at(2.0, [&] { order.push_back(3); });
  q.schedule_at(1.0, [&] { order.push_back(1); });
  q.schedule_at(1.0, [&] { order.push_back(2); });
  while (!q.empty()) q.run_next();
  CHECK(order == std::vector<int>{1, 2, 3});
  CHECK(q.now_s() == 2.0);
  CHECK(q.events_run() == 3);
  CHECK_THROWS(q.schedule_at(1.0, [] {}));
}
