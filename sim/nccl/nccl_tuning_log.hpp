// NCCL's own init-time cost table, read back from a log written with NCCL_DEBUG=INFO
// NCCL_DEBUG_SUBSYS=TUNING. Rank 0 of every communicator prints comm->latencies (us) and
// comm->bandwidths (algorithm bandwidth, GB/s) per function, algorithm and protocol at the end of
// ncclTopoTuneModel (src/graph/tuning.cc), each cell as "%8.1f/%6.1f |". The layout changed by
// release (read from NVIDIA/nccl's tags):
//   single_line      v2.8.3 .. v2.17.1: "Latency/AlgBw |" + " %7s/%6s |" per (algorithm, protocol),
//                    " Max NThreads |", then per function "%13s |" and every algorithm's cells;
//   half_blocks      v2.18.1 .. v2.22.3: 2 blocks of NCCL_NUM_ALGORITHMS/2 = 3 algorithms, each
//                    "  Algorithm   |" (" %14s   %14s   %14s |" per algorithm), "  Protocol    |"
//                    (" %14s |" x 9), " Max NThreads |", then that block's function rows;
//   blocks_of_three  v2.23.4 ..: the same block lines, 3 algorithms a block (PAT alone in the
//                    last, whose Protocol line still names 9 protocols).
// Every line carries NCCL's prefix "host:pid:tid [dev] NCCL INFO " (after a timestamp where
// NCCL_DEBUG_TIMESTAMP_FORMAT asks for one); other lines and INFO lines that are not the table are
// skipped, and each "host:pid:tid [dev]" source reads its own table, so tables of several
// processes interleaved in one combined log are read apart. Each table comes back in the shape of nccl_tune_model's, so the same
// ncclTopoGetAlgoTime and arg-min run on what NCCL itself computed (nccl_table_compare.hpp).
#pragma once

#include "sim/collectives/collective.hpp"
#include "sim/nccl/nccl_cost_model.hpp"

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace shardsim {

// Half the last printed digit of "%8.1f/%6.1f": how far a printed cell may be from NCCL's value.
inline constexpr double kNcclPrintRounding = 0.05;

enum class NcclTuningLayout { single_line, half_blocks, blocks_of_three };
// "one line per function (NCCL 2.8-2.17)", "2 blocks of 3 algorithms (NCCL 2.18-2.22)", ...
const char* to_string(NcclTuningLayout layout);

// One communicator's table as NCCL printed it. Cells NCCL did not print (an algorithm its release
// lacks) or printed with bandwidth 0 (not eligible) carry `ineligible`; `busbw_GBps` and
// `channels` stay 0 (NCCL does not print them).
struct NcclPrintedTable {
  int line = 0;  // the line its first header is on (1-based)
  NcclTuningLayout layout = NcclTuningLayout::single_line;
  std::vector<NcclAlgorithm> algorithms;  // in printed order
  std::array<NcclCostTable, 3> by_kind{};  // [CollectiveKind]; Broadcast and Reduce rows are read but not kept
  const NcclCostTable& of(CollectiveKind kind) const { return by_kind[static_cast<int>(kind)]; }
};

// One collective call as NCCL logged it while planning it (src/enqueue.cc, NCCL_TUNING, rank 0):
// "%s: %ld Bytes -> Algo %s proto %s channel{Lo..Hi}={%d..%d}" (a " comm %p" follows in some
// releases). NCCL prints count x type size: the per-rank count for AllGather (send) and
// ReduceScatter (receive), the vector for AllReduce. Broadcast, Reduce, Send and Recv lines are
// skipped (shardsim does not model them).
struct NcclLoggedCall {
  int line = 0;
  CollectiveKind kind = CollectiveKind::all_reduce;
  double logged_bytes = 0;  // count x type size, as printed
  NcclAlgorithm algorithm = NcclAlgorithm::ring;
  NcclProtocol protocol = NcclProtocol::simple;
  int channels = 0;  // channelHi - channelLo + 1
};

struct NcclTuningLog {
  std::string file;
  std::string nccl_version;                 // "2.18.3" from a "NCCL version 2.18.3+cuda12.2" line; empty if none
  std::vector<NcclPrintedTable> tables;     // the complete ones, in log order
  std::vector<std::string> incomplete;      // why each other table was left out ("line 12: ...")
  std::vector<NcclLoggedCall> calls;        // every per-call choice line of a modelled collective, in log order
};

// Throws InputError "FILE:LINE: what, expected what" for a table line that does not parse (a
// truncated row, an unknown algorithm, protocol or function name, a cell that is not a number, a
// row outside a table) or a per-call line that does not; tables cut short (missing rows or
// blocks) are listed in `incomplete`.
NcclTuningLog parse_nccl_tuning_log(std::string_view text, const std::string& file);
// read_input_text's checks (missing, directory, FIFO, over the input size limit), then the above.
NcclTuningLog read_nccl_tuning_log(const std::string& path);

// The n-th complete table (1-based). Throws InputError when the log holds none (saying what a
// table looks like and how to get one) or fewer than n (saying how many, and where).
const NcclPrintedTable& nccl_tuning_table(const NcclTuningLog& log, int index);

}  // namespace shardsim
