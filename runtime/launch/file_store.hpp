// The job's rendezvous store as files in a directory every rank can read (Gloo's FileStore): the
// local launcher's fresh temporary directory, or SHARDSIM_STORE_DIR on the emulated cluster, whose
// ranks run in separate network namespaces over one filesystem. The directory must be fresh per
// job: Gloo refuses to set a key whose file already exists.
#pragma once

#include "runtime/comm/communicator.hpp"

#include <memory>

namespace gloo::rendezvous {
class FileStore;
}

namespace shardsim::runtime {

class FileStore : public Store {
 public:
  explicit FileStore(const std::string& directory);  // creates the directory if needed
  ~FileStore() override;
  void set(const std::string& key, const std::vector<char>& value) override;
  std::vector<char> get(const std::string& key, std::chrono::milliseconds timeout) override;

 private:
  std::string directory_;
  std::unique_ptr<gloo::rendezvous::FileStore> store_;
};

}  // namespace shardsim::runtime
