#include "sim/stepsim/step_simulation.hpp"

#include "sim/collectives/plan.hpp"
#include "sim/input/input_error.hpp"

#include <deque>
#include <map>
#include <memory>
#include <tuple>

namespace shardsim {
namespace {

using FamilyKey = std::tuple<int, int, int, double>;  // role, kind, algorithm, bytes

// The same collective over every group of one role, as one plan whose phases hold all their rings.
// `latency_share` gets the latency's share of NCCL's predicted time for the call (0 where NCCL's
// model does not price it: Gloo and hierarchical calls).
CollectivePlan family_plan(const Cluster& cluster, const CollectiveLibrary& library, const Schedule& s,
                           const CollectiveOp& op, RingOrderMemo& memo, double& latency_share) {
  CollectivePlan merged;
  bool first = true;
  latency_share = 0;
  for (int id : s.family_of(op.group)) {
    LibraryPlan planned = plan_on_library(cluster, library, op.kind, op.algorithm, s.groups[id].ranks, op.bytes, &memo);
    CollectivePlan one = std::move(planned.plan);
    if (first && planned.choice && planned.choice->time_s > 0)
      latency_share = std::min(1.0, planned.choice->latency_us * 1e-6 / planned.choice->time_s);
    if (first) { merged = std::move(one); first = false; continue; }
    if (one.phases.size() != merged.phases.size())
      throw std::logic_error("groups of one role planned with different phase counts");
    for (std::size_t i = 0; i < one.phases.size(); ++i) {
      if (auto* ring = std::get_if<RingPhase>(&one.phases[i])) {
        auto& into = std::get<RingPhase>(merged.phases[i]).rings;
        for (auto& r : ring->rings) into.push_back(std::move(r));
      } else if (auto* tree = std::get_if<TransferPhase>(&one.phases[i])) {
        auto& into = std::get<TransferPhase>(merged.phases[i]).transfers;
        into.insert(into.end(), tree->transfers.begin(), tree->transfers.end());
      }
    }
  }
  return merged;
}

class StepRunner {
 public:
  StepRunner(const Cluster& cluster, const Schedule& schedule, FlowModel model, const CollectiveLibrary& library)
      : cluster_(cluster), s_(schedule), sim_(link_capacities(cluster)) {
    const auto& ops = s_.program.ops;
    RingOrderMemo ring_orders;
    for (const Op& op : ops)
      if (const auto* c = std::get_if<CollectiveOp>(&op.body)) {
        const FamilyKey key{static_cast<int>(s_.groups.at(c->group).role), static_cast<int>(c->kind),
                            static_cast<int>(c->algorithm), c->bytes};
        if (!plans_.count(key)) {
          double share = 0;
          plans_.emplace(key, family_plan(cluster, library, s_, *c, ring_orders, share));
          latency_share_[key] = share;
        }
      }
    bool only_rings = true;
    for (const auto& [key, plan] : plans_) only_rings = only_rings && plan.only_rings();
    if (model == FlowModel::node_symmetric && !only_rings)
      throw InputError("this schedule's tree collectives are not node-symmetric; use the per-flow model");
    if (model != FlowModel::per_flow && only_rings) {
      std::vector<const std::vector<std::vector<int>>*> phases;
      for (const auto& [key, plan] : plans_)
        for (const auto* rings : plan.ring_sets()) phases.push_back(rings);
      symmetry_ = find_node_symmetry(cluster, phases);
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
    result.latency_share.assign(timing_.size(), 0);
    for (std::size_t i = 0; i < timing_.size(); ++i)
      if (const auto* c = std::get_if<CollectiveOp>(&s_.program.ops[i].body))
        result.latency_share[i] = latency_share_.at(key_of(*c));
    for (auto& [key, t] : totals) result.collectives.push_back(t);
    return result;
  }

 private:
  FamilyKey key_of(const CollectiveOp& c) const {
    return {static_cast<int>(s_.groups[c.group].role), static_cast<int>(c.kind), static_cast<int>(c.algorithm), c.bytes};
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
      sim_.events().schedule_after(compute_op_seconds(cluster_.instance, c->flops, c->hbm_bytes), finish);
    } else if (const auto* c = std::get_if<CopyOp>(&op.body)) {
      sim_.events().schedule_after(2 * c->bytes / cluster_.instance.gpu.hbm_bandwidth_Bps, finish);
    } else if (const auto* h = std::get_if<HostOp>(&op.body)) {
      sim_.events().schedule_after(h->seconds, finish);
    } else {
      const FamilyKey key = key_of(std::get<CollectiveOp>(op.body));
      executions_.push_back(std::make_unique<CollectiveExecution>(cluster_, plans_.at(key), sim_, symmetry_, finish, &ring_phases_));
      executions_.back()->start();
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
  std::map<FamilyKey, CollectivePlan> plans_;
  std::map<FamilyKey, double> latency_share_;
  RingPhaseCache ring_phases_;  // each plan phase's setup, derived once (collective_execution.hpp)
  std::optional<NodeSymmetry> symmetry_;
  std::vector<int> remaining_deps_;
  std::vector<std::vector<int>> dependents_;
  std::vector<OpTiming> timing_;
  std::map<int, StreamState> streams_;
  std::deque<std::unique_ptr<CollectiveExecution>> executions_;
};

}  // namespace

double compute_op_seconds(const InstanceType& instance, double flops, double hbm_bytes) {
  return flops / (instance.gpu.peak_flops * instance.gpu.compute_efficiency) + hbm_bytes / instance.gpu.hbm_bandwidth_Bps;
}

StepResult simulate_step(const Cluster& cluster, const Schedule& schedule, FlowModel model, const CollectiveLibrary& library) {
  StepRunner runner(cluster, schedule, model, library);
  return runner.run();
}

}  // namespace shardsim
