// Parse() throughput: the 16 MiB / 1000-part blob, one of a few 8 MiB parts, a large
// multipart (64 MiB over 200 base64 and plain parts) and a typical 16 KiB, 10-part blob. Prints
// MB/s (1 MB = 10^6 bytes) per case, and the peak memory of one parse as a multiple of the
// input (the input itself counts as 1: Linux's peak RSS, reset before the parse).
#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <string>

#include "core/crypto.h"
#include "userdata/parse.h"

namespace {

std::string Multipart(size_t parts, size_t part_bytes) {
  std::string out = "Content-Type: multipart/mixed; boundary=\"BOUNDARY\"\nMIME-Version: 1.0\n\n";
  std::string line = "echo 'the quick brown fox jumps over the lazy dog 0123456789'\n";
  for (size_t i = 0; i < parts; ++i) {
    std::string body = "#!/bin/sh\n";
    while (body.size() < part_bytes) body += line;
    body.resize(part_bytes);
    out += "--BOUNDARY\n";
    if (i % 2 == 0) {
      out += "Content-Type: text/x-shellscript\nContent-Transfer-Encoding: base64\n\n";
      std::string b64 =
          s3us::Base64Encode(reinterpret_cast<const uint8_t*>(body.data()), body.size() * 3 / 4);
      for (size_t k = 0; k < b64.size(); k += 76) out += b64.substr(k, 76) + "\n";
    } else {
      out +=
          "Content-Type: text/x-shellscript\n"
          "Content-Disposition: attachment; filename=\"part.sh\"\n\n";
      out += body + "\n";
    }
  }
  out += "--BOUNDARY--\n";
  return out;
}

// VmRSS or VmHWM of this process, KiB.
long StatusKib(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::atol(line.c_str() + field.size() + 1);
  }
  return 0;
}

// Peak memory of one parse over the input size (input included), from the kernel's peak RSS.
double PeakOverInput(const std::string& blob, const s3us::userdata::ParseOptions& options) {
  std::ofstream("/proc/self/clear_refs") << "5";  // resets VmHWM to the current RSS
  long before = StatusKib("VmRSS");
  auto r = s3us::userdata::Parse(blob, options);
  long peak = StatusKib("VmHWM");
  return (double(peak - before) * 1024 + double(blob.size())) / double(blob.size());
}

void Run(const char* name, const std::string& blob, int iterations) {
  s3us::userdata::ParseOptions options;
  options.limits.max_input_bytes = 256u << 20;
  options.limits.max_decompressed_bytes = 256u << 20;
  size_t parts = 0;
  double peak = PeakOverInput(blob, options);
  auto start = std::chrono::steady_clock::now();
  std::clock_t cpu_start = std::clock();
  for (int i = 0; i < iterations; ++i) {
    auto r = s3us::userdata::Parse(blob, options);
    if (!r.ok()) {
      std::fprintf(stderr, "%s: %s\n", name, r.error().ToString().c_str());
      return;
    }
    parts = r->size();
  }
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double cpu = double(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  // CPU time (user + system, this process) is the figure to read on a shared machine.
  std::printf(
      "%-28s %10zu bytes %4zu parts %5d runs %8.1f MB/s wall %8.1f MB/s cpu %9.3f ms cpu/parse"
      " %5.2fx input peak\n",
      name, blob.size(), parts, iterations, blob.size() * double(iterations) / s / 1e6,
      blob.size() * double(iterations) / cpu / 1e6, cpu * 1e3 / iterations, peak);
}

}  // namespace

// parse_bench [ITERATIONS-SCALE]: 0.1 runs a tenth of the iterations (at least one).
int main(int argc, char** argv) {
  double scale = argc > 1 ? std::atof(argv[1]) : 1.0;
  // A fixed threshold: every large buffer is its own mapping, given back when freed, so the
  // peak RSS of a parse is not hidden by heap kept from earlier ones.
  mallopt(M_MMAP_THRESHOLD, 128 << 10);
  auto n = [&](int iterations) { return std::max(1, static_cast<int>(iterations * scale)); };
  Run("16 MiB / 1000 parts", Multipart(1000, (16u << 20) / 1000), n(10));
  Run("24 MiB / 3 parts of 8 MiB", Multipart(3, 8u << 20), n(10));
  Run("large 64 MiB / 200 parts", Multipart(200, (64u << 20) / 200), n(5));
  Run("typical 16 KiB / 10 parts", Multipart(10, 1600), n(2000));
  return 0;
}
