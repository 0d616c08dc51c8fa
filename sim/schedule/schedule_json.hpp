// The schedule as JSON, for `shardsim schedule --json` and for the runtime to read: groups, then
// the program's ops with their kind, stream, dependencies and sizes. Deterministic key order.
#pragma once

#include "sim/schedule/schedule.hpp"

#include <nlohmann/json.hpp>

namespace shardsim {

nlohmann::ordered_json schedule_to_json(const Schedule& schedule);

}  // namespace shardsim
