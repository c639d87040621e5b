// FakeS3Client: serves scripted objects by "bucket/key" and records every request. Like the
// real client it streams each body through the one verifier (net/verifying_sink.h) with
// the request's limit, expectations and record_sha256, reading an S3 head it makes up from
// the object; it enforces nothing itself, so a fetcher that stops passing its limit or pin
// down fails the tests. Thread-safe.
#ifndef S3US_TESTS_FETCH_FAKE_S3_CLIENT_H_
#define S3US_TESTS_FETCH_FAKE_S3_CLIENT_H_

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/crypto.h"
#include "s3/client.h"
#include "s3/integrity.h"

namespace s3us::testing {

struct FakeS3Object {
  explicit FakeS3Object(std::string b = "") : body(std::move(b)) {}
  FakeS3Object WithVersion(std::string v) const {
    FakeS3Object o = *this;
    o.version_id = std::move(v);
    return o;
  }
  FakeS3Object WithClaimedSize(uint64_t size) const {
    FakeS3Object o = *this;
    o.claimed_size = size;
    return o;
  }

  // The head S3 would send: the evidence named in `declares` ("content-length",
  // "x-amz-checksum-sha256", "etag-md5"), computed from the body.
  net::Response Head() const {
    net::Response head;
    head.status = 200;
    for (const std::string& evidence : declares) {
      if (evidence == "content-length") {
        head.headers.emplace_back("content-length",
                                  std::to_string(claimed_size.value_or(body.size())));
      } else if (evidence == "x-amz-checksum-sha256") {
        Sha256Digest sha = Sha256(body);
        head.headers.emplace_back(evidence, Base64Encode(sha.data(), sha.size()));
      } else if (evidence == "etag-md5") {
        head.headers.emplace_back("etag", "\"" + Hex(Md5(body)) + "\"");
      }
    }
    return head;
  }

  std::string body;
  std::optional<uint64_t> claimed_size;  // the Content-Length S3 declares
  std::string etag = "etag";
  std::string version_id;
  std::string region = "us-east-1";
  std::vector<std::string> declares = {"content-length", "x-amz-checksum-sha256"};
};

class FakeS3Client : public s3::S3Client {
 public:
  void Put(const std::string& bucket, const std::string& key, FakeS3Object object) {
    std::lock_guard<std::mutex> l(mu_);
    objects_[bucket + "/" + key] = std::move(object);
  }

  Result<s3::GetObjectResult> GetObject(const s3::GetObjectRequest& request) override {
    FakeS3Object object("");
    {
      std::lock_guard<std::mutex> l(mu_);
      requests_.push_back(request.location);
      auto it = objects_.find(request.location.bucket + "/" + request.location.key);
      if (it == objects_.end()) {
        return Error(ErrorCode::kNotFound, "HTTP 404 NoSuchKey: the specified key does not exist")
            .set_http_status(404)
            .set_aws_code("NoSuchKey");
      }
      object = it->second;
    }
    net::VerifyingSink sink(request.max_bytes, request.sink, request.record_sha256);
    for (const net::Expectation& e : request.expectations) sink.Expect(e);
    sink.set_head_reader(s3::S3Expectations);
    net::Response head = object.Head();
    if (Status s = sink.Begin(head); !s.ok()) return s.error();
    if (Status s = sink.Write(object.body); !s.ok()) return s.error();
    Result<net::VerifiedBody> verified = sink.Finish(head);
    if (!verified.ok()) return verified.error();

    s3::GetObjectResult result;
    result.size = verified->bytes;
    result.sha256 = verified->sha256;
    result.verified_by = verified->verified_by;
    result.etag = object.etag;
    result.version_id = object.version_id;
    result.region = object.region;
    if (request.sink == nullptr) result.body = sink.TakeBody();
    return result;
  }

  std::vector<s3::S3Location> requests() {
    std::lock_guard<std::mutex> l(mu_);
    return requests_;
  }

 private:
  std::mutex mu_;
  std::map<std::string, FakeS3Object> objects_;
  std::vector<s3::S3Location> requests_;
};

}  // namespace s3us::testing

#endif  // S3US_TESTS_FETCH_FAKE_S3_CLIENT_H_
