// Connecting the CPU backend's world: one Gloo TCP device listening on `hostname` (the address the
// other ranks reach this rank at), and one communicator over all ranks of the job.
#pragma once

#include "runtime/gloo/gloo_communicator.hpp"
#include "runtime/launch/world.hpp"

namespace shardsim::runtime {

std::unique_ptr<Communicator> make_gloo_world(const LaunchInfo& info, std::shared_ptr<Store> store,
                                              const std::string& hostname, const GlooSettings& settings);

}  // namespace shardsim::runtime
