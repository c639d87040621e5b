// RecordingSink: a BodySink that keeps what it is given and counts resets.
#ifndef S3US_TESTS_FAKES_RECORDING_SINK_H_
#define S3US_TESTS_FAKES_RECORDING_SINK_H_

#include <string>

#include "net/transport.h"

namespace s3us::testing {

class RecordingSink : public net::BodySink {
 public:
  Status Write(std::string_view chunk) override {
    data += chunk;
    return Ok();
  }
  Status Reset() override {
    data.clear();
    ++resets;
    return Ok();
  }
  std::string data;
  int resets = 0;
};

}  // namespace s3us::testing

#endif  // S3US_TESTS_FAKES_RECORDING_SINK_H_
