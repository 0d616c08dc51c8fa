// Fuzzes the JSON reader every loader shares (read_input_text + parse_json_text, the file path
// load_json_file takes) with an oracle for what it must refuse, not only for how it fails: a
// document it accepts must nest no deeper than limits::kMaxJsonDepth and repeat no key within an
// object. The oracle re-reads the accepted text with nlohmann's callback parser, which reports
// every key (its DOM keeps only the last of a repeated key, which is how duplicates once passed
// silently).
#include "tests/fuzz/fuzz_support.hpp"

#include "sim/input/json_reader.hpp"
#include "sim/input/limits.hpp"

#include <nlohmann/json.hpp>

#include <set>
#include <string>
#include <vector>

namespace {

int depth_of(const nlohmann::json& j) {
  // Iterative: the oracle must not itself recurse deeply.
  int deepest = 0;
  std::vector<std::pair<const nlohmann::json*, int>> stack{{&j, 1}};
  while (!stack.empty()) {
    auto [node, depth] = stack.back();
    stack.pop_back();
    if (!node->is_structured()) continue;
    deepest = std::max(deepest, depth);
    for (const auto& child : *node) stack.emplace_back(&child, depth + 1);
  }
  return deepest;
}

[[noreturn]] void bug(const char* what) {
  std::fprintf(stderr, "\nfuzz_json: BUG: %s was accepted\n", what);
  std::abort();
}

void check_no_duplicate_keys(const std::string& text) {
  std::vector<std::set<std::string>> objects;
  nlohmann::json::parser_callback_t callback = [&](int, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using E = nlohmann::json::parse_event_t;
    if (event == E::object_start) objects.emplace_back();
    else if (event == E::object_end) objects.pop_back();
    else if (event == E::key && !objects.back().insert(parsed.get<std::string>()).second) bug("a repeated key");
    return true;
  };
  const nlohmann::json reparsed = nlohmann::json::parse(text, callback);
  (void)reparsed;
}

}  // namespace

SHARDSIM_FUZZ_TARGET(json) {
  using namespace shardsim;
  if (size > fuzz::kMaxInput) return 0;
  const std::string path = fuzz::write_temp(data, size, "json");
  fuzz::expect_only_input_errors("fuzz_json", [&] {
    const nlohmann::json doc = load_json_file(path);
    if (depth_of(doc) > limits::kMaxJsonDepth) bug("nesting deeper than the limit");
    check_no_duplicate_keys(read_input_text(path));
  });
  return 0;
}
