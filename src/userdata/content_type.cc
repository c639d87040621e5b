#include "userdata/content_type.h"

#include <magic.h>

#include <array>
#include <utility>

#include "core/strings.h"
#include "userdata/part.h"
#include "userdata/py_text.h"

namespace s3us::userdata {
namespace {

// handlers.INCLUSION_TYPES_MAP sorted longest first (ties as Python's stable sort leaves
// them), with ours inserted by length.
constexpr std::array<std::pair<std::string_view, std::string_view>, 13> kStartsWith = {{
    {"text/x-shellscript-per-instance", kTypeShellScriptPerInstance},
    {"text/x-shellscript-per-boot", kTypeShellScriptPerBoot},
    {"text/x-shellscript-per-once", kTypeShellScriptPerOnce},
    {"#cloud-config-archive", kTypeCloudConfigArchive},
    {"## template: jinja", kTypeJinja2},
    {"#cloud-config-jsonp", kTypeCloudConfigJsonp},
    {"#cloud-boothook", kTypeCloudBoothook},
    {"#include-once", kTypeIncludeOnce},
    {"#part-handler", kTypePartHandler},
    {"#cloud-config", kTypeCloudConfig},
    {"#s3-include", kTypeS3Include},
    {"#include", kTypeInclude},
    {"#!", kTypeShellScript},
}};

constexpr std::array<std::string_view, 8> kGzipTypes = {
    "application/gzip",       "application/gzip-compressed",   "application/gzipped",
    "application/x-compress", "application/x-compressed",      "application/x-gunzip",
    "application/x-gzip",     "application/x-gzip-compressed",
};

class MagicHandle {
 public:
  MagicHandle() {
    cookie_ = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS);
    if (cookie_ && magic_load(cookie_, nullptr) != 0) {
      magic_close(cookie_);
      cookie_ = nullptr;
    }
    if (cookie_) {
      // The types we act on are decided by the first bytes; bound libmagic's work.
      size_t bytes_max = kMagicBytes;
      magic_setparam(cookie_, MAGIC_PARAM_BYTES_MAX, &bytes_max);
    }
  }
  ~MagicHandle() {
    if (cookie_) magic_close(cookie_);
  }
  MagicHandle(const MagicHandle&) = delete;
  MagicHandle& operator=(const MagicHandle&) = delete;
  magic_t get() const { return cookie_; }

 private:
  magic_t cookie_ = nullptr;
};

// payload.lower().startswith(prefix) for an ASCII lower-case prefix. Of the non-ASCII
// characters, str.lower() maps only two to ASCII: U+212A KELVIN SIGN to 'k' (so
// "#cloud-boothoo\u212a" is a boothook) and U+0130 to "i\u0307", whose combining dot no
// prefix has after an 'i' (nor ends in 'i'): it never matches.
bool PyLowerStartsWith(std::string_view s, std::string_view prefix) {
  constexpr std::string_view kKelvin = "\xe2\x84\xaa";
  size_t i = 0;
  for (char want : prefix) {
    char c = i < s.size() ? s[i] : '\0';
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (i < s.size() && c == want) {
      ++i;
    } else if (want == 'k' && s.substr(i, kKelvin.size()) == kKelvin) {
      i += kKelvin.size();
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<std::string> TypeFromStartsWith(std::string_view payload, bool must_be_utf8) {
  if (must_be_utf8 && !IsValidUtf8(payload)) return std::nullopt;
  std::string_view s = PyLStrip(payload);
  for (const auto& [prefix, type] : kStartsWith) {
    if (PyLowerStartsWith(s, prefix)) return std::string(type);
  }
  return std::nullopt;
}

bool IsGzipType(std::string_view content_type) {
  for (auto t : kGzipTypes) {
    if (t == content_type) return true;
  }
  return false;
}

bool HeldAsStrByCloudInit(const Part& part) {
  return part.held_as_str || IsGzipType(part.declared_type);
}

bool IsIncludeList(const Part& part) {
  if (part.content_type == kTypeS3Include) return true;
  bool cloud_init = part.content_type == kTypeInclude || part.content_type == kTypeIncludeOnce;
  return cloud_init && part.placement == Placement::kDocument;
}

bool IsRetypedByFirstLine(std::string_view t) {
  return t == kTypePlain || t == kTypeNotMultipart || t == kTypeShellScript;
}

bool IsSniffable(std::string_view t) {
  return t == kTypePlain || t == kTypeNotMultipart || t == "application/octet-stream";
}

bool IsMergeHeader(std::string_view name) {
  return IEquals(name, "merge-type") || IEquals(name, "x-merge-type");
}

std::string MagicMimeType(std::string_view payload) {
  thread_local MagicHandle handle;
  if (!handle.get()) return "";
  const char* r = magic_buffer(handle.get(), payload.data(), payload.size());
  return r ? std::string(r) : std::string();
}

bool IsElfMagic(std::string_view m) {
  return m == "application/x-executable" || m == "application/x-sharedlib" ||
         m == "application/x-pie-executable";
}

}  // namespace s3us::userdata
