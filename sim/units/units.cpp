#include "sim/units/units.hpp"

#include "sim/input/limits.hpp"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>

namespace shardsim {
namespace {

// Splits "12.5GBps" into 12.5 and "GBps"; rejects empty numbers, NaN and infinities.
std::pair<double, std::string_view> split_number(std::string_view text, std::string_view what) {
  std::size_t begin = 0;
  while (begin < text.size() && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  std::size_t end = text.size();
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  text = text.substr(begin, end - begin);
  double value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr == text.data())
    throw std::invalid_argument(fmt::format("'{}' is not a {} (expected a number with a unit)", text, what));
  if (!std::isfinite(value))
    throw std::invalid_argument(fmt::format("'{}' is not a finite {}", text, what));
  std::string_view unit = text.substr(static_cast<std::size_t>(ptr - text.data()));
  while (!unit.empty() && std::isspace(static_cast<unsigned char>(unit.front()))) unit.remove_prefix(1);
  return {value, unit};
}

}  // namespace

std::uint64_t parse_size_bytes(std::string_view text) {
  auto [value, unit] = split_number(text, "size");
  double scale = 0;
  if (unit.empty() || unit == "B") scale = 1;
  else if (unit == "K" || unit == "KiB") scale = 1024.0;
  else if (unit == "M" || unit == "MiB") scale = 1024.0 * 1024.0;
  else if (unit == "G" || unit == "GiB") scale = kGiB;
  else if (unit == "T" || unit == "TiB") scale = kGiB * 1024.0;
  else if (unit == "KB" || unit == "kB") scale = 1e3;
  else if (unit == "MB") scale = 1e6;
  else if (unit == "GB") scale = 1e9;
  else if (unit == "TB") scale = 1e12;
  else
    throw std::invalid_argument(fmt::format(
        "'{}' has an unknown size unit '{}' (use B, K/M/G/T = powers of 1024 as in nccl-tests, KiB/MiB/GiB, or KB/MB/GB = powers of 1000)",
        text, unit));
  if (value < 0) throw std::invalid_argument(fmt::format("size '{}' is negative", text));
  const double bytes = value * scale;
  if (bytes >= 18446744073709551615.0)
    throw std::invalid_argument(fmt::format("size '{}' does not fit in a 64-bit byte count", text));
  if (bytes != std::floor(bytes))
    throw std::invalid_argument(fmt::format("size '{}' is not a whole number of bytes", text));
  return static_cast<std::uint64_t>(bytes);
}

namespace {
// The text as quoted in a message: a 300-digit number is cut, not echoed in full.
std::string quoted(std::string_view text) {
  return text.size() <= 40 ? std::string(text) : fmt::format("{}...{}", text.substr(0, 24), text.substr(text.size() - 8));
}
}  // namespace

double parse_rate_Bps(std::string_view text) {
  auto [value, unit] = split_number(text, "rate");
  double scale = 0;
  if (unit == "bps") scale = 1.0 / 8;
  else if (unit == "Kbps") scale = 1e3 / 8;
  else if (unit == "Mbps") scale = 1e6 / 8;
  else if (unit == "Gbps") scale = 1e9 / 8;
  else if (unit == "Tbps") scale = 1e12 / 8;
  else if (unit == "Bps" || unit == "B/s") scale = 1;
  else if (unit == "KBps" || unit == "KB/s") scale = 1e3;
  else if (unit == "MBps" || unit == "MB/s") scale = 1e6;
  else if (unit == "GBps" || unit == "GB/s") scale = 1e9;
  else if (unit == "TBps" || unit == "TB/s") scale = 1e12;
  else if (unit == "GiBps" || unit == "GiB/s") scale = kGiB;
  else
    throw std::invalid_argument(fmt::format(
        "'{}' has an unknown rate unit '{}' (use Gbps for bits per second, GBps or GB/s for bytes per second)", text,
        unit));
  if (value <= 0) throw std::invalid_argument(fmt::format("rate '{}' must be positive", text));
  // Checked after conversion: 1e308GBps is finite as written and infinite in bytes per second.
  const double rate = value * scale;
  if (!(rate >= limits::kMinRate_Bps && rate <= limits::kMaxRate_Bps))
    throw std::invalid_argument(fmt::format("rate '{}' is outside 1 KB/s to 1 PB/s (sim/input/limits.hpp)", quoted(text)));
  return rate;
}

double parse_time_s(std::string_view text) {
  auto [value, unit] = split_number(text, "time");
  double scale = 0;
  if (unit == "s") scale = 1;
  else if (unit == "ms") scale = 1e-3;
  else if (unit == "us") scale = 1e-6;
  else if (unit == "ns") scale = 1e-9;
  else
    throw std::invalid_argument(fmt::format("'{}' has an unknown time unit '{}' (use s, ms, us or ns)", text, unit));
  if (value < 0) throw std::invalid_argument(fmt::format("time '{}' is negative", text));
  const double time = value * scale + 0.0;  // + 0.0: "-0us" is 0, never -0
  if (!(time <= limits::kMaxTime_s))
    throw std::invalid_argument(fmt::format("time '{}' is longer than a day (sim/input/limits.hpp)", quoted(text)));
  return time;
}

std::string format_size(std::uint64_t bytes) {
  const double b = static_cast<double>(bytes);
  if (bytes >= (1ULL << 40)) return fmt::format("{:.2f} TiB", b / (kGiB * 1024));
  if (bytes >= (1ULL << 30)) return fmt::format("{:.2f} GiB", b / kGiB);
  if (bytes >= (1ULL << 20)) return fmt::format("{:.2f} MiB", b / (1024.0 * 1024));
  if (bytes >= (1ULL << 10)) return fmt::format("{:.2f} KiB", b / 1024.0);
  return fmt::format("{} B", bytes);
}

std::string format_rate(double bytes_per_s) { return fmt::format("{:.2f} GB/s", bytes_per_s / kGB); }

std::string format_time(double seconds) {
  if (seconds >= 1) return fmt::format("{:.3f} s", seconds);
  if (seconds >= 1e-3) return fmt::format("{:.3f} ms", seconds * 1e3);
  return fmt::format("{:.2f} us", seconds * 1e6);
}

}  // namespace shardsim
