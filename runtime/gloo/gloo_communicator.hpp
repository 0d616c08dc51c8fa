// The CPU backend: a Communicator over Gloo's TCP transport, with host memory as device memory.
// The collectives are rings written on Gloo's unbound buffers (send/recv with slots), because
// Gloo ships no ring reduce-scatter: reduce-scatter and all-gather take p-1 steps, all-reduce is
// reduce-scatter then all-gather (2(p-1) steps), exactly the algorithms the simulator models.
// Every wait has the timeout, so a dead or stalled peer becomes a RuntimeError naming that peer.
// Each split gets its own Gloo context, connected through its own prefix of the job's store.
#pragma once

#include "runtime/comm/communicator.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace gloo {
class Context;
namespace transport {
class Device;
}
}  // namespace gloo

namespace shardsim::runtime {

class DelayLine;

struct GlooSettings {
  std::chrono::milliseconds timeout{60000};
  // Emulated cluster only (the kernel here has no netem): a message to another node enters the
  // transport this long after it was sent (delay_line.hpp), standing in for the link latency.
  double inter_node_delay_s = 0;
};

// Who the members of a communicator are, indexed by their rank in it: their world rank (for
// error messages) and their node (for the emulated inter-node delay).
struct GlooMembers {
  std::vector<int> world_rank;
  std::vector<int> node;
};

class GlooCommunicator : public Communicator {
 public:
  // Connects a full mesh among `members` through `store` under `prefix`. Collective.
  GlooCommunicator(std::shared_ptr<Store> store, std::string prefix, GlooMembers members, int rank,
                   std::shared_ptr<gloo::transport::Device> device, GlooSettings settings);
  ~GlooCommunicator() override;

  int rank() const override { return rank_; }
  int size() const override { return static_cast<int>(members_.world_rank.size()); }
  std::string backend() const override { return "gloo"; }
  std::unique_ptr<Communicator> split(int colour, int key, const std::string& tag) override;

  Buffer allocate(std::size_t bytes) override;
  void copy_from_host(Buffer& destination, const void* host, std::size_t bytes) override;
  void copy_to_host(void* host, const Buffer& source, std::size_t bytes) override;
  void copy_local(void* destination, const void* source, std::size_t bytes) override;

  void all_gather(const void* send, void* recv, std::size_t count, DataType type) override;
  void reduce_scatter(const void* send, void* recv, std::size_t count, DataType type) override;
  void all_reduce(const void* send, void* recv, std::size_t count, DataType type) override;
  void barrier() override;
  void synchronize() override {}  // every call above returns when its data is in place
  void abort() override;

 private:
  struct Chunk {
    std::size_t offset_bytes = 0;
    std::size_t bytes = 0;
  };
  void ring_all_gather(char* data, std::size_t total_bytes, const std::vector<Chunk>& chunks);
  void ring_reduce_scatter(char* data, std::size_t total_bytes, const std::vector<Chunk>& chunks, DataType type);
  void wait_recv(void* buffer, int peer);
  void wait_send(void* buffer, int peer);
  bool crosses_nodes(int peer) const;
  void send_to(void* buffer, int peer, std::uint64_t slot, const Chunk& chunk);
  void wait_sends(void* buffer, int peer, int sends);
  // Posts the ring's p-1 receives from the left, step s into where(s) of `buffer`.
  void post_receives(void* buffer, std::uint64_t slot, const std::function<Chunk(int step)>& where);
  [[noreturn]] void throw_peer_error(const char* action, int peer, const std::exception& error) const;
  int left() const { return (rank_ + size() - 1) % size(); }
  int right() const { return (rank_ + 1) % size(); }

  std::shared_ptr<Store> store_;
  std::string prefix_;
  GlooMembers members_;
  int rank_ = 0;
  std::shared_ptr<gloo::transport::Device> device_;
  GlooSettings settings_;
  std::shared_ptr<gloo::Context> context_;
  // Reused across calls so that timed loops do not measure page faults.
  std::vector<char> work_;     // reduce_scatter's copy of its input (the input must stay untouched)
  std::vector<char> scratch_;  // the chunks a reduce-scatter receives, one slot per step
  std::unique_ptr<DelayLine> delay_line_;  // only with an emulated inter-node delay
  int splits_ = 0;
};

}  // namespace shardsim::runtime
