// libFuzzer target for what S3 and include lines hand us: S3 URLs and ARNs (one per input
// line, as include lines name them) and S3 error responses (XML body plus headers). Each
// must parse to a value or an error, never crash or hang, and a parsed location must be one
// the rest of the fetch path accepts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "aws/s3_errors.h"
#include "aws/s3_location.h"
#include "core/secret.h"
#include "core/strings.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

void FuzzLocations(std::string_view text) {
  using namespace s3us::aws;
  for (std::string_view line : s3us::SplitLines(text)) {
    (void)LooksLikeS3(line);
    (void)s3us::RedactUrl(line);
    s3us::Result<S3Location> loc = ParseS3Location(line);
    if (!loc.ok()) {
      Check(!loc.error().message().empty());
      continue;
    }
    // A location is only ever produced for a bucket the fetch path accepts.
    if (loc->access_point_arn.empty()) Check(ValidateBucketName(loc->bucket).ok());
    (void)loc->ToS3Url();
  }
}

void FuzzErrorResponse(std::string_view text) {
  using namespace s3us;
  net::Response response;
  response.status = 300 + static_cast<int>(text.size() % 300);
  // Headers from the first lines ("name: value"), the rest is the body.
  size_t pos = 0;
  for (int i = 0; i < 4 && pos < text.size(); ++i) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) break;
    std::string_view line = text.substr(pos, end - pos);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) break;
    response.headers.emplace_back(ToLower(line.substr(0, colon)),
                                  std::string(Trim(line.substr(colon + 1))));
    pos = end + 1;
  }
  response.body = std::string(text.substr(pos));
  response.body_bytes = response.body.size();
  aws::S3ErrorInfo info = aws::ParseS3Error(response);
  Check(info.status == response.status);
  Error error = aws::MakeS3Error(info);
  Check(!error.ToString().empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1) {
    FuzzErrorResponse(text);
  } else {
    FuzzLocations(text);
  }
  return 0;
}
