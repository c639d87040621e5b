// Key templates: the object key a bucket-only #s3-include entry ("my-bucket") stands for,
// filled from the instance's facts. Pure: no I/O.
//
// Variables: {role}, {instance_id}, {region}, {availability_zone}, {account_id},
// {instance_type}; the predecessor's Go-template spellings {{.Role}}, {{.InstanceId}},
// {{.Region}}, {{.AvailabilityZone}}, {{.AccountId}}, {{.InstanceType}} mean the same.
#ifndef S3US_EXPAND_KEY_TEMPLATE_H_
#define S3US_EXPAND_KEY_TEMPLATE_H_

#include <string>
#include <string_view>

#include "core/error.h"
#include "core/instance.h"

namespace s3us::expand {

inline constexpr const char* kDefaultKeyTemplate = "{role}/user-script";

// kInvalidInput for an unknown variable, an unclosed brace or an empty template.
Status ValidateKeyTemplate(std::string_view key_template);

// Whether a valid template names `variable` ("instance_type"), in either spelling.
bool KeyTemplateUses(std::string_view key_template, std::string_view variable);

// The key, or kInvalidInput: the template is invalid, a variable it uses is unknown on this
// instance (e.g. no role attached), or the key would be empty.
Result<std::string> ExpandKeyTemplate(std::string_view key_template, const InstanceFacts& facts);

}  // namespace s3us::expand

#endif  // S3US_EXPAND_KEY_TEMPLATE_H_
