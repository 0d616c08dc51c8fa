#include "runtime/comm/communicator.hpp"

#include <fmt/format.h>

namespace shardsim::runtime {

std::size_t size_of(DataType type) {
  switch (type) {
    case DataType::f32: return 4;
    case DataType::f64: return 8;
    case DataType::f16: return 2;
    case DataType::bf16: return 2;
    case DataType::i32: return 4;
    case DataType::i64: return 8;
  }
  throw RuntimeError("internal: unknown DataType");
}

const char* to_string(DataType type) {
  switch (type) {
    case DataType::f32: return "f32";
    case DataType::f64: return "f64";
    case DataType::f16: return "f16";
    case DataType::bf16: return "bf16";
    case DataType::i32: return "i32";
    case DataType::i64: return "i64";
  }
  throw RuntimeError("internal: unknown DataType");
}

DataType parse_data_type(const std::string& text) {
  struct Name {
    const char* text;
    DataType type;
  };
  // Our names, then the names nccl-tests prints (`-d float`), then PyTorch's.
  static constexpr Name names[] = {
      {"f32", DataType::f32},   {"f64", DataType::f64},      {"f16", DataType::f16},
      {"bf16", DataType::bf16}, {"i32", DataType::i32},      {"i64", DataType::i64},
      {"float", DataType::f32}, {"double", DataType::f64},   {"half", DataType::f16},
      {"bfloat16", DataType::bf16}, {"int32", DataType::i32}, {"int64", DataType::i64},
      {"float32", DataType::f32}, {"float64", DataType::f64}, {"float16", DataType::f16},
  };
  for (const auto& name : names) {
    if (text == name.text) return name.type;
  }
  throw RuntimeError(fmt::format("unknown data type '{}' (use f32, f64, f16, bf16, i32 or i64)", text));
}

}  // namespace shardsim::runtime
