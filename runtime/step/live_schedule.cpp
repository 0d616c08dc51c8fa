#include "runtime/step/live_schedule.hpp"

#include "sim/input/input_error.hpp"
#include "sim/units/units.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <unistd.h>

namespace shardsim::runtime {
namespace {

// Fraction of physical memory the step buffers of one node may take by default: the rest is left
// to the operating system, the backend's own buffers and the other processes of a shared runner.
constexpr double kDefaultBufferFractionOfMemory = 0.25;

std::size_t elements(double bytes, std::size_t divisor) {
  const double n = std::ceil(bytes / static_cast<double>(divisor));
  return std::max<std::size_t>(1, static_cast<std::size_t>(n));
}

}  // namespace

Cluster live_cluster(const InstanceType& instance, LiveShape shape) {
  if (shape.ranks_per_node < 1 || shape.world_size % shape.ranks_per_node != 0)
    throw InputError(fmt::format("the job's {} ranks are not whole nodes of {} ranks", shape.world_size, shape.ranks_per_node));
  Cluster cluster;
  cluster.instance = instance;
  cluster.instance.gpus_per_node = shape.ranks_per_node;
  cluster.nodes = shape.world_size / shape.ranks_per_node;
  return cluster;
}

Schedule scale_schedule(Schedule schedule, StepScales scales) {
  if (!(scales.bytes > 0) || !std::isfinite(scales.bytes))
    throw InputError(fmt::format("--scale-bytes must be positive, got {}", scales.bytes));
  if (!(scales.compute >= 0) || !std::isfinite(scales.compute))
    throw InputError(fmt::format("--scale-compute must not be negative, got {}", scales.compute));
  for (Op& op : schedule.program.ops) {
    if (auto* c = std::get_if<ComputeOp>(&op.body)) {
      // Every kernel runs `scale` times as often, so the op's modelled time scales exactly.
      c->flops *= scales.compute;
      c->hbm_bytes *= scales.compute;
      for (Kernel& k : c->kernels) k.count *= scales.compute;
    } else if (auto* c = std::get_if<CollectiveOp>(&op.body)) {
      c->bytes *= scales.bytes;
    } else if (auto* c = std::get_if<CopyOp>(&op.body)) {
      c->bytes *= scales.bytes;
    }  // host ops keep their time: the host's cost does not scale with the model
  }
  return schedule;
}

DataType step_data_type(const std::string& dtype) {
  if (dtype == "fp32") return DataType::f32;
  if (dtype == "fp16") return DataType::f16;
  try {
    return parse_data_type(dtype);
  } catch (const RuntimeError&) {
    throw InputError(fmt::format("the schedule's data type '{}' has no runtime equivalent (bf16, fp16, fp32)", dtype));
  }
}

CollectiveSize collective_size(const CollectiveOp& op, int group_size) {
  CollectiveSize s;
  s.type = step_data_type(op.dtype);
  const std::size_t element = size_of(s.type);
  const std::size_t p = static_cast<std::size_t>(group_size);
  switch (op.kind) {
    case CollectiveKind::all_gather:
      s.count = elements(op.bytes, p * element);
      s.send_bytes = s.count * element;
      s.recv_bytes = s.count * p * element;
      s.padded_bytes = s.recv_bytes;
      break;
    case CollectiveKind::reduce_scatter:
      s.count = elements(op.bytes, p * element);
      s.send_bytes = s.count * p * element;
      s.recv_bytes = s.count * element;
      s.padded_bytes = s.send_bytes;
      break;
    case CollectiveKind::all_reduce:
      s.count = op.algorithm == Algorithm::hierarchical ? elements(op.bytes, p * element) * p : elements(op.bytes, element);
      s.send_bytes = s.recv_bytes = s.padded_bytes = s.count * element;
      break;
  }
  return s;
}

std::size_t step_buffer_bytes(const Schedule& schedule) {
  std::map<Stream, std::pair<std::size_t, std::size_t>> largest;  // send, receive
  for (const Op& op : schedule.program.ops) {
    auto& [send, recv] = largest[op.stream];
    if (const auto* c = std::get_if<CollectiveOp>(&op.body)) {
      const CollectiveSize s = collective_size(*c, static_cast<int>(schedule.groups.at(c->group).ranks.size()));
      send = std::max(send, s.send_bytes);
      recv = std::max(recv, s.recv_bytes);
    } else if (const auto* c = std::get_if<CopyOp>(&op.body)) {
      const auto bytes = static_cast<std::size_t>(std::ceil(c->bytes));
      send = std::max(send, bytes);
      recv = std::max(recv, bytes);
    }
  }
  std::size_t total = 0;
  for (const auto& [stream, sizes] : largest) total += sizes.first + sizes.second;
  return total;
}

void check_buffer_limit(const Schedule& schedule, std::size_t max_bytes, double scale_bytes) {
  const std::size_t needed = step_buffer_bytes(schedule);
  if (needed <= max_bytes) return;
  std::string largest = "?";
  double largest_bytes = 0;
  for (const Op& op : schedule.program.ops)
    if (const auto* c = std::get_if<CollectiveOp>(&op.body); c && c->bytes > largest_bytes) {
      largest_bytes = c->bytes;
      largest = op.label;
    }
  // Buffers grow linearly with --scale-bytes (up to padding), so this scale fits.
  const double fitting_scale = scale_bytes * static_cast<double>(max_bytes) / static_cast<double>(needed);
  throw InputError(fmt::format("the step needs {} of buffers per rank (largest op '{}', {}) but --max-buffer-bytes is {}; "
                               "use --scale-bytes {:.3g} or less, or raise --max-buffer-bytes",
                               format_size(needed), largest, format_size(static_cast<std::uint64_t>(largest_bytes)),
                               format_size(max_bytes), fitting_scale));
}

std::size_t default_max_buffer_bytes(int ranks_per_node) {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page_bytes = ::sysconf(_SC_PAGE_SIZE);
  const double memory = pages > 0 && page_bytes > 0 ? static_cast<double>(pages) * static_cast<double>(page_bytes) : 0;
  return static_cast<std::size_t>(memory * kDefaultBufferFractionOfMemory / std::max(1, ranks_per_node));
}

}  // namespace shardsim::runtime
