#include "runtime/gloo/gloo_world.hpp"

#include "runtime/launch/local_launcher.hpp"

#include <fmt/format.h>
#include <gloo/common/error.h>
#include <gloo/transport/tcp/device.h>
#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace shardsim::runtime {

std::string check_listen_address(const std::string& hostname) {
  if (hostname.empty()) throw RuntimeError("--hostname: empty address");
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* addresses = nullptr;
  const int resolved = ::getaddrinfo(hostname.c_str(), nullptr, &hints, &addresses);
  if (resolved != 0 || addresses == nullptr)
    throw RuntimeError(fmt::format("--hostname '{}': cannot be resolved ({}); give an address of this machine",
                                   hostname, resolved != 0 ? ::gai_strerror(resolved) : "no address"));
  std::string last_error = "no usable address";
  std::string numeric;
  for (addrinfo* a = addresses; a != nullptr && numeric.empty(); a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) { last_error = std::strerror(errno); continue; }
    if (::bind(fd, a->ai_addr, a->ai_addrlen) == 0) {
      char text[NI_MAXHOST] = {};
      if (::getnameinfo(a->ai_addr, a->ai_addrlen, text, sizeof text, nullptr, 0, NI_NUMERICHOST) == 0) numeric = text;
    } else {
      last_error = std::strerror(errno);
    }
    ::close(fd);
  }
  ::freeaddrinfo(addresses);
  if (numeric.empty())
    throw RuntimeError(fmt::format("--hostname '{}': this machine cannot listen on it ({}); give an address of this "
                                   "machine",
                                   hostname, last_error));
  return numeric;
}

std::unique_ptr<Communicator> make_gloo_world(const LaunchInfo& info, std::shared_ptr<Store> store,
                                              const std::string& hostname, const GlooSettings& settings) {
  gloo::transport::tcp::attr attr;
  try {
    attr.hostname = check_listen_address(hostname);
  } catch (const RuntimeError& error) {
    throw RuntimeError(fmt::format("rank {}: {}", info.rank, error.what()));
  }
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
