#include "sim/engine/event_queue.hpp"

#include <stdexcept>

namespace shardsim {

void EventQueue::schedule_at(double time_s, Action action) {
  if (time_s < now_s_) throw std::logic_error("event scheduled in the past");
  queue_.push(Event{time_s, next_sequence_++, std::move(action)});
}

void EventQueue::run_next() {
  Event e = queue_.top();
  queue_.pop();
  now_s_ = e.time_s;
  ++events_run_;
  e.action();
}

void EventQueue::advance_to(double time_s) {
  if (time_s < now_s_) throw std::logic_error("clock moved backwards");
  now_s_ = time_s;
}

}  // namespace shardsim
