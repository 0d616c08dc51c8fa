// Runs saved fuzz inputs through the fuzz targets without libFuzzer, so regressions and seeds are
// ordinary CTest tests in every build (gcc, ASan/UBSan, release):
//   shardsim_fuzz_replay TARGET FILE_OR_DIRECTORY...
// A directory is searched recursively for files. An input that trips a target aborts this process
// (the target prints what went wrong); otherwise it prints how many inputs ran.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

int shardsim_fuzz_topology(const std::uint8_t* data, std::size_t size);
int shardsim_fuzz_model(const std::uint8_t* data, std::size_t size);
int shardsim_fuzz_scenario(const std::uint8_t* data, std::size_t size);
int shardsim_fuzz_deepspeed(const std::uint8_t* data, std::size_t size);
int shardsim_fuzz_cli(const std::uint8_t* data, std::size_t size);
int shardsim_fuzz_nccl(const std::uint8_t* data, std::size_t size);
int shardsim_fuzz_framework(const std::uint8_t* data, std::size_t size);
int shardsim_fuzz_json(const std::uint8_t* data, std::size_t size);
int shardsim_fuzz_tuning_log(const std::uint8_t* data, std::size_t size);
int shardsim_fuzz_timer_log(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
  using Target = int (*)(const std::uint8_t*, std::size_t);
  const std::map<std::string, Target> targets{{"topology", shardsim_fuzz_topology},
                                              {"model", shardsim_fuzz_model},
                                              {"scenario", shardsim_fuzz_scenario},
                                              {"deepspeed", shardsim_fuzz_deepspeed},
                                              {"cli", shardsim_fuzz_cli},
                                              {"nccl", shardsim_fuzz_nccl},
                                              {"framework", shardsim_fuzz_framework},
                                              {"json", shardsim_fuzz_json},
                                              {"tuning_log", shardsim_fuzz_tuning_log},
                                              {"timer_log", shardsim_fuzz_timer_log}};
  if (argc < 3 || !targets.count(argv[1])) {
    std::fprintf(stderr, "usage: %s topology|model|scenario|deepspeed|cli|nccl|framework|json|tuning_log|timer_log FILE_OR_DIRECTORY...\n", argv[0]);
    return 2;
  }
  const Target target = targets.at(argv[1]);
  std::vector<std::filesystem::path> files;
  for (int i = 2; i < argc; ++i) {
    const std::filesystem::path p(argv[i]);
    if (std::filesystem::is_directory(p)) {
      for (const auto& e : std::filesystem::recursive_directory_iterator(p))
        if (e.is_regular_file()) files.push_back(e.path());
    } else if (std::filesystem::is_regular_file(p)) {
      files.push_back(p);
    } else {
      std::fprintf(stderr, "%s: no such file or directory\n", argv[i]);
      return 2;
    }
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    std::fprintf(stderr, "%s %s\n", argv[1], f.c_str());
    target(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  }
  std::fprintf(stderr, "%s: %zu inputs ran without a bug\n", argv[1], files.size());
  return 0;
}
