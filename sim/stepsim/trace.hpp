// A Chrome/Perfetto trace (the JSON "traceEvents" format, opens in ui.perfetto.dev) of one rank's
// step: one track per stream (compute, gather, reduce), one slice per op, times in microseconds;
// a collective's slice names its group role, communicator and algorithm, so the turns collectives
// of one communicator take across the gather and reduce tracks can be read off.
#pragma once

#include "sim/schedule/schedule.hpp"
#include "sim/stepsim/step_simulation.hpp"

#include <string>

namespace shardsim {

std::string perfetto_trace_json(const Schedule& schedule, const std::vector<OpTiming>& timing, const std::string& process_name);

}  // namespace shardsim
