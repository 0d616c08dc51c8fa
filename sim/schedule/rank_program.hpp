// Any rank's program from the one stored in a Schedule. Strategies are SPMD: every rank runs the
// same ops with the same dependencies and streams, each collective on the group of its family
// (the groups of one role and size, which partition the world) that contains that rank. A
// Schedule stores the class representative's program (program.rank) and every group, so rank r's
// program is the representative's with each collective's group replaced by the family member
// holding r. Communicator ids name a family of communicators and so are the same for every rank.
// The live runtime uses this so every rank executes exactly what the simulator ran.
#pragma once

#include "sim/schedule/schedule.hpp"

#include <vector>

namespace shardsim {

// The schedule as rank `rank` runs it: same groups, program.rank = rank, every collective naming
// the member of its family that contains `rank`. Throws std::invalid_argument when `rank` is
// outside the world, a family does not cover it (a schedule that is not SPMD) or a collective's
// group is not of its communicator's family.
Schedule rank_program(const Schedule& schedule, int rank);

}  // namespace shardsim
