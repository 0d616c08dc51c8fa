// Who a rank is in its job: its rank, the world size, its rank on its node, the ranks per node
// and its node index. Read from the launcher's variables (launch_environment.hpp); everything
// that groups ranks by node (hierarchical collectives, the emulated inter-node delay) uses it.
#pragma once

namespace shardsim::runtime {

struct LaunchInfo {
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;
  int local_world_size = 1;  // ranks per node (k)
  int node = 0;              // rank / local_world_size
};

}  // namespace shardsim::runtime
