// shardsim-calibrate: fits the simulator's step model to `shardsim-run bench --json` measurements,
// the GPU's compute efficiency to `shardsim-run gemm --json` measurements, and the network inputs of
// NCCL's cost model (plugin latency, inter-node bandwidth efficiency) to nccl-tests text logs (any
// of the three), and writes a calibrated topology file that `shardsim ... --instance FILE` loads.
//   shardsim-calibrate --topology topologies/emulated-k2.json --out calibrated.json [--report fit.json] bench.json...
//   shardsim-calibrate --topology p4d.24xlarge --out calibrated.json --nccl-tests LOG... [--nccl 2.28]
#include "sim/collectives/plan.hpp"
#include "sim/input/exit_status.hpp"
#include "sim/input/input_error.hpp"
#include "sim/input/output_file.hpp"
#include "validate/calibrate/bench_rows.hpp"
#include "validate/calibrate/calibrated_topology.hpp"
#include "validate/calibrate/fit.hpp"
#include "validate/calibrate/nccl_calibrated_block.hpp"
#include "validate/calibrate/nccl_fit_report.hpp"
#include "validate/calibrate/step_model.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstring>
#include <exception>
#include <filesystem>
#include <numeric>
#include <string_view>
#include <system_error>

namespace shardsim::validate {
namespace {

struct CalibrateOptions {
  std::string topology;
  std::string out;
  std::string report;
  std::vector<std::string> bench_files;
  std::vector<std::string> nccl_tests_logs;
  std::string nccl_version = kDefaultNcclVersion;
  std::string collective;  // for logs that do not name their program
  int nodes = 0;           // for logs without Rank lines
  int ranks_per_node = 0;
};

struct NcclOutcome {
  std::vector<NcclFitSample> samples;
  NcclNetworkFit fit;
  std::vector<std::string> logs;  // file names
  std::string version;
  std::string source;
};

std::optional<NcclOutcome> fit_nccl_tests(const CalibrateOptions& o, const InstanceType& base) {
  if (o.nccl_tests_logs.empty()) return std::nullopt;
  NcclTestsDefaults defaults{{}, o.nodes, o.ranks_per_node};
  if (!o.collective.empty()) defaults.kind = parse_collective_kind(o.collective);
  std::vector<NcclTestsLog> logs;
  NcclOutcome out;
  for (const auto& file : o.nccl_tests_logs) {
    logs.push_back(read_nccl_tests_log(file, defaults));
    out.logs.push_back(std::filesystem::path(file).filename().string());
  }
  const NcclVersion version = load_nccl_version(o.nccl_version);
  out.version = version.name;
  for (const auto& log : logs)  // a formula of another release fits other values: say so, do not guess
    if (!log.nccl_version.empty() && log.nccl_version.rfind(version.name + ".", 0) != 0)
      fmt::print("note: {} ran NCCL {}; fitting NCCL {}'s formula (--nccl selects another)\n", log.file, log.nccl_version,
                 version.name);
  out.samples = nccl_fit_samples(logs);
  out.fit = fit_nccl_network(version, base, out.samples);
  out.source = nccl_fit_source(out.fit, out.version, out.logs);
  print_nccl_fit(out.fit, out.samples, base, out.version);
  return out;
}

std::vector<int> first_ranks(int count) {
  std::vector<int> group(static_cast<std::size_t>(count));
  std::iota(group.begin(), group.end(), 0);
  return group;
}

FitSample sample_of(const InstanceType& base, const LinkClassRoles& roles, const BenchRow& row) {
  if (row.ranks_per_node != base.gpus_per_node)
    throw InputError(fmt::format("{}: measured with {} ranks per node, but {} has {} GPUs per node; calibrate against a "
                                 "topology with the same node shape",
                                 row.origin, row.ranks_per_node, base.file, base.gpus_per_node));
  if (row.group_size > row.ranks_per_node && row.group_size % row.ranks_per_node != 0)
    throw InputError(fmt::format("{}: a group of {} ranks covers part of a node ({} ranks per node); only groups inside one "
                                 "node or of whole nodes can be calibrated",
                                 row.origin, row.group_size, row.ranks_per_node));
  const Cluster cluster = make_cluster(base, row.nodes);
  const CollectivePlan plan = plan_collective(cluster, row.kind, row.algorithm, first_ranks(row.group_size), row.bytes);
  return {step_model_terms(cluster, roles, plan), row.time_s};
}

std::string group_text(const BenchRow& row) {
  return fmt::format("{}x{}", row.group_size <= row.ranks_per_node ? 1 : row.group_size / row.ranks_per_node,
                     std::min(row.group_size, row.ranks_per_node));
}

// Prints the GEMM fit's values and rows; returns them for the --report JSON.
nlohmann::ordered_json report_compute(const std::optional<ComputeFit>& compute, const std::vector<GemmRow>& gemms,
                                      const InstanceType& base) {
  if (!compute) return nullptr;
  fmt::print("GEMM throughput (per GPU): {:.4g} TFLOP/s = gemm_peak_fraction {:.4f} of the {:.4g} TFLOP/s peak (was {:.4f}); "
             "launch overhead {:.2f} us\n",
             compute->achieved_flops_per_s / 1e12, compute->efficiency, base.gpu.peak_flops / 1e12, base.gpu.gemm_peak_fraction,
             compute->launch_overhead_s * 1e6);
  fmt::print("GEMM fit: median |residual| {:.2f}%, max {:.2f}%\n", compute->median_abs_error_pct, compute->max_abs_error_pct);
  fmt::print("#{:>15} {:>13} {:>13} {:>9}\n", "flops", "measured(us)", "fitted(us)", "resid(%)");
  nlohmann::ordered_json gemm_rows = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < gemms.size(); ++i) {
    const double resid_pct = (compute->predicted_s[i] - gemms[i].time_s) / gemms[i].time_s * 100;
    fmt::print("{:>16.4g} {:>13.1f} {:>13.1f} {:>+9.2f}\n", gemms[i].flops, gemms[i].time_s * 1e6, compute->predicted_s[i] * 1e6,
               resid_pct);
    gemm_rows.push_back({{"flops", gemms[i].flops}, {"measured_s", gemms[i].time_s}, {"fitted_s", compute->predicted_s[i]},
                         {"residual_pct", resid_pct}});
  }
  return {{"achieved_flops_per_s", compute->achieved_flops_per_s}, {"gemm_peak_fraction", compute->efficiency},
          {"launch_overhead_s", compute->launch_overhead_s}, {"median_abs_residual_pct", compute->median_abs_error_pct},
          {"max_abs_residual_pct", compute->max_abs_error_pct}, {"rows", gemm_rows}};
}

void run(const CalibrateOptions& o) {
  const InstanceType base = load_instance_by_name(o.topology);
  std::vector<BenchRow> rows;
  std::vector<GemmRow> gemms;
  std::vector<std::string> sources;
  const std::optional<NcclOutcome> nccl = fit_nccl_tests(o, base);
  for (const auto& file : o.bench_files) {
    auto more = read_bench_file(file);
    rows.insert(rows.end(), more.collectives.begin(), more.collectives.end());
    gemms.insert(gemms.end(), more.gemms.begin(), more.gemms.end());
    sources.push_back(std::filesystem::path(file).filename().string());
  }
  // Only GEMM rows: the links keep the base file's values (an empty fit identifies nothing).
  const LinkClassRoles roles = rows.empty() ? LinkClassRoles{} : link_class_roles(base);
  std::vector<FitSample> samples;
  for (const auto& row : rows) samples.push_back(sample_of(base, roles, row));
  const StepModelFit fit = samples.empty() ? StepModelFit{} : fit_step_model(samples);
  const std::optional<ComputeFit> compute = gemms.empty() ? std::nullopt : std::optional(fit_compute(gemms, base.gpu.peak_flops));
  if (nccl) sources.insert(sources.end(), nccl->logs.begin(), nccl->logs.end());
  const std::size_t row_count = rows.size() + gemms.size() + (nccl ? nccl->samples.size() : 0);
  const std::string calibration_source = fmt::format("shardsim-calibrate from {} rows of {}", row_count, fmt::join(sources, ", "));
  CalibratedTopology topology = calibrated_topology(base, roles, fit, calibration_source, compute);
  if (nccl) apply_nccl_network_fit(topology.document, nccl->fit, nccl->source);
  write_file_atomically(o.out, topology.document.dump(2) + "\n");
  load_instance_type(o.out);  // what we wrote must load: a calibration nobody can use is a bug

  const bool links_fitted = !rows.empty();
  const std::string intra = links_fitted ? base.link_classes[roles.intra_class].name : "";
  const std::string inter = links_fitted ? base.link_classes[roles.inter_class].name : "";
  auto value = [&](int j, std::string text) { return fit.identified[j] ? text : std::string("not identified (kept)"); };
  if (!rows.empty() || !gemms.empty())
    fmt::print("# calibration of {} from {} measurements\n", base.name, rows.size() + gemms.size());
  nlohmann::ordered_json residuals = nlohmann::ordered_json::array();
  if (links_fitted) {
    fmt::print("intra-node hop latency ({}): {}\n", intra, value(0, fmt::format("{:.2f} us", fit.alpha_intra_s * 1e6)));
    fmt::print("inter-node hop latency ({}): {}\n", inter, value(1, fmt::format("{:.2f} us", fit.alpha_inter_s * 1e6)));
    fmt::print("intra-node link capacity ({}): {}\n", intra, value(2, fmt::format("{:.4f} GB/s", fit.intra_Bps / 1e9)));
    fmt::print("inter-node link capacity ({}): {}\n", inter,
               value(3, fmt::format("{:.4f} GB/s ({:.1f} Mbit/s)", fit.inter_Bps / 1e9, fit.inter_Bps * 8 / 1e6)));
    fmt::print("reduction rate (per rank): {}\n",
               value(4, fit.reduce_Bps > 0 ? fmt::format("{:.4f} GB/s", fit.reduce_Bps / 1e9) : std::string("free (fused into the transfer)")));
    fmt::print("fit quality: R^2 {:.6f}, median |residual| {:.2f}%, max {:.2f}%\n", fit.r_squared, fit.median_abs_error_pct,
               fit.max_abs_error_pct);
    for (const auto& note : topology.notes) fmt::print("note: {}\n", note);
    fmt::print("#{:>14} {:>13} {:>6} {:>12} {:>13} {:>13} {:>9}\n", "op", "algo", "group", "bytes", "measured(us)", "fitted(us)",
               "resid(%)");
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const auto& r = rows[i];
      const double resid_pct = (fit.predicted_s[i] - r.time_s) / r.time_s * 100;
      fmt::print("{:>15} {:>13} {:>6} {:>12.0f} {:>13.1f} {:>13.1f} {:>+9.2f}\n", to_string(r.kind), to_string(r.algorithm),
                 group_text(r), r.bytes, r.time_s * 1e6, fit.predicted_s[i] * 1e6, resid_pct);
      residuals.push_back({{"op", to_string(r.kind)}, {"algo", to_string(r.algorithm)}, {"group_size", r.group_size},
                           {"nodes", r.nodes}, {"bytes", r.bytes}, {"measured_s", r.time_s}, {"fitted_s", fit.predicted_s[i]},
                           {"residual_pct", resid_pct}});
    }
  }
  const nlohmann::ordered_json compute_report = report_compute(compute, gemms, base);
  fmt::print("wrote {}\n", o.out);
  if (!o.report.empty()) {
    nlohmann::ordered_json report = {
        {"topology", base.file},
        {"calibrated_topology", o.out},
        {"intra_link_class", intra},
        {"inter_link_class", inter},
        {"alpha_intra_s", fit.identified[0] ? nlohmann::ordered_json(fit.alpha_intra_s) : nullptr},
        {"alpha_inter_s", fit.identified[1] ? nlohmann::ordered_json(fit.alpha_inter_s) : nullptr},
        {"intra_link_Bps", fit.identified[2] ? nlohmann::ordered_json(fit.intra_Bps) : nullptr},
        {"inter_link_Bps", fit.identified[3] ? nlohmann::ordered_json(fit.inter_Bps) : nullptr},
        {"reduce_Bps", fit.identified[4] ? nlohmann::ordered_json(fit.reduce_Bps) : nullptr},
        {"r_squared", links_fitted ? nlohmann::ordered_json(fit.r_squared) : nullptr},
        {"median_abs_residual_pct", links_fitted ? nlohmann::ordered_json(fit.median_abs_error_pct) : nullptr},
        {"max_abs_residual_pct", links_fitted ? nlohmann::ordered_json(fit.max_abs_error_pct) : nullptr},
        {"notes", topology.notes},
        {"rows", residuals},
        {"compute", compute_report},
        {"nccl", nccl ? nccl_fit_json(nccl->fit, nccl->samples, nccl->version, nccl->logs) : nlohmann::ordered_json()}};
    write_file_atomically(o.report, report.dump(2) + "\n");
  }
}

}  // namespace
}  // namespace shardsim::validate

int main(int argc, char** argv) {
  CLI::App app{"Fit the simulator's per-step latency and per-link bandwidth to shardsim-run bench --json measurements, "
               "the GPU's compute efficiency to shardsim-run gemm --json measurements, and NCCL's plugin latency and inter-node "
               "bandwidth efficiency to nccl-tests logs"};
  shardsim::prepare_process_io();
  shardsim::validate::CalibrateOptions o;
  app.add_option("--topology", o.topology, "Topology the measurements were taken on (name or JSON path)")->required();
  // Output paths are checked while parsing (before any fit) and remembered, so an input that is
  // the same file (--out bench.json bench.json) is refused rather than overwritten.
  const auto output_check = CLI::Validator(
      [](std::string& path) {
        const std::string problem = shardsim::output_path_problem(path);
        return problem.empty() ? std::string() : fmt::format("{}: {}", path.empty() ? "''" : path, problem);
      },
      "", "output path");
  app.add_option("--out", o.out, "Where to write the calibrated topology JSON")->required()->check(output_check);
  app.add_option("--report", o.report, "Also write the fitted values and residuals as JSON here")->check(output_check);
  app.add_option("bench", o.bench_files, "shardsim-run bench --json and/or gemm --json files");
  app.add_option("--nccl-tests", o.nccl_tests_logs, "nccl-tests text logs (all_gather_perf, reduce_scatter_perf, all_reduce_perf)");
  app.add_option("--nccl", o.nccl_version, "NCCL version whose formula the logs are fitted to (2.8, 2.12, 2.18, 2.28) or a path")
      ->capture_default_str();
  app.add_option("--collective", o.collective, "Collective of logs that do not name their program (all_gather, ...)");
  app.add_option("--nodes", o.nodes, "Nodes of logs without '#  Rank N ... on HOST' lines");
  app.add_option("--ranks-per-node", o.ranks_per_node, "Ranks per node of logs without Rank lines");
  return shardsim::exit_status_of("shardsim-calibrate", [&] {
    try {
      app.parse(argc, argv);
    } catch (const CLI::Success& e) {
      return app.exit(e);
    } catch (const CLI::ParseError& e) {
      shardsim::print_error_line("shardsim-calibrate", "error", e.what());
      return 1;
    }
    if (o.bench_files.empty() && o.nccl_tests_logs.empty())
      throw shardsim::InputError("nothing to fit: give shardsim-run bench/gemm --json files and/or --nccl-tests LOG...");
    shardsim::validate::run(o);
    return 0;
  });
}
