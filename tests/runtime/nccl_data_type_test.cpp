// The NCCL backend's element types: every runtime DataType maps onto a distinct NCCL type of the
// same element size. Needs no GPU; compiled only where the NCCL backend is built.
#ifdef SHARDSIM_HAVE_NCCL

#include "runtime/nccl/nccl_data_type.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <string>

using namespace shardsim::runtime;

TEST_CASE("every DataType maps to an NCCL type of the same element size", "[runtime][nccl]") {
  const DataType all[] = {DataType::f32, DataType::f64, DataType::f16, DataType::bf16, DataType::i32, DataType::i64};
  std::set<int> nccl_types;
  for (DataType type : all) {
    NcclTypeMapping mapping = nccl_type_of(type);
    INFO("element type code " << static_cast<int>(type) << " -> " << mapping.nccl_name);
    CHECK(mapping.element_bytes == size_of(type));
    nccl_types.insert(mapping.nccl_type);
  }
  CHECK(nccl_types.size() == std::size(all));
}

TEST_CASE("the NCCL types are the ones nccl.h names", "[runtime][nccl]") {
  // Values of ncclDataType_t in nccl.h (stable ABI since NCCL 2.0; bfloat16 since 2.10).
  CHECK(std::string(nccl_type_of(DataType::bf16).nccl_name) == "ncclBfloat16");
  CHECK(nccl_type_of(DataType::bf16).nccl_type == 9);
  CHECK(std::string(nccl_type_of(DataType::f16).nccl_name) == "ncclFloat16");
  CHECK(nccl_type_of(DataType::f16).nccl_type == 6);
  CHECK(std::string(nccl_type_of(DataType::f32).nccl_name) == "ncclFloat32");
  CHECK(nccl_type_of(DataType::f32).nccl_type == 7);
  CHECK(std::string(nccl_type_of(DataType::f64).nccl_name) == "ncclFloat64");
  CHECK(nccl_type_of(DataType::f64).nccl_type == 8);
  CHECK(std::string(nccl_type_of(DataType::i32).nccl_name) == "ncclInt32");
  CHECK(nccl_type_of(DataType::i32).nccl_type == 2);
  CHECK(std::string(nccl_type_of(DataType::i64).nccl_name) == "ncclInt64");
  CHECK(nccl_type_of(DataType::i64).nccl_type == 4);
}

TEST_CASE("a value outside DataType is refused, not passed to NCCL", "[runtime][nccl]") {
  CHECK_THROWS_WITH(nccl_type_of(static_cast<DataType>(99)), "no NCCL data type for element type code 99");
}

#endif
