// libcurl_floor: the least work a client built on libcurl must do for the fetch table, to
// measure what the HTTP stack we ship on (real HTTP over libcurl) costs on this machine before
// any of our own work.
//
//   libcurl_floor IMDS_URL S3_URL BUCKET N K
//
// IMDSv2 token, role name and role credentials (three round trips, as every row), then GET
// /BUCKET/obj-000.sh ... obj-(N-1).sh with K requests in flight, all from one thread and one
// multi handle driven as net/curl_transport.cc drives it (curl_multi_perform, then
// curl_multi_poll), each body kept in memory as `plan` keeps it. Like floor_client it sends
// the issued key id and session token the fast emulator checks but computes no signature,
// parses no user data and verifies nothing: a floor, not a competitor, answered only by the
// fast emulator. Exit 0 when every object arrived with status 200; else 1 and one line on
// stderr.
#include <curl/curl.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace {

[[noreturn]] void Fail(const std::string& why) {
  std::fprintf(stderr, "libcurl_floor: %s\n", why.c_str());
  std::exit(1);
}

size_t Append(char* data, size_t size, size_t count, void* body) {
  static_cast<std::string*>(body)->append(data, size * count);
  return size * count;
}

struct Transfer {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> easy{curl_easy_init(), curl_easy_cleanup};
  std::string url;
  std::string body;
};

void Configure(Transfer& t, curl_slist* headers) {
  if (!t.easy) Fail("curl_easy_init failed");
  curl_easy_setopt(t.easy.get(), CURLOPT_URL, t.url.c_str());
  // As net/curl_transfer.cc: without it libcurl installs a SIGPIPE handler around every
  // perform (two sigactions per handle), which is not HTTP's cost.
  curl_easy_setopt(t.easy.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(t.easy.get(), CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(t.easy.get(), CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(t.easy.get(), CURLOPT_WRITEDATA, &t.body);
}

// Runs the multi handle until every transfer on it is done; the number answered with 200.
int Drive(CURLM* multi) {
  int running = 1;
  while (running > 0) {
    if (curl_multi_perform(multi, &running) != CURLM_OK) Fail("curl_multi_perform failed");
    if (running > 0) curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
  }
  int ok = 0, left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
    long status = 0;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
    if (msg->msg == CURLMSG_DONE && msg->data.result == CURLE_OK && status == 200) ++ok;
    curl_multi_remove_handle(multi, msg->easy_handle);
  }
  return ok;
}

std::string Exchange(CURLM* multi, const std::string& url, curl_slist* headers, bool put) {
  Transfer t;
  t.url = url;
  Configure(t, headers);
  if (put) curl_easy_setopt(t.easy.get(), CURLOPT_CUSTOMREQUEST, "PUT");
  curl_multi_add_handle(multi, t.easy.get());
  if (Drive(multi) != 1) Fail("IMDS did not answer 200 for " + url);
  return t.body;
}

std::string JsonField(const std::string& json, const std::string& name) {
  size_t at = json.find("\"" + name + "\"");
  size_t open = at == std::string::npos ? at : json.find('"', json.find(':', at) + 1);
  if (open == std::string::npos) Fail("no " + name + " in the credentials");
  return json.substr(open + 1, json.find('"', open + 1) - open - 1);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) Fail("usage: libcurl_floor IMDS_URL S3_URL BUCKET N K");
  const std::string imds = argv[1], s3 = argv[2], bucket = argv[3];
  const int n = std::atoi(argv[4]), k = std::max(1, std::min(std::atoi(argv[5]), n));
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) Fail("curl_global_init failed");
  std::unique_ptr<CURLM, decltype(&curl_multi_cleanup)> multi(curl_multi_init(),
                                                              curl_multi_cleanup);
  curl_multi_setopt(multi.get(), CURLMOPT_MAX_HOST_CONNECTIONS, static_cast<long>(k));
  curl_multi_setopt(multi.get(), CURLMOPT_MAXCONNECTS, static_cast<long>(k + 4));

  curl_slist* ttl = curl_slist_append(nullptr, "X-aws-ec2-metadata-token-ttl-seconds: 21600");
  const std::string token = Exchange(multi.get(), imds + "/latest/api/token", ttl, true);
  curl_slist* auth = curl_slist_append(nullptr, ("X-aws-ec2-metadata-token: " + token).c_str());
  const std::string roles = imds + "/latest/meta-data/iam/security-credentials/";
  const std::string role = Exchange(multi.get(), roles, auth, false);
  const std::string creds = Exchange(multi.get(), roles + role, auth, false);

  const std::string key_id = JsonField(creds, "AccessKeyId");
  curl_slist* signed_headers = curl_slist_append(
      nullptr, ("Authorization: AWS4-HMAC-SHA256 Credential=" + key_id +
                "/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0")
                   .c_str());
  signed_headers = curl_slist_append(
      signed_headers, ("x-amz-security-token: " + JsonField(creds, "Token")).c_str());
  std::vector<Transfer> objects(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "/obj-%03d.sh", i);
    objects[static_cast<size_t>(i)].url = s3 + "/" + bucket + name;
    Configure(objects[static_cast<size_t>(i)], signed_headers);
    curl_multi_add_handle(multi.get(), objects[static_cast<size_t>(i)].easy.get());
  }
  const int ok = Drive(multi.get());
  if (ok != n) Fail(std::to_string(n - ok) + " of " + std::to_string(n) + " GETs failed");
  objects.clear();
  multi.reset();
  curl_slist_free_all(signed_headers);
  curl_slist_free_all(auth);
  curl_slist_free_all(ttl);
  return 0;
}
