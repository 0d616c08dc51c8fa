// shardsim-run: the live runtime. Every rank runs this program; `--local-ranks N` makes it start
// the N ranks itself. Only this file turns errors into a one-line message and an exit status:
// 0 ok, 1 a user error or a failed rank, 2 an internal error.
#include "runtime/backends/builtin_backends.hpp"
#include "runtime/bench/bench_command.hpp"
#include "runtime/bench/nccl_choice.hpp"
#include "runtime/launch/argument_check.hpp"
#include "runtime/launch/local_launcher.hpp"
#include "runtime/launch/world.hpp"
#include "runtime/gloo/gloo_world.hpp"
#ifdef SHARDSIM_HAVE_NCCL
#include "runtime/nccl/nccl_world.hpp"
#endif
#include "sim/about/build_info.hpp"
#include "sim/input/input_error.hpp"
#include "sim/input/output_file.hpp"

#if __has_include("runtime/step/step_command.hpp")
#include "runtime/step/gemm_command.hpp"
#include "runtime/step/step_command.hpp"
#define SHARDSIM_HAVE_STEP_COMMAND 1
#endif

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace {

using namespace shardsim::runtime;

// A rank's scratch file (--nccl-choice's log), removed when the rank ends, however it ends.
struct RemovedOnExit {
  const std::string& path;  // empty: nothing to remove
  explicit RemovedOnExit(const std::string& file) : path(file) {}
  RemovedOnExit(const RemovedOnExit&) = delete;
  RemovedOnExit& operator=(const RemovedOnExit&) = delete;
  ~RemovedOnExit() {
    std::error_code ignored;
    if (!path.empty()) std::filesystem::remove(path, ignored);
  }
};

struct RunOptions {
  int local_ranks = 0;
  int ranks_per_node = 0;
  std::string backend = "cpu";
  double timeout_s = 60;
  double job_timeout_s = 0;
  std::string hostname;
  double inter_node_delay_us = 0;
};

// A rank that failed lets its peers notice (they fail within their own timeout) before the
// local launcher kills them; this margin covers their exit.
constexpr double kLauncherGraceMargin_s = 2;

// The largest values the numeric run flags take: a day of timeout, a second of emulated latency,
// a thousand ranks on one machine. Beyond them (and for nan, inf and negatives) the flag is refused
// before anything starts, rather than Gloo failing on an absurd timeout.
constexpr double kMaxTimeout_s = 86'400;
constexpr double kMaxInterNodeDelay_us = 1e6;
constexpr int kMaxLocalRanks = 1024;

void check_run_options(const RunOptions& o) {
  if (!std::isfinite(o.timeout_s) || !(o.timeout_s > 0) || o.timeout_s > kMaxTimeout_s)
    throw RuntimeError(fmt::format("--timeout-s {}: must be a positive number of seconds, at most {:g}", o.timeout_s, kMaxTimeout_s));
  if (!std::isfinite(o.job_timeout_s) || o.job_timeout_s < 0 || o.job_timeout_s > 7 * kMaxTimeout_s)
    throw RuntimeError(fmt::format("--job-timeout-s {}: must be 0 (no limit) or a positive number of seconds, at most {:g}",
                                   o.job_timeout_s, 7 * kMaxTimeout_s));
  if (!std::isfinite(o.inter_node_delay_us) || o.inter_node_delay_us < 0 || o.inter_node_delay_us > kMaxInterNodeDelay_us)
    throw RuntimeError(fmt::format("--inter-node-delay-us {}: must be between 0 and {:g}", o.inter_node_delay_us,
                                   kMaxInterNodeDelay_us));
  if (o.local_ranks < 0 || o.local_ranks > kMaxLocalRanks)
    throw RuntimeError(fmt::format("--local-ranks {}: must be between 1 and {}", o.local_ranks, kMaxLocalRanks));
  if (o.ranks_per_node < 0) throw RuntimeError(fmt::format("--ranks-per-node {}: must be positive", o.ranks_per_node));
}

void add_run_options(CLI::App& app, RunOptions& options) {
  app.add_option("--local-ranks", options.local_ranks, "start this many ranks on this machine (else: launched by torchrun, mpirun or srun)");
  app.add_option("--ranks-per-node", options.ranks_per_node, "ranks per (emulated) node; default: the launcher's LOCAL_WORLD_SIZE, or all ranks");
  app.add_option("--backend", options.backend, "cpu (Gloo over TCP) or nccl (GPUs)")->capture_default_str();
  app.add_option("--timeout-s", options.timeout_s, "a peer silent this long is an error (never a hang)")->capture_default_str();
  app.add_option("--job-timeout-s", options.job_timeout_s, "with --local-ranks: stop every rank after this long (0: no limit)")->capture_default_str();
  app.add_option("--hostname", options.hostname, "address Gloo listens on (default: SHARDSIM_GLOO_HOSTNAME, else 127.0.0.1 on one node, else the host name)");
  app.add_option("--inter-node-delay-us", options.inter_node_delay_us,
                 "EMULATION ONLY (the emulated cluster has no netem): every message to another node enters the transport this long after it was sent, as if the wire had this latency")
      ->capture_default_str();
}

int run(int argc, char** argv) {
  CLI::App app{"shardsim-run: run shardsim's collectives and schedules live (Gloo on CPUs, NCCL on GPUs)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", shardsim::version_string("shardsim-run"));
  app.fallthrough();
  RunOptions run_options;
  add_run_options(app, run_options);
  BenchCommandOptions bench_options;
  CLI::App* bench = add_bench_command(app, bench_options);
#if defined(SHARDSIM_HAVE_STEP_COMMAND)
  StepCommandOptions step_options;
  CLI::App* step = add_step_command(app, step_options);
  GemmCommandOptions gemm_options;
  CLI::App* gemm = add_gemm_command(app, gemm_options);
#endif
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    shardsim::print_error_line("shardsim-run", "error", e.what());
    return 1;
  }
  check_run_options(run_options);
  if (bench->parsed() && bench_options.nccl_choice) {
    if (run_options.backend != "nccl") throw RuntimeError("--nccl-choice needs --backend nccl: it reads NCCL's own TUNING log");
    check_nccl_debug_unset();
  }
  const std::vector<std::string> arguments(argv + 1, argv + argc);
  const auto timeout = std::chrono::milliseconds(static_cast<long long>(run_options.timeout_s * 1000));

  if (run_options.local_ranks > 0 && std::getenv(kLocalLauncherVariable) == nullptr) {
    // Check the arguments once here rather than have every rank report the same mistake.
    const int per_node = run_options.ranks_per_node > 0 ? run_options.ranks_per_node : run_options.local_ranks;
    if (bench->parsed()) make_bench_plan(bench_options, run_options.local_ranks, per_node);
    // The address Gloo will listen on, resolved and checked once here (every rank would fail alike).
    if (run_options.backend == "cpu" && !run_options.hostname.empty()) check_listen_address(run_options.hostname);
#ifdef SHARDSIM_HAVE_NCCL
    if (run_options.backend == "nccl") {
      const CudaDeviceQuery devices = query_cuda_devices();
      if (devices.count <= 0)
        throw RuntimeError(fmt::format("--backend nccl: no CUDA device visible (cudaGetDeviceCount: {}); use --backend cpu",
                                       devices.error.empty() ? "0 devices" : devices.error));
      // Ranks of one node share NCCL's host identity; two of them on one GPU are a "Duplicate GPU"
      // to NCCL. Emulated nodes (NCCL_HOSTID per node, local_launcher.hpp) may share a GPU.
      if (per_node > devices.count)
        throw RuntimeError(fmt::format("--backend nccl: {} ranks per node need {} GPUs, this machine has {} (NCCL refuses two ranks "
                                       "of one node on one GPU); emulate nodes of at most {} ranks with --ranks-per-node",
                                       per_node, per_node, devices.count, devices.count));
    }
#endif
#if defined(SHARDSIM_HAVE_STEP_COMMAND)
    if (step->parsed()) step_options.scenario.overrides();  // the values no scenario could take
#endif
    LocalLaunchOptions launch;
    launch.ranks = run_options.local_ranks;
    launch.ranks_per_node = run_options.ranks_per_node;
    launch.grace = timeout + std::chrono::milliseconds(static_cast<long long>(kLauncherGraceMargin_s * 1000));
    launch.peer_timeout = timeout;
    launch.job_timeout = std::chrono::milliseconds(static_cast<long long>(run_options.job_timeout_s * 1000));
    return run_local_ranks(arguments, launch);
  }

  // Before the first NCCL call of this process: NCCL reads its debug variables once.
  if (bench->parsed() && bench_options.nccl_choice) bench_options.nccl_choice_log = enable_nccl_choice_log();
  const RemovedOnExit remove_log{bench_options.nccl_choice_log};
  WorldOptions world_options;
  world_options.backend = run_options.backend;
  world_options.timeout = timeout;
  world_options.arguments_digest = arguments_digest(arguments);
  world_options.ranks_per_node = run_options.ranks_per_node;
  BuiltinBackendOptions backend_options;
  backend_options.gloo_hostname = run_options.hostname;
  backend_options.inter_node_delay_s = run_options.inter_node_delay_us * 1e-6;
  World world = join_world(world_options, builtin_backends(backend_options));
  try {
    int status = 0;
    if (bench->parsed()) status = run_bench_command(bench_options, world);
#if defined(SHARDSIM_HAVE_STEP_COMMAND)
    if (step->parsed()) status = run_step_command(step_options, world);
    if (gemm->parsed()) status = run_gemm_command(gemm_options, world);
#endif
    // Nobody tears down connections (or rank 0's rendezvous server) while a peer still uses them.
    world.communicator->barrier();
    return status;
  } catch (...) {
    world.communicator->abort();
    throw;
  }
}

}  // namespace

int main(int argc, char** argv) {
  shardsim::prepare_process_io();
  int status = 1;
  try {
    status = run(argc, argv);
  } catch (const RuntimeError& e) {
    shardsim::print_error_line("shardsim-run", "error", e.what());
  } catch (const shardsim::InputError& e) {
    shardsim::print_error_line("shardsim-run", "error", e.what());
  } catch (const std::system_error& e) {
    if (shardsim::stdout_failed()) {
      shardsim::print_error_line("shardsim-run", "error",
                                 fmt::format("standard output: write error ({})", std::strerror(e.code().value())));
    } else {
      shardsim::print_error_line("shardsim-run", "internal error", e.what());
      status = 2;
    }
  } catch (const std::exception& e) {
    shardsim::print_error_line("shardsim-run", "internal error", e.what());
    status = 2;
  }
  try {
    shardsim::finish_stdout();
  } catch (const shardsim::InputError& e) {
    if (status == 0) {
      shardsim::print_error_line("shardsim-run", "error", e.what());
      status = 1;
    }
  }
  return status;
}
