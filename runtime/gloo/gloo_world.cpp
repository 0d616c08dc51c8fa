#include "runtime/gloo/gloo_world.hpp"

#include <fmt/format.h>
#include <gloo/common/error.h>
#include <gloo/transport/tcp/device.h>

namespace shardsim::runtime {

std::unique_ptr<Communicator> make_gloo_world(const LaunchInfo& info, std::shared_ptr<Store> store,
                                              const std::string& hostname, const GlooSettings& settings) {
  gloo::transport::tcp::attr attr;
  attr.hostname = hostname;
  std::shared_ptr<gloo::transport::Device> device;
  try {
    device = gloo::transport::tcp::CreateDevice(attr);
  } catch (const std::exception& error) {
    throw RuntimeError(fmt::format("rank {}: cannot listen on '{}' for Gloo ({}); set --hostname or "
                                   "SHARDSIM_GLOO_HOSTNAME to an address of this machine",
                                   info.rank, hostname, error.what()));
  }
  GlooMembers members;
  for (int r = 0; r < info.world_size; ++r) {
    members.world_rank.push_back(r);
    members.node.push_back(r / info.local_world_size);
  }
  return std::make_unique<GlooCommunicator>(std::move(store), "world.", std::move(members), info.rank,
                                            std::move(device), settings);
}

}  // namespace shardsim::runtime
