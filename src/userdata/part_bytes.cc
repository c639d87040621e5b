#include "userdata/part_bytes.h"

#include <memory>
#include <utility>

#include "userdata/codecs.h"

namespace s3us::userdata {
namespace {

// Where the bytes go as they come: the caller's writer when there is one, else memory.
class KeptBytes {
 public:
  explicit KeptBytes(const ParseOptions& o) : o_(o) { Restart(); }

  // At most `n` bytes are coming: memory is taken once, not grown.
  void Reserve(size_t n) {
    if (!writer_) memory_.reserve(n);
  }
  Status Write(std::string_view piece) {
    if (!writer_) {
      memory_.append(piece);
      return Ok();
    }
    return writer_->Write(piece);
  }
  // Drops what was written.
  void Restart() {
    memory_.clear();
    if (o_.new_decoded_writer) writer_ = o_.new_decoded_writer();
  }
  Result<Payload> Finish() { return writer_ ? writer_->Finish() : Payload(std::move(memory_)); }

 private:
  const ParseOptions& o_;
  std::string memory_;
  std::unique_ptr<PayloadWriter> writer_;
};

}  // namespace

Result<std::optional<Payload>> DecodePart(std::string_view body, TransferEncoding te,
                                          const ParseOptions& o, const Passed& passed) {
  KeptBytes keep(o);
  Status kept = Ok();
  DecodedSink sink = [&](std::string_view piece, size_t read_to) {
    kept = keep.Write(piece);
    if (passed) passed(read_to);
    return kept.ok();
  };
  keep.Reserve(te == TransferEncoding::kBase64 ? body.size() / 4 * 3 + 3 : body.size());
  DecodeOutcome outcome = DecodeOutcome::kDecoded;
  switch (te) {
    case TransferEncoding::kBase64:
      outcome =
          o.strict_encodings ? DecodeBase64StrictTo(body, sink) : DecodeBase64EmailTo(body, sink);
      if (outcome == DecodeOutcome::kRefused && !o.strict_encodings) {
        keep.Restart();  // email keeps the text
        outcome = StripLineBreaksTo(body, sink);
      }
      break;
    case TransferEncoding::kQuotedPrintable:
      outcome = DecodeQuotedPrintableTo(body, sink);
      break;
    case TransferEncoding::kNone:
      constexpr size_t kChunk = 4 << 20;
      for (size_t at = 0; at < body.size() && kept.ok(); at += kChunk) {
        std::string_view chunk = body.substr(at, kChunk);
        sink(chunk, at + chunk.size());
      }
      break;
  }
  if (!kept.ok()) return std::move(kept).error();
  if (outcome == DecodeOutcome::kRefused) return std::optional<Payload>();
  Result<Payload> payload = keep.Finish();
  if (!payload.ok()) return payload.error();
  return std::optional<Payload>(std::move(*payload));
}

Result<Inflated> Inflate(std::string_view in, uint64_t* budget, const ParseOptions& o,
                         const Passed& passed) {
  KeptBytes keep(o);
  Status kept = Ok();
  GunzipResult g = GunzipTo(in, budget, [&](std::string_view chunk, size_t read_to) {
    if (o.on_gunzipped) kept = o.on_gunzipped(chunk.size());
    if (kept.ok()) kept = keep.Write(chunk);
    if (passed) passed(read_to);
    return kept.ok();
  });
  if (!kept.ok()) return std::move(kept).error();
  Inflated r;
  r.status = g.status;
  r.cause = std::move(g.cause);
  if (g.status == GunzipStatus::kOk) {
    Result<Payload> payload = keep.Finish();
    if (!payload.ok()) return std::move(payload).error();
    r.payload = std::move(*payload);
  }
  return r;
}

}  // namespace s3us::userdata
