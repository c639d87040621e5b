#include "expand/expander.h"
#include "expand/include_once_cache.h"

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>

#include "core/crypto.h"
#include "fakes/temp_dir.h"
#include "fetch/signed_fetcher.h"
#include "tests/expand/expander_rig.h"
#include "tests/trust/test_keys.h"
#include "userdata/parse.h"

namespace s3us::expand {
namespace {

using namespace rig;  // NOLINT: the shared rig of these tests
using testing::FakeClock;
using testing::FakeFetcher;
using userdata::Part;

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

TEST_CASE("Expander tells how many objects it asked for, queued ones included") {
  Rig rig;
  rig.options.max_parallel = 1;
  rig.fetcher.Put("s3://b-1/a", Script("a"));
  rig.fetcher.Put("s3://b-1/b", Script("b"));
  rig.fetcher.Put("s3://b-1/nest", "#s3-include\ns3://b-1/inner\ns3://b-1/a\n");
  rig.fetcher.Put("s3://b-1/inner", Script("inner"));
  std::vector<size_t> told;  // on the coordinating thread
  std::atomic<size_t> asked{0};
  rig.options.objects_asked = [&](size_t n) {
    told.push_back(n);
    asked = n;
  };
  std::atomic<size_t> asked_at_first_fetch{0};
  rig.fetcher.OnFetch([&](const std::string&) {
    size_t none = 0;
    asked_at_first_fetch.compare_exchange_strong(none, asked.load());
  });
  ExpandResult r = rig.Expand({S3Include(1, "s3://b-1/a\ns3://b-1/b\ns3://b-1/nest\n")});
  REQUIRE(r.plan);
  // All three before the first fetch, one at a time; then the one object new in nest.
  CHECK(asked_at_first_fetch == 3);
  CHECK(told == std::vector<size_t>{3, 4});
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

TEST_CASE("Expander reuses #include-once bodies from the cache on later runs") {
  s3us::testing::TempDir tmp;
  const std::string url = "https://b-1.s3.amazonaws.com/k?X-Amz-Signature=abc";
  std::vector<Part> user_data = {
      MakePart(1, userdata::kTypeIncludeOnce, "#include-once\n" + url + "\n")};
  {
    Rig first;
    first.options.include_once_cache_dir = tmp / "urlcache";
    first.fetcher.Put(url, Script("once"));
    ExpandResult r = first.Expand(user_data);
    REQUIRE(r.plan);
    CHECK(r.plan->objects_fetched == 1);
    REQUIRE(r.plan->include_once_staged.size() == 1);              // no signature to keep
    REQUIRE(CommitIncludeOnce(r.plan->include_once_staged).ok());  // the plan was accepted
  }
  Rig later;  // the pre-signed URL has expired: nothing to fetch any more
  later.options.include_once_cache_dir = tmp / "urlcache";
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
}

// One run over `user_data` through a SignedFetcher trusting `signers` (null: none), with
// the include-once cache in `cache_dir`; an accepted plan's cache entries are kept.
ExpandResult SignedRun(const std::string& cache_dir, const std::vector<Part>& user_data,
                       const trust::AllowedSigners* signers,
                       const std::map<std::string, std::string>& objects,
                       std::vector<std::string>* started = nullptr) {
  Rig rig;
  rig.options.include_once_cache_dir = cache_dir;
  for (const auto& [url, body] : objects) rig.fetcher.Put(url, body);
  fetch::SignedFetcher fetcher(rig.fetcher, signers, rig.clock);
  Expander expander(fetcher, rig.clock, Facts(), rig.options);
  ExpandResult r = expander.Expand(user_data);
  if (r.plan) REQUIRE(CommitIncludeOnce(r.plan->include_once_staged).ok());
  if (started) *started = rig.fetcher.started();
  return r;
}

TEST_CASE(
    "Expander reuses a cached #include-once body under trust only if its signature verifies") {
  using namespace trust::testing;
  s3us::testing::TempDir tmp;
  const std::string cache = tmp / "urlcache";
  const std::string url = "s3://b-1/once.sh";
  std::vector<Part> user_data = {
      MakePart(1, userdata::kTypeIncludeOnce, "#include-once\n" + url + "\n")};
  auto deploy = trust::AllowedSigners::Parse(std::string("deploy@example.com ") + kEd25519Pub, "a");
  auto rotated = trust::AllowedSigners::Parse(std::string("ops@example.com ") + kEcdsa521Pub, "b");
  REQUIRE((deploy.ok() && rotated.ok()));
  std::vector<std::string> started;

  // Cached while no trust applied: unsigned, and not reused once trust is configured.
  REQUIRE(SignedRun(cache, user_data, nullptr, {{url, kMessage}}).plan);
  ExpandResult unsigned_run = SignedRun(cache, user_data, &*deploy, {{url, kMessage}}, &started);
  CHECK_FALSE(unsigned_run.plan);
  CHECK(std::count(started.begin(), started.end(), url) == 1);  // fetched, and refused

  // Fetched signed: kept with its signature, reused under the same trust without a fetch.
  REQUIRE(
      SignedRun(cache, user_data, &*deploy, {{url, kMessage}, {url + ".sig", kEd25519Signature}})
          .plan);
  ExpandResult reused = SignedRun(cache, user_data, &*deploy, {}, &started);
  REQUIRE(reused.plan);
  CHECK(started.empty());
  REQUIRE(reused.plan->parts[0].origin.source);
  CHECK(reused.plan->parts[0].origin.source->verified_by ==
        std::string("include-once cache, ssh signature by deploy@example.com (") +
            kEd25519Fingerprint + " ED25519)");

  // The key removed from the list (revoked): the kept body no longer counts.
  ExpandResult revoked = SignedRun(cache, user_data, &*rotated, {}, &started);
  CHECK_FALSE(revoked.plan);
  CHECK(std::count(started.begin(), started.end(), url) == 1);

  // Without trust the cache is used as before.
  ExpandResult plain = SignedRun(cache, user_data, nullptr, {}, &started);
  REQUIRE(plain.plan);
  CHECK(started.empty());
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

// cloud-init's _explode_archive attaches an #include entry as a part and never fetches it;
// an #s3-include entry the bridge is handed (typed text/x-s3-include) is fetched.
TEST_CASE("Expander fetches no #include an archive held, in the user data or in an object") {
  Rig rig;
  const std::string archive =
      "#cloud-config-archive\n"
      "- \"#include\\nhttp://10.0.0.1/boot.sh\"\n"
      "- {type: text/x-include-once-url, content: 'http://10.0.0.1/once.sh'}\n"
      "- {type: text/x-s3-include, content: 's3://b-1/k'}\n";
  rig.fetcher.Put("s3://b-1/k", Script("s3"));
  rig.fetcher.Put("s3://b-1/archive", archive);
  auto parts = userdata::Parse(archive);
  REQUIRE(parts.ok());
  for (std::vector<Part> top :
       {std::move(*parts), std::vector<Part>{S3Include(1, "s3://b-1/archive\n")}}) {
    ExpandResult r = rig.Expand(std::move(top));
    INFO(Lines(r));
    REQUIRE(r.plan);
    REQUIRE(r.plan->parts.size() == 3);
    CHECK(r.plan->parts[0].content_type == userdata::kTypeInclude);
    CHECK(r.plan->parts[0].payload == "#include\nhttp://10.0.0.1/boot.sh");
    CHECK(r.plan->parts[1].content_type == userdata::kTypeIncludeOnce);
    CHECK(r.plan->parts[2].payload == Script("s3"));
  }
  for (const std::string& url : rig.fetcher.started())
    CHECK(url.find("10.0.0.1") == std::string::npos);
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
