// Message.get_param / get_filename of Python 3.11's email package (compat32), including
// its RFC 2231 handling, on UTF-8 header values.
#include <algorithm>
#include <map>

#include "core/strings.h"
#include "userdata/mime.h"
#include "userdata/py_text.h"

namespace s3us::userdata {
namespace {

size_t CountOf(std::string_view s, std::string_view needle) {
  size_t n = 0, pos = 0;
  while ((pos = s.find(needle, pos)) != std::string_view::npos) {
    ++n;
    pos += needle.size();
  }
  return n;
}

// email.message._parseparam.
std::vector<std::string> SplitParams(std::string_view value) {
  std::string s(1, ';');
  s.append(value);
  std::vector<std::string> out;
  std::string_view rest = s;
  while (!rest.empty() && rest[0] == ';') {
    rest.remove_prefix(1);
    size_t end = rest.find(';');
    while (end != std::string_view::npos && end > 0 &&
           (CountOf(rest.substr(0, end), "\"") - CountOf(rest.substr(0, end), "\\\"")) % 2) {
      end = rest.find(';', end + 1);
    }
    if (end == std::string_view::npos) end = rest.size();
    std::string_view f = rest.substr(0, end);
    std::string item;
    if (size_t eq = f.find('='); eq != std::string_view::npos) {
      item = ToLower(PyStrip(f.substr(0, eq))) + "=" + std::string(PyStrip(f.substr(eq + 1)));
    } else {
      item = std::string(f);
    }
    out.emplace_back(PyStrip(item));
    rest.remove_prefix(end);
  }
  return out;
}

// email.utils.unquote.
std::string Unquote(std::string_view s) {
  if (s.size() > 1) {
    if (s.front() == '"' && s.back() == '"') {
      std::string inner(s.substr(1, s.size() - 2)), out;
      // .replace('\\\\', '\\') then .replace('\\"', '"'), in that order.
      for (size_t i = 0; i < inner.size(); ++i) {
        if (inner[i] == '\\' && i + 1 < inner.size() && inner[i + 1] == '\\') ++i;
        out.push_back(inner[i]);
      }
      std::string res;
      for (size_t i = 0; i < out.size(); ++i) {
        if (out[i] == '\\' && i + 1 < out.size() && out[i + 1] == '"') continue;
        res.push_back(out[i]);
      }
      return res;
    }
    if (s.front() == '<' && s.back() == '>') return std::string(s.substr(1, s.size() - 2));
  }
  return std::string(s);
}

bool IsWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// rfc2231_continuation: ^(\w+)\*((\d+)\*?)?$ ; num -1 when absent.
bool MatchContinuation(std::string_view name, std::string* base, long* num) {
  size_t star = name.find('*');
  if (star == 0 || star == std::string_view::npos) return false;
  for (size_t i = 0; i < star; ++i) {
    if (!IsWordChar(name[i])) return false;
  }
  std::string_view tail = name.substr(star + 1);
  *num = -1;
  if (!tail.empty()) {
    if (tail.back() == '*') tail.remove_suffix(1);
    if (tail.empty() || tail.size() > 9) return false;
    for (char c : tail) {
      if (c < '0' || c > '9') return false;
    }
    *num = std::stol(std::string(tail));
  }
  *base = std::string(name.substr(0, star));
  return true;
}

// Bytes in `charset` → UTF-8, invalid input replaced (errors='replace'); nullopt for a
// charset we do not know (Python's LookupError path).
std::optional<std::string> ToUtf8(std::string_view bytes, std::string_view charset) {
  std::string cs = ToLower(charset);
  std::replace(cs.begin(), cs.end(), '_', '-');
  const std::string kReplacement = "\xef\xbf\xbd";
  std::string out;
  if (cs == "utf-8" || cs == "utf8") {
    size_t i = 0;
    while (i < bytes.size()) {
      size_t bad = 0;
      std::string_view rest = bytes.substr(i);
      if (IsValidUtf8(rest, &bad)) {
        out.append(rest);
        break;
      }
      out.append(rest.substr(0, bad));
      out.append(kReplacement);
      i += bad + 1;
    }
    return out;
  }
  if (cs == "us-ascii" || cs == "ascii") {
    for (char c : bytes) {
      if (static_cast<unsigned char>(c) < 0x80) {
        out.push_back(c);
      } else {
        out.append(kReplacement);
      }
    }
    return out;
  }
  if (cs == "latin-1" || cs == "latin1" || cs == "iso-8859-1" || cs == "iso8859-1") {
    for (char c : bytes) {
      unsigned char u = static_cast<unsigned char>(c);
      if (u < 0x80) {
        out.push_back(c);
      } else {
        out.push_back(static_cast<char>(0xc0 | (u >> 6)));
        out.push_back(static_cast<char>(0x80 | (u & 0x3f)));
      }
    }
    return out;
  }
  return std::nullopt;
}

struct ParamValue {
  bool extended = false;  // RFC 2231 with charset'language'
  std::optional<std::string> charset;
  std::string text;
  std::string unknown_charset_text;  // extended: what Python keeps when it cannot decode
};

// _get_params_preserve + decode_params, then get_param's lookup and _unquotevalue.
std::optional<ParamValue> GetParam(const MimeEntity& e, std::string_view param,
                                   std::string_view header) {
  const std::string* value = FindHeader(e, header);
  if (!value) return std::nullopt;
  std::vector<std::pair<std::string, std::string>> params;
  for (const std::string& p : SplitParams(*value)) {
    size_t eq = p.find('=');
    if (eq == std::string::npos) {
      params.emplace_back(PyStrip(p), "");
    } else {
      params.emplace_back(PyStrip(std::string_view(p).substr(0, eq)),
                          PyStrip(std::string_view(p).substr(eq + 1)));
    }
  }
  // decode_params: params[0] kept raw, plain params unquoted once, RFC 2231 ones last.
  std::vector<std::pair<std::string, ParamValue>> decoded;
  struct Segment {
    long num;
    std::string value;
    bool encoded;
  };
  std::vector<std::pair<std::string, std::vector<Segment>>> continued;
  for (size_t i = 0; i < params.size(); ++i) {
    const auto& [name, raw] = params[i];
    if (i == 0) {
      decoded.push_back({name, ParamValue{false, std::nullopt, raw, ""}});
      continue;
    }
    std::string base;
    long num = -1;
    if (!MatchContinuation(name, &base, &num)) {
      decoded.push_back({name, ParamValue{false, std::nullopt, Unquote(raw), ""}});
      continue;
    }
    auto it = std::find_if(continued.begin(), continued.end(),
                           [&](const auto& c) { return c.first == base; });
    if (it == continued.end()) it = continued.insert(continued.end(), {base, {}});
    it->second.push_back({num, Unquote(raw), !name.empty() && name.back() == '*'});
  }
  for (auto& [name, segments] : continued) {
    std::stable_sort(segments.begin(), segments.end(), [](const Segment& a, const Segment& b) {
      if (a.num != b.num) return a.num < b.num;
      return a.value < b.value;
    });
    bool extended = std::any_of(segments.begin(), segments.end(),
                                [](const Segment& seg) { return seg.encoded; });
    // An RFC 2231 value is a str whose characters collapse_rfc2231_value takes as bytes
    // (raw-unicode-escape): a non-ASCII character sent as is is not its UTF-8 bytes there.
    std::string joined, as_str;
    for (const auto& seg : segments) {
      as_str += seg.encoded ? PercentDecode(seg.value) : seg.value;
      std::string escaped = extended ? PyRawUnicodeEscape(seg.value) : seg.value;
      joined += seg.encoded ? PercentDecode(escaped) : escaped;
    }
    ParamValue v;
    size_t t1 = joined.find('\'');
    size_t t2 = t1 == std::string::npos ? t1 : joined.find('\'', t1 + 1);
    v.extended = extended;
    if (extended && t2 != std::string::npos) {
      v.charset = joined.substr(0, t1);
      v.text = joined.substr(t2 + 1);
      size_t s1 = as_str.find('\'');
      v.unknown_charset_text = as_str.substr(as_str.find('\'', s1 + 1) + 1);
    } else {
      v.text = joined;
      v.unknown_charset_text = as_str;
    }
    decoded.push_back({name, std::move(v)});
  }
  for (auto& [name, v] : decoded) {
    if (IEquals(name, param)) {
      if (!v.extended && &v == &decoded[0].second) v.text = Unquote(v.text);
      return v;
    }
  }
  return std::nullopt;
}

// utils.collapse_rfc2231_value.
std::string Collapse(const ParamValue& v) {
  if (!v.extended) return Unquote(v.text);
  std::string charset = v.charset.value_or("us-ascii");
  if (auto s = ToUtf8(v.text, charset)) return *s;
  return Unquote(v.unknown_charset_text);
}

}  // namespace

std::optional<std::string> ParamOf(const MimeEntity& e, std::string_view param,
                                   std::string_view header) {
  auto v = GetParam(e, param, header);
  if (!v) return std::nullopt;
  return Collapse(*v);
}

std::optional<std::string> FilenameOf(const MimeEntity& e, bool content_type_name) {
  auto v = GetParam(e, "filename", "content-disposition");
  if (!v && content_type_name) v = GetParam(e, "name", "content-type");
  if (!v) return std::nullopt;
  return std::string(PyStrip(Collapse(*v)));
}

}  // namespace s3us::userdata
