// Helpers shared by the tests: paths of shipped and test data, temporary files.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace shardsim::test {

inline std::string data_path(const std::string& relative) { return std::string(SHARDSIM_DATA_DIR) + "/" + relative; }

// A file in a fresh temporary directory holding `content`; removed with the object.
class TempFile {
 public:
  TempFile(const std::string& name, const std::string& content) {
    dir_ = std::filesystem::temp_directory_path() / ("shardsim-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / name).string();
    std::ofstream(path_, std::ios::binary) << content;
  }
  ~TempFile() { std::error_code ec; std::filesystem::remove_all(dir_, ec); }
  const std::string& path() const { return path_; }

 private:
  static int& counter() { static int c = 0; return c; }
  std::filesystem::path dir_;
  std::string path_;
};

}  // namespace shardsim::test
