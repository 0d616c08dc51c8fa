// Hand-sized models shared by the tests, so expected values can be derived on paper.
#pragma once

#include "sim/model/transformer.hpp"

namespace shardsim::test {

// 2 layers, h = 4, 2 heads, f = 16, s = 8, V = 10: 244 parameters per layer, 568 in all
// (derivation in tests/model/transformer_test.cpp).
inline TransformerModel tiny_model() {
  TransformerModel m;
  m.name = "tiny";
  m.layers = 2;
  m.hidden = 4;
  m.heads = 2;
  m.ffn_hidden = 16;
  m.seq_len = 8;
  m.vocab = 10;
  return m;
}

// 4 layers, h = 512: big enough for collectives to matter, small enough to simulate in milliseconds.
inline TransformerModel small_model() {
  TransformerModel m;
  m.name = "test-small";
  m.layers = 4;
  m.hidden = 512;
  m.heads = 8;
  m.ffn_hidden = 2048;
  m.seq_len = 256;
  m.vocab = 1000;
  return m;
}

}  // namespace shardsim::test
