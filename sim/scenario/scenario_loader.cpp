#include "sim/input/input_error.hpp"
#include "sim/input/json_reader.hpp"
#include "sim/input/json_schema.hpp"
#include "sim/input/limits.hpp"
#include "sim/model/model_loader.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/scenario/simulation_size.hpp"
#include "sim/scenario/strategy_name.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <climits>
#include <cmath>

namespace shardsim {
namespace {

// Batch sizes and accumulation steps: the scenario format's bounds, shared with DeepSpeed configs.
constexpr long long kMaxConfigCount = 1 << 20;
constexpr long long kMaxGlobalBatch = 1LL << 40;

void read_strategy(JsonObject s, StrategyConfig& out) {
  out.strategy = parse_strategy_name(s.string("name"), "the scenario's \"framework\" key");
  if (auto p = s.optional_integer("partition_size", 1, limits::kMaxClusterGpus)) out.partition_size = static_cast<int>(*p);
  if (auto h = s.optional_boolean("hierarchical_gather")) out.hierarchical_gather = *h;
  if (auto f = s.optional_integer("prefetch_layers", 0, 1 << 16)) out.prefetch_layers = static_cast<int>(*f);
  if (s.has("reduce_bucket_size")) out.reduce_bucket_bytes = s.size_bytes("reduce_bucket_size"); else s.ignore("reduce_bucket_size");
  if (auto h = s.optional_integer("hpz_partition_size", 1, 1024)) out.hpz_partition_size = static_cast<int>(*h);
  s.finish();
}

}  // namespace

Scenario load_scenario(const std::string& path, const ScenarioOverrides& o) {
  check_overrides(o);
  const nlohmann::json doc = load_json_file(path);
  // The shipped JSON Schema is the format's one definition: structure, types, ranges and unknown
  // keys are checked against it first; the reads below check what a schema cannot (units, sums).
  validate_json_schema(doc, load_json_schema(data_directory() + "/schemas/scenario.schema.json"), path);
  JsonObject root(doc, path);
  Scenario sc;
  sc.file = path;
  sc.name = root.optional_string("name").value_or(path);
  sc.description = root.optional_string("description").value_or("");
  root.ignore("source");
  root.ignore("comment");

  // The model: a preset or file name, or an inline object (--model replaces it).
  if (o.model) {
    root.ignore("model");
    sc.step.model = load_model(*o.model);
  } else if (root.has("model") && doc.at("model").is_object()) {
    root.ignore("model");
    sc.step.model = model_from_json(doc.at("model"), path + ": /model", sc.name);
  } else {
    try {
      sc.step.model = load_model(root.string("model"));
    } catch (const InputError& e) {
      throw InputError(fmt::format("{}: /model: {}", path, e.what()));
    }
  }

  // The training sequence length: a training choice, so the scenario's (or --seq-len) wins over
  // the model file's default.
  if (auto s = root.optional_integer("seq_len", 1, INT_MAX)) set_seq_len(sc.step.model, static_cast<int>(*s), path + ": /seq_len");
  if (o.seq_len) set_seq_len(sc.step.model, *o.seq_len, "--seq-len");

  JsonObject cluster = root.object("cluster");
  std::string instance = cluster.string("instance");
  int nodes = static_cast<int>(cluster.integer("nodes", 1, limits::kMaxClusterGpus));
  cluster.finish();
  if (o.instance) instance = *o.instance;
  if (o.nodes) nodes = *o.nodes;
  sc.cluster = make_cluster(load_instance_by_name(instance), nodes);

  if (root.has("strategy")) read_strategy(root.object("strategy"), sc.step.strategy);
  else root.ignore("strategy");

  JsonObject batch = root.object("batch");
  sc.step.micro_batch = static_cast<int>(batch.integer("micro_batch", 1, kMaxConfigCount));
  const auto accumulation = batch.optional_integer("accumulation_steps", 1, kMaxConfigCount);
  const auto global = batch.optional_integer("global_batch", 1, kMaxGlobalBatch);
  batch.finish();
  if (accumulation && global) batch.fail("global_batch", "give accumulation_steps or global_batch, not both");
  sc.step.accumulation_steps = accumulation ? static_cast<int>(*accumulation) : 1;
  if (auto ac = root.optional_boolean("activation_checkpointing")) sc.step.activation_checkpointing = *ac;
  if (auto attention = root.optional_string("attention")) {
    const auto kernel = attention_kernel_named(*attention);
    if (!kernel) root.fail("attention", fmt::format("expected \"fused\" or \"unfused\", found \"{}\"", *attention));
    sc.step.kernels.attention = *kernel;
  }
  if (auto elementwise = root.optional_string("elementwise")) {
    const auto kernels = elementwise_kernels_named(*elementwise);
    if (!kernels) root.fail("elementwise", fmt::format("expected \"fused\" or \"unfused\", found \"{}\"", *elementwise));
    sc.step.kernels.elementwise = *kernels;
  }
  sc.collective_library = root.optional_string("nccl").value_or("");
  sc.framework = root.optional_string("framework").value_or("");
  root.finish();

  apply_overrides(o, sc, path + ": /framework");
  if (global && !o.accumulation_steps) {
    const long long per_step = static_cast<long long>(sc.cluster.gpus()) * sc.step.micro_batch;
    if (*global % per_step != 0)
      throw InputError(fmt::format("{}: /batch/global_batch: {} is not a multiple of GPUs x micro_batch = {}", path, *global, per_step));
    if (*global / per_step > kMaxConfigCount)
      throw InputError(fmt::format("{}: /batch/global_batch: {} gives {} accumulation steps, more than {}", path, *global,
                                   *global / per_step, kMaxConfigCount));
    sc.step.accumulation_steps = static_cast<int>(*global / per_step);
  }
  validate_step_config(sc.cluster, sc.step);
  check_schedule_size(sc.step);
  return sc;
}

}  // namespace shardsim
