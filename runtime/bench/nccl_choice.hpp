// NCCL's own choice for each bench row (`bench --nccl-choice`): which algorithm, protocol and
// channel count NCCL ran a call with, as NCCL itself logs it. NCCL prints one line per collective
// it launches, on rank 0 of each communicator, when NCCL_DEBUG=INFO and NCCL_DEBUG_SUBSYS includes
// TUNING (src/enqueue.cc: "AllReduce: 1048576 Bytes -> Algo RING proto SIMPLE channel{Lo..Hi}=
// {0..3}"). NCCL reads those variables once, when the process makes its first NCCL call, so each
// rank sets them before it joins the world and sends the output to a file of its own, which rank 0
// reads back with the simulator's TUNING-log reader (sim/nccl/nccl_tuning_log.hpp) once the sweep
// is over. Logging costs host time on every call, so it is asked for, never on by default.
#pragma once

#include "runtime/bench/bench_report.hpp"

#include <string>
#include <vector>

namespace shardsim::runtime {

// Throws RuntimeError if NCCL_DEBUG is already set: --nccl-choice would take over the user's own
// debug output. Checked by the launcher before any rank starts, and by each rank.
void check_nccl_debug_unset();

// Points NCCL's debug output at a file of this process (returned) with NCCL_DEBUG=INFO and
// NCCL_DEBUG_SUBSYS=TUNING, after check_nccl_debug_unset.
std::string enable_nccl_choice_log();

// Fills each flat row's NCCL choice from the log at `path`: the line NCCL logged most often for
// the row's collective and byte count (count x element size, as NCCL prints it), so the world
// communicator's few barrier and bookkeeping calls never stand in for a row. Hierarchical rows
// (several NCCL calls each) stay empty. Returns a warning (empty when there is none) when the log
// cannot be read or holds no choice: the measurements stand without NCCL's choices.
std::string attach_nccl_choices(std::vector<BenchRow>& rows, const std::string& path);

}  // namespace shardsim::runtime
