// The shipped JSON Schema is what the loaders check first: every shipped scenario and model file
// passes it, violations read as one line in JsonObject's wording, and a schema keyword the
// validator does not implement is refused rather than ignored.
#include "sim/input/input_error.hpp"
#include "sim/input/json_reader.hpp"
#include "sim/input/json_schema.hpp"
#include "tests/support/test_data.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>

using namespace shardsim;
using Catch::Contains;
using test::data_path;

namespace {

const nlohmann::json& schema() { return load_json_schema(data_path("schemas/scenario.schema.json")); }

void check(const std::string& text) { validate_json_schema(nlohmann::json::parse(text), schema(), "s.json"); }

}  // namespace

TEST_CASE("every shipped scenario and model file passes the schema", "[scenarios][schema]") {
  for (const auto& e : std::filesystem::directory_iterator(data_path("scenarios")))
    if (e.path().extension() == ".json") {
      INFO(e.path());
      CHECK_NOTHROW(validate_json_schema(load_json_file(e.path().string()), schema(), e.path().string()));
    }
  for (const auto& e : std::filesystem::directory_iterator(data_path("scenarios/models")))
    if (e.path().extension() == ".json") {
      INFO(e.path());
      CHECK_NOTHROW(validate_json_schema(load_json_file(e.path().string()), schema().at("$defs").at("model"), e.path().string()));
    }
}

TEST_CASE("schema violations are one line naming the path", "[scenarios][schema]") {
  const std::string base = R"("cluster": {"instance": "p4d.24xlarge", "nodes": 2}, "batch": {"micro_batch": 1})";
  CHECK_NOTHROW(check(R"({"model": "gpt2-small", )" + base + "}"));
  CHECK_THROWS_WITH(check(R"({"model": "gpt2-small", "seqlen": 5, )" + base + "}"),
                    Contains("s.json: /seqlen: unknown field 'seqlen' (did you mean 'seq_len'?)"));
  CHECK_THROWS_WITH(check(R"({"model": 5, )" + base + "}"), Contains("s.json: /model: expected a string or an object, found integer"));
  CHECK_THROWS_WITH(check(R"({"model": {"layers": 2, "hidden": 8, "heads": 2, "seq_len": 4, "vocab": 10, "norm": "rmsnrom"}, )" + base + "}"),
                    Contains("/model/norm: expected one of layernorm, rmsnorm") && Contains("did you mean 'rmsnorm'?"));
  CHECK_THROWS_WITH(check(R"({"model": "gpt2-small", "cluster": {"instance": "p4d.24xlarge", "nodes": 0}, "batch": {"micro_batch": 1}})"),
                    Contains("/cluster/nodes: expected an integer in [1, 1048576], found 0"));
  CHECK_THROWS_WITH(check(R"({"model": "gpt2-small", "batch": {"micro_batch": 1}})"), Contains("/cluster: missing required field"));
}

TEST_CASE("a schema keyword the validator does not check is refused", "[scenarios][schema]") {
  const test::TempFile f("x.schema.json", R"({"type": "object", "properties": {"a": {"type": "string", "pattern": "^x"}}})");
  CHECK_THROWS_WITH(load_json_schema(f.path()), Contains("schema keyword 'pattern' is not one shardsim checks"));
}
