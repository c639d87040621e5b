#include "expand/expander.h"

#include <zlib.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <functional>

#include "core/crypto.h"
#include "tests/expand/fake_fetcher.h"
#include "tests/fakes/fake_clock.h"
#include "tests/trust/test_keys.h"

namespace s3us::expand {
namespace {

using testing::FakeClock;
using testing::FakeFetcher;
using userdata::Part;

InstanceFacts Facts() {
  InstanceFacts f;
  f.role = "web";
  f.instance_id = "i-0abc";
  f.region = "eu-west-1";
  return f;
}

Part MakePart(int index, const std::string& type, const std::string& payload) {
  Part p;
  p.index = index;
  p.content_type = type;
  p.payload = payload;
  return p;
}

Part S3Include(int index, const std::string& lines) {
  return MakePart(index, userdata::kTypeS3Include, "#s3-include\n" + lines);
}

std::string Script(const std::string& name) { return "#!/bin/sh\necho " + name + "\n"; }

std::string Gzip(const std::string& data) {
  z_stream z{};
  REQUIRE(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&z, data.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string Multipart(const std::vector<std::pair<std::string, std::string>>& parts) {
  std::string out = "Content-Type: multipart/mixed; boundary=\"BOUNDARY\"\nMIME-Version: 1.0\n\n";
  for (const auto& [type, body] : parts) {
    out += "--BOUNDARY\nContent-Type: " + type + "\nMIME-Version: 1.0\n\n" + body + "\n";
  }
  return out + "--BOUNDARY--\n";
}

std::vector<std::string> Payloads(const Plan& plan) {
  std::vector<std::string> out;
  for (const Part& p : plan.parts) out.push_back(p.payload.ReadHead(p.payload.size()).value());
  return out;
}

struct Rig {
  FakeFetcher fetcher;
  FakeClock clock;
  ExpandOptions options;
  ExpandResult Expand(std::vector<Part> parts) {
    Expander expander(fetcher, clock, Facts(), options);
    return expander.Expand(std::move(parts));
  }
};

std::string Lines(const ExpandResult& r) {
  std::string out;
  for (const ExpandFailure& f : r.failures) out += f.ToString() + "\n";
  return out;
}

TEST_CASE("Expander leaves user data without includes as it is, renumbered") {
  Rig rig;
  ExpandResult r = rig.Expand({MakePart(1, userdata::kTypeShellScript, Script("a")),
                               MakePart(2, userdata::kTypeCloudConfig, "#cloud-config\n")});
  REQUIRE(r.plan);
  CHECK(r.failures.empty());
  CHECK(r.plan->complete);
  REQUIRE(r.plan->parts.size() == 2);
  CHECK(r.plan->parts[1].index == 2);
  CHECK_FALSE(r.plan->parts[0].origin.source);
  CHECK(r.plan->objects_fetched == 0);
  CHECK(rig.fetcher.started().empty());
}

TEST_CASE("Expander fetches the role-default key for a bucket-only #s3-include line") {
  Rig rig;
  rig.fetcher.Put("s3://boot-bucket/web/user-script", Script("role default"));
  rig.fetcher.Put("s3://boot-bucket/eu-west-1/i-0abc", Script("templated"));
  SECTION("default template") {
    ExpandResult r = rig.Expand({S3Include(1, "boot-bucket\n")});
    REQUIRE(r.plan);
    CHECK(Payloads(*r.plan) == std::vector<std::string>{Script("role default")});
  }
  SECTION("custom template, Go spelling") {
    rig.options.key_template = "{{.Region}}/{{.InstanceId}}";
    ExpandResult r = rig.Expand({S3Include(1, "s3://boot-bucket/\n")});
    REQUIRE(r.plan);
    CHECK(Payloads(*r.plan) == std::vector<std::string>{Script("templated")});
  }
  SECTION("unknown variable fails the include") {
    rig.options.key_template = "{hostname}";
    ExpandResult r = rig.Expand({S3Include(1, "boot-bucket\n")});
    REQUIRE_FALSE(r.plan);
    REQUIRE(r.failures.size() == 1);
    CHECK(r.failures[0].error.code() == ErrorCode::kInvalidInput);
    CHECK(r.failures[0].where == "part 1 line 2");
    CHECK(rig.fetcher.started().empty());
  }
}

TEST_CASE("Expander passes sha256 pins and the per-object limit to the fetcher") {
  Rig rig;
  const std::string body = Script("pinned");
  rig.fetcher.Put("s3://b-1/k", body);
  rig.options.limits.max_object_bytes = 4096;
  ExpandResult r = rig.Expand({S3Include(1, "s3://b-1/k sha256=" + Sha256Hex(body) + "\n")});
  REQUIRE(r.plan);
  fetch::FetchOptions sent = rig.fetcher.options_for("s3://b-1/k");
  REQUIRE(sent.expected_sha256);
  CHECK(*sent.expected_sha256 == Sha256Hex(body));
  CHECK(sent.max_bytes == 4096);
}

TEST_CASE("Expander parses any object the per-object limit lets through") {
  // A 20 MiB executable is over the parser's 16 MiB default for user data, not over the
  // 64 MiB default for one object: it must plan, not fail as "over the limit".
  Rig rig;
  std::string elf = std::string(
                        "\x7f"
                        "ELF\x02\x01\x01",
                        7) +
                    std::string(20u << 20, '\0');
  rig.fetcher.Put("s3://b-1/tool", elf);
  ExpandResult r = rig.Expand({S3Include(1, "s3://b-1/tool\n")});
  INFO(Lines(r));
  REQUIRE(r.plan);
  REQUIRE(r.plan->parts.size() == 1);
  CHECK(r.plan->parts[0].payload.size() == elf.size());
}

TEST_CASE("Expander expands recursively in place, in depth-first document order") {
  Rig rig;
  rig.fetcher.Put("s3://a-1/top",
                  Multipart({{"text/x-shellscript", Script("top")},
                             {"text/x-s3-include", "#s3-include\ns3://a-1/inner1\ns3://a-1/inner2"},
                             {"text/cloud-config", "#cloud-config\nx: 1"}}));
  rig.fetcher.Put("s3://a-1/inner1", Script("inner1"));
  rig.fetcher.Put("s3://a-1/inner2", Gzip("#include\nhttps://example.com/deep.sh\n"));
  rig.fetcher.Put("https://example.com/deep.sh", Script("deep"));

  ExpandResult r = rig.Expand({MakePart(1, userdata::kTypeShellScript, Script("first")),
                               S3Include(2, "s3://a-1/top\n"),
                               MakePart(3, userdata::kTypeShellScript, Script("last"))});
  INFO(Lines(r));
  REQUIRE(r.plan);
  const Plan& plan = *r.plan;
  REQUIRE(plan.parts.size() == 6);
  CHECK(plan.parts[0].payload == Script("first"));
  CHECK(plan.parts[1].payload.memory()->find("echo top") != std::string::npos);
  CHECK(plan.parts[2].payload == Script("inner1"));
  CHECK(plan.parts[3].payload == Script("deep"));
  CHECK(plan.parts[4].content_type == userdata::kTypeCloudConfig);
  CHECK(plan.parts[5].payload == Script("last"));
  for (size_t i = 0; i < plan.parts.size(); ++i) CHECK(plan.parts[i].index == int(i) + 1);
  CHECK(plan.objects_fetched == 4);

  // Origins: the chain of include steps and the nearest fetched object.
  CHECK(plan.parts[0].origin.chain.empty());
  REQUIRE(plan.parts[1].origin.source);
  CHECK(plan.parts[1].origin.source->url == "s3://a-1/top");
  REQUIRE(plan.parts[1].origin.chain.size() == 1);
  CHECK(plan.parts[1].origin.chain[0].part_index == 2);
  CHECK(plan.parts[1].origin.chain[0].line == 2);
  const auto& deep = plan.parts[3].origin;
  REQUIRE(deep.source);
  CHECK(deep.source->url == "https://example.com/deep.sh");
  REQUIRE(deep.chain.size() == 3);
  CHECK(deep.chain[0].url == "s3://a-1/top");
  CHECK(deep.chain[1].part_index == 2);
  CHECK(deep.chain[1].line == 3);
  CHECK(deep.chain[1].url == "s3://a-1/inner2");
  CHECK(deep.chain[2].line == 2);
  CHECK(deep.chain[2].url == "https://example.com/deep.sh");
}

TEST_CASE("Expander keeps document order when fetches complete in reverse") {
  Rig rig;
  for (const char* k : {"a", "b", "c"}) rig.fetcher.Put(std::string("s3://b-1/") + k, Script(k));
  rig.fetcher.FinishAfter("s3://b-1/a", "s3://b-1/b");
  rig.fetcher.FinishAfter("s3://b-1/b", "s3://b-1/c");
  ExpandResult r = rig.Expand({S3Include(1, "s3://b-1/a\ns3://b-1/b\ns3://b-1/c\n")});
  REQUIRE(r.plan);
  CHECK(rig.fetcher.timeouts() == 0);
  CHECK(rig.fetcher.finished() ==
        std::vector<std::string>{"s3://b-1/c", "s3://b-1/b", "s3://b-1/a"});
  CHECK(Payloads(*r.plan) == std::vector<std::string>{Script("a"), Script("b"), Script("c")});
}

TEST_CASE("Expander fetches one level concurrently, never above max_parallel") {
  for (int max_parallel : {1, 3, 16}) {
    INFO(max_parallel);
    Rig rig;
    rig.options.max_parallel = max_parallel;
    std::string lines;
    for (int i = 0; i < 10; ++i) {
      std::string url = "s3://b-1/k" + std::to_string(i);
      rig.fetcher.Put(url, Script(std::to_string(i)));
      lines += url + "\n";
    }
    rig.fetcher.HoldUntilInFlight(std::min(max_parallel, 10), 10);
    ExpandResult r = rig.Expand({S3Include(1, lines.substr(0, lines.size() / 2)),
                                 S3Include(2, lines.substr(lines.size() / 2))});
    REQUIRE(r.plan);
    CHECK(r.plan->parts.size() == 10);
    CHECK(rig.fetcher.timeouts() == 0);
    CHECK(rig.fetcher.max_in_flight() == std::min(max_parallel, 10));
  }
}

TEST_CASE("Expander fails closed: one missing object among five means no Plan") {
  Rig rig;
  std::string lines;
  for (int i = 1; i <= 5; ++i) {
    std::string url = "s3://b-1/k" + std::to_string(i);
    if (i != 3) rig.fetcher.Put(url, Script(std::to_string(i)));
    lines += url + "\n";
  }
  SECTION("default") {
    ExpandResult r = rig.Expand({S3Include(1, lines)});
    CHECK_FALSE(r.plan);
    REQUIRE(r.failures.size() == 1);
    CHECK(r.failures[0].error.code() == ErrorCode::kNotFound);
    CHECK(r.failures[0].ToString() ==
          "part 1 line 4 (s3://b-1/k3): fetching s3://b-1/k3: NoSuchKey: the specified key "
          "does not exist");
  }
  SECTION("keep_going drops the failed include and marks the Plan incomplete") {
    rig.options.keep_going = true;
    ExpandResult r = rig.Expand({S3Include(1, lines)});
    REQUIRE(r.plan);
    CHECK_FALSE(r.plan->complete);
    CHECK(Payloads(*r.plan) ==
          std::vector<std::string>{Script("1"), Script("2"), Script("4"), Script("5")});
    REQUIRE(r.plan->omitted.size() == 1);
    CHECK(r.plan->omitted[0] == r.failures.at(0).ToString());
  }
}

TEST_CASE("Expander reports every failure of the shallowest failing depth, whatever came first") {
  Rig rig;
  rig.fetcher.Put("s3://b-1/ok", "#s3-include\ns3://b-1/deeper-missing\n");
  // The depth-2 failure is found before either depth-1 one: it is still not reported, as a
  // level-by-level expansion would never have fetched it.
  rig.fetcher.FinishAfter("s3://b-1/gone1", "s3://b-1/deeper-missing");
  rig.fetcher.FinishAfter("s3://b-1/gone2", "s3://b-1/deeper-missing");
  ExpandResult r =
      rig.Expand({S3Include(1, "s3://b-1/gone1\ns3://b-1/ok\n"), S3Include(2, "s3://b-1/gone2\n")});
  CHECK_FALSE(r.plan);
  CHECK(rig.fetcher.timeouts() == 0);
  REQUIRE(r.failures.size() == 2);
  CHECK(r.failures[0].where == "part 1 line 2");
  CHECK(r.failures[1].where == "part 2 line 2");
  std::vector<std::string> finished = rig.fetcher.finished();
  CHECK(std::find(finished.begin(), finished.end(), "s3://b-1/deeper-missing") != finished.end());
}

TEST_CASE("Expander starts nothing below a failure it already knows of") {
  Rig rig;
  rig.fetcher.Put("s3://b-1/ok", "#s3-include\ns3://b-1/never-fetched\n");
  ExpandResult r = rig.Expand({S3Include(1, "https://example.com/x.sh\ns3://b-1/ok\n")});
  CHECK_FALSE(r.plan);
  REQUIRE(r.failures.size() == 1);
  CHECK(r.failures[0].where == "part 1 line 2");
  CHECK(rig.fetcher.started() == std::vector<std::string>{"s3://b-1/ok"});
}

TEST_CASE("Expander fetches an object's includes before its slow siblings have arrived") {
  Rig rig;
  rig.fetcher.Put("s3://b-1/slow", Script("slow"));
  rig.fetcher.Put("s3://b-1/nest", "#s3-include\ns3://b-1/inner\n");
  rig.fetcher.Put("s3://b-1/inner", Script("inner"));
  // slow (depth 1) can only finish once inner (depth 2) has: a barrier per depth would hold
  // inner back until slow arrived, and the fake fetcher would give up waiting.
  rig.fetcher.FinishAfter("s3://b-1/slow", "s3://b-1/inner");
  ExpandResult r = rig.Expand({S3Include(1, "s3://b-1/slow\ns3://b-1/nest\n")});
  REQUIRE(r.plan);
  CHECK(rig.fetcher.timeouts() == 0);
  CHECK(rig.fetcher.finished() ==
        std::vector<std::string>{"s3://b-1/nest", "s3://b-1/inner", "s3://b-1/slow"});
  CHECK(Payloads(*r.plan) == std::vector<std::string>{Script("slow"), Script("inner")});
}

TEST_CASE("Expander stops an include cycle and names the chain") {
  Rig rig;
  rig.fetcher.Put("s3://a-1/x", "#s3-include\n\ns3://a-1/y\n");
  rig.fetcher.Put("s3://a-1/y", "#s3-include\nhttps://a-1.s3.eu-west-1.amazonaws.com/x\n");
  ExpandResult r = rig.Expand(
      {MakePart(1, userdata::kTypeShellScript, Script("1")), S3Include(2, "s3://a-1/x\n")});
  CHECK_FALSE(r.plan);
  REQUIRE(r.failures.size() == 1);
  CHECK(r.failures[0].error.code() == ErrorCode::kCycle);
  CHECK(r.failures[0].error.message() ==
        "include cycle: part 2 line 2 → s3://a-1/x line 3 → s3://a-1/y line 2 → "
        "https://a-1.s3.eu-west-1.amazonaws.com/x");
  CHECK(rig.fetcher.started().size() == 2);
}

TEST_CASE("Expander allows the same object twice side by side: only enclosing ones cycle") {
  Rig rig;
  rig.fetcher.Put("s3://a-1/common", Script("common"));
  ExpandResult r = rig.Expand({S3Include(1, "s3://a-1/common\ns3://a-1/common\n")});
  REQUIRE(r.plan);
  CHECK(r.plan->parts.size() == 2);
}

TEST_CASE("Expander enforces each limit and names it") {
  Rig rig;
  rig.fetcher.Put("s3://b-1/d1", "#s3-include\ns3://b-1/d2\n");
  rig.fetcher.Put("s3://b-1/d2", "#s3-include\ns3://b-1/d3\n");
  rig.fetcher.Put("s3://b-1/d3", Script("d3"));
  rig.fetcher.Put("s3://b-1/big", std::string(3000, '#'));
  rig.fetcher.Put("s3://b-1/many", Multipart({{"text/x-shellscript", Script("1")},
                                              {"text/x-shellscript", Script("2")},
                                              {"text/x-shellscript", Script("3")}}));
  SECTION("depth") {
    rig.options.limits.max_depth = 2;
    ExpandResult r = rig.Expand({S3Include(1, "s3://b-1/d1\n")});
    CHECK_FALSE(r.plan);
    REQUIRE(r.failures.size() == 1);
    CHECK(r.failures[0].error.code() == ErrorCode::kLimitExceeded);
    CHECK(r.failures[0].ToString() ==
          "part 1 line 2 → s3://b-1/d1 line 2 → s3://b-1/d2 line 2 (s3://b-1/d3): include depth "
          "limit of 2 exceeded (--max-depth)");
    rig.options.limits.max_depth = 3;
    CHECK(rig.Expand({S3Include(1, "s3://b-1/d1\n")}).plan);
  }
  SECTION("parts") {
    rig.options.limits.max_parts = 3;
    ExpandResult r = rig.Expand(
        {MakePart(1, userdata::kTypeShellScript, Script("0")), S3Include(2, "s3://b-1/many\n")});
    CHECK_FALSE(r.plan);
    REQUIRE(r.failures.size() == 1);
    CHECK(r.failures[0].error.code() == ErrorCode::kLimitExceeded);
    CHECK(r.failures[0].ToString() == "the plan exceeds the limit of 3 parts (--max-parts)");
  }
  SECTION("total bytes, even with keep_going") {
    rig.options.limits.max_total_bytes = 4000;
    rig.options.keep_going = true;
    rig.fetcher.Put("s3://b-1/big?versionId=2", std::string(3000, '#'));
    ExpandResult r = rig.Expand({S3Include(1, "s3://b-1/big\ns3://b-1/big?versionId=2\n")});
    CHECK_FALSE(r.plan);
    REQUIRE_FALSE(r.failures.empty());
    CHECK(r.failures.back().error.code() == ErrorCode::kLimitExceeded);
    CHECK(r.failures.back().ToString().find("--max-total-bytes") != std::string::npos);
  }
  SECTION("per object") {
    rig.options.limits.max_object_bytes = 2999;
    ExpandResult r = rig.Expand({S3Include(1, "s3://b-1/big\n")});
    CHECK_FALSE(r.plan);
    REQUIRE(r.failures.size() == 1);
    CHECK(r.failures[0].error.code() == ErrorCode::kLimitExceeded);
    CHECK(r.failures[0].ToString().find("size limit of 2999") != std::string::npos);
  }
}

TEST_CASE("Expander gives up when the deadline passes between depths") {
  Rig rig;
  rig.options.deadline = Deadline::After(rig.clock, std::chrono::seconds(30));
  rig.fetcher.Put("s3://b-1/slow", "#s3-include\ns3://b-1/next\n");
  rig.fetcher.Put("s3://b-1/next", Script("next"));
  rig.fetcher.OnFetch([&](const std::string&) { rig.clock.Advance(std::chrono::seconds(31)); });
  ExpandResult r = rig.Expand({S3Include(1, "s3://b-1/slow\n")});
  CHECK_FALSE(r.plan);
  REQUIRE(r.failures.size() == 1);
  CHECK(r.failures[0].error.code() == ErrorCode::kTimeout);
  CHECK(rig.fetcher.started() == std::vector<std::string>{"s3://b-1/slow"});
  CHECK(rig.fetcher.options_for("s3://b-1/slow").deadline.is_set());
}

TEST_CASE("Expander reuses #include-once bodies from the cache on later runs") {
  std::string tmpl = (std::filesystem::temp_directory_path() / "s3us-once-XXXXXX").string();
  REQUIRE(mkdtemp(tmpl.data()) != nullptr);
  const std::string url = "https://b-1.s3.amazonaws.com/k?X-Amz-Signature=abc";
  std::vector<Part> user_data = {
      MakePart(1, userdata::kTypeIncludeOnce, "#include-once\n" + url + "\n")};
  {
    Rig first;
    first.options.include_once_cache_dir = tmpl + "/urlcache";
    first.fetcher.Put(url, Script("once"));
    ExpandResult r = first.Expand(user_data);
    REQUIRE(r.plan);
    CHECK(r.plan->objects_fetched == 1);
  }
  Rig later;  // the pre-signed URL has expired: nothing to fetch any more
  later.options.include_once_cache_dir = tmpl + "/urlcache";
  ExpandResult r = later.Expand(user_data);
  REQUIRE(r.plan);
  CHECK(later.fetcher.started().empty());
  CHECK(Payloads(*r.plan) == std::vector<std::string>{Script("once")});
  REQUIRE(r.plan->parts[0].origin.source);
  CHECK(r.plan->parts[0].origin.source->url == "https://b-1.s3.amazonaws.com/k");
  CHECK(r.plan->parts[0].origin.source->verified_by == "include-once cache");
  CHECK(r.plan->objects_fetched == 0);

  Rig uncached;  // without a cache directory every run fetches
  uncached.fetcher.Put(url, Script("once"));
  CHECK(uncached.Expand(user_data).plan);
  CHECK(uncached.fetcher.started().size() == 1);
  std::filesystem::remove_all(tmpl);
}

TEST_CASE("Expander sends #include URLs to the fetcher as written") {
  Rig rig;
  rig.fetcher.Put("http://10.0.0.1/boot.sh", Script("plain"));
  rig.fetcher.Put("s3://b-1/k", Script("s3"));
  ExpandResult r = rig.Expand(
      {MakePart(1, userdata::kTypeInclude, "#include\nhttp://10.0.0.1/boot.sh\ns3://b-1/k\n")});
  REQUIRE(r.plan);
  CHECK(Payloads(*r.plan) == std::vector<std::string>{Script("plain"), Script("s3")});
}

TEST_CASE("Expander rejects lines of an #s3-include that are not S3 locations") {
  Rig rig;
  ExpandResult r = rig.Expand({S3Include(1, "https://example.com/x.sh\n")});
  CHECK_FALSE(r.plan);
  REQUIRE(r.failures.size() == 1);
  CHECK(r.failures[0].error.code() == ErrorCode::kInvalidInput);
  CHECK(rig.fetcher.started().empty());
}

TEST_CASE("Expander reports a fetched object it cannot parse as that include's failure") {
  Rig rig;
  rig.fetcher.Put("s3://b-1/ambiguous",
                  "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=XX\n\n--XX\n\n"
                  "#!/bin/sh\n--XXX\n--XX--\n");
  ExpandResult r = rig.Expand({S3Include(1, "s3://b-1/ambiguous\n")});
  CHECK_FALSE(r.plan);
  REQUIRE(r.failures.size() == 1);
  CHECK(r.failures[0].error.code() == ErrorCode::kInvalidInput);
  CHECK(r.failures[0].ToString() ==
        "part 1 line 2 (s3://b-1/ambiguous): parsing s3://b-1/ambiguous: mime part 1: ambiguous "
        "MIME: cloud-init reads 1 part in this multipart, an RFC 2046 reader 2 parts (check the "
        "lines that start with its boundary)");
}

// Two top-level lines; every object names `fanout` objects of the next level, distinct
// ones ("s3://f-1/1.3.0") or, with `same`, one shared object per level.
void PutFanOut(FakeFetcher& fetcher, int levels, int fanout, bool same) {
  std::function<void(const std::string&, int)> put = [&](const std::string& name, int level) {
    std::string body = "#s3-include\n";
    std::vector<std::string> children;
    for (int i = 0; i < fanout; ++i) {
      std::string child =
          same ? "s3://f-1/L" + std::to_string(level + 1) : name + "." + std::to_string(i);
      body += child + "\n";
      if (!same || i == 0) children.push_back(child);
    }
    fetcher.Put(name, level == levels ? Script(name) : body);
    if (level < levels) {
      for (const std::string& child : children) put(child, level + 1);
    }
  };
  if (same) {
    put("s3://f-1/L1", 1);
  } else {
    put("s3://f-1/0", 1);
    put("s3://f-1/1", 1);
  }
}

TEST_CASE("Expander fetches an object named at many positions once and uses it at each") {
  Rig rig;
  rig.fetcher.Put("s3://a-1/common", Script("common"));
  rig.fetcher.Put("s3://a-1/nest", "#s3-include\ns3://a-1/common\n");
  ExpandResult r = rig.Expand({S3Include(1, "s3://a-1/common\ns3://a-1/nest\ns3://a-1/common\n")});
  REQUIRE(r.plan);
  CHECK(Payloads(*r.plan) ==
        std::vector<std::string>{Script("common"), Script("common"), Script("common")});
  CHECK(rig.fetcher.started() == std::vector<std::string>{"s3://a-1/common", "s3://a-1/nest"});
  CHECK(r.plan->objects_fetched == 2);
}

TEST_CASE("Expander stops a fan-out of distinct objects before fetching more than max_objects") {
  Rig rig;
  PutFanOut(rig.fetcher, 4, 16, false);  // 2, 32, 512, 8192 objects
  ExpandResult r = rig.Expand({S3Include(1, "s3://f-1/0\ns3://f-1/1\n")});
  CHECK_FALSE(r.plan);
  CHECK(Lines(r) == "the includes name more than 256 objects (--max-objects)\n");
  CHECK(rig.fetcher.started().size() <= 256);
}

TEST_CASE("Expander stops a fan-out of one shared object per level on the parts bound") {
  Rig rig;
  PutFanOut(rig.fetcher, 5, 16, true);  // 2, 32, 512, 8192 positions of L1, L2, L3, L4
  ExpandResult r = rig.Expand({S3Include(1, "s3://f-1/L1\ns3://f-1/L1\n")});
  CHECK_FALSE(r.plan);
  CHECK(Lines(r) == "the plan exceeds the limit of 1000 parts (--max-parts)\n");
  CHECK(rig.fetcher.started() ==
        std::vector<std::string>{"s3://f-1/L1", "s3://f-1/L2", "s3://f-1/L3"});
}

TEST_CASE("Expander refuses more include lines than max_parts before fetching anything") {
  Rig rig;
  rig.fetcher.Put("s3://a-1/same", Script("same"));
  std::string lines;
  for (int i = 0; i < 10000; ++i) lines += "s3://a-1/same\n";
  ExpandResult r = rig.Expand({S3Include(1, lines)});
  CHECK_FALSE(r.plan);
  CHECK(Lines(r) == "the plan exceeds the limit of 1000 parts (--max-parts)\n");
  CHECK(rig.fetcher.started().empty());

  rig.options.limits.max_parts = 10000;  // allowed: one fetch, 10,000 positions
  ExpandResult allowed = rig.Expand({S3Include(1, lines)});
  REQUIRE(allowed.plan);
  CHECK(allowed.plan->parts.size() == 10000);
  CHECK(rig.fetcher.started().size() == 1);
}

TEST_CASE("Expander counts the total size limit at every position of a reused object") {
  Rig rig;
  rig.options.limits.max_total_bytes = 5000;
  rig.fetcher.Put("s3://a-1/big", "#!/bin/sh\n" + std::string(2000, '#'));
  CHECK(rig.Expand({S3Include(1, "s3://a-1/big\ns3://a-1/big\n")}).plan);
  ExpandResult r = rig.Expand({S3Include(1, "s3://a-1/big\ns3://a-1/big\ns3://a-1/big\n")});
  CHECK_FALSE(r.plan);
  CHECK(Lines(r) == "includes exceed the total size limit of 4.9 KiB (--max-total-bytes)\n");
}

TEST_CASE("FailureLines shows the first failures and counts the rest") {
  std::vector<ExpandFailure> failures;
  for (int i = 1; i <= 12; ++i) {
    failures.push_back(
        ExpandFailure{"part " + std::to_string(i), "", Error(ErrorCode::kNotFound, "x")});
  }
  std::vector<std::string> lines = FailureLines(failures, 3);
  REQUIRE(lines.size() == 4);
  CHECK(lines[0] == "part 1: x");
  CHECK(lines[3] == "and 9 more failed includes");
  failures.erase(failures.begin() + 3, failures.end());
  CHECK(FailureLines(failures, 3).size() == 3);
}

TEST_CASE("Expander passes an include part's own signers and signer= down to every fetch") {
  Rig rig;
  rig.fetcher.Put("s3://b-1/outer", "#s3-include\ns3://b-1/inner\n");
  rig.fetcher.Put("s3://b-1/inner", Script("inner"));
  rig.fetcher.Put("s3://b-1/plain", Script("plain"));
  std::string trust =
      std::string("#s3-allowed-signer deploy@example.com ") + trust::testing::kEd25519Pub + "\n";
  ExpandResult r = rig.Expand({S3Include(1, trust + "s3://b-1/outer signer=deploy@example.com\n"),
                               S3Include(2, "s3://b-1/plain\n")});
  REQUIRE(r.plan);
  CHECK(Payloads(*r.plan) == std::vector<std::string>{Script("inner"), Script("plain")});
  // Pointers only: the lists live as long as the expansion.
  CHECK(rig.fetcher.options_for("s3://b-1/outer").signers != nullptr);
  CHECK(rig.fetcher.options_for("s3://b-1/outer").signer == "deploy@example.com");
  CHECK(rig.fetcher.options_for("s3://b-1/inner").signers != nullptr);  // inherited
  CHECK_FALSE(rig.fetcher.options_for("s3://b-1/inner").signer);        // per line
  CHECK(rig.fetcher.options_for("s3://b-1/plain").signers == nullptr);  // another part
}

TEST_CASE("Expander refuses trust declared by a fetched object, and malformed trust lines") {
  Rig rig;
  std::string trust =
      std::string("#s3-allowed-signer attacker@example.com ") + trust::testing::kEd25519Pub + "\n";
  rig.fetcher.Put("s3://b-1/outer", "#s3-include\n" + trust + "s3://b-1/inner\n");
  rig.fetcher.Put("s3://b-1/inner", Script("inner"));
  SECTION("from a fetched object") {
    ExpandResult r = rig.Expand({S3Include(1, "s3://b-1/outer\n")});
    CHECK_FALSE(r.plan);
    REQUIRE(r.failures.size() == 1);
    CHECK(r.failures[0].error.code() == ErrorCode::kAccessDenied);
    CHECK(r.failures[0].ToString().find("line 2: #s3-allowed-signer is honoured only in user "
                                        "data, not in a fetched object") != std::string::npos);
    std::vector<std::string> started = rig.fetcher.started();
    CHECK(std::find(started.begin(), started.end(), "s3://b-1/inner") == started.end());
  }
  SECTION("malformed") {
    ExpandResult r = rig.Expand({S3Include(1,
                                           "#s3-allowed-signer deploy@example.com\n"
                                           "s3://b-1/inner\n")});
    CHECK_FALSE(r.plan);
    REQUIRE(r.failures.size() == 1);
    CHECK(r.failures[0].where.starts_with("part 1"));
    INFO(r.failures[0].ToString());
    CHECK(r.failures[0].ToString().find("line 2") != std::string::npos);
    CHECK(rig.fetcher.started().empty());
  }
}

}  // namespace
}  // namespace s3us::expand
