// Executes a CollectivePlan on a NetworkSimulation: phases in order; inside a ring phase every ring
// runs at once, each in lockstep (its step s+1 starts when all its step-s transfers have arrived);
// a copy phase costs read + write of its bytes at the GPU's HBM bandwidth. Two ways to execute,
// giving the same answer where both apply (tests compare them): `per_flow` simulates every
// transfer; `node_symmetric` simulates only the transfers leaving a representative node, on that
// node's links (node_symmetry.hpp), each standing for |S| real ones.
#pragma once

#include "sim/collectives/collective.hpp"
#include "sim/collsim/node_symmetry.hpp"
#include "sim/network/network_simulation.hpp"
#include "sim/topology/topology.hpp"

#include <functional>
#include <memory>
#include <optional>

namespace shardsim {

enum class FlowModel { automatic, per_flow, node_symmetric };

const char* to_string(FlowModel model);

struct CollectiveResult {
  double time_s = 0;
  double network_bytes_per_node = 0;  // bytes entering the busiest node from the fabric
  double gpu_ingress_bytes = 0;    // bytes arriving at the busiest GPU over any link
  int steps = 0;
  std::uint64_t events = 0;
  std::uint64_t simulated_flows = 0;
  FlowModel model_used = FlowModel::per_flow;
};

// Bytes per node, from the links' counters: the busiest node's fabric ingress and egress, and the
// bytes its GPUs put on their own outgoing links (every byte a GPU sends, inside or out of the node).
struct NodeTraffic {
  double network_ingress_bytes = 0;
  double network_egress_bytes = 0;
  double gpu_send_bytes = 0;          // summed over the node's GPUs
  double gpu_ingress_bytes_max = 0;   // the busiest single GPU's arrivals
};
NodeTraffic node_traffic(const Cluster& cluster, const std::vector<double>& link_bytes);

// Capacities of every link of the cluster, indexed by global link id.
std::vector<double> link_capacities(const Cluster& cluster);

// Runs one collective alone on an idle cluster. `node_symmetric` throws InputError when the
// plan is not node-symmetric; `automatic` picks node_symmetric where it applies.
CollectiveResult simulate_collective(const Cluster& cluster, const CollectivePlan& plan,
                                     FlowModel model = FlowModel::automatic);

// For concurrent use (training steps): launches `plan` on `sim`, calls `done` at completion.
class CollectiveExecution {
 public:
  CollectiveExecution(const Cluster& cluster, const CollectivePlan& plan, NetworkSimulation& sim,
                      std::optional<NodeSymmetry> symmetry, std::function<void()> done);
  void start();
  std::uint64_t simulated_flows() const { return simulated_flows_; }

 private:
  struct RingState {
    std::vector<std::pair<double, std::vector<std::vector<int>>>> batches;  // (latency, routes)
    int steps_left = 0;
    int outstanding = 0;
  };
  void start_phase(std::size_t index);
  void start_step(std::size_t ring);
  void ring_step_done(std::size_t ring);

  const Cluster& cluster_;
  const CollectivePlan& plan_;
  NetworkSimulation& sim_;
  std::optional<NodeSymmetry> symmetry_;
  std::function<void()> done_;
  std::size_t phase_ = 0;
  std::vector<RingState> rings_;
  std::size_t rings_running_ = 0;
  double bytes_per_step_ = 0;
  std::uint64_t simulated_flows_ = 0;
};

}  // namespace shardsim
