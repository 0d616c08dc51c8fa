#include "sim/input/json_schema.hpp"

#include "sim/input/input_error.hpp"
#include "sim/input/json_reader.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <map>
#include <mutex>
#include <set>

namespace shardsim {
namespace {

const std::set<std::string> kAnnotations{"$schema", "$id", "title", "description", "default", "examples", "$comment", "$defs"};
const std::set<std::string> kChecked{"type", "properties", "required", "additionalProperties", "minimum", "maximum", "enum", "items",
                                     "oneOf", "$ref"};

std::string type_of(const nlohmann::json& j) {
  if (j.is_number_integer()) return "integer";
  if (j.is_number()) return "number";
  if (j.is_boolean()) return "boolean";
  if (j.is_string()) return "string";
  if (j.is_array()) return "array";
  if (j.is_object()) return "object";
  return "null";
}

std::string article(const std::string& type) {
  return (type == "integer" || type == "object" || type == "array") ? "an " + type : type == "boolean" ? "true or false" : "a " + type;
}

bool type_matches(const nlohmann::json& j, const std::string& type) {
  const std::string t = type_of(j);
  return t == type || (type == "number" && t == "integer");
}

class Validator {
 public:
  Validator(const nlohmann::json& root, std::string origin) : root_(root), origin_(std::move(origin)) {}

  void check(const nlohmann::json& value, const nlohmann::json& schema, const std::string& path) const {
    const nlohmann::json& s = resolve(schema, path);
    if (s.contains("oneOf")) return check_one_of(value, s, path);
    if (s.contains("type")) check_type(value, s.at("type"), path);
    if (s.contains("enum")) check_enum(value, s.at("enum"), path);
    if (value.is_number()) check_range(value, s, path);
    if (value.is_object()) check_object(value, s, path);
    if (value.is_array() && s.contains("items"))
      for (std::size_t i = 0; i < value.size(); ++i) check(value[i], s.at("items"), fmt::format("{}/{}", path, i));
  }

 private:
  [[noreturn]] void fail(const std::string& path, const std::string& message) const {
    throw InputError(fmt::format("{}: {}: {}", origin_, path.empty() ? "/" : path, message));
  }

  const nlohmann::json& resolve(const nlohmann::json& schema, const std::string& path) const {
    if (!schema.is_object() || !schema.contains("$ref")) return schema;
    const std::string ref = schema.at("$ref").get<std::string>();
    const std::string prefix = "#/$defs/";
    if (!ref.starts_with(prefix) || !root_.contains("$defs") || !root_.at("$defs").contains(ref.substr(prefix.size())))
      fail(path, fmt::format("schema error: unresolved $ref '{}'", ref));
    return root_.at("$defs").at(ref.substr(prefix.size()));
  }

  void check_type(const nlohmann::json& value, const nlohmann::json& type, const std::string& path) const {
    std::vector<std::string> types;
    if (type.is_string()) types.push_back(type.get<std::string>());
    else
      for (const auto& t : type) types.push_back(t.get<std::string>());
    for (const auto& t : types)
      if (type_matches(value, t)) return;
    std::vector<std::string> names;
    for (const auto& t : types) names.push_back(article(t));
    const std::string found = value.is_number() ? value.dump() : type_of(value);
    fail(path, fmt::format("expected {}, found {}", fmt::join(names, " or "), found));
  }

  void check_enum(const nlohmann::json& value, const nlohmann::json& options, const std::string& path) const {
    for (const auto& o : options)
      if (o == value) return;
    std::vector<std::string> names;
    for (const auto& o : options) names.push_back(o.is_string() ? o.get<std::string>() : o.dump());
    std::string hint;
    if (value.is_string()) {
      const std::string closest = closest_word(value.get<std::string>(), names);
      if (!closest.empty()) hint = fmt::format("; did you mean '{}'?", closest);
    }
    fail(path, fmt::format("expected one of {}, found {}{}", fmt::join(names, ", "), value.dump(), hint));
  }

  void check_range(const nlohmann::json& value, const nlohmann::json& s, const std::string& path) const {
    const bool lo = s.contains("minimum"), hi = s.contains("maximum");
    if (!lo && !hi) return;
    const double v = value.get<double>();
    const bool ok = (!lo || v >= s.at("minimum").get<double>()) && (!hi || v <= s.at("maximum").get<double>());
    if (ok) return;
    const std::string what = value.is_number_integer() ? "an integer" : "a number";
    if (lo && hi) fail(path, fmt::format("expected {} in [{}, {}], found {}", what, s.at("minimum").dump(), s.at("maximum").dump(), value.dump()));
    if (lo) fail(path, fmt::format("expected {} >= {}, found {}", what, s.at("minimum").dump(), value.dump()));
    fail(path, fmt::format("expected {} <= {}, found {}", what, s.at("maximum").dump(), value.dump()));
  }

  void check_object(const nlohmann::json& value, const nlohmann::json& s, const std::string& path) const {
    static const nlohmann::json kEmpty = nlohmann::json::object();
    const nlohmann::json& props = s.contains("properties") ? s.at("properties") : kEmpty;
    if (s.contains("required"))
      for (const auto& r : s.at("required"))
        if (!value.contains(r.get<std::string>())) fail(path + "/" + r.get<std::string>(), "missing required field");
    const bool closed = s.contains("additionalProperties") && s.at("additionalProperties") == false;
    std::vector<std::string> known;
    for (const auto& [k, v] : props.items()) known.push_back(k);
    for (const auto& [k, v] : value.items()) {
      if (props.contains(k)) {
        check(v, props.at(k), path + "/" + k);
      } else if (closed) {
        const std::string hint = closest_word(k, known);
        fail(path + "/" + k, fmt::format("unknown field '{}'{}", k, hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint)));
      }
    }
  }

  // The branch whose type the value has decides (shardsim's schemas use oneOf to let a field be,
  // say, a name or an inline object), so its error is the one reported.
  void check_one_of(const nlohmann::json& value, const nlohmann::json& s, const std::string& path) const {
    std::vector<std::string> names;
    for (const auto& branch : s.at("oneOf")) {
      const nlohmann::json& b = resolve(branch, path);
      const std::string type = b.value("type", std::string());
      if (type.empty() || type_matches(value, type)) return check(value, b, path);
      names.push_back(article(type));
    }
    fail(path, fmt::format("expected {}, found {}", fmt::join(names, " or "), type_of(value)));
  }

  const nlohmann::json& root_;
  std::string origin_;
};

void check_keywords(const nlohmann::json& schema, const std::string& file, const std::string& where) {
  if (!schema.is_object()) return;
  for (const auto& [k, v] : schema.items()) {
    if (kAnnotations.contains(k) && k != "$defs") continue;
    if (k == "$defs" || k == "properties") {
      for (const auto& [name, sub] : v.items()) check_keywords(sub, file, where + "/" + k + "/" + name);
      continue;
    }
    if (!kChecked.contains(k)) throw InputError(fmt::format("{}: {}/{}: schema keyword '{}' is not one shardsim checks", file, where, k, k));
    if (k == "items") check_keywords(v, file, where + "/items");
    if (k == "oneOf")
      for (std::size_t i = 0; i < v.size(); ++i) check_keywords(v[i], file, fmt::format("{}/oneOf/{}", where, i));
  }
}

}  // namespace

void validate_json_schema(const nlohmann::json& document, const nlohmann::json& schema, const std::string& origin) {
  Validator(schema, origin).check(document, schema, "");
}

const nlohmann::json& load_json_schema(const std::string& path) {
  static std::mutex mutex;
  static std::map<std::string, nlohmann::json> cache;
  std::lock_guard lock(mutex);
  auto it = cache.find(path);
  if (it != cache.end()) return it->second;
  nlohmann::json schema = load_json_file(path);
  check_keywords(schema, path, "");
  return cache.emplace(path, std::move(schema)).first->second;
}

}  // namespace shardsim
