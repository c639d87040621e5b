#include "userdata/archive.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>

#include "core/strings.h"
#include "userdata/cloud_config_yaml.h"
#include "userdata/codecs.h"
#include "userdata/content_type.h"
#include "userdata/part.h"
#include "userdata/py_text.h"
#include "userdata/pyyaml_resolve.h"

namespace s3us::userdata {
namespace {

enum class Kind { kNull, kBool, kNumber, kString, kBinary, kOther };

// How PyYAML's safe_load (YAML 1.1) would type a scalar node. yaml-cpp tags a quoted scalar
// "!" (the archive check refuses an explicit '!', which PyYAML would resolve as plain) and
// a plain untagged one "?".
Kind ScalarKind(const YAML::Node& n) {
  if (n.IsNull()) return Kind::kNull;
  if (!n.IsScalar()) return Kind::kOther;
  const std::string& tag = n.Tag();
  if (tag == "tag:yaml.org,2002:binary" || tag == "!!binary") return Kind::kBinary;
  if (tag == "tag:yaml.org,2002:null") return Kind::kNull;
  if (tag != "?") return Kind::kString;  // quoted, !!str, !!python/unicode
  switch (PyYamlTypeOf(n.Scalar())) {
    case PyYamlPlainType::kNull:
      return Kind::kNull;
    case PyYamlPlainType::kBool:
      return Kind::kBool;
    case PyYamlPlainType::kInt:
    case PyYamlPlainType::kFloat:
      return Kind::kNumber;
    case PyYamlPlainType::kStr:
      return Kind::kString;
    default:
      return Kind::kOther;  // a date, '<<', or one we do not resolve
  }
}

// A string scalar's text as PyYAML loads it: yaml-cpp writes the escapes \N and \_ as the
// single bytes 0x85 and 0xA0, PyYAML as U+0085 and U+00A0 (every other escape agrees). The
// text around them is UTF-8 (the YAML check read it so), so such a byte stands where a
// character starts.
std::string Text(const YAML::Node& n) {
  const std::string& s = n.Scalar();
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if ((c & 0xC0) == 0x80) {
      out += '\xC2';
      out += s[i++];
      continue;
    }
    size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    out.append(s, i, len);
    i += len;
  }
  return out;
}

// str(value) as Python would print the loaded scalar (close enough for names and indexes).
std::string PyStr(const YAML::Node& n) {
  switch (ScalarKind(n)) {
    case Kind::kNull:
      return "None";
    case Kind::kBool: {
      char c = n.Scalar()[0];
      return (c == 'y' || c == 'Y' || c == 't' || c == 'T' || n.Scalar() == "on" ||
              n.Scalar() == "On" || n.Scalar() == "ON")
                 ? "True"
                 : "False";
    }
    case Kind::kNumber:
      // YAML 1.1 ints as SafeLoader builds them (010 is 8, 0x10 16, 1:0 60), not Python's
      // int() of the text; Python prints an int in decimal.
      if (PyYamlTypeOf(n.Scalar()) == PyYamlPlainType::kInt) {
        if (auto i = PyYamlIntOf(n.Scalar(), true); i.ok() && *i) return **i;
      }
      if (auto i = PyIntString(n.Scalar())) return *i;
      return n.Scalar();
    default:
      return n.IsScalar() ? Text(n) : YAML::Dump(n);
  }
}

Result<std::string> ContentOf(const YAML::Node& v, Kind* kind) {
  *kind = ScalarKind(v);
  if (*kind == Kind::kString) {
    std::string text = Text(v);
    if (!IsValidUtf8(text)) return Error(ErrorCode::kInvalidInput, "content is not UTF-8 text");
    return text;
  }
  if (*kind == Kind::kBinary) {
    // Not YAML::Binary: yaml-cpp 0.7's decoder reads outside its table on non-ASCII input
    // (found by fuzz/parse_fuzzer). PyYAML: base64.decodebytes(value.encode('ascii')).
    const std::string& s = v.Scalar();
    bool ascii = std::all_of(s.begin(), s.end(), [](char c) { return (c & 0x80) == 0; });
    std::optional<std::string> bytes = ascii ? DecodeBase64Lenient(s) : std::nullopt;
    if (!bytes) return Error(ErrorCode::kInvalidInput, "!!binary content is not base64");
    return *bytes;
  }
  return Error(ErrorCode::kInvalidInput, "content is not text or !!binary");
}

// Message.get_content_type() of a header "maintype/subtype" built from `type`.
std::string ReportedType(std::string_view type) {
  std::string t = ToLower(PyStrip(type.substr(0, type.find(';'))));
  size_t slashes = 0;
  for (char c : t) slashes += (c == '/');
  return slashes == 1 ? t : "text/plain";
}

// Keys the header loop of _explode_archive skips (compared lower-case); it adds the others
// to the part as headers.
bool IsFieldKey(std::string_view key) {
  for (std::string_view field : {"content", "filename", "type", "launch-index",
                                 "content-disposition", "number-attachments", "content-type"}) {
    if (IEquals(key, field)) return true;
  }
  return false;
}

// A mapping's keys as cloud-init reads them: each a str (its header loop calls key.lower()),
// each once (PyYAML keeps the last of two, yaml-cpp's lookup the first: ambiguous), and a
// header's value a str or None (add_header joins it as text). What cloud-init fails on fails
// all user data; we refuse it.
Status CheckKeys(const YAML::Node& ent, const std::string& where) {
  std::set<std::string> seen;
  for (const auto& kv : ent) {
    std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
    if (ScalarKind(kv.first) != Kind::kString) {
      std::string why = key == "<<" ? "a merge key, not followed" : "cloud-init fails on it";
      return Error(ErrorCode::kInvalidInput,
                   where + "key '" + Printable(key, 40) + "' is not a string (" + why + ")");
    }
    if (!seen.insert(key).second) {
      return Error(ErrorCode::kInvalidInput, where + "key '" + Printable(key, 40) +
                                                 "' is written twice (ambiguous: PyYAML "
                                                 "reads the last)");
    }
    Kind value = ScalarKind(kv.second);
    if (!IsFieldKey(key) && value != Kind::kString && value != Kind::kNull) {
      return Error(ErrorCode::kInvalidInput, where + "the value of '" + Printable(key, 40) +
                                                 "' is not a string (cloud-init fails on it)");
    }
  }
  return Ok();
}

Result<ArchiveEntry> Entry(const YAML::Node& ent, size_t n) {
  const std::string where = "archive entry " + std::to_string(n) + ": ";
  ArchiveEntry out;
  Kind kind = Kind::kString;
  std::optional<std::string> cte;  // a Content-Transfer-Encoding key's value, lower-cased
  if (ent.IsScalar()) {
    Kind k = ScalarKind(ent);
    if (k != Kind::kString) {
      return Error(ErrorCode::kInvalidInput,
                   where + "is neither a mapping nor a string (cloud-init skips it)");
    }
    out.payload = Text(ent);
    if (!IsValidUtf8(out.payload)) {
      return Error(ErrorCode::kInvalidInput, where + "content is not UTF-8 text");
    }
  } else if (ent.IsMap()) {
    if (Status st = CheckKeys(ent, where); !st.ok()) return std::move(st).error();
    if (YAML::Node c = ent["content"]; c) {
      auto content = ContentOf(c, &kind);
      if (!content.ok()) return Error(ErrorCode::kInvalidInput, where + content.error().message());
      out.payload = std::move(*content);
    }
    if (YAML::Node t = ent["type"]; t && ScalarKind(t) != Kind::kNull) {
      if (!t.IsScalar()) return Error(ErrorCode::kInvalidInput, where + "type is not a string");
      out.declared_type = Text(t);
    }
    if (YAML::Node f = ent["filename"]; f) out.filename = std::string(PyStrip(PyStr(f)));
    if (YAML::Node li = ent["launch-index"]; li) out.launch_index = PyStr(li);
    for (const auto& kv : ent) {
      if (!kv.first.IsScalar()) continue;
      const std::string& key = kv.first.Scalar();
      if (IEquals(key, "content-transfer-encoding") && ScalarKind(kv.second) == Kind::kString) {
        cte = ToLower(Text(kv.second));
      }
      if ((IStartsWith(key, "x-s3us-") || IsMergeHeader(key)) && kv.second.IsScalar()) {
        out.headers.emplace_back(key, Text(kv.second));
      }
    }
  } else {
    return Error(ErrorCode::kInvalidInput,
                 where + "is neither a mapping nor a string (cloud-init skips it)");
  }
  bool binary = kind == Kind::kBinary;
  std::string type = out.declared_type;
  if (type.empty()) {
    std::string fallback = binary ? "application/octet-stream" : kTypeCloudConfig;
    type = TypeFromStartsWith(out.payload, binary).value_or(fallback);
    // cloud-init's first-line table has no #s3-include: it makes the entry text/cloud-config,
    // which the bridge's handler is never handed, and the include would be lost silently.
    if (type == kTypeS3Include) {
      return Error(ErrorCode::kInvalidInput,
                   where +
                       "starts with #s3-include but has no type: cloud-init makes it "
                       "text/cloud-config and never fetches it (give it type: text/x-s3-include)");
    }
  }
  size_t slash = type.find('/');
  if (slash == std::string::npos) {
    return Error(ErrorCode::kInvalidInput, where + "type '" + type + "' has no '/'");
  }
  if (binary && type.substr(0, slash) == "text" && !IsValidUtf8(out.payload)) {
    return Error(ErrorCode::kInvalidInput, where + "binary content of a text type is not UTF-8");
  }
  // Text content of another type (the maintype compared as written) goes into a MIMEBase
  // as a str, whose get_payload(decode=True) is its raw-unicode-escape: é is one byte.
  const bool mimebase = type.substr(0, slash) != "text";
  if (!binary && mimebase) out.payload = PyRawUnicodeEscape(out.payload);
  if (mimebase && cte) {
    Result<TransferEncoding> encoding = TransferEncodingOf(*cte);
    if (!encoding.ok()) return Error(ErrorCode::kInvalidInput, where + encoding.error().message());
    out.transfer = *encoding;
  }
  out.content_type = ReportedType(type);
  // The bridge's handler takes text/plain and text/x-not-multipart parts whose first line is
  // #s3-include, an archive's entries too (cloud-init hands them to it as any part).
  bool bridge_takes = out.content_type == kTypePlain || out.content_type == kTypeNotMultipart;
  if (bridge_takes && TypeFromStartsWith(out.payload, binary) == kTypeS3Include) {
    out.content_type = kTypeS3Include;
  }
  return out;
}

// PyYAML (and libyaml, which checked the text) end a line at CR, CRLF, LF and NEL; yaml-cpp
// only at LF and CRLF, so it read a CR-ended archive as one comment (no entries) and cut block
// scalars short. CR and NEL become LF, which PyYAML makes of them in content too. U+2028 and
// U+2029 also end lines for PyYAML, but block scalars keep them as they are: refused.
Result<std::string> WithYamlLineBreaks(std::string_view payload) {
  std::string out;
  out.reserve(payload.size());
  for (size_t i = 0; i < payload.size(); ++i) {
    char c = payload[i];
    if (c == '\r' && (i + 1 == payload.size() || payload[i + 1] != '\n')) {
      out += '\n';
    } else if (c == '\xC2' && i + 1 < payload.size() && payload[i + 1] == '\x85') {
      out += '\n';
      ++i;
    } else if (c == '\xE2' && payload.substr(i + 1, 1) == "\x80" &&
               (payload.substr(i + 2, 1) == "\xA8" || payload.substr(i + 2, 1) == "\xA9")) {
      return Error(ErrorCode::kInvalidInput,
                   "cloud-config-archive has a U+2028 or U+2029 line separator, which YAML "
                   "readers do not read alike");
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

Result<std::vector<ArchiveEntry>> ExplodeArchive(std::string_view payload, int max_entries) {
  // What PyYAML refuses, cloud-init ignores whole (load_yaml's default, no entry): yaml-cpp
  // reads some of it (a tab between tokens, 2001-02-30, an anchor defined twice), so the
  // verdict comes first.
  ArchiveYaml read = ReadArchiveYaml(payload);
  if (const std::optional<YamlProblem>& bad = read.problem) {
    std::string_view why = bad->message;
    if (why.starts_with("invalid YAML: ")) why.remove_prefix(14);
    std::string where = " (line " + std::to_string(bad->line) + ": " + std::string(why) + ")";
    return Error(ErrorCode::kInvalidInput, bad->kind == YamlProblem::Kind::kFails
                                               ? "cloud-config-archive is not YAML PyYAML loads" +
                                                     where + ": cloud-init would ignore it"
                                               : "cloud-config-archive is not read" + where);
  }
  if (read.nodes > kMaxArchiveYamlNodes) {
    return Error(ErrorCode::kLimitExceeded, "cloud-config-archive has more than " +
                                                std::to_string(kMaxArchiveYamlNodes) +
                                                " YAML nodes");
  }
  Result<std::string> text = WithYamlLineBreaks(payload);
  if (!text.ok()) return std::move(text).error();
  YAML::Node root;
  try {
    root = YAML::Load(*text);
  } catch (const std::exception& e) {
    return Error(ErrorCode::kInvalidInput,
                 std::string("cloud-config-archive is not YAML: ") + e.what());
  }
  std::vector<ArchiveEntry> entries;
  if (!root || root.IsNull()) return entries;
  if (!root.IsSequence()) {
    return Error(ErrorCode::kInvalidInput,
                 "cloud-config-archive is not a list (cloud-init would ignore it)");
  }
  try {
    size_t n = 0;
    for (const auto& ent : root) {
      if (static_cast<int>(++n) > max_entries) {
        return Error(ErrorCode::kLimitExceeded, "cloud-config-archive has more than " +
                                                    std::to_string(max_entries) + " entries");
      }
      auto e = Entry(ent, n);
      if (!e.ok()) return std::move(e).error();
      entries.push_back(std::move(*e));
    }
  } catch (const std::exception& e) {
    return Error(ErrorCode::kInvalidInput, std::string("cloud-config-archive: ") + e.what());
  }
  return entries;
}

}  // namespace s3us::userdata
