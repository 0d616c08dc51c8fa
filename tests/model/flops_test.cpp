#include "sim/input/input_error.hpp"
#include "sim/model/flops.hpp"
#include "sim/model/model_loader.hpp"

#include "tests/support/test_models.hpp"

#include <catch2/catch.hpp>

using namespace shardsim;

namespace {

TransformerModel tiny() { return test::tiny_model(); }

}  // namespace

TEST_CASE("layer FLOPs, hand computed", "[model]") {
  // b = 3, s = 8: matmuls 2*244*3*8 = 11712, attention scores 2*2*3*8^2*4 = 3072.
  const auto f = layer_flops(tiny(), 3, true);
  CHECK(f.forward == 14784.0);
  CHECK(f.backward == 29568.0);
  CHECK(f.recompute == 14784.0);
  CHECK(f.total() == 59136.0);
  CHECK(layer_flops(tiny(), 3, false).recompute == 0.0);
}

TEST_CASE("model FLOPs add the output head, which is never recomputed", "[model]") {
  const auto m = model_flops(tiny(), 3, true);
  // Head: 2*V*h*b*s = 2*10*4*3*8 = 1920 forward, 3840 backward.
  CHECK(m.output_head.forward == 1920.0);
  CHECK(m.output_head.backward == 3840.0);
  CHECK(m.output_head.recompute == 0.0);
  CHECK(m.layers == 2);
  CHECK(m.forward_flops == 2 * 14784.0 + 1920.0);
  CHECK(m.backward_flops == 2 * 29568.0 + 3840.0);
  CHECK(m.recompute_flops == 2 * 14784.0);
  CHECK(m.total_flops == 124032.0);
  CHECK(model_flops(tiny(), 3, false).total_flops == 124032.0 - 29568.0);
}

TEST_CASE("per-token conventions: MFU 6*Psi versus hardware FLOPs", "[model]") {
  CHECK(model_flops_per_token(tiny()) == 6.0 * 568);
  // b = 1: layer forward 2*244*8 + 4*8^2*4 = 4928; head forward 640.
  // With recompute: (2 layers x 4 x 4928 + 3 x 640) / 8 tokens = 5168.
  CHECK(hardware_flops_per_token(tiny(), true) == 5168.0);
  CHECK(hardware_flops_per_token(tiny(), false) == (2 * 3 * 4928.0 + 3 * 640.0) / 8);
}

TEST_CASE("GPT-3 175B costs about 8*Psi hardware FLOPs per token with checkpointing", "[model]") {
  const auto gpt3 = load_model("gpt3-175b");
  const double psi = static_cast<double>(parameter_count(gpt3));
  CHECK(model_flops_per_token(gpt3) == Approx(6 * psi));
  // Attention scores add 4*s*h per layer per pass, x4 passes x96 layers = 38.7 GFLOP/token (about 3%).
  const double hw = hardware_flops_per_token(gpt3, true);
  CHECK(hw > 8 * psi * 0.99);
  CHECK(hw < 8 * psi * 1.06);
}

TEST_CASE("FLOPs reject an empty micro-batch", "[model]") {
  CHECK_THROWS_AS(layer_flops(tiny(), 0, true), InputError);
}
