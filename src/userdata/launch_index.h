// A #cloud-config part's launch-index, read as cloud-init reads it.
#ifndef S3US_USERDATA_LAUNCH_INDEX_H_
#define S3US_USERDATA_LAUNCH_INDEX_H_

#include <cstdint>
#include <optional>
#include <string>

#include "core/error.h"
#include "userdata/part.h"

namespace s3us::userdata {

// launch-index of a #cloud-config part: of the raw-unicode-escape of a text cloud-init holds
// as a str (HeldAsStrByCloudInit), which is what PyYAML then reads; of a file-backed one
// looked for in chunks, read only if there. None when load_yaml fails on the text or it names
// no index; an error (naming no part: the caller does) where the cloud-config reader refuses
// the text on purpose (cloud_config_yaml.h) or cannot tell the value, or the text is over
// max_bytes.
Result<std::optional<std::string>> LaunchIndexOf(const Part& part, uint64_t max_bytes);

}  // namespace s3us::userdata

#endif  // S3US_USERDATA_LAUNCH_INDEX_H_
