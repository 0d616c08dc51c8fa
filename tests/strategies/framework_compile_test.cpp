// The framework compiler (strategies/compile_framework.hpp): profiles load with a source for every
// value; per-tensor, per-module and per-block granularity give exactly the collectives the model's
// weight tensors imply; DeepSpeed's prefetch by elements runs one weight ahead when every weight
// exceeds the bucket; DeepSpeed 0.5.6 synchronizes the device before every gather; and every
// profile keeps the compute of the reference schedule and one communicator's operations in order.
#include "sim/compute/block_kernels.hpp"
#include "sim/model/model_loader.hpp"
#include "sim/stepsim/step_simulation.hpp"
#include "sim/strategies/compile.hpp"
#include "sim/strategies/registry.hpp"

#include "tests/support/strategy_fixtures.hpp"

#include <catch2/catch.hpp>

#include <tuple>

#include <set>

using namespace shardsim;

namespace {

int count_collectives(const Schedule& s, CollectiveKind kind) {
  int n = 0;
  for (const Op& op : s.program.ops)
    if (const auto* c = std::get_if<CollectiveOp>(&op.body)) n += c->kind == kind;
  return n;
}

double total_flops(const Schedule& s) {
  double f = 0;
  for (const Op& op : s.program.ops)
    if (const auto* c = std::get_if<ComputeOp>(&op.body)) f += c->flops;
  return f;
}

int count_labelled(const Schedule& s, const std::string& label) {
  return static_cast<int>(std::count_if(s.program.ops.begin(), s.program.ops.end(), [&](const Op& op) { return op.label == label; }));
}

int index_of(const Schedule& s, const std::string& label) {
  for (std::size_t i = 0; i < s.program.ops.size(); ++i)
    if (s.program.ops[i].label == label) return static_cast<int>(i);
  FAIL("no op labelled " << label);
  return -1;
}

StepConfig gpt_100b(const std::string& framework, Strategy strategy = Strategy::zero3) {
  StepConfig c;
  c.model = load_model("gpt-100b");
  c.micro_batch = 2;
  c.strategy.strategy = strategy;
  c.framework = load_framework(framework);
  return c;
}

}  // namespace

TEST_CASE("every shipped framework profile loads and sources every value", "[frameworks]") {
  // The parameters of a profile, each read from its file with a source (framework_profile.hpp).
  const std::set<std::string> parameters{
      "gather_granularity", "reduce_granularity", "prefetch_by_elements", "prefetch_blocks", "prefetch_only_when_idle",
      "synchronize_before_gather", "synchronize_after_fetch", "synchronize_before_reduce", "collectives_on_high_priority_stream", "max_gathers_in_flight",
      "max_reduces_in_flight", "gather_limit_waits_for_free", "persistence_threshold_elements", "prefetch_bucket_elements",
      "max_live_elements", "reduce_bucket_elements", "release_by_reuse_distance", "max_reuse_distance_elements", "trace_lookups_off_by_one",
      "reduce_scatter_list_copies", "reduce_scatter_host_time_per_rank", "parameter_norm_in_hook", "hook_time", "gather_pre_launch_time", "collective_launch_time",
      "compute_launch_time", "cuda_context", "nccl_buffers_per_communicator", "allocator_reserve_fraction"};
  const auto names = shipped_frameworks();
  for (const char* name : {"ideal", "deepspeed", "deepspeed-0.5.6", "fsdp", "fsdp2"})
    CHECK(std::find(names.begin(), names.end(), name) != names.end());
  for (const auto& name : names) {
    INFO(name);
    const FrameworkProfile p = load_framework(name);
    if (p.ideal) continue;
    std::set<std::string> read;
    for (const auto& [key, source] : p.sources) {
      read.insert(key);
      CHECK(source.size() > 10);
    }
    CHECK(read == parameters);
  }
  CHECK_THROWS_WITH(load_framework("deepspeed-0.4"), Catch::Contains("unknown framework 'deepspeed-0.4'") && Catch::Contains("fsdp2"));
}

TEST_CASE("every profile keeps the reference compute and one communicator's order, for every strategy", "[frameworks]") {
  const Cluster& cluster = test::p4d(2);
  for (const auto& name : shipped_frameworks())
    for (const auto& unit : strategy_units()) {
      INFO(name << " " << unit.name);
      StepConfig c = test::step_config(unit.strategy, 8);
      const double reference = total_flops(compile_schedule(cluster, c));
      c.framework = load_framework(name);
      const Schedule s = compile_schedule(cluster, c);
      CHECK(total_flops(s) == Approx(reference).epsilon(1e-12));
      const StepResult r = simulate_step(cluster, s, FlowModel::automatic);
      std::map<int, std::vector<int>> by_communicator;
      for (std::size_t i = 0; i < s.program.ops.size(); ++i)
        if (const auto* coll = std::get_if<CollectiveOp>(&s.program.ops[i].body)) by_communicator[coll->communicator].push_back(static_cast<int>(i));
      for (const auto& [id, ops] : by_communicator)
        for (std::size_t k = 1; k < ops.size(); ++k) CHECK(r.ops[ops[k]].start_s >= r.ops[ops[k - 1]].end_s);
    }
}

TEST_CASE("DeepSpeed 0.5.6 gathers and reduces each parameter tensor of the 100B model", "[frameworks]") {
  const Schedule s = compile_schedule(test::p4d(16), gpt_100b("deepspeed-0.5.6"));
  // Gathered (over the 1e5-element persistence threshold): per block QKV, attention output, MLP up
  // and down; the token and positional embeddings; the tied head's token embedding. 0.5.6's step
  // counter runs one module behind its trace (DeepSpeed #1069), so the reuse distance is never
  // known and every use gathers: a block's forward, its recompute and its backward gather its 4
  // weights each, the head its forward and its backward.
  // Forward 55 x 4 + 2 + 1, backward 55 x (4 + 4) + 2 + 1.
  CHECK(count_collectives(s, CollectiveKind::all_gather) == (55 * 4 + 2 + 1) + (55 * 8 + 2 + 1));
  CHECK(index_of(s, "ag-bwd L3.mlp.down") < index_of(s, "bwd L3.mlp.down"));
  CHECK(count_labelled(s, "ag-bwd L3.mlp.up") == 2);
  CHECK(count_labelled(s, "ag-bwd L3.mlp.down") == 2);
  CHECK(count_labelled(s, "ag-bwd head") == 1);
  // Reduced: every tensor once, the small ones too (12 per block, 2 embeddings, 2 final-norm).
  CHECK(count_collectives(s, CollectiveKind::reduce_scatter) == 55 * 12 + 2 + 2);
  // Nothing is prefetched ("Tracing failed. Prefetching is disabled"): MLP up is gathered in its
  // own hook, through _allgather_params_coalesced, which launches without synchronizing first (so
  // the gather overlaps the second layer norm still queued) and synchronizes after.
  const int launch = index_of(s, "launch ag-fwd L3.mlp.up");
  const int gather = index_of(s, "ag-fwd L3.mlp.up");
  CHECK(index_of(s, "hook L3.mlp.up") < launch);
  for (int i = index_of(s, "fwd L3.norm2"); i < launch; ++i) CHECK(s.program.ops[i].label != "synchronize");
  const Op& after = s.program.ops[gather + 1];
  CHECK(after.label == "synchronize");
  CHECK(std::count(after.deps.begin(), after.deps.end(), gather) == 1);
  // Every gather is launched by the hook of the module that uses it.
  std::string hooked;
  int launches = 0;
  for (const Op& op : s.program.ops) {
    if (op.label.rfind("hook ", 0) == 0) hooked = op.label.substr(5);
    if (op.label.rfind("launch ag-", 0) != 0) continue;
    ++launches;
    INFO(op.label);
    CHECK(op.label.substr(op.label.find(' ', 7) + 1) == hooked);
  }
  CHECK(launches == count_collectives(s, CollectiveKind::all_gather));
}

TEST_CASE("stage3_max_reuse_distance decides which recomputed weights the backward gathers again", "[frameworks]") {
  StepConfig c = gpt_100b("deepspeed");
  // Above the 2.7e9 elements between a block's QKV recompute and its backward: nothing is gathered
  // again, so the backward gathers only in the recompute (55 x 4), plus the embeddings; and the
  // last block's weights are kept from its forward to its recompute (at most 2.6e9 elements in
  // between: the rest of the block, the head's forward and backward), so 54 blocks recompute-gather.
  c.strategy.max_reuse_distance_elements = 3e9;
  CHECK(count_collectives(compile_schedule(test::p4d(16), c), CollectiveKind::all_gather) == (55 * 4 + 1 + 1) + (54 * 4 + 1));
  // 0: every use gathers (the head too: forward and backward).
  c.strategy.max_reuse_distance_elements = 0;
  CHECK(count_collectives(compile_schedule(test::p4d(16), c), CollectiveKind::all_gather) == (55 * 4 + 1 + 1) + (55 * 8 + 1 + 1));
}

TEST_CASE("DeepSpeed 0.5.6's list-API reduce-scatter costs the host per rank and copies the gradient first", "[frameworks]") {
  const Cluster cluster = test::p4d(16);
  const Schedule s = compile_schedule(cluster, gpt_100b("deepspeed-0.5.6"));
  const FrameworkProfile p = load_framework("deepspeed-0.5.6");
  // Every reduce-scatter (one per parameter) follows the flatten copy of its input, of the same
  // bytes, on the reduce stream.
  int reduce_scatters = 0;
  for (std::size_t i = 0; i < s.program.ops.size(); ++i) {
    const auto* rs = std::get_if<CollectiveOp>(&s.program.ops[i].body);
    if (!rs || rs->kind != CollectiveKind::reduce_scatter) continue;
    ++reduce_scatters;
    const auto& deps = s.program.ops[i].deps;
    const auto copy = std::find_if(deps.begin(), deps.end(), [&](int d) { return std::holds_alternative<CopyOp>(s.program.ops[d].body); });
    REQUIRE(copy != deps.end());
    CHECK(std::get<CopyOp>(s.program.ops[*copy].body).bytes == rs->bytes);
    CHECK(s.program.ops[*copy].stream == Stream::reduce);
  }
  CHECK(reduce_scatters == 55 * 12 + 2 + 2);
  // Its launch: the collective launch plus the per-rank work for all 128 ranks.
  const Op& launch = s.program.ops[index_of(s, "launch rs-grad L3")];
  CHECK(std::get<HostOp>(launch.body).seconds == Approx(p.collective_launch_s + 128 * p.reduce_scatter_host_per_rank_s).epsilon(1e-12));
  CHECK(p.reduce_scatter_host_per_rank_s == Approx(8e-6));
  // Current DeepSpeed: one _reduce_scatter_base per bucket, no copies.
  CHECK(count_labelled(compile_schedule(cluster, gpt_100b("deepspeed")), "flatten rs-grad L3") == 0);
}

TEST_CASE("DeepSpeed 0.5.6's hooks compute a norm of each parameter and wait for it", "[frameworks]") {
  const Schedule s = compile_schedule(test::p4d(16), gpt_100b("deepspeed-0.5.6"));
  // After MLP up's fetch in the forward of block 3: a norm reading its weight and bias (2 bytes
  // each), on the compute stream after the gather, then the host waits for it (.item()).
  const int norm = index_of(s, "norm L3.mlp.up");
  const auto* op = std::get_if<ComputeOp>(&s.program.ops[norm].body);
  REQUIRE(op != nullptr);
  CHECK(op->flops == 0);
  CHECK(op->hbm_bytes == (4.0 * 12288 * 12288 + 4.0 * 12288) * 2);
  const auto& deps = s.program.ops[norm].deps;
  CHECK(std::count(deps.begin(), deps.end(), index_of(s, "ag-fwd L3.mlp.up")) == 1);
  const Op& item = s.program.ops[static_cast<std::size_t>(norm) + 1];
  CHECK(item.label == "item norm L3.mlp.up");
  CHECK(std::count(item.deps.begin(), item.deps.end(), norm) == 1);
  // One in each of the module's hooks: forward, recompute and backward.
  CHECK(count_labelled(s, "norm L3.mlp.up") == 3);
  CHECK(count_labelled(compile_schedule(test::p4d(16), gpt_100b("deepspeed")), "norm L3.mlp.up") == 0);
}

TEST_CASE("a gather launched behind queued compute waits for it unless its stream has high priority", "[frameworks]") {
  // The compute op launched last before an op: the latest compute op earlier in program order.
  auto compute_before = [](const Schedule& s, int op) {
    for (int i = op - 1; i >= 0; --i)
      if (std::holds_alternative<ComputeOp>(s.program.ops[static_cast<std::size_t>(i)].body)) return i;
    return -1;
  };
  auto depends_on = [](const Schedule& s, int op, int dep) {
    const auto& deps = s.program.ops[static_cast<std::size_t>(op)].deps;
    return std::count(deps.begin(), deps.end(), dep) == 1;
  };
  // DeepSpeed 0.5.6 fetches on demand: MLP up's gather is launched in its hook, behind the
  // attention output's compute, and starts when that has run.
  StepConfig c = gpt_100b("deepspeed-0.5.6");
  Schedule s = compile_schedule(test::p4d(16), c);
  int gather = index_of(s, "ag-fwd L3.mlp.up");
  int queued = compute_before(s, gather);
  REQUIRE(queued >= 0);
  CHECK(s.program.ops[static_cast<std::size_t>(queued)].stream == Stream::compute);
  CHECK(depends_on(s, gather, queued));
  // On a high-priority stream (TORCH_NCCL_HIGH_PRIORITY) it starts at once.
  c.framework.collectives_high_priority = true;
  s = compile_schedule(test::p4d(16), c);
  gather = index_of(s, "ag-fwd L3.mlp.up");
  CHECK_FALSE(depends_on(s, gather, compute_before(s, gather)));
  // Current DeepSpeed prefetches MLP up in the attention output's hook, before that module's
  // compute is launched: the gather waits for the attention compute queued before it, and
  // overlaps the attention output's compute launched after it.
  s = compile_schedule(test::p4d(16), gpt_100b("deepspeed"));
  gather = index_of(s, "ag-fwd L3.mlp.up");
  queued = compute_before(s, gather);
  CHECK(depends_on(s, gather, queued));
  CHECK(s.program.ops[static_cast<std::size_t>(queued)].label.starts_with("fwd L3.attention"));
  CHECK(gather < index_of(s, "fwd L3.attention.out"));
}

TEST_CASE("current DeepSpeed coalesces each fetch and prefetches one weight ahead on the 100B model", "[frameworks]") {
  const Schedule s = compile_schedule(test::p4d(16), gpt_100b("deepspeed"));
  // Forward: the embeddings (one fetch), 4 weights per block, the head; backward as for 0.5.6
  // (the same reuse rule): 55 x 7 + the embeddings.
  CHECK(count_collectives(s, CollectiveKind::all_gather) == (55 * 4 + 1 + 1) + (55 * 7 + 1));
  // Every weight exceeds stage3_prefetch_bucket_size (5e7 elements): the hook of one module
  // launches the gather of the next weight only, before its own compute.
  CHECK(index_of(s, "ag-fwd L3.attention.out") < index_of(s, "fwd L3.attention.qkv"));
  CHECK(index_of(s, "ag-fwd L3.mlp.up") > index_of(s, "fwd L3.attention.qkv"));
  CHECK(index_of(s, "ag-fwd L3.mlp.up") < index_of(s, "fwd L3.attention.out"));
  // Reduce-scatters per 5e8-element bucket (reduce_bucket_size), flushed when it reaches the size:
  // in backward order a block fills one with MLP down (604M elements), one with MLP up, one with
  // the attention output and QKV (151M + 453M), its norm1 carried into the next block: 3 per block,
  // then the embeddings (with the head's final norm) and the final partial bucket.
  CHECK(count_collectives(s, CollectiveKind::reduce_scatter) == 55 * 3 + 1);
}

TEST_CASE("FSDP gathers and reduces one flat parameter per block", "[frameworks]") {
  const Schedule s = compile_schedule(test::p4d(16), gpt_100b("fsdp"));
  // Embedding, 55 blocks and head, each gathered for forward and for recompute/backward.
  CHECK(count_collectives(s, CollectiveKind::all_gather) == 2 * (55 + 2));
  CHECK(count_collectives(s, CollectiveKind::reduce_scatter) == 55 + 2);
}

namespace {
// The kernels of the compute ops whose labels start with `prefix`, in program order.
std::vector<std::string> kernel_names_of_ops(const Schedule& s, const std::string& prefix) {
  std::vector<std::string> names;
  for (const Op& op : s.program.ops)
    if (const auto* compute = std::get_if<ComputeOp>(&op.body); compute && op.label.rfind(prefix, 0) == 0)
      for (const Kernel& k : compute->kernels) names.push_back(k.name);
  return names;
}
}  // namespace

TEST_CASE("each module runs its own kernels of its block, which they partition", "[frameworks]") {
  const StepConfig c = gpt_100b("deepspeed");
  const Schedule s = compile_schedule(test::p4d(16), c);
  const PassKernels block = block_kernels(c.model, c.micro_batch, c.activation_checkpointing, c.kernels);
  const std::vector<std::string> names = kernel_names_of_ops(s, "fwd L3.");
  REQUIRE(names.size() == block.forward.size());
  for (std::size_t i = 0; i < names.size(); ++i) CHECK(names[i] == block.forward[i].name);  // in the block's order
  CHECK(std::get<ComputeOp>(s.program.ops[index_of(s, "fwd L3.attention.qkv")].body).kernels.size() == 1);
}

TEST_CASE("a Hugging Face layout in eager PyTorch: each of Q, K and V runs its GEMM and its bias add", "[frameworks]") {
  // Separate query, key and value weights (BertSelfAttention), every element-wise op its own
  // kernel: the kernels still partition over the modules, in the block's order, so none falls back
  // to the FLOP share.
  StepConfig c = gpt_100b("deepspeed");
  c.model.fused_qkv = false;
  c.kernels.elementwise = ElementwiseKernels::unfused;
  const Schedule s = compile_schedule(test::p4d(16), c);
  const PassKernels block = block_kernels(c.model, c.micro_batch, c.activation_checkpointing, c.kernels);
  const std::vector<std::string> names = kernel_names_of_ops(s, "fwd L3.");
  REQUIRE(names.size() == block.forward.size());
  for (std::size_t i = 0; i < names.size(); ++i) CHECK(names[i] == block.forward[i].name);
  for (const char* projection : {"q", "k", "v"}) {
    const auto& kernels = std::get<ComputeOp>(s.program.ops[index_of(s, fmt::format("fwd L3.attention.{}", projection))].body).kernels;
    REQUIRE(kernels.size() == 2);
    CHECK(kernels[0].name == fmt::format("{}.fwd", projection));
    CHECK(kernels[1].name == fmt::format("{}.bias.fwd", projection));
  }
  const auto& core = std::get<ComputeOp>(s.program.ops[index_of(s, "fwd L3.attention.core")].body).kernels;
  std::vector<std::string> core_names;
  for (const Kernel& k : core) core_names.push_back(k.name);
  CHECK(core_names == std::vector<std::string>{"attn_qkv_copy.fwd", "attn_scores.fwd", "attn_scale.fwd", "attn_mask.fwd",
                                               "attn_softmax.fwd", "attn_dropout.fwd", "attn_context.fwd", "attn_context_copy.fwd"});
}

TEST_CASE("a block the kernels describe only roughly keeps the FLOP share", "[frameworks]") {
  // Llama's sequential block: each module runs its own kernels (its Q projection: one GEMM).
  // Falcon-7B's parallel attention and MLP share one norm, which the kernel list (two norms, one
  // after the other) does not describe: each module runs its FLOP share of the block's kernels.
  for (const auto& [name, first_projection, described] :
       {std::tuple{"hf/llama-2-7b", "fwd L3.attention.q", true}, std::tuple{"hf/falcon-7b", "fwd L3.attention.qkv", false}}) {
    StepConfig c = gpt_100b("deepspeed");
    c.model = load_model(name);
    const Schedule s = compile_schedule(test::p4d(16), c);
    const PassKernels block = block_kernels(c.model, c.micro_batch, c.activation_checkpointing, c.kernels);
    INFO(name);
    const auto& kernels = std::get<ComputeOp>(s.program.ops[index_of(s, first_projection)].body).kernels;
    CHECK(kernels.size() == (described ? 1 : block.forward.size()));
  }
}
