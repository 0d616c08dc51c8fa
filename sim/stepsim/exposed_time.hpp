// Why a simulated step is slower than its compute: the time the compute stream is idle, split by
// what runs instead. At each instant the compute stream is idle, the time is charged to the host
// when the framework's host thread is busy with a costed op (a hook, a launch: the device waits
// for Python), else to communication when a collective or copy is in flight (the device waits for
// the network), else to other waits (a synchronization between streams with nothing in flight).
// Communication is split into latency, FIFO waits and bandwidth by the collectives in flight, each
// by its shares of its closed form as the flows pay it (StepResult::shares: the latency the
// pipeline does not hide; the waits for connection FIFO slots that small steps over slow crossings
// make; the rest; calls NCCL's model does not price, Gloo's, count as bandwidth). The parts add up to the step
// time minus the compute stream's busy time.
#pragma once

#include "sim/schedule/schedule.hpp"
#include "sim/stepsim/step_simulation.hpp"

namespace shardsim {

struct ExposedTime {
  double host_overhead_s = 0;  // compute idle while the host runs hooks and launches
  double latency_s = 0;        // compute idle while collectives run, the host free: their latency part
  double fifo_s = 0;           // ... their steps' waits for connection FIFO slots
  double bandwidth_s = 0;      // ... their bandwidth part (and copies)
  double other_s = 0;          // compute idle with neither
  double communication_s() const { return latency_s + fifo_s + bandwidth_s; }
};

ExposedTime exposed_time(const Schedule& schedule, const StepResult& result);

}  // namespace shardsim
