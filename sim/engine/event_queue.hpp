// The discrete-event core: a simulated clock (double seconds) and a queue of actions ordered by
// (time, insertion sequence), so events at equal times fire in the order they were scheduled and a
// run is deterministic. No wall clock is ever read. An EventQueue is a value: many can run on many
// threads at once.
#pragma once

#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

namespace shardsim {

class EventQueue {
 public:
  using Action = std::function<void()>;

  double now_s() const { return now_s_; }
  void schedule_at(double time_s, Action action);
  void schedule_after(double delay_s, Action action) { schedule_at(now_s_ + delay_s, std::move(action)); }
  bool empty() const { return queue_.empty(); }
  double next_time_s() const { return queue_.top().time_s; }
  // Advances the clock to the next event and runs it.
  void run_next();
  // Moves the clock forward without running anything (used when the network finishes a flow first).
  void advance_to(double time_s);
  std::uint64_t events_run() const { return events_run_; }

 private:
  struct Event {
    double time_s;
    std::uint64_t sequence;
    Action action;
  };
  struct Later {
    bool operator()(const Event& a, const Event& b) const {
      return a.time_s != b.time_s ? a.time_s > b.time_s : a.sequence > b.sequence;
    }
  };
  std::priority_queue<Event, std::vector<Event>, Later> queue_;
  double now_s_ = 0;
  std::uint64_t next_sequence_ = 0;
  std::uint64_t events_run_ = 0;
};

}  // namespace shardsim
