// scenario_from_flags (declared in scenario.hpp): a scenario built from command-line flags alone,
// with the checks load_scenario makes after its overrides.
#include "sim/input/input_error.hpp"
#include "sim/model/model_loader.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/scenario/simulation_size.hpp"

#include <fmt/format.h>

namespace shardsim {

Scenario scenario_from_flags(const ScenarioOverrides& o) {
  check_overrides(o);
  auto require = [](bool given, const char* flag, const char* what) {
    if (!given)
      throw InputError(fmt::format("{} is required without a scenario file ({}); or give a scenario JSON (docs/scenarios.md)", flag, what));
  };
  require(o.model.has_value(), "--model", "a preset such as gpt3-175b or hf/llama-2-70b, a model file or a config.json");
  require(o.instance.has_value(), "--instance", "an instance name such as p4d.24xlarge, or a topology JSON");
  require(o.nodes.has_value(), "--nodes", "the node count");
  require(o.strategy.has_value() || o.deepspeed_config.has_value(), "--strategy", "zero3, mics, ..., or --deepspeed CONFIG");

  Scenario sc;
  sc.step.model = load_model(*o.model);
  if (o.seq_len) set_seq_len(sc.step.model, *o.seq_len, "--seq-len");
  sc.name = "command-line scenario";
  sc.file = "(command line)";
  sc.cluster = make_cluster(load_instance_by_name(*o.instance), *o.nodes);
  apply_overrides(o, sc, "--framework");
  validate_step_config(sc.cluster, sc.step);
  check_schedule_size(sc.step);
  return sc;
}

}  // namespace shardsim
