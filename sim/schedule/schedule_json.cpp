#include "sim/schedule/schedule_json.hpp"

namespace shardsim {

nlohmann::ordered_json schedule_to_json(const Schedule& s) {
  nlohmann::ordered_json j;
  j["strategy"] = s.strategy;
  j["world_size"] = s.world_size;
  j["micro_steps"] = s.micro_steps;
  j["rank"] = s.program.rank;
  for (const auto& g : s.groups) {
    // Only the groups this rank belongs to are listed in full; the rest are counted.
    bool mine = false;
    for (int r : g.ranks) mine = mine || r == s.program.rank;
    if (mine) j["groups"].push_back({{"id", g.id}, {"role", to_string(g.role)}, {"ranks", g.ranks}});
  }
  j["group_count"] = s.groups.size();
  j["communicators"] = nlohmann::ordered_json::array();
  for (const auto& c : s.communicators)
    j["communicators"].push_back({{"id", c.id}, {"label", c.label}, {"role", to_string(c.role)}, {"group_size", c.group_size}});
  nlohmann::ordered_json ops = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < s.program.ops.size(); ++i) {
    const Op& op = s.program.ops[i];
    nlohmann::ordered_json o{{"id", i}, {"label", op.label}, {"stream", to_string(op.stream)}, {"micro_step", op.micro_step}, {"layer", op.layer}};
    if (const auto* c = std::get_if<ComputeOp>(&op.body)) {
      o["kind"] = "compute";
      o["flops"] = c->flops;
      o["hbm_bytes"] = c->hbm_bytes;
      if (!c->kernels.empty()) {
        nlohmann::ordered_json kernels = nlohmann::ordered_json::array();
        for (const Kernel& k : c->kernels) {
          nlohmann::ordered_json kj{{"name", k.name}, {"kind", to_string(k.kind)}};
          if (k.kind != KernelKind::memory) {
            kj["m"] = k.m;
            kj["n"] = k.n;
            kj["k"] = k.k;
            kj["batch"] = k.batch;
          }
          kj["flops"] = k.flops;
          kj["hbm_bytes"] = k.hbm_bytes;
          if (k.count != 1) kj["count"] = k.count;
          kernels.push_back(std::move(kj));
        }
        o["kernels"] = std::move(kernels);
      }
    } else if (const auto* c = std::get_if<CollectiveOp>(&op.body)) {
      o["kind"] = to_string(c->kind);
      o["algorithm"] = to_string(c->algorithm);
      o["group"] = c->group;
      o["communicator"] = c->communicator;
      o["bytes"] = c->bytes;
      o["dtype"] = c->dtype;
    } else if (const auto* c = std::get_if<CopyOp>(&op.body)) {
      o["kind"] = "copy";
      o["bytes"] = c->bytes;
    } else {
      o["kind"] = "host";
      o["seconds"] = std::get<HostOp>(op.body).seconds;
    }
    o["deps"] = op.deps;
    ops.push_back(std::move(o));
  }
  j["ops"] = std::move(ops);
  return j;
}

}  // namespace shardsim
