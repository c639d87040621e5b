// FakeImds: an in-process IMDS behind a FakeTransport handler, for the IMDS client tests.
// Tokens are "token-1", "token-2", …; GETs need a currently valid token unless v1 is on.
#ifndef S3US_TESTS_AWS_FAKE_IMDS_H_
#define S3US_TESTS_AWS_FAKE_IMDS_H_

#include <map>
#include <mutex>
#include <set>
#include <string>

#include "fakes/fake_transport.h"

namespace s3us::testing {

class FakeImds {
 public:
  static constexpr const char* kSecret = "imds-secret-Wsd8fK2mQp0ZxYvE5tG7hJ9kL1nB3cV6";
  static constexpr const char* kSessionToken = "imds-session-token-AQoDYXdzEPT-fake-0123456789";

  explicit FakeImds(FakeTransport& transport) {
    paths_["/latest/meta-data/iam/security-credentials/"] = {200, "web-role\n"};
    paths_["/latest/meta-data/iam/security-credentials/web-role"] = {200, CredentialsJson()};
    paths_["/latest/meta-data/instance-id"] = {200, "i-0123456789abcdef0"};
    paths_["/latest/meta-data/placement/region"] = {200, "eu-west-1"};
    paths_["/latest/meta-data/placement/availability-zone"] = {200, "eu-west-1b"};
    paths_["/latest/meta-data/instance-type"] = {200, "m7g.large"};
    paths_["/latest/dynamic/instance-identity/document"] = {
        200, R"({"accountId":"123456789012","region":"eu-west-1","instanceType":"m7g.large",)"
             R"("availabilityZone":"eu-west-1b","instanceId":"i-0123456789abcdef0"})"};
    paths_["/latest/meta-data/services/domain"] = {200, "amazonaws.com"};
    paths_["/latest/meta-data/services/partition"] = {200, "aws"};
    paths_["/latest/user-data"] = {200, "#!/bin/sh\necho hi\n"};
    transport.SetHandler([this](const net::Request& r) { return Handle(r); });
  }

  static std::string CredentialsJson(std::string expiration = "2015-08-30T18:16:00Z",
                                     std::string access_key = "ASIAFAKEKEY000000001") {
    return "{\n  \"Code\" : \"Success\",\n  \"LastUpdated\" : \"2015-08-30T12:00:00Z\",\n"
           "  \"Type\" : \"AWS-HMAC\",\n  \"AccessKeyId\" : \"" +
           access_key + "\",\n  \"SecretAccessKey\" : \"" + kSecret + "\",\n  \"Token\" : \"" +
           kSessionToken + "\",\n  \"Expiration\" : \"" + expiration + "\"\n}";
  }

  void Set(const std::string& path, int status, std::string body = "") {
    std::lock_guard<std::mutex> l(mu_);
    paths_[path] = {status, std::move(body)};
  }
  // A 200 for `path` without a Content-Length, with `headers` only (close-delimited, or
  // chunked when they say so).
  void SetUnframed(const std::string& path, std::string body, net::Headers headers = {}) {
    std::lock_guard<std::mutex> l(mu_);
    paths_[path] = {200, std::move(body)};
    unframed_[path] = std::move(headers);
  }
  void Remove(const std::string& path) {
    std::lock_guard<std::mutex> l(mu_);
    paths_.erase(path);
  }
  // The body of every token answer from now on (a hostile IMDS); empty: the usual tokens.
  void set_token_body(std::string body) {
    std::lock_guard<std::mutex> l(mu_);
    token_body_ = std::move(body);
  }
  void set_put_status(int s) {
    std::lock_guard<std::mutex> l(mu_);
    put_status_ = s;
  }
  void set_v1_allowed(bool v) {
    std::lock_guard<std::mutex> l(mu_);
    v1_allowed_ = v;
  }
  // Every token issued so far stops working (as after an IMDS restart).
  void ExpireTokens() {
    std::lock_guard<std::mutex> l(mu_);
    valid_.clear();
  }
  int puts() {
    std::lock_guard<std::mutex> l(mu_);
    return puts_;
  }
  int gets(const std::string& path) {
    std::lock_guard<std::mutex> l(mu_);
    return gets_[path];
  }

 private:
  // As IMDS answers: with a Content-Length (a close-delimited answer is refused).
  static net::Response Answer(int status, std::string body, net::Headers headers = {}) {
    headers.emplace_back("content-length", std::to_string(body.size()));
    return MakeResponse(status, std::move(body), std::move(headers));
  }

  Result<net::Response> Handle(const net::Request& r) {
    std::lock_guard<std::mutex> l(mu_);
    std::string path = r.url.substr(r.url.find('/', r.url.find("://") + 3));
    if (path == "/latest/api/token") {
      ++puts_;
      if (r.method != "PUT") return Answer(405, "");
      if (put_status_ != 200) return Answer(put_status_, "");
      std::string ttl = Header(r, "x-aws-ec2-metadata-token-ttl-seconds");
      if (ttl.empty()) return Answer(400, "");
      if (!token_body_.empty()) {
        size_t from = token_body_.find_first_not_of(" \t\r\n");
        size_t to = token_body_.find_last_not_of(" \t\r\n");
        if (from != std::string::npos) valid_.insert(token_body_.substr(from, to + 1 - from));
        return Answer(200, token_body_);
      }
      std::string token = "token-" + std::to_string(puts_) + "-Zq8Lm3Vx9Rt2";
      valid_.insert(token);
      return Answer(200, token, {{"x-aws-ec2-metadata-token-ttl-seconds", ttl}});
    }
    ++gets_[path];
    std::string token = Header(r, "x-aws-ec2-metadata-token");
    bool ok = token.empty() ? v1_allowed_ : valid_.count(token) > 0;
    if (!ok) return Answer(401, "");
    auto it = paths_.find(path);
    if (it == paths_.end()) return Answer(404, "<html>404 - Not Found</html>");
    if (auto u = unframed_.find(path); u != unframed_.end()) {
      return MakeResponse(200, it->second.second, u->second);
    }
    return Answer(it->second.first, it->second.second);
  }

  static std::string Header(const net::Request& r, const std::string& lower) {
    for (const auto& [k, v] : r.headers) {
      std::string name = k;
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (name == lower) return v;
    }
    return {};
  }

  std::mutex mu_;
  std::map<std::string, std::pair<int, std::string>> paths_;
  std::map<std::string, net::Headers> unframed_;
  std::set<std::string> valid_;
  std::map<std::string, int> gets_;
  int puts_ = 0;
  int put_status_ = 200;
  std::string token_body_;
  bool v1_allowed_ = false;
};

}  // namespace s3us::testing

#endif  // S3US_TESTS_AWS_FAKE_IMDS_H_
