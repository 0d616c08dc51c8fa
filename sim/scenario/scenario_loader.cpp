#include "sim/input/input_error.hpp"
#include "sim/input/json_reader.hpp"
#include "sim/input/limits.hpp"
#include "sim/model/model_loader.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/scenario/simulation_size.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

namespace shardsim {
namespace {

// Batch sizes and accumulation steps: the scenario format's bounds, shared with DeepSpeed configs.
constexpr long long kMaxConfigCount = 1 << 20;
constexpr long long kMaxGlobalBatch = 1LL << 40;
// Bucket sizes in elements: 2^50 elements of 8 bytes still fit a 64-bit byte count.
constexpr long long kMaxBucketElements = 1LL << 50;

void read_strategy(JsonObject s, StrategyConfig& out) {
  out.strategy = parse_strategy(s.string("name"));
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
  JsonObject root(doc, path);
  Scenario sc;
  sc.file = path;
  sc.name = root.optional_string("name").value_or(path);
  sc.description = root.optional_string("description").value_or("");
  root.ignore("source");
  root.ignore("comment");

  // The model: a preset or file name, or an inline object.
  if (root.has("model") && doc.at("model").is_object()) {
    root.ignore("model");
    sc.step.model = model_from_json(doc.at("model"), path + ": /model", sc.name);
  } else {
    try {
      sc.step.model = load_model(root.string("model"));
    } catch (const InputError& e) {
      throw InputError(fmt::format("{}: /model: {}", path, e.what()));
    }
  }

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
    if (*attention == "fused") sc.step.attention = AttentionKernel::fused;
    else if (*attention != "unfused") root.fail("attention", fmt::format("expected \"fused\" or \"unfused\", found \"{}\"", *attention));
  }
  sc.collective_library = root.optional_string("nccl").value_or("");
  root.finish();

  if (o.deepspeed_config) apply_deepspeed_config(*o.deepspeed_config, sc.cluster.gpus(), sc.step);
  if (o.strategy) sc.step.strategy.strategy = parse_strategy(*o.strategy);
  if (o.partition_size) sc.step.strategy.partition_size = *o.partition_size;
  if (o.hierarchical_gather) sc.step.strategy.hierarchical_gather = *o.hierarchical_gather;
  if (o.micro_batch) sc.step.micro_batch = *o.micro_batch;
  if (o.accumulation_steps) sc.step.accumulation_steps = *o.accumulation_steps;
  if (o.collective_library) sc.collective_library = *o.collective_library;
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

void apply_deepspeed_config(const std::string& path, int world, StepConfig& step) {
  const nlohmann::json doc = load_json_file(path);
  if (!doc.is_object()) throw InputError(fmt::format("{}: expected a JSON object", path));
  // DeepSpeed configs carry many keys the simulator has no use for; read the ones that matter.
  // Whole numbers may be written as 2.0 or 2e8 in DeepSpeed configs; anything outside [min, max] is
  // refused before it is converted, so no value wraps or truncates on the way to an int.
  auto number = [&](const nlohmann::json& j, const char* key, long long max = kMaxConfigCount, long long min = 0) -> std::optional<long long> {
    // The JSON path of the field, for messages: top-level keys, or keys inside zero_optimization.
    const std::string field = (&j == &doc ? "/" : "/zero_optimization/") + std::string(key);
    if (!j.contains(key) || j.at(key).is_null()) return std::nullopt;
    if (j.at(key).is_string() && j.at(key).get<std::string>() == "auto") return std::nullopt;
    if (!j.at(key).is_number()) throw InputError(fmt::format("{}: {}: expected a number, found {}", path, field, j.at(key).type_name()));
    const double v = j.at(key).get<double>();
    if (!(v >= static_cast<double>(min) && v <= static_cast<double>(max)))
      throw InputError(fmt::format("{}: {}: expected a whole number in [{}, {}], found {}", path, field, min, max, j.at(key).dump()));
    if (v != std::floor(v)) throw InputError(fmt::format("{}: {}: expected a whole number, found {}", path, field, j.at(key).dump()));
    return static_cast<long long>(v);
  };
  // Precision first: bucket sizes are given in elements and converted with its element size.
  // nlohmann's value() throws type_error (an internal error) on {"enabled": "yes"}: check the type.
  auto enabled = [&](const char* block) {
    if (!doc.contains(block) || !doc.at(block).is_object() || !doc.at(block).contains("enabled")) return false;
    const auto& e = doc.at(block).at("enabled");
    if (!e.is_boolean()) throw InputError(fmt::format("{}: /{}/enabled: expected true or false, found {}", path, block, e.type_name()));
    return e.get<bool>();
  };
  if (enabled("bf16")) step.model.precision = "bf16";
  if (enabled("fp16")) step.model.precision = "fp16";
  if (doc.contains("zero_optimization")) {
    const auto& z = doc.at("zero_optimization");
    if (!z.is_object()) throw InputError(fmt::format("{}: /zero_optimization: expected an object", path));
    const auto stage = number(z, "stage").value_or(0);
    const auto mics = number(z, "mics_shard_size", limits::kMaxClusterGpus, -1)  /* DeepSpeed: -1 = off */.value_or(-1);
    const auto hpz = number(z, "zero_hpz_partition_size", limits::kMaxClusterGpus).value_or(1);
    switch (stage) {
      case 0: step.strategy.strategy = Strategy::ddp; break;
      case 1: step.strategy.strategy = Strategy::zero1; break;
      case 2: step.strategy.strategy = Strategy::zero2; break;
      case 3:
        step.strategy.strategy = mics > 0 ? Strategy::mics : hpz > 1 ? Strategy::zeropp_hpz : Strategy::zero3;
        break;
      default: throw InputError(fmt::format("{}: /zero_optimization/stage: expected 0-3, found {}", path, stage));
    }
    if (mics > 0) step.strategy.partition_size = static_cast<int>(mics);
    if (hpz > 1) step.strategy.hpz_partition_size = static_cast<int>(hpz);
    // DeepSpeed's default for the hierarchical gather is off.
    if (step.strategy.strategy == Strategy::mics) step.strategy.hierarchical_gather = false;
    if (z.contains("mics_hierarchical_params_gather")) {
      if (!z.at("mics_hierarchical_params_gather").is_boolean())
        throw InputError(fmt::format("{}: /zero_optimization/mics_hierarchical_params_gather: expected true or false", path));
      step.strategy.hierarchical_gather = z.at("mics_hierarchical_params_gather").get<bool>();
    }
    if (auto b = number(z, "reduce_bucket_size", kMaxBucketElements)) {
      if (*b <= 0) throw InputError(fmt::format("{}: /zero_optimization/reduce_bucket_size: must be positive", path));
      step.strategy.reduce_bucket_bytes = static_cast<std::uint64_t>(*b) * static_cast<std::uint64_t>(element_bytes(step.model));
    }
    if (auto pf = number(z, "stage3_prefetch_bucket_size", kMaxBucketElements)) {
      // Prefetch is counted in parameters: how many whole layers fit in the bucket (at least one, at
      // most every layer, so the count always fits in an int).
      const double per_layer = static_cast<double>(parameters_per_layer(step.model));
      const double layers = std::clamp(static_cast<double>(*pf) / per_layer, 1.0, static_cast<double>(step.model.layers));
      step.strategy.prefetch_layers = static_cast<int>(layers);
    }
  }
  const auto micro = number(doc, "train_micro_batch_size_per_gpu");
  const auto accumulation = number(doc, "gradient_accumulation_steps");
  const auto global = number(doc, "train_batch_size", kMaxGlobalBatch);
  if (micro) {
    if (*micro < 1) throw InputError(fmt::format("{}: /train_micro_batch_size_per_gpu: must be at least 1", path));
    step.micro_batch = static_cast<int>(*micro);
  }
  if (accumulation) {
    if (*accumulation < 1) throw InputError(fmt::format("{}: /gradient_accumulation_steps: must be at least 1", path));
    step.accumulation_steps = static_cast<int>(*accumulation);
  } else if (global) {
    const long long per_step = static_cast<long long>(world) * step.micro_batch;
    if (*global % per_step != 0)
      throw InputError(fmt::format("{}: /train_batch_size: {} is not a multiple of world x micro batch = {}", path, *global, per_step));
    if (*global / per_step > kMaxConfigCount)
      throw InputError(fmt::format("{}: /train_batch_size: {} gives {} accumulation steps, more than {}", path, *global,
                                   *global / per_step, kMaxConfigCount));
    step.accumulation_steps = static_cast<int>(*global / per_step);
  }
  if (global && micro && accumulation && *global != static_cast<long long>(world) * *micro * *accumulation)
    throw InputError(fmt::format("{}: /train_batch_size: {} != world {} x micro batch {} x accumulation {}", path, *global, world, *micro, *accumulation));
}

}  // namespace shardsim
