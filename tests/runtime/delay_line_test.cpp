// The emulated wire latency: a send runs no earlier than its delay after it was posted, in the
// order posted; a failing send stops the line and drain() reports it; cancel() drops what waits.
// Only lower bounds on time are asserted (they hold by construction on any machine).
#include "runtime/gloo/delay_line.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <mutex>
#include <stdexcept>
#include <vector>

using namespace shardsim::runtime;
using Clock = std::chrono::steady_clock;

TEST_CASE("a delay line runs each send its delay after it was posted, in order", "[runtime][delay]") {
  const auto delay = std::chrono::milliseconds(20);
  DelayLine line(delay);
  std::mutex mutex;
  std::vector<int> order;
  std::vector<Clock::duration> lateness;  // run time - (post time + delay)
  for (int i = 0; i < 3; ++i) {
    const auto posted = Clock::now();
    line.post([&, i, posted] {
      std::lock_guard lock(mutex);
      order.push_back(i);
      lateness.push_back(Clock::now() - (posted + delay));
    });
  }
  line.drain();
  CHECK(order == std::vector<int>{0, 1, 2});
  for (auto late : lateness) CHECK(late >= Clock::duration::zero());
}

TEST_CASE("a failing send stops the delay line and drain reports it", "[runtime][delay]") {
  DelayLine line(std::chrono::milliseconds(1));
  int ran = 0;
  line.post([] { throw std::runtime_error("peer gone"); });
  CHECK_THROWS_WITH(line.drain(), "peer gone");
  line.post([&] { ++ran; });  // dropped: the line has failed
  CHECK_THROWS_WITH(line.drain(), "peer gone");
  CHECK(ran == 0);
}

TEST_CASE("cancel drops the sends still waiting", "[runtime][delay]") {
  DelayLine line(std::chrono::seconds(30));
  int ran = 0;
  line.post([&] { ++ran; });
  line.cancel();
  line.drain();  // nothing left
  CHECK(ran == 0);
}
