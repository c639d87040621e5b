// CredentialsFromDocument: the one reader of the temporary-credentials document that IMDS
// (the instance role) and the ECS / EKS container agents hand out: AccessKeyId,
// SecretAccessKey, Token and an ISO 8601 Expiration, all required; and CheckCredentialFields,
// the one check of the fields every source's credentials pass. Internal to src/aws.
#ifndef S3US_AWS_CREDENTIAL_DOCUMENT_H_
#define S3US_AWS_CREDENTIAL_DOCUMENT_H_

#include <nlohmann/json.hpp>

#include "aws/credentials.h"

namespace s3us::aws {

// kInvalidInput naming the missing field or the unreadable Expiration; never any part of the
// secret or the token. The caller adds its context and sets `provider`.
Result<Credentials> CredentialsFromDocument(const nlohmann::json& doc);

// The fields' names as a source spells them, for its errors.
struct CredentialFieldNames {
  const char* access_key_id = "AccessKeyId";
  const char* secret_access_key = "SecretAccessKey";
  const char* session_token = "Token";
};

// What every source that hands out credentials (this document, credential_process, the SSO
// portal, STS) must hand out, because each field goes into a header of every request: an
// access key id of 1 to 128 letters, digits or '_' (STS documents [\w]{16,128}, real ones are
// upper-case; no minimum, as smithy-rs's conformance cases answer 8-character ids), and a
// secret and a session token (when there is one) of printable ASCII without space
// (0x21-0x7e). kInvalidInput naming the field, never its value.
Status CheckCredentialFields(const Credentials& creds, const CredentialFieldNames& names = {});

}  // namespace s3us::aws

#endif  // S3US_AWS_CREDENTIAL_DOCUMENT_H_
