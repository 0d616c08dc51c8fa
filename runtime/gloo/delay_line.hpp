// Emulated wire latency for the CPU backend (the kernel here has no netem). A message to another
// node enters the transport a fixed delay after the rank posted it, from a thread of the delay
// line's own, so the posting rank goes on at once and several messages are in flight together,
// as on a wire with that latency. Holding the data at the receiver instead cannot do this: a
// receiver busy holding one message would hold the next one only after it, which adds the
// delay once per message rather than once per path, and pausing the sender stalls every step.
// Messages leave in the order they were posted (one delay for all keeps a TCP stream in order).
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

namespace shardsim::runtime {

class DelayLine {
 public:
  explicit DelayLine(std::chrono::nanoseconds delay);
  ~DelayLine();  // sends still waiting are dropped: the owner has failed or drained them
  DelayLine(const DelayLine&) = delete;
  DelayLine& operator=(const DelayLine&) = delete;

  // Runs `send` on the delay line's thread `delay` from now. A send that throws stops the line:
  // later posts are dropped and drain() rethrows the exception.
  void post(std::function<void()> send);
  // Returns once every posted send has run; rethrows what the first failing send threw.
  void drain();
  // Drops the sends not yet run and waits for one that is running: the buffers they read are
  // about to go (the owner's collective failed part-way).
  void cancel();

 private:
  struct Pending {
    std::chrono::steady_clock::time_point due;
    std::function<void()> send;
  };
  void run();

  std::chrono::nanoseconds delay_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Pending> pending_;
  bool running_send_ = false;
  bool stopping_ = false;
  std::exception_ptr failure_;
  std::thread worker_;  // started by the first post: most groups never cross nodes
};

}  // namespace shardsim::runtime
