// How a training framework really executes a sharded step, as data (topologies/frameworks/*.json,
// every value with its source): what one collective call gathers or reduces (one parameter tensor
// in DeepSpeed 0.5.6, one coalesced fetch set in DeepSpeed >= 0.6, one flat parameter per wrapped
// block in FSDP), where the host waits for the device (DeepSpeed 0.5.6 calls torch.cuda.synchronize()
// around every gather; later versions wait on events with a cap on fetches in flight), what each
// hook and launch costs the host, the defaults of the knobs that bound prefetch and bucket
// gradients, and the memory the framework adds (CUDA context, NCCL buffers, allocator reserve).
// The step compiler (strategies/compile.hpp) turns a profile into schedule dependencies and host
// ops; nothing else branches on the framework. The `ideal` profile is the implementation without
// host costs or synchronization that earlier versions of this simulator assumed: one gather per
// layer prefetched `prefetch_layers` ahead, kept as the reference for the closed-form tests.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace shardsim {

// What one parameter all-gather carries.
enum class GatherGranularity {
  per_tensor,  // one all-gather per parameter tensor (DeepSpeed 0.5.6 _allgather_params_coalesced)
  per_module,  // one coalesced all-gather per fetch set of leaf modules (DeepSpeed >= 0.6)
  per_block,   // one all-gather of a wrapped block's flat parameter (FSDP; FSDP2 per fully_shard module)
};
// What one gradient reduce-scatter carries.
enum class ReduceGranularity {
  per_tensor,  // one reduce-scatter per parameter, issued per full bucket (DeepSpeed 0.5.6)
  per_bucket,  // one coalesced reduce-scatter per full bucket (DeepSpeed >= 0.6)
  per_block,   // one reduce-scatter of a block's flat gradient after its backward (FSDP)
};

const char* to_string(GatherGranularity g);
const char* to_string(ReduceGranularity r);

struct FrameworkProfile {
  std::string name = "ideal";
  std::string description;
  std::string file;  // "" for the built-in ideal profile
  bool ideal = true;  // no host ops: the layer-wise reference schedule (compile.hpp)

  GatherGranularity gather = GatherGranularity::per_block;
  ReduceGranularity reduce = ReduceGranularity::per_block;
  // Prefetch: DeepSpeed fills the look-ahead up to stage3_prefetch_bucket_size elements (bounded by
  // stage3_max_live_parameters); FSDP prefetches the next block (prefetch_blocks = 1).
  bool prefetch_by_elements = false;
  int prefetch_blocks = 1;
  bool prefetch_only_when_idle = false;  // DeepSpeed 0.5.6: `if not self.in_flight_handles`
  // Host waits (schedule dependencies of host ops on device ops).
  bool synchronize_before_gather = false;  // torch.cuda.synchronize() before each gather launch
  bool synchronize_after_fetch = false;    // the fetch ends in torch.cuda.synchronize()
  bool synchronize_before_reduce = false;  // reduction_stream.synchronize() before each bucket
  // The collectives' CUDA stream priority. At normal priority (PyTorch's default) the GPU hands its
  // SMs to waiting kernels in launch order, so a gather launched behind queued compute starts once
  // that compute has run; a high-priority stream (TORCH_NCCL_HIGH_PRIORITY) lets it start at once.
  bool collectives_high_priority = false;
  int max_gathers_in_flight = 0;           // the host blocks beyond this many (0: no cap)
  int max_reduces_in_flight = 0;
  // What the capped host waits for: the oldest gather's completion (DeepSpeed's fetch events), or
  // the compute that consumed it, after which its buffer is freed (FSDP's rate limiter).
  bool gather_limit_waits_for_free = false;
  // Parameters at or below this many elements stay gathered (stage3_param_persistence_threshold);
  // 0 = none (FSDP).
  double persistence_threshold_elements = 0;
  double prefetch_bucket_elements = 0;   // stage3_prefetch_bucket_size
  double max_live_elements = 0;          // stage3_max_live_parameters
  double reduce_bucket_elements = 0;     // reduce_bucket_size (0: the strategy's layer buckets)
  // When gathered parameters are freed. DeepSpeed releases a module's parameters after its
  // forward or backward unless the recorded trace uses them again within stage3_max_reuse_distance
  // elements of other modules' parameters (so on a 100B layer a recomputed weight is gathered
  // again for its backward); FSDP keeps a unit gathered from its recompute to its backward.
  bool release_by_reuse_distance = false;
  double max_reuse_distance_elements = 0;  // stage3_max_reuse_distance
  // DeepSpeed 0.5.6's step counter runs one module behind its recorded trace (the top module's own
  // pre-forward hook counts a step before the engine's reset hook zeroes the counter; DeepSpeed
  // #1069), so in every step after the first each trace lookup names the previous module: the
  // prefetch finds "Tracing failed" and launches nothing, and the reuse distance is unknown, so
  // every module's parameters are released after use and gathered again at their next use.
  bool trace_lookups_off_by_one = false;
  // torch.distributed.reduce_scatter's list API (DeepSpeed 0.5.6): the framework builds one input
  // view per rank of the group in Python and ProcessGroupNCCL copies each into a flat buffer on the
  // NCCL stream, so the host time of a call grows with the group (and the GPU copies the gradient
  // once more before reducing it).
  bool reduce_scatter_list_copies = false;
  double reduce_scatter_host_per_rank_s = 0;  // host time per rank of the group, per call
  // DeepSpeed 0.5.6's fetch ends in a debug line whose f-string is evaluated even when not printed:
  // a norm of every parameter of the module (a kernel reading it) formatted on the host (.item(),
  // so the host waits for it).
  bool parameter_norm_in_hook = false;
  // Host time, seconds.
  double hook_s = 0;                 // a module's pre-forward / pre-backward hook
  double gather_pre_launch_s = 0;    // per gather call: buffer allocation, zero-fill, bookkeeping
  double collective_launch_s = 0;    // per collective call: the torch.distributed / NCCL launch
  double compute_launch_s = 0;       // per module's compute, Python and kernel launches
  // Memory, bytes per GPU.
  double cuda_context_bytes = 0;
  double nccl_bytes_per_communicator = 0;
  double allocator_reserve_fraction = 0;  // reserved but unusable, of the peak allocated

  // Every value read from the file and its source, in file order (for reports and the test that
  // lists every parameter with the data it was derived from).
  std::vector<std::pair<std::string, std::string>> sources;
};

// A shipped profile by name (topologies/frameworks/NAME.json) or a path to a profile file;
// "ideal" is built in. Throws InputError naming the file and field, or listing the shipped names.
FrameworkProfile load_framework(const std::string& name_or_path);
std::vector<std::string> shipped_frameworks();  // includes "ideal"

}  // namespace shardsim
