// What the expander's tests share: facts, parts, a fake fetcher and clock around one
// Expander, and the failures as lines.
#ifndef S3US_TESTS_EXPAND_EXPANDER_RIG_H_
#define S3US_TESTS_EXPAND_EXPANDER_RIG_H_

#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

#include "expand/expander.h"
#include "tests/expand/fake_fetcher.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/gzip.h"

namespace s3us::expand::rig {

using testing::FakeClock;
using testing::FakeFetcher;
using userdata::Part;

inline InstanceFacts Facts() {
  InstanceFacts f;
  f.role = "web";
  f.instance_id = "i-0abc";
  f.region = "eu-west-1";
  return f;
}

inline Part MakePart(int index, const std::string& type, const std::string& payload) {
  Part p;
  p.index = index;
  p.content_type = type;
  p.payload = payload;
  return p;
}

inline Part S3Include(int index, const std::string& lines) {
  return MakePart(index, userdata::kTypeS3Include, "#s3-include\n" + lines);
}

inline std::string Script(const std::string& name) { return "#!/bin/sh\necho " + name + "\n"; }

using testing::Gzip;

inline std::string Multipart(const std::vector<std::pair<std::string, std::string>>& parts) {
  std::string out = "Content-Type: multipart/mixed; boundary=\"BOUNDARY\"\nMIME-Version: 1.0\n\n";
  for (const auto& [type, body] : parts) {
    out += "--BOUNDARY\nContent-Type: " + type + "\nMIME-Version: 1.0\n\n" + body + "\n";
  }
  return out + "--BOUNDARY--\n";
}

inline std::vector<std::string> Payloads(const Plan& plan) {
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

inline std::string Lines(const ExpandResult& r) {
  std::string out;
  for (const ExpandFailure& f : r.failures) out += f.ToString() + "\n";
  return out;
}

}  // namespace s3us::expand::rig

#endif  // S3US_TESTS_EXPAND_EXPANDER_RIG_H_
