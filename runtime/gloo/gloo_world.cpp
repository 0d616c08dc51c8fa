#include "runtime/gloo/gloo_world.hpp"

#include "runtime/launch/local_launcher.hpp"

#include <fmt/format.h>
#include <gloo/common/error.h>
#include <gloo/transport/tcp/device.h>
#include <unistd.h>

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

std::string default_gloo_hostname(const Environment& environment, const LaunchInfo& info) {
  if (const auto hostname = environment("SHARDSIM_GLOO_HOSTNAME"); hostname && !hostname->empty()) return *hostname;
  if (environment(kLocalLauncherVariable) || info.world_size == info.local_world_size) return "127.0.0.1";
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "127.0.0.1";
  return name;
}

WorldFactory gloo_backend(GlooBackendOptions options) {
  return [options = std::move(options)](const BackendContext& context) {
    const std::string hostname =
        options.hostname.empty() ? default_gloo_hostname(context.environment, context.info) : options.hostname;
    GlooSettings settings;
    settings.timeout = context.timeout;
    settings.inter_node_delay_s = options.inter_node_delay_s;
    return make_gloo_world(context.info, context.store, hostname, settings);
  };
}

}  // namespace shardsim::runtime
