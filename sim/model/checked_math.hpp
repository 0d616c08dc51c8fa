// 64-bit integer arithmetic that refuses to overflow. Parameter and byte counts of absurd shapes
// (hidden = 2^31 - 1) exceed 64 bits; a silent wrap would report a tiny model, so every count in
// this layer goes through these and an overflow becomes an InputError naming the quantity.
#pragma once

#include "sim/input/input_error.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace shardsim {

[[noreturn]] inline void throw_overflow(std::string_view what) {
  throw InputError(std::string(what) + ": does not fit in a 64-bit count (model too large)");
}

inline std::int64_t checked_mul(std::int64_t a, std::int64_t b, std::string_view what) {
  std::int64_t out = 0;
  if (__builtin_mul_overflow(a, b, &out)) throw_overflow(what);
  return out;
}

inline std::int64_t checked_add(std::int64_t a, std::int64_t b, std::string_view what) {
  std::int64_t out = 0;
  if (__builtin_add_overflow(a, b, &out)) throw_overflow(what);
  return out;
}

inline std::uint64_t checked_mul(std::uint64_t a, std::uint64_t b, std::string_view what) {
  std::uint64_t out = 0;
  if (__builtin_mul_overflow(a, b, &out)) throw_overflow(what);
  return out;
}

inline std::uint64_t checked_add(std::uint64_t a, std::uint64_t b, std::string_view what) {
  std::uint64_t out = 0;
  if (__builtin_add_overflow(a, b, &out)) throw_overflow(what);
  return out;
}

}  // namespace shardsim
