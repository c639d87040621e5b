// libFuzzer target for the credential documents the chain reads (aws_fuzzer covers the config
// files): credential_process output and command lines, the IMDS role-credentials document,
// and the container credentials answer and endpoint URL. Each must give a value or an error, never
// crash or hang, and an error never depends on the secret's value.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "aws/container_credentials.h"
#include "aws/imds_client.h"
#include "aws/process_credentials.h"
#include "core/clock.h"
#include "net/transport.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

// IMDS that issues a token and answers every GET with the fuzzer's bytes.
class DocumentTransport : public s3us::net::Transport {
 public:
  explicit DocumentTransport(std::string_view body) : body_(body) {}
  s3us::Result<s3us::net::Response> Send(const s3us::net::Request& request,
                                         s3us::net::BodySink*) override {
    s3us::net::Response r;
    r.status = 200;
    r.body = request.method == "PUT" ? std::string("token") : std::string(body_);
    r.body_bytes = r.body.size();
    return r;
  }

 private:
  std::string_view body_;
};

void FuzzProcess(std::string_view text) {
  using namespace s3us::aws;
  auto argv = SplitCommandLine(text);
  if (argv.ok()) Check(!argv->empty() || text.find_first_not_of(" \t") == std::string_view::npos);
  auto creds = ParseProcessOutput(text);
  if (!creds.ok()) Check(!creds.error().message().empty());
}

void FuzzContainer(std::string_view text) {
  using namespace s3us::aws;
  auto creds = ParseContainerCredentials(text);
  if (!creds.ok()) Check(!creds.error().message().empty());
  auto endpoint = FindContainerEndpoint(
      Environment::Fake({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", std::string(text)}}));
  if (!endpoint.ok()) Check(!endpoint.error().message().empty());
}

std::string ImdsError(const std::string& document) {
  using namespace s3us;
  DocumentTransport transport(document);
  aws::ImdsOptions options;
  options.wait_for_imds = Clock::Duration(0);
  aws::ImdsClient imds("http://169.254.169.254", transport, SystemClock::Get(), options);
  auto creds = imds.GetRoleCredentials("role");
  return creds.ok() ? std::string() : creds.error().ToString();
}

// The outcome must not depend on the secret's value: the same document with another secret
// of the same shape gives the same message (an echoed secret would make them differ).
void FuzzImdsDocument(std::string_view text) {
  (void)ImdsError(std::string(text));
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
  if (!doc.is_object() || !doc.contains("SecretAccessKey") || !doc["SecretAccessKey"].is_string()) {
    return;
  }
  std::string secret = doc["SecretAccessKey"].get<std::string>();
  if (secret.size() < 8) return;
  for (char c : secret) {
    if (!std::isalnum(static_cast<unsigned char>(c))) return;
  }
  std::string other(secret.size(), secret[0] == 'Q' ? 'R' : 'Q');
  std::string first = ImdsError(doc.dump());
  doc["SecretAccessKey"] = other;
  Check(first == ImdsError(doc.dump()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 2) {
    FuzzContainer(text);
  } else if (data[0] & 1) {
    FuzzImdsDocument(text);
  } else {
    FuzzProcess(text);
  }
  return 0;
}
