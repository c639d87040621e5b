// CredentialsFromDocument: the one reader of the temporary-credentials document that IMDS
// (the instance role) and the ECS / EKS container agents hand out: AccessKeyId,
// SecretAccessKey, Token and an ISO 8601 Expiration, all required. Internal to src/aws.
#ifndef S3US_AWS_CREDENTIAL_DOCUMENT_H_
#define S3US_AWS_CREDENTIAL_DOCUMENT_H_

#include <nlohmann/json.hpp>

#include "aws/credentials.h"

namespace s3us::aws {

// kInvalidInput naming the missing field or the unreadable Expiration; never any part of the
// secret or the token. The caller adds its context and sets `provider`.
Result<Credentials> CredentialsFromDocument(const nlohmann::json& doc);

}  // namespace s3us::aws

#endif  // S3US_AWS_CREDENTIAL_DOCUMENT_H_
