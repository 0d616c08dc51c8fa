// apply_deepspeed_config (declared in scenario.hpp): a DeepSpeed config as Hugging Face users
// write it, read the way DeepSpeed reads it.
//   - "auto" is filled the way the Hugging Face Trainer fills it (transformers' HfTrainerDeepSpeedConfig):
//     train_micro_batch_size_per_gpu from the micro-batch, gradient_accumulation_steps from the
//     accumulation, train_batch_size = world x both, fp16/bf16.enabled from the precision,
//     reduce_bucket_size = h^2, stage3_prefetch_bucket_size = 0.9 h^2, stage3_param_persistence_threshold = 10 h;
//     each fill is reported as a note.
//   - The batch sizes follow DeepSpeed's _set_batch_related_parameters (any two give the third)
//     and its identity check, with its wording.
//   - bf16 is also read under its older name "bfloat16"; neither bf16 nor fp16 enabled is fp32.
//   - reduce_bucket_size 0 (a reduce per gradient) and stage3_prefetch_bucket_size 0 (no prefetch)
//     are accepted.
//   - offload_optimizer / offload_param to cpu or nvme are refused in one line: the simulator has
//     no host-memory, PCIe or CPU-optimizer model. Every other key that changes time or memory and
//     is not modelled is named in one note; keys that change neither (optimizer, scheduler,
//     logging) pass silently.
#include "sim/input/input_error.hpp"
#include "sim/input/json_reader.hpp"
#include "sim/input/limits.hpp"
#include "sim/scenario/scenario.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <set>

namespace shardsim {
namespace {

constexpr long long kMaxConfigCount = 1 << 20;
constexpr long long kMaxGlobalBatch = 1LL << 40;
constexpr long long kMaxBucketElements = 1LL << 50;

// Top-level and zero_optimization keys that are read here, or that change neither step time nor
// memory in the simulator's terms (numerics, logging, checkpoint format); any other key is named
// in the "not modelled" note.
const std::set<std::string> kReadOrNoEffectKeys{
    "gradient_clipping", "steps_per_print", "wall_clock_breakdown", "optimizer", "scheduler", "zero_allow_untested_optimizer",
    "zero_force_ds_cpu_optimizer", "memory_breakdown", "flops_profiler", "tensorboard", "wandb", "csv_monitor", "comet", "comms_logger",
    "checkpoint", "dump_state", "prescale_gradients", "gradient_predivide_factor", "seed", "monitor_config", "train_batch_size",
    "train_micro_batch_size_per_gpu", "gradient_accumulation_steps", "fp16", "bf16", "bfloat16", "zero_optimization",
    // zero_optimization
    "stage", "mics_shard_size", "mics_hierarchical_params_gather", "zero_hpz_partition_size", "reduce_bucket_size",
    "stage3_prefetch_bucket_size", "stage3_param_persistence_threshold", "stage3_max_live_parameters", "stage3_max_reuse_distance", "offload_optimizer", "offload_param", "contiguous_gradients", "overlap_comm",
    "stage3_gather_16bit_weights_on_model_save", "stage3_gather_fp16_weights_on_model_save", "gather_16bit_weights_on_model_save",
    "load_from_fp32_weights", "elastic_checkpoint", "ignore_unused_parameters", "round_robin_gradients", "cpu_offload", "cpu_offload_params",
    "cpu_offload_use_pin_memory", "memory_efficient_linear", "use_multi_rank_bucket_allreduce", "log_trace_cache_warnings"};

class DeepSpeedReader {
 public:
  DeepSpeedReader(const nlohmann::json& doc, const std::string& path, int world, StepConfig& step)
      : doc_(doc), path_(path), world_(world), step_(step) {}

  std::vector<std::string> apply() {
    read_precision();
    if (doc_.contains("zero_optimization")) read_zero(doc_.at("zero_optimization"));
    read_batch();
    note_unmodelled();
    return notes_;
  }

 private:
  struct Number {
    bool present = false;
    bool is_auto = false;
    long long value = 0;
  };

  [[noreturn]] void fail(const std::string& field, const std::string& message) const {
    throw InputError(fmt::format("{}: {}: {}", path_, field, message));
  }

  // A whole number in [min, max], "auto", or absent. DeepSpeed configs write 2.0 or 2e8 for whole
  // numbers; anything outside the range is refused before it is converted, so nothing wraps.
  Number number(const nlohmann::json& j, const std::string& prefix, const char* key, long long max = kMaxConfigCount, long long min = 0) const {
    const std::string field = prefix + "/" + key;
    Number n;
    if (!j.contains(key) || j.at(key).is_null()) return n;
    n.present = true;
    const auto& v = j.at(key);
    if (v.is_string() && v.get<std::string>() == "auto") {
      n.is_auto = true;
      return n;
    }
    if (!v.is_number()) fail(field, fmt::format("expected a number or \"auto\", found {}", v.type_name()));
    const double d = v.get<double>();
    if (!(d >= static_cast<double>(min) && d <= static_cast<double>(max)))
      fail(field, fmt::format("expected a whole number in [{}, {}], found {}", min, max, v.dump()));
    if (d != std::floor(d)) fail(field, fmt::format("expected a whole number, found {}", v.dump()));
    n.value = static_cast<long long>(d);
    return n;
  }

  // A block's "enabled": true, false, "auto" (filled from the scenario's precision) or absent.
  std::optional<bool> enabled(const char* block, const std::string& precision) {
    if (!doc_.contains(block)) return std::nullopt;
    const auto& b = doc_.at(block);
    if (!b.is_object()) fail(fmt::format("/{}", block), fmt::format("expected an object, found {}", b.type_name()));
    if (!b.contains("enabled")) return std::nullopt;  // DeepSpeed's default: disabled
    const auto& e = b.at("enabled");
    if (e.is_string() && e.get<std::string>() == "auto") {
      const bool on = step_.model.precision == precision;
      notes_.push_back(fmt::format("DeepSpeed {}.enabled \"auto\" -> {} (the scenario's precision is {}, as the HF Trainer's --{})", block,
                                   on, step_.model.precision, precision));
      return on;
    }
    if (!e.is_boolean()) fail(fmt::format("/{}/enabled", block), fmt::format("expected true, false or \"auto\", found {}", e.type_name()));
    return e.get<bool>();
  }

  void read_precision() {
    if (doc_.contains("bf16") && doc_.contains("bfloat16")) fail("/bfloat16", "give bf16 or its older name bfloat16, not both");
    const auto bf16 = enabled(doc_.contains("bfloat16") ? "bfloat16" : "bf16", "bf16");
    const auto fp16 = enabled("fp16", "fp16");
    if (bf16.value_or(false) && fp16.value_or(false)) fail("/fp16/enabled", "bfloat16 and fp16 modes cannot be simultaneously enabled (DeepSpeed's check)");
    if (bf16.value_or(false)) step_.model.precision = "bf16";
    else if (fp16.value_or(false)) step_.model.precision = "fp16";
    else if (bf16 || fp16) {
      step_.model.precision = "fp32";
      notes_.push_back("DeepSpeed config enables neither fp16 nor bf16: DeepSpeed trains in fp32 (4-byte parameters and gradients)");
    }
  }

  void refuse_offload(const nlohmann::json& z, const char* key) const {
    if (!z.contains(key) || z.at(key).is_null()) return;
    const auto& o = z.at(key);
    if (!o.is_object()) fail(fmt::format("/zero_optimization/{}", key), fmt::format("expected an object, found {}", o.type_name()));
    const std::string device = o.contains("device") && o.at("device").is_string() ? o.at("device").get<std::string>() : "cpu";
    if (device == "none") return;
    fail(fmt::format("/zero_optimization/{}/device", key),
         fmt::format("offload to '{}' is not modelled (shardsim has no host-memory, PCIe or CPU-optimizer model and would predict a "
                     "GPU-resident run); remove the block or set \"device\": \"none\"",
                     device));
  }

  void read_zero(const nlohmann::json& z) {
    if (!z.is_object()) fail("/zero_optimization", "expected an object");
    const std::string p = "/zero_optimization";
    refuse_offload(z, "offload_optimizer");
    refuse_offload(z, "offload_param");
    for (const char* legacy : {"cpu_offload", "cpu_offload_params"})
      if (z.contains(legacy) && z.at(legacy).is_boolean() && z.at(legacy).get<bool>())
        fail(p + "/" + legacy, "CPU offload is not modelled (shardsim has no host-memory, PCIe or CPU-optimizer model); remove it");

    const Number stage = number(z, p, "stage");
    if (stage.is_auto) fail(p + "/stage", "\"auto\" is not a stage the HF Trainer fills; give 0-3");
    const auto mics_n = number(z, p, "mics_shard_size", limits::kMaxClusterGpus, -1);  // DeepSpeed: -1 = off
    const auto hpz_n = number(z, p, "zero_hpz_partition_size", limits::kMaxClusterGpus);
    const long long mics = mics_n.present && !mics_n.is_auto ? mics_n.value : -1;
    const long long hpz = hpz_n.present && !hpz_n.is_auto ? hpz_n.value : 1;
    switch (stage.present ? stage.value : 0) {
      case 0: step_.strategy.strategy = Strategy::ddp; break;
      case 1: step_.strategy.strategy = Strategy::zero1; break;
      case 2: step_.strategy.strategy = Strategy::zero2; break;
      case 3: step_.strategy.strategy = mics > 0 ? Strategy::mics : hpz > 1 ? Strategy::zeropp_hpz : Strategy::zero3; break;
      default: fail(p + "/stage", fmt::format("expected 0-3, found {}", stage.value));
    }
    if (mics > 0) step_.strategy.partition_size = static_cast<int>(mics);
    if (hpz > 1) step_.strategy.hpz_partition_size = static_cast<int>(hpz);
    // DeepSpeed's default for the hierarchical gather is off.
    if (step_.strategy.strategy == Strategy::mics) step_.strategy.hierarchical_gather = false;
    if (z.contains("mics_hierarchical_params_gather")) {
      if (!z.at("mics_hierarchical_params_gather").is_boolean()) fail(p + "/mics_hierarchical_params_gather", "expected true or false");
      step_.strategy.hierarchical_gather = z.at("mics_hierarchical_params_gather").get<bool>();
    }
    const std::int64_t h = step_.model.hidden;
    Number bucket = number(z, p, "reduce_bucket_size", kMaxBucketElements);
    if (bucket.is_auto) {
      bucket.value = h * h;
      notes_.push_back(fmt::format("DeepSpeed reduce_bucket_size \"auto\" -> {} elements (hidden^2, as the HF Trainer fills it)", bucket.value));
    }
    if (bucket.present) step_.strategy.reduce_bucket_elements = static_cast<double>(bucket.value);
    if (bucket.present && bucket.value == 0) {
      step_.strategy.reduce_bucket_bytes = 0;
      notes_.push_back("DeepSpeed reduce_bucket_size 0: a reduce per gradient as it is produced; simulated as one reduce per module's "
                       "gradients (per layer under the ideal framework profile)");
    } else if (bucket.present) {
      step_.strategy.reduce_bucket_bytes = static_cast<std::uint64_t>(bucket.value) * static_cast<std::uint64_t>(element_bytes(step_.model));
    }
    Number prefetch = number(z, p, "stage3_prefetch_bucket_size", kMaxBucketElements);
    if (prefetch.is_auto) {
      prefetch.value = static_cast<long long>(0.9 * static_cast<double>(h) * static_cast<double>(h));
      notes_.push_back(fmt::format("DeepSpeed stage3_prefetch_bucket_size \"auto\" -> {} parameters (0.9 x hidden^2, as the HF Trainer fills it)",
                                   prefetch.value));
    }
    if (prefetch.present) step_.strategy.prefetch_bucket_elements = static_cast<double>(prefetch.value);
    if (prefetch.present && prefetch.value == 0) {
      step_.strategy.prefetch_layers = 0;
    } else if (prefetch.present) {
      // Prefetch is counted in parameters: how many whole layers fit in the bucket (at least one, at
      // most every layer, so the count always fits in an int).
      const double per_layer = static_cast<double>(parameters_per_layer(step_.model));
      step_.strategy.prefetch_layers =
          static_cast<int>(std::clamp(static_cast<double>(prefetch.value) / per_layer, 1.0, static_cast<double>(step_.model.layers)));
    }
    if (const Number t = number(z, p, "stage3_param_persistence_threshold", kMaxBucketElements); t.is_auto) {
      notes_.push_back(fmt::format("DeepSpeed stage3_param_persistence_threshold \"auto\" -> {} (10 x hidden, as the HF Trainer fills it)", 10 * h));
      step_.strategy.persistence_threshold_elements = 10.0 * static_cast<double>(h);
    } else if (t.present) {
      step_.strategy.persistence_threshold_elements = static_cast<double>(t.value);
    }
    if (const Number l = number(z, p, "stage3_max_live_parameters", kMaxBucketElements); l.present && !l.is_auto)
      step_.strategy.max_live_elements = static_cast<double>(l.value);
    if (const Number d = number(z, p, "stage3_max_reuse_distance", kMaxBucketElements); d.present && !d.is_auto)
      step_.strategy.max_reuse_distance_elements = static_cast<double>(d.value);
    if (z.contains("overlap_comm") && z.at("overlap_comm").is_boolean() && !z.at("overlap_comm").get<bool>())
      unmodelled_.push_back("zero_optimization.overlap_comm false (the simulator always overlaps)");
    for (const auto& [key, value] : z.items())
      if (!kReadOrNoEffectKeys.contains(key)) unmodelled_.push_back("zero_optimization." + key);
  }

  // DeepSpeed's _set_batch_related_parameters, with "auto" first filled from the scenario.
  void read_batch() {
    Number train = number(doc_, "", "train_batch_size", kMaxGlobalBatch);
    Number micro = number(doc_, "", "train_micro_batch_size_per_gpu");
    Number acc = number(doc_, "", "gradient_accumulation_steps");
    auto fill = [&](Number& n, long long value, const char* key, const char* from) {
      if (!n.is_auto) return;
      n.value = value;
      notes_.push_back(fmt::format("DeepSpeed {} \"auto\" -> {} ({}, as the HF Trainer fills it)", key, value, from));
    };
    fill(micro, step_.micro_batch, "train_micro_batch_size_per_gpu", "the scenario's micro-batch");
    fill(acc, step_.accumulation_steps, "gradient_accumulation_steps", "the scenario's accumulation steps");
    fill(train, static_cast<long long>(world_) * (micro.present ? micro.value : step_.micro_batch) * (acc.present ? acc.value : step_.accumulation_steps),
         "train_batch_size", "world x micro-batch x accumulation");
    for (const auto& [n, key] : {std::pair{&train, "train_batch_size"}, {&micro, "train_micro_batch_size_per_gpu"}, {&acc, "gradient_accumulation_steps"}})
      if (n->present && n->value < 1) fail(fmt::format("/{}", key), fmt::format("must be at least 1, found {}", n->value));
    if (!train.present && !micro.present) {
      if (acc.present) step_.accumulation_steps = static_cast<int>(acc.value);
      return;  // the scenario's batch stands (DeepSpeed itself would need one of the two)
    }
    const long long w = world_;
    long long t = train.value, m = micro.value, g = acc.value;
    if (train.present && micro.present && acc.present) {
    } else if (train.present && micro.present) {
      g = t / m / w;
    } else if (train.present && acc.present) {
      m = t / w / g;
    } else if (micro.present && acc.present) {
      t = m * g * w;
    } else if (train.present) {
      g = 1;
      m = t / w;
    } else {
      g = 1;
      t = m * w;
    }
    if (m < 1 || g < 1 || t != m * g * w)
      fail("/train_batch_size", fmt::format("Check batch related parameters. train_batch_size is not equal to micro_batch_per_gpu * "
                                            "gradient_acc_step * world_size {} != {} * {} * {}",
                                            t, m, g, w));
    if (g > kMaxConfigCount) fail("/train_batch_size", fmt::format("{} gives {} accumulation steps, more than {}", t, g, kMaxConfigCount));
    if (m > kMaxConfigCount) fail("/train_batch_size", fmt::format("{} gives a micro-batch of {} sequences, more than {}", t, m, kMaxConfigCount));
    step_.micro_batch = static_cast<int>(m);
    step_.accumulation_steps = static_cast<int>(g);
  }

  void note_unmodelled() {
    for (const auto& [key, value] : doc_.items())
      if (!kReadOrNoEffectKeys.contains(key)) unmodelled_.push_back(key);
    for (const char* block : {"fp16", "bf16", "bfloat16"})
      if (doc_.contains(block) && doc_.at(block).is_object())
        for (const auto& [key, value] : doc_.at(block).items())
          if (key == "immediate_grad_update" || key == "accumulate_grads_via_hooks") unmodelled_.push_back(std::string(block) + "." + key);
    if (!unmodelled_.empty())
      notes_.push_back(fmt::format("DeepSpeed keys read but not modelled (their effect on time and memory is not simulated): {}",
                                   fmt::join(unmodelled_, ", ")));
  }

  const nlohmann::json& doc_;
  const std::string& path_;
  int world_;
  StepConfig& step_;
  std::vector<std::string> notes_;
  std::vector<std::string> unmodelled_;
};

}  // namespace

std::vector<std::string> apply_deepspeed_config(const std::string& path, int world, StepConfig& step) {
  const nlohmann::json doc = load_json_file(path);
  if (!doc.is_object()) throw InputError(fmt::format("{}: expected a JSON object", path));
  return DeepSpeedReader(doc, path, world, step).apply();
}

}  // namespace shardsim
