#include "validate/calibrate/bench_rows.hpp"

#include "sim/input/input_error.hpp"
#include "sim/input/json_reader.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace shardsim::validate {
namespace {

constexpr double kMicrosecond_s = 1e-6;

const nlohmann::json& rows_of(const nlohmann::json& doc, const std::string& path, std::string& pointer) {
  if (doc.is_array()) return doc;
  if (doc.is_object()) {
    for (const char* key : {"results", "rows"}) {
      if (doc.contains(key) && doc[key].is_array()) {
        pointer = fmt::format("/{}", key);
        return doc[key];
      }
    }
  }
  throw InputError(fmt::format("{}: expected bench --json output (an array of rows, or an object with a 'results' array)", path));
}

// Seconds: `time_s` as shardsim-run writes it (the simulator's key), or `time_us` from files written
// before the two agreed.
double time_of(JsonObject& row) {
  if (row.has("time_us") && !row.has("time_s")) return row.positive_number("time_us") * kMicrosecond_s;
  return row.positive_number("time_s");
}

}  // namespace

BenchMeasurements read_bench_file(const std::string& path) {
  const nlohmann::json doc = load_json_file(path);
  std::string pointer;
  const nlohmann::json& rows = rows_of(doc, path, pointer);
  BenchMeasurements out;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const std::string where = fmt::format("{}/{}", pointer, i);
    if (!rows[i].is_object()) throw InputError(fmt::format("{}: {}: expected an object (one bench row)", path, where));
    // Rows carry more columns than the fit needs (algbw, busbw, dtype, ...): read only ours.
    JsonObject row(rows[i], path, where);
    if (row.string("op") == "gemm") {
      out.gemms.push_back({fmt::format("{}: {}", path, where), row.positive_number("flops"),
                           time_of(row)});
      continue;
    }
    BenchRow r;
    r.origin = fmt::format("{}: {}", path, where);
    r.kind = parse_collective_kind(row.string("op"));
    r.algorithm = parse_algorithm(row.string("algo"));
    r.group_size = static_cast<int>(row.integer("group_size", 2, 1 << 22));
    r.bytes = static_cast<double>(row.integer("bytes", 1, std::int64_t{1} << 50));
    r.time_s = time_of(row);
    r.ranks_per_node = static_cast<int>(row.integer("ranks_per_node", 1, 1024));
    r.nodes = static_cast<int>(row.integer("nodes", 1, 1 << 20));
    if (row.has("wrong") && row.number("wrong") != 0)
      row.fail("wrong", "this measurement failed its correctness check; fix the runtime before calibrating on it");
    if (r.group_size > r.ranks_per_node * r.nodes)
      row.fail("group_size", fmt::format("group of {} ranks on {} nodes x {} ranks", r.group_size, r.nodes, r.ranks_per_node));
    out.collectives.push_back(r);
  }
  if (out.collectives.empty() && out.gemms.empty()) throw InputError(fmt::format("{}: no bench rows", path));
  return out;
}

}  // namespace shardsim::validate
