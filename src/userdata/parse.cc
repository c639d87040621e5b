// Parse(): the order of operations of cloud-init's convert_string and
// UserDataProcessor._process_msg, with our decoders, splitter and limits.
#include "userdata/parse.h"

#include <algorithm>
#include <cstdio>

#include "core/strings.h"
#include "userdata/archive.h"
#include "userdata/content_type.h"
#include "userdata/gzip.h"
#include "userdata/launch_index.h"
#include "userdata/mime.h"
#include "userdata/mime_crosscheck.h"
#include "userdata/part_bytes.h"
#include "userdata/py_text.h"

namespace s3us::userdata {
namespace {

// One part as _process_msg sees it, before re-typing.
struct Leaf {
  std::string ctype;     // get_content_type()
  std::string declared;  // the Content-Type value's type, lower-case ("" when absent)
  Payload payload;       // transfer-decoded; a file only for a whole fetched object
  std::optional<std::string> filename;          // get_filename()
  std::optional<std::string> filename_no_name;  // Content-Disposition only
  std::string charset;
  std::optional<std::string> launch_index;  // first Launch-Index header
  std::vector<std::pair<std::string, std::string>> headers;
  // A MIME part not base64 or quoted-printable: the email package holds its text as a str,
  // and types the raw-unicode-escape of it (PyRawUnicodeEscape), not its UTF-8 bytes.
  bool held_as_str = false;
};

bool KeepHeader(std::string_view name) {
  return IEquals(name, "content-type") || IEquals(name, "content-disposition") ||
         IEquals(name, "launch-index") || IStartsWith(name, "x-s3us-") || IsMergeHeader(name);
}

// Starts-with typing needs the first line after leading whitespace; a head that is nearly
// all whitespace cannot tell, and the whole payload is read (bounded by the input limit).
constexpr size_t kTypingBytes = 64;

// The bytes starts-with typing needs: the head, or all of a payload whose head cannot tell
// (then seen through `whole`).
Result<std::string_view> TypingView(const Payload& payload, uint64_t max_bytes,
                                    std::optional<PayloadView>& whole) {
  std::string_view head = payload.head();
  if (payload.size() == head.size() || PyLStrip(head).size() >= kTypingBytes) return head;
  Result<PayloadView> all = payload.View(max_bytes);
  if (!all.ok()) return all.error();
  whole = std::move(all).value();
  return whole->bytes();
}

class Builder {
 public:
  explicit Builder(const ParseOptions& o) : opts_(o), budget_(o.limits.max_decompressed_bytes) {}

  uint64_t* budget() { return &budget_; }
  const ParseOptions& options() const { return opts_; }
  std::vector<Part> Take() { return std::move(parts_); }

  std::string Where() const { return "part " + std::to_string(parts_.size() + 1) + ": "; }

  Status ProcessLeaf(Leaf leaf) {
    std::string ctype_orig = leaf.ctype;
    bool was_compressed = false;
    // Only MIME leaves carry a gzip type; a large one is in a work file, mapped here and
    // given back as it is read.
    if (IsGzipType(ctype_orig)) {
      Result<PayloadView> gz = leaf.payload.View(opts_.limits.max_input_bytes);
      if (!gz.ok()) return gz.error();
      size_t in_size = gz->bytes().size();
      Result<Inflated> r =
          Inflate(gz->bytes(), &budget_, opts_, [&gz](size_t offset) { gz->Release(offset); });
      if (!r.ok()) return std::move(r).error();
      if (r->status == GunzipStatus::kLimitExceeded) return DecompressLimit();
      if (r->status != GunzipStatus::kOk) {
        return Error(ErrorCode::kInvalidInput, Where() + "cannot decompress " + ctype_orig +
                                                   " payload of " + std::to_string(in_size) +
                                                   " bytes: " + r->cause);
      }
      leaf.payload = std::move(r->payload);
      if (Status st = CheckGunzippedText(leaf.payload, ctype_orig); !st.ok()) return st;
      ctype_orig = kTypePlain;
      was_compressed = true;
    }
    std::optional<std::string> ctype;
    bool escaped = leaf.held_as_str && !was_compressed;
    if (IsRetypedByFirstLine(ctype_orig)) {
      std::optional<PayloadView> whole;
      Result<std::string_view> typing =
          TypingView(leaf.payload, opts_.limits.max_input_bytes, whole);
      if (!typing.ok()) return typing.error();
      ctype = TypeFromStartsWith(escaped ? PyRawUnicodeEscape(*typing) : *typing, false);
    }
    if (!ctype) ctype = ctype_orig;
    // A part cloud-init re-types gets a fresh Content-Type header, losing its name=
    // parameter; #s3-include is ours, and cloud-init keeps the part as it is.
    bool retyped = *ctype != ctype_orig && *ctype != kTypeS3Include;
    std::optional<std::string> filename =
        (!was_compressed && retyped) ? leaf.filename_no_name : leaf.filename;

    if (*ctype == kTypeCloudConfigArchive) {
      Result<PayloadView> all = leaf.payload.View(opts_.limits.max_input_bytes);
      if (!all.ok()) return all.error();
      if (!escaped) return Explode(all->bytes());
      return ExplodeEscaped(all->bytes());
    }

    Part p;
    p.content_type = *ctype;
    p.declared_type = leaf.declared;
    p.filename = filename.value_or("");
    p.payload = std::move(leaf.payload);
    p.charset = leaf.charset;
    p.headers = std::move(leaf.headers);
    p.held_as_str = escaped;
    return Emit(std::move(p), leaf.launch_index);
  }

  // decomp_gzip decodes what it gunzipped as UTF-8: where that fails, cloud-init fails the
  // part, and with it all user data.
  Status CheckGunzippedText(const Payload& payload, const std::string& ctype) const {
    Result<PayloadView> all = payload.View(opts_.limits.max_decompressed_bytes);
    if (!all.ok()) return all.error();
    size_t bad = 0;
    if (IsValidUtf8(all->bytes(), &bad, [&all](size_t offset) { all->Release(offset); })) {
      return Ok();
    }
    return Error(ErrorCode::kInvalidInput,
                 Where() + "the gunzipped " + ctype + " payload is not valid UTF-8 at byte " +
                     std::to_string(bad) + " (cloud-init fails on it too)");
  }

  Status DecompressLimit() const {
    return Error(ErrorCode::kLimitExceeded,
                 Where() + "decompressed user data is over the limit of " +
                     std::to_string(opts_.limits.max_decompressed_bytes) + " bytes");
  }

 private:
  // An archive the email package holds as a str: PyYAML loads the raw-unicode-escape of its
  // text (U+0080..U+00FF one byte each, higher code points \uXXXX). Where that is not UTF-8,
  // the load fails and cloud-init runs no entry: refused, never run.
  Status ExplodeEscaped(std::string_view payload) {
    std::string text = PyRawUnicodeEscape(payload);
    if (!IsValidUtf8(text)) {
      return Error(ErrorCode::kInvalidInput,
                   Where() +
                       "cloud-init cannot load this archive: non-ASCII text in a part that is "
                       "not base64 or quoted-printable encoded (PyYAML fails on the "
                       "raw-unicode-escape Python reads, and no entry runs)");
    }
    return Explode(text);
  }

  Status Explode(std::string_view payload) {
    auto entries = ExplodeArchive(payload, opts_.limits.max_parts);
    if (!entries.ok()) {
      Error e = std::move(entries).error();
      return Error(e.code(), Where() + e.message());
    }
    for (size_t i = 0; i < entries->size(); ++i) {
      ArchiveEntry& ent = (*entries)[i];
      Part p;
      p.content_type = ent.content_type;
      p.declared_type = ToLower(ent.declared_type);
      p.filename = ent.filename.value_or("");
      Result<Payload> payload = EntryPayload(ent, i + 1);
      if (!payload.ok()) return std::move(payload).error();
      p.payload = std::move(*payload);
      p.placement = Placement::kArchiveEntry;
      if (!ent.declared_type.empty()) p.headers.emplace_back("Content-Type", ent.declared_type);
      if (ent.launch_index) p.headers.emplace_back("Launch-Index", *ent.launch_index);
      for (auto& h : ent.headers) p.headers.push_back(std::move(h));
      if (Status st = Emit(std::move(p), ent.launch_index); !st.ok()) return st;
    }
    return Ok();
  }

  // An archive entry's content, decoded by its Content-Transfer-Encoding key as a MIME
  // part's body is: the same refusals, and strict base64 in fetched objects.
  Result<Payload> EntryPayload(ArchiveEntry& ent, size_t number) {
    if (ent.transfer == TransferEncoding::kNone) return Payload(std::move(ent.payload));
    const std::string where = Where() + "archive entry " + std::to_string(number) + ": ";
    if (std::any_of(ent.payload.begin(), ent.payload.end(), [](char c) { return c & 0x80; })) {
      return Error(ErrorCode::kInvalidInput,
                   where +
                       "the encoded content holds a non-ASCII character (cloud-init "
                       "decodes it otherwise, or fails)");
    }
    Result<std::optional<Payload>> decoded = DecodePart(ent.payload, ent.transfer, opts_, {});
    if (!decoded.ok()) return decoded.error();
    if (!*decoded) return Error(ErrorCode::kInvalidInput, where + "the base64 content is corrupt");
    return std::move(**decoded);
  }

  Status Emit(Part p, const std::optional<std::string>& launch_header) {
    if (static_cast<int>(parts_.size()) >= opts_.limits.max_parts) {
      return Error(ErrorCode::kLimitExceeded,
                   "user data has more than " + std::to_string(opts_.limits.max_parts) + " parts");
    }
    p.index = static_cast<int>(parts_.size()) + 1;
    if (p.filename.empty()) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "part-%03d", p.index);
      p.filename = buf;
    }
    if (launch_header) {
      // int() reads Unicode digits too: kept as text, `resolve` would write it encoded.
      if (PyIntUnknown(*launch_header)) {
        return Error(ErrorCode::kInvalidInput,
                     "part " + std::to_string(p.index) +
                         ": Launch-Index holds characters int() may read as digits: which "
                         "instances it is for is unknown");
      }
      // cloud-init's launch-index filter reads the first header: one that int() refuses
      // matches no instance, so it is kept as it is (a resolved document says the same).
      p.launch_index = PyIntString(*launch_header).value_or(*launch_header);
    } else if (p.content_type == kTypeCloudConfig) {
      Result<std::optional<std::string>> found = LaunchIndexOf(p, opts_.limits.max_input_bytes);
      if (!found.ok()) {
        return Error(found.error().code(),
                     "part " + std::to_string(p.index) + ": " + found.error().message());
      }
      if (*found) p.launch_index = PyIntString(**found);
    }
    if (opts_.sniff_with_libmagic && IsSniffable(p.content_type)) {
      if (const std::string* bytes = p.payload.memory()) {
        p.magic = MagicMimeType(*bytes);
      } else {
        Result<std::string> head = p.payload.ReadHead(kMagicBytes);
        if (!head.ok()) return head.error();
        p.magic = MagicMimeType(*head);
      }
      if (IsElfMagic(p.magic)) p.content_type = kTypeExecutable;
    }
    parts_.push_back(std::move(p));
    return Ok();
  }

  const ParseOptions& opts_;
  uint64_t budget_;
  std::vector<Part> parts_;
};

// The text being split, and who is told how far a pass over it has read (py_text.h).
struct TextPass {
  std::string_view text;
  const Passed& passed;
  // `end` points into the text (else nothing is told: a body Python moved a line into).
  void ReadTo(const char* end) const {
    auto at = reinterpret_cast<uintptr_t>(end);
    auto begin = reinterpret_cast<uintptr_t>(text.data());
    if (passed && at >= begin && at <= begin + text.size()) passed(at - begin);
  }
};

// The first byte of an encoded body that is not ASCII (npos: none), telling `pass` how far
// it has read. Python decodes base64 and quoted-printable text from its raw-unicode-escape,
// not its UTF-8: U+00A0 is one byte there, which is not a blank, and é one that is not UTF-8.
size_t FirstNonAscii(std::string_view body, const TextPass& pass) {
  constexpr size_t kStep = 1 << 20;
  for (size_t at = 0; at < body.size(); at += kStep) {
    std::string_view step = body.substr(at, kStep);
    auto bad = std::find_if(step.begin(), step.end(), [](char c) { return (c & 0x80) != 0; });
    if (bad != step.end()) return at + (bad - step.begin());
    pass.ReadTo(step.data() + step.size());
  }
  return std::string_view::npos;
}

Result<Leaf> LeafFromEntity(const MimeEntity& e, const std::string& where, const ParseOptions& o,
                            const TextPass& pass) {
  Leaf leaf;
  leaf.ctype = ContentTypeOf(e);
  leaf.declared = DeclaredTypeOf(e).value_or("");
  std::string cte;
  if (const std::string* v = FindHeader(e, "content-transfer-encoding")) cte = ToLower(*v);
  Result<TransferEncoding> encoding = TransferEncodingOf(cte);
  if (!encoding.ok()) return Error(ErrorCode::kInvalidInput, where + encoding.error().message());
  const TransferEncoding te = *encoding;
  size_t bad = te == TransferEncoding::kNone ? std::string_view::npos : FirstNonAscii(e.body, pass);
  if (bad != std::string_view::npos) {
    return Error(ErrorCode::kInvalidInput,
                 where + "the " + cte + " content holds a non-ASCII character at byte " +
                     std::to_string(bad) + " (cloud-init decodes it otherwise, or fails)");
  }
  Result<std::optional<Payload>> decoded =
      DecodePart(e.body, te, o, [&](size_t offset) { pass.ReadTo(e.body.data() + offset); });
  if (!decoded.ok()) return decoded.error();
  if (!*decoded) return Error(ErrorCode::kInvalidInput, where + "the base64 content is corrupt");
  leaf.payload = std::move(**decoded);
  leaf.filename = FilenameOf(e, true);
  leaf.filename_no_name = FilenameOf(e, false);
  leaf.charset = ToLower(ParamOf(e, "charset").value_or(""));
  if (const std::string* li = FindHeader(e, "launch-index")) leaf.launch_index = *li;
  for (const auto& h : e.headers) {
    if (KeepHeader(h.name)) leaf.headers.emplace_back(h.name, h.value);
  }
  return leaf;
}

Status Walk(const MimeEntity& e, Builder* b, const TextPass& pass) {
  if (e.multipart) {
    for (const auto& child : e.children) {
      if (Status st = Walk(child, b, pass); !st.ok()) return st;
    }
    return Ok();
  }
  auto leaf = LeafFromEntity(e, b->Where(), b->options(), pass);
  if (!leaf.ok()) return std::move(leaf).error();
  const std::string* cte = FindHeader(e, "content-transfer-encoding");
  leaf->held_as_str = !cte || (!IEquals(*cte, "base64") && !IEquals(*cte, "quoted-printable"));
  return b->ProcessLeaf(std::move(*leaf));
}

bool LooksLikeMime(std::string_view data) {
  return ToLower(data.substr(0, 4096)).find("mime-version:") != std::string::npos;
}

Status CheckInputSize(uint64_t size, const ParseLimits& limits) {
  if (size <= limits.max_input_bytes) return Ok();
  return Error(ErrorCode::kLimitExceeded, "user data is " + std::to_string(size) +
                                              " bytes, over the limit of " +
                                              std::to_string(limits.max_input_bytes));
}

// A document that is not MIME: one text/x-not-multipart part, re-typed by its first line.
Result<std::vector<Part>> OnePart(Builder& b, Payload payload) {
  Leaf leaf;
  leaf.ctype = kTypeNotMultipart;
  leaf.payload = std::move(payload);
  if (Status st = b.ProcessLeaf(std::move(leaf)); !st.ok()) return std::move(st).error();
  return b.Take();
}

// Parse(), telling `passed` how far each pass over the text has read; a gunzipped MIME text
// is mapped from where the writer put it, and gives its own pages back.
Result<std::vector<Part>> ParseText(std::string_view blob, const ParseOptions& options,
                                    Passed passed) {
  const ParseLimits& limits = options.limits;
  if (Status s = CheckInputSize(blob.size(), limits); !s.ok()) return s.error();
  Builder b(options);
  Payload decoded;       // a gunzipped blob
  PayloadView inflated;  // which `data` views
  std::string_view data = blob;
  if (HasGzipMagic(blob)) {
    uint64_t before = *b.budget();
    Result<Inflated> r = Inflate(blob, b.budget(), options, passed);
    if (!r.ok()) return std::move(r).error();
    if (r->status == GunzipStatus::kLimitExceeded) return b.DecompressLimit().error();
    if (r->status == GunzipStatus::kOk && !LooksLikeMime(r->payload.head())) {
      return OnePart(b, std::move(r->payload));  // where the writer put it, never copied
    }
    if (r->status == GunzipStatus::kOk) {
      decoded = std::move(r->payload);
      Result<PayloadView> all = decoded.View(limits.max_decompressed_bytes);
      if (!all.ok()) return all.error();
      inflated = std::move(*all);
      data = inflated.bytes();
      passed = [&inflated](size_t offset) { inflated.Release(offset); };
    } else if (options.strict_encodings) {
      return Error(ErrorCode::kInvalidInput, "the gzip data is corrupt: " + r->cause);
    } else {
      *b.budget() = before;  // cloud-init keeps the blob as it is
    }
  }
  if (!LooksLikeMime(data)) return OnePart(b, std::string(data));
  size_t bad = 0;
  if (!IsValidUtf8(data, &bad, passed)) {
    return Error(ErrorCode::kInvalidInput, "MIME user data is not valid UTF-8 at byte " +
                                               std::to_string(bad) +
                                               " (cloud-init fails on it too)");
  }
  MimeLimits mime_limits;
  mime_limits.max_depth = limits.max_depth;
  mime_limits.max_header_bytes = limits.max_header_bytes;
  mime_limits.max_leaves = limits.max_parts;
  auto root = ParseMime(data, mime_limits, passed);
  if (!root.ok()) return std::move(root).error();
  CrossCheckLimits check_limits;
  check_limits.max_leaves = limits.max_parts;
  if (Status st = CrossCheckMime(data, *root, check_limits, passed); !st.ok()) {
    return std::move(st).error();
  }
  if (Status st = Walk(*root, &b, TextPass{data, passed}); !st.ok()) return std::move(st).error();
  return b.Take();
}

}  // namespace

Result<std::vector<Part>> ParseObject(const Payload& body, const ParseOptions& options) {
  if (const std::string* bytes = body.memory()) return Parse(*bytes, options);
  if (Status s = CheckInputSize(body.size(), options.limits); !s.ok()) return s.error();
  // Gzip and MIME objects are parsed as user data is, from a read-only mapping of the file
  // (what a gzip one holds, and MIME parts, go through new_decoded_writer); a plain object
  // (one part: a script, a cloud-config) stays in its file.
  if (HasGzipMagic(body.head()) || LooksLikeMime(body.head())) {
    Result<PayloadView> all = body.View(options.limits.max_input_bytes);
    if (!all.ok()) return all.error();
    return ParseText(all->bytes(), options, [&all](size_t offset) { all->Release(offset); });
  }
  Builder b(options);
  return OnePart(b, body);
}

Result<std::vector<Part>> Parse(std::string_view blob, const ParseOptions& options) {
  return ParseText(blob, options, nullptr);
}

}  // namespace s3us::userdata
