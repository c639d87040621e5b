#include "net/loopback_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <stdexcept>

#include "core/strings.h"

namespace s3us::testing {
namespace {

int BoundSocket(int* port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    throw std::runtime_error("bind");
  }
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  *port = ntohs(addr.sin_port);
  return fd;
}

}  // namespace

std::string HttpRequest::Header(std::string_view lower_name, bool* found) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) {
      if (found != nullptr) *found = true;
      return value;
    }
  }
  if (found != nullptr) *found = false;
  return {};
}

bool Connection::ReadRequest(HttpRequest* request) {
  char chunk[4096];
  size_t end;
  while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    ssize_t n = read(fd_, chunk, sizeof(chunk));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
  }
  std::string head = buffer_.substr(0, end);
  buffer_.erase(0, end + 4);
  std::vector<std::string_view> lines = SplitLines(head);
  if (lines.empty()) return false;
  std::vector<std::string_view> parts = Split(lines[0], ' ');
  if (parts.size() != 3) return false;
  *request = HttpRequest();
  request->method = std::string(parts[0]);
  request->target = std::string(parts[1]);
  for (size_t i = 1; i < lines.size(); ++i) {
    size_t colon = lines[i].find(':');
    if (colon == std::string_view::npos) continue;
    request->headers.emplace_back(ToLower(Trim(lines[i].substr(0, colon))),
                                  std::string(Trim(lines[i].substr(colon + 1))));
  }
  size_t length = std::strtoul(request->Header("content-length").c_str(), nullptr, 10);
  while (buffer_.size() < length) {
    ssize_t n = read(fd_, chunk, sizeof(chunk));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
  }
  request->body = buffer_.substr(0, length);
  buffer_.erase(0, length);
  return true;
}

bool Connection::Write(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool Connection::Respond(int status, std::string_view body,
                         const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string head = "HTTP/1.1 " + std::to_string(status) + " Scripted\r\n";
  for (const auto& [name, value] : headers) head += name + ": " + value + "\r\n";
  head += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  return Write(head) && Write(body);
}

LoopbackServer::LoopbackServer(Handler handler) : handler_(std::move(handler)) {
  listen_fd_ = BoundSocket(&port_);
  if (listen(listen_fd_, 128) != 0) throw std::runtime_error("listen");
  accept_thread_ = std::thread([this] { AcceptLoop(); });
}

LoopbackServer::~LoopbackServer() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stopping_ = true;
    for (int fd : open_fds_) shutdown(fd, SHUT_RDWR);
  }
  cv_.notify_all();
  accept_thread_.join();
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> l(mu_);
    threads.swap(conn_threads_);
  }
  for (std::thread& t : threads) t.join();
  close(listen_fd_);
}

std::string LoopbackServer::Url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

std::vector<HttpRequest> LoopbackServer::requests() {
  std::lock_guard<std::mutex> l(mu_);
  return requests_;
}

bool LoopbackServer::WaitForInFlight(int n, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> l(mu_);
  // Latched on the maximum: once n were in at once, every waiter proceeds.
  return cv_.wait_for(l, timeout, [&] { return stopping_ || max_in_flight_ >= n; }) && !stopping_;
}

void LoopbackServer::WaitForStop() {
  std::unique_lock<std::mutex> l(mu_);
  cv_.wait(l, [&] { return stopping_; });
}

int LoopbackServer::UnusedPort() {
  int port = 0;
  close(BoundSocket(&port));
  return port;
}

void LoopbackServer::AcceptLoop() {
  for (;;) {
    {
      std::lock_guard<std::mutex> l(mu_);
      if (stopping_) return;
    }
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 20) <= 0) continue;
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    ++connections_;
    std::lock_guard<std::mutex> l(mu_);
    if (stopping_) {
      close(fd);
      return;
    }
    open_fds_.push_back(fd);
    conn_threads_.emplace_back([this, fd] { Serve(fd); });
  }
}

void LoopbackServer::Serve(int fd) {
  Connection conn(fd);
  HttpRequest request;
  while (conn.ReadRequest(&request)) {
    {
      std::lock_guard<std::mutex> l(mu_);
      requests_.push_back(request);
      ++in_flight_;
      max_in_flight_ = std::max(max_in_flight_.load(), in_flight_);
    }
    cv_.notify_all();
    handler_(request, conn);
    {
      std::lock_guard<std::mutex> l(mu_);
      --in_flight_;
    }
    if (conn.closed()) break;
  }
  std::lock_guard<std::mutex> l(mu_);
  open_fds_.erase(std::find(open_fds_.begin(), open_fds_.end(), fd));
  close(fd);
}

}  // namespace s3us::testing
