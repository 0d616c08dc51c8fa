// Reads topologies/nccl/NAME.json into an NcclVersion (see nccl_version.hpp).
#include "sim/nccl/nccl_version.hpp"

#include "sim/input/input_error.hpp"
#include "sim/input/json_reader.hpp"
#include "sim/topology/topology.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <iterator>

namespace shardsim {
namespace {

constexpr std::array<int, 4> kGenerations = {70, 80, 90, 100};
constexpr std::array<CollectiveKind, 3> kKinds = {CollectiveKind::all_gather, CollectiveKind::reduce_scatter,
                                                  CollectiveKind::all_reduce};

template <std::size_t N>
std::array<double, N> fixed(JsonObject& o, std::string_view key) {
  const std::vector<double> v = o.numbers(key, N);
  std::array<double, N> out{};
  std::copy(v.begin(), v.end(), out.begin());
  return out;
}

std::array<NcclProtocolRow, kNcclAlgorithms> algorithm_table(JsonObject& o) {
  std::array<NcclProtocolRow, kNcclAlgorithms> t{};
  for (NcclAlgorithm a : kAllNcclAlgorithms) t[nccl_index(a)] = fixed<kNcclProtocols>(o, data_key(a));
  return t;
}

void read_algorithms(JsonObject& root, NcclVersion& v) {
  JsonObject o = root.object("algorithms");
  o.ignore("source");
  v.nvls_min_channels = static_cast<int>(o.integer("nvls_min_channels", 1, 64));
  for (CollectiveKind kind : kKinds) {
    JsonObject coll = o.object(to_string(kind));
    for (NcclAlgorithm a : kAllNcclAlgorithms) {
      if (!coll.has(data_key(a))) continue;
      for (const std::string& name : coll.strings(data_key(a))) {
        try {
          v.available[static_cast<int>(kind)][nccl_index(a)][nccl_index(parse_nccl_protocol(name))] = true;
        } catch (const InputError& e) {
          coll.fail(data_key(a), e.what());
        }
      }
    }
    coll.finish();
  }
  o.finish();
}

void read_generations(JsonObject& root, NcclVersion& v) {
  JsonObject ll = root.object("ll_max_bw_GBps");
  JsonObject caps = root.object("per_channel_max_GBps");
  JsonObject nvls = root.object("nvls_efficiency");
  for (JsonObject* o : {&ll, &caps, &nvls}) o->ignore("source");
  for (int cc : kGenerations) {
    const std::string key = fmt::format("sm{}", cc);
    NcclGenerationConstants g;
    g.ll_max_bw_GBps = fixed<3>(ll, key);
    JsonObject c = caps.object(key);
    g.ring_ll128_per_channel_GBps = fixed<3>(c, "ring_ll128");
    g.tree_ll128_per_channel_GBps = fixed<3>(c, "tree_ll128");
    g.tree_per_channel_GBps = fixed<3>(c, "tree");
    g.nvls_tree_per_channel_GBps = fixed<3>(c, "nvls_tree");
    c.finish();
    g.nvls_efficiency = nvls.number(key);
    if (g.nvls_efficiency < 0 || g.nvls_efficiency > 1) nvls.fail(key, "expected an efficiency in [0, 1]");
    v.generations[cc] = g;
  }
  for (JsonObject* o : {&ll, &caps, &nvls}) o->finish();
  JsonObject rule = root.object("generation_rows");
  rule.ignore("source");
  v.generation_exactly_sm80 = rule.one_of("rule", {"exactly_sm80", "at_most_compute_capability"}) == "exactly_sm80";
  rule.finish();
}

void read_tree_correction(JsonObject& root, NcclVersion& v) {
  JsonObject o = root.object("tree_correction");
  o.ignore("source");
  constexpr std::size_t kPowersOfTwo = 23;  // treeCorrectionFactor[proto][23]: 64 B .. 256 MiB
  for (NcclProtocol p : kAllNcclProtocols) v.tree_correction[nccl_index(p)] = o.numbers(data_key(p), kPowersOfTwo);
  o.finish();
}

void read_efficiency(JsonObject& root, NcclVersion& v) {
  JsonObject o = root.object("protocol_efficiency");
  o.ignore("source");
  NcclProtocolEfficiency& e = v.efficiency;
  e.ring_ll = o.fraction("ring_ll");
  e.ring_ll_single_node_gather = o.fraction("ring_ll_single_node_gather");
  e.ring_ll128 = o.fraction("ring_ll128");
  e.ring_ll128_one_gpu_per_node = o.fraction("ring_ll128_one_gpu_per_node");
  e.tree_all_reduce = o.fraction("tree_all_reduce");
  e.tree_ll_divisor = o.positive_number("tree_ll_divisor");
  e.tree_ll128_single_node = o.fraction("tree_ll128_single_node");
  e.tree_ll128_multi_node = o.fraction("tree_ll128_multi_node");
  e.pat = o.fraction("pat");
  e.one_gpu_per_node_tree = o.fraction("one_gpu_per_node_tree");
  e.tree_bus_to_alg = o.fraction("tree_bus_to_alg");
  o.finish();
}

void read_latency_rules(JsonObject& root, NcclVersion& v) {
  JsonObject o = root.object("latency_rules");
  o.ignore("source");
  v.all_reduce_inter_steps_2n = o.one_of("all_reduce_ring_inter_steps", {"2*nNodes", "2*(nNodes-1)"}) == "2*nNodes";
  const std::string plugin = o.one_of("plugin_latency", {"ignored", "replaces", "adds"});
  v.plugin_latency = plugin == "ignored"    ? NcclPluginLatencyRule::ignored
                     : plugin == "replaces" ? NcclPluginLatencyRule::replaces
                                            : NcclPluginLatencyRule::adds;
  v.simple_flush_adds_plugin_latency = o.boolean("simple_flush_adds_plugin_latency");
  v.ll_multi_node_intra_factor = o.positive_number("ll_multi_node_intra_factor");
  v.one_gpu_per_node_net_tree_latency = o.boolean("one_gpu_per_node_net_tree_latency");
  o.finish();

  JsonObject n = root.object("net_overhead_us");
  n.ignore("source");
  v.net_overhead_intel_us = n.non_negative_number("intel");
  v.net_overhead_amd_us = n.non_negative_number("amd");
  v.net_overhead_other_us = n.non_negative_number("other");
  v.net_overhead_simple_multiplier = n.positive_number("simple_multiplier");
  n.finish();

  JsonObject p = root.object("ring_plateau");
  p.ignore("source");
  // Exactly one of the two size conditions, as the release has it.
  const bool per_rank = p.has("min_bytes_per_rank"), per_channel_rank = p.has("min_bytes_per_channel_rank");
  if (per_rank == per_channel_rank)
    p.fail(per_rank ? "min_bytes_per_rank" : "min_bytes_per_channel_rank",
           "give exactly one of min_bytes_per_rank (before 2.18) and min_bytes_per_channel_rank (2.18 on)");
  v.plateau_condition = per_rank ? NcclPlateauCondition::bytes_per_rank : NcclPlateauCondition::bytes_per_channel_rank;
  v.plateau_min_bytes = p.positive_number(per_rank ? "min_bytes_per_rank" : "min_bytes_per_channel_rank");
  v.plateau_factor_below_sm80 = p.positive_number("factor_below_sm80");
  v.plateau_factor_sm80_up = p.positive_number("factor_sm80_up");
  p.finish();

  JsonObject pat = root.object("pat_latency");
  pat.ignore("source");
  v.pat_inter_divisor = pat.positive_number("inter_divisor");
  v.pat_per_rank_us = pat.non_negative_number("per_rank_us");
  pat.finish();
}

void read_chunking(JsonObject& root, NcclVersion& v) {
  JsonObject o = root.object("chunking");
  o.ignore("source");
  NcclChunking& c = v.chunking;
  c.steps = static_cast<int>(o.integer("steps", 1, 1024));
  c.buffsize_bytes = o.positive_number("buffsize_bytes");
  c.chunk_steps = static_cast<int>(o.integer("chunk_steps", 1, 1024));
  c.slice_steps = static_cast<int>(o.integer("slice_steps", 1, 1024));
  c.ll_lines_per_thread = static_cast<int>(o.integer("ll_lines_per_thread", 1, 1024));
  c.ll128_elems_per_thread = static_cast<int>(o.integer("ll128_elems_per_thread", 1, 1024));
  c.ll128_line_elems = static_cast<int>(o.integer("ll128_line_elems", 2, 1024));
  c.ll128_data_elems = static_cast<int>(o.integer("ll128_data_elems", 1, c.ll128_line_elems - 1));
  o.ignore("fifo_source");
  if (c.chunk_steps % c.slice_steps != 0 || c.steps % c.slice_steps != 0)
    o.fail("slice_steps", fmt::format("chunk_steps ({}) and steps ({}) must be multiples of slice_steps ({})", c.chunk_steps,
                                      c.steps, c.slice_steps));
  JsonObject threads = o.object("max_threads");
  JsonObject thresholds = o.object("thread_threshold_bytes");
  for (NcclProtocol p : kAllNcclProtocols) {
    c.max_threads[nccl_index(p)] = static_cast<int>(threads.integer(data_key(p), 1, 4096));
    c.thread_threshold_bytes[nccl_index(p)] = thresholds.positive_number(data_key(p));
  }
  threads.finish();
  thresholds.finish();
  c.ring_ll_threshold_times_ranks = o.boolean("ring_ll_threshold_times_ranks");
  c.comm_channels_per_graph_channel = static_cast<int>(o.integer("comm_channels_per_graph_channel", 1, 8));
  c.max_channels = static_cast<int>(o.integer("max_channels", 1, 1024));
  JsonObject low_bw = o.object("low_bw_ring_simple");
  low_bw.ignore("source");
  c.low_bw_ring_at_most_GBps = low_bw.positive_number("ring_bw_at_most_GBps");
  c.low_bw_ring_simple_threads = static_cast<int>(low_bw.integer("threads", 1, 4096));
  low_bw.finish();
  if (auto pat = o.optional_integer("pat_max_threads", 0, 4096)) c.pat_max_threads = static_cast<int>(*pat);
  o.finish();
}

void read_optional_blocks(JsonObject& root, NcclVersion& v) {
  if (root.has("nvls_bus_ratio")) {
    JsonObject o = root.object("nvls_bus_ratio");
    o.ignore("source");
    v.nvls_bus_ratio = NcclVersion::NvlsBusRatio{o.fraction("nvls_bus_to_alg"), o.fraction("nvls_tree_factor"),
                                                 static_cast<int>(o.integer("run_channels", 1, 64))};
    o.finish();
  }
  if (root.has("ring_ll128_by_collective_GBps")) {
    JsonObject o = root.object("ring_ll128_by_collective_GBps");
    o.ignore("source");
    std::array<double, 3> caps{};
    for (CollectiveKind kind : kKinds) caps[static_cast<int>(kind)] = o.positive_number(to_string(kind));
    o.finish();
    v.ring_ll128_by_collective_GBps = caps;
  }
  if (root.has("busbw_cap")) {
    JsonObject o = root.object("busbw_cap");
    o.ignore("source");
    const int cc = static_cast<int>(o.integer("compute_capability", 70, 100));
    v.busbw_cap = std::pair{cc, o.positive_number("GBps")};
    o.finish();
  }
}

}  // namespace

const NcclGenerationConstants& NcclVersion::generation(int compute_capability) const {
  if (generation_exactly_sm80) return generations.at(compute_capability == 80 ? 80 : 70);
  auto it = generations.upper_bound(compute_capability);
  if (it == generations.begin())
    throw InputError(fmt::format("{}: NCCL {} has no constants for compute capability {} (its oldest row is sm{})", file, name,
                                 compute_capability, generations.begin()->first));
  return std::prev(it)->second;
}

ConnectionFifo NcclVersion::ring_fifo(NcclProtocol protocol, std::optional<double> simple_buffsize_bytes) const {
  const NcclChunking& c = chunking;
  constexpr double kLlLineBytes = 16, kLl128ElemBytes = 8;  // ncclLLFifoLine; uint64_t
  ConnectionFifo fifo;
  switch (protocol) {
    case NcclProtocol::ll: {
      const double step_bytes = c.ll_lines_per_thread * c.max_threads[nccl_index(protocol)] * kLlLineBytes;
      fifo = ConnectionFifo{step_bytes / 2, 1, c.steps};
      break;
    }
    case NcclProtocol::ll128: {
      const double step_bytes = static_cast<double>(c.ll128_elems_per_thread) * c.max_threads[nccl_index(protocol)] * kLl128ElemBytes;
      fifo = ConnectionFifo{step_bytes * c.ll128_data_elems / c.ll128_line_elems, 1, c.steps};
      break;
    }
    case NcclProtocol::simple:
      fifo = ConnectionFifo{simple_buffsize_bytes.value_or(c.buffsize_bytes) / c.steps * c.chunk_steps, c.chunk_steps / c.slice_steps,
                            c.steps / c.slice_steps};
      break;
  }
  return fifo;
}

int NcclVersion::comm_channels(int graph_channels) const {
  return std::min(chunking.max_channels, graph_channels * chunking.comm_channels_per_graph_channel);
}

NcclVersion load_nccl_version(const std::string& name_or_path) {
  const auto file = shipped_or_path("topologies/nccl", name_or_path);
  if (!file)
    throw InputError(fmt::format("unknown NCCL version '{}' (shipped: {}; or give a path to a version file)", name_or_path,
                                 fmt::join(shipped_nccl_versions(), ", ")));
  const std::string& path = *file;
  const nlohmann::json doc = load_json_file(path);
  JsonObject root(doc, path);
  NcclVersion v;
  v.file = path;
  v.name = root.string("name");
  const std::optional<NcclRelease> release = parse_nccl_release(v.name);
  if (!release) root.fail("name", fmt::format("'{}' is not a release as MAJOR.MINOR, such as 2.28", v.name));
  v.release = *release;
  v.description = root.optional_string("description").value_or("");
  root.ignore("source");
  read_algorithms(root, v);
  JsonObject base = root.object("base_latency_us");
  base.ignore("source");
  v.base_latency_us = algorithm_table(base);
  base.finish();
  JsonObject hw = root.object("hw_latency_us");
  hw.ignore("source");
  for (NcclHardware h : {NcclHardware::nvlink, NcclHardware::pci, NcclHardware::net}) {
    JsonObject row = hw.object(h == NcclHardware::nvlink ? "nvlink" : h == NcclHardware::pci ? "pci" : "net");
    v.hw_latency_us[nccl_index(h)] = algorithm_table(row);
    row.finish();
  }
  hw.finish();
  read_generations(root, v);
  read_tree_correction(root, v);
  read_efficiency(root, v);
  read_latency_rules(root, v);
  read_chunking(root, v);
  read_optional_blocks(root, v);
  root.finish();
  return v;
}

std::vector<std::string> shipped_nccl_versions() { return shipped_names("topologies/nccl"); }

}  // namespace shardsim
