// `shardsim-run bench`: an nccl-tests-compatible sweep of collectives (all_gather, reduce_scatter,
// all_reduce; flat ring or MiCS's two-level hierarchical) over sizes, on the world or on every
// partition/replication group at once, out of place and in place, checking every result.
#pragma once

#include "runtime/bench/bench_plan.hpp"
#include "runtime/launch/world.hpp"

#include <CLI/App.hpp>

namespace shardsim::runtime {

struct BenchCommandOptions {
  std::string ops = "all_gather,reduce_scatter,all_reduce";
  std::string algorithm = "ring";
  std::string min_bytes = "1K";
  std::string max_bytes = "64M";
  std::uint64_t factor = 2;
  std::string dtype = "f32";
  std::string group = "world";
  int iterations = 20;
  int warmup = 5;
  bool json = false;
  // --predict: shardsim's prediction of every row on the modelled cluster (bench_prediction.hpp),
  // with --topology (an instance name or file; its GPUs per node = the job's ranks per node) and
  // --nccl (the collective library, as `shardsim collective --nccl`; default: the instance's).
  bool predict = false;
  std::string topology;
  std::string nccl;
  // --nccl-choice: NCCL's own per-call choice from its TUNING log (nccl_choice.hpp). The CLI sets
  // nccl_choice_log, the file this rank's NCCL writes to, before the rank's first NCCL call.
  bool nccl_choice = false;
  std::string nccl_choice_log;
  // Test-only failure injection (hidden flags): this rank dies (SIGKILL) or stalls before its
  // first timed loop, so the failure handling of the other ranks and of the launcher is testable.
  int test_kill_rank = -1;
  int test_stall_rank = -1;
};

// What the options mean once parsed; throws RuntimeError naming the bad option.
struct BenchPlan {
  std::vector<CollectiveKind> ops;
  Algorithm algorithm = Algorithm::ring;
  DataType type = DataType::f32;
  GroupSpec group;
  std::vector<std::uint64_t> sizes;
};
BenchPlan make_bench_plan(const BenchCommandOptions& options, int world_size, int ranks_per_node);

CLI::App* add_bench_command(CLI::App& app, BenchCommandOptions& options);

// Collective over the world; rank 0 prints. Returns the exit status (1 when any result is wrong).
int run_bench_command(const BenchCommandOptions& options, World& world);

}  // namespace shardsim::runtime
