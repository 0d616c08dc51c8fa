// Reading validated values out of JSON documents. A JsonObject is a view onto one JSON object of a
// named file; every accessor checks type and range and throws InputError naming the file, the
// JSON path ("p4d.json: /link_classes/nvlink/bandwidth") and what was expected. `finish()` rejects
// keys nobody asked for, suggesting the closest valid key, so typos never pass silently.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace shardsim {

// Parses a file as JSON. Missing, unreadable, empty, directory, non-UTF-8 and malformed input
// (with line and column) each give an InputError naming the file.
nlohmann::json load_json_file(const std::string& path);
// The text of an input file, for every reader (JSON or not). Refuses, naming the file, a missing or
// unreadable file, a directory, anything that is not a regular file (/dev/zero, a FIFO: never
// read until memory runs out) and a file over limits::kMaxInputFileBytes, before reading it; the
// file is remembered as an input (note_input_file), so no output of the run may replace it.
std::string read_input_text(const std::string& path, std::string_view expected = "a file");
nlohmann::json parse_json_text(std::string_view text, const std::string& origin);

class JsonObject {
 public:
  JsonObject(const nlohmann::json& json, std::string origin, std::string path = "");

  bool has(std::string_view key) const;

  std::string string(std::string_view key);
  std::optional<std::string> optional_string(std::string_view key);
  // A string that must be one of `allowed` ("'x' is not one of: a, b, c" otherwise).
  std::string one_of(std::string_view key, const std::vector<std::string>& allowed);
  double number(std::string_view key);  // finite
  double positive_number(std::string_view key);
  double non_negative_number(std::string_view key);  // finite and >= 0 (a latency, an overhead)
  double fraction(std::string_view key);  // in (0, 1]
  std::optional<double> optional_number(std::string_view key);
  std::int64_t integer(std::string_view key, std::int64_t min, std::int64_t max);
  std::optional<std::int64_t> optional_integer(std::string_view key, std::int64_t min, std::int64_t max);
  bool boolean(std::string_view key);
  std::optional<bool> optional_boolean(std::string_view key);
  double rate_Bps(std::string_view key);   // "100Gbps", "25GBps"
  double time_s(std::string_view key);     // "2us"
  std::uint64_t size_bytes(std::string_view key);  // "40GB", "1GiB"
  std::vector<std::string> strings(std::string_view key);
  std::vector<std::int64_t> integers(std::string_view key, std::int64_t min, std::int64_t max);
  std::vector<double> numbers(std::string_view key, std::size_t length);  // exactly `length` finite numbers >= 0

  JsonObject object(std::string_view key);
  std::vector<JsonObject> objects(std::string_view key);                          // array of objects
  std::vector<std::pair<std::string, JsonObject>> named_objects(std::string_view key);  // object of objects

  // Marks a key as known without reading it (e.g. "source" notes, "comment").
  void ignore(std::string_view key);
  // Throws on any key not read or ignored, with the closest valid key suggested.
  void finish() const;

  // "file: /path/key: message" for errors the caller detects itself.
  [[noreturn]] void fail(std::string_view key, std::string_view message) const;
  std::string where(std::string_view key) const;
  const std::string& origin() const { return origin_; }

 private:
  const nlohmann::json& field(std::string_view key);
  const nlohmann::json* json_;
  std::string origin_;
  std::string path_;
  std::set<std::string, std::less<>> used_;
};

// Levenshtein-closest of `candidates` to `word`, or "" when nothing is close.
std::string closest_word(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace shardsim
