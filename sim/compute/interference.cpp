#include "sim/compute/interference.hpp"

namespace shardsim {

ComputeContention contention_of(const GpuSpec& gpu, const std::vector<CollectiveLoad>& in_flight) {
  ComputeContention c;
  if (gpu.sm_count <= 0 || (gpu.collective_hbm_traffic_factor <= 0 && gpu.default_collective_channels <= 0)) return c;
  int channels = 0;
  double link_Bps = 0;
  for (const CollectiveLoad& l : in_flight) {
    channels += l.channels;
    link_Bps += l.link_Bps;
  }
  c.blocks_held = channels;
  c.hbm_Bps_taken = gpu.collective_hbm_traffic_factor * link_Bps;
  return c;
}

}  // namespace shardsim
