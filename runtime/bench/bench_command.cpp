#include "runtime/bench/bench_command.hpp"

#include "runtime/bench/bench_prediction.hpp"
#include "runtime/bench/nccl_choice.hpp"
#include "runtime/bench/bench_report.hpp"
#include "runtime/comm/hierarchical.hpp"
#ifdef SHARDSIM_HAVE_NCCL
#include "runtime/nccl/nccl_prediction.hpp"
#endif
#include "sim/units/units.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace shardsim::runtime {
namespace {

std::vector<std::string> comma_list(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream stream(text);
  for (std::string item; std::getline(stream, item, ',');) {
    if (!item.empty()) items.push_back(item);
  }
  return items;
}

std::uint64_t size_option(const char* flag, const std::string& text) {
  try {
    return parse_size_bytes(text);
  } catch (const std::exception& error) {
    throw RuntimeError(fmt::format("{}: {}", flag, error.what()));
  }
}

// The group's communicator, driven flat or two-level.
struct GroupCollectives {
  Communicator& group;
  HierarchicalCollectives* two_level = nullptr;

  void run(CollectiveKind op, const void* send, void* recv, std::size_t count, DataType type) {
    two_level ? two_level->run(op, send, recv, count, type) : group.collective(op, send, recv, count, type);
  }
  void synchronize() { two_level ? two_level->synchronize() : group.synchronize(); }
};

// Sums values over every rank of the world (device memory on NCCL, so through a Buffer).
std::vector<double> sum_over_world(Communicator& world, std::vector<double> values) {
  const std::size_t bytes = values.size() * sizeof(double);
  Buffer buffer = world.allocate(bytes);
  world.copy_from_host(buffer, values.data(), bytes);
  world.all_reduce(buffer.data(), buffer.data(), values.size(), DataType::f64);
  world.synchronize();
  world.copy_to_host(values.data(), buffer, bytes);
  return values;
}

void inject_test_failure(const BenchCommandOptions& options, int world_rank) {
  if (world_rank == options.test_kill_rank) std::raise(SIGKILL);
  if (world_rank == options.test_stall_rank) std::this_thread::sleep_for(std::chrono::hours(1));
}

BenchMeasurement measure(GroupCollectives& collectives, World& world, const BenchCommandOptions& options,
                         CollectiveKind op, const SizePoint& size, DataType type, bool in_place) {
  Communicator& group = collectives.group;
  const int p = group.size();
  const int rank = group.rank();
  const std::size_t element = size_of(type);
  const std::size_t in_bytes = input_elements(op, size.count, p) * element;
  const std::size_t out_bytes = output_elements(op, size.count, p) * element;
  std::vector<char> host_input(in_bytes);
  fill_input(host_input.data(), in_bytes / element, type, rank);

  // In place follows NCCL: all_gather's input is its rank's slice of the output, reduce_scatter's
  // output its rank's slice of the input.
  Buffer send_buffer = group.allocate(in_place ? std::max(in_bytes, out_bytes) : in_bytes);
  Buffer recv_buffer = in_place ? send_buffer : group.allocate(out_bytes);
  const std::size_t rank_slice = static_cast<std::size_t>(rank) * size.count * element;
  const std::size_t send_offset = in_place && op == CollectiveKind::all_gather ? rank_slice : 0;
  const std::size_t recv_offset = in_place && op == CollectiveKind::reduce_scatter ? rank_slice : 0;
  char* send = send_buffer.at(send_offset);
  char* recv = recv_buffer.at(recv_offset);

  // Checked run on fresh data first; the timed loops may then overwrite it (in place).
  if (in_place && op == CollectiveKind::all_gather) {
    std::vector<char> staged(out_bytes);
    std::copy(host_input.begin(), host_input.end(), staged.begin() + send_offset);
    group.copy_from_host(send_buffer, staged.data(), out_bytes);
  } else {
    group.copy_from_host(send_buffer, host_input.data(), in_bytes);
  }
  collectives.run(op, send, recv, size.count, type);
  collectives.synchronize();
  std::vector<char> host_output(recv_offset + out_bytes);
  group.copy_to_host(host_output.data(), recv_buffer, recv_offset + out_bytes);
  const std::size_t wrong = count_wrong(op, host_output.data() + recv_offset, size.count, type, rank, p);

  for (int i = 0; i < options.warmup; ++i) collectives.run(op, send, recv, size.count, type);
  collectives.synchronize();
  inject_test_failure(options, world.info.rank);
  world.communicator->barrier();
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < options.iterations; ++i) collectives.run(op, send, recv, size.count, type);
  collectives.synchronize();
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;

  const auto sums = sum_over_world(*world.communicator, {elapsed.count() / options.iterations, static_cast<double>(wrong)});
  BenchMeasurement m;
  const double time_s = sums[0] / world.info.world_size;
  m.time_us = time_s / kMicrosecond;
  m.algbw_GBps = static_cast<double>(size.bytes) / time_s / kGB;
  m.busbw_GBps = m.algbw_GBps * bus_bandwidth_factor(op, p);
  m.wrong = static_cast<std::uint64_t>(sums[1]);
#ifdef SHARDSIM_HAVE_NCCL
  // Outside the timed loop: NCCL's model needs the call's shape only and launches nothing.
  if (collectives.two_level == nullptr) {
    m.nccl_predicted_time_us = nccl_predicted_time_us(group, op, size.count, type);
  }
#endif
  return m;
}

}  // namespace

BenchPlan make_bench_plan(const BenchCommandOptions& options, int world_size, int ranks_per_node) {
  BenchPlan plan;
  for (const auto& op : comma_list(options.ops)) plan.ops.push_back(parse_collective_kind(op));
  if (plan.ops.empty()) throw RuntimeError("--ops: name at least one of all_gather, reduce_scatter, all_reduce");
  plan.algorithm = parse_algorithm(options.algorithm);
  if (plan.algorithm == Algorithm::tree)
    throw RuntimeError("--algo tree: NCCL picks its tree itself inside a flat call (--algo ring with NCCL_ALGO=Tree); "
                       "the runtime runs ring or hierarchical");
  plan.type = parse_data_type(options.dtype);
  plan.group = parse_group_spec(options.group, world_size);
  plan.sizes = sweep_sizes(size_option("-b", options.min_bytes), size_option("-e", options.max_bytes), options.factor);
  if (options.predict && options.topology.empty())
    throw RuntimeError("--predict needs --topology: the instance (name or file) to predict on, with the job's ranks per node");
  if (!options.predict && (!options.topology.empty() || !options.nccl.empty()))
    throw RuntimeError("--topology and --nccl go with --predict");
  if (options.predict) {
    // Checked before any rank starts: the instance loads, has the job's shape, and the library exists.
    const InstanceType instance = load_instance_by_name(options.topology);
    check_prediction_shape(instance, ranks_per_node);
    load_collective_library(options.nccl, instance);
  }
  if (options.iterations < 1) throw RuntimeError(fmt::format("-n {}: at least one iteration", options.iterations));
  if (options.warmup < 0) throw RuntimeError(fmt::format("-w {}: warm-up iterations cannot be negative", options.warmup));
  if (ranks_per_node < 1 || world_size % ranks_per_node != 0) {
    throw RuntimeError(fmt::format("{} ranks per node does not divide the {} ranks", ranks_per_node, world_size));
  }
  // Memory, checked before any rank connects or prints: measure() holds about four buffers of the
  // largest size per rank (host input and output, send and receive or the staged copy).
  const std::uint64_t largest = plan.sizes.empty() ? 0 : *std::max_element(plan.sizes.begin(), plan.sizes.end());
  const double needed_per_rank = 4.0 * static_cast<double>(largest);
  const double pages = static_cast<double>(::sysconf(_SC_PHYS_PAGES));
  const double page_size = static_cast<double>(::sysconf(_SC_PAGESIZE));
  if (pages > 0 && page_size > 0) {
    const double allowed_per_rank = pages * page_size / 2 / ranks_per_node;
    if (needed_per_rank > allowed_per_rank)
      throw RuntimeError(fmt::format("-e {}: the largest size needs about {} per rank (four buffers), more than half of "
                                     "this machine's {} of memory over its {} rank{}; use a smaller -e",
                                     options.max_bytes, format_size(static_cast<std::uint64_t>(std::min(needed_per_rank, 1.8e19))),
                                     format_size(static_cast<std::uint64_t>(pages * page_size)), ranks_per_node,
                                     ranks_per_node == 1 ? "" : "s"));
  }
  return plan;
}

CLI::App* add_bench_command(CLI::App& app, BenchCommandOptions& options) {
  auto* command = app.add_subcommand(
      "bench",
      "nccl-tests-style sweep of collectives: time, algbw, busbw and #wrong, out of place and in place. Sizes are "
      "whole buffers (all_gather output, reduce_scatter input) rounded down to a multiple of group size x element "
      "size for all_gather, reduce_scatter and the hierarchical all_reduce, as nccl-tests does");
  command->add_option("--ops", options.ops, "comma-separated: all_gather, reduce_scatter, all_reduce")->capture_default_str();
  command->add_option("--algo", options.algorithm, "ring (flat) or hierarchical (MiCS two-level)")->capture_default_str();
  command->add_option("-b,--minbytes", options.min_bytes, "smallest size (1K = 1024 bytes, as nccl-tests)")->capture_default_str();
  command->add_option("-e,--maxbytes", options.max_bytes, "largest size")->capture_default_str();
  command->add_option("-f,--stepfactor", options.factor, "multiply the size by this each step")->capture_default_str();
  command->add_option("-d,--dtype", options.dtype, "f32, f64, f16, bf16, i32, i64 (or nccl-tests' names)")->capture_default_str();
  command->add_option("--group", options.group, "world, partition:P (groups of P consecutive ranks) or replication:P")
      ->capture_default_str();
  command->add_option("-n,--iters", options.iterations, "timed iterations per size")->capture_default_str();
  command->add_option("-w,--warmup_iters", options.warmup, "untimed iterations before them")->capture_default_str();
  command->add_flag("--json", options.json, "print {\"results\": [...]} instead of the table");
  command->add_flag("--predict", options.predict,
                    "also print shardsim's prediction of every row on the modelled cluster, with NCCL's modelled algorithm, protocol and channels");
  command->add_option("--topology", options.topology, "with --predict: the instance (name or file) whose GPUs per node are the job's ranks per node");
  command->add_option("--nccl", options.nccl, "with --predict: the collective library (an NCCL version or gloo; default: the instance's)");
  command->add_flag("--nccl-choice", options.nccl_choice,
                    "with --backend nccl: also print the algorithm, protocol and channels NCCL ran each size with, from its own "
                    "TUNING log (sets NCCL_DEBUG=INFO NCCL_DEBUG_SUBSYS=TUNING into a file of each rank; logging costs host time per call)");
  command->add_option("--test-kill-rank", options.test_kill_rank)->group("");
  command->add_option("--test-stall-rank", options.test_stall_rank)->group("");
  return command;
}

int run_bench_command(const BenchCommandOptions& options, World& world) {
  const LaunchInfo& info = world.info;
  const BenchPlan plan = make_bench_plan(options, info.world_size, info.local_world_size);
  Communicator& world_comm = *world.communicator;
  std::unique_ptr<Communicator> split_group;
  if (plan.group.kind != GroupSpec::Kind::world) {
    split_group = world_comm.split(plan.group.colour(info.rank), info.rank, plan.group.text());
  }
  Communicator& group = split_group ? *split_group : world_comm;
  std::unique_ptr<HierarchicalCollectives> two_level;
  if (plan.algorithm == Algorithm::hierarchical) two_level = std::make_unique<HierarchicalCollectives>(group, info.node, "bench");
  GroupCollectives collectives{group, two_level.get()};

  BenchContext context;
  context.backend = world_comm.backend();
  context.world_size = info.world_size;
  context.ranks_per_node = info.local_world_size;
  context.nodes = info.world_size / info.local_world_size;
  context.group = plan.group;
  context.group_ranks_per_node = plan.group.ranks_per_node(info.world_size, info.local_world_size);
  context.group_nodes = group.size() / context.group_ranks_per_node;
  context.iterations = options.iterations;
  context.warmup = options.warmup;

  const bool printing = info.rank == 0;
  auto print = [&](const std::string& text) {
    if (printing && !options.json) {
      std::fputs(text.c_str(), stdout);
      std::fflush(stdout);
    }
  };
  print(table_preamble(context));
  std::vector<BenchRow> rows;
  for (CollectiveKind op : plan.ops) {
    print(table_header(op, plan.algorithm));
    for (std::uint64_t requested : plan.sizes) {
      const SizePoint size = size_point(op, plan.algorithm, requested, plan.type, group.size());
      if (size.count == 0) {
        print(fmt::format("# {} bytes: skipped, less than one element per rank of the group\n", requested));
        continue;
      }
      BenchRow row{op, plan.algorithm, plan.type, size, {}, {}, {}};
      row.out_of_place = measure(collectives, world, options, op, size, plan.type, false);
      row.in_place = measure(collectives, world, options, op, size, plan.type, true);
      print(table_row(row));
      rows.push_back(row);
    }
  }
  print(table_footer(rows));
  std::vector<BenchPrediction> predictions;
  std::string library_name, instance_name;
  if (printing && options.predict) {
    const InstanceType instance = load_instance_by_name(options.topology);
    const CollectiveLibrary library = load_collective_library(options.nccl, instance);
    predictions = predict_bench(context, rows, instance, library);
    library_name = library.is_nccl() ? "NCCL " + library.name + "'s model" : library.name;
    instance_name = instance.name;
  }
  if (printing && !options.nccl_choice_log.empty()) {
    if (const std::string warning = attach_nccl_choices(rows, options.nccl_choice_log); !warning.empty())
      std::fprintf(stderr, "shardsim-run: warning: %s\n", warning.c_str());
  }
  if (printing) print(nccl_view_table(rows, predictions, library_name, instance_name));
  if (printing && options.json) std::fputs(results_json(context, rows, predictions).c_str(), stdout);
  std::uint64_t wrong = 0;
  for (const auto& row : rows) wrong += row.out_of_place.wrong + row.in_place.wrong;
  if (wrong > 0) {
    if (printing) std::fprintf(stderr, "shardsim-run: error: %llu results were wrong (see #wrong)\n", static_cast<unsigned long long>(wrong));
    return 1;
  }
  return 0;
}

}  // namespace shardsim::runtime
