// A Chrome/Perfetto trace (the JSON "traceEvents" format, opens in ui.perfetto.dev) of a step: one
// process per rank, one track per stream (compute, gather, reduce, host), one slice per op, times
// in microseconds. A collective's slice names its group role, communicator and algorithm (so the
// turns collectives of one communicator take across the gather and reduce tracks can be read off),
// the group's size and ranks, and the bandwidth it achieved (algbw = bytes / duration, busbw =
// algbw x the collective's bus factor, nccl-tests' definitions, GB/s); a compute slice carries its
// FLOPs, HBM bytes and achieved TFLOP/s. Every dependency between ops on different streams is a
// flow arrow from the op depended on to the op that waits (same-stream order is implied by the
// track). Strategies are SPMD, so a trace of several ranks shows each rank's own program
// (schedule/rank_program.hpp): the same ops and times, each collective on that rank's group.
// A counter track per rank, "gathered parameters", shows the bytes of all-gathered parameters
// held at each moment (from a gather's start to the end of the last compute op reading it).
#pragma once

#include "sim/schedule/schedule.hpp"
#include "sim/stepsim/step_simulation.hpp"

#include <string>
#include <vector>

namespace shardsim {

// One rank's part of a trace: its program (schedule.program.rank is the process id) and its times.
struct RankTrace {
  const Schedule* schedule = nullptr;
  const std::vector<OpTiming>* timing = nullptr;
  std::string process_name;
};

std::string perfetto_trace_json(const std::vector<RankTrace>& ranks);
// One rank: `schedule`'s own program.
std::string perfetto_trace_json(const Schedule& schedule, const std::vector<OpTiming>& timing, const std::string& process_name);
// The simulated step (the representative's timing, shared by every rank of an SPMD step) as
// ranks `ranks` run it; throws InputError for a rank outside the world.
std::string perfetto_trace_json_of_ranks(const Schedule& schedule, const std::vector<OpTiming>& timing, const std::vector<int>& ranks,
                                         const std::string& name);
// "0-7,16-23": a sorted rank list as ranges, for trace arguments and messages.
std::string rank_ranges(const std::vector<int>& ranks);

}  // namespace shardsim
