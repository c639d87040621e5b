#include "cli/validate_command.h"

#include <catch2/catch.hpp>

#include "tests/trust/test_keys.h"

namespace s3us::cli {
namespace {

TEST_CASE("validate finds malformed cloud-config YAML and names part and line") {
  nlohmann::json j = ValidateBlob("#cloud-config\npackages: [jq\n", Options{});
  CHECK(j["valid"] == false);
  REQUIRE(j["problems"].size() == 1);
  CHECK(j["problems"][0]["part"] == 1);
  CHECK(j["problems"][0]["line"] == 3);
  CHECK(j["problems"][0]["message"] ==
        "cloud-config: invalid YAML: did not find expected ',' or ']'");
}

TEST_CASE("validate checks include lines offline, bucket-only lines with the key template") {
  nlohmann::json ok = ValidateBlob("#s3-include\nmy-bucket\ns3://my-bucket/k\n", Options{});
  CHECK(ok["valid"] == true);
  CHECK(ok["parts"][0]["lines"].size() == 2);
  Options o;
  o.max_objects = 1;
  nlohmann::json over = ValidateBlob("#s3-include\ns3://my-bucket/a\ns3://my-bucket/b\n", o);
  REQUIRE(over["problems"].size() == 1);
  CHECK(over["problems"][0]["message"] ==
        "the includes name 2 objects, over the limit of 1 (--max-objects)");
  nlohmann::json bad = ValidateBlob("#include\nftp://host/x\n", Options{});
  REQUIRE(bad["problems"].size() == 1);
  CHECK(bad["problems"][0]["line"] == 2);
  CHECK(bad["problems"][0]["message"] == "'ftp://host/x' is not an http(s) or S3 URL");
}

TEST_CASE("validate reads #s3-allowed-signer lines with the parser a fetch uses") {
  using trust::testing::kEd25519Pub;
  const std::string good = std::string("#s3-allowed-signer deploy@example.com ") + kEd25519Pub;
  CHECK(ValidateBlob("#s3-include\n" + good + "\ns3://b-1/k\n", Options{})["valid"] == true);
  for (const std::string& bad :
       {std::string("#s3-allowed-signer deploy@example.com ssh-ed25519 AAAA"),
        std::string("#s3-allowed-signer deploy@example.com bogus=\"1\" ") + kEd25519Pub,
        std::string("#s3-allowed-signer deploy@example.com cert-authority ") + kEd25519Pub}) {
    INFO(bad);
    nlohmann::json j =
        ValidateBlob("#s3-include\n" + good + "\n" + bad + "\ns3://b-1/k\n", Options{});
    CHECK(j["valid"] == false);
    REQUIRE(j["problems"].size() == 1);
    CHECK(j["problems"][0]["part"] == 1);
    CHECK(j["problems"][0]["line"] == 3);
  }
}

TEST_CASE("validate refuses trust lines that nothing would honour") {
  nlohmann::json plural =
      ValidateBlob("#s3-include\n#s3-allowed-signers x ssh-ed25519 AAAA\ns3://b-1/k\n", Options{});
  REQUIRE(plural["problems"].size() == 1);
  CHECK(plural["problems"][0]["line"] == 2);
  CHECK(plural["problems"][0]["message"] ==
        "unknown directive #s3-allowed-signers, did you mean #s3-allowed-signer");
  nlohmann::json in_include =
      ValidateBlob("#include\n#s3-allowed-signer x ssh-ed25519 AAAA\ns3://b-1/k\n", Options{});
  REQUIRE(in_include["problems"].size() == 1);
  CHECK(in_include["problems"][0]["message"] ==
        "#s3-allowed-signer applies only inside an #s3-include part");
}

TEST_CASE("validate shows include URLs without their query, as every other command") {
  // A pre-signed URL's query holds its signature and session token.
  nlohmann::json j = ValidateBlob(
      "#include\nhttps://h.example/o.sh?X-Amz-Security-Token=tok&X-Amz-Signature=sig\n"
      "ftp://h.example/x?X-Amz-Signature=sig\n",
      Options{});
  CHECK(j["parts"][0]["lines"][0]["url"] == "https://h.example/o.sh");
  REQUIRE(j["problems"].size() == 1);
  CHECK(j["problems"][0]["message"] == "'ftp://h.example/x' is not an http(s) or S3 URL");
  CHECK(j.dump().find("sig") == std::string::npos);
}

TEST_CASE("a cloud-config is one document: a mapping, or nothing") {
  for (const char* ok : {"#cloud-config\n", "#cloud-config\n~\n", "#cloud-config\n{}\n",
                         "#cloud-config\nruncmd:\n  - [ls, -l]\n"}) {
    INFO(ok);
    CHECK(ValidateBlob(ok, Options{})["problems"].empty());
  }
  for (const char* bad :
       {"#cloud-config\njust text\n", "#cloud-config\n[a, b]\n", "#cloud-config\n&x a\n"}) {
    INFO(bad);
    nlohmann::json j = ValidateBlob(bad, Options{});
    REQUIRE(j["problems"].size() == 1);
    CHECK(j["problems"][0]["message"] == "cloud-config: the top level is not a mapping");
  }
}

TEST_CASE("a cloud-config with a second document is invalid, as cloud-init's loader reads one") {
  nlohmann::json j = ValidateBlob("#cloud-config\na: 1\n---\n- b\n", Options{});
  REQUIRE(j["problems"].size() == 1);
  CHECK(j["problems"][0]["line"] == 3);
  CHECK(j["problems"][0]["message"] ==
        "cloud-config: invalid YAML: more than one document (cloud-init reads one)");
}

TEST_CASE("a cloud-config whose top level is not a mapping is invalid") {
  nlohmann::json j = ValidateBlob("#cloud-config\n- a\n- b\n", Options{});
  REQUIRE(j["problems"].size() == 1);
  CHECK(j["problems"][0]["message"] == "cloud-config: the top level is not a mapping");
}

TEST_CASE("user data that does not parse is named once in the printed line") {
  nlohmann::json j = ValidateBlob(
      "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=X\n\n--X\n\xff\n--X--\n",
      Options{});
  REQUIRE(j["problems"].size() == 1);
  CHECK(j["problems"][0]["part"] == 0);
  std::string message = j["problems"][0]["message"];
  CHECK(message.starts_with("MIME user data is not valid UTF-8"));
  CHECK(ProblemLine({0, 0, message}) == "user data: " + message);
}

TEST_CASE("the part tree escapes control bytes from the user data as error lines do") {
  // validate printed a Content-Type's and a filename's escape sequences to the terminal raw.
  std::string blob =
      "Content-Type: multipart/mixed; boundary=\"XYZ\"\nMIME-Version: 1.0\n\n--XYZ\n"
      "Content-Type: text/x-\x1b[31mevil\n"
      "Content-Disposition: attachment; filename*=utf-8''%1b%5b2Jx\n\nhello\n--XYZ--\n";
  nlohmann::json j = ValidateBlob(blob, Options{});
  REQUIRE(j["parts"].size() == 1);
  CHECK(j["parts"][0]["content_type"] == "text/x-\x1b[31mevil");
  CHECK(RenderTree(j["parts"]) == "part 1: text/x-\\x1b[31mevil \\x1b[2Jx (5 bytes)\n");
}

}  // namespace
}  // namespace s3us::cli
