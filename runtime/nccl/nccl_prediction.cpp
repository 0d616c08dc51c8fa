#include "runtime/nccl/nccl_prediction.hpp"

#include "runtime/nccl/nccl_communicator.hpp"

namespace shardsim::runtime {

std::optional<double> nccl_predicted_time_us(Communicator& communicator, CollectiveKind kind, std::size_t count,
                                             DataType type) {
  auto* nccl = dynamic_cast<NcclCommunicator*>(&communicator);
  if (nccl == nullptr) return std::nullopt;
  return nccl->predicted_time_us(kind, count, type);
}

}  // namespace shardsim::runtime
