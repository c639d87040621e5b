#include "userdata/serialize.h"

#include "core/crypto.h"
#include "userdata/content_type.h"

namespace s3us::userdata {
namespace {

// Header values must be printable ASCII on one line.
std::string HeaderSafe(const std::string& value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (c < 0x20 || c >= 0x7f || c == '%') {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// A folded header value on one line: line breaks dropped, tabs as spaces (RFC 5322
// unfolding, and what cloud-init's merger syntax tolerates).
std::string Unfolded(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\t') {
      out += ' ';
    } else if (c != '\r' && c != '\n') {
      out += c;
    }
  }
  return out;
}

// filename="…" for plain names; RFC 2231 filename*=utf-8''… otherwise (Python's email
// decodes both).
std::string FilenameParam(const std::string& name) {
  bool plain = true;
  for (unsigned char c : name) {
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '%' || c == ';') plain = false;
  }
  if (plain) return "filename=\"" + name + "\"";
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "filename*=utf-8''";
  for (unsigned char c : name) {
    bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '.' || c == '_' || c == '~';
    if (keep) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

void AppendBase64Lines(std::string& out, const std::string& payload) {
  constexpr size_t kChunk = 57;  // 76 base64 characters per line
  for (size_t pos = 0; pos < payload.size(); pos += kChunk) {
    size_t n = std::min(kChunk, payload.size() - pos);
    out += Base64Encode(reinterpret_cast<const uint8_t*>(payload.data() + pos), n);
    out += '\n';
  }
}

std::string ChainText(const Origin& origin) {
  std::string out;
  for (const IncludeStep& step : origin.chain) {
    if (!out.empty()) out += " -> ";
    out += "part " + std::to_string(step.part_index) + " line " + std::to_string(step.line) + " (" +
           step.url + ")";
  }
  return out;
}

}  // namespace

std::string SerializeMime(const std::vector<Part>& parts) {
  StreamHasher hasher;
  for (const Part& p : parts) hasher.Update(p.payload.data(), p.payload.size());
  std::string boundary = "===============s3us" + Hex(hasher.FinishSha256()).substr(0, 24) + "==";

  std::string out;
  out += "Content-Type: multipart/mixed; boundary=\"" + boundary + "\"\n";
  out += "MIME-Version: 1.0\n\n";
  for (const Part& p : parts) {
    out += "--" + boundary + "\n";
    out += "Content-Type: " + HeaderSafe(p.content_type);
    if (!p.charset.empty()) out += "; charset=\"" + HeaderSafe(p.charset) + "\"";
    out += "\nMIME-Version: 1.0\nContent-Transfer-Encoding: base64\n";
    out += "Content-Disposition: attachment; " + FilenameParam(p.filename) + "\n";
    if (p.launch_index) out += "Launch-Index: " + HeaderSafe(*p.launch_index) + "\n";
    for (const auto& [name, value] : p.headers) {
      if (IsMergeHeader(name)) out += name + ": " + HeaderSafe(Unfolded(value)) + "\n";
    }
    if (p.origin.source) {
      const Source& s = *p.origin.source;
      out += "X-S3us-Source: " + HeaderSafe(s.url) + "\n";
      if (!s.version_id.empty()) out += "X-S3us-Version-Id: " + HeaderSafe(s.version_id) + "\n";
      if (!s.etag.empty()) out += "X-S3us-ETag: " + HeaderSafe(s.etag) + "\n";
      out += "X-S3us-Object-Sha256: " + s.sha256 + "\n";
    }
    if (!p.origin.chain.empty()) out += "X-S3us-Origin: " + HeaderSafe(ChainText(p.origin)) + "\n";
    out += "\n";
    AppendBase64Lines(out, p.payload);
  }
  out += "--" + boundary + "--\n";
  return out;
}

}  // namespace s3us::userdata
