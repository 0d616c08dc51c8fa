#include "runtime/launch/tcp_store.hpp"

#include "runtime/launch/memory_store.hpp"

#include <fmt/format.h>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <limits>
#include <map>
#include <string_view>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace shardsim::runtime {
namespace {

// Wire format, both directions: one byte (operation or status), then length-prefixed strings.
constexpr char kSet = 'S';
constexpr char kGet = 'G';
constexpr char kFound = 1;
constexpr char kMissing = 0;
// How often a client asks again for a key that is not there yet, and how long it waits between
// connection attempts while rank 0 is not listening yet.
constexpr auto kPollInterval = std::chrono::milliseconds(2);
constexpr auto kConnectRetryInterval = std::chrono::milliseconds(50);
constexpr auto kServerWakeInterval_ms = 100;

using Clock = std::chrono::steady_clock;

// Magic of the store handshake: a client's first request, answered with the same bytes. Anything
// else listening on MASTER_PORT (or a stopped rank 0) gives no such answer within the timeout.
constexpr char kHello = 'H';
constexpr std::string_view kMagic = "shardsim-store-1";

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left <= 0 ? 0 : left > 1'000'000'000 ? 1'000'000'000 : static_cast<int>(left);
}

enum class Io { ok, closed, timeout };

// Waits until fd is readable (POLLIN) or writable (POLLOUT), at most until the deadline.
bool wait_for(int fd, short events, Clock::time_point deadline) {
  while (true) {
    pollfd p{fd, events, 0};
    const int ready = ::poll(&p, 1, remaining_ms(deadline));
    if (ready > 0) return true;
    if (ready == 0) return false;
    if (errno != EINTR) return true;  // let the read or write report the error
  }
}

Io read_exact_until(int fd, void* data, std::size_t bytes, Clock::time_point deadline) {
  auto* out = static_cast<char*>(data);
  while (bytes > 0) {
    if (!wait_for(fd, POLLIN, deadline)) return Io::timeout;
    const ssize_t got = ::recv(fd, out, bytes, MSG_DONTWAIT);
    if (got == 0) return Io::closed;
    if (got < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
      return Io::closed;
    }
    out += got;
    bytes -= static_cast<std::size_t>(got);
  }
  return Io::ok;
}

Io write_all_until(int fd, const void* data, std::size_t bytes, Clock::time_point deadline) {
  const auto* in = static_cast<const char*>(data);
  while (bytes > 0) {
    if (!wait_for(fd, POLLOUT, deadline)) return Io::timeout;
    const ssize_t sent = ::send(fd, in, bytes, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
      return Io::closed;
    }
    in += sent;
    bytes -= static_cast<std::size_t>(sent);
  }
  return Io::ok;
}

Io read_blob_until(int fd, std::vector<char>& blob, Clock::time_point deadline, std::size_t max_bytes) {
  std::uint32_t length = 0;
  if (const Io r = read_exact_until(fd, &length, 4, deadline); r != Io::ok) return r;
  if (ntohl(length) > max_bytes) return Io::closed;
  blob.resize(ntohl(length));
  return blob.empty() ? Io::ok : read_exact_until(fd, blob.data(), blob.size(), deadline);
}

// connect() bounded by the deadline; returns the connected fd or -1 with `error` set.
int connect_until(const addrinfo& a, Clock::time_point deadline, std::string& error) {
  const int fd = ::socket(a.ai_family, a.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a.ai_protocol);
  if (fd < 0) {
    error = std::strerror(errno);
    return -1;
  }
  if (::connect(fd, a.ai_addr, a.ai_addrlen) != 0) {
    if (errno != EINPROGRESS) {
      error = std::strerror(errno);
      ::close(fd);
      return -1;
    }
    if (!wait_for(fd, POLLOUT, deadline)) {
      error = "connection attempt timed out";
      ::close(fd);
      return -1;
    }
    int so_error = 0;
    socklen_t length = sizeof so_error;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &length);
    if (so_error != 0) {
      error = std::strerror(so_error);
      ::close(fd);
      return -1;
    }
  }
  return fd;
}

bool read_exact(int fd, void* data, std::size_t bytes) {
  auto* out = static_cast<char*>(data);
  while (bytes > 0) {
    const ssize_t got = ::recv(fd, out, bytes, 0);
    if (got == 0) return false;
    if (got < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    out += got;
    bytes -= static_cast<std::size_t>(got);
  }
  return true;
}

bool write_all(int fd, const void* data, std::size_t bytes) {
  const auto* in = static_cast<const char*>(data);
  while (bytes > 0) {
    const ssize_t sent = ::send(fd, in, bytes, MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    in += sent;
    bytes -= static_cast<std::size_t>(sent);
  }
  return true;
}

void append_blob(std::vector<char>& message, const void* data, std::uint32_t bytes) {
  const std::uint32_t length = htonl(bytes);
  message.insert(message.end(), reinterpret_cast<const char*>(&length), reinterpret_cast<const char*>(&length) + 4);
  message.insert(message.end(), static_cast<const char*>(data), static_cast<const char*>(data) + bytes);
}

bool read_blob(int fd, std::vector<char>& blob) {
  std::uint32_t length = 0;
  if (!read_exact(fd, &length, 4)) return false;
  blob.resize(ntohl(length));
  return blob.empty() || read_exact(fd, blob.data(), blob.size());
}

}  // namespace

class TcpStoreServer {
 public:
  explicit TcpStoreServer(int port) {
    listener_ = ::socket(AF_INET6, SOCK_STREAM, 0);
    const bool ipv6 = listener_ >= 0;
    if (!ipv6) listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (listener_ < 0) throw RuntimeError(fmt::format("rendezvous: cannot create a socket ({})", std::strerror(errno)));
    const int yes = 1;
    ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    int bound = -1;
    if (ipv6) {
      const int no = 0;  // accept IPv4 clients too
      ::setsockopt(listener_, IPPROTO_IPV6, IPV6_V6ONLY, &no, sizeof no);
      sockaddr_in6 address{};
      address.sin6_family = AF_INET6;
      address.sin6_addr = in6addr_any;
      address.sin6_port = htons(static_cast<std::uint16_t>(port));
      bound = ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    } else {
      sockaddr_in address{};
      address.sin_family = AF_INET;
      address.sin_addr.s_addr = htonl(INADDR_ANY);
      address.sin_port = htons(static_cast<std::uint16_t>(port));
      bound = ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    }
    if (bound != 0 || ::listen(listener_, SOMAXCONN) != 0) {
      const std::string reason = std::strerror(errno);
      ::close(listener_);
      throw RuntimeError(fmt::format("rendezvous: rank 0 cannot serve on port {} ({}); choose another MASTER_PORT", port, reason));
    }
    thread_ = std::thread([this] { serve(); });
  }

  ~TcpStoreServer() {
    stop_ = true;
    thread_.join();
    for (int fd : clients_) ::close(fd);
    ::close(listener_);
  }

 private:
  void serve() {
    while (!stop_) {
      std::vector<pollfd> fds{{listener_, POLLIN, 0}};
      for (int fd : clients_) fds.push_back({fd, POLLIN, 0});
      if (::poll(fds.data(), fds.size(), kServerWakeInterval_ms) <= 0) continue;
      if (fds[0].revents & POLLIN) {
        const int client = ::accept(listener_, nullptr, nullptr);
        if (client >= 0) clients_.push_back(client);
      }
      for (std::size_t i = 1; i < fds.size(); ++i) {
        if (fds[i].revents == 0) continue;
        if (!answer(fds[i].fd)) {
          ::close(fds[i].fd);
          std::erase(clients_, fds[i].fd);
        }
      }
    }
  }

  // One request; false when the client has gone.
  bool answer(int fd) {
    char operation = 0;
    std::vector<char> key;
    std::vector<char> value;
    if (!read_exact(fd, &operation, 1) || !read_blob(fd, key)) return false;
    const std::string name(key.begin(), key.end());
    std::vector<char> reply;
    if (operation == kSet) {
      if (!read_blob(fd, value)) return false;
      values_[name] = std::move(value);
      reply.push_back(kFound);
    } else if (operation == kHello) {
      reply.push_back(kFound);
      append_blob(reply, kMagic.data(), static_cast<std::uint32_t>(kMagic.size()));
    } else if (operation == kGet) {
      const auto found = values_.find(name);
      reply.push_back(found == values_.end() ? kMissing : kFound);
      if (found != values_.end()) append_blob(reply, found->second.data(), static_cast<std::uint32_t>(found->second.size()));
    } else {
      return false;
    }
    return write_all(fd, reply.data(), reply.size());
  }

  int listener_ = -1;
  std::atomic<bool> stop_{false};
  std::vector<int> clients_;
  std::map<std::string, std::vector<char>> values_;
  std::thread thread_;
};

TcpStore::TcpStore(const std::string& host, int port, bool serve, std::chrono::milliseconds timeout)
    : host_(host), port_(port), timeout_(timeout) {
  if (serve) server_ = std::make_unique<TcpStoreServer>(port);
  const auto deadline = Clock::now() + timeout;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  std::string last_error = "no answer";
  const auto give_up = [&](const std::string& reason) {
    throw RuntimeError(fmt::format("cannot reach rendezvous at {}:{} within {:g} s ({}); is rank 0 running and "
                                   "MASTER_ADDR/MASTER_PORT right?",
                                   host, port, timeout.count() / 1000.0, reason));
  };
  while (true) {
    addrinfo* addresses = nullptr;
    const int resolved = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &addresses);
    if (resolved != 0) {
      last_error = ::gai_strerror(resolved);
    } else {
      for (addrinfo* a = addresses; a != nullptr && socket_ < 0; a = a->ai_next) {
        const int fd = connect_until(*a, deadline, last_error);
        if (fd < 0) continue;
        // The handshake: only shardsim's store answers it. A program that accepts and says
        // nothing (or a stopped rank 0) is found within the timeout, one that answers otherwise
        // at once.
        std::vector<char> hello{kHello};
        append_blob(hello, kMagic.data(), static_cast<std::uint32_t>(kMagic.size()));
        char status = 0;
        std::vector<char> magic;
        Io io = write_all_until(fd, hello.data(), hello.size(), deadline);
        if (io == Io::ok) io = read_exact_until(fd, &status, 1, deadline);
        if (io == Io::ok) io = read_blob_until(fd, magic, deadline, kMagic.size());
        if (io == Io::ok && status == kFound && std::string_view(magic.data(), magic.size()) == kMagic) {
          socket_ = fd;
          break;
        }
        ::close(fd);
        if (io == Io::ok) {
          throw RuntimeError(fmt::format("rendezvous at {}:{}: the program listening there is not shardsim's rank 0 "
                                         "(wrong answer to the store handshake); choose another MASTER_PORT",
                                         host, port));
        }
        last_error = io == Io::timeout ? "a program accepted the connection but never answered the store handshake: "
                                         "the port is held by another program, or rank 0 is stopped"
                                       : "the program listening there closed the connection during the store "
                                         "handshake: is another program on MASTER_PORT?";
      }
      ::freeaddrinfo(addresses);
    }
    if (socket_ >= 0) break;
    if (Clock::now() + kConnectRetryInterval >= deadline) give_up(last_error);
    std::this_thread::sleep_for(kConnectRetryInterval);
  }
  const int yes = 1;
  ::setsockopt(socket_, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
}

TcpStore::~TcpStore() {
  if (socket_ >= 0) ::close(socket_);
}

std::vector<char> TcpStore::request(char operation, const std::string& key, const std::vector<char>& value,
                                    Clock::time_point deadline) {
  std::vector<char> message{operation};
  append_blob(message, key.data(), static_cast<std::uint32_t>(key.size()));
  if (operation == kSet) append_blob(message, value.data(), static_cast<std::uint32_t>(value.size()));
  std::lock_guard lock(mutex_);
  char status = 0;
  std::vector<char> reply;
  Io io = write_all_until(socket_, message.data(), message.size(), deadline);
  if (io == Io::ok) io = read_exact_until(socket_, &status, 1, deadline);
  if (io == Io::ok && operation == kGet && status == kFound)
    io = read_blob_until(socket_, reply, deadline, std::numeric_limits<std::uint32_t>::max());
  if (io == Io::timeout) {
    // The connection is now out of step (a late reply may still come): nothing more can use it.
    ::close(socket_);
    socket_ = -1;
    throw RuntimeError(fmt::format("rendezvous at {}:{} did not answer within {:g} s (rank 0 is stopped or "
                                   "overloaded)",
                                   host_, port_, timeout_.count() / 1000.0));
  }
  if (io != Io::ok)
    throw RuntimeError(fmt::format("rendezvous at {}:{} closed the connection (rank 0 exited or died)", host_, port_));
  if (status != kFound) throw std::out_of_range(key);
  return reply;
}

void TcpStore::set(const std::string& key, const std::vector<char>& value) {
  if (socket_ < 0) throw RuntimeError(fmt::format("rendezvous at {}:{} is no longer reachable", host_, port_));
  request(kSet, key, value, Clock::now() + timeout_);
}

std::vector<char> TcpStore::get(const std::string& key, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    if (socket_ < 0) throw RuntimeError(fmt::format("rendezvous at {}:{} is no longer reachable", host_, port_));
    try {
      // The round trip is bounded by the store's timeout; `timeout` bounds how long the key may take to appear.
      return request(kGet, key, {}, Clock::now() + timeout_);
    } catch (const std::out_of_range&) {
      if (Clock::now() >= deadline) {
        throw_store_timeout(key, timeout);
      }
      std::this_thread::sleep_for(kPollInterval);
    }
  }
}

}  // namespace shardsim::runtime
