#include "runtime/nccl/nccl_data_type.hpp"

#include <nccl.h>

#include <optional>
#include <string>

namespace shardsim::runtime {
namespace {

// Both switches list every enumerator without a default, so -Werror=switch turns a type added to
// DataType or to NCCL into a build error here.
std::optional<ncclDataType_t> nccl_enum(DataType type) {
  switch (type) {
    case DataType::f32: return ncclFloat32;
    case DataType::f64: return ncclFloat64;
    case DataType::f16: return ncclFloat16;
    case DataType::bf16: return ncclBfloat16;
    case DataType::i32: return ncclInt32;
    case DataType::i64: return ncclInt64;
  }
  return std::nullopt;
}

struct NcclTypeFacts {
  const char* name;
  std::size_t bytes;
};

NcclTypeFacts facts(ncclDataType_t type) {
  switch (type) {
    case ncclInt8: return {"ncclInt8", 1};
    case ncclUint8: return {"ncclUint8", 1};
    case ncclInt32: return {"ncclInt32", 4};
    case ncclUint32: return {"ncclUint32", 4};
    case ncclInt64: return {"ncclInt64", 8};
    case ncclUint64: return {"ncclUint64", 8};
    case ncclFloat16: return {"ncclFloat16", 2};
    case ncclFloat32: return {"ncclFloat32", 4};
    case ncclFloat64: return {"ncclFloat64", 8};
    case ncclBfloat16: return {"ncclBfloat16", 2};
    case ncclFloat8e4m3: return {"ncclFloat8e4m3", 1};
    case ncclFloat8e5m2: return {"ncclFloat8e5m2", 1};
    case ncclNumTypes: break;
  }
  return {"", 0};
}

}  // namespace

NcclTypeMapping nccl_type_of(DataType type) {
  std::optional<ncclDataType_t> nccl = nccl_enum(type);
  if (!nccl) throw RuntimeError("no NCCL data type for element type code " + std::to_string(static_cast<int>(type)));
  NcclTypeFacts f = facts(*nccl);
  return {static_cast<int>(*nccl), f.name, f.bytes};
}

}  // namespace shardsim::runtime
