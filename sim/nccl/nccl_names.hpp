// NCCL's algorithms and protocols, in NCCL's own index order (src/include/device.h: TREE=0,
// RING=1, COLLNET_DIRECT=2, COLLNET_CHAIN=3, NVLS=4, NVLS_TREE=5, PAT=6; LL=0, LL128=1,
// SIMPLE=2), and the names NCCL_ALGO / NCCL_PROTO spell them with. The hardware rows of NCCL's
// latency table (NCCL_HW_NVLINK=0, NCCL_HW_PCI=1, NCCL_HW_NET=2) are indexed the same way.
// See shared/reference/nccl-tuning-model.md §1.1.
#pragma once

#include <array>
#include <string>

namespace shardsim {

enum class NcclAlgorithm { tree, ring, collnet_direct, collnet_chain, nvls, nvls_tree, pat };
enum class NcclProtocol { ll, ll128, simple };
enum class NcclHardware { nvlink, pci, net };

inline constexpr int kNcclAlgorithms = 7;
inline constexpr int kNcclProtocols = 3;
inline constexpr int kNcclHardware = 3;

inline constexpr std::array<NcclAlgorithm, kNcclAlgorithms> kAllNcclAlgorithms = {
    NcclAlgorithm::tree, NcclAlgorithm::ring, NcclAlgorithm::collnet_direct, NcclAlgorithm::collnet_chain,
    NcclAlgorithm::nvls, NcclAlgorithm::nvls_tree, NcclAlgorithm::pat};
inline constexpr std::array<NcclProtocol, kNcclProtocols> kAllNcclProtocols = {NcclProtocol::ll, NcclProtocol::ll128,
                                                                             NcclProtocol::simple};

inline constexpr int nccl_index(NcclAlgorithm a) { return static_cast<int>(a); }
inline constexpr int nccl_index(NcclProtocol p) { return static_cast<int>(p); }
inline constexpr int nccl_index(NcclHardware h) { return static_cast<int>(h); }

// NCCL_ALGO / NCCL_PROTO spellings: "Tree", "Ring", "CollnetDirect", "CollnetChain", "NVLS",
// "NVLSTree", "PAT"; "LL", "LL128", "Simple".
const char* to_string(NcclAlgorithm algorithm);
const char* to_string(NcclProtocol protocol);
// Lower-case keys of the data files ("nvls_tree", "ll128").
const char* data_key(NcclAlgorithm algorithm);
const char* data_key(NcclProtocol protocol);

// Case-insensitive; accepts NCCL's spelling and the data key. Throws InputError naming the choices.
NcclAlgorithm parse_nccl_algorithm(const std::string& text);
NcclProtocol parse_nccl_protocol(const std::string& text);

}  // namespace shardsim
