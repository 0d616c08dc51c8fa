// `shardsim nccl --tuning-log`: NCCL's printed cost table against shardsim's (see nccl_tuning_compare.hpp).
#include "sim/cli/nccl_tuning_compare.hpp"

#include "sim/nccl/nccl_table_compare.hpp"
#include "sim/nccl/nccl_tuning_log.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace shardsim::cli {
namespace {

// The log names its release ("2.18.3"); the model's is "2.18" (or a data file's own name).
bool same_release(const std::string& log_version, const std::string& model_version) {
  return log_version.empty() || log_version == model_version || log_version.rfind(model_version + ".", 0) == 0;
}

std::string percent(const std::optional<double>& d) { return d ? fmt::format("{:+.1f}%", 100 * *d) : "-"; }

std::string value(const NcclCost& c, double v, int precision) {
  return c.ineligible.empty() ? fmt::format("{:.{}f}", v, precision) : std::string("-");
}

char marker(const NcclCellComparison& c) { return !c.both_eligible() ? '!' : c.differs ? '*' : ' '; }

nlohmann::ordered_json cost_json(const NcclCost& c) {
  if (!c.ineligible.empty()) return {{"eligible", false}, {"why_not", c.ineligible}};
  return {{"eligible", true}, {"latency_us", c.latency_us}, {"algbw_GBps", c.bandwidth_GBps}};
}

nlohmann::ordered_json choice_json(const std::optional<NcclChoice>& c) {
  if (!c) return nullptr;
  return {{"algorithm", to_string(c->algorithm)}, {"protocol", to_string(c->protocol)}, {"channels", c->channels},
          {"latency_us", c->latency_us},          {"algbw_GBps", c->algbw_GBps},         {"time_s", c->time_s}};
}

nlohmann::ordered_json optional_json(const std::optional<double>& d) { return d ? nlohmann::ordered_json(*d) : nlohmann::ordered_json(); }

nlohmann::ordered_json calls_json(const std::vector<NcclCallComparison>& calls) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const NcclCallComparison& c : calls)
    out.push_back({{"bytes", c.bytes},
                   {"calls", c.calls},
                   {"first_line", c.first_line},
                   {"nccl", {{"algorithm", to_string(c.algorithm)}, {"protocol", to_string(c.protocol)}, {"channels", c.channels}}},
                   {"model", choice_json(c.model)},
                   {"agree", c.agree},
                   {"channels_agree", c.model.channels == c.channels}});
  return out;
}

// NCCL's per-call choices in the log against the model's for the same calls.
void print_calls_text(CollectiveKind kind, const NcclSystem& s, const std::vector<NcclCallComparison>& calls) {
  fmt::print("# NCCL's logged choices ({} calls, size as nccl-tests counts it{}) vs shardsim's for the same call\n",
             to_string(kind), kind == CollectiveKind::all_reduce ? "" : fmt::format(": the logged bytes x {} ranks", s.ranks()));
  fmt::print("#{:>13} {:>6} {:>14} {:>6} {:>3} {:>14} {:>6} {:>3} {:>6}\n", "size (B)", "calls", "NCCL algo", "proto", "ch", "model algo",
             "proto", "ch", "agree");
  int agree = 0;
  int channels_agree = 0;
  for (const NcclCallComparison& c : calls) {
    agree += c.agree;
    channels_agree += c.agree && c.model.channels == c.channels;
    fmt::print("{:>14.0f} {:>6} {:>14} {:>6} {:>3} {:>14} {:>6} {:>3} {:>6}\n", c.bytes, c.calls, to_string(c.algorithm), to_string(c.protocol),
               c.channels, to_string(c.model.algorithm), to_string(c.model.protocol), c.model.channels, c.agree ? "yes" : "NO");
  }
  fmt::print("# the model chooses NCCL's algorithm and protocol for {} of {} distinct logged calls, and its channel count too for {}\n",
             agree, calls.size(), channels_agree);
}

void print_json(const NcclVersion& v, const NcclSystem& s, CollectiveKind kind, const NcclTuningLog& log, int index,
                const NcclPrintedTable& table, const NcclTableComparison& cmp, nlohmann::ordered_json calls) {
  nlohmann::ordered_json cells = nlohmann::ordered_json::array(), choices = nlohmann::ordered_json::array();
  for (const NcclCellComparison& c : cmp.cells)
    cells.push_back({{"algorithm", to_string(c.algorithm)},
                     {"protocol", to_string(c.protocol)},
                     {"nccl", cost_json(c.nccl)},
                     {"model", cost_json(c.model)},
                     {"latency_rel_diff", optional_json(c.latency_rel_diff)},
                     {"algbw_rel_diff", optional_json(c.bandwidth_rel_diff)},
                     {"differs", c.differs}});
  for (const NcclChoiceComparison& c : cmp.choices)
    choices.push_back({{"bytes", c.bytes}, {"nccl", choice_json(c.nccl)}, {"model", choice_json(c.model)}, {"agree", c.agree}});
  const nlohmann::ordered_json doc = {
      {"nccl", v.name},
      {"instance", s.instance},
      {"nodes", s.nodes},
      {"ranks_per_node", s.ranks_per_node},
      {"op", to_string(kind)},
      {"log",
       {{"file", log.file},
        {"nccl_version", log.nccl_version.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(log.nccl_version)},
        {"tables_found", log.tables.size()},
        {"incomplete_tables", log.incomplete.size()},
        {"table_index", index},
        {"line", table.line},
        {"layout", to_string(table.layout)}}},
      {"cells", cells},
      {"choices", choices},
      {"calls", std::move(calls)},
      {"summary",
       {{"cells", cmp.cells.size()},
        {"differing_cells", cmp.differing_cells},
        {"sizes", cmp.choices.size()},
        {"agreeing_sizes", cmp.agreeing_sizes}}}};
  fmt::print("{}\n", doc.dump(2));
}

void print_text(const NcclVersion& v, const NcclSystem& s, CollectiveKind kind, const NcclTuningLog& log, int index,
                const NcclPrintedTable& table, const NcclTableComparison& cmp) {
  fmt::print("# NCCL {} model vs NCCL's own table: {} on {} x {} ({} ranks, {} per node)\n", v.name, to_string(kind), s.nodes, s.instance,
             s.ranks(), s.ranks_per_node);
  fmt::print("# log: {}, table {} of {} (line {}; {}){}\n", log.file, index, log.tables.size(), table.line, to_string(table.layout),
             log.nccl_version.empty() ? "" : fmt::format("; written by NCCL {}", log.nccl_version));
  if (!same_release(log.nccl_version, v.name))
    fmt::print("# note: the log is from NCCL {}, the model is NCCL {} (--nccl)\n", log.nccl_version, v.name);
  fmt::print("# cells: latency (us) and algbw (GB/s), NCCL's printed table vs shardsim's model, diff = (model - NCCL) / "
             "NCCL; * differs by more than 1%, ! eligible in one table only\n");
  fmt::print("#{:>13} {:>6} {:>9} {:>9} {:>7} {:>8} {:>8} {:>7}\n", "algo", "proto", "NCCL lat", "model lat", "diff", "NCCL bw",
             "model bw", "diff");
  for (const NcclCellComparison& c : cmp.cells) {
    std::string why;
    if (!c.nccl.ineligible.empty()) why = fmt::format("  NCCL: {}", c.nccl.ineligible);
    if (!c.model.ineligible.empty()) why = fmt::format("  model: {}", c.model.ineligible);
    std::string row = fmt::format("{:>14} {:>6} {:>9} {:>9} {:>7} {:>8} {:>8} {:>7} {}{}", to_string(c.algorithm),
                                  to_string(c.protocol), value(c.nccl, c.nccl.latency_us, 1), value(c.model, c.model.latency_us, 2),
                                  percent(c.latency_rel_diff), value(c.nccl, c.nccl.bandwidth_GBps, 1),
                                  value(c.model, c.model.bandwidth_GBps, 2), percent(c.bandwidth_rel_diff), marker(c), why);
    row.erase(row.find_last_not_of(' ') + 1);
    fmt::print("{}\n", row);
  }
  fmt::print("# {} of {} cells differ\n", cmp.differing_cells, cmp.cells.size());
  fmt::print("# choice per size: the arg-min of ncclTopoGetAlgoTime on NCCL's table and on shardsim's\n");
  fmt::print("#{:>13} {:>14} {:>6} {:>12} {:>14} {:>6} {:>12} {:>6}\n", "size (B)", "NCCL algo", "proto", "time (us)", "model algo",
             "proto", "time (us)", "agree");
  for (const NcclChoiceComparison& c : cmp.choices)
    fmt::print("{:>14.0f} {:>14} {:>6} {:>12} {:>14} {:>6} {:>12.2f} {:>6}\n", c.bytes, c.nccl ? to_string(c.nccl->algorithm) : "-",
               c.nccl ? to_string(c.nccl->protocol) : "-", c.nccl ? fmt::format("{:.2f}", c.nccl->time_s * 1e6) : "-",
               to_string(c.model.algorithm), to_string(c.model.protocol), c.model.time_s * 1e6, c.agree ? "yes" : "NO");
  fmt::print("# NCCL's table and shardsim's choose the same algorithm and protocol at {} of {} sizes\n", cmp.agreeing_sizes,
             cmp.choices.size());
}

}  // namespace

void print_nccl_tuning_comparison(const NcclVersion& version, const NcclSystem& system, CollectiveKind kind,
                                  const std::string& log_path, int table_index, const std::vector<double>& sizes_bytes, bool json) {
  const NcclTuningLog log = read_nccl_tuning_log(log_path);
  const std::vector<NcclCallComparison> calls = compare_nccl_calls(version, system, kind, log.calls);
  // A log of per-call lines alone (no init table) still compares NCCL's choices; with neither,
  // nccl_tuning_table says what a usable log looks like.
  if (log.tables.empty() && !calls.empty()) {
    if (json) fmt::print("{}\n", nlohmann::ordered_json{{"nccl", version.name}, {"instance", system.instance}, {"nodes", system.nodes},
                                                                {"ranks_per_node", system.ranks_per_node}, {"op", to_string(kind)},
                                                                {"calls", calls_json(calls)}}.dump(2));
    else {
      fmt::print("# log: {}{}: no cost table, {} per-call choice lines\n", log.file,
                 log.nccl_version.empty() ? "" : fmt::format(" (written by NCCL {})", log.nccl_version), log.calls.size());
      if (!same_release(log.nccl_version, version.name))
        fmt::print("# note: the log is from NCCL {}, the model is NCCL {} (--nccl)\n", log.nccl_version, version.name);
      print_calls_text(kind, system, calls);
    }
    return;
  }
  const NcclPrintedTable& table = nccl_tuning_table(log, table_index);
  const NcclTableComparison cmp = compare_nccl_tables(version, system, kind, table.of(kind), sizes_bytes);
  if (json) print_json(version, system, kind, log, table_index, table, cmp, calls_json(calls));
  else {
    print_text(version, system, kind, log, table_index, table, cmp);
    if (!calls.empty()) print_calls_text(kind, system, calls);
  }
}

}  // namespace shardsim::cli
