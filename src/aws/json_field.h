// JsonString: the one reader of a string field in the JSON documents AWS hands out (IMDS
// credentials and identity, SSO tokens and role credentials). Internal to src/aws.
#ifndef S3US_AWS_JSON_FIELD_H_
#define S3US_AWS_JSON_FIELD_H_

#include <nlohmann/json.hpp>
#include <string>

namespace s3us::aws {

// The field's string value; empty when the document is not an object, or the field is
// missing or not a string (callers check what they require).
inline std::string JsonString(const nlohmann::json& doc, const char* field) {
  if (!doc.is_object()) return {};
  auto it = doc.find(field);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace s3us::aws

#endif  // S3US_AWS_JSON_FIELD_H_
