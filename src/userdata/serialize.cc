#include "userdata/serialize.h"

#include <algorithm>
#include <cstdio>
#include <optional>

#include "core/crypto.h"
#include "userdata/content_type.h"
#include "userdata/py_text.h"

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

std::string ChainText(const Origin& origin) {
  std::string out;
  for (const IncludeStep& step : origin.chain) {
    if (!out.empty()) out += " -> ";
    out += "part " + std::to_string(step.part_index) + " line " + std::to_string(step.line) + " (" +
           step.url + ")";
  }
  return out;
}

// Base64 in lines of 76 characters, streamed from the payload a chunk at a time (the
// bytes of a line that straddles two chunks wait in `carry`).
Status WriteBase64Lines(const Payload& payload, const MimeWriter& write) {
  constexpr size_t kLine = 57;  // 76 base64 characters per line
  std::string carry;
  std::string out;
  auto encode = [&](std::string_view bytes) {
    for (size_t pos = 0; pos < bytes.size(); pos += kLine) {
      size_t n = std::min(kLine, bytes.size() - pos);
      out += Base64Encode(reinterpret_cast<const uint8_t*>(bytes.data() + pos), n);
      out += '\n';
    }
  };
  Status s = payload.ForEachChunk([&](std::string_view chunk) {
    out.clear();
    if (!carry.empty()) {
      size_t take = std::min(kLine - carry.size(), chunk.size());
      carry.append(chunk.substr(0, take));
      chunk.remove_prefix(take);
      if (carry.size() < kLine) return Ok();
      encode(carry);
      carry.clear();
    }
    size_t whole = chunk.size() - chunk.size() % kLine;
    encode(chunk.substr(0, whole));
    carry.assign(chunk.substr(whole));
    return write(out);
  });
  if (!s.ok()) return s;
  out.clear();
  encode(carry);
  return write(out);
}

Result<std::string> Boundary(const std::vector<Part>& parts) {
  StreamHasher hasher;
  for (const Part& p : parts) {
    Status s = p.payload.ForEachChunk([&](std::string_view chunk) {
      hasher.Update(chunk.data(), chunk.size());
      return Ok();
    });
    if (!s.ok()) return s.error();
  }
  return "===============s3us" + Hex(hasher.FinishSha256()).substr(0, 24) + "==";
}

// cloud-init's first-line typing of an unencoded part: of the escape of its text, escaped a
// growing prefix at a time until it tells.
std::optional<std::string> EscapedTyping(std::string_view bytes) {
  for (size_t n = 256;; n *= 4) {
    std::string escaped = PyRawUnicodeEscape(bytes.substr(0, n));
    if (n >= bytes.size() || PyLStrip(escaped).size() >= 64) {
      return TypeFromStartsWith(escaped, false);
    }
  }
}

// Whether the part is written unencoded, as it came, rather than in base64: when cloud-init
// holds its non-ASCII text as a str (HeldAsStrByCloudInit) and reads it through that str: it
// types an unencoded part by the raw-unicode-escape of it (where a no-break space before #!
// is no blank) and hands that escape on, so it must hold the same str again. An ASCII text
// is the same bytes either way; a gunzipped include list is read from the gunzipped text
// itself, as base64 gives it. kInvalidInput when the part cannot be written so that
// cloud-init makes of it what it made of the original: not UTF-8, holding the boundary (a
// SHA-256 of the payloads), or typed otherwise by its escape than by its text (gunzipped).
Result<bool> Unencoded(const Part& p, const std::string& boundary) {
  bool include = p.content_type == kTypeInclude || p.content_type == kTypeIncludeOnce;
  if (!p.held_as_str && (include || !HeldAsStrByCloudInit(p))) return false;
  // Read through a mapping given back as it is read (a part may be tens of MiB).
  Result<PayloadView> all = p.payload.View(p.payload.size());
  if (!all.ok()) return all.error();
  std::string_view bytes = all->bytes();
  constexpr size_t kStep = 1 << 20;
  bool ascii = true, holds_boundary = false;
  for (size_t at = 0; at < bytes.size(); at += kStep) {
    std::string_view block = bytes.substr(at, kStep + boundary.size());
    std::string_view own = block.substr(0, kStep);
    ascii = ascii && std::all_of(own.begin(), own.end(), [](char c) { return (c & 0x80) == 0; });
    holds_boundary = holds_boundary || block.find(boundary) != std::string_view::npos;
    all->Release(at);
  }
  if (ascii) return false;
  std::string where = "part " + std::to_string(p.index) + ": ";
  if (!IsValidUtf8(bytes, nullptr, [&all](size_t offset) { all->Release(offset); })) {
    return Error(ErrorCode::kInvalidInput,
                 where +
                     "text cloud-init holds as a string is not UTF-8 and cannot be written "
                     "so that it holds it again");
  }
  if (holds_boundary) {
    return Error(ErrorCode::kInvalidInput, where + "its text holds the MIME boundary");
  }
  if (IsRetypedByFirstLine(p.content_type) &&
      EscapedTyping(bytes).value_or(p.content_type) != p.content_type) {
    return Error(ErrorCode::kInvalidInput,
                 where + "written unencoded, cloud-init would not type it " + p.content_type +
                     "; in base64, it would get other bytes");
  }
  return true;
}

// The part's bytes as they are, then the line break the email package drops before the
// boundary line: \r\n after a trailing \r, which would otherwise join it.
Status WriteVerbatim(const Payload& payload, const MimeWriter& write) {
  bool cr = false;
  Status s = payload.ForEachChunk([&](std::string_view chunk) {
    if (!chunk.empty()) cr = chunk.back() == '\r';
    return write(chunk);
  });
  if (!s.ok()) return s;
  return write(cr ? "\r\n" : "\n");
}

std::string PartHeaders(const Part& p, const std::string& boundary, bool unencoded) {
  std::string out;
  out += "--" + boundary + "\n";
  out += "Content-Type: " + HeaderSafe(p.content_type);
  if (!p.charset.empty()) out += "; charset=\"" + HeaderSafe(p.charset) + "\"";
  out += "\nMIME-Version: 1.0\nContent-Transfer-Encoding: ";
  out += unencoded ? "8bit\n" : "base64\n";
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
  return out;
}

// A YAML double-quoted scalar holding `text` (UTF-8), every byte but printable ASCII
// escaped: no raw line break (U+0085 and U+2028 are breaks to PyYAML) is folded.
std::string YamlQuoted(std::string_view text) {
  std::string out = "\"";
  for (size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    uint32_t cp = len == 1 ? c : c & (0x7F >> len);
    for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (text[i + k] & 0x3F);
    i += len;
    char buf[16];
    std::snprintf(buf, sizeof buf, cp < 0x10000 ? "\\u%04X" : "\\U%08X", cp);
    out += buf;
  }
  return out + "\"";
}

// An #include part an archive held (Placement::kArchiveEntry) as a one-entry archive:
// cloud-init attaches it from there as it attached the original, never fetching it (a
// text/x-include-url part of the document's own would be fetched).
Result<Part> InArchive(const Part& p) {
  Result<PayloadView> all = p.payload.View(p.payload.size());
  if (!all.ok()) return all.error();
  if (!IsValidUtf8(all->bytes())) {
    return Error(ErrorCode::kInvalidInput,
                 "part " + std::to_string(p.index) + ": archived include text is not UTF-8");
  }
  std::string yaml = "#cloud-config-archive\n- type: " + p.content_type +
                     "\n  filename: " + YamlQuoted(p.filename) + "\n";
  if (p.launch_index) yaml += "  launch-index: " + YamlQuoted(*p.launch_index) + "\n";
  yaml += "  content: " + YamlQuoted(all->bytes()) + "\n";
  Part archive;
  archive.index = p.index;
  archive.content_type = kTypeCloudConfigArchive;
  archive.filename = p.filename;
  archive.payload = std::move(yaml);
  archive.origin = p.origin;
  return archive;
}

bool IsArchivedInclude(const Part& p) {
  return (p.content_type == kTypeInclude || p.content_type == kTypeIncludeOnce) &&
         p.placement == Placement::kArchiveEntry;
}

}  // namespace

Status WriteMime(const std::vector<Part>& parts, const MimeWriter& write) {
  Result<std::string> boundary = Boundary(parts);
  if (!boundary.ok()) return boundary.error();
  Status s =
      write("Content-Type: multipart/mixed; boundary=\"" + *boundary + "\"\nMIME-Version: 1.0\n\n");
  for (const Part& part : parts) {
    if (!s.ok()) break;
    std::optional<Part> archived;
    if (IsArchivedInclude(part)) {
      Result<Part> a = InArchive(part);
      if (!a.ok()) return a.error();
      archived = std::move(*a);
    }
    const Part& p = archived ? *archived : part;
    Result<bool> unencoded = Unencoded(p, *boundary);
    if (!unencoded.ok()) return unencoded.error();
    s = write(PartHeaders(p, *boundary, *unencoded));
    if (s.ok())
      s = *unencoded ? WriteVerbatim(p.payload, write) : WriteBase64Lines(p.payload, write);
  }
  if (s.ok()) s = write("--" + *boundary + "--\n");
  return s;
}

Result<std::string> SerializeMime(const std::vector<Part>& parts) {
  std::string out;
  Status s = WriteMime(parts, [&out](std::string_view bytes) {
    out += bytes;
    return Ok();
  });
  if (!s.ok()) return s.error();
  return out;
}

}  // namespace s3us::userdata
