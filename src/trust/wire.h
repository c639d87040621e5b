// The SSH wire encoding (RFC 4251 section 5) and the base64 flavour OpenSSH writes, as
// bounded readers over untrusted bytes: every read checks the remaining length first, so
// a hostile length field can only produce an error, never a read past the end.
#ifndef S3US_TRUST_WIRE_H_
#define S3US_TRUST_WIRE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace s3us::trust {

// Reads big-endian uint32s and length-prefixed strings from a byte view it does not own.
// Not thread-safe.
class WireReader {
 public:
  explicit WireReader(std::string_view bytes) : rest_(bytes) {}

  bool ReadU32(uint32_t* out);
  // A uint32 length followed by that many bytes; `out` points into the input.
  bool ReadString(std::string_view* out);
  // An mpint that OpenSSH accepts: not negative and without a superfluous leading zero.
  // `out` holds the magnitude (big-endian, leading zero removed).
  bool ReadPositiveMpint(std::string_view* out);
  bool ReadRaw(size_t size, std::string_view* out);
  bool empty() const { return rest_.empty(); }

 private:
  std::string_view rest_;
};

// Appends SSH wire encodings (used to build the data an SSHSIG signature covers).
void AppendU32(std::string* out, uint32_t value);
void AppendString(std::string* out, std::string_view value);

// Standard base64 as b64_pton reads it: whitespace is skipped, padding is required, bits
// after the last full byte must be zero. nullopt on any other character or shape.
std::optional<std::string> Base64Decode(std::string_view text);
// Base64 without '=' padding, as in OpenSSH's "SHA256:..." fingerprints.
std::string Base64EncodeUnpadded(std::string_view bytes);

}  // namespace s3us::trust

#endif  // S3US_TRUST_WIRE_H_
