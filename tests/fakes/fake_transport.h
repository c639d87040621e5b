// FakeTransport: answers Send() from a script of responses or a handler function and
// records every request. Thread-safe. Bodies of 2xx responses go to the sink when given,
// as the real transport does.
#ifndef S3US_TESTS_FAKES_FAKE_TRANSPORT_H_
#define S3US_TESTS_FAKES_FAKE_TRANSPORT_H_

#include <deque>
#include <functional>
#include <mutex>
#include <vector>

#include "net/transport.h"

namespace s3us::testing {

inline net::Response MakeResponse(int status, std::string body, net::Headers headers = {}) {
  net::Response r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

class FakeTransport : public net::Transport {
 public:
  using Handler = std::function<Result<net::Response>(const net::Request&)>;

  // Queued answers are used first, in order; then the handler, if any.
  void Push(Result<net::Response> answer) {
    std::lock_guard<std::mutex> l(mu_);
    queue_.push_back(std::move(answer));
  }
  void SetHandler(Handler h) {
    std::lock_guard<std::mutex> l(mu_);
    handler_ = std::move(h);
  }

  Result<net::Response> Send(const net::Request& request, net::BodySink* sink) override {
    Result<net::Response> answer = Error(ErrorCode::kInternal, "fake transport: no answer left");
    {
      std::lock_guard<std::mutex> l(mu_);
      requests_.push_back(request);
      if (!queue_.empty()) {
        answer = std::move(queue_.front());
        queue_.pop_front();
      } else if (handler_) {
        Handler h = handler_;
        mu_.unlock();
        answer = h(request);
        mu_.lock();
      }
    }
    if (!answer.ok()) return answer;
    net::Response& r = answer.value();
    r.body_bytes = r.body.size();
    if (sink != nullptr && r.status >= 200 && r.status < 300) {
      if (Status s = sink->Begin(r); !s.ok()) return s.error();
      if (Status s = sink->Write(r.body); !s.ok()) return s.error();
      r.body.clear();
    }
    return answer;
  }

  std::vector<net::Request> requests() {
    std::lock_guard<std::mutex> l(mu_);
    return requests_;
  }
  size_t request_count() {
    std::lock_guard<std::mutex> l(mu_);
    return requests_.size();
  }

 private:
  std::mutex mu_;
  std::deque<Result<net::Response>> queue_;
  Handler handler_;
  std::vector<net::Request> requests_;
};

}  // namespace s3us::testing

#endif  // S3US_TESTS_FAKES_FAKE_TRANSPORT_H_
