// The progress bar of a long sweep on a terminal: `[#####     ] 120/480 candidates` redrawn in
// place on one line (carriage return), shown only after `delay` so quick runs print nothing, and
// erased when the sweep ends, so the line is clean for whatever is printed next. Where `out` is not
// a terminal (a pipe, a log file), a long sweep still says it is alive: one plain line
// "120/480 candidates after 30 s" every `line_every`, never a silent run of minutes.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

namespace shardsim {

class ProgressBar {
 public:
  // `enabled`: whether `out` is a terminal (the caller knows; a pipe or file gets nothing).
  ProgressBar(std::FILE* out, bool enabled, std::chrono::milliseconds delay = std::chrono::seconds(1), std::string unit = "candidates",
              std::chrono::milliseconds line_every = std::chrono::seconds(30));
  // Redraws the bar; at done == total erases it (when it was shown).
  void update(int done, int total);
  bool shown() const { return shown_; }

 private:
  std::FILE* out_;
  bool enabled_;
  std::chrono::milliseconds delay_;
  std::string unit_;
  std::chrono::milliseconds line_every_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_line_;
  bool shown_ = false;
  std::size_t drawn_chars_ = 0;
};

}  // namespace shardsim
