#include "sim/nccl/nccl_eligibility.hpp"

#include <fmt/format.h>

namespace shardsim {
namespace {

bool is_nvls(NcclAlgorithm a) { return a == NcclAlgorithm::nvls || a == NcclAlgorithm::nvls_tree; }

std::string hardware_reason(const NcclVersion& v, const NcclSystem& s, CollectiveKind kind, NcclAlgorithm a) {
  if (a == NcclAlgorithm::collnet_direct || a == NcclAlgorithm::collnet_chain)
    return "CollNet needs a CollNet (SHARP) network plugin, which aws-ofi-nccl on EFA does not provide";
  if (is_nvls(a)) {
    if (s.nvls.channels == 0) return fmt::format("{} needs NVLink SHARP (H100 NVSwitch); {} has none", to_string(a), s.instance);
    if (s.nvls.channels < v.nvls_min_channels)
      return fmt::format("{} needs at least {} channels, the NVLS graph has {}", to_string(a), v.nvls_min_channels, s.nvls.channels);
    if (s.ranks_per_node < 2) return fmt::format("{} needs at least 2 GPUs per node", to_string(a));
    if (a == NcclAlgorithm::nvls_tree && s.nodes < 2) return "NVLSTree needs more than one node";
    // tuning.cc (v2.18.3 to v2.28.9): without CollNet support, algoEnable[NVLS] = 0 when nNodes > 1.
    if (a == NcclAlgorithm::nvls && s.nodes > 1)
      return fmt::format("NVLS {} across nodes needs CollNet (NVLS + SHARP), which aws-ofi-nccl on EFA does not provide",
                         to_string(kind));
  }
  if (a == NcclAlgorithm::pat && s.ranks_per_node != 1)
    return fmt::format("PAT needs 1 GPU per node, the communicator has {}", s.ranks_per_node);
  return "";
}

}  // namespace

std::string nccl_ineligible_reason(const NcclVersion& v, const NcclSystem& s, CollectiveKind kind, NcclAlgorithm a,
                                   NcclProtocol p) {
  if (!v.runs(kind, a, NcclProtocol::ll) && !v.runs(kind, a, NcclProtocol::ll128) && !v.runs(kind, a, NcclProtocol::simple))
    return fmt::format("NCCL {} does not run {} for {} ({})", v.name, to_string(a), to_string(kind), v.file);
  if (!v.runs(kind, a, p))
    return fmt::format("NCCL {} runs {} {} without the {} protocol ({})", v.name, to_string(a), to_string(kind), to_string(p), v.file);
  if (std::string why = hardware_reason(v, s, kind, a); !why.empty()) return why;
  if (p == NcclProtocol::ll128 && !s.ll128_enabled)
    return fmt::format("LL128 is disabled by default on {} x {} (the instance file's nccl.ll128)", s.nodes, s.instance);
  return "";
}

}  // namespace shardsim
