#include "runtime/bench/bench_prediction.hpp"

#include "runtime/comm/communicator.hpp"
#include "sim/collsim/collective_execution.hpp"
#include "sim/nccl/nccl_names.hpp"

#include <fmt/format.h>

namespace shardsim::runtime {

void check_prediction_shape(const InstanceType& instance, int ranks_per_node) {
  if (instance.gpus_per_node != ranks_per_node)
    throw RuntimeError(fmt::format("--predict: {} has {} GPUs per node but this job runs {} ranks per node; pass --topology with "
                                   "an instance of that shape",
                                   instance.name, instance.gpus_per_node, ranks_per_node));
}

std::vector<BenchPrediction> predict_bench(const BenchContext& c, const std::vector<BenchRow>& rows, const InstanceType& instance,
                                           const CollectiveLibrary& library) {
  check_prediction_shape(instance, c.ranks_per_node);
  const Cluster cluster = make_cluster(instance, c.nodes);
  // Every group runs at once; the first stands for them (the simulator's node symmetry).
  const std::vector<int> group = c.group.members(c.world_size, 0);
  std::vector<BenchPrediction> out;
  for (const BenchRow& row : rows) {
    const LibraryPlan planned = plan_on_library(cluster, library, row.op, row.algorithm, group, static_cast<double>(row.size.bytes));
    BenchPrediction p;
    p.time_s = simulate_collective(cluster, planned.plan).time_s;
    p.algorithm = planned.simulated_as;
    if (planned.choice) {
      p.algorithm = to_string(planned.choice->algorithm);
      p.protocol = to_string(planned.choice->protocol);
      p.channels = planned.choice->channels;
    }
    out.push_back(std::move(p));
  }
  return out;
}

std::string prediction_table(const std::vector<BenchRow>& rows, const std::vector<BenchPrediction>& predictions,
                             const std::string& library, const std::string& instance) {
  std::string text = fmt::format("#\n# shardsim's prediction ({} on {}), beside the out-of-place measurement\n", library, instance);
  text += fmt::format("# {:>14} {:>14} {:>14} {:>14} {:>8} {:>8} {:>4}\n", "op", "size (B)", "measured (us)", "predicted (us)", "algo",
                      "proto", "ch");
  for (std::size_t i = 0; i < rows.size() && i < predictions.size(); ++i) {
    const BenchPrediction& p = predictions[i];
    text += fmt::format("# {:>14} {:>14} {:>14.2f} {:>14.2f} {:>8} {:>8} {:>4}\n", to_string(rows[i].op), rows[i].size.bytes,
                        rows[i].out_of_place.time_us, p.time_s * 1e6, p.algorithm, p.protocol.empty() ? "-" : p.protocol,
                        p.channels > 0 ? fmt::format("{}", p.channels) : "-");
  }
  return text;
}

}  // namespace shardsim::runtime
