// How a part is named in messages, so that a person can find it in their user data:
//   part 3 of 7 (text/x-shellscript from s3://b/k, line 2 of part 1)
//   part 4 of 7 (text/x-foo, filename x)
// Fetched parts name their source URL, then the include chain innermost first
// ("line 1 of part 1 of s3://b/outer, line 2 of part 1"); parts that were in the user
// data name their filename. URLs in origins are already redacted by the fetch layer.
#ifndef S3US_RUN_DESCRIBE_H_
#define S3US_RUN_DESCRIBE_H_

#include <string>

#include "userdata/part.h"

namespace s3us::run {

std::string DescribePart(const userdata::Part& part, int count);

// The include chain alone, innermost first; empty for top-level parts.
std::string DescribeChain(const userdata::Origin& origin);

}  // namespace s3us::run

#endif  // S3US_RUN_DESCRIBE_H_
