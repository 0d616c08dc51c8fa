#include "sim/collectives/collective.hpp"

#include "sim/input/input_error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <stdexcept>

namespace shardsim {

const char* to_string(CollectiveKind kind) {
  switch (kind) {
    case CollectiveKind::all_gather: return "all_gather";
    case CollectiveKind::reduce_scatter: return "reduce_scatter";
    case CollectiveKind::all_reduce: return "all_reduce";
  }
  return "?";
}

const char* to_string(Algorithm algorithm) {
  switch (algorithm) {
    case Algorithm::ring: return "ring";
    case Algorithm::hierarchical: return "hierarchical";
    case Algorithm::tree: return "tree";
    case Algorithm::nvls_tree: return "nvls_tree";
    case Algorithm::pat: return "pat";
  }
  return "?";
}

const char* to_string(PhaseScope scope) {
  switch (scope) {
    case PhaseScope::group: return "group";
    case PhaseScope::inter_node: return "inter_node";
    case PhaseScope::intra_node: return "intra_node";
  }
  return "?";
}

CollectiveKind parse_collective_kind(const std::string& text) {
  if (text == "all_gather" || text == "allgather") return CollectiveKind::all_gather;
  if (text == "reduce_scatter" || text == "reducescatter") return CollectiveKind::reduce_scatter;
  if (text == "all_reduce" || text == "allreduce") return CollectiveKind::all_reduce;
  throw InputError(fmt::format("unknown collective '{}' (expected all_gather, reduce_scatter or all_reduce)", text));
}

Algorithm parse_algorithm(const std::string& text) {
  if (text == "ring" || text == "flat") return Algorithm::ring;
  if (text == "hierarchical" || text == "two_level") return Algorithm::hierarchical;
  if (text == "tree") return Algorithm::tree;
  throw InputError(fmt::format("unknown algorithm '{}' (expected ring, hierarchical or tree)", text));
}

double bus_bandwidth_factor(CollectiveKind kind, int n) {
  const double base = static_cast<double>(n - 1) / n;
  return kind == CollectiveKind::all_reduce ? 2 * base : base;
}

std::size_t input_elements(CollectiveKind kind, std::size_t count, int group_size) {
  return kind == CollectiveKind::reduce_scatter ? count * group_size : count;
}

std::size_t output_elements(CollectiveKind kind, std::size_t count, int group_size) {
  return kind == CollectiveKind::all_gather ? count * group_size : count;
}

int most_rings_per_member(const RingPhase& phase) {
  std::map<int, int> rings_of_member;
  int most = 0;
  for (const auto& ring : phase.rings)
    for (int member : ring) most = std::max(most, ++rings_of_member[member]);
  return most;
}

bool CollectivePlan::only_rings() const {
  for (const auto& p : phases)
    if (std::holds_alternative<TransferPhase>(p)) return false;
  return true;
}

int CollectivePlan::sequential_steps() const {
  int steps = 0;
  for (const auto& p : phases)
    if (const auto* ring = std::get_if<RingPhase>(&p)) steps += ring->steps;
    else if (const auto* t = std::get_if<TransferPhase>(&p)) steps += t->steps;
  return steps;
}

void join_concurrent(CollectivePlan& into, CollectivePlan&& other) {
  if (other.phases.size() != into.phases.size())
    throw std::logic_error("concurrent groups of one collective planned with different phase counts");
  for (std::size_t i = 0; i < other.phases.size(); ++i) {
    if (other.phases[i].index() != into.phases[i].index())
      throw std::logic_error("concurrent groups of one collective planned with different phase kinds");
    if (auto* ring = std::get_if<RingPhase>(&other.phases[i])) {
      auto& rings = std::get<RingPhase>(into.phases[i]).rings;
      for (auto& r : ring->rings) rings.push_back(std::move(r));
    } else if (auto* t = std::get_if<TransferPhase>(&other.phases[i])) {
      auto& transfers = std::get<TransferPhase>(into.phases[i]).transfers;
      transfers.insert(transfers.end(), t->transfers.begin(), t->transfers.end());
    }
  }
}

std::vector<const std::vector<Transfer>*> CollectivePlan::transfer_sets() const {
  std::vector<const std::vector<Transfer>*> sets;
  for (const auto& p : phases)
    if (const auto* t = std::get_if<TransferPhase>(&p)) sets.push_back(&t->transfers);
  return sets;
}

std::vector<const std::vector<std::vector<int>>*> CollectivePlan::ring_sets() const {
  std::vector<const std::vector<std::vector<int>>*> sets;
  for (const auto& p : phases)
    if (const auto* ring = std::get_if<RingPhase>(&p)) sets.push_back(&ring->rings);
  return sets;
}

}  // namespace shardsim
