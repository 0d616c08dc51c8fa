#include "sim/strategies/compile_framework.hpp"

#include "sim/compute/block_kernels.hpp"
#include "sim/model/flops.hpp"
#include "sim/model/weights.hpp"
#include "sim/strategies/schedule_builder.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <stdexcept>

namespace shardsim {
namespace {

// A leaf module: what one DeepSpeed hook fetches and one compute launch runs.
struct Module {
  std::string name;                    // "L3.attention.qkv"
  std::vector<WeightTensor> tensors;   // owned: gathered here and their gradients reduced here
  std::vector<WeightTensor> borrowed;  // tied weights used here, owned (and reduced) elsewhere
  double forward_flops = 0, backward_flops = 0, recompute_flops = 0;
  // Its own kernels of its block's (compute/block_kernels.hpp), where every kernel of the block
  // maps to one module; else empty and the module runs its FLOP share of the block's kernels.
  PassKernels kernels{};
  bool has_tensors() const { return !tensors.empty() || !borrowed.empty(); }
};

struct Block {
  std::string name;  // "embedding", "L3", "head"
  int layer = -1;
  bool recomputed = false;  // checkpointed: its forward runs again before its backward
  std::vector<Module> modules;
  // The block's kernels per pass (compute/block_kernels.hpp) and their FLOPs: each module's compute
  // op runs its FLOP share of them, so the modules' times add up to the block's exactly.
  PassKernels kernels;
  double forward_flops = 0, backward_flops = 0, recompute_flops = 0;
};

// The leaf module (name after the block prefix) a kernel of block_kernels.hpp belongs to, by the
// kernel's name: the layernorms to the norms, the QKV GEMM to the projection, the attention products
// and softmax to the attention core, the output GEMM and its residual to the output projection, the
// MLP GEMMs with their activation and residual to the MLP modules, the head's kernels to the head.
// "" for a kernel with no module here.
std::string module_of_kernel(const std::string& kernel) {
  const std::string stem = kernel.substr(0, kernel.find('.'));
  if (stem == "ln1") return "norm1";
  if (stem == "ln2") return "norm2";
  if (stem == "qkv") return "attention.qkv";
  if (stem == "q" || stem == "k" || stem == "v") return "attention." + stem;
  if (stem.starts_with("attn_") && stem != "attn_out") return "attention.core";
  if (stem == "attn_out" || stem == "residual1") return "attention.out";
  if (stem == "mlp_up" || stem == "mlp_act") return "mlp.up";
  if (stem == "mlp_gate") return "mlp.gate";
  if (stem == "mlp_down" || stem == "residual2") return "mlp.down";
  if (stem == "final_norm") return "final_norm";
  if (stem == "head" || stem == "loss" || stem == "embedding") return "head";
  return "";
}

// Gives each module of `block` its own kernels of each pass; leaves them all empty (the FLOP-share
// fallback) where a kernel maps to no module of the block or a module with FLOPs gets none (a
// layout the kernel model does not describe: experts, extra norms).
void assign_kernels(Block& block) {
  auto strip = [&](const std::string& name) {
    const std::string prefix = block.layer >= 0 && block.name != "head" ? block.name + "." : "";
    return name.substr(prefix.size());
  };
  std::map<std::string, Module*> by_name;
  for (Module& md : block.modules) by_name[strip(md.name)] = &md;
  auto distribute = [&](const std::vector<Kernel>& kernels, std::vector<Kernel> PassKernels::*pass) {
    for (const Kernel& k : kernels) {
      const auto it = by_name.find(module_of_kernel(k.name));
      if (it == by_name.end()) return false;
      (it->second->kernels.*pass).push_back(k);
    }
    return true;
  };
  const bool mapped = distribute(block.kernels.forward, &PassKernels::forward) &&
                      distribute(block.kernels.backward, &PassKernels::backward) &&
                      distribute(block.kernels.recompute, &PassKernels::recompute);
  bool complete = mapped;
  for (const Module& md : block.modules)
    complete = complete && (md.forward_flops <= 0 || !md.kernels.forward.empty());
  if (!complete)
    for (Module& md : block.modules) md.kernels = {};
}

// `share` of a pass's kernels: every kernel's count scaled, so time and FLOPs scale alike.
ComputeOp share_of(const std::vector<Kernel>& kernels, double share) {
  std::vector<Kernel> out = kernels;
  for (Kernel& k : out) k.count *= share;
  return compute_op_of(std::move(out));
}

std::string leaf_module(const std::string& tensor_name) { return tensor_name.substr(0, tensor_name.rfind('.')); }

// The model as the framework sees it: the embedding, the blocks and the head, each a list of leaf
// modules with their tensors, and the FLOPs of each pass split over the modules: 2 FLOPs per
// active weight element and token (a matmul, or the element-wise work flops.hpp counts for biases
// and norms; a routed expert's weights count for the share of tokens routed to it), the attention
// products in their own module, so the totals equal flops.hpp's.
std::vector<Block> framework_blocks(const StepConfig& c) {
  const TransformerModel& m = c.model;
  const double tokens = static_cast<double>(c.micro_batch) * m.seq_len;
  const LayerFlops layer = layer_flops(m, c.micro_batch, c.activation_checkpointing);
  const LayerFlops head = output_head_flops(m, c.micro_batch);
  const double attention_products = 2.0 * 2.0 * tokens * m.seq_len * static_cast<double>(m.heads) * head_dim(m);
  const double routed_share = m.experts > 0 ? static_cast<double>(m.experts_per_token) / m.experts : 1.0;
  const PassKernels block_passes = block_kernels(m, c.micro_batch, c.activation_checkpointing, c.kernels);
  std::vector<Block> blocks;
  blocks.push_back({"embedding", -1, false, {{"embedding", embedding_weights(m), {}, 0, 0, 0}}, {}});
  for (int l = 0; l < m.layers; ++l) {
    Block block{fmt::format("L{}", l), l, c.activation_checkpointing, {}, block_passes};
    for (const WeightTensor& w : block_weights(m, l)) {
      const std::string name = fmt::format("L{}.{}", l, leaf_module(w.name));
      if (block.modules.empty() || block.modules.back().name != name) {
        // The attention products (Q.K^T, scores.V) run between the projections and the output.
        if (leaf_module(w.name) == "attention.out")
          block.modules.push_back({fmt::format("L{}.attention.core", l), {}, {}, attention_products, 0, 0});
        block.modules.push_back({name, {}, {}, 0, 0, 0});
      }
      const double share = w.name.starts_with("mlp.experts.") ? routed_share : 1.0;
      block.modules.back().tensors.push_back(w);
      block.modules.back().forward_flops += 2.0 * static_cast<double>(w.elements) * share * tokens;
    }
    for (Module& md : block.modules) {
      md.backward_flops = md.forward_flops * layer.backward / layer.forward;
      md.recompute_flops = md.forward_flops * layer.recompute / layer.forward;
    }
    blocks.push_back(std::move(block));
  }
  Block out{"head", m.layers, false, {}, head_kernels(m, c.micro_batch)};
  Module norm{"final_norm", {}, {}, 0, 0, 0};
  Module projection{"head", {}, {}, head.forward, head.backward, 0};
  for (const WeightTensor& w : head_weights(m)) (w.module == "final_norm" ? norm : projection).tensors.push_back(w);
  if (m.tied_embeddings) projection.borrowed.push_back(embedding_weights(m).front());
  out.modules.push_back(std::move(norm));
  out.modules.push_back(std::move(projection));
  blocks.push_back(std::move(out));
  for (Block& b : blocks) {
    assign_kernels(b);
    for (const Module& md : b.modules) {
      b.forward_flops += md.forward_flops;
      b.backward_flops += md.backward_flops;
      b.recompute_flops += md.recompute_flops;
    }
  }
  return blocks;
}

enum class Pass { forward, recompute, backward };

// One module's compute in the micro-step, in execution order.
struct StepWork {
  int block = 0, module = 0;
  Pass pass = Pass::forward;
  int fetch = -1;     // the fetch this step's hook waits for (launching it if no prefetch did)
  int uses = -1;      // the fetch whose gathered parameters its compute reads
  bool hook = false;  // a framework hook runs before it
  int next_fetch = 0; // the first fetch of a later step: where a prefetch from here starts
};

struct Fetch {
  std::string label;
  std::vector<double> collective_elements;  // one all-gather each
  double elements = 0;
  bool backward = false;  // gathered for recompute/backward (the strategy's backward gather)
  bool launched = false, waited = false;
  std::vector<int> gathers;
  int consumer = -1;  // the last compute op reading it so far: its buffer is free after that
  int last_step = -1; // the trace step after which it is released
};

class FrameworkCompiler {
 public:
  FrameworkCompiler(const Cluster& cluster, const StepConfig& c, const ResolvedStrategy& resolved, int rank)
      : config_(c), profile_(effective_framework(c)), plan_(resolved.schedule), builder_(cluster, c, resolved, rank),
        blocks_(framework_blocks(c)), gathers_parameters_(resolved.schedule.forward_gather.has_value()) {
    for (const Block& b : blocks_)
      for (const Module& md : b.modules)
        for (const WeightTensor& w : md.tensors) psi_ += static_cast<double>(w.elements);
    optimizer_shard_fraction_ = 1.0 / resolved.memory.optimizer_states;
    // The bucket (effective_framework); a DeepSpeed config's reduce_bucket_size of 0 reduces each
    // module's gradients as they are produced; a profile's 0 means per block (FSDP).
    reduce_per_module_ = c.strategy.reduce_bucket_elements && *c.strategy.reduce_bucket_elements <= 0;
    reduce_bucket_elements_ = profile_.reduce_bucket_elements;
  }

  Schedule compile() {
    for (int m = 0; m < config_.accumulation_steps; ++m) {
      const bool boundary = m == config_.accumulation_steps - 1;
      micro_step(m, plan_.sync_every_micro_step || boundary);
      if (boundary) optimizer_step(m);
    }
    return builder_.take();
  }

 private:
  bool gatherable(const WeightTensor& w) const {
    return gathers_parameters_ && static_cast<double>(w.elements) > profile_.persistence_threshold_elements;
  }

  // A fetch of the gatherable tensors of `modules`, at the profile's granularity.
  int new_fetch(const std::vector<const Module*>& modules, bool backward, const std::string& label) {
    Fetch f;
    f.label = label;
    f.backward = backward;
    for (const Module* md : modules)
      for (const auto* list : {&md->tensors, &md->borrowed})
        for (const WeightTensor& w : *list) {
          if (!gatherable(w)) continue;
          const auto e = static_cast<double>(w.elements);
          if (profile_.gather == GatherGranularity::per_tensor) f.collective_elements.push_back(e);
          f.elements += e;
        }
    if (f.elements == 0) return -1;
    if (profile_.gather != GatherGranularity::per_tensor) f.collective_elements.push_back(f.elements);
    fetches_.push_back(std::move(f));
    return static_cast<int>(fetches_.size()) - 1;
  }

  // The elements of every parameter a module's hook fetches (persistent ones too): what
  // DeepSpeed's reuse distance counts (PrefetchCoordinator._distance_in_numel).
  static double module_elements(const Module& md) {
    double e = 0;
    for (const auto* list : {&md.tensors, &md.borrowed})
      for (const WeightTensor& w : *list) e += static_cast<double>(w.elements);
    return e;
  }

  // The micro-step's module steps, in the order the framework runs them (its recorded trace):
  // every block's forward, then from the last block back each block's recompute (where
  // checkpointed) and backward.
  std::vector<StepWork> trace() const {
    const bool per_block = profile_.gather == GatherGranularity::per_block;
    std::vector<StepWork> steps;
    auto pass = [&](int b, Pass p, bool reverse) {
      const int n = static_cast<int>(blocks_[b].modules.size());
      for (int k = 0; k < n; ++k) {
        const int i = reverse ? n - 1 - k : k;
        steps.push_back(StepWork{b, i, p, -1, -1, per_block ? k == 0 : blocks_[b].modules[i].has_tensors()});
      }
    };
    for (int b = 0; b < static_cast<int>(blocks_.size()); ++b) pass(b, Pass::forward, false);
    for (int b = static_cast<int>(blocks_.size()) - 1; b >= 0; --b) {
      if (blocks_[b].recomputed) pass(b, Pass::recompute, false);
      pass(b, Pass::backward, true);
    }
    return steps;
  }

  // The trace's fetches. A pass gathers where the strategy gathers for it (forward; recompute and
  // backward). What a step reads was gathered by its own fetch or is still held from an earlier use
  // of the module: with DeepSpeed's rule, when the parameters of the modules run in between come
  // to less than stage3_max_reuse_distance elements; with FSDP's, from a unit's recompute to its
  // backward.
  std::vector<StepWork> plan_micro_step() {
    fetches_.clear();
    launch_order_.clear();
    next_prefetch_ = 0;
    live_elements_ = 0;
    std::vector<StepWork> steps = trace();
    const bool per_block = profile_.gather == GatherGranularity::per_block;
    const bool by_distance = profile_.release_by_reuse_distance && !per_block;
    std::map<std::pair<int, int>, int> last_use;  // (block, module) -> its last step so far
    std::vector<double> elements_before(steps.size() + 1, 0);  // prefix sums of module_elements
    for (std::size_t k = 0; k < steps.size(); ++k)
      elements_before[k + 1] = elements_before[k] + module_elements(blocks_[steps[k].block].modules[steps[k].module]);
    int unit_fetch = -1;
    for (std::size_t k = 0; k < steps.size(); ++k) {
      StepWork& s = steps[k];
      const Module& md = blocks_[s.block].modules[s.module];
      const bool gathers = s.pass == Pass::forward ? plan_.forward_gather.has_value() : plan_.backward_gather.has_value();
      const auto previous = last_use.find({s.block, s.module});
      const int p = previous == last_use.end() ? -1 : previous->second;
      last_use[{s.block, s.module}] = static_cast<int>(k);
      if (per_block || !by_distance) {
        // FSDP and the reference: a backward after its recompute reads what the recompute gathered.
        const bool reuses = s.pass == Pass::backward && blocks_[s.block].recomputed;
        if (reuses) {
          s.uses = p >= 0 ? steps[static_cast<std::size_t>(p)].uses : -1;
          continue;
        }
        if (!gathers) continue;
        if (per_block) {
          if (s.hook) {
            std::vector<const Module*> all;
            for (const Module& m : blocks_[s.block].modules) all.push_back(&m);
            unit_fetch = new_fetch(all, s.pass != Pass::forward, blocks_[s.block].name);
            s.fetch = unit_fetch;
          }
          s.uses = unit_fetch;
        } else {
          s.fetch = s.uses = new_fetch({&md}, s.pass != Pass::forward, md.name);
        }
        continue;
      }
      if (p >= 0 && steps[static_cast<std::size_t>(p)].uses >= 0 && !profile_.trace_lookups_off_by_one &&
          elements_before[k] - elements_before[static_cast<std::size_t>(p) + 1] < profile_.max_reuse_distance_elements) {
        s.uses = steps[static_cast<std::size_t>(p)].uses;  // kept since its last use
        continue;
      }
      if (gathers) s.fetch = s.uses = new_fetch({&md}, s.pass != Pass::forward, md.name);
    }
    for (std::size_t k = 0; k < steps.size(); ++k) {
      if (steps[k].uses >= 0) fetches_[steps[k].uses].last_step = static_cast<int>(k);
      steps[k].next_fetch = steps[k].fetch >= 0 ? steps[k].fetch + 1 : k > 0 ? steps[k - 1].next_fetch : 0;
    }
    return steps;
  }

  int device_op(int id, Stream stream) {
    last_device_[static_cast<int>(stream)] = id;
    return id;
  }

  // torch.cuda.synchronize(): the host waits for everything launched on the device so far.
  int synchronize(const std::string& label, int micro, int layer) {
    std::vector<int> deps;
    for (int id : last_device_) if (id >= 0) deps.push_back(id);
    for (Fetch& f : fetches_) if (f.launched) f.waited = true;
    return builder_.host(0, std::move(deps), label, micro, layer);
  }

  void launch_fetch(int id, int micro, int layer) {
    Fetch& f = fetches_[id];
    if (f.launched) return;
    const CollectiveStep& step = f.backward ? *plan_.backward_gather : *plan_.forward_gather;
    const int cap = profile_.max_gathers_in_flight;
    if (cap > 0 && static_cast<int>(launch_order_.size()) >= cap) {
      const Fetch& oldest = fetches_[launch_order_[launch_order_.size() - cap]];
      const int wait = profile_.gather_limit_waits_for_free && oldest.consumer >= 0 ? oldest.consumer : oldest.gathers.back();
      builder_.host(0, {wait}, fmt::format("wait {}", oldest.label), micro, layer);
    }
    for (std::size_t i = 0; i < f.collective_elements.size(); ++i) {
      if (profile_.synchronize_before_gather) synchronize("synchronize", micro, layer);
      const int launch = builder_.host(profile_.gather_pre_launch_s + profile_.collective_launch_s, {},
                                       fmt::format("launch {} {}", step.label, f.label), micro, layer);
      // Launched behind the compute already queued: on a normal-priority stream the GPU runs the
      // waiting kernels in launch order, so the gather starts once that compute has run (its last
      // wave, approximated by its end). A prefetch launched before the compute it should hide
      // behind still overlaps it; an on-demand fetch overlaps nothing queued before it.
      const int queued = profile_.collectives_high_priority ? -1 : last_device_[static_cast<int>(Stream::compute)];
      f.gathers.push_back(device_op(builder_.collective(step, f.collective_elements[i] * builder_.element_bytes(), Stream::gather,
                                                        existing({launch, queued}),
                                                        fmt::format("{} {}", step.label, f.label), micro, layer),
                                    Stream::gather));
    }
    f.launched = true;
    live_elements_ += f.elements;
    launch_order_.push_back(id);
  }

  bool gathers_in_flight() const {
    return std::any_of(fetches_.begin(), fetches_.end(), [](const Fetch& f) { return f.launched && !f.waited; });
  }

  // DeepSpeed's prefetch loop pops the recorded trace until this call has launched at least
  // min(max_live - live, stage3_prefetch_bucket_size) elements (so one weight when each exceeds
  // the bucket), live being every parameter gathered or in flight and not yet released; FSDP
  // launches the next `prefetch_blocks` blocks. `next` is the first fetch after the current step.
  void prefetch_after(int next, int micro, int layer) {
    if (profile_.prefetch_only_when_idle && gathers_in_flight()) return;
    if (profile_.trace_lookups_off_by_one) return;  // "Tracing failed. Prefetching is disabled"
    const int n = static_cast<int>(fetches_.size());
    const int current = next - 1;
    if (profile_.prefetch_by_elements) {
      double budget = profile_.prefetch_bucket_elements;
      if (profile_.max_live_elements > 0) budget = std::min(budget, profile_.max_live_elements - live_elements_);
      next_prefetch_ = std::max(next_prefetch_, next);
      double numel = 0;
      while (next_prefetch_ < n && numel < budget) {
        const int j = next_prefetch_++;
        if (fetches_[j].launched) continue;
        launch_fetch(j, micro, layer);
        numel += fetches_[j].elements;
      }
      return;
    }
    for (int j = current + 1; j < n && j <= current + profile_.prefetch_blocks; ++j) launch_fetch(j, micro, layer);
  }

  void micro_step(int m, bool sync_gradients) {
    const std::vector<StepWork> steps = plan_micro_step();
    bucket_.clear();
    bucket_elements_ = 0;
    for (std::size_t k = 0; k < steps.size(); ++k) {
      const StepWork& s = steps[k];
      const Block& block = blocks_[s.block];
      const Module& md = block.modules[s.module];
      if (s.hook && profile_.hook_s > 0) builder_.host(profile_.hook_s, {}, fmt::format("hook {}", md.name), m, block.layer);
      std::vector<int> deps;
      if (s.fetch >= 0) {
        launch_fetch(s.fetch, m, block.layer);
        if (profile_.synchronize_after_fetch) synchronize("synchronize", m, block.layer);
        fetches_[s.fetch].waited = true;
        prefetch_after(s.next_fetch, m, block.layer);
      } else if (s.uses >= 0 && s.hook && profile_.release_by_reuse_distance) {
        prefetch_after(s.next_fetch, m, block.layer);  // DeepSpeed prefetches from every module's hook
      }
      if (profile_.parameter_norm_in_hook && s.hook) parameter_norms(md, s.uses, m, block.layer);
      // The compute stream waits on the fetch's event (where the host synchronized, it has finished).
      if (s.uses >= 0) deps.push_back(fetches_[s.uses].gathers.back());
      deps.push_back(builder_.host(profile_.compute_launch_s, {}, fmt::format("launch {}", md.name), m, block.layer));
      const char* what = s.pass == Pass::forward ? "fwd" : s.pass == Pass::recompute ? "recompute" : "bwd";
      const int op = device_op(builder_.compute(module_compute(block, md, s.pass), std::move(deps), fmt::format("{} {}", what, md.name), m,
                                                block.layer),
                               Stream::compute);
      if (s.uses >= 0) {
        Fetch& f = fetches_[s.uses];
        f.consumer = op;
        if (f.last_step == static_cast<int>(k)) live_elements_ -= f.elements;  // released after its last use
      }
      if (s.pass == Pass::backward && sync_gradients) gradients_ready(s, op, m, k + 1 == steps.size() || steps[k + 1].block != s.block);
    }
    flush_bucket(m, -1);
  }

  // DeepSpeed 0.5.6's debug line after every fetch: a norm kernel over each of the module's own
  // parameters (HBM reads of their bytes) on the compute stream, whose result the host formats
  // (.item(): the host waits for it).
  void parameter_norms(const Module& md, int uses, int m, int layer) {
    double bytes = 0;
    for (const WeightTensor& w : md.tensors) bytes += static_cast<double>(w.elements) * builder_.element_bytes();
    if (bytes <= 0) return;
    const int launch = builder_.host(0, {}, fmt::format("launch norm {}", md.name), m, layer);
    const int norm = device_op(builder_.compute(0, bytes, existing({launch, uses >= 0 ? fetches_[uses].gathers.back() : -1}),
                                                fmt::format("norm {}", md.name), m, layer),
                               Stream::compute);
    builder_.host(0, {norm}, fmt::format("item norm {}", md.name), m, layer);
  }

  // The module's FLOP share of its block's kernels for the pass (only FLOPs where the block has no
  // kernels: the embedding).
  static ComputeOp module_compute(const Block& block, const Module& md, Pass pass) {
    const double flops = pass == Pass::forward ? md.forward_flops : pass == Pass::recompute ? md.recompute_flops : md.backward_flops;
    const double total = pass == Pass::forward ? block.forward_flops : pass == Pass::recompute ? block.recompute_flops : block.backward_flops;
    const auto own = pass == Pass::forward ? &PassKernels::forward : pass == Pass::recompute ? &PassKernels::recompute : &PassKernels::backward;
    if (!(md.kernels.*own).empty()) return compute_op_of(md.kernels.*own);
    const std::vector<Kernel>& kernels = block.kernels.*own;
    if (kernels.empty() || total <= 0) return ComputeOp{flops, 0, {}};
    return share_of(kernels, flops / total);
  }

  // The module's gradients join the bucket; a full bucket is reduced (FSDP: each block's).
  void gradients_ready(const StepWork& s, int compute_op, int m, bool block_done) {
    const Block& block = blocks_[s.block];
    for (const WeightTensor& w : block.modules[s.module].tensors) {
      bucket_.push_back(static_cast<double>(w.elements));
      bucket_elements_ += static_cast<double>(w.elements);
    }
    last_backward_ = compute_op;
    const bool full = reduce_per_module_ ? true
                      : profile_.reduce == ReduceGranularity::per_block || reduce_bucket_elements_ <= 0
                          ? block_done
                          : bucket_elements_ >= reduce_bucket_elements_;
    if (full) flush_bucket(m, block.layer);
  }

  void flush_bucket(int m, int layer) {
    if (bucket_elements_ <= 0 || plan_.gradient_sync.empty()) {
      bucket_.clear();
      bucket_elements_ = 0;
      return;
    }
    if (profile_.synchronize_before_reduce) {
      // Stage 3 waits for the reduction stream (reduction_stream.synchronize()); ZeRO-1/2 for the
      // whole device (torch.cuda.synchronize() in average_tensor).
      if (gathers_parameters_) builder_.host(0, existing({last_device_[static_cast<int>(Stream::reduce)]}), "synchronize reduce", m, layer);
      else synchronize("synchronize", m, layer);
    }
    const int cap = profile_.max_reduces_in_flight;
    if (cap > 0 && static_cast<int>(reduce_buckets_.size()) >= cap)
      builder_.host(0, {reduce_buckets_[reduce_buckets_.size() - cap]}, "wait reduce", m, layer);
    // Stage 3 of DeepSpeed 0.5.6 reduces each parameter on its own; ZeRO-1/2 their flat bucket.
    const bool per_parameter = profile_.reduce == ReduceGranularity::per_tensor && gathers_parameters_;
    const std::vector<double> calls = per_parameter ? bucket_ : std::vector<double>{bucket_elements_};
    const std::string name = layer >= 0 ? fmt::format("L{}", layer) : "bucket";
    int last = -1;
    for (double elements : calls) {
      int previous = last_backward_;
      for (const CollectiveStep& step : plan_.gradient_sync) {
        const double bytes = elements * builder_.element_bytes();
        // The list API (DeepSpeed 0.5.6's per-parameter reduce_scatter): host work per rank of the
        // group (an input view each, a copy_ each), the gradient copied into a flat input on the
        // NCCL stream before the reduction.
        const bool list_copies = profile_.reduce_scatter_list_copies && per_parameter &&
                                 step.kind == CollectiveKind::reduce_scatter;
        const double host_s =
            profile_.collective_launch_s + (list_copies ? builder_.group_size(step.group) * profile_.reduce_scatter_host_per_rank_s : 0.0);
        const int launch = builder_.host(host_s, {}, fmt::format("launch {} {}", step.label, name), m, layer);
        if (list_copies)
          previous = device_op(builder_.copy(bytes / step.divisor, Stream::reduce, existing({launch, previous}),
                                             fmt::format("flatten {} {}", step.label, name), m, layer),
                               Stream::reduce);
        previous = device_op(builder_.collective(step, bytes, Stream::reduce, existing({launch, previous}),
                                                 fmt::format("{} {}", step.label, name), m, layer),
                             Stream::reduce);
      }
      last = previous;
    }
    reduce_buckets_.push_back(last);
    bucket_.clear();
    bucket_elements_ = 0;
  }

  // The accumulation boundary: the second hop of the gradient sync, the optimizer (after the host
  // has seen every reduction finish: DeepSpeed checks for overflow on the host), and the updated
  // parameters back to every rank where only a shard was updated.
  void optimizer_step(int m) {
    const int last_reduce = last_device_[static_cast<int>(Stream::reduce)];
    if (plan_.boundary_sync) {
      const CollectiveStep& s = *plan_.boundary_sync;
      const int launch = builder_.host(profile_.collective_launch_s, {}, fmt::format("launch {}", s.label), m, -1);
      device_op(builder_.collective(s, psi_ * (s.fp32 ? 4.0 : builder_.element_bytes()), Stream::reduce, existing({launch, last_reduce}),
                                    s.label, m, -1),
                Stream::reduce);
    }
    const int wait = builder_.host(0, existing({last_device_[static_cast<int>(Stream::reduce)]}), "synchronize optimizer", m, -1);
    const int optimizer = device_op(builder_.compute(0, psi_ * optimizer_shard_fraction_ * kOptimizerBytesPerParameter,
                                                     existing({wait, last_device_[static_cast<int>(Stream::compute)]}), "optimizer", m, -1),
                                    Stream::compute);
    if (!plan_.updated_parameter_gather) return;
    for (const Block& b : blocks_) {
      double elements = 0;
      for (const Module& md : b.modules)
        for (const WeightTensor& w : md.tensors) elements += static_cast<double>(w.elements);
      const CollectiveStep& s = *plan_.updated_parameter_gather;
      const int launch = builder_.host(profile_.collective_launch_s, {}, fmt::format("launch {} {}", s.label, b.name), m, b.layer);
      device_op(builder_.collective(s, elements * builder_.element_bytes(), Stream::gather, {launch, optimizer},
                                    fmt::format("{} {}", s.label, b.name), m, b.layer),
                Stream::gather);
    }
  }

  const StepConfig& config_;
  const FrameworkProfile profile_;
  const StrategySchedule& plan_;
  ScheduleBuilder builder_;
  std::vector<Block> blocks_;
  bool gathers_parameters_;
  double psi_ = 0;
  double optimizer_shard_fraction_ = 1;
  double reduce_bucket_elements_ = 0;
  bool reduce_per_module_ = false;
  std::array<int, 3> last_device_{-1, -1, -1};  // the last op launched on compute, gather, reduce
  std::vector<Fetch> fetches_;
  std::vector<int> launch_order_;
  int next_prefetch_ = 0;
  double live_elements_ = 0;  // gathered or in flight, not yet released
  std::vector<double> bucket_;
  double bucket_elements_ = 0;
  std::vector<int> reduce_buckets_;  // the last collective of each reduced bucket
  int last_backward_ = -1;
};

}  // namespace

Schedule compile_framework_schedule(const Cluster& cluster, const StepConfig& config, const ResolvedStrategy& resolved, int rank) {
  return FrameworkCompiler(cluster, config, resolved, rank).compile();
}

}  // namespace shardsim
