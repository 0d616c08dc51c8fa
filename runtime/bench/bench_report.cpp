#include "runtime/bench/bench_report.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace shardsim::runtime {

const char* nccl_tests_type_name(DataType type) {
  switch (type) {
    case DataType::f32: return "float";
    case DataType::f64: return "double";
    case DataType::f16: return "half";
    case DataType::bf16: return "bfloat16";
    case DataType::i32: return "int32";
    case DataType::i64: return "int64";
  }
  return "?";
}

std::string table_preamble(const BenchContext& c) {
  const int group_size = c.group.group_size(c.world_size);
  const int groups = c.group.group_count(c.world_size);
  std::string text = fmt::format("# shardsim-run bench: backend {}, {} ranks ({} node{} x {} ranks per node), group {} ({} group{} of {} ranks)\n",
                                 c.backend, c.world_size, c.nodes, c.nodes == 1 ? "" : "s", c.ranks_per_node, c.group.text(), groups,
                                 groups == 1 ? "" : "s", group_size);
  text += "# size: bytes of the whole buffer (all_gather output, reduce_scatter input), rounded down to a multiple of\n";
  text += "#   group size x element size for all_gather, reduce_scatter and the hierarchical all_reduce (as nccl-tests)\n";
  text += fmt::format("# time: mean of {} iterations after {} warm-up, averaged over ranks; algbw = size / time;\n", c.iterations, c.warmup);
  text += "#   busbw = algbw x (n-1)/n (all_gather, reduce_scatter) or x 2(n-1)/n (all_reduce); #wrong over all ranks\n";
  return text;
}

std::string table_header(CollectiveKind op, Algorithm algorithm) {
  std::string text = fmt::format("#\n# {} ({})\n", to_string(op), to_string(algorithm));
  text += fmt::format("# {:>10}  {:>12}  {:>8}  {:>6}  {:>6}  {:>7}  {:>6}  {:>6}  {:>6}  {:>7}  {:>6}  {:>6}  {:>6}\n", "",
                      "", "", "", "", "out-of-place", "", "", "", "in-place", "", "", "");
  text += fmt::format("# {:>10}  {:>12}  {:>8}  {:>6}  {:>6}  {:>7}  {:>6}  {:>6}  {:>6}  {:>7}  {:>6}  {:>6}  {:>6}\n", "size",
                      "count", "type", "redop", "root", "time", "algbw", "busbw", "#wrong", "time", "algbw", "busbw", "#wrong");
  text += fmt::format("# {:>10}  {:>12}  {:>8}  {:>6}  {:>6}  {:>7}  {:>6}  {:>6}  {:>6}  {:>7}  {:>6}  {:>6}  {:>6}\n", "(B)",
                      "(elements)", "", "", "", "(us)", "(GB/s)", "(GB/s)", "", "(us)", "(GB/s)", "(GB/s)", "");
  return text;
}

std::string table_row(const BenchRow& row) {
  auto measured = [](const BenchMeasurement& m) {
    return fmt::format("{:>7.1f}  {:>6.2f}  {:>6.2f}  {:>6}", m.time_us, m.algbw_GBps, m.busbw_GBps, m.wrong);
  };
  const char* redop = row.op == CollectiveKind::all_gather ? "none" : "sum";
  return fmt::format("  {:>10}  {:>12}  {:>8}  {:>6}  {:>6}  {}  {}\n", row.size.bytes, row.size.total_elements,
                     nccl_tests_type_name(row.type), redop, -1, measured(row.out_of_place), measured(row.in_place));
}

std::string table_footer(const std::vector<BenchRow>& rows) {
  std::uint64_t wrong = 0;
  double busbw_sum = 0;
  for (const auto& row : rows) {
    wrong += row.out_of_place.wrong + row.in_place.wrong;
    busbw_sum += row.out_of_place.busbw_GBps + row.in_place.busbw_GBps;
  }
  const double average = rows.empty() ? 0 : busbw_sum / (2.0 * rows.size());
  return fmt::format("#\n# Out of bounds values : {} {}\n# Avg bus bandwidth    : {:.4g}\n#\n", wrong, wrong == 0 ? "OK" : "FAILED",
                     average);
}

std::string results_json(const BenchContext& c, const std::vector<BenchRow>& rows, const std::vector<BenchPrediction>& predictions) {
  nlohmann::json results = nlohmann::json::array();
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const BenchRow& row = rows[r];
    for (const bool in_place : {false, true}) {
      const BenchMeasurement& m = in_place ? row.in_place : row.out_of_place;
      results.push_back({{"op", to_string(row.op)},
                         {"algo", to_string(row.algorithm)},
                         {"backend", c.backend},
                         {"group", c.group.text()},
                         {"group_size", c.group.group_size(c.world_size)},
                         {"groups", c.group.group_count(c.world_size)},
                         {"group_nodes", c.group_nodes},
                         {"group_ranks_per_node", c.group_ranks_per_node},
                         {"world_size", c.world_size},
                         {"ranks_per_node", c.ranks_per_node},
                         {"nodes", c.nodes},
                         {"dtype", to_string(row.type)},
                         {"bytes", row.size.bytes},
                         {"count", row.size.total_elements},
                         {"in_place", in_place},
                         {"iterations", c.iterations},
                         {"warmup", c.warmup},
                         {"time_s", m.time_us * 1e-6},
                         {"algbw_GBps", m.algbw_GBps},
                         {"busbw_GBps", m.busbw_GBps},
                         {"wrong", m.wrong}});
      // As `shardsim collective --json` names NCCL's own estimate, so measured and simulated rows join.
      if (m.nccl_predicted_time_us) results.back()["nccl_time_s"] = *m.nccl_predicted_time_us * 1e-6;
      if (r < predictions.size()) {
        const BenchPrediction& p = predictions[r];
        results.back()["predicted_time_s"] = p.time_s;
        if (p.formula_time_s > 0) results.back()["predicted_formula_time_s"] = p.formula_time_s;
        results.back()["predicted_algorithm"] = p.algorithm;
        if (!p.protocol.empty()) results.back()["predicted_protocol"] = p.protocol;
        if (p.channels > 0) results.back()["predicted_channels"] = p.channels;
      }
      if (row.nccl_choice) {
        results.back()["nccl_algorithm"] = row.nccl_choice->algorithm;
        results.back()["nccl_protocol"] = row.nccl_choice->protocol;
        results.back()["nccl_channels"] = row.nccl_choice->channels;
      }
    }
  }
  return nlohmann::json{{"results", results}}.dump(2) + "\n";
}

}  // namespace shardsim::runtime
