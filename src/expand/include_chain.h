// How an include chain reads in messages: "part 2 line 1 → s3://a/x line 3". Pure.
#ifndef S3US_EXPAND_INCLUDE_CHAIN_H_
#define S3US_EXPAND_INCLUDE_CHAIN_H_

#include <string>
#include <vector>

#include "userdata/part.h"

namespace s3us::expand {

// Outermost step first. The first step names the top-level part ("part 2 line 1"); each
// later one names the object the previous step fetched, with its part number when that is
// not the first ("s3://a/x line 3", "s3://a/x part 2 line 3"), its URL escaped and cut as
// messages quote it. Of more than three steps, the first and the last two, the others
// counted ("part 1 line 2 → … (4 includes) … → s3://a/y line 1 → s3://a/z line 1"). Empty
// for no steps.
std::string DescribeChain(const std::vector<userdata::IncludeStep>& chain);

}  // namespace s3us::expand

#endif  // S3US_EXPAND_INCLUDE_CHAIN_H_
