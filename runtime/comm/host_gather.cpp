#include "runtime/comm/host_gather.hpp"

namespace shardsim::runtime {

std::vector<double> all_gather_host_values(Communicator& group, const std::vector<double>& mine) {
  const std::size_t bytes = mine.size() * sizeof(double);
  Buffer send = group.allocate(bytes);
  Buffer recv = group.allocate(bytes * group.size());
  group.copy_from_host(send, mine.data(), bytes);
  group.all_gather(send.data(), recv.data(), mine.size(), DataType::f64);
  group.synchronize();
  std::vector<double> all(mine.size() * group.size());
  group.copy_to_host(all.data(), recv, all.size() * sizeof(double));
  return all;
}

}  // namespace shardsim::runtime
