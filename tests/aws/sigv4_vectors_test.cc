// Drives every published SigV4 vector in tests/data/sigv4 through SigV4Signer, step by step:
// canonical request, string to sign, signature, Authorization / presigned query.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "aws/aws_time.h"
#include "aws/sigv4.h"
#include "core/strings.h"

namespace s3us::aws {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kRoot = fs::path(S3US_TEST_DATA_DIR) / "sigv4";
constexpr char kStsToken[] =
    "AQoDYXdzEPT//////////"
    "wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx"
    "7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8"
    "Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYv"
    "KTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// "GET /path?query HTTP/1.1", "Name:value" lines (indented lines continue the previous
// value), a blank line, then the body.
SigningRequest ParseRequest(const std::string& text) {
  SigningRequest r;
  size_t blank = text.find("\n\n");
  std::string head = text.substr(0, blank);
  if (blank != std::string::npos) r.body = text.substr(blank + 2);
  std::vector<std::string_view> lines = SplitLines(head);
  REQUIRE(!lines.empty());
  std::string_view first = lines[0];
  size_t sp = first.find(' ');
  size_t proto = first.rfind(" HTTP/");
  r.method = std::string(first.substr(0, sp));
  std::string_view target = first.substr(sp + 1, proto - sp - 1);
  size_t q = target.find('?');
  r.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) r.query = std::string(target.substr(q + 1));
  for (size_t i = 1; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
      REQUIRE(!r.headers.empty());
      r.headers.back().second += "\n" + std::string(line);
      continue;
    }
    size_t colon = line.find(':');
    REQUIRE(colon != std::string_view::npos);
    r.headers.emplace_back(std::string(line.substr(0, colon)), std::string(line.substr(colon + 1)));
  }
  return r;
}

Credentials CredentialsFrom(const json& ctx) {
  const json& c = ctx.at("credentials");
  Credentials creds;
  creds.access_key_id = c.at("access_key_id").get<std::string>();
  creds.secret_access_key = Secret(c.at("secret_access_key").get<std::string>());
  if (c.contains("token")) creds.session_token = Secret(c.at("token").get<std::string>());
  return creds;
}

SigningOptions OptionsFrom(const json& ctx, bool generic) {
  SigningOptions o;
  o.region = ctx.at("region").get<std::string>();
  o.service = ctx.at("service").get<std::string>();
  auto time = ParseIso8601(ctx.at("timestamp").get<std::string>());
  REQUIRE(time.has_value());
  o.time = *time;
  o.normalize_path = ctx.value("normalize", false);
  o.double_uri_encode = ctx.value("double_uri_encode", generic);
  o.sign_session_token = !ctx.value("omit_session_token", false);
  o.expires = std::chrono::seconds(ctx.value("expiration_in_seconds", 3600));
  if (generic) {
    o.add_content_sha256_header = ctx.value("sign_body", false);
  } else {
    std::string payload = ctx.value("payload", "");
    if (payload == "unsigned") o.payload_hash = kUnsignedPayload;
    if (ctx.contains("payload_hash")) o.payload_hash = ctx.at("payload_hash").get<std::string>();
  }
  return o;
}

// The value of the Authorization line of a signed request ("Authorization:" or
// "Authorization: ").
std::string AuthorizationLine(const std::string& signed_request) {
  for (std::string_view line : SplitLines(signed_request)) {
    if (IStartsWith(line, "authorization:")) return std::string(Trim(line.substr(14)));
  }
  return {};
}

std::string Unspaced(std::string s) {
  for (size_t pos; (pos = s.find(", ")) != std::string::npos;) s.erase(pos + 1, 1);
  return s;
}

std::vector<fs::path> CaseDirs(const fs::path& root) {
  std::vector<fs::path> dirs;
  for (const auto& entry : fs::directory_iterator(root)) {
    if (entry.is_directory()) dirs.push_back(entry.path());
  }
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

// Checks the header form and/or the query form, whichever files the case has.
void CheckNewFormatCase(const fs::path& dir, bool generic) {
  json ctx = json::parse(Slurp(dir / "context.json"));
  SigningRequest request = ParseRequest(Slurp(dir / "request.txt"));
  if (fs::exists(dir / "body.txt")) CHECK(request.body == Slurp(dir / "body.txt"));
  Credentials creds = CredentialsFrom(ctx);
  SigningOptions options = OptionsFrom(ctx, generic);
  SigV4Signer signer;
  if (fs::exists(dir / "header-canonical-request.txt")) {
    SignedRequest s = signer.Sign(request, creds, options);
    CHECK(s.canonical_request == Slurp(dir / "header-canonical-request.txt"));
    CHECK(s.string_to_sign == Slurp(dir / "header-string-to-sign.txt"));
    CHECK(s.signature == Slurp(dir / "header-signature.txt"));
    CHECK(Unspaced(s.authorization) ==
          Unspaced(AuthorizationLine(Slurp(dir / "header-signed-request.txt"))));
    if (fs::exists(dir / "header-authorization.txt")) {
      CHECK(Unspaced(s.authorization) == Unspaced(Slurp(dir / "header-authorization.txt")));
    }
  }
  if (fs::exists(dir / "query-canonical-request.txt")) {
    SignedRequest s = signer.Presign(request, creds, options);
    CHECK(s.canonical_request == Slurp(dir / "query-canonical-request.txt"));
    CHECK(s.string_to_sign == Slurp(dir / "query-string-to-sign.txt"));
    CHECK(s.signature == Slurp(dir / "query-signature.txt"));
    CHECK(s.query.find("X-Amz-Signature=" + s.signature) != std::string::npos);
    CHECK(Slurp(dir / "query-signed-request.txt").find("X-Amz-Signature=" + s.signature) !=
          std::string::npos);
  }
}

TEST_CASE("SigV4 passes every aws-c-auth v4 case with double encoding on") {
  std::vector<fs::path> dirs = CaseDirs(kRoot / "aws-c-auth-v4");
  CHECK(dirs.size() == 38);
  for (const fs::path& dir : dirs) {
    DYNAMIC_SECTION(dir.filename().string()) { CheckNewFormatCase(dir, /*generic=*/true); }
  }
}

TEST_CASE("SigV4 passes every S3 documentation example") {
  std::vector<fs::path> dirs = CaseDirs(kRoot / "s3-docs-examples");
  CHECK(dirs.size() == 5);
  for (const fs::path& dir : dirs) {
    DYNAMIC_SECTION(dir.filename().string()) { CheckNewFormatCase(dir, /*generic=*/false); }
  }
}

TEST_CASE("SigV4 passes every S3 botocore oracle case") {
  std::vector<fs::path> dirs = CaseDirs(kRoot / "s3-botocore-oracle");
  CHECK(dirs.size() == 14);
  for (const fs::path& dir : dirs) {
    DYNAMIC_SECTION(dir.filename().string()) { CheckNewFormatCase(dir, /*generic=*/false); }
  }
}

// The 2015 suite: <case>.req/.creq/.sts/.authz/.sreq, X-Amz-Date inside the request.
TEST_CASE("SigV4 passes every case of the original aws4_testsuite") {
  std::vector<fs::path> dirs;
  for (const auto& entry : fs::recursive_directory_iterator(kRoot / "aws4_testsuite")) {
    fs::path dir = entry.path();
    if (entry.is_directory() && fs::exists(dir / (dir.filename().string() + ".req"))) {
      dirs.push_back(dir);
    }
  }
  std::sort(dirs.begin(), dirs.end());
  CHECK(dirs.size() == 34);
  for (const fs::path& dir : dirs) {
    std::string name = dir.filename().string();
    DYNAMIC_SECTION(name) {
      auto file = [&](const char* ext) { return Slurp(dir / (name + ext)); };
      SigningRequest request = ParseRequest(file(".req"));
      Credentials creds;
      creds.access_key_id = "AKIDEXAMPLE";
      creds.secret_access_key = Secret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
      SigningOptions options;
      options.region = "us-east-1";
      options.service = "service";
      options.time = *ParseIso8601("2015-08-30T12:36:00Z");
      options.double_uri_encode = true;
      options.normalize_path = true;
      options.add_content_sha256_header = false;
      if (name == "get-vanilla-with-session-token") {
        creds.session_token =
            Secret("6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267");
      } else if (name == "post-sts-header-before") {
        creds.session_token = Secret(kStsToken);
      } else if (name == "post-sts-header-after") {
        creds.session_token = Secret(kStsToken);
        options.sign_session_token = false;
      }
      SignedRequest s = SigV4Signer().Sign(request, creds, options);
      CHECK(s.canonical_request == file(".creq"));
      CHECK(s.string_to_sign == file(".sts"));
      CHECK(s.authorization == file(".authz"));
      std::string sreq_auth = AuthorizationLine(file(".sreq"));
      if (name == "get-vanilla-with-session-token") {
        // Known defect of the suite: its .sreq carries a wrong signature; .authz is right.
        CHECK(sreq_auth.find("Signature=5fa00fa3") != std::string::npos);
        CHECK(sreq_auth != s.authorization);
      } else {
        CHECK(sreq_auth == s.authorization);
      }
      if (name == "post-sts-header-after") {
        CHECK(s.signed_headers == "host;x-amz-date");
        CHECK(file(".sreq").find(std::string("X-Amz-Security-Token:") + kStsToken) !=
              std::string::npos);
        bool sent = false;
        for (const auto& [k, v] : s.headers)
          sent |= (k == "X-Amz-Security-Token" && v == kStsToken);
        CHECK(sent);
      }
    }
  }
}

TEST_CASE("SigV4 double-encodes generic paths as smithy-rs does and leaves S3 paths alone") {
  for (const char* name : {"double-encode-path", "double-url-encode"}) {
    DYNAMIC_SECTION(name) {
      fs::path dir = kRoot / "smithy-rs-double-encode" / name;
      SigningRequest request = ParseRequest(Slurp(dir / "request.txt"));
      std::string expected =
          std::string(SplitLines(Slurp(dir / "header-canonical-request.txt"))[1]);
      CHECK(CanonicalUri(request.path, /*double_encode=*/true, /*normalize=*/false) == expected);
      CHECK(CanonicalUri(request.path, /*double_encode=*/false, /*normalize=*/false) ==
            request.path);
    }
  }
}

}  // namespace
}  // namespace s3us::aws
