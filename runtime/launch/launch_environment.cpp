#include "runtime/launch/launch_environment.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cstdlib>

namespace shardsim::runtime {
namespace {

int parse_count(const std::string& name, const std::string& text) {
  int value = 0;
  const auto* end = text.data() + text.size();
  const auto [rest, error] = std::from_chars(text.data(), end, value);
  // SLURM_NTASKS_PER_NODE may read "4(x2)": the leading number is the count.
  const bool slurm_repeat = name == "SLURM_NTASKS_PER_NODE" && rest != end && *rest == '(';
  if (error != std::errc{} || (rest != end && !slurm_repeat) || value < 0) {
    throw RuntimeError(fmt::format("{}='{}' is not a non-negative whole number", name, text));
  }
  return value;
}

std::optional<int> read_int(const Environment& environment, const std::string& name) {
  const auto text = environment(name);
  if (!text || text->empty()) return std::nullopt;
  return parse_count(name, *text);
}

int require_int(const Environment& environment, const std::string& name, const std::string& launcher) {
  const auto value = read_int(environment, name);
  if (!value) throw RuntimeError(fmt::format("{} is not set although the {} variables are", name, launcher));
  return *value;
}

}  // namespace

Environment process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

LaunchEnvironment read_launch_environment(const Environment& environment, int ranks_per_node) {
  LaunchEnvironment result;
  LaunchInfo& info = result.info;
  if (read_int(environment, "RANK")) {
    result.launcher = "torchrun";
    info.rank = require_int(environment, "RANK", "torchrun");
    info.world_size = require_int(environment, "WORLD_SIZE", "torchrun");
    info.local_rank = read_int(environment, "LOCAL_RANK").value_or(info.rank);
    info.local_world_size = read_int(environment, "LOCAL_WORLD_SIZE").value_or(info.world_size);
  } else if (read_int(environment, "OMPI_COMM_WORLD_RANK")) {
    result.launcher = "openmpi";
    info.rank = require_int(environment, "OMPI_COMM_WORLD_RANK", "OpenMPI");
    info.world_size = require_int(environment, "OMPI_COMM_WORLD_SIZE", "OpenMPI");
    info.local_rank = require_int(environment, "OMPI_COMM_WORLD_LOCAL_RANK", "OpenMPI");
    info.local_world_size = require_int(environment, "OMPI_COMM_WORLD_LOCAL_SIZE", "OpenMPI");
  } else if (read_int(environment, "SLURM_PROCID")) {
    result.launcher = "slurm";
    info.rank = require_int(environment, "SLURM_PROCID", "Slurm");
    info.world_size = require_int(environment, "SLURM_NTASKS", "Slurm");
    info.local_rank = require_int(environment, "SLURM_LOCALID", "Slurm");
    const auto per_node = read_int(environment, "SLURM_NTASKS_PER_NODE");
    const auto nodes = read_int(environment, "SLURM_NNODES");
    if (per_node) {
      info.local_world_size = *per_node;
    } else if (nodes && *nodes > 0) {
      info.local_world_size = info.world_size / *nodes;
    } else {
      throw RuntimeError("Slurm: neither SLURM_NTASKS_PER_NODE nor SLURM_NNODES is set; run srun with --ntasks-per-node");
    }
  } else {
    result.launcher = "none";
  }
  if (ranks_per_node > 0) {
    info.local_world_size = ranks_per_node;
    info.local_rank = info.rank % ranks_per_node;
  }
  if (info.world_size < 1) throw RuntimeError(fmt::format("world size {} from {}: must be at least 1", info.world_size, result.launcher));
  if (info.rank >= info.world_size) {
    throw RuntimeError(fmt::format("rank {} is outside the world of {} ranks ({} variables)", info.rank, info.world_size, result.launcher));
  }
  if (info.local_world_size < 1 || info.world_size % info.local_world_size != 0) {
    throw RuntimeError(fmt::format("{} ranks per node does not divide the world of {} ranks", info.local_world_size, info.world_size));
  }
  // Nodes are numbered rank / k, which needs block placement (Slurm's and torchrun's default).
  if (info.local_rank != info.rank % info.local_world_size) {
    throw RuntimeError(fmt::format("rank {} has local rank {}, expected {} with {} ranks per node: place ranks "
                                   "block-wise (srun --distribution=block, mpirun --map-by core)",
                                   info.rank, info.local_rank, info.rank % info.local_world_size, info.local_world_size));
  }
  info.node = info.rank / info.local_world_size;
  return result;
}

Rendezvous choose_rendezvous(const Environment& environment, const LaunchInfo& info) {
  Rendezvous rendezvous;
  if (const auto directory = environment("SHARDSIM_STORE_DIR"); directory && !directory->empty()) {
    rendezvous.kind = Rendezvous::Kind::file;
    rendezvous.directory = *directory;
    return rendezvous;
  }
  const auto host = environment("MASTER_ADDR");
  const auto port = read_int(environment, "MASTER_PORT");
  if (host && !host->empty() && port) {
    if (*port < 1 || *port > 65535) throw RuntimeError(fmt::format("MASTER_PORT={} is not a TCP port", *port));
    rendezvous.kind = Rendezvous::Kind::tcp;
    rendezvous.host = *host;
    rendezvous.port = *port;
    return rendezvous;
  }
  if (info.world_size > 1) {
    throw RuntimeError(fmt::format("no rendezvous for {} ranks: set MASTER_ADDR and MASTER_PORT (rank 0 serves a "
                                   "TCP store), or SHARDSIM_STORE_DIR (a fresh directory every rank can reach)",
                                   info.world_size));
  }
  return rendezvous;
}

}  // namespace shardsim::runtime
