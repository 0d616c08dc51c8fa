#include "sim/scenario/strategy_name.hpp"

#include "sim/input/input_error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace shardsim {
namespace {

std::string lowercase(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// What a framework or framework-native name is here; "" when it is not one.
std::string framework_name_hint(const std::string& raw, const std::string& flag) {
  const std::string name = lowercase(raw);
  if (name == "fsdp" || name == "fsdp1" || name == "fsdp2" || name == "torch_fsdp" || name == "pytorch_fsdp") {
    const std::string profile = name == "fsdp2" ? "fsdp2" : "fsdp";
    return fmt::format("'{}' is a framework, not a strategy: FSDP's full sharding (FULL_SHARD, FSDP2's fully_shard) is "
                       "zero3 with {} {}, and its hybrid sharding (HYBRID_SHARD) is hybrid_shard or hybrid_shard_deferred",
                       raw, flag, profile);
  }
  if (name == "full_shard" || name == "fully_shard")
    return fmt::format("'{}' is FSDP's name for full sharding, which is zero3 here (with {} fsdp)", raw, flag);
  if (name == "shard_grad_op")
    return fmt::format("'{}' is FSDP's name for sharding gradients and optimizer states, which is zero2 here (with {} fsdp)", raw, flag);
  if (name == "no_shard") return fmt::format("'{}' is FSDP's name for no sharding, which is ddp here", raw);
  if (name == "hsdp" || name == "_hybrid_shard_zero2")
    return fmt::format("'{}' is FSDP's hybrid sharding, which is hybrid_shard (or hybrid_shard_deferred) here", raw);
  if (name == "deepspeed" || name.rfind("deepspeed-", 0) == 0)
    return fmt::format("'{}' is a framework, not a strategy: DeepSpeed's ZeRO stages are zero1, zero2 and zero3, MiCS is mics and "
                       "ZeRO++'s hpZ is zeropp_hpz (with {} {})",
                       raw, flag, name);
  if (name == "ideal")
    return fmt::format("'ideal' is a framework profile, not a strategy (give it with {})", flag);
  return "";
}

}  // namespace

Strategy parse_strategy_name(const std::string& name, const std::string& framework_flag) {
  try {
    return parse_strategy(name);
  } catch (const InputError& e) {
    const std::string hint = framework_name_hint(name, framework_flag);
    if (hint.empty()) throw;
    throw InputError(hint);
  }
}

}  // namespace shardsim
