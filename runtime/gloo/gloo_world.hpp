// Connecting the CPU backend's world: one Gloo TCP device listening on `hostname` (the address the
// other ranks reach this rank at), and one communicator over all ranks of the job. gloo_backend
// wraps this as the launch layer's WorldFactory, so launch never names Gloo.
#pragma once

#include "runtime/gloo/gloo_communicator.hpp"
#include "runtime/launch/backend_registry.hpp"
#include "runtime/launch/launch_info.hpp"

#include <memory>
#include <string>

namespace shardsim::runtime {

std::unique_ptr<Communicator> make_gloo_world(const LaunchInfo& info, std::shared_ptr<Store> store,
                                              const std::string& hostname, const GlooSettings& settings);

// The address Gloo listens on: SHARDSIM_GLOO_HOSTNAME, else 127.0.0.1 when every rank runs on
// this machine (the local launcher, or one node), else this machine's host name.
std::string default_gloo_hostname(const Environment& environment, const LaunchInfo& info);

// Resolves `hostname` and checks that this machine can listen on it (binds a socket to port 0), so
// Gloo never sees a name it cannot use. Returns the numeric address Gloo is given; throws
// RuntimeError "--hostname 'x': ..." naming the problem (cannot be resolved, not an address of
// this machine).
std::string check_listen_address(const std::string& hostname);

struct GlooBackendOptions {
  std::string hostname;           // empty: default_gloo_hostname
  double inter_node_delay_s = 0;  // emulated cluster only (GlooSettings)
};

// The "cpu" backend: make_gloo_world with the context's store and timeout.
WorldFactory gloo_backend(GlooBackendOptions options);

}  // namespace shardsim::runtime
