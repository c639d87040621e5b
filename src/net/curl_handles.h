// Move-only RAII owners of libcurl's C handles (easy, multi, header list) and the one
// process-wide curl_global_init. Only net/curl_*.cc include this; nothing here knows
// about requests or errors.
#ifndef S3US_NET_CURL_HANDLES_H_
#define S3US_NET_CURL_HANDLES_H_

#include <curl/curl.h>

#include <memory>

namespace s3us::net {

// Calls curl_global_init exactly once per process (std::call_once); curl_global_init is
// not thread-safe, so every CurlTransport goes through here before its first handle.
// Returns false if libcurl could not initialise.
bool EnsureCurlGlobalInit();

struct EasyDeleter {
  void operator()(CURL* h) const noexcept { curl_easy_cleanup(h); }
};
struct MultiDeleter {
  void operator()(CURLM* h) const noexcept { curl_multi_cleanup(h); }
};
struct SListDeleter {
  void operator()(curl_slist* l) const noexcept { curl_slist_free_all(l); }
};
struct UrlDeleter {
  void operator()(CURLU* u) const noexcept { curl_url_cleanup(u); }
};

using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;
using MultiHandle = std::unique_ptr<CURLM, MultiDeleter>;
using UrlHandle = std::unique_ptr<CURLU, UrlDeleter>;

// A header list that can only grow; libcurl keeps a pointer to it, so it must outlive
// the transfer (CurlTransfer owns both).
class SList {
 public:
  SList() = default;
  // Returns false when libcurl is out of memory (the list is left unchanged).
  bool Append(const char* line) {
    curl_slist* next = curl_slist_append(list_.get(), line);
    if (next == nullptr) return false;
    (void)list_.release();
    list_.reset(next);
    return true;
  }
  curl_slist* get() const { return list_.get(); }

 private:
  std::unique_ptr<curl_slist, SListDeleter> list_;
};

}  // namespace s3us::net

#endif  // S3US_NET_CURL_HANDLES_H_
