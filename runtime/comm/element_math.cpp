#include "runtime/comm/element_math.hpp"

#include <Eigen/Core>

#include <cstdint>
#include <type_traits>

namespace shardsim::runtime {
namespace {

// The one place each DataType meets its C++ type; f16/bf16 arithmetic goes through float.
template <class Function>
decltype(auto) with_element_type(DataType type, Function&& function) {
  switch (type) {
    case DataType::f32: return function(float{});
    case DataType::f64: return function(double{});
    case DataType::f16: return function(Eigen::half{});
    case DataType::bf16: return function(Eigen::bfloat16{});
    case DataType::i32: return function(std::int32_t{});
    case DataType::i64: return function(std::int64_t{});
  }
  throw RuntimeError("internal: unknown DataType");
}

template <class T>
using Arithmetic = std::conditional_t<std::is_same_v<T, Eigen::half> || std::is_same_v<T, Eigen::bfloat16>, float, T>;

}  // namespace

void add_into(void* accumulator, const void* addend, std::size_t count, DataType type) {
  with_element_type(type, [&](auto tag) {
    using T = decltype(tag);
    using A = Arithmetic<T>;
    auto* out = static_cast<T*>(accumulator);
    const auto* in = static_cast<const T*>(addend);
    if constexpr (std::is_integral_v<T>) {
      // Wrap around like NCCL's integer sums instead of overflowing (undefined for signed types):
      // repeated in-place all-reduces in a timed loop grow the values without bound.
      using U = std::make_unsigned_t<T>;
      for (std::size_t i = 0; i < count; ++i) out[i] = static_cast<T>(static_cast<U>(out[i]) + static_cast<U>(in[i]));
    } else {
      for (std::size_t i = 0; i < count; ++i) out[i] = T(static_cast<A>(out[i]) + static_cast<A>(in[i]));
    }
  });
}

double element_value(const void* data, std::size_t index, DataType type) {
  return with_element_type(type, [&](auto tag) {
    using T = decltype(tag);
    return static_cast<double>(static_cast<Arithmetic<T>>(static_cast<const T*>(data)[index]));
  });
}

void set_element(void* data, std::size_t index, DataType type, double value) {
  with_element_type(type, [&](auto tag) {
    using T = decltype(tag);
    static_cast<T*>(data)[index] = T(static_cast<Arithmetic<T>>(value));
  });
}

}  // namespace shardsim::runtime
