#include "sim/stepsim/deepspeed_timer_log.hpp"

#include "sim/input/input_error.hpp"
#include "sim/input/json_reader.hpp"
#include "sim/input/text.hpp"
#include "sim/stepsim/median.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <vector>

namespace shardsim {
namespace {

struct TimerLine {
  int number = 0;
  double forward_ms = 0, backward_ms = 0, step_ms = 0;
};

double milliseconds(std::string_view text, const std::string& file, int number, std::string_view name) {
  const std::optional<double> value = parse_finite_number(text);
  if (!value || *value < 0)
    throw InputError(fmt::format("{}:{}: DeepSpeed timer '{}' has value '{}', expected milliseconds (a number >= 0)", file, number,
                                 name, text));
  return *value;
}

// The micro-step timers of one "time (ms) | name: value | ..." line; nullopt for other lines and
// for the global timer lines (no "_microstep" timer).
std::optional<TimerLine> timer_line(std::string_view line, const std::string& file, int number) {
  const std::size_t at = line.find("time (ms)");
  // Other lines, and the global timer lines (totals over steps_per_print steps), are not read.
  if (at == std::string_view::npos || line.find("_microstep", at) == std::string_view::npos) return std::nullopt;
  std::optional<double> forward, backward, step;
  const std::vector<std::string_view> fields = split(line.substr(at + 9), '|');
  for (std::size_t i = 1; i < fields.size(); ++i) {  // fields[0] is what precedes the first '|'
    const std::string_view field = trim(fields[i]);
    if (field.empty()) continue;
    const std::size_t colon = field.find(':');
    if (colon == std::string_view::npos)
      throw InputError(fmt::format("{}:{}: DeepSpeed timer field '{}' is not 'name: milliseconds'", file, number, field));
    const std::string_view name = trim(field.substr(0, colon));
    if (name.size() < 10 || name.substr(name.size() - 10) != "_microstep") continue;
    const double ms = milliseconds(trim(field.substr(colon + 1)), file, number, name);
    if (name == "forward_microstep" || name == "fwd_microstep") forward = ms;
    else if (name == "backward_microstep" || name == "bwd_microstep") backward = ms;
    else if (name == "step_microstep") step = ms;
  }
  const char* missing = !forward ? "fwd_microstep (forward_microstep before DeepSpeed 0.10)"
                        : !backward ? "bwd_microstep (backward_microstep before DeepSpeed 0.10)"
                        : !step   ? "step_microstep"
                                  : nullptr;
  if (missing) throw InputError(fmt::format("{}:{}: a DeepSpeed micro-step timer line without {}", file, number, missing));
  return TimerLine{number, *forward, *backward, *step};
}

bool never_decreases(const std::vector<TimerLine>& lines, double TimerLine::*timer) {
  for (std::size_t i = 1; i < lines.size(); ++i)
    if (lines[i].*timer < lines[i - 1].*timer) return false;
  return true;
}

}  // namespace

MeasuredPasses parse_deepspeed_timer_log(std::string_view text, const std::string& file, int accumulation_steps) {
  std::vector<TimerLine> lines;
  int number = 0;
  for (const std::string_view line : split(text, '\n'))
    if (auto t = timer_line(line, file, ++number)) lines.push_back(*t);
  if (lines.empty())
    throw InputError(fmt::format("{}: no DeepSpeed micro-step timer line ('time (ms) | fwd_microstep: ... | bwd_microstep: ... | "
                                 "step_microstep: ...'); run with \"wall_clock_breakdown\": true in the DeepSpeed config",
                                 file));
  MeasuredPasses out;
  out.file = file;
  // DeepSpeed <= 0.5 never resets these timers: running totals grow by a micro-step each line.
  out.running_totals = lines.size() >= 3 && never_decreases(lines, &TimerLine::forward_ms) &&
                       never_decreases(lines, &TimerLine::backward_ms) && never_decreases(lines, &TimerLine::step_ms) &&
                       lines.back().forward_ms >= 2 * lines.front().forward_ms && lines.front().forward_ms > 0;
  if (out.running_totals)
    for (std::size_t i = lines.size() - 1; i > 0; --i) {
      lines[i].forward_ms -= lines[i - 1].forward_ms;
      lines[i].backward_ms -= lines[i - 1].backward_ms;
      lines[i].step_ms -= lines[i - 1].step_ms;
    }
  const std::size_t accumulation = static_cast<std::size_t>(std::max(1, accumulation_steps));
  const std::size_t warm_up = lines.size() >= 3 * accumulation ? accumulation : 0;
  std::vector<double> forward, backward, step;
  for (std::size_t i = warm_up; i < lines.size(); ++i) {
    forward.push_back(lines[i].forward_ms * 1e-3);
    backward.push_back(lines[i].backward_ms * 1e-3);
    step.push_back(lines[i].step_ms * 1e-3);
  }
  out.micro_steps = static_cast<int>(forward.size());
  out.forward_s = median(forward);
  out.backward_s = median(backward);
  // The boundaries: the largest 1 in `accumulation` step times.
  std::sort(step.begin(), step.end(), std::greater<>());
  step.resize((step.size() + accumulation - 1) / accumulation);
  out.optimizer_s = median(step);
  return out;
}

MeasuredPasses read_deepspeed_timer_log(const std::string& path, int accumulation_steps) {
  return parse_deepspeed_timer_log(read_input_text(path, "a DeepSpeed log file"), path, accumulation_steps);
}

}  // namespace shardsim
