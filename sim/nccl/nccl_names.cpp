#include "sim/nccl/nccl_names.hpp"

#include "sim/input/input_error.hpp"
#include "sim/input/json_reader.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <vector>

namespace shardsim {
namespace {

constexpr std::array<const char*, kNcclAlgorithms> kAlgorithmNames = {"Tree", "Ring", "CollnetDirect", "CollnetChain",
                                                                     "NVLS", "NVLSTree", "PAT"};
constexpr std::array<const char*, kNcclAlgorithms> kAlgorithmKeys = {"tree", "ring", "collnet_direct", "collnet_chain",
                                                                    "nvls", "nvls_tree", "pat"};
constexpr std::array<const char*, kNcclProtocols> kProtocolNames = {"LL", "LL128", "Simple"};
constexpr std::array<const char*, kNcclProtocols> kProtocolKeys = {"ll", "ll128", "simple"};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

template <std::size_t N>
int find_name(const std::string& text, const std::array<const char*, N>& names, const std::array<const char*, N>& keys,
              const char* what, const char* variable) {
  const std::string l = lower(text);
  std::vector<std::string> choices;
  for (std::size_t i = 0; i < N; ++i) {
    if (l == lower(names[i]) || l == keys[i]) return static_cast<int>(i);
    choices.emplace_back(names[i]);
  }
  const std::string hint = closest_word(text, choices);
  throw InputError(fmt::format("unknown NCCL {} '{}' (expected one of {}, as {} spells them){}", what, text,
                               fmt::join(choices, ", "), variable, hint.empty() ? "" : fmt::format("; did you mean '{}'?", hint)));
}

}  // namespace

const char* to_string(NcclAlgorithm algorithm) { return kAlgorithmNames[nccl_index(algorithm)]; }
const char* to_string(NcclProtocol protocol) { return kProtocolNames[nccl_index(protocol)]; }
const char* data_key(NcclAlgorithm algorithm) { return kAlgorithmKeys[nccl_index(algorithm)]; }
const char* data_key(NcclProtocol protocol) { return kProtocolKeys[nccl_index(protocol)]; }

NcclAlgorithm parse_nccl_algorithm(const std::string& text) {
  return static_cast<NcclAlgorithm>(find_name(text, kAlgorithmNames, kAlgorithmKeys, "algorithm", "NCCL_ALGO"));
}

NcclProtocol parse_nccl_protocol(const std::string& text) {
  return static_cast<NcclProtocol>(find_name(text, kProtocolNames, kProtocolKeys, "protocol", "NCCL_PROTO"));
}

}  // namespace shardsim
