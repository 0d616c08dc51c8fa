// Units of the simulator. Everything inside is SI: seconds, bytes, bytes per second, FLOP/s.
// Quantities are plain doubles (or uint64 for byte counts) whose unit is in the name
// (`time_s`, `size_bytes`, `bandwidth_Bps`). Text at the edges (data files, the command line)
// is read by the parsers below, which accept explicit units only: "100Gbps" (1e9 bits/s),
// "25GBps" (1e9 bytes/s), "2us", "1GiB" (2^30) vs "1GB" (1e9). Bare K/M/G size suffixes follow
// nccl-tests and mean powers of 1024; that is the one place a decimal-looking suffix is binary,
// and `parse_size_bytes` documents it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace shardsim {

inline constexpr double kGB = 1e9;
inline constexpr double kGiB = 1073741824.0;
inline constexpr double kMicrosecond = 1e-6;

// "1G" (= 2^30, nccl-tests), "64MiB", "1GB" (= 1e9), "4096", "12KB". Throws std::invalid_argument
// naming the text when it is not a size, is negative, or does not fit in 64 bits.
std::uint64_t parse_size_bytes(std::string_view text);

// "100Gbps" (bits), "25GBps" / "25GB/s" (bytes), "1.5TBps", "600MBps". Result in bytes per second.
double parse_rate_Bps(std::string_view text);

// "2us", "1.5ms", "0.5s", "300ns". Result in seconds.
double parse_time_s(std::string_view text);

// Human-readable forms for tables: "1.00 GiB", "12.5 GB/s", "21.3 us".
std::string format_size(std::uint64_t bytes);
std::string format_rate(double bytes_per_s);
std::string format_time(double seconds);

}  // namespace shardsim
