// `shardsim env [--json]`: what this installation is, for bug reports (like DeepSpeed's ds_report):
// the version, the build options (type, compiler, sanitizers, whether shardsim-run's NCCL backend
// was built and with which CUDA/NCCL/cuBLAS, or what was missing), the data directory and what it
// ships: instances, model presets and Hugging Face configs, NCCL versions and framework profiles.
#include "sim/about/build_info.hpp"
#include "sim/cli/commands.hpp"
#include "sim/framework/framework_profile.hpp"
#include "sim/model/model_loader.hpp"
#include "sim/nccl/nccl_version.hpp"
#include "sim/topology/topology.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

namespace shardsim::cli {
namespace {

// The Hugging Face configs shipped under scenarios/models/hf, as `--model` names them ("hf/NAME").
std::vector<std::string> shipped_hf_models() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(data_directory() + "/scenarios/models/hf", ec))
    if (entry.path().extension() == ".json") names.push_back("hf/" + entry.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string or_none(const std::vector<std::string>& names) { return names.empty() ? "(none found)" : fmt::format("{}", fmt::join(names, ", ")); }

void run_env(bool json) {
  const BuildInfo& b = build_info();
  const std::string data = data_directory();
  const bool data_exists = std::filesystem::is_directory(data);
  const auto instances = shipped_instance_names();
  const auto presets = shipped_model_names();
  const auto hf = shipped_hf_models();
  const auto nccl = shipped_nccl_versions();
  const auto frameworks = shipped_frameworks();
  if (json) {
    nlohmann::ordered_json j;
    j["version"] = b.version;
    j["git_commit"] = b.git_commit;
    j["build"] = {{"type", b.build_type}, {"compiler", b.compiler}, {"sanitizers", b.sanitizers}};
    j["runtime_nccl_backend"] = {{"built", b.nccl_backend}, {"missing", b.nccl_missing}, {"cuda_version", b.cuda_version},
                                 {"nccl_version_code", b.nccl_version_code}, {"cublas", b.cublas}};
    j["data_directory"] = data;
    j["data_directory_exists"] = data_exists;
    j["instances"] = instances;
    j["models"] = {{"presets", presets}, {"hf", hf}};
    j["nccl_versions"] = nccl;
    j["frameworks"] = frameworks;
    fmt::print("{}\n", j.dump(2));
    return;
  }
  auto row = [](const std::string& key, const std::string& value) { fmt::print("{:<22} {}\n", key, value); };
  row("shardsim", version_string("shardsim").substr(9));
  row("build type", b.build_type);
  row("compiler", b.compiler);
  row("sanitizers", b.sanitizers ? "ASan + UBSan (SHARDSIM_SANITIZE=ON)" : "off");
  row("NCCL backend", b.nccl_backend ? "built (shardsim-run --backend nccl)" : "not built: missing " + b.nccl_missing);
  row("CUDA Toolkit", b.cuda_version.empty() ? "not found" : b.cuda_version);
  row("NCCL (nccl.h)", b.nccl_version_code.empty() ? "not found" : "version code " + b.nccl_version_code);
  row("cuBLAS", b.cublas.empty() ? "not found" : b.cublas);
  const bool from_env = std::getenv("SHARDSIM_DATA_DIR") && *std::getenv("SHARDSIM_DATA_DIR");
  row("data directory", data + (from_env ? "  (from SHARDSIM_DATA_DIR" : "  (configured at build time") +
                            (data_exists ? ")" : from_env ? "; does not exist)" : "; does not exist: set SHARDSIM_DATA_DIR)"));
  row("instances", or_none(instances));
  row("model presets", or_none(presets));
  row("Hugging Face models", or_none(hf));
  row("NCCL versions", or_none(nccl) + (nccl.empty() ? "" : " (topologies/nccl; default " + std::string(kDefaultNcclVersion) + ")"));
  row("framework profiles", or_none(frameworks) + " (topologies/frameworks)");
}

}  // namespace

void register_env(CLI::App& app) {
  auto json = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand("env", "Report the version, build options, data directory and shipped instances, models, NCCL versions and frameworks");
  cmd->add_flag("--json", *json, "Print one JSON document");
  cmd->callback([json] { run_env(*json); });
}

}  // namespace shardsim::cli
