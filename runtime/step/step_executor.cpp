#include "runtime/step/step_executor.hpp"

#include "runtime/step/live_schedule.hpp"
#include "sim/compute/compute_time.hpp"
#include "sim/input/input_error.hpp"
#include "sim/schedule/rank_program.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <map>
#include <mutex>
#include <thread>

namespace shardsim::runtime {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kStreams = 4;  // compute, gather, reduce, host

int stream_index(Stream s) { return static_cast<int>(s); }

Buffer zeroed(Communicator& world, std::size_t bytes) {
  Buffer buffer = world.allocate(std::max<std::size_t>(bytes, 1));
  const std::vector<char> zeros(buffer.bytes);
  world.copy_from_host(buffer, zeros.data(), zeros.size());
  return buffer;
}

// Ops of one communicator from two stream threads must never be in flight together (NCCL would
// run them in whatever order each rank happened to issue them, and ranks could deadlock), so each
// collective must wait for the previous one of its communicator: on the same stream, or by a
// direct dependency, as compile_schedule adds.
void check_communicator_order(const Schedule& schedule) {
  const auto& ops = schedule.program.ops;
  std::map<int, int> last;  // communicator -> its latest collective so far
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const auto* c = std::get_if<CollectiveOp>(&ops[i].body);
    if (!c) continue;
    const auto previous = last.find(c->communicator);
    if (previous != last.end() && ops[previous->second].stream != ops[i].stream &&
        std::find(ops[i].deps.begin(), ops[i].deps.end(), previous->second) == ops[i].deps.end())
      throw InputError(fmt::format("op '{}' may overlap op '{}' on their communicator: it must depend on it", ops[i].label,
                                   ops[previous->second].label));
    last[c->communicator] = static_cast<int>(i);
  }
}

}  // namespace

struct StepExecutor::Progress {
  Clock::time_point start;
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<char> done;
  std::vector<OpTiming> timing;
  std::exception_ptr failure;
};

StepExecutor::StepExecutor(const Schedule& schedule, Communicator& world, int node, const InstanceType& model,
                           ComputeEmulation& compute)
    : schedule_(schedule), world_(world), model_(model), compute_(compute) {
  check_communicator_order(schedule);  // before any split: every rank refuses the same schedule
  const auto& ops = schedule.program.ops;
  const int rank = schedule.program.rank;
  channel_of_op_.assign(ops.size(), -1);
  ops_of_stream_.resize(kStreams);
  buffers_.resize(kStreams);
  std::map<int, int> channel_of;  // schedule communicator id -> channel
  std::vector<std::size_t> send_bytes(kStreams, 0), recv_bytes(kStreams, 0), copy_bytes(kStreams, 0);
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const Op& op = ops[i];
    const int stream = stream_index(op.stream);
    ops_of_stream_[stream].push_back(static_cast<int>(i));
    if (const auto* copy = std::get_if<CopyOp>(&op.body))
      copy_bytes[stream] = std::max(copy_bytes[stream], static_cast<std::size_t>(std::ceil(copy->bytes)));
    const auto* c = std::get_if<CollectiveOp>(&op.body);
    if (!c) continue;
    const Group& group = schedule.groups.at(c->group);
    const auto position = std::find(group.ranks.begin(), group.ranks.end(), rank);
    if (position == group.ranks.end())
      throw InputError(fmt::format("op '{}': its {} group does not hold rank {}", op.label, to_string(group.role), rank));
    const CollectiveSize size = collective_size(*c, static_cast<int>(group.ranks.size()));
    send_bytes[stream] = std::max(send_bytes[stream], size.send_bytes);
    recv_bytes[stream] = std::max(recv_bytes[stream], size.recv_bytes);
    // One communicator per schedule communicator, as the framework has one per process group.
    // Program order is the same on every rank, so every rank splits the same communicators in the
    // same order; the colour (this rank's group id) differs between the family's groups.
    auto found = channel_of.find(c->communicator);
    if (found == channel_of.end()) {
      const CommunicatorInfo& info = schedule.communicators.at(c->communicator);
      Channel channel;
      channel.communicator = world.split(c->group, static_cast<int>(position - group.ranks.begin()),
                                         fmt::format("step.{}.{}", info.label, info.group_size));
      channels_.push_back(std::move(channel));
      found = channel_of.emplace(c->communicator, static_cast<int>(channels_.size()) - 1).first;
    }
    Channel& channel = channels_[found->second];
    // Created at the first hierarchical op of the channel: a collective over the group, reached
    // at the same program position by every member.
    if (c->algorithm == Algorithm::hierarchical && !channel.hierarchical)
      channel.hierarchical = std::make_unique<HierarchicalCollectives>(*channel.communicator, node, fmt::format("step.hier.{}", found->second));
    channel_of_op_[i] = found->second;
  }
  for (int s = 0; s < kStreams; ++s) {
    if (send_bytes[s] > 0) buffers_[s].send = zeroed(world, send_bytes[s]);
    if (recv_bytes[s] > 0) buffers_[s].recv = zeroed(world, recv_bytes[s]);
    buffers_[s].host_source.assign(copy_bytes[s], 0);
    buffers_[s].host_target.assign(copy_bytes[s], 0);
  }
}

StepExecutor::~StepExecutor() = default;

std::vector<OpTiming> StepExecutor::run_once() {
  Progress progress;
  progress.done.assign(schedule_.program.ops.size(), 0);
  progress.timing.assign(schedule_.program.ops.size(), OpTiming{});
  world_.barrier();
  progress.start = Clock::now();
  {
    std::vector<std::jthread> threads;
    for (int s = 0; s < kStreams; ++s)
      if (!ops_of_stream_[s].empty())
        threads.emplace_back([this, s, &progress] { run_stream(static_cast<Stream>(s), progress); });
  }
  if (progress.failure) std::rethrow_exception(progress.failure);
  return progress.timing;
}

void StepExecutor::run_stream(Stream stream, Progress& progress) {
  const auto& ops = schedule_.program.ops;
  try {
    for (int i : ops_of_stream_[stream_index(stream)]) {
      {
        std::unique_lock lock(progress.mutex);
        progress.changed.wait(lock, [&] {
          return progress.failure || std::all_of(ops[i].deps.begin(), ops[i].deps.end(), [&](int d) { return progress.done[d] != 0; });
        });
        if (progress.failure) return;
      }
      const auto started = Clock::now();
      execute(i);
      const auto ended = Clock::now();
      {
        std::lock_guard lock(progress.mutex);
        progress.timing[i] = {std::chrono::duration<double>(started - progress.start).count(),
                              std::chrono::duration<double>(ended - progress.start).count()};
        progress.done[i] = 1;
      }
      progress.changed.notify_all();
    }
  } catch (...) {
    {
      std::lock_guard lock(progress.mutex);
      if (!progress.failure) progress.failure = std::current_exception();
    }
    progress.changed.notify_all();
    abort_all();
  }
}

void StepExecutor::execute(int op_index) {
  const Op& op = schedule_.program.ops[op_index];
  StreamBuffers& buffers = buffers_[stream_index(op.stream)];
  if (const auto* c = std::get_if<ComputeOp>(&op.body)) {
    compute_.run(compute_op_seconds(model_.gpu, *c), model_.gpu.peak_flops * model_.gpu.gemm_peak_fraction);
    return;
  }
  if (const auto* host = std::get_if<HostOp>(&op.body)) {
    // The framework's host cost (hooks, launches), which this C++ runtime does not have itself:
    // the host thread is held for the modelled time so the live run keeps the framework's pacing.
    if (host->seconds > 0) std::this_thread::sleep_for(std::chrono::duration<double>(host->seconds));
    return;
  }
  if (const auto* copy = std::get_if<CopyOp>(&op.body)) {
    std::memcpy(buffers.host_target.data(), buffers.host_source.data(), static_cast<std::size_t>(std::ceil(copy->bytes)));
    return;
  }
  const auto& c = std::get<CollectiveOp>(op.body);
  Channel& channel = channels_[channel_of_op_[op_index]];
  const CollectiveSize size = collective_size(c, static_cast<int>(schedule_.groups[c.group].ranks.size()));
  const void* send = buffers.send.data();
  void* recv = buffers.recv.data();
  if (c.algorithm == Algorithm::hierarchical) {
    HierarchicalCollectives& h = *channel.hierarchical;
    h.run(c.kind, send, recv, size.count, size.type);
    h.synchronize();
    return;
  }
  Communicator& comm = *channel.communicator;
  comm.collective(c.kind, send, recv, size.count, size.type);
  comm.synchronize();
}

void StepExecutor::abort_all() noexcept {
  for (Channel& channel : channels_) {
    try {
      if (channel.hierarchical) {
        channel.hierarchical->intra_node().abort();
        channel.hierarchical->inter_node().abort();
      }
      channel.communicator->abort();
    } catch (...) {
      // Already failing: the first error is the one reported.
    }
  }
}

}  // namespace shardsim::runtime
