// Tests of the work files fetched bodies stream into: small bodies stay in memory, large
// ones in anonymous 0600 files of a 0700 directory, a body becomes a payload only when
// verified, and a refused one leaves nothing.
#include "expand/body_sink.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "core/crypto.h"
#include "core/private_paths.h"
#include "expand/expander.h"
#include "expand/include_once_cache.h"
#include "tests/expand/fake_fetcher.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/gzip.h"

namespace s3us::expand {
namespace {

using testing::FakeFetcher;

struct WorkDir {
  std::string path = MakePrivateTempDir("s3us-body-sink-test-").value();
  ~WorkDir() { std::filesystem::remove_all(path); }
  bool empty() const { return std::filesystem::is_empty(path); }
};

int OpenDescriptors() {
  int n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

userdata::Source Verified(const std::string& bytes) {
  userdata::Source s;
  s.size = bytes.size();
  s.sha256 = Sha256Hex(bytes);
  return s;
}

std::string Big(size_t size) {
  std::string out = "#!/bin/sh\necho big\n";
  out.resize(size, '#');
  out.back() = '\n';
  return out;
}

TEST_CASE("Work files are anonymous, 0600, in a 0700 directory") {
  WorkDir dir;
  struct stat st;
  REQUIRE(stat(dir.path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  Result<int> fd = OpenAnonymousFile(dir.path);
  REQUIRE(fd.ok());
  REQUIRE(fstat(*fd, &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(st.st_nlink == 0);
  CHECK(dir.empty());
  close(*fd);
}

TEST_CASE("SpillSink keeps small bodies in memory and moves large ones to a file") {
  WorkDir dir;
  SpillSink small(dir.path, 16);
  REQUIRE(small.Write("0123456789").ok());
  CHECK_FALSE(small.spilled());
  Result<userdata::Payload> in_memory = small.Take(Verified("0123456789"));
  REQUIRE(in_memory.ok());
  CHECK(in_memory->memory() != nullptr);

  std::string bytes = Big(100);
  SpillSink large(dir.path, 16);
  REQUIRE(large.Write(std::string_view(bytes).substr(0, 10)).ok());
  REQUIRE(large.Write(std::string_view(bytes).substr(10)).ok());
  CHECK(large.spilled());
  Result<userdata::Payload> in_file = large.Take(Verified(bytes));
  REQUIRE(in_file.ok());
  CHECK(in_file->memory() == nullptr);
  CHECK(*in_file == bytes);
  CHECK(in_file->Sha256Hex() == Sha256Hex(bytes));
  CHECK(dir.empty());

  SpillSink unverified(dir.path, 16);
  REQUIRE(unverified.Write(bytes).ok());
  Result<userdata::Payload> wrong = unverified.Take(Verified(bytes + "x"));
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.error().code() == ErrorCode::kIntegrity);
}

struct Rig {
  FakeFetcher fetcher;
  testing::FakeClock clock;
  ExpandOptions options;
  ExpandResult Expand(const std::string& include_list) {
    userdata::Part part;
    part.index = 1;
    part.content_type = include_list.starts_with("#include-once") ? userdata::kTypeIncludeOnce
                                                                  : userdata::kTypeS3Include;
    part.filename = "part-001";
    part.payload = include_list;
    InstanceFacts facts;
    facts.region = "eu-west-1";
    Expander expander(fetcher, clock, facts, options);
    return expander.Expand({part});
  }
};

TEST_CASE("Expander keeps a large object in a work file, byte-exact") {
  WorkDir dir;
  Rig rig;
  rig.options.work_dir = dir.path;
  std::string big = Big(3 << 20);
  rig.fetcher.Put("s3://bkt-1/big.sh", big);
  rig.fetcher.Put("s3://bkt-1/small.sh", "#!/bin/sh\necho small\n");
  ExpandResult r = rig.Expand("#s3-include\ns3://bkt-1/big.sh\ns3://bkt-1/small.sh\n");
  REQUIRE(r.plan);
  REQUIRE(r.plan->parts.size() == 2);
  CHECK(r.plan->parts[0].payload.memory() == nullptr);
  CHECK(r.plan->parts[0].payload == big);
  CHECK(r.plan->parts[0].payload.Sha256Hex() == Sha256Hex(big));
  CHECK(r.plan->parts[0].content_type == userdata::kTypeShellScript);
  CHECK(r.plan->parts[1].payload.memory() != nullptr);
  CHECK(dir.empty());
}

TEST_CASE("What a large gzip object holds goes to a work file, byte-exact") {
  WorkDir dir;
  Rig rig;
  rig.options.work_dir = dir.path;
  std::string big = Big(3 << 20);
  std::string small = "#!/bin/sh\necho small\n";
  rig.fetcher.Put("s3://bkt-1/big.gz", testing::Gzip(big));
  rig.fetcher.Put("s3://bkt-1/small.gz", testing::Gzip(small));
  ExpandResult r = rig.Expand("#s3-include\ns3://bkt-1/big.gz\ns3://bkt-1/small.gz\n");
  REQUIRE(r.plan);
  REQUIRE(r.plan->parts.size() == 2);
  CHECK(r.plan->parts[0].payload.memory() == nullptr);  // 3 MiB held, 3 KiB fetched
  CHECK(r.plan->parts[0].payload == big);
  CHECK(r.plan->parts[0].payload.Sha256Hex() == Sha256Hex(big));
  CHECK(r.plan->parts[0].content_type == userdata::kTypeShellScript);
  CHECK(r.plan->parts[1].payload.memory() != nullptr);
  CHECK(r.plan->parts[1].payload == small);
  CHECK(dir.empty());
}

TEST_CASE("A large object is typed from its file as from memory") {
  // libmagic reads the same first bytes either way: an executable stays an executable.
  std::string elf = std::string(
                        "\x7f"
                        "ELF\x02\x01\x01",
                        7) +
                    std::string(3u << 20, '\0');
  std::vector<std::string> types;
  for (bool in_file : {false, true}) {
    WorkDir dir;
    Rig rig;
    if (in_file) rig.options.work_dir = dir.path;
    rig.fetcher.Put("s3://bkt-1/tool", elf);
    ExpandResult r = rig.Expand("#s3-include\ns3://bkt-1/tool\n");
    REQUIRE(r.plan);
    CHECK((r.plan->parts[0].payload.memory() == nullptr) == in_file);
    types.push_back(r.plan->parts[0].content_type + " " + r.plan->parts[0].magic);
  }
  CHECK(types[0] == types[1]);
}

TEST_CASE("A large body that fails verification leaves no file and no plan") {
  WorkDir dir;
  int before = OpenDescriptors();
  {
    Rig rig;
    rig.options.work_dir = dir.path;
    rig.fetcher.Put("s3://bkt-1/big.sh", Big(3 << 20));
    ExpandResult r =
        rig.Expand("#s3-include\ns3://bkt-1/big.sh sha256=" + std::string(64, '0') + "\n");
    CHECK_FALSE(r.plan);
    REQUIRE(r.failures.size() == 1);
    CHECK(r.failures[0].ToString().find("sha256 mismatch") != std::string::npos);
  }
  CHECK(OpenDescriptors() == before);  // the anonymous file is gone with its descriptor
  CHECK(dir.empty());
}

TEST_CASE("The include-once cache re-verifies a large body through the streaming verifier") {
  WorkDir dir;
  WorkDir cache;
  std::string big = Big(3 << 20);
  const std::string url = "https://h.example/big.sh?sig=1";
  {
    Rig first;
    first.options.work_dir = dir.path;
    first.options.include_once_cache_dir = cache.path + "/once";
    first.fetcher.Put(url, big);
    ExpandResult kept = first.Expand("#include-once\n" + url + "\n");
    REQUIRE(kept.plan);
    REQUIRE(CommitIncludeOnce(kept.plan->include_once_staged).ok());  // the plan was accepted
  }
  Rig later;
  later.options.work_dir = dir.path;
  later.options.include_once_cache_dir = cache.path + "/once";
  ExpandResult r = later.Expand("#include-once\n" + url + "\n");
  REQUIRE(r.plan);
  CHECK(later.fetcher.started().empty());
  CHECK(r.plan->parts[0].payload.memory() == nullptr);
  CHECK(r.plan->parts[0].payload == big);
  CHECK(r.plan->parts[0].origin.source->verified_by == "include-once cache");

  later.options.limits.max_object_bytes = big.size() - 1;
  ExpandResult over = later.Expand("#include-once\n" + url + "\n");
  CHECK_FALSE(over.plan);
  REQUIRE(over.failures.size() == 1);
  CHECK(over.failures[0].ToString().find("size limit") != std::string::npos);
  CHECK(dir.empty());
}

}  // namespace
}  // namespace s3us::expand
