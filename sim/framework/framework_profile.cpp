#include "sim/framework/framework_profile.hpp"

#include "sim/input/input_error.hpp"
#include "sim/input/json_reader.hpp"
#include "sim/topology/topology.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>

namespace shardsim {
namespace {

// Every parameter is {"value": ..., "source": "..."}: the reader returns the value object's
// view and records the source.
class ParameterReader {
 public:
  ParameterReader(JsonObject& root, FrameworkProfile& profile) : root_(root), profile_(profile) {}

  JsonObject open(const std::string& key) {
    JsonObject o = root_.object(key);
    const std::string source = o.string("source");
    if (source.empty()) o.fail("source", "must say where the value comes from");
    profile_.sources.emplace_back(key, source);
    return o;
  }
  bool boolean(const std::string& key) { return finish(open(key), &JsonObject::boolean); }
  double number(const std::string& key) {
    JsonObject o = open(key);
    const double v = o.number("value");
    if (v < 0) o.fail("value", fmt::format("must be >= 0, got {}", v));
    o.finish();
    return v;
  }
  int count(const std::string& key) {
    JsonObject o = open(key);
    const auto v = static_cast<int>(o.integer("value", 0, 1 << 20));
    o.finish();
    return v;
  }
  double seconds(const std::string& key) {
    JsonObject o = open(key);
    const double v = o.time_s("value");
    o.finish();
    return v;
  }
  double bytes(const std::string& key) {
    JsonObject o = open(key);
    const auto v = static_cast<double>(o.size_bytes("value"));
    o.finish();
    return v;
  }
  std::string word(const std::string& key, const std::vector<std::string>& allowed) {
    JsonObject o = open(key);
    std::string v = o.one_of("value", allowed);
    o.finish();
    return v;
  }

 private:
  template <typename T>
  T finish(JsonObject o, T (JsonObject::*read)(std::string_view)) {
    T v = (o.*read)("value");
    o.finish();
    return v;
  }
  JsonObject& root_;
  FrameworkProfile& profile_;
};

template <typename Enum, std::size_t N>
Enum parse_enum(const std::string& word, const std::array<Enum, N>& values) {
  for (Enum e : values) if (word == to_string(e)) return e;
  throw std::logic_error("unchecked enum word");
}

std::vector<std::string> words_of(auto values) {
  std::vector<std::string> out;
  for (auto v : values) out.emplace_back(to_string(v));
  return out;
}

constexpr std::array kGathers = {GatherGranularity::per_tensor, GatherGranularity::per_module, GatherGranularity::per_block};
constexpr std::array kReduces = {ReduceGranularity::per_tensor, ReduceGranularity::per_bucket, ReduceGranularity::per_block};

constexpr const char* kFrameworksFolder = "topologies/frameworks";

}  // namespace

const char* to_string(GatherGranularity g) {
  switch (g) {
    case GatherGranularity::per_tensor: return "per_tensor";
    case GatherGranularity::per_module: return "per_module";
    case GatherGranularity::per_block: return "per_block";
  }
  return "?";
}

const char* to_string(ReduceGranularity r) {
  switch (r) {
    case ReduceGranularity::per_tensor: return "per_tensor";
    case ReduceGranularity::per_bucket: return "per_bucket";
    case ReduceGranularity::per_block: return "per_block";
  }
  return "?";
}

FrameworkProfile load_framework(const std::string& name_or_path) {
  if (name_or_path == "ideal") {
    FrameworkProfile ideal;
    ideal.description = "no host costs or synchronization: one gather per layer, prefetched prefetch_layers ahead";
    return ideal;
  }
  const auto file = shipped_or_path(kFrameworksFolder, name_or_path);
  if (!file)
    throw InputError(fmt::format("unknown framework '{}' (shipped: {}; or give a path to a profile file)", name_or_path,
                                 fmt::join(shipped_frameworks(), ", ")));
  const std::string& path = *file;
  const nlohmann::json doc = load_json_file(path);
  JsonObject root(doc, path);
  FrameworkProfile p;
  p.file = path;
  p.ideal = false;
  p.name = root.string("name");
  p.description = root.optional_string("description").value_or("");
  root.ignore("comment");
  ParameterReader r(root, p);
  p.gather = parse_enum(r.word("gather_granularity", words_of(kGathers)), kGathers);
  p.reduce = parse_enum(r.word("reduce_granularity", words_of(kReduces)), kReduces);
  p.prefetch_by_elements = r.boolean("prefetch_by_elements");
  p.prefetch_blocks = r.count("prefetch_blocks");
  p.prefetch_only_when_idle = r.boolean("prefetch_only_when_idle");
  p.synchronize_before_gather = r.boolean("synchronize_before_gather");
  p.synchronize_after_fetch = r.boolean("synchronize_after_fetch");
  p.synchronize_before_reduce = r.boolean("synchronize_before_reduce");
  p.collectives_high_priority = r.boolean("collectives_on_high_priority_stream");
  p.max_gathers_in_flight = r.count("max_gathers_in_flight");
  p.max_reduces_in_flight = r.count("max_reduces_in_flight");
  p.gather_limit_waits_for_free = r.boolean("gather_limit_waits_for_free");
  p.persistence_threshold_elements = r.number("persistence_threshold_elements");
  p.prefetch_bucket_elements = r.number("prefetch_bucket_elements");
  p.max_live_elements = r.number("max_live_elements");
  p.reduce_bucket_elements = r.number("reduce_bucket_elements");
  p.release_by_reuse_distance = r.boolean("release_by_reuse_distance");
  p.max_reuse_distance_elements = r.number("max_reuse_distance_elements");
  p.trace_lookups_off_by_one = r.boolean("trace_lookups_off_by_one");
  p.reduce_scatter_list_copies = r.boolean("reduce_scatter_list_copies");
  p.reduce_scatter_host_per_rank_s = r.seconds("reduce_scatter_host_time_per_rank");
  p.parameter_norm_in_hook = r.boolean("parameter_norm_in_hook");
  p.hook_s = r.seconds("hook_time");
  p.gather_pre_launch_s = r.seconds("gather_pre_launch_time");
  p.collective_launch_s = r.seconds("collective_launch_time");
  p.compute_launch_s = r.seconds("compute_launch_time");
  p.cuda_context_bytes = r.bytes("cuda_context");
  p.nccl_bytes_per_communicator = r.bytes("nccl_buffers_per_communicator");
  {
    JsonObject o = r.open("allocator_reserve_fraction");
    p.allocator_reserve_fraction = o.number("value");
    if (p.allocator_reserve_fraction < 0 || p.allocator_reserve_fraction >= 1)
      o.fail("value", fmt::format("must be in [0, 1), got {}", p.allocator_reserve_fraction));
    o.finish();
  }
  root.finish();
  if (p.prefetch_by_elements && p.prefetch_bucket_elements <= 0)
    root.fail("prefetch_bucket_elements", "must be positive where prefetch_by_elements is true");
  return p;
}

std::vector<std::string> shipped_frameworks() {
  std::vector<std::string> names = shipped_names(kFrameworksFolder);
  names.emplace_back("ideal");
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace shardsim
