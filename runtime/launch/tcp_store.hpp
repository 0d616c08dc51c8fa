// The job's rendezvous store over TCP for clusters (MASTER_ADDR:MASTER_PORT, as torchrun): rank 0
// serves an in-memory key-value map on a background thread, every rank (rank 0 included) is a
// client. Clients retry connecting until the timeout, since rank 0 may start last. Every operation
// (connect, the handshake that tells shardsim's store from another program on the port, set, get)
// ends within the timeout, so a rank never blocks on a rank 0 that cannot serve or is stopped. The store only
// carries start-up data (addresses, unique ids, argument digests), so one request per round trip
// and polling for missing keys are fast enough.
#pragma once

#include "runtime/comm/communicator.hpp"

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>

namespace shardsim::runtime {

class TcpStoreServer;

class TcpStore : public Store {
 public:
  // serve: this process runs the server (rank 0). Throws RuntimeError "cannot reach rendezvous at
  // HOST:PORT within N s" when no server answers in time.
  TcpStore(const std::string& host, int port, bool serve, std::chrono::milliseconds timeout);
  ~TcpStore() override;
  void set(const std::string& key, const std::vector<char>& value) override;
  std::vector<char> get(const std::string& key, std::chrono::milliseconds timeout) override;

 private:
  // One request and its answer, both before the deadline (else RuntimeError naming the store).
  std::vector<char> request(char operation, const std::string& key, const std::vector<char>& value,
                            std::chrono::steady_clock::time_point deadline);

  std::string host_;
  int port_ = 0;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<TcpStoreServer> server_;
  std::mutex mutex_;  // one request at a time on the connection
  int socket_ = -1;
};

}  // namespace shardsim::runtime
