// The schedule as JSON, for `shardsim schedule --json` and for the runtime to read: groups, the
// communicators (id, label, role, group size), then the program's ops with their kind, stream,
// group, communicator, dependencies and sizes; a compute op also lists its kernels (name, kind,
// GEMM shape m x n x k and batch, FLOPs, HBM bytes, count when not 1). Deterministic key order.
#pragma once

#include "sim/schedule/schedule.hpp"

#include <nlohmann/json.hpp>

namespace shardsim {

nlohmann::ordered_json schedule_to_json(const Schedule& schedule);

}  // namespace shardsim
