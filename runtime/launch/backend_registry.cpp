#include "runtime/launch/backend_registry.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace shardsim::runtime {

void BackendRegistry::add(std::string name, WorldFactory factory) {
  const auto same = [&](const auto& backend) { return backend.first == name; };
  if (std::any_of(backends_.begin(), backends_.end(), same))
    throw RuntimeError(fmt::format("internal: backend '{}' registered twice", name));
  backends_.emplace_back(std::move(name), std::move(factory));
}

const WorldFactory& BackendRegistry::find(const std::string& name) const {
  for (const auto& [known, factory] : backends_)
    if (known == name) return factory;
  // "use cpu or nccl": the names as a user would list them.
  const std::vector<std::string> known = names();
  std::string choices;
  for (std::size_t i = 0; i < known.size(); ++i) {
    if (i > 0) choices += i + 1 == known.size() ? " or " : ", ";
    choices += known[i];
  }
  throw RuntimeError(fmt::format("unknown backend '{}' ({})", name, choices.empty() ? "no backend is registered" : "use " + choices));
}

std::vector<std::string> BackendRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& backend : backends_) out.push_back(backend.first);
  return out;
}

}  // namespace shardsim::runtime
