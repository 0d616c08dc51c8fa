// Framework names given as strategies point at the strategy and framework that model them.
#include "sim/scenario/strategy_name.hpp"

#include <catch2/catch.hpp>

using namespace shardsim;

TEST_CASE("framework names as strategies say what models them", "[scenario][strategy]") {
  CHECK(parse_strategy_name("zero3", "--framework") == Strategy::zero3);
  CHECK_THROWS_WITH(parse_strategy_name("fsdp", "--frameworks"),
                    Catch::Contains("'fsdp' is a framework, not a strategy") && Catch::Contains("zero3 with --frameworks fsdp") &&
                        Catch::Contains("hybrid_shard") && !Catch::Contains("ddp"));
  CHECK_THROWS_WITH(parse_strategy_name("FULL_SHARD", "--framework"), Catch::Contains("zero3 here"));
  CHECK_THROWS_WITH(parse_strategy_name("shard_grad_op", "--framework"), Catch::Contains("zero2 here"));
  CHECK_THROWS_WITH(parse_strategy_name("deepspeed", "--framework"), Catch::Contains("zero1, zero2 and zero3"));
  // Anything else keeps the nearest-spelling hint.
  CHECK_THROWS_WITH(parse_strategy_name("mic", "--framework"), Catch::Contains("did you mean 'mics'"));
}
