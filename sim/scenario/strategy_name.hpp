// Strategy names as users type them. People reach for the framework they know ("fsdp",
// "deepspeed") or for its own sharding names ("full_shard", "shard_grad_op", "hsdp") where this
// simulator names the strategy by what it shards (zero3, zero2, hybrid_shard, ...) and the
// framework separately (a framework profile, sim/framework/framework_profile.hpp). A framework
// name or a framework's own sharding name is refused with the strategy and framework flag that
// model it, instead of the nearest spelling ("fsdp" is closest to "ddp", which is the opposite).
#pragma once

#include "sim/strategies/strategy.hpp"

#include <string>

namespace shardsim {

// parse_strategy(name), with the message above for framework and framework-native names.
// `framework_flag` is how the caller's users choose a framework ("--framework", "--frameworks",
// "the scenario's \"framework\" key"). Throws InputError.
Strategy parse_strategy_name(const std::string& name, const std::string& framework_flag);

}  // namespace shardsim
