#include "sim/stepsim/step_simulation.hpp"

#include "sim/collectives/plan.hpp"
#include "sim/collsim/formula_estimate.hpp"
#include "sim/compute/interference.hpp"
#include "sim/input/input_error.hpp"

#include <deque>
#include <map>
#include <memory>
#include <set>
#include <tuple>

namespace shardsim {
namespace {

using FamilyKey = std::tuple<int, int, int, double>;  // role, kind, algorithm, bytes

// What one collective of the family takes from a GPU's compute while it runs (interference.hpp):
// NCCL's channel count for a flat call, the GPU's default where NCCL runs a hierarchical plan, no
// SMs under Gloo (CPU threads); it moves data at the GPU's share of the node's network when its
// group spans nodes (the ring runs at its slowest hop), else at the capacity of the links GPU 0's
// routes to its peers start with.
CollectiveLoad collective_load(const Cluster& cluster, const CollectiveLibrary& library, const LibraryPlan& plan,
                               const std::vector<int>& group) {
  CollectiveLoad load;
  if (plan.choice) load.channels = plan.choice->channels;
  else if (library.is_nccl()) load.channels = cluster.instance.gpu.default_collective_channels;
  bool spans_nodes = false;
  for (int r : group) spans_nodes = spans_nodes || cluster.node_of(r) != cluster.node_of(group.front());
  if (spans_nodes) {
    load.link_Bps = cluster.instance.node_network_Bps() / cluster.instance.gpus_per_node;
  } else {
    // The links GPU 0 reaches its peers by (its NVLinks; not a PCIe link no route takes).
    std::set<int> first_links;
    const InstanceType& inst = cluster.instance;
    for (int j = 1; j < inst.gpus_per_node; ++j)
      if (!inst.gpu_route[0][j].links.empty()) first_links.insert(inst.gpu_route[0][j].links.front());
    for (int l : first_links) load.link_Bps += inst.links[l].capacity_Bps;
  }
  return load;
}

struct FamilyPlan {
  CollectivePlan plan;
  CollectiveLoad load;
  ClosedFormShares shares;  // of the call's closed form: latency, FIFO waits
};

// The same collective over every group of one role, as one plan whose phases hold all their rings.
// `shares` of the result: latency's and the FIFO's shares of the call's closed form, as the flows
// pay them (closed_form_shares); 0 where NCCL's model prices nothing (Gloo).
FamilyPlan family_plan(const Cluster& cluster, const CollectiveLibrary& library, const Schedule& s,
                       const CollectiveOp& op, RingOrderMemo& memo) {
  CollectivePlan merged;
  CollectiveLoad load;
  bool first = true;
  ClosedFormShares shares;
  for (int id : s.family_of(op.group)) {
    LibraryPlan planned = plan_on_library(cluster, library, op.kind, op.algorithm, s.groups[id].ranks, op.bytes, &memo);
    CollectivePlan one = std::move(planned.plan);
    if (first) {
      load = collective_load(cluster, library, planned, s.groups[id].ranks);
      if (planned.nccl_time_s() > 0) shares = closed_form_shares(cluster, one);
      merged = std::move(one);
      first = false;
      continue;
    }
    join_concurrent(merged, std::move(one));
  }
  return {std::move(merged), load, shares};
}

class StepRunner {
 public:
  StepRunner(const Cluster& cluster, const Schedule& schedule, FlowModel model, const CollectiveLibrary& library)
      : cluster_(cluster), s_(schedule), sim_(link_capacities(cluster)) {
    const auto& ops = s_.program.ops;
    RingOrderMemo ring_orders;
    for (const Op& op : ops)
      if (const auto* c = std::get_if<CollectiveOp>(&op.body)) {
        const FamilyKey key = key_of(*c);
        if (!plans_.count(key)) plans_.emplace(key, family_plan(cluster, library, s_, *c, ring_orders));
      }
    if (model != FlowModel::per_flow) {
      std::vector<const std::vector<std::vector<int>>*> phases;
      std::vector<const std::vector<Transfer>*> transfer_phases;
      for (const auto& [key, family] : plans_) {
        for (const auto* rings : family.plan.ring_sets()) phases.push_back(rings);
        for (const auto* transfers : family.plan.transfer_sets()) transfer_phases.push_back(transfers);
      }
      symmetry_ = find_node_symmetry(cluster, phases, transfer_phases);
      if (!symmetry_ && model == FlowModel::node_symmetric)
        throw InputError("this schedule's collectives are not node-symmetric; use the per-flow model");
    }
    remaining_deps_.resize(ops.size());
    dependents_.resize(ops.size());
    timing_.resize(ops.size());
    for (std::size_t i = 0; i < ops.size(); ++i) {
      remaining_deps_[i] = static_cast<int>(ops[i].deps.size());
      for (int d : ops[i].deps) dependents_[d].push_back(static_cast<int>(i));
      streams_[static_cast<int>(ops[i].stream)].order.push_back(static_cast<int>(i));
    }
  }

  StepResult run() {
    for (auto& [id, stream] : streams_) try_start(stream);
    sim_.run();
    StepResult result;
    result.ops = timing_;
    result.events = sim_.events_processed();
    result.traffic = node_traffic(cluster_, sim_.network().link_bytes());
    result.model_used = symmetry_ ? FlowModel::node_symmetric : FlowModel::per_flow;
    std::map<std::pair<std::string, std::string>, CollectiveTotals> totals;
    for (std::size_t i = 0; i < timing_.size(); ++i) {
      if (timing_[i].end_s < 0) throw std::logic_error("schedule deadlocked: an op never ran");
      result.step_time_s = std::max(result.step_time_s, timing_[i].end_s);
      const Op& op = s_.program.ops[i];
      const double d = timing_[i].end_s - timing_[i].start_s;
      if (op.stream == Stream::compute) result.compute_busy_s += d;
      if (const auto* c = std::get_if<CollectiveOp>(&op.body)) {
        auto& t = totals[{to_string(s_.groups[c->group].role), to_string(c->kind)}];
        t.role = to_string(s_.groups[c->group].role);
        t.kind = to_string(c->kind);
        ++t.count;
        t.bytes += c->bytes;
        t.busy_s += d;
      }
    }
    result.exposed_comm_s = result.step_time_s - result.compute_busy_s;
    result.shares.assign(timing_.size(), ClosedFormShares{});
    for (std::size_t i = 0; i < timing_.size(); ++i)
      if (const auto* c = std::get_if<CollectiveOp>(&s_.program.ops[i].body)) result.shares[i] = plans_.at(key_of(*c)).shares;
    result.interference_s = interference_s_;
    for (auto& [key, t] : totals) result.collectives.push_back(t);
    return result;
  }

 private:
  FamilyKey key_of(const CollectiveOp& c) const {
    return {static_cast<int>(s_.groups.at(c.group).role), static_cast<int>(c.kind), static_cast<int>(c.algorithm), c.bytes};
  }

  struct StreamState {
    std::vector<int> order;
    std::size_t head = 0;
    bool busy = false;
  };

  void try_start(StreamState& stream) {
    if (stream.busy || stream.head >= stream.order.size()) return;
    const int i = stream.order[stream.head];
    if (remaining_deps_[i] > 0) return;
    stream.busy = true;
    start(i, stream);
  }

  void start(int i, StreamState& stream) {
    const Op& op = s_.program.ops[i];
    timing_[i].start_s = sim_.now_s();
    auto finish = [this, i, &stream] { finished(i, stream); };
    if (const auto* c = std::get_if<ComputeOp>(&op.body)) {
      RunningCompute& run = running_[i];
      run.op = c;
      run.stream = &stream;
      run.alone_s = compute_op_seconds(cluster_.instance.gpu, *c);
      run.since_s = sim_.now_s();
      schedule_compute_end(i, run);
    } else if (const auto* c = std::get_if<CopyOp>(&op.body)) {
      sim_.events().schedule_after(cluster_.instance.gpu.copy_seconds(c->bytes), finish);
    } else if (const auto* h = std::get_if<HostOp>(&op.body)) {
      sim_.events().schedule_after(h->seconds, finish);
    } else {
      const FamilyPlan& family = plans_.at(key_of(std::get<CollectiveOp>(op.body)));
      in_flight_[i] = family.load;
      collectives_changed();
      auto collective_done = [this, i, &stream] {
        in_flight_.erase(i);
        collectives_changed();
        finished(i, stream);
      };
      executions_.push_back(std::make_unique<CollectiveExecution>(cluster_, family.plan, sim_, symmetry_, collective_done, &ring_phases_));
      executions_.back()->start();
    }
  }

  // A compute op in progress: the fraction of its work left, and the rate it runs at now.
  struct RunningCompute {
    const ComputeOp* op = nullptr;
    StreamState* stream = nullptr;
    double alone_s = 0;       // its time with no collective in flight
    double seconds = 0;       // its whole time at the present rate
    double remaining = 1;     // fraction of its work not done at since_s
    double since_s = 0;
    std::uint64_t generation = 0;  // of its scheduled end; an older end event is stale
  };

  void schedule_compute_end(int i, RunningCompute& run) {
    run.seconds = compute_op_seconds(cluster_.instance.gpu, *run.op, contention_);
    const std::uint64_t generation = ++run.generation;
    sim_.events().schedule_after(run.remaining * run.seconds, [this, i, generation] {
      auto it = running_.find(i);
      if (it == running_.end() || it->second.generation != generation) return;  // rescheduled since
      StreamState& stream = *it->second.stream;
      interference_s_ += (sim_.now_s() - timing_[i].start_s) - it->second.alone_s;
      running_.erase(it);
      finished(i, stream);
    });
  }

  // The collectives in flight changed: every running compute op keeps the work it has done and
  // continues at the new rate (an end event is replaced only where the rate changed).
  void collectives_changed() {
    std::vector<CollectiveLoad> loads;
    loads.reserve(in_flight_.size());
    for (const auto& [op, load] : in_flight_) loads.push_back(load);
    const ComputeContention contention = contention_of(cluster_.instance.gpu, loads);
    // The same contention (a collective replaced by one of the same load, or none holding SMs,
    // as Gloo's): no running compute op changes rate.
    if (contention.blocks_held == contention_.blocks_held && contention.hbm_Bps_taken == contention_.hbm_Bps_taken) return;
    contention_ = contention;
    for (auto& [i, run] : running_) {
      const double seconds = compute_op_seconds(cluster_.instance.gpu, *run.op, contention_);
      if (seconds == run.seconds) continue;
      const double now = sim_.now_s();
      run.remaining = std::max(0.0, run.remaining - (now - run.since_s) / run.seconds);
      run.since_s = now;
      schedule_compute_end(i, run);
    }
  }

  void finished(int i, StreamState& stream) {
    timing_[i].end_s = sim_.now_s();
    stream.busy = false;
    ++stream.head;
    for (int d : dependents_[i]) --remaining_deps_[d];
    for (auto& [id, st] : streams_) try_start(st);
  }

  const Cluster& cluster_;
  const Schedule& s_;
  NetworkSimulation sim_;
  std::map<FamilyKey, FamilyPlan> plans_;
  RingPhaseCache ring_phases_;  // each plan phase's setup, derived once (collective_execution.hpp)
  std::map<int, CollectiveLoad> in_flight_;  // collectives of this rank running, by op
  std::map<int, RunningCompute> running_;    // compute ops running, by op
  double interference_s_ = 0;
  ComputeContention contention_;  // of the collectives in flight now
  std::optional<NodeSymmetry> symmetry_;
  std::vector<int> remaining_deps_;
  std::vector<std::vector<int>> dependents_;
  std::vector<OpTiming> timing_;
  std::map<int, StreamState> streams_;
  std::deque<std::unique_ptr<CollectiveExecution>> executions_;
};

}  // namespace

StepResult simulate_step(const Cluster& cluster, const Schedule& schedule, FlowModel model, const CollectiveLibrary& library) {
  StepRunner runner(cluster, schedule, model, library);
  return runner.run();
}

}  // namespace shardsim
