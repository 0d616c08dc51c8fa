#include "runtime/gloo/gloo_communicator.hpp"

#include "runtime/comm/element_math.hpp"
#include "runtime/gloo/delay_line.hpp"
#include "runtime/gloo/gloo_store_adapter.hpp"

#include <fmt/format.h>
#include <gloo/barrier.h>
#include <gloo/common/error.h>
#include <gloo/rendezvous/context.h>
#include <gloo/transport/unbound_buffer.h>

#include <algorithm>
#include <cstring>
#include <exception>
#include <new>
#include <thread>
#include <tuple>

namespace shardsim::runtime {
namespace {

using gloo::transport::UnboundBuffer;

double seconds(std::chrono::milliseconds duration) { return duration.count() / 1000.0; }

bool is_timeout(const std::exception& error) { return std::strstr(error.what(), "Timed out") != nullptr; }

// Gloo's own message is kept, the peer is named in world ranks.
std::string describe(const std::exception& error) {
  std::string text = error.what();
  std::replace(text.begin(), text.end(), '\n', ' ');
  return text;
}

}  // namespace

GlooCommunicator::GlooCommunicator(std::shared_ptr<Store> store, std::string prefix, GlooMembers members, int rank,
                                   std::shared_ptr<gloo::transport::Device> device, GlooSettings settings)
    : store_(std::move(store)), prefix_(std::move(prefix)), members_(std::move(members)), rank_(rank),
      device_(std::move(device)), settings_(settings) {
  const bool spans_nodes = std::any_of(members_.node.begin(), members_.node.end(),
                                       [&](int node) { return node != members_.node[rank_]; });
  if (settings_.inter_node_delay_s > 0 && spans_nodes) {
    delay_line_ = std::make_unique<DelayLine>(std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::duration<double>(settings_.inter_node_delay_s)));
  }
  auto context = std::make_shared<gloo::rendezvous::Context>(rank_, size());
  context->setTimeout(settings_.timeout);
  GlooStoreAdapter adapter(*store_, prefix_, settings_.timeout);
  try {
    context->connectFullMesh(adapter, device_);
  } catch (const gloo::Exception& error) {
    throw RuntimeError(fmt::format("rank {}: connecting to the other {} ranks of the group failed: {}",
                                   members_.world_rank[rank_], size() - 1, describe(error)));
  }
  context_ = std::move(context);
  // connectFullMesh returns once this rank's pairs are up; a rank that went on and closed the
  // communicator at once would fail a peer still finishing its handshake with "closed by peer".
  barrier();
}

GlooCommunicator::~GlooCommunicator() = default;

std::unique_ptr<Communicator> GlooCommunicator::split(int colour, int key, const std::string& tag) {
  if (colour < 0) throw RuntimeError(fmt::format("split '{}': colour must be non-negative, got {}", tag, colour));
  // Every rank learns every rank's (colour, key) through this communicator itself.
  std::vector<std::int64_t> mine{colour, key};
  std::vector<std::int64_t> all(2 * size());
  all_gather(mine.data(), all.data(), 2, DataType::i64);
  std::vector<std::tuple<std::int64_t, int>> order;  // (key, old rank) of my colour
  for (int r = 0; r < size(); ++r) {
    if (all[2 * r] == colour) order.emplace_back(all[2 * r + 1], r);
  }
  std::sort(order.begin(), order.end());
  GlooMembers members;
  int new_rank = 0;
  for (std::size_t i = 0; i < order.size(); ++i) {
    const int old_rank = std::get<1>(order[i]);
    if (old_rank == rank_) new_rank = static_cast<int>(i);
    members.world_rank.push_back(members_.world_rank[old_rank]);
    members.node.push_back(members_.node[old_rank]);
  }
  const std::string prefix = fmt::format("{}split{}.{}.colour{}.", prefix_, splits_++, tag, colour);
  return std::make_unique<GlooCommunicator>(store_, prefix, std::move(members), new_rank, device_, settings_);
}

Buffer GlooCommunicator::allocate(std::size_t bytes) {
  // Cache-line aligned like device allocations; at least one byte so data() is never null.
  constexpr std::align_val_t alignment{64};
  void* memory = ::operator new(std::max<std::size_t>(bytes, 1), alignment);
  return Buffer{std::shared_ptr<void>(memory, [](void* p) { ::operator delete(p, alignment); }), bytes};
}

void GlooCommunicator::copy_from_host(Buffer& destination, const void* host, std::size_t bytes) {
  if (bytes > destination.bytes) throw RuntimeError(fmt::format("copy of {} bytes into a buffer of {}", bytes, destination.bytes));
  std::memcpy(destination.data(), host, bytes);
}

void GlooCommunicator::copy_to_host(void* host, const Buffer& source, std::size_t bytes) {
  if (bytes > source.bytes) throw RuntimeError(fmt::format("copy of {} bytes out of a buffer of {}", bytes, source.bytes));
  std::memcpy(host, source.data(), bytes);
}

void GlooCommunicator::copy_local(void* destination, const void* source, std::size_t bytes) {
  std::memmove(destination, source, bytes);  // Gloo's calls are synchronous: nothing to wait for
}

void GlooCommunicator::throw_peer_error(const char* action, int peer, const std::exception& error) const {
  const int me = members_.world_rank[rank_];
  const int them = members_.world_rank[peer];
  if (is_timeout(error)) {
    // The peer may itself be waiting on a rank further along: the launcher's summary names the
    // rank that went silent; this line says only what this rank saw.
    throw RuntimeError(fmt::format("rank {}: {} rank {} did not complete within {:g} s: rank {}, or a rank it waits on, "
                                   "stalled or died (raise --timeout-s if it is only slow)",
                                   me, action, them, seconds(settings_.timeout), them));
  }
  throw RuntimeError(fmt::format("rank {}: {} rank {} failed: rank {} died or stopped after an error of its own: {}", me,
                                 action, them, them, describe(error)));
}

void GlooCommunicator::wait_recv(void* buffer, int peer) {
  try {
    if (!static_cast<UnboundBuffer*>(buffer)->waitRecv(settings_.timeout))
      throw RuntimeError(fmt::format("rank {}: receive aborted", members_.world_rank[rank_]));
  } catch (const gloo::Exception& error) {
    throw_peer_error("receiving from", peer, error);
  }
}

void GlooCommunicator::wait_send(void* buffer, int peer) {
  try {
    if (!static_cast<UnboundBuffer*>(buffer)->waitSend(settings_.timeout))
      throw RuntimeError(fmt::format("rank {}: send aborted", members_.world_rank[rank_]));
  } catch (const gloo::Exception& error) {
    throw_peer_error("sending to", peer, error);
  }
}

namespace {

// A collective that fails part-way must not leave sends queued on the delay line: they read
// buffers that go away with the collective.
class CancelSendsOnFailure {
 public:
  explicit CancelSendsOnFailure(DelayLine* line) : line_(line), exceptions_(std::uncaught_exceptions()) {}
  ~CancelSendsOnFailure() {
    if (line_ && std::uncaught_exceptions() > exceptions_) line_->cancel();
  }
  CancelSendsOnFailure(const CancelSendsOnFailure&) = delete;
  CancelSendsOnFailure& operator=(const CancelSendsOnFailure&) = delete;

 private:
  DelayLine* line_;
  int exceptions_;
};

}  // namespace

bool GlooCommunicator::crosses_nodes(int peer) const { return members_.node[peer] != members_.node[rank_]; }

// A send to another node goes through the delay line when there is one (the emulated wire latency).
void GlooCommunicator::send_to(void* buffer, int peer, std::uint64_t slot, const Chunk& chunk) {
  auto* unbound = static_cast<UnboundBuffer*>(buffer);
  if (delay_line_ && crosses_nodes(peer)) {
    delay_line_->post([unbound, peer, slot, chunk] { unbound->send(peer, slot, chunk.offset_bytes, chunk.bytes); });
    return;
  }
  try {
    unbound->send(peer, slot, chunk.offset_bytes, chunk.bytes);
  } catch (const gloo::Exception& error) {
    throw_peer_error("sending to", peer, error);
  }
}

void GlooCommunicator::wait_sends(void* buffer, int peer, int sends) {
  if (delay_line_ && crosses_nodes(peer)) {
    try {
      delay_line_->drain();
    } catch (const gloo::Exception& error) {
      throw_peer_error("sending to", peer, error);
    }
  }
  for (int i = 0; i < sends; ++i) wait_send(buffer, peer);
}

void GlooCommunicator::post_receives(void* buffer, std::uint64_t slot, const std::function<Chunk(int step)>& where) {
  auto* unbound = static_cast<UnboundBuffer*>(buffer);
  try {
    for (int step = 0; step < size() - 1; ++step) {
      const Chunk chunk = where(step);
      if (chunk.bytes > 0) unbound->recv(left(), slot + step, chunk.offset_bytes, chunk.bytes);
    }
  } catch (const gloo::Exception& error) {
    throw_peer_error("receiving from", left(), error);
  }
}

// Every receive of the ring is posted before the first send. Gloo moves a message only once its
// receiver has posted the receive (a rendezvous), so a receive posted step by step would add a
// notification round trip to every step and make each step wait for its slowest hop; posted up
// front, a rank forwards a chunk as soon as it has it and the ring runs as a pipeline, as NCCL's
// rings do (the simulator's model of a ring step).
// Step s: send chunk (rank - s) to the right, receive chunk (rank - s - 1) from the left.
void GlooCommunicator::ring_all_gather(char* data, std::size_t total_bytes, const std::vector<Chunk>& chunks) {
  const int p = size();
  auto buffer = context_->createUnboundBuffer(data, total_bytes);
  const std::uint64_t slot = context_->nextSlot(p);
  const auto incoming = [&](int step) -> const Chunk& { return chunks[(rank_ - step - 1 + 2 * p) % p]; };
  const auto outgoing = [&](int step) -> const Chunk& { return chunks[(rank_ - step + p) % p]; };
  const CancelSendsOnFailure guard(delay_line_.get());
  post_receives(buffer.get(), slot, [&](int step) { return incoming(step); });
  int sends = 0;
  for (int step = 0; step < p - 1; ++step) {
    if (outgoing(step).bytes > 0) {
      send_to(buffer.get(), right(), slot + step, outgoing(step));
      ++sends;
    }
    if (incoming(step).bytes > 0) wait_recv(buffer.get(), left());
  }
  wait_sends(buffer.get(), right(), sends);
}

// Step s: send the partial sum of chunk (rank - s - 1) to the right, receive the partial sum of
// chunk (rank - s - 2) from the left into a scratch slot of its own and add it in; after p-1
// steps chunk `rank` is complete. Receives are posted up front, as in ring_all_gather.
void GlooCommunicator::ring_reduce_scatter(char* data, std::size_t total_bytes, const std::vector<Chunk>& chunks,
                                           DataType type) {
  const int p = size();
  std::size_t largest = 1;
  for (const auto& chunk : chunks) largest = std::max(largest, chunk.bytes);
  const std::size_t scratch_bytes = largest * std::max(p - 1, 1);
  if (scratch_.size() < scratch_bytes) scratch_.resize(scratch_bytes);
  auto buffer = context_->createUnboundBuffer(data, total_bytes);
  auto incoming_buffer = context_->createUnboundBuffer(scratch_.data(), scratch_bytes);
  const std::uint64_t slot = context_->nextSlot(p);
  const std::size_t element = size_of(type);
  const auto incoming = [&](int step) -> const Chunk& { return chunks[(rank_ - step - 2 + 2 * p) % p]; };
  const auto outgoing = [&](int step) -> const Chunk& { return chunks[(rank_ - step - 1 + 2 * p) % p]; };
  const CancelSendsOnFailure guard(delay_line_.get());
  post_receives(incoming_buffer.get(), slot, [&](int step) { return Chunk{step * largest, incoming(step).bytes}; });
  int sends = 0;
  for (int step = 0; step < p - 1; ++step) {
    if (outgoing(step).bytes > 0) {
      send_to(buffer.get(), right(), slot + step, outgoing(step));
      ++sends;
    }
    const Chunk& in = incoming(step);
    if (in.bytes > 0) {
      wait_recv(incoming_buffer.get(), left());
      add_into(data + in.offset_bytes, scratch_.data() + step * largest, in.bytes / element, type);
    }
  }
  wait_sends(buffer.get(), right(), sends);
}

void GlooCommunicator::all_gather(const void* send, void* recv, std::size_t count, DataType type) {
  const std::size_t chunk_bytes = count * size_of(type);
  auto* out = static_cast<char*>(recv);
  if (out + rank_ * chunk_bytes != send) std::memmove(out + rank_ * chunk_bytes, send, chunk_bytes);
  std::vector<Chunk> chunks(size());
  for (int r = 0; r < size(); ++r) chunks[r] = {r * chunk_bytes, chunk_bytes};
  ring_all_gather(out, size() * chunk_bytes, chunks);
}

void GlooCommunicator::reduce_scatter(const void* send, void* recv, std::size_t count, DataType type) {
  const std::size_t chunk_bytes = count * size_of(type);
  const std::size_t total_bytes = size() * chunk_bytes;
  // The input must stay untouched, so the partial sums build up in a working copy.
  if (work_.size() < total_bytes) work_.resize(total_bytes);
  std::memcpy(work_.data(), send, total_bytes);
  std::vector<Chunk> chunks(size());
  for (int r = 0; r < size(); ++r) chunks[r] = {r * chunk_bytes, chunk_bytes};
  ring_reduce_scatter(work_.data(), total_bytes, chunks, type);
  std::memcpy(recv, work_.data() + rank_ * chunk_bytes, chunk_bytes);
}

void GlooCommunicator::all_reduce(const void* send, void* recv, std::size_t count, DataType type) {
  const std::size_t element = size_of(type);
  const std::size_t total_bytes = count * element;
  if (recv != send) std::memmove(recv, send, total_bytes);
  // Balanced chunks, so any count works: rank r owns elements [count*r/p, count*(r+1)/p).
  std::vector<Chunk> chunks(size());
  for (int r = 0; r < size(); ++r) {
    const std::size_t begin = count * r / size();
    const std::size_t end = count * (r + 1) / size();
    chunks[r] = {begin * element, (end - begin) * element};
  }
  auto* data = static_cast<char*>(recv);
  ring_reduce_scatter(data, total_bytes, chunks, type);
  ring_all_gather(data, total_bytes, chunks);
}

void GlooCommunicator::barrier() {
  gloo::BarrierOptions options(context_);
  options.setTimeout(settings_.timeout);
  try {
    gloo::barrier(options);
  } catch (const gloo::Exception& error) {
    const int me = members_.world_rank[rank_];
    if (is_timeout(error)) {
      throw RuntimeError(fmt::format("rank {}: barrier of {} ranks did not complete within {:g} s: a rank stalled or died",
                                     me, size(), seconds(settings_.timeout)));
    }
    throw RuntimeError(fmt::format("rank {}: barrier of {} ranks failed, a rank died: {}", me, size(), describe(error)));
  }
}

void GlooCommunicator::abort() {
  try {
    context_->closeConnections();
  } catch (const std::exception&) {
    // Aborting after a failure: a connection that is already gone is what we expect here.
  }
}

}  // namespace shardsim::runtime
