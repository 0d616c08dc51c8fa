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
      p.formula_time_s = planned.choice->time_s;
    }
    out.push_back(std::move(p));
  }
  return out;
}

std::string nccl_view_table(const std::vector<BenchRow>& rows, const std::vector<BenchPrediction>& predictions,
                            const std::string& library, const std::string& instance) {
  bool estimates = false;
  bool choices = false;
  for (const BenchRow& row : rows) {
    estimates = estimates || row.out_of_place.nccl_predicted_time_us.has_value();
    choices = choices || row.nccl_choice.has_value();
  }
  const bool predicted = !predictions.empty();
  if (!predicted && !estimates && !choices) return {};
  std::string text = "#\n# ";
  if (predicted) text += fmt::format("shardsim's prediction ({} on {}), ", library, instance);
  if (estimates || choices) text += "NCCL's own estimate (ncclGroupSimulateEnd) and choice (its TUNING log), ";
  text += "beside the out-of-place measurement\n";
  text += fmt::format("# {:>14} {:>14} {:>14}", "op", "size (B)", "measured (us)");
  if (predicted) text += fmt::format(" {:>14} {:>14} {:>8} {:>8} {:>4}", "predicted (us)", "formula (us)", "algo", "proto", "ch");
  if (estimates) text += fmt::format(" {:>14}", "NCCL est (us)");
  if (choices) text += fmt::format(" {:>9} {:>10} {:>7}", "NCCL algo", "NCCL proto", "NCCL ch");
  text += "\n";
  auto or_dash = [](const std::string& s) { return s.empty() ? std::string("-") : s; };
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const BenchRow& row = rows[i];
    text += fmt::format("# {:>14} {:>14} {:>14.2f}", to_string(row.op), row.size.bytes, row.out_of_place.time_us);
    if (predicted && i < predictions.size()) {
      const BenchPrediction& p = predictions[i];
      text += fmt::format(" {:>14.2f} {:>14} {:>8} {:>8} {:>4}", p.time_s * 1e6,
                          p.formula_time_s > 0 ? fmt::format("{:.2f}", p.formula_time_s * 1e6) : "-", p.algorithm,
                          or_dash(p.protocol), p.channels > 0 ? fmt::format("{}", p.channels) : "-");
    }
    if (estimates) {
      const auto& e = row.out_of_place.nccl_predicted_time_us;
      text += fmt::format(" {:>14}", e ? fmt::format("{:.2f}", *e) : "-");
    }
    if (choices) {
      if (row.nccl_choice)
        text += fmt::format(" {:>9} {:>10} {:>7}", row.nccl_choice->algorithm, row.nccl_choice->protocol, row.nccl_choice->channels);
      else
        text += fmt::format(" {:>9} {:>10} {:>7}", "-", "-", "-");
    }
    text += "\n";
  }
  return text;
}

}  // namespace shardsim::runtime
