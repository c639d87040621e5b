// Shared fixture of the S3 client tests: scripted credentials, a fake transport and clock,
// and helpers to read what was signed.
#ifndef S3US_TESTS_AWS_S3_CLIENT_FIXTURE_H_
#define S3US_TESTS_AWS_S3_CLIENT_FIXTURE_H_

#include <memory>
#include <mutex>
#include <string>

#include "aws/aws_time.h"
#include "core/crypto.h"
#include "core/strings.h"
#include "fakes/fake_clock.h"
#include "fakes/fake_transport.h"
#include "fakes/recording_sink.h"
#include "s3/client_impl.h"

namespace s3us::s3::client_test {

using testing::FakeClock;
using testing::FakeTransport;
using testing::MakeResponse;

inline constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
inline constexpr char kToken1[] = "session-token-one-AQoDYXdzEPT-0123456789abcdef";
inline constexpr char kToken2[] = "session-token-two-AQoDYXdzEPT-fedcba9876543210";

// Hands out kToken1 credentials, kToken2 after a forced refresh.
class TestCredentials : public aws::CredentialProvider {
 public:
  Result<aws::Credentials> Get(bool force_refresh) override {
    std::lock_guard<std::mutex> l(mu_);
    ++calls;
    if (force_refresh) ++forced;
    if (fail) return Error(ErrorCode::kNoCredentials, "no credentials anywhere");
    aws::Credentials c;
    c.access_key_id = "ASIAIOSFODNN7EXAMPLE";
    c.secret_access_key = Secret(kSecret);
    c.session_token = Secret(forced > 0 ? kToken2 : kToken1);
    return c;
  }
  std::string Name() const override { return "test"; }
  std::mutex mu_;
  int calls = 0;
  int forced = 0;
  bool fail = false;
};

using testing::RecordingSink;

inline std::string HeaderOf(const net::Request& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (IEquals(k, name)) return v;
  }
  return {};
}

inline std::string AuthPart(const net::Request& r, const std::string& part) {
  std::string auth = HeaderOf(r, "authorization");
  size_t at = auth.find(part + "=");
  if (at == std::string::npos) return {};
  at += part.size() + 1;
  return auth.substr(at, auth.find_first_of(", ", at) - at);
}

inline std::string ErrorXml(const std::string& code, const std::string& extra = "") {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code +
         "</Code><Message>m</Message>" + extra + "<RequestId>REQ123</RequestId></Error>";
}

inline std::string Base64Sha256(std::string_view data) {
  auto d = Sha256(data);
  return Base64Encode(d.data(), d.size());
}

struct Fixture {
  FakeTransport transport;
  FakeClock clock{*aws::ParseIso8601("2015-08-30T12:36:00Z")};
  TestCredentials creds;
  S3ClientOptions options;
  std::unique_ptr<S3ClientImpl> client;

  S3ClientImpl& Client() {
    if (!client) client = std::make_unique<S3ClientImpl>(transport, creds, clock, options);
    return *client;
  }
  static GetObjectRequest Req(std::string bucket = "example-bucket",
                              std::string key = "MyRole/user-script") {
    GetObjectRequest r;
    r.location.bucket = std::move(bucket);
    r.location.key = std::move(key);
    return r;
  }
};

}  // namespace s3us::s3::client_test

#endif  // S3US_TESTS_AWS_S3_CLIENT_FIXTURE_H_
