#include "cli/get_command.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "tests/fakes/temp_dir.h"

namespace s3us::cli {
namespace {

TEST_CASE("get names files after the last segment of the key") {
  CHECK(DestinationName("s3://b/dir/setup.sh") == "setup.sh");
  CHECK(DestinationName("https://b.s3.amazonaws.com/a/b.tar.gz?versionId=x") == "b.tar.gz");
  CHECK(DestinationName("arn:aws:s3:::b/k/v.bin") == "v.bin");
  CHECK(DestinationName("s3://b/dir/") == "");
  CHECK(DestinationName("s3://b/..") == "");
  CHECK(DestinationName("s3://b/a\x01z") == "a_z");
  // Both spellings of one key give one name: the decoded key's.
  CHECK(DestinationName("https://my-bucket.s3.amazonaws.com/dir/a%20b%2Bc.txt") == "a b+c.txt");
  CHECK(DestinationName("s3://my-bucket/dir/a b+c.txt") == "a b+c.txt");
  CHECK(DestinationName("https://my-bucket.s3.amazonaws.com/d%2Fsub%2Fn.txt") == "n.txt");
  // Other URLs: the last path segment; an authority alone (user info and all) is no name.
  CHECK(DestinationName("https://example.com/files/x.tgz?sig=1") == "x.tgz");
  CHECK(DestinationName("http://user:secret@127.0.0.1:8080") == "");
  CHECK(DestinationName("http://127.0.0.1:8080/") == "");
}

TEST_CASE("get refuses a URL's version that --version-id contradicts") {
  CHECK(BadGetUrl("s3://my-bucket/k?versionId=vA", "vB") == "names version vA, --version-id vB");
  CHECK_FALSE(BadGetUrl("s3://my-bucket/k?versionId=vA", "vA").has_value());
  CHECK_FALSE(BadGetUrl("s3://my-bucket/k", "vB").has_value());
}

TEST_CASE("a bad URL given to get is found before any request") {
  CHECK_FALSE(BadGetUrl("s3://my-bucket/k").has_value());
  CHECK_FALSE(BadGetUrl("https://example.com/x").has_value());
  CHECK_FALSE(BadGetUrl("arn:aws:s3:::my-bucket/k").has_value());
  CHECK(BadGetUrl("notaurl") ==
        "names bucket \"notaurl\" but no object key (give s3://BUCKET/KEY)");
  CHECK(BadGetUrl("s3://b/k") == "invalid bucket name 'b': must be 3-63 characters long");
  CHECK(BadGetUrl("ftp://h/x") ==
        "unsupported URL scheme \"ftp\" (use s3://, an S3 ARN, https:// or http://)");
}

TEST_CASE("get reports the first bad URL as a usage error, once") {
  // It printed "fetching notaurl: ..." for each bad URL and exited 4.
  Options o;
  o.command = Command::kGet;
  o.urls = {"s3://my-bucket/ok", "notaurl", "s3://b/k2"};
  Result<std::vector<GetTarget>> planned = PlanGet(o);
  REQUIRE_FALSE(planned.ok());
  CHECK(planned.error().code() == ErrorCode::kInvalidInput);
  CHECK(planned.error().ToString() ==
        "notaurl: names bucket \"notaurl\" but no object key (give s3://BUCKET/KEY)");
  // Before the destinations are looked at: the URL is what is wrong.
  o.urls = {"s3://b/"};
  o.output_dir = "/nonexistent-dir";
  CHECK(PlanGet(o).error().code() == ErrorCode::kInvalidInput);
}

TEST_CASE("get -o naming a directory writes the object's name in it, as aws s3 cp") {
  testing::TempDir t;
  mkdir((t / "d").c_str(), 0755);
  std::ofstream(t / "file") << "x";
  Options o;
  o.command = Command::kGet;
  o.urls = {"s3://my-bucket/conf/app.conf"};
  struct Case {
    std::string output, destination, new_dir;
  };
  const Case cases[] = {
      {t / "d", t / "d/app.conf", ""},
      {t / "d/", t / "d/app.conf", ""},
      {t / "new/", t / "new/app.conf", t / "new/"},  // made when the command runs
      {t / "file", t / "file", ""},
      {t / "other", t / "other", ""},
  };
  for (const Case& c : cases) {
    INFO(c.output);
    o.output = c.output;
    Result<std::vector<GetTarget>> planned = PlanGet(o);
    REQUIRE(planned.ok());
    CHECK(planned->at(0).destination == c.destination);
    CHECK(planned->at(0).new_dir == c.new_dir);
  }
  // A trailing '/' can only mean a directory.
  o.output = t / "file/";
  CHECK(PlanGet(o).error().code() == ErrorCode::kIo);
  // The directory needs the object's name.
  o.output = t / "d";
  o.urls = {"http://127.0.0.1:8080/"};
  CHECK(PlanGet(o).error().code() == ErrorCode::kInvalidInput);
}

}  // namespace
}  // namespace s3us::cli
