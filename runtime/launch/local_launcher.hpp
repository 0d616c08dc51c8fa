// `shardsim-run --local-ranks N`: starts N copies of this program on this machine as ranks of one
// job (torchrun-style variables, a fresh file-store directory), forwards rank 0's standard output
// and every rank's standard error prefixed with its rank, and supervises them: when a rank fails,
// the others get `grace` to stop on their own (they notice the dead peer within their timeout),
// then are killed, and the launcher reports which rank failed first and how. When the ranks that
// failed did so only because their waits timed out, the ranks still running went silent: they are
// killed a second later and named as the cause.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace shardsim::runtime {

// Set in every rank's environment; a rank seeing it does not launch again.
inline constexpr const char* kLocalLauncherVariable = "SHARDSIM_LOCAL_LAUNCHER";

struct LocalLaunchOptions {
  int ranks = 1;
  int ranks_per_node = 0;             // 0: all ranks on one node
  std::chrono::milliseconds grace{60000};  // after the first failure
  std::chrono::milliseconds peer_timeout{60000};  // the ranks' --timeout-s, for the summary
  std::chrono::milliseconds job_timeout{0};  // 0: none
};

// The NCCL_HOSTID rank `rank` is started with: where the ranks emulate several nodes
// (ranks_per_node < ranks), one per emulated node, "shardsim-emulated-node-<n>". NCCL takes a
// process's host from NCCL_HOSTID when it is set (getHostHash, src/misc/utils.cc), and connects ranks
// of different hosts only through its network transport (P2P and SHM need the same host), so the
// emulated nodes talk as nodes do, and NCCL's tuning sees the emulated node count. Empty (leave the
// environment alone) on one node, or when the user set NCCL_HOSTID. Gloo ignores it.
std::string emulated_node_host_id(const LocalLaunchOptions& options, int rank);

// arguments: the command line after the program name, passed to every rank unchanged. Returns 0
// when every rank succeeded; otherwise throws RuntimeError with a one-line summary (which rank
// failed first, with what status or signal), after every rank has stopped.
int run_local_ranks(const std::vector<std::string>& arguments, const LocalLaunchOptions& options);

}  // namespace shardsim::runtime
