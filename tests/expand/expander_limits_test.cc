// The expander failing closed: failures, cycles, limits, deadlines and fan-out bounds.
#include "expand/expander.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <functional>

#include "tests/expand/expander_rig.h"

namespace s3us::expand {
namespace {

using namespace rig;  // NOLINT: the shared rig of these tests
using testing::FakeClock;
using testing::FakeFetcher;
using userdata::Part;

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
  SECTION("total bytes count what a gzip object holds") {
    rig.options.limits.max_total_bytes = 4000;
    std::string held = "#!/bin/sh\n" + std::string(5000, '#') + "\n";
    rig.fetcher.Put("s3://b-1/small.gz", Gzip(held));
    ExpandResult r = rig.Expand({S3Include(1, "s3://b-1/small.gz\n")});
    CHECK_FALSE(r.plan);
    REQUIRE(r.failures.size() == 1);
    CHECK(r.failures[0].ToString().find("--max-total-bytes") != std::string::npos);
    rig.options.limits.max_total_bytes = 5011;
    ExpandResult fits = rig.Expand({S3Include(1, "s3://b-1/small.gz\n")});
    REQUIRE(fits.plan);
    CHECK(fits.plan->parts.back().payload == held);
  }
  SECTION("a gunzip stops at what is left of the total, before the per-object limit") {
    // It held 300 KB under a 200 KB per-object gunzip limit: without the total's room it
    // ran to that limit, and failed the object on it instead of failing the plan.
    rig.options.limits.max_total_bytes = 100000;
    rig.options.parse.limits.max_decompressed_bytes = 200000;
    rig.fetcher.Put("s3://b-1/bomb.gz", Gzip("#!/bin/sh\n" + std::string(300000, '#')));
    ExpandResult r = rig.Expand({S3Include(1, "s3://b-1/bomb.gz\n")});
    CHECK_FALSE(r.plan);
    CHECK(Lines(r) == "includes exceed the total size limit of 97.7 KiB (--max-total-bytes)\n");
    rig.options.limits.max_total_bytes = 300010;           // what it holds and no more: it fails on
    r = rig.Expand({S3Include(1, "s3://b-1/bomb.gz\n")});  // the per-object limit as before
    REQUIRE(r.failures.size() == 1);
    CHECK(r.failures[0].ToString().find("over the limit of 200000 bytes") != std::string::npos);
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
  CHECK(r.failures[0].ToString() ==
        "part 1 line 2 → s3://b-1/slow line 2 (s3://b-1/next): includes not expanded before the "
        "deadline");
}

TEST_CASE("Expander names the position and the cause of a fetch the deadline cut") {
  Rig rig;
  rig.options.deadline = Deadline::After(rig.clock, std::chrono::seconds(30));
  rig.fetcher.Put("s3://b-1/a", Script("a"));
  rig.fetcher.FailWith("s3://b-1/b", Error(ErrorCode::kTimeout,
                                           "request to 127.0.0.1:80: the deadline passed after "
                                           "30000 ms (3 out of 100 bytes received)"));
  rig.fetcher.FinishAfter("s3://b-1/b", "s3://b-1/a");
  rig.fetcher.OnFetch([&](const std::string& url) {
    if (url == "s3://b-1/b") rig.clock.Advance(std::chrono::seconds(31));
  });
  ExpandResult r = rig.Expand({S3Include(1, "s3://b-1/a\ns3://b-1/b\n")});
  CHECK_FALSE(r.plan);
  REQUIRE(r.failures.size() == 1);
  CHECK(r.failures[0].error.code() == ErrorCode::kTimeout);
  CHECK(r.failures[0].ToString() ==
        "part 1 line 3 (s3://b-1/b): includes not expanded before the deadline: fetching "
        "s3://b-1/b: request to 127.0.0.1:80: the deadline passed after 30000 ms (3 out of 100 "
        "bytes received)");
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
  // Each once; the two start on worker threads, so their order is the scheduler's.
  std::vector<std::string> started = rig.fetcher.started();
  std::sort(started.begin(), started.end());
  CHECK(started == std::vector<std::string>{"s3://a-1/common", "s3://a-1/nest"});
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

TEST_CASE(
    "FailureSummary is one line with the count, FailureLines lists the first and counts the rest") {
  std::vector<ExpandFailure> failures;
  for (int i = 1; i <= 12; ++i) {
    failures.push_back(
        ExpandFailure{"part " + std::to_string(i), "", Error(ErrorCode::kNotFound, "x")});
  }
  std::vector<std::string> lines = FailureLines(failures, 3);
  REQUIRE(lines.size() == 4);
  CHECK(lines[0] == "part 1: x");
  CHECK(lines[3] == "and 9 more failed includes");
  CHECK(FailureSummary(failures) == "part 1: x (and 11 more failed includes; -v lists them)");
  failures.erase(failures.begin() + 3, failures.end());
  CHECK(FailureLines(failures, 3).size() == 3);
  failures.erase(failures.begin() + 1, failures.end());
  CHECK(FailureSummary(failures) == "part 1: x");
}

}  // namespace
}  // namespace s3us::expand
