// The environment of an executed part: ours, minus any inherited value of the variables we
// document in run/handler.h, plus those variables. Pure: the caller passes the base
// environment, so tests need not touch the process's own.
#ifndef S3US_RUN_SCRIPT_ENV_H_
#define S3US_RUN_SCRIPT_ENV_H_

#include <string>
#include <vector>

#include "core/instance.h"
#include "userdata/part.h"

namespace s3us::run {

struct ScriptEnvFacts {
  const InstanceFacts* instance = nullptr;
  const userdata::Part* part = nullptr;
  int part_count = 0;
  std::string state_dir;
  std::string self_path;  // our binary; empty: S3_USER_SCRIPT unset and PATH unchanged
  // "NAME=value" added unless `base` has NAME (even empty): settings from our command line
  // (AWS_ENDPOINT_URL_S3, AWS_REGION) that a script's own `get` must see as we saw them,
  // while a script's caller who set the variable keeps it.
  std::vector<std::string> defaults;
};

// `base` is a NULL-terminated environ-style array (may be nullptr). Returns "NAME=value"
// strings; PATH gets dirname(self_path) in front (or is created as that directory plus
// /usr/sbin:/usr/bin:/sbin:/bin when missing).
std::vector<std::string> BuildScriptEnvironment(char* const* base, const ScriptEnvFacts& facts);

}  // namespace s3us::run

#endif  // S3US_RUN_SCRIPT_ENV_H_
