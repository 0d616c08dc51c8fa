#include "runtime/gloo/delay_line.hpp"

namespace shardsim::runtime {

DelayLine::DelayLine(std::chrono::nanoseconds delay) : delay_(delay) {}

DelayLine::~DelayLine() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void DelayLine::post(std::function<void()> send) {
  {
    std::lock_guard lock(mutex_);
    if (failure_) return;
    pending_.push_back({std::chrono::steady_clock::now() + delay_, std::move(send)});
    if (!worker_.joinable()) worker_ = std::thread([this] { run(); });
  }
  changed_.notify_all();
}

void DelayLine::drain() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return (pending_.empty() && !running_send_) || failure_; });
  if (failure_) std::rethrow_exception(failure_);
}

void DelayLine::cancel() {
  std::unique_lock lock(mutex_);
  pending_.clear();
  changed_.notify_all();
  changed_.wait(lock, [this] { return !running_send_; });
}

void DelayLine::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
    if (stopping_) return;
    const auto due = pending_.front().due;
    // Woken early by a cancel (the queue emptied or holds later sends) or by the destructor.
    changed_.wait_until(lock, due, [this, due] { return stopping_ || pending_.empty() || pending_.front().due != due; });
    if (stopping_) return;
    if (pending_.empty() || std::chrono::steady_clock::now() < pending_.front().due) continue;
    Pending next = std::move(pending_.front());
    pending_.pop_front();
    running_send_ = true;
    lock.unlock();
    std::exception_ptr failure;
    try {
      next.send();
    } catch (...) {
      failure = std::current_exception();
    }
    lock.lock();
    running_send_ = false;
    if (failure) {
      failure_ = failure;
      pending_.clear();
    }
    changed_.notify_all();
  }
}

}  // namespace shardsim::runtime
