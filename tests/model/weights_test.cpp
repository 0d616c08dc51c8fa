#include "sim/model/weights.hpp"

#include <catch2/catch.hpp>

#include <numeric>

namespace shardsim {
namespace {

std::int64_t sum(const std::vector<WeightTensor>& w) {
  return std::accumulate(w.begin(), w.end(), std::int64_t{0}, [](std::int64_t s, const WeightTensor& t) { return s + t.elements; });
}

TransformerModel gpt_100b() {
  TransformerModel m;
  m.name = "gpt-100b";
  m.layers = 55;
  m.hidden = 12288;
  m.heads = 96;
  m.ffn_hidden = 4 * 12288;
  m.seq_len = 2048;
  m.vocab = 50257;
  return m;
}

TEST_CASE("the weight tensors add up to the parameter counts", "[model][weights]") {
  for (bool gated : {false, true})
    for (bool tied : {true, false}) {
      TransformerModel m = gpt_100b();
      m.gated_mlp = gated;
      m.tied_embeddings = tied;
      CHECK(sum(block_weights(m)) == parameters_per_layer(m));
      CHECK(m.layers * sum(block_weights(m)) + sum(embedding_weights(m)) + sum(head_weights(m)) == parameter_count(m));
    }
}

TEST_CASE("the weight tensors add up with grouped-query attention, RMSNorm, no biases and experts", "[model][weights]") {
  TransformerModel m = gpt_100b();
  m.kv_heads = 8;
  m.head_dim = 64;
  m.fused_qkv = false;
  m.qkv_bias = m.out_bias = m.mlp_bias = m.norm_bias = false;
  m.position_table = 0;
  m.gated_mlp = true;
  m.qk_norm = true;
  for (int experts : {0, 4}) {
    m.experts = experts;
    m.experts_per_token = experts > 0 ? 2 : 0;
    m.expert_ffn_hidden = 1024;
    m.shared_expert_ffn_hidden = experts > 0 ? 2048 : 0;
    m.shared_expert_gate = experts > 0;
    m.dense_layers = experts > 0 ? 1 : 0;
    std::int64_t listed = sum(embedding_weights(m)) + sum(head_weights(m));
    for (int l = 0; l < m.layers; ++l) {
      CHECK(sum(block_weights(m, l)) == parameters_of_layer(m, l));
      listed += sum(block_weights(m, l));
    }
    CHECK(listed == parameter_count(m));
    CHECK(active_parameter_count(m) <= parameter_count(m));
  }
}

TEST_CASE("the 100B block's weights are the framework-behaviour reference's", "[model][weights]") {
  // shared/reference/framework-behaviour.md: QKV 906 MB, attention output 302 MB, fc1 and fc2
  // 1.21 GB each in bf16 (3h^2, h^2, 4h^2 elements at h = 12288, 2 bytes each).
  const auto w = block_weights(gpt_100b());
  REQUIRE(w.size() == 12);  // not gated
  CHECK(w[2].name == "attention.qkv.weight");
  CHECK(w[2].elements * 2 == 905969664);
  CHECK(w[4].elements * 2 == 301989888);
  CHECK(w[8].elements * 2 == 1207959552);
  CHECK(w[10].elements * 2 == 1207959552);
}

}  // namespace
}  // namespace shardsim
