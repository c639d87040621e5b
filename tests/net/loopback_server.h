// LoopbackServer: a scripted HTTP/1.1 server on 127.0.0.1 (port 0) for CurlTransport
// tests. One thread accepts; each connection gets its own thread that reads requests and
// hands each to the test's handler, which answers with raw socket writes (so a test can
// send a short body, stall, or close mid-response). Counts connections and measures how
// many requests were being handled at once.
#ifndef S3US_TESTS_NET_LOOPBACK_SERVER_H_
#define S3US_TESTS_NET_LOOPBACK_SERVER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace s3us::testing {

struct HttpRequest {
  std::string method;
  std::string target;                                        // exactly as sent on the request line
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;

  // First header with this lower-case name; `found` says whether it was there.
  std::string Header(std::string_view lower_name, bool* found = nullptr) const;
};

class Connection {
 public:
  explicit Connection(int fd) : fd_(fd) {}
  // Reads one request (headers and a Content-Length body). False on EOF or error.
  bool ReadRequest(HttpRequest* request);
  // Writes all of `data`; false if the peer is gone.
  bool Write(std::string_view data);
  // Sends a complete response with Content-Length.
  bool Respond(int status, std::string_view body,
               const std::vector<std::pair<std::string, std::string>>& headers = {});
  // The server closes the connection after the current handler returns.
  void Close() { closed_ = true; }
  bool closed() const { return closed_; }

 private:
  int fd_;
  std::string buffer_;
  bool closed_ = false;
};

class LoopbackServer {
 public:
  using Handler = std::function<void(const HttpRequest&, Connection&)>;

  explicit LoopbackServer(Handler handler);
  // Stops accepting, wakes handlers blocked in WaitForStop(), closes every connection and
  // joins all threads.
  ~LoopbackServer();
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  int port() const { return port_; }
  // "http://127.0.0.1:<port><path>"
  std::string Url(std::string_view path) const;

  std::vector<HttpRequest> requests();
  int connections_accepted() const { return connections_.load(); }
  // The most requests that were inside the handler at the same time.
  int max_in_flight() const { return max_in_flight_.load(); }

  // For handlers: blocks until `n` requests have been in the handler at once (true; it
  // stays true), or the timeout passes or the server stops (false).
  bool WaitForInFlight(int n, std::chrono::milliseconds timeout);
  // For handlers that stall: blocks until the server is being destroyed.
  void WaitForStop();

  // A port on 127.0.0.1 with nothing listening (bound, then closed).
  static int UnusedPort();

 private:
  void AcceptLoop();
  void Serve(int fd);

  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<int> connections_{0};
  std::atomic<int> max_in_flight_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;                  // guarded by mu_
  int in_flight_ = 0;                      // guarded by mu_
  std::vector<int> open_fds_;              // guarded by mu_
  std::vector<HttpRequest> requests_;      // guarded by mu_
  std::vector<std::thread> conn_threads_;  // guarded by mu_
  std::thread accept_thread_;
};

}  // namespace s3us::testing

#endif  // S3US_TESTS_NET_LOOPBACK_SERVER_H_
