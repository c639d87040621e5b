// libFuzzer target for what the network and the user's files hand the aws and s3 layers: S3
// locations (include lines: s3://, https:// and ARNs), S3 error XML bodies and the shared
// config and credentials files. The first byte picks the parser; each must return a value or
// an error — never crash, hang or read out of bounds — and an error has a message.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "aws/profile_file.h"
#include "s3/errors.h"
#include "s3/location.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace s3us;
  if (size == 0) return 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0: {
      Result<s3::S3Location> location = s3::ParseS3Location(text);
      if (!location.ok()) Check(!location.error().message().empty());
      break;
    }
    case 1: {
      net::Response response;
      response.status = 400 + static_cast<int>(size % 104);
      response.headers.emplace_back("content-type", "application/xml");
      response.body = std::string(text);
      response.body_bytes = response.body.size();
      s3::ParseS3Error(response);
      break;
    }
    default: {
      aws::ProfileSet set;
      auto kind =
          data[0] % 4 == 2 ? aws::ProfileFileKind::kConfig : aws::ProfileFileKind::kCredentials;
      Status merged = aws::MergeProfileFile(text, kind, "fuzz", set);
      if (!merged.ok()) Check(!merged.error().message().empty());
      break;
    }
  }
  return 0;
}
