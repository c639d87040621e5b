// FakeS3Client: serves scripted objects by "bucket/key", streams them to the request's sink
// as the real client does, and records every request. Thread-safe.
#ifndef S3US_TESTS_FETCH_FAKE_S3_CLIENT_H_
#define S3US_TESTS_FETCH_FAKE_S3_CLIENT_H_

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "aws/s3_client.h"
#include "core/crypto.h"

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

  std::string body;
  std::optional<uint64_t> claimed_size;  // what the client reports as the stored size
  std::string etag = "etag";
  std::string version_id;
  std::string region = "us-east-1";
  std::string verified_by = "content-length, x-amz-checksum-sha256";
};

class FakeS3Client : public aws::S3Client {
 public:
  // The real client stops at request.max_bytes; off, the fake sends every byte, so a test
  // sees whether the fetcher enforces the limit itself.
  bool enforce_max_bytes = true;

  void Put(const std::string& bucket, const std::string& key, FakeS3Object object) {
    std::lock_guard<std::mutex> l(mu_);
    objects_[bucket + "/" + key] = std::move(object);
  }

  Result<aws::GetObjectResult> GetObject(const aws::GetObjectRequest& request) override {
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
    if (enforce_max_bytes && request.max_bytes != 0 && object.body.size() > request.max_bytes) {
      return Error(ErrorCode::kLimitExceeded, "object larger than the limit");
    }
    aws::GetObjectResult result;
    result.size = object.claimed_size.value_or(object.body.size());
    result.sha256 = Sha256Hex(object.body);
    result.etag = object.etag;
    result.version_id = object.version_id;
    result.region = object.region;
    result.verified_by = object.verified_by;
    if (request.sink != nullptr) {
      if (Status s = request.sink->Write(object.body); !s.ok()) return s.error();
    } else {
      result.body = object.body;
    }
    return result;
  }

  std::vector<aws::S3Location> requests() {
    std::lock_guard<std::mutex> l(mu_);
    return requests_;
  }

 private:
  std::mutex mu_;
  std::map<std::string, FakeS3Object> objects_;
  std::vector<aws::S3Location> requests_;
};

}  // namespace s3us::testing

#endif  // S3US_TESTS_FETCH_FAKE_S3_CLIENT_H_
