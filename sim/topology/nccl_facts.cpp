// Reads the "nccl" block of an instance file (see nccl_facts.hpp).
#include "sim/topology/nccl_facts.hpp"

#include "sim/input/json_reader.hpp"

#include <fmt/format.h>

#include <cstdio>

namespace shardsim {
namespace {

NcclGraphFacts read_graph(JsonObject& parent, std::string_view key) {
  JsonObject g = parent.object(key);
  NcclGraphFacts f;
  f.channels = static_cast<int>(g.integer("channels", 1, 64));
  f.bw_intra_GBps = g.positive_number("bw_intra_GBps");
  f.bw_inter_GBps = g.positive_number("bw_inter_GBps");
  g.ignore("source");
  g.finish();
  return f;
}

}  // namespace

std::optional<NcclRelease> parse_nccl_release(std::string_view text) {
  const std::string s(text);
  NcclRelease r;
  if (std::sscanf(s.c_str(), "%d.%d", &r.major, &r.minor) != 2 || fmt::format("{}.{}", r.major, r.minor) != s) return std::nullopt;
  return r;
}

NcclTopologyFacts read_nccl_facts(JsonObject& block) {
  NcclTopologyFacts f;
  f.source = block.string("source");
  f.compute_capability = static_cast<int>(block.integer("compute_capability", 70, 100));
  f.cpu_vendor = block.one_of("cpu_vendor", {"intel", "amd", "other"});
  f.intra_link = block.one_of("intra_link", {"nvlink", "pci"});
  f.single_node = read_graph(block, "single_node");
  f.multi_node_ring = read_graph(block, "multi_node_ring");
  f.multi_node_tree = read_graph(block, "multi_node_tree");
  if (block.has("nvls")) {
    f.nvls = read_graph(block, "nvls");
    if (f.nvls->channels < 2) block.fail("nvls", "NVLS needs at least 2 channels (tuning.cc)");
  }
  JsonObject plugin = block.object("net_plugin");
  plugin.string("name");
  f.plugin_latency_us = plugin.number("latency_us");
  if (f.plugin_latency_us < 0) plugin.fail("latency_us", "expected a latency >= 0");
  plugin.ignore("source");
  if (plugin.has("earlier_latencies")) {
    for (JsonObject era : plugin.objects("earlier_latencies")) {
      NcclPluginLatencyEra e;
      const std::string before = era.string("nccl_before");
      const std::optional<NcclRelease> release = parse_nccl_release(before);
      if (!release) era.fail("nccl_before", fmt::format("'{}' is not an NCCL release as MAJOR.MINOR, such as 2.18", before));
      e.before = *release;
      e.latency_us = era.non_negative_number("latency_us");
      era.string("source");  // every data value names its source
      era.finish();
      const auto& prev = f.earlier_plugin_latencies;
      if (!prev.empty() && prev.back().before >= e.before)
        era.fail("nccl_before", "earlier_latencies must be ordered by nccl_before, oldest first");
      f.earlier_plugin_latencies.push_back(e);
    }
  }
  f.physical_latency_us = plugin.optional_number("physical_latency_us");
  if (f.physical_latency_us) {
    if (*f.physical_latency_us < 0) plugin.fail("physical_latency_us", "expected a latency >= 0");
    plugin.string("physical_latency_source");  // every data value names its source
  }
  if (plugin.has("buffsize")) {
    JsonObject b = plugin.object("buffsize");
    NcclPluginBuffsize buffsize;
    buffsize.bytes = b.positive_number("bytes");
    const std::string from = b.string("from_nccl");
    const std::optional<NcclRelease> release = parse_nccl_release(from);
    if (!release) b.fail("from_nccl", fmt::format("'{}' is not an NCCL release as MAJOR.MINOR, such as 2.28", from));
    buffsize.from = *release;
    b.string("source");  // every data value names its source
    b.finish();
    f.plugin_buffsize = buffsize;
  }
  plugin.finish();
  JsonObject ll128 = block.object("ll128");
  f.ll128_single_node = ll128.boolean("single_node");
  f.ll128_multi_node = ll128.boolean("multi_node");
  ll128.ignore("source");
  ll128.finish();
  block.ignore("cpu_source");
  block.finish();
  return f;
}

}  // namespace shardsim
