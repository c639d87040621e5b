// fast_emulator: a bench-only loopback IMDSv2 + S3 server that is not the bottleneck.
//
//   fast_emulator --root DIR --port-file FILE [--latency-ms 20]
//
// One thread, epoll, HTTP/1.1 keep-alive, TCP_NODELAY. Every request is answered exactly
// --latency-ms after it has been read (a FIFO of deadlines behind one timerfd: all requests
// wait concurrently, none serialises another), and each response -- status line, headers and
// body -- goes out in one write(). Two listening sockets on 127.0.0.1; FILE gets
// "IMDS_PORT S3_PORT".
//
// IMDS: PUT /latest/api/token, then with that token: the role listing, the role's credentials
// (one random set per process), the instance-identity document and a few metadata paths.
// S3: GET/HEAD /BUCKET/KEY (path style) of the file DIR/BUCKET/KEY, read on each request,
// with Content-Length, ETag (MD5) and, when x-amz-checksum-mode is ENABLED,
// x-amz-checksum-sha256.
//
// It does NOT verify SigV4 signatures (scripts/emulators/s3.py does, with botocore, in the
// functional tests). It refuses (403) any S3 request whose Authorization is not
// "AWS4-HMAC-SHA256 Credential=<the issued access key id>/..." or whose x-amz-security-token
// is not the issued token, so a client cannot pass the bench unsigned or without the
// IMDS credentials. GET /__stats on either port (no latency, no auth) answers
// {"imds":{"total":T,"max_in_flight":M,"arrival_spread_ms":S},"s3":{...}} (S: from the first
// request since the last /__stats to the last) and resets M and S.
// Secrets are never printed.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <deque>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace {

enum Service { kImds = 0, kS3 = 1 };
const char* const kServiceName[] = {"imds", "s3"};

struct Conn {
  int fd = -1;
  Service service = kImds;
  uint64_t serial = 0;
  std::string in;        // bytes read, not yet consumed
  std::string out;       // the response waiting for its deadline, or its unsent rest
  bool waiting = false;  // a response is queued on the timer or being written
  bool queued = false;   // counted in flight: its deadline has not come
  bool close_after = false;
};

struct Pending {
  int64_t due_ns;
  int fd;
  uint64_t serial;
};

struct Stats {
  uint64_t total = 0;
  int in_flight = 0;
  int max_in_flight = 0;
  int64_t first_ns = 0, last_ns = 0;  // arrivals since the last /__stats
};

int64_t NowNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

std::string RandomText(size_t n, std::string_view alphabet) {
  std::string out(n, '\0');
  std::ifstream urandom("/dev/urandom", std::ios::binary);
  for (char& c : out) c = alphabet[static_cast<unsigned char>(urandom.get()) % alphabet.size()];
  return out;
}

std::string Digest(const EVP_MD* md, std::string_view data) {
  unsigned char buf[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_Digest(data.data(), data.size(), buf, &len, md, nullptr);
  return std::string(reinterpret_cast<char*>(buf), len);
}

std::string Hex(std::string_view bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) out += {kDigits[b >> 4], kDigits[b & 15]};
  return out;
}

std::string Base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(n);
  return out;
}

std::string HttpDate(time_t t, const char* format = "%a, %d %b %Y %H:%M:%S GMT") {
  char buf[64];
  tm g{};
  gmtime_r(&t, &g);
  strftime(buf, sizeof buf, format, &g);
  return buf;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && isxdigit(s[i + 1]) && isxdigit(s[i + 2])) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

struct Request {
  std::string method, path;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

class Server {
 public:
  Server(std::string root, int64_t latency_ns) : root_(std::move(root)), latency_ns_(latency_ns) {
    const char* kUpper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    const char* kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    imds_token_ = "AQAEA" + RandomText(51, kB64);
    access_key_ = "ASIA" + RandomText(16, kUpper);
    secret_key_ = RandomText(40, kB64);
    session_token_ = RandomText(300, kB64);
  }

  int Run(const char* port_file);

 private:
  int Listen(Service service, int* port);
  void Accept(int lfd, Service service);
  void Read(Conn& c);
  void Parse(Conn& c);
  void Send(Conn& c);
  void Close(Conn& c);
  void ArmTimer();
  std::string Answer(Service service, const Request& r, bool* immediate);
  std::string Imds(const Request& r);
  std::string S3(const Request& r);

  std::string root_;
  int64_t latency_ns_;
  int epoll_ = -1, timer_ = -1;
  uint64_t next_serial_ = 1;
  std::map<int, Conn> conns_;
  std::deque<Pending> pending_;  // deadlines in arrival order: one latency, so sorted
  Stats stats_[2];
  std::string imds_token_, access_key_, secret_key_, session_token_;
};

std::string Response(int status, const char* reason, std::string_view type, std::string_view body,
                     const std::string& extra = "", bool head = false) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\n";
  out += "Date: " + HttpDate(time(nullptr)) + "\r\nContent-Type: " + std::string(type) + "\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n" + extra + "\r\n";
  if (!head) out += body;
  return out;
}

std::string NotFound() { return Response(404, "Not Found", "text/plain", "Not Found\n"); }

std::string Server::Imds(const Request& r) {
  if (r.path == "/latest/api/token") {
    std::string ttl = r.Header("x-aws-ec2-metadata-token-ttl-seconds");
    if (r.method != "PUT" || ttl.empty()) return Response(400, "Bad Request", "text/plain", "");
    return Response(200, "OK", "text/plain", imds_token_,
                    "X-aws-ec2-metadata-token-ttl-seconds: " + ttl + "\r\n");
  }
  if (r.Header("x-aws-ec2-metadata-token") != imds_token_)
    return Response(401, "Unauthorized", "text/plain", "");
  const std::string role = "bench-role";
  if (r.path == "/latest/meta-data/iam/security-credentials/")
    return Response(200, "OK", "text/plain", role);
  if (r.path == "/latest/meta-data/iam/security-credentials/" + role) {
    time_t now = time(nullptr);
    const char* iso = "%Y-%m-%dT%H:%M:%SZ";
    return Response(200, "OK", "text/plain",
                    "{\n  \"Code\" : \"Success\",\n  \"LastUpdated\" : \"" + HttpDate(now, iso) +
                        "\",\n  \"Type\" : \"AWS-HMAC\",\n  \"AccessKeyId\" : \"" + access_key_ +
                        "\",\n  \"SecretAccessKey\" : \"" + secret_key_ + "\",\n  \"Token\" : \"" +
                        session_token_ + "\",\n  \"Expiration\" : \"" +
                        HttpDate(now + 6 * 3600, iso) + "\"\n}");
  }
  static const std::map<std::string, std::string> kMeta = {
      {"/latest/dynamic/instance-identity/document",
       "{\n  \"accountId\" : \"123456789012\",\n  \"architecture\" : \"x86_64\",\n"
       "  \"availabilityZone\" : \"us-east-1a\",\n  \"imageId\" : \"ami-0abcdef1234567890\",\n"
       "  \"instanceId\" : \"i-0123456789abcdef0\",\n  \"instanceType\" : \"m5.large\",\n"
       "  \"privateIp\" : \"172.31.16.10\",\n  \"region\" : \"us-east-1\",\n"
       "  \"version\" : \"2017-09-30\"\n}"},
      {"/latest/meta-data/instance-id", "i-0123456789abcdef0"},
      {"/latest/meta-data/instance-type", "m5.large"},
      {"/latest/meta-data/placement/region", "us-east-1"},
      {"/latest/meta-data/placement/availability-zone", "us-east-1a"},
      {"/latest/meta-data/services/domain", "amazonaws.com"},
      {"/latest/meta-data/services/partition", "aws"}};
  auto it = kMeta.find(r.path);
  return it == kMeta.end() ? NotFound() : Response(200, "OK", "text/plain", it->second);
}

std::string S3Error(int status, const char* reason, const char* code) {
  return Response(status, reason, "application/xml",
                  std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>") + code +
                      "</Code><Message>" + code + "</Message></Error>");
}

std::string Server::S3(const Request& r) {
  const std::string want = "AWS4-HMAC-SHA256 Credential=" + access_key_ + "/";
  if (r.Header("authorization").compare(0, want.size(), want) != 0 ||
      r.Header("x-amz-security-token") != session_token_)
    return S3Error(403, "Forbidden", "AccessDenied");
  if (r.method != "GET" && r.method != "HEAD")
    return S3Error(405, "Method Not Allowed", "MethodNotAllowed");
  std::string key = PercentDecode(r.path);
  if (key.find("/../") != std::string::npos || key.find("/./") != std::string::npos)
    return S3Error(400, "Bad Request", "InvalidURI");
  std::ifstream f(root_ + key, std::ios::binary);
  struct stat st {};
  if (!f || stat((root_ + key).c_str(), &st) != 0 || !S_ISREG(st.st_mode))
    return S3Error(404, "Not Found", "NoSuchKey");
  std::string data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::string extra = "Last-Modified: " + HttpDate(st.st_mtime) + "\r\nETag: \"" +
                      Hex(Digest(EVP_md5(), data)) + "\"\r\nAccept-Ranges: bytes\r\n";
  if (r.Header("x-amz-checksum-mode") == "ENABLED")
    extra += "x-amz-checksum-sha256: " + Base64(Digest(EVP_sha256(), data)) + "\r\n";
  return Response(200, "OK", "binary/octet-stream", data, extra, r.method == "HEAD");
}

std::string Server::Answer(Service service, const Request& r, bool* immediate) {
  *immediate = r.path == "/__stats";
  if (*immediate) {
    std::string body = "{";
    for (int s = 0; s < 2; ++s) {
      body += std::string(s ? "," : "") + "\"" + kServiceName[s] +
              "\":{\"total\":" + std::to_string(stats_[s].total) +
              ",\"max_in_flight\":" + std::to_string(stats_[s].max_in_flight) +
              ",\"arrival_spread_ms\":" +
              std::to_string((stats_[s].last_ns - stats_[s].first_ns) / 1000000.0) + "}";
      stats_[s].max_in_flight = stats_[s].in_flight;
      stats_[s].first_ns = stats_[s].last_ns = 0;
    }
    return Response(200, "OK", "application/json", body + "}");
  }
  Stats& st = stats_[service];
  ++st.total;
  st.last_ns = NowNs();
  if (st.first_ns == 0) st.first_ns = st.last_ns;
  st.max_in_flight = std::max(st.max_in_flight, ++st.in_flight);
  return service == kImds ? Imds(r) : S3(r);
}

// One whole request at the front of c.in: answered now (stats) or queued on the timer.
void Server::Parse(Conn& c) {
  size_t end = c.in.find("\r\n\r\n");
  if (c.waiting || end == std::string::npos) return;
  Request r;
  std::string_view head(c.in.data(), end);
  size_t eol = head.find("\r\n");
  std::string_view line = head.substr(0, eol);
  size_t sp1 = line.find(' '), sp2 = line.rfind(' ');
  r.method = std::string(line.substr(0, sp1));
  r.path = std::string(line.substr(sp1 + 1, sp2 - sp1 - 1));
  r.path = r.path.substr(0, r.path.find('?'));
  while (eol != std::string_view::npos) {
    size_t next = head.find("\r\n", eol + 2);
    std::string_view h =
        head.substr(eol + 2, next == std::string_view::npos ? next : next - eol - 2);
    size_t colon = h.find(':');
    if (colon != std::string_view::npos) {
      std::string name(h.substr(0, colon));
      for (char& ch : name) ch = static_cast<char>(tolower(static_cast<unsigned char>(ch)));
      size_t v = h.find_first_not_of(' ', colon + 1);
      r.headers[name] = v == std::string_view::npos ? "" : std::string(h.substr(v));
    }
    eol = next;
  }
  size_t body = r.Header("content-length").empty() ? 0 : std::stoul(r.Header("content-length"));
  if (c.in.size() < end + 4 + body) return;  // the body has not all arrived
  c.in.erase(0, end + 4 + body);
  c.close_after = r.Header("connection") == "close";
  bool immediate = false;
  c.out = Answer(c.service, r, &immediate);
  c.waiting = true;
  if (immediate) return Send(c);
  c.queued = true;
  pending_.push_back({NowNs() + latency_ns_, c.fd, c.serial});
  if (pending_.size() == 1) ArmTimer();
}

void Server::ArmTimer() {
  itimerspec when{};
  if (!pending_.empty()) {
    when.it_value.tv_sec = pending_.front().due_ns / 1000000000;
    when.it_value.tv_nsec = pending_.front().due_ns % 1000000000;
  }
  timerfd_settime(timer_, TFD_TIMER_ABSTIME, &when, nullptr);
}

// Writes c.out: in one write() unless the socket buffer is full (then the rest on EPOLLOUT).
void Server::Send(Conn& c) {
  while (!c.out.empty()) {
    ssize_t n = write(c.fd, c.out.data(), c.out.size());
    if (n < 0 && errno == EAGAIN) {
      epoll_event ev{EPOLLIN | EPOLLOUT, {.fd = c.fd}};
      epoll_ctl(epoll_, EPOLL_CTL_MOD, c.fd, &ev);
      return;
    }
    if (n <= 0) return Close(c);
    c.out.erase(0, n);
  }
  epoll_event ev{EPOLLIN, {.fd = c.fd}};
  epoll_ctl(epoll_, EPOLL_CTL_MOD, c.fd, &ev);
  c.waiting = false;
  if (c.close_after) return Close(c);
  Parse(c);
}

void Server::Close(Conn& c) {
  if (c.queued) --stats_[c.service].in_flight;
  close(c.fd);
  conns_.erase(c.fd);  // pending entries for it no longer match a live serial
}

void Server::Read(Conn& c) {
  char buf[65536];
  for (;;) {
    ssize_t n = read(c.fd, buf, sizeof buf);
    if (n > 0) {
      c.in.append(buf, n);
      continue;
    }
    if (n < 0 && errno == EAGAIN) break;
    return Close(c);  // EOF or error
  }
  Parse(c);
}

void Server::Accept(int lfd, Service service) {
  for (;;) {
    int fd = accept4(lfd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    Conn& c = conns_[fd];
    c = Conn();
    c.fd = fd;
    c.service = service;
    c.serial = next_serial_++;
    epoll_event ev{EPOLLIN, {.fd = fd}};
    epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev);
  }
}

int Server::Listen(Service service, int* port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), len) != 0 || listen(fd, 4096) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    perror(kServiceName[service]);
    exit(1);
  }
  *port = ntohs(a.sin_port);
  epoll_event ev{EPOLLIN, {.fd = fd}};
  epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev);
  return fd;
}

int Server::Run(const char* port_file) {
  epoll_ = epoll_create1(EPOLL_CLOEXEC);
  timer_ = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  epoll_event tev{EPOLLIN, {.fd = timer_}};
  epoll_ctl(epoll_, EPOLL_CTL_ADD, timer_, &tev);
  int ports[2];
  int listeners[2] = {Listen(kImds, &ports[0]), Listen(kS3, &ports[1])};
  std::string tmp = std::string(port_file) + ".tmp";
  if (FILE* f = fopen(tmp.c_str(), "w")) {
    fprintf(f, "%d %d\n", ports[0], ports[1]);
    fclose(f);
    rename(tmp.c_str(), port_file);
  }
  epoll_event events[256];
  for (;;) {
    int n = epoll_wait(epoll_, events, 256, -1);
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      if (fd == listeners[0] || fd == listeners[1]) {
        Accept(fd, fd == listeners[0] ? kImds : kS3);
      } else if (fd == timer_) {
        uint64_t expirations;
        (void)!read(timer_, &expirations, sizeof expirations);
        int64_t now = NowNs();
        while (!pending_.empty() && pending_.front().due_ns <= now) {
          Pending p = pending_.front();
          pending_.pop_front();
          auto it = conns_.find(p.fd);
          if (it == conns_.end() || it->second.serial != p.serial) continue;
          --stats_[it->second.service].in_flight;
          it->second.queued = false;
          Send(it->second);
        }
        ArmTimer();
      } else if (auto it = conns_.find(fd); it != conns_.end()) {
        if ((events[i].events & EPOLLOUT) && it->second.waiting) Send(it->second);
        if (auto again = conns_.find(fd); again != conns_.end() && (events[i].events & EPOLLIN))
          Read(again->second);
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string root, port_file;
  long latency_ms = 20;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view flag = argv[i];
    if (flag == "--root")
      root = argv[i + 1];
    else if (flag == "--port-file")
      port_file = argv[i + 1];
    else if (flag == "--latency-ms")
      latency_ms = std::stol(argv[i + 1]);
  }
  if (root.empty() || port_file.empty()) {
    fprintf(stderr, "usage: fast_emulator --root DIR --port-file FILE [--latency-ms MS]\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  return Server(root, latency_ms * 1000000).Run(port_file.c_str());
}
