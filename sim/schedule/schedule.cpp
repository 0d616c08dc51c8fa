#include "sim/schedule/schedule.hpp"

#include <stdexcept>

namespace shardsim {

const char* to_string(Stream stream) {
  switch (stream) {
    case Stream::compute: return "compute";
    case Stream::gather: return "gather";
    case Stream::reduce: return "reduce";
    case Stream::host: return "host";
  }
  return "?";
}

const char* to_string(GroupRole role) {
  switch (role) {
    case GroupRole::world: return "world";
    case GroupRole::partition: return "partition";
    case GroupRole::replication: return "replication";
    case GroupRole::intra_node: return "intra_node";
    case GroupRole::inter_node: return "inter_node";
  }
  return "?";
}

const char* to_string(KernelKind kind) {
  switch (kind) {
    case KernelKind::gemm: return "gemm";
    case KernelKind::fused_attention: return "fused_attention";
    case KernelKind::memory: return "memory";
  }
  return "?";
}

ComputeOp compute_op_of(std::vector<Kernel> kernels) {
  ComputeOp op;
  for (const Kernel& k : kernels) {
    op.flops += k.count * k.flops;
    op.hbm_bytes += k.count * k.hbm_bytes;
  }
  op.kernels = std::move(kernels);
  return op;
}

int Program::add(Op op) {
  const int index = static_cast<int>(ops.size());
  for (int d : op.deps)
    if (d < 0 || d >= index) throw std::logic_error("an op may only depend on earlier ops");
  ops.push_back(std::move(op));
  return index;
}

std::vector<int> Schedule::family_of(int group_id) const {
  const Group& reference = groups.at(group_id);
  std::vector<int> ids;
  for (const auto& g : groups)
    if (g.role == reference.role && g.ranks.size() == reference.ranks.size()) ids.push_back(g.id);
  return ids;
}

}  // namespace shardsim
