// Reads nccl-tests text logs (see nccl_tests_log.hpp).
#include "validate/calibrate/nccl_tests_log.hpp"

#include "sim/input/input_error.hpp"
#include "sim/input/json_reader.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace shardsim::validate {
namespace {

std::vector<std::string> tokens_of(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string t; in >> t;) out.push_back(t);
  return out;
}

bool is_integer(const std::string& text) {
  long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size();
}

double number(const std::string& text, const std::string& origin, const char* column) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size())
    throw InputError(fmt::format("{}: column '{}' is '{}', expected a number", origin, column, text));
  return value;
}

// Where each value sits in a data row, read from the column header: today's 13 columns (size count
// type redop root, then time algbw busbw #wrong out of place and in place) or older releases' 12
// (no root; `error`, the largest numerical error, where #wrong is now).
struct RowLayout {
  std::size_t fields = 0;
  int redop = -1, root = -1;
  std::array<int, 2> time{-1, -1}, algbw{-1, -1}, busbw{-1, -1}, check{-1, -1};
  bool check_counts_wrong = true;  // "#wrong" (refused above 0) or "error" (a rounding error, kept)
  std::string origin;              // the header's "file:line"
};

RowLayout layout_of(const std::vector<std::string>& t, const std::string& origin) {
  RowLayout l;
  l.fields = t.size() - 1;  // without the '#'
  l.origin = origin;
  std::array<int, 4> seen{};  // time, algbw, busbw, check columns met so far
  for (std::size_t i = 1; i < t.size(); ++i) {
    const int col = static_cast<int>(i) - 1;
    auto put = [&](std::array<int, 2>& slot, std::size_t k) {
      if (seen[k] < 2) slot[static_cast<std::size_t>(seen[k]++)] = col;
    };
    if (t[i] == "redop") l.redop = col;
    else if (t[i] == "root") l.root = col;
    else if (t[i] == "time") put(l.time, 0);
    else if (t[i] == "algbw") put(l.algbw, 1);
    else if (t[i] == "busbw") put(l.busbw, 2);
    else if (t[i] == "#wrong" || t[i] == "error") {
      l.check_counts_wrong = t[i] == "#wrong";
      put(l.check, 3);
    }
  }
  if (t.size() < 4 || t[3] != "type" || l.time[0] < 0 || l.algbw[0] < 0 || l.busbw[0] < 0)
    throw InputError(fmt::format("{}: a column header without size, count, type, time, algbw and busbw", origin));
  return l;
}

void check_wrong(const std::string& text, const RowLayout& layout, const std::string& origin, const char* which) {
  if (text == "N/A" || !layout.check_counts_wrong) return;  // run without checking (-c 0), or an old max-error column
  if (number(text, origin, "#wrong") > 0)
    throw InputError(fmt::format("{}: {} #wrong is {}: a fit to wrong answers calibrates nothing", origin, which, text));
}

NcclTestsRow parse_row(const std::vector<std::string>& t, const RowLayout& layout, const std::string& origin) {
  if (t.size() != layout.fields)
    throw InputError(fmt::format("{}: a data row has {} fields, expected {} (the columns named at {}); truncated log?", origin,
                                 t.size(), layout.fields, layout.origin));
  auto at = [&](int col, const char* name) { return number(t[static_cast<std::size_t>(col)], origin, name); };
  NcclTestsRow r;
  r.origin = origin;
  r.bytes = at(0, "size");
  r.count_elements = static_cast<long>(at(1, "count"));
  r.type = t[2];
  if (layout.redop >= 0) r.redop = t[static_cast<std::size_t>(layout.redop)];
  if (layout.root >= 0) r.root = static_cast<int>(at(layout.root, "root"));
  r.out_of_place_time_us = at(layout.time[0], "time");
  r.out_of_place_algbw_GBps = at(layout.algbw[0], "algbw");
  r.out_of_place_busbw_GBps = at(layout.busbw[0], "busbw");
  if (layout.check[0] >= 0) check_wrong(t[static_cast<std::size_t>(layout.check[0])], layout, origin, "out-of-place");
  if (layout.time[1] >= 0) r.in_place_time_us = at(layout.time[1], "time");
  if (layout.algbw[1] >= 0) r.in_place_algbw_GBps = at(layout.algbw[1], "algbw");
  if (layout.busbw[1] >= 0) r.in_place_busbw_GBps = at(layout.busbw[1], "busbw");
  if (layout.check[1] >= 0) check_wrong(t[static_cast<std::size_t>(layout.check[1])], layout, origin, "in-place");
  if (r.bytes < 0 || r.out_of_place_time_us <= 0)
    throw InputError(fmt::format("{}: size must be >= 0 and the out-of-place time positive", origin));
  return r;
}

// The collective named by an nccl-tests program name in `text`, if exactly one is.
std::optional<CollectiveKind> program_kind(const std::string& text, const std::string& name) {
  static constexpr std::pair<const char*, CollectiveKind> kPrograms[] = {
      {"all_gather_perf", CollectiveKind::all_gather},
      {"reduce_scatter_perf", CollectiveKind::reduce_scatter},
      {"all_reduce_perf", CollectiveKind::all_reduce}};
  std::optional<CollectiveKind> found;
  for (const auto& [program, kind] : kPrograms) {
    if (text.find(program) == std::string::npos) continue;
    if (found && *found != kind)
      throw InputError(fmt::format("{}: names more than one nccl-tests program; give one log per run", name));
    found = kind;
  }
  return found;
}

// The NCCL release a line names, if it names one.
std::optional<std::string> nccl_version_in(const std::string& line) {
  if (const auto at = line.find("NCCL version "); at != std::string::npos) {
    const auto t = tokens_of(line.substr(at + 13));
    if (!t.empty()) return t[0].substr(0, t[0].find('+'));  // "2.18.3+cuda12.2" -> "2.18.3"
  }
  if (const auto at = line.find("nccl-library="); at != std::string::npos) {
    const auto t = tokens_of(line.substr(at + 13));
    if (!t.empty() && is_integer(t[0]) && t[0].size() >= 5) {  // 21803 = 2.18.3 (NCCL_VERSION_CODE)
      const long code = std::stol(t[0]);
      return fmt::format("{}.{}.{}", code / 10000, code / 100 % 100, code % 100);
    }
  }
  return std::nullopt;
}

struct HeaderFacts {
  std::set<int> ranks;
  std::set<std::string> hosts;
  std::optional<RowLayout> layout;  // from the column header, once seen
};

// A `#  Rank  N Group  G Pid  P on  HOST device ...` line.
void read_rank_line(const std::vector<std::string>& t, HeaderFacts& h, const std::string& origin) {
  for (std::size_t i = 3; i + 1 < t.size(); ++i) {
    if (t[i] != "on") continue;
    if (!is_integer(t[2])) throw InputError(fmt::format("{}: a Rank line without a rank number", origin));
    h.ranks.insert(std::stoi(t[2]));
    h.hosts.insert(t[i + 1]);
    return;
  }
  throw InputError(fmt::format("{}: a Rank line without 'on HOST'", origin));
}

void read_header_line(const std::vector<std::string>& t, HeaderFacts& h, NcclTestsLog& log, const std::string& origin) {
  if (t.size() >= 3 && t[0] == "#" && t[1] == "Rank") read_rank_line(t, h, origin);
  else if (t.size() >= 4 && t[1] == "size" && t[2] == "count") h.layout = layout_of(t, origin);
  else if (t.size() >= 6 && t[1] == "Avg" && t[2] == "bus" && t[3] == "bandwidth")
    log.avg_busbw_GBps = number(t.back(), origin, "Avg bus bandwidth");
}

void set_shape(NcclTestsLog& log, const HeaderFacts& h, const NcclTestsDefaults& d, const std::string& name) {
  if (!h.ranks.empty()) {
    const int ranks = static_cast<int>(h.ranks.size());
    log.nodes = static_cast<int>(h.hosts.size());
    if (ranks % log.nodes != 0)
      throw InputError(fmt::format("{}: {} ranks on {} hosts is not the same number of ranks on every node", name, ranks, log.nodes));
    log.ranks_per_node = ranks / log.nodes;
    return;
  }
  if (d.nodes < 1 || d.ranks_per_node < 1)
    throw InputError(fmt::format("{}: no '#  Rank N ... on HOST' lines; give --nodes and --ranks-per-node", name));
  log.nodes = d.nodes;
  log.ranks_per_node = d.ranks_per_node;
}

}  // namespace

NcclTestsLog parse_nccl_tests_log(const std::string& text, const std::string& name, const NcclTestsDefaults& defaults) {
  NcclTestsLog log;
  log.file = name;
  auto kind = program_kind(text, name);
  if (!kind) kind = program_kind(std::filesystem::path(name).filename().string(), name);
  if (!kind) kind = defaults.kind;
  if (!kind)
    throw InputError(fmt::format("{}: unknown collective: no all_gather_perf, reduce_scatter_perf or all_reduce_perf in the "
                                 "log or its name; give --collective",
                                 name));
  log.kind = *kind;
  HeaderFacts header;
  std::istringstream in(text);
  int line_number = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_number;
    const auto t = tokens_of(line);
    if (t.empty()) continue;
    const std::string origin = fmt::format("{}:{}", name, line_number);
    if (log.nccl_version.empty())
      if (auto version = nccl_version_in(line)) log.nccl_version = *version;
    if (t[0][0] == '#') read_header_line(t, header, log, origin);
    else if (header.layout && is_integer(t[0])) {
      NcclTestsRow row = parse_row(t, *header.layout, origin);
      if (row.bytes > 0) log.rows.push_back(std::move(row));  // all_gather_perf prints size-0 rows below nRanks elements
    }
  }
  if (log.rows.empty())
    throw InputError(fmt::format("{}: no data rows (expected nccl-tests output: a '#  size  count  type ...' header, then "
                                 "one row per size)",
                                 name));
  set_shape(log, header, defaults, name);
  return log;
}

NcclTestsLog read_nccl_tests_log(const std::string& path, const NcclTestsDefaults& defaults) {
  return parse_nccl_tests_log(read_input_text(path), path, defaults);
}

}  // namespace shardsim::validate
