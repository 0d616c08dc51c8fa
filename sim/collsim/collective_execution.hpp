// Executes a CollectivePlan on a NetworkSimulation: phases in order; inside a ring phase every ring
// runs at once and the phase advances step by step (NCCL's channels and a hierarchical phase's
// parallel rings are symmetric, so they keep pace on their own). A step's transfers start
// together and share the links (the flow network); the step ends when they have all arrived and
// when the slowest ring's pipelined hop time has passed: (sum over hops of latency + transfer
// time [+ reduction] - the smallest) / (hops - 1) (alpha_beta.hpp). A ring is a pipeline, so a
// node crossing's latency is paid once per node a chunk crosses, not once per step, and it hides
// behind a slow link's transfer while the fast hops carry the next chunk. In a uniform ring this
// is latency + transfer (+ reduction) per step. A copy phase costs read + write of its bytes at the
// GPU's HBM bandwidth. A ring phase a backend model shaped (PhaseShape: NCCL's protocol) waits its
// start-up latency once, then pays the shape's per-step latency on each hop by kind (inside or
// across nodes) instead of the route's; where the shape bounds its connections' FIFO (NCCL's
// NCCL_STEPS slots), no hop's step is shorter than its messages' FIFO floor, (messages x hop
// latency + the hop's transfer time) / slots (alpha_beta.hpp fifo_step_floor_s). A transfer phase (a tree's reduction and broadcast, a PAT
// step) starts all its transfers at once, sharing the links, and ends when the last has arrived
// plus its latency.
// Two ways to execute, giving the same answer where both apply (tests compare them): `per_flow`
// simulates every transfer; `node_symmetric` simulates only the transfers leaving a representative
// node, on that node's links (node_symmetry.hpp), each standing for |S| real ones.
// A ring step that had the network to itself (idle when it began, no other flow started or ended
// until it finished) will take exactly as long again until something else happens, so the steps
// that fit before the next scheduled event are taken in one jump: their bytes are credited to
// their links and time moves on by whole steps. A 511-step ring then costs a handful of events
// instead of thousands; any other activity on the network falls back to step-by-step simulation.
#pragma once

#include "sim/collectives/collective.hpp"
#include "sim/collsim/node_symmetry.hpp"
#include "sim/network/network_simulation.hpp"
#include "sim/topology/topology.hpp"

#include <functional>
#include <map>
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
// What starting a ring phase derives from the plan alone (its transfers batched by hop latency,
// interned routes, ring patterns, reduction time). A step runs the same plan many times (one
// collective per weight tensor), so a cache shared by the executions of one simulation, keyed by
// the phase, derives it once; valid while the plans, the network and the symmetry stay the same.
struct RingPhaseSetup {
  struct StepBatch {
    double latency_s = 0;     // of each hop in the batch
    int route_set = -1;       // its transfers' routes, interned in the network as one set (-1: none)
    double transfer_s = 0;    // when the batch's last transfer of this step arrived, from the step's start
  };
  std::vector<StepBatch> batches;
  // Each distinct ring of the phase as (batch, hops of the ring in that batch) pairs.
  std::vector<std::vector<std::pair<int, int>>> ring_patterns;
  std::size_t flows_per_step = 0;
  double reduce_s = 0;
};
using RingPhaseCache = std::map<const RingPhase*, RingPhaseSetup>;

class CollectiveExecution {
 public:
  // `cache` (optional) is shared by every execution of one simulation (see RingPhaseSetup).
  CollectiveExecution(const Cluster& cluster, const CollectivePlan& plan, NetworkSimulation& sim,
                      std::optional<NodeSymmetry> symmetry, std::function<void()> done, RingPhaseCache* cache = nullptr);
  void start();
  std::uint64_t simulated_flows() const { return simulated_flows_; }

 private:
  using StepBatch = RingPhaseSetup::StepBatch;
  RingPhaseSetup setup_ring_phase(const RingPhase& rp);
  bool simulates_flows_from(int gpu) const;
  int intern(std::vector<int>& route);  // on the representative node's links under node symmetry
  void start_phase(std::size_t index);
  void start_transfer_phase(std::size_t index, const TransferPhase& phase);
  void start_step();
  void transfers_done();
  void step_done();
  void continue_after(int steps_done);

  const Cluster& cluster_;
  const CollectivePlan& plan_;
  NetworkSimulation& sim_;
  std::optional<NodeSymmetry> symmetry_;
  std::function<void()> done_;
  RingPhaseCache* cache_ = nullptr;
  std::size_t phase_ = 0;
  std::vector<StepBatch> batches_;  // the current phase's transfers of one step, by hop latency
  // Each distinct ring of the phase as (batch, hops of the ring in that batch) pairs.
  std::vector<std::vector<std::pair<int, int>>> ring_patterns_;
  std::size_t flows_per_step_ = 0;
  int steps_left_ = 0;
  int reducing_steps_left_ = 0;
  double reduce_s_ = 0;  // a reducing step's reduction of the chunk a member received
  int outstanding_ = 0;
  double bytes_per_step_ = 0;
  // The current ring phase's FIFO (no bound without a shape) and its data bytes per wire byte.
  ConnectionFifo fifo_;
  double data_per_wire_byte_ = 1;
  // Whether the step in flight has had the network to itself so far (see the header comment).
  double step_start_s_ = 0;
  std::uint64_t changes_at_step_start_ = 0;
  bool network_idle_at_step_start_ = false;
  std::uint64_t simulated_flows_ = 0;
  bool base_latency_paid_ = false;  // the current ring phase's shape latency has been waited out
  std::vector<std::pair<double, int>> transfer_batches_;  // a transfer phase's route sets by size
};

}  // namespace shardsim
