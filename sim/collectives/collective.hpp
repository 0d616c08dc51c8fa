// The one vocabulary of collectives, shared by the simulator and the live runtime: the kinds,
// the algorithms, nccl-tests' size conventions and bus-bandwidth factor, and a CollectivePlan,
// which says who sends how many bytes to whom, phase by phase, never how long it takes. A plan's
// phases are a std::variant: a RingPhase is one collective run at once by several disjoint groups
// of the same scope (the whole group, the inter-node groups of ranks with the same local index,
// or the intra-node groups), each as rings doing `steps` steps in which every member sends
// `bytes_per_step` to its successor; a CopyPhase is a local copy every member makes. Byte sizes
// follow nccl-tests: M is the all-gather output, the reduce-scatter input, the all-reduce vector.
// The simulator costs a plan on a modelled network (collsim/) or in closed form (formulas/); the
// runtime executes the same phases on split communicators (runtime/comm/hierarchical).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace shardsim {

enum class CollectiveKind { all_gather, reduce_scatter, all_reduce };
// ring: one flat ring over the group; hierarchical: MiCS's two-level plan; tree: NCCL's double
// binary tree all-reduce (an intra-node chain under two inter-node binary trees); nvls_tree:
// NCCL's NVLS_TREE all-reduce (NVLink SHARP in-switch reduction and multicast inside each node,
// a double binary tree over the nodes between the NIC-attached heads); pat: NCCL's PAT all-gather
// and reduce-scatter at one rank per node (pat_plan.hpp). Tree, NVLS-tree and PAT run only inside
// NCCL (library_plan.hpp); parse_algorithm accepts neither "nvls_tree" nor "pat", nor the runtime.
enum class Algorithm { ring, hierarchical, tree, nvls_tree, pat };

const char* to_string(CollectiveKind kind);
const char* to_string(Algorithm algorithm);
CollectiveKind parse_collective_kind(const std::string& text);  // throws InputError
Algorithm parse_algorithm(const std::string& text);             // throws InputError

// nccl-tests' busbw = algbw * factor: (n-1)/n for all-gather and reduce-scatter, 2(n-1)/n for all-reduce.
double bus_bandwidth_factor(CollectiveKind kind, int group_size);

// Element counts in the call convention of NCCL and of runtime::Communicator: `count` is per rank
// for all_gather (its input) and reduce_scatter (its output), the whole vector for all_reduce.
std::size_t input_elements(CollectiveKind kind, std::size_t count, int group_size);
std::size_t output_elements(CollectiveKind kind, std::size_t count, int group_size);

// Which communicator runs a phase: the collective's whole group, the inter-node groups (one per
// local index, one rank per node) or the intra-node groups (one per node).
enum class PhaseScope { group, inter_node, intra_node };
const char* to_string(PhaseScope scope);

// How a backend moves one ring step over a connection, where its connections have a bounded FIFO
// (NCCL: NCCL_STEPS slots per connection, src/transport/net.cc "transmitted < done + NCCL_STEPS",
// the same in p2p.cc): a step's data is cut into chunks (`chunk_data_bytes`, the loop's chunk of
// enqueue.cc), each chunk sent as `messages_per_chunk` messages (Simple's slices, posted even when
// empty: prims_simple.h), and at most `in_flight_messages` of them occupy slots at once (NCCL_STEPS
// / sliceSteps). A slot is free again only once its message has crossed the hop and been consumed,
// so a hop carries at most in_flight_messages per (hop latency + message transfer): small steps
// over a high-latency hop are bounded by the FIFO, not the wire (formulas/alpha_beta.hpp
// fifo_step_floor_s). in_flight_messages 0: no bound (Gloo's TCP rings).
struct ConnectionFifo {
  double chunk_data_bytes = 0;
  int messages_per_chunk = 1;
  int in_flight_messages = 0;
};

// How a backend's protocol shapes a phase (NCCL's cost model, sim/nccl/): a start-up latency paid
// once per call, per-step latencies inside and across nodes that replace the routes' own (NCCL's
// hwLat plus the network plugin's declared latency), and the protocol's bandwidth efficiency (LL
// moves 8-byte lines carrying 4 bytes of data: 0.5), already applied to the phase's wire bytes.
// Absent: the routes' latencies and every byte useful (Gloo's plain TCP rings).
struct PhaseShape {
  std::string label;  // "nccl 2.28 ring LL128", for reports
  double base_latency_s = 0;
  double intra_step_latency_s = 0;
  double inter_step_latency_s = 0;
  double bandwidth_efficiency = 1;
  // The fraction of NVLink bandwidth NVLink SHARP's in-switch reduction and multicast achieve
  // (NCCL's nvlsEfficiency), applied to the wire bytes of a phase's GPU <-> NVSwitch transfers.
  double switch_efficiency = 1;
  ConnectionFifo fifo;  // a ring step's messages and the slots they may hold (no bound by default)
};

struct RingPhase {
  std::string label;                    // "inter-node all_gather", ...
  CollectiveKind kind = CollectiveKind::all_gather;  // what each of the phase's groups runs
  PhaseScope scope = PhaseScope::group;
  double collective_bytes = 0;          // M of each group's collective (nccl-tests convention)
  int group_size = 0;                   // ranks in each of the phase's groups
  // Filled by plan_collective from the topology (empty in collective_phases' shape-only plans).
  std::vector<std::vector<int>> rings;  // global ranks in ring order; each ring is cyclic
  double bytes_per_step = 0;            // what each member sends its successor per step
  int steps = 0;
  // The first `reducing_steps` steps end with each member folding the chunk it received into its
  // own (reduce-scatter: all of them; all-reduce: the first half); see GpuSpec::reduce_bandwidth_Bps.
  int reducing_steps = 0;
  std::optional<PhaseShape> shape;  // set by a backend model (plan_collective leaves it empty)
};

// The most rings any one member belongs to (one per channel it sends on): the chunks a member
// reduces in one step, since its rings' reductions all run on the same GPU.
int most_rings_per_member(const RingPhase& phase);

// A local copy every member makes between phases (the hierarchical gather placing the
// inter-node shards where the in-place intra-node gathers expect them).
struct CopyPhase {
  std::string label;
  double bytes = 0;  // bytes copied by each member
};

// Point-to-point transfers that start together and pipeline (a tree's reduction toward its roots
// or its broadcast back): the phase ends when the last one has arrived plus `latency_s`, the step
// latencies along the tree's depth.
// Where a transfer's bytes travel: over the route between two GPUs, or one NVLink hop between a
// GPU and its node's NVSwitch (NVLink SHARP: the switch reduces what the GPUs send it and
// multicasts what one GPU writes to it), the other end then being the same GPU.
enum class TransferPath { gpu_to_gpu, gpu_to_switch, switch_to_gpu };
struct Transfer {
  int from = 0;
  int to = 0;
  double bytes = 0;
  TransferPath path = TransferPath::gpu_to_gpu;
};
struct TransferPhase {
  std::string label;
  std::vector<Transfer> transfers;
  double latency_s = 0;
  int steps = 0;  // the sequential steps it counts as (a PAT dimension: 1; a tree's pipelined phase: 0)
};

using PlanPhase = std::variant<RingPhase, CopyPhase, TransferPhase>;

struct CollectivePlan {
  CollectiveKind kind = CollectiveKind::all_gather;
  Algorithm algorithm = Algorithm::ring;
  std::vector<int> group;
  double bytes = 0;
  int channels = 1;
  std::vector<PlanPhase> phases;

  int sequential_steps() const;
  // The rings of every ring phase, in order (what node-symmetry detection looks at).
  std::vector<const std::vector<std::vector<int>>*> ring_sets() const;
  // The transfers of every transfer phase, in order (node-symmetry detection looks at them too).
  std::vector<const std::vector<Transfer>*> transfer_sets() const;
  // Whether every phase is rings or copies.
  bool only_rings() const;
};

// `other`, the same collective planned on another group of the same shape, joins `into` phase by
// phase: the groups run at once, so each phase holds both plans' rings or transfers (copies are
// per member already). Throws std::logic_error when the phases differ in number or kind.
void join_concurrent(CollectivePlan& into, CollectivePlan&& other);

}  // namespace shardsim
