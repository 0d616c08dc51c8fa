#include "sim/input/json_reader.hpp"

#include "sim/input/input_error.hpp"
#include "sim/input/limits.hpp"
#include "sim/input/output_file.hpp"
#include "sim/units/units.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace shardsim {
namespace {

bool valid_utf8(std::string_view s, std::size_t& bad_offset) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) { bad_offset = i; return false; }
    for (std::size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) { bad_offset = i; return false; }
    i += n;
  }
  return true;
}

std::pair<std::size_t, std::size_t> line_and_column(std::string_view text, std::size_t offset) {
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') { ++line; column = 1; } else { ++column; }
  }
  return {line, column};
}

const char* type_name(const nlohmann::json& j) { return j.type_name(); }

// Refuses nesting deeper than limits::kMaxJsonDepth before the parser builds anything, naming the
// line and column where the limit is crossed. Brackets inside strings do not count.
void check_nesting(std::string_view text, const std::string& origin) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '[' || c == '{') {
      if (++depth > limits::kMaxJsonDepth) {
        auto [line, col] = line_and_column(text, i);
        throw InputError(fmt::format("{}:{}:{}: JSON nested deeper than {} levels (sim/input/limits.hpp)", origin, line,
                                     col, limits::kMaxJsonDepth));
      }
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
}

// A SAX pass that finds the first key repeated within one object (JSON allows it, nlohmann keeps
// the last one silently) and names it by its JSON path.
class DuplicateKeyFinder {
 public:
  using json = nlohmann::json;
  std::string duplicate;  // the path of the repeated key, or ""

  bool null() { return value(); }
  bool boolean(bool) { return value(); }
  bool number_integer(json::number_integer_t) { return value(); }
  bool number_unsigned(json::number_unsigned_t) { return value(); }
  bool number_float(json::number_float_t, const json::string_t&) { return value(); }
  bool string(json::string_t&) { return value(); }
  bool binary(json::binary_t&) { return value(); }
  bool start_object(std::size_t) {
    value();
    frames_.push_back({true, {}, {}, 0});
    return true;
  }
  bool key(json::string_t& k) {
    Frame& f = frames_.back();
    if (!f.keys.insert(k).second) {
      duplicate = parent_path() + "/" + k;
      return false;
    }
    f.key = k;
    return true;
  }
  bool end_object() {
    frames_.pop_back();
    return true;
  }
  bool start_array(std::size_t) {
    value();
    frames_.push_back({false, {}, {}, 0});
    return true;
  }
  bool end_array() {
    frames_.pop_back();
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) { return false; }

 private:
  struct Frame {
    bool object;
    std::set<std::string, std::less<>> keys;
    std::string key;
    std::size_t next_index;
  };
  bool value() {
    if (!frames_.empty() && !frames_.back().object) ++frames_.back().next_index;
    return true;
  }
  // The path of the innermost object (whose keys are being read).
  std::string parent_path() const {
    std::string p;
    for (std::size_t i = 0; i + 1 < frames_.size(); ++i)
      p += "/" + (frames_[i].object ? frames_[i].key : std::to_string(frames_[i].next_index - 1));
    return p;
  }
  std::vector<Frame> frames_;
};

}  // namespace

nlohmann::json parse_json_text(std::string_view text, const std::string& origin) {
  std::size_t bad = 0;
  if (!valid_utf8(text, bad)) {
    auto [line, col] = line_and_column(text, bad);
    throw InputError(fmt::format("{}:{}:{}: not valid UTF-8 text", origin, line, col));
  }
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos)
    throw InputError(fmt::format("{}: file is empty (expected a JSON document)", origin));
  check_nesting(text, origin);
  try {
    nlohmann::json doc = nlohmann::json::parse(text);
    DuplicateKeyFinder finder;
    nlohmann::json::sax_parse(text, &finder);
    if (!finder.duplicate.empty())
      throw InputError(fmt::format("{}: {}: duplicate key (each key may appear once in an object)", origin, finder.duplicate));
    return doc;
  } catch (const nlohmann::json::parse_error& e) {
    auto [line, col] = line_and_column(text, e.byte > 0 ? e.byte - 1 : 0);
    std::string what = e.what();
    // nlohmann's message is "[json.exception.parse_error.101] parse error at line 1, column 5: ..."
    auto pos = what.find(": ");
    if (pos != std::string::npos) what = what.substr(what.find(": ", pos + 2) == std::string::npos ? pos + 2 : what.find(": ", pos + 2) + 2);
    throw InputError(fmt::format("{}:{}:{}: malformed JSON: {}", origin, line, col, what));
  } catch (const nlohmann::json::out_of_range& e) {
    // A number too large for a double (1e999): nlohmann reports no position, only the text.
    std::string what = e.what();
    if (auto pos = what.find("] "); pos != std::string::npos) what = what.substr(pos + 2);
    throw InputError(fmt::format("{}: malformed JSON: {} (expected a finite number)", origin, what));
  }
}

nlohmann::json load_json_file(const std::string& path) { return parse_json_text(read_input_text(path, "a JSON file"), path); }

std::string read_input_text(const std::string& path, std::string_view expected) {
  // Opened without blocking (a FIFO with no writer would wait forever) and checked with fstat on
  // the open file, so what is checked is what is read.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    const int e = errno;
    if (e == ENOENT) throw InputError(fmt::format("{}: no such file", path));
    if (e == EACCES) throw InputError(fmt::format("{}: cannot be read (permission denied?)", path));
    throw InputError(fmt::format("{}: cannot be read ({})", path, std::strerror(e)));
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw InputError(fmt::format("{}: cannot be read ({})", path, std::strerror(errno)));
  if (S_ISDIR(st.st_mode)) throw InputError(fmt::format("{}: is a directory, expected {}", path, expected));
  if (!S_ISREG(st.st_mode)) {
    const char* kind = S_ISCHR(st.st_mode) ? "a character device" : S_ISFIFO(st.st_mode) ? "a FIFO" : S_ISSOCK(st.st_mode) ? "a socket" : S_ISBLK(st.st_mode) ? "a block device" : "not a regular file";
    throw InputError(fmt::format("{}: is {}, expected a regular file", path, kind));
  }
  if (st.st_size > limits::kMaxInputFileBytes)
    throw InputError(fmt::format("{}: {} bytes, more than the {} MiB an input file may have (sim/input/limits.hpp)", path,
                                 st.st_size, limits::kMaxInputFileBytes >> 20));
  note_input_file(path);
  std::string text(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t done = 0;
  for (;;) {
    if (done == text.size()) {
      // The file may have grown since fstat: read on, within the limit.
      if (static_cast<std::int64_t>(text.size()) >= limits::kMaxInputFileBytes + 1) break;
      text.resize(std::min<std::size_t>(text.size() + 65536, limits::kMaxInputFileBytes + 1));
    }
    const ssize_t n = ::read(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw InputError(fmt::format("{}: read error ({})", path, std::strerror(errno)));
    }
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  text.resize(done);
  if (static_cast<std::int64_t>(done) > limits::kMaxInputFileBytes)
    throw InputError(fmt::format("{}: more than the {} MiB an input file may have (sim/input/limits.hpp)", path,
                                 limits::kMaxInputFileBytes >> 20));
  return text;
}

JsonObject::JsonObject(const nlohmann::json& json, std::string origin, std::string path)
    : json_(&json), origin_(std::move(origin)), path_(std::move(path)) {
  if (!json.is_object())
    throw InputError(fmt::format("{}: {}: expected a JSON object, found {}", origin_, path_.empty() ? "/" : path_,
                                 type_name(json)));
}

std::string JsonObject::where(std::string_view key) const { return fmt::format("{}: {}/{}", origin_, path_, key); }

void JsonObject::fail(std::string_view key, std::string_view message) const {
  throw InputError(fmt::format("{}: {}", where(key), message));
}

bool JsonObject::has(std::string_view key) const { return json_->contains(key); }

const nlohmann::json& JsonObject::field(std::string_view key) {
  used_.emplace(key);
  auto it = json_->find(key);
  if (it == json_->end()) fail(key, "missing required field");
  return *it;
}

void JsonObject::ignore(std::string_view key) { used_.emplace(key); }

std::string JsonObject::string(std::string_view key) {
  const auto& j = field(key);
  if (!j.is_string()) fail(key, fmt::format("expected a string, found {}", type_name(j)));
  return j.get<std::string>();
}

std::string JsonObject::one_of(std::string_view key, const std::vector<std::string>& allowed) {
  std::string value = string(key);
  if (std::find(allowed.begin(), allowed.end(), value) == allowed.end())
    fail(key, fmt::format("'{}' is not one of: {}", value, fmt::join(allowed, ", ")));
  return value;
}

std::optional<std::string> JsonObject::optional_string(std::string_view key) {
  if (!has(key)) { used_.emplace(key); return std::nullopt; }
  return string(key);
}

double JsonObject::number(std::string_view key) {
  const auto& j = field(key);
  if (!j.is_number()) fail(key, fmt::format("expected a number, found {}", type_name(j)));
  const double v = j.get<double>();
  if (!std::isfinite(v)) fail(key, "expected a finite number");
  return v;
}

double JsonObject::positive_number(std::string_view key) {
  const double v = number(key);
  if (!(v > 0)) fail(key, fmt::format("expected a positive number, found {}", v));
  return v;
}

double JsonObject::non_negative_number(std::string_view key) {
  const double v = number(key);
  if (!(v >= 0)) fail(key, fmt::format("expected a number >= 0, found {}", v));
  return v + 0.0;  // -0 is 0
}

double JsonObject::fraction(std::string_view key) {
  const double v = number(key);
  if (!(v > 0 && v <= 1)) fail(key, fmt::format("expected a fraction in (0, 1], found {}", v));
  return v;
}

std::optional<double> JsonObject::optional_number(std::string_view key) {
  if (!has(key)) { used_.emplace(key); return std::nullopt; }
  return number(key);
}

std::int64_t JsonObject::integer(std::string_view key, std::int64_t min, std::int64_t max) {
  const auto& j = field(key);
  if (!j.is_number_integer()) fail(key, fmt::format("expected an integer, found {}", j.is_number() ? j.dump() : type_name(j)));
  if (j.is_number_unsigned() && j.get<std::uint64_t>() > static_cast<std::uint64_t>(max))
    fail(key, fmt::format("expected an integer in [{}, {}], found {}", min, max, j.dump()));
  const auto v = j.get<std::int64_t>();
  if (v < min || v > max) fail(key, fmt::format("expected an integer in [{}, {}], found {}", min, max, v));
  return v;
}

std::optional<std::int64_t> JsonObject::optional_integer(std::string_view key, std::int64_t min, std::int64_t max) {
  if (!has(key)) { used_.emplace(key); return std::nullopt; }
  return integer(key, min, max);
}

bool JsonObject::boolean(std::string_view key) {
  const auto& j = field(key);
  if (!j.is_boolean()) fail(key, fmt::format("expected true or false, found {}", type_name(j)));
  return j.get<bool>();
}

std::optional<bool> JsonObject::optional_boolean(std::string_view key) {
  if (!has(key)) { used_.emplace(key); return std::nullopt; }
  return boolean(key);
}

double JsonObject::rate_Bps(std::string_view key) {
  const std::string text = string(key);
  try { return parse_rate_Bps(text); } catch (const std::invalid_argument& e) { fail(key, e.what()); }
}

double JsonObject::time_s(std::string_view key) {
  const std::string text = string(key);
  try { return parse_time_s(text); } catch (const std::invalid_argument& e) { fail(key, e.what()); }
}

std::uint64_t JsonObject::size_bytes(std::string_view key) {
  const std::string text = string(key);
  try { return parse_size_bytes(text); } catch (const std::invalid_argument& e) { fail(key, e.what()); }
}

std::vector<std::string> JsonObject::strings(std::string_view key) {
  const auto& j = field(key);
  if (!j.is_array()) fail(key, fmt::format("expected an array of strings, found {}", type_name(j)));
  std::vector<std::string> out;
  for (const auto& e : j) {
    if (!e.is_string()) fail(key, fmt::format("expected an array of strings, found an element of type {}", type_name(e)));
    out.push_back(e.get<std::string>());
  }
  return out;
}

std::vector<std::int64_t> JsonObject::integers(std::string_view key, std::int64_t min, std::int64_t max) {
  const auto& j = field(key);
  if (!j.is_array()) fail(key, fmt::format("expected an array of integers, found {}", type_name(j)));
  std::vector<std::int64_t> out;
  for (const auto& e : j) {
    if (!e.is_number_integer()) fail(key, "expected an array of integers");
    const auto v = e.get<std::int64_t>();
    if (v < min || v > max) fail(key, fmt::format("element {} is outside [{}, {}]", v, min, max));
    out.push_back(v);
  }
  return out;
}

std::vector<double> JsonObject::numbers(std::string_view key, std::size_t length) {
  const auto& j = field(key);
  if (!j.is_array()) fail(key, fmt::format("expected an array of {} numbers, found {}", length, type_name(j)));
  if (j.size() != length) fail(key, fmt::format("expected {} numbers, found {}", length, j.size()));
  std::vector<double> out;
  for (const auto& e : j) {
    if (!e.is_number()) fail(key, fmt::format("expected an array of {} numbers, found an element that is {}", length, type_name(e)));
    const double v = e.get<double>();
    if (!std::isfinite(v) || v < 0) fail(key, fmt::format("element {} is not a finite number >= 0", v));
    out.push_back(v);
  }
  return out;
}

JsonObject JsonObject::object(std::string_view key) {
  const auto& j = field(key);
  if (!j.is_object()) fail(key, fmt::format("expected an object, found {}", type_name(j)));
  return JsonObject(j, origin_, fmt::format("{}/{}", path_, key));
}

std::vector<JsonObject> JsonObject::objects(std::string_view key) {
  const auto& j = field(key);
  if (!j.is_array()) fail(key, fmt::format("expected an array of objects, found {}", type_name(j)));
  std::vector<JsonObject> out;
  for (std::size_t i = 0; i < j.size(); ++i) {
    if (!j[i].is_object()) fail(fmt::format("{}/{}", key, i), fmt::format("expected an object, found {}", type_name(j[i])));
    out.emplace_back(j[i], origin_, fmt::format("{}/{}/{}", path_, key, i));
  }
  return out;
}

std::vector<std::pair<std::string, JsonObject>> JsonObject::named_objects(std::string_view key) {
  const auto& j = field(key);
  if (!j.is_object()) fail(key, fmt::format("expected an object, found {}", type_name(j)));
  std::vector<std::pair<std::string, JsonObject>> out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!it.value().is_object())
      fail(fmt::format("{}/{}", key, it.key()), fmt::format("expected an object, found {}", type_name(it.value())));
    out.emplace_back(it.key(), JsonObject(it.value(), origin_, fmt::format("{}/{}/{}", path_, key, it.key())));
  }
  return out;
}

void JsonObject::finish() const {
  std::vector<std::string> known(used_.begin(), used_.end());
  for (auto it = json_->begin(); it != json_->end(); ++it) {
    if (used_.count(it.key())) continue;
    const std::string suggestion = closest_word(it.key(), known);
    throw InputError(fmt::format("{}: unknown field '{}'{}", where(it.key()), it.key(),
                                 suggestion.empty() ? std::string() : fmt::format(" (did you mean '{}'?)", suggestion)));
  }
}

std::string closest_word(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    std::vector<std::size_t> prev(c.size() + 1), cur(c.size() + 1);
    for (std::size_t j = 0; j <= c.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= word.size(); ++i) {
      cur[0] = i;
      for (std::size_t j = 1; j <= c.size(); ++j)
        cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (word[i - 1] == c[j - 1] ? 0 : 1)});
      std::swap(prev, cur);
    }
    if (prev[c.size()] < best_distance) { best_distance = prev[c.size()]; best = c; }
  }
  return best;
}

}  // namespace shardsim
