// Validating a JSON document against a JSON Schema (draft 2020-12), for the subset of keywords
// shardsim's shipped schemas use: type (a name or a list), properties, required,
// additionalProperties (false), minimum, maximum, enum, items, oneOf and local $ref
// ("#/$defs/NAME"); annotations ($schema, $id, title, description, default, examples, $comment)
// are ignored and any other keyword is refused, so a schema cannot silently ask for a check that
// is not made. Errors are one InputError line in JsonObject's wording ("file: /cluster/nodes:
// expected an integer in [1, 1048576], found 0"; "unknown field 'x' (did you mean 'y'?)").
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <string>

namespace shardsim {

// Throws InputError naming `origin` and the JSON path of the first violation.
void validate_json_schema(const nlohmann::json& document, const nlohmann::json& schema, const std::string& origin);

// A schema file, parsed once per process and checked for unsupported keywords.
const nlohmann::json& load_json_schema(const std::string& path);

}  // namespace shardsim
