// libFuzzer target: Parse(), ParseIncludeList() and the cloud-config YAML check on arbitrary
// bytes must return a value or an error — never crash, hang or blow memory — and every part
// must be well-formed.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "userdata/cloud_config_yaml.h"
#include "userdata/parse.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace s3us::userdata;
  std::string_view blob(reinterpret_cast<const char*>(data), size);
  if (auto problem = CloudConfigYamlProblem(blob)) {
    Check(problem->line >= 1 && !problem->message.empty());
  }
  ParseOptions options;
  options.limits.max_input_bytes = 1 << 20;
  options.limits.max_decompressed_bytes = 4 << 20;
  options.limits.max_parts = 200;
  // libmagic is a separate, much larger attack surface; the fuzzer targets our code.
  options.sniff_with_libmagic = (size % 7) == 0;
  auto parts = Parse(blob, options);
  if (!parts.ok()) {
    Check(!parts.error().message().empty());
    return 0;
  }
  Check(parts->size() <= 200);
  int index = 0;
  for (const Part& p : *parts) {
    Check(p.index == ++index);
    Check(!p.content_type.empty() && !p.filename.empty());
    if (p.content_type == kTypeInclude || p.content_type == kTypeIncludeOnce ||
        p.content_type == kTypeS3Include) {
      auto entries = ParseIncludeList(p);
      if (entries.ok()) {
        for (const auto& e : *entries) Check(e.line >= 1 && !e.url.empty());
      }
    }
  }
  return 0;
}
