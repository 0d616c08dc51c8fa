#include "sim/planner/progress_bar.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace shardsim {

ProgressBar::ProgressBar(std::FILE* out, bool enabled, std::chrono::milliseconds delay, std::string unit,
                         std::chrono::milliseconds line_every)
    : out_(out), enabled_(enabled), delay_(delay), unit_(std::move(unit)), line_every_(line_every),
      start_(std::chrono::steady_clock::now()), last_line_(start_) {}

void ProgressBar::update(int done, int total) {
  if (!enabled_) {
    const auto now = std::chrono::steady_clock::now();
    if (done < total && now - last_line_ >= line_every_) {
      fmt::print(out_, "{}/{} {} after {:.0f} s\n", done, total, unit_, std::chrono::duration<double>(now - start_).count());
      std::fflush(out_);
      last_line_ = now;
    }
    return;
  }
  if (done >= total) {
    // Erase what was drawn: spaces over it, the cursor back at the line's start.
    if (shown_) fmt::print(out_, "\r{}\r", std::string(drawn_chars_, ' '));
    std::fflush(out_);
    shown_ = false;
    return;
  }
  if (std::chrono::steady_clock::now() - start_ < delay_) return;
  const int width = 30, filled = total > 0 ? width * done / total : width;
  const std::string line = fmt::format("[{}{}] {}/{} {}", std::string(filled, '#'), std::string(width - filled, ' '), done, total, unit_);
  fmt::print(out_, "\r{}", line);
  std::fflush(out_);
  drawn_chars_ = std::max(drawn_chars_, line.size());
  shown_ = true;
}

}  // namespace shardsim
