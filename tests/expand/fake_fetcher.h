// FakeFetcher: serves scripted objects by URL, can hold a fetch until another one has
// finished (to reverse completion order), can hold every fetch until N are in flight, and
// records what was fetched, in what order, and how many at once. Thread-safe.
#ifndef S3US_TESTS_EXPAND_FAKE_FETCHER_H_
#define S3US_TESTS_EXPAND_FAKE_FETCHER_H_

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/crypto.h"
#include "core/secret.h"
#include "fetch/fetcher.h"

namespace s3us::testing {

class FakeFetcher : public fetch::Fetcher {
 public:
  using fetch::Fetcher::Fetch;
  void Put(const std::string& url, std::string body) {
    std::lock_guard<std::mutex> l(mu_);
    objects_[url] = std::move(body);
  }
  // Fetch(url) fails with `error` (its context added as for a missing key).
  void FailWith(const std::string& url, Error error) {
    std::lock_guard<std::mutex> l(mu_);
    errors_.insert_or_assign(url, std::move(error));
  }
  // Fetch(url) finishes only after Fetch(first) has finished.
  void FinishAfter(const std::string& url, const std::string& first) {
    std::lock_guard<std::mutex> l(mu_);
    after_[url] = first;
  }
  // Every fetch waits until `n` fetches are in flight or `total` fetches have started.
  void HoldUntilInFlight(int n, int total) {
    std::lock_guard<std::mutex> l(mu_);
    hold_in_flight_ = n;
    hold_total_ = total;
  }
  // Called at the start of each fetch (e.g. to move a fake clock).
  void OnFetch(std::function<void(const std::string&)> hook) {
    std::lock_guard<std::mutex> l(mu_);
    on_fetch_ = std::move(hook);
  }

  Result<fetch::FetchedObject> Fetch(const fetch::Target& target,
                                     const fetch::FetchOptions& options) override {
    std::string url(target.url);
    std::function<void(const std::string&)> hook;
    {
      std::unique_lock<std::mutex> l(mu_);
      started_.push_back(url);
      options_[url] = options;
      ++in_flight_;
      max_in_flight_ = std::max(max_in_flight_, in_flight_);
      cv_.notify_all();
      hook = on_fetch_;
      bool held = cv_.wait_for(l, kPatience, [&] {
        bool gate = hold_in_flight_ == 0 || in_flight_ >= hold_in_flight_ ||
                    static_cast<int>(started_.size()) >= hold_total_;
        auto it = after_.find(url);
        bool order = it == after_.end() ||
                     std::find(finished_.begin(), finished_.end(), it->second) != finished_.end();
        return gate && order;
      });
      if (!held) ++timeouts_;
    }
    if (hook) hook(url);
    Result<fetch::FetchedObject> result = Serve(url, options);
    std::lock_guard<std::mutex> l(mu_);
    --in_flight_;
    finished_.push_back(url);
    cv_.notify_all();
    return result;
  }

  // Checks no signatures, as a RoutingFetcher: tests of signed objects wrap it in a
  // SignedFetcher.
  Result<std::optional<std::string>> VerifyKept(std::string_view, std::string_view,
                                                const fetch::FetchOptions&) override {
    return std::optional<std::string>();
  }

  std::vector<std::string> started() {
    std::lock_guard<std::mutex> l(mu_);
    return started_;
  }
  std::vector<std::string> finished() {
    std::lock_guard<std::mutex> l(mu_);
    return finished_;
  }
  int max_in_flight() {
    std::lock_guard<std::mutex> l(mu_);
    return max_in_flight_;
  }
  // Waits that gave up: a test whose gates were never opened.
  int timeouts() {
    std::lock_guard<std::mutex> l(mu_);
    return timeouts_;
  }
  fetch::FetchOptions options_for(const std::string& url) {
    std::lock_guard<std::mutex> l(mu_);
    return options_[url];
  }

 private:
  static constexpr std::chrono::seconds kPatience{10};

  Result<fetch::FetchedObject> Serve(const std::string& url, const fetch::FetchOptions& options) {
    std::string context = "fetching " + RedactUrl(url);
    std::string body;
    {
      std::lock_guard<std::mutex> l(mu_);
      if (auto e = errors_.find(url); e != errors_.end()) {
        return Error(e->second).WithContext(context);
      }
      auto it = objects_.find(url);
      if (it == objects_.end()) {
        return Error(ErrorCode::kNotFound, "NoSuchKey: the specified key does not exist")
            .WithContext(context);
      }
      body = it->second;
    }
    if (options.max_bytes != 0 && body.size() > options.max_bytes) {
      return Error(ErrorCode::kLimitExceeded, "object exceeds the size limit of " +
                                                  std::to_string(options.max_bytes) + " bytes")
          .WithContext(context);
    }
    if (options.sink != nullptr) {  // the body streams on before it is verified, as over a wire
      net::Response head;
      head.status = 200;
      Status streamed = options.sink->Begin(head);
      if (streamed.ok()) streamed = options.sink->Write(body);
      if (!streamed.ok()) return std::move(streamed.error()).WithContext(context);
    }
    fetch::FetchedObject object;
    object.source.url = RedactUrl(url);
    object.source.size = body.size();
    object.source.sha256 = Sha256Hex(body);
    object.source.verified_by = "content-length";
    if (options.expected_sha256 && *options.expected_sha256 != object.source.sha256) {
      return Error(ErrorCode::kIntegrity, "sha256 mismatch: expected " + *options.expected_sha256 +
                                              ", got " + object.source.sha256)
          .WithContext(context);
    }
    if (options.sink == nullptr) object.body = std::move(body);
    return object;
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, std::string> objects_;
  std::map<std::string, Error> errors_;
  std::map<std::string, std::string> after_;
  std::map<std::string, fetch::FetchOptions> options_;
  std::function<void(const std::string&)> on_fetch_;
  int hold_in_flight_ = 0;
  int hold_total_ = 0;
  int in_flight_ = 0;
  int max_in_flight_ = 0;
  int timeouts_ = 0;
  std::vector<std::string> started_;
  std::vector<std::string> finished_;
};

}  // namespace s3us::testing

#endif  // S3US_TESTS_EXPAND_FAKE_FETCHER_H_
