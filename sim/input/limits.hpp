// The largest inputs shardsim accepts, in one place. Each limit keeps one run within a few GB of
// memory and a few minutes on one core; past it the input is refused before any work starts, with a
// one-line message naming the quantity, its value and the limit (never an out-of-memory kill or an
// hours-long silent run). The reasons are the measurements on a 2-core machine, noted per limit.
#pragma once

#include <cstdint>

namespace shardsim::limits {

// GPUs in one cluster: 2^20 = 1,048,576 (131,072 p4d nodes). At that size a topology summary takes
// 0.4 s and a node-symmetric 1 MiB all-gather over every GPU 31 s in 200 MB; step simulations are
// bounded separately by kMaxStepRingSteps.
inline constexpr std::int64_t kMaxClusterGpus = std::int64_t{1} << 20;

// Transformer layers in a model: the schedule holds a handful of ops per layer and micro-step, and
// every per-layer collective is simulated, so ten thousand layers are fine and a million are not.
inline constexpr std::int64_t kMaxModelLayers = 100'000;

// Layers x micro-steps in one step's schedule: about six ops of ~200 bytes each per layer and
// micro-step, so 2^20 of them is ~1.3 GB of schedule before any simulation.
inline constexpr std::int64_t kMaxLayerMicroSteps = std::int64_t{1} << 20;

// Ring steps in one simulated training step: the sum over the step's collectives of the steps of
// a flat ring over their group (p - 1 for a gather or reduce-scatter, 2(p - 1) for an all-reduce).
// Simulation time grows with it: GPT-3 175B with ZeRO-3 on 1024 GPUs is 0.6 million ring steps and
// 1.3 s; the limit allows about a minute, and refuses ZeRO-3 over a million GPUs (billions of
// steps, hours) before starting.
inline constexpr std::int64_t kMaxStepRingSteps = 30'000'000;

// Candidates in one plan sweep. Each feasible candidate is one full step simulation (0.1 s to over
// a second each), so 20,000 is already hours on 2 cores; a million-candidate sweep is refused
// after counting, before any candidate is evaluated.
inline constexpr std::int64_t kMaxPlanCandidates = 20'000;

// Sizes in a `collective --min-bytes/--max-bytes/--factor` sweep: each is one simulation.
inline constexpr std::int64_t kMaxSweepSizes = 200;

// Bytes in one input file (topology, scenario, model, DeepSpeed config, NCCL version, bench
// results). The shipped inputs are under 30 KB; a JSON tree takes ~17x its text in memory (a 200 MB
// file took 3.5 GB and 29 s), so 16 MiB is ~300 MB and well under a second. A larger file, and
// anything that is not a regular file (/dev/zero, a FIFO), is refused before it is read.
inline constexpr std::int64_t kMaxInputFileBytes = std::int64_t{16} << 20;

// Nesting of arrays and objects in one JSON input. The deepest shipped input nests 5 levels; the
// bound stops pathological inputs ([[[[...) before they are parsed.
inline constexpr int kMaxJsonDepth = 64;

// Devices and links declared in one node of a topology. The shipped nodes have at most 18 devices
// and 32 links; every route is a shortest-path search over the node, and every simulated flow
// crosses its links, so a node of 100,000 chained switches took 32 s and 1.1 GB for one collective.
inline constexpr std::int64_t kMaxNodeDevices = 1024;
inline constexpr std::int64_t kMaxNodeLinks = 4096;

// Physical quantities read from data files and flags, checked after unit conversion so that no
// value becomes infinite, zero or absurd inside the model (a bandwidth of 1e308 GBps, a 300-digit
// time). Rates: 1 KB/s to 1 PB/s (today's fastest links are ~1 TB/s). Times: up to one day. FLOP
// rates: up to 1e18 FLOP/s (one exaFLOP per GPU; today ~2e15).
inline constexpr double kMinRate_Bps = 1e3;
inline constexpr double kMaxRate_Bps = 1e15;
inline constexpr double kMaxTime_s = 86'400;
inline constexpr double kMaxFlops = 1e18;
// The least achievable compute rate (peak x efficiency) and link capacity (bandwidth x count x
// efficiency, or a fabric uplink's share after oversubscription) a topology may give: below them
// a step takes longer than the age of the universe and prints as a 300-digit time.
inline constexpr double kMinFlops = 1e6;

}  // namespace shardsim::limits
