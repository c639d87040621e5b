// floor_client: the least work any client must do for the fetch table, to measure what this
// machine and the bench emulator allow before any real client's cost.
//
//   floor_client IMDS_URL S3_URL BUCKET N K
//
// IMDSv2 token, role name and role credentials over one keep-alive connection (three round
// trips, as every row), then GET /BUCKET/obj-000.sh ... obj-(N-1).sh with K requests in flight
// on K keep-alive connections, one epoll thread, each body kept in memory as `plan` keeps it.
// It sends the issued key id and session token the fast emulator checks but computes no
// signature, parses no user data and verifies nothing: it is a floor, not a competitor, and
// only the fast emulator (bench/fast_emulator.cc, no signature check) answers it.
// Exit 0 when every object arrived with status 200; else 1 and one line on stderr.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

[[noreturn]] void Fail(const std::string& why) {
  std::fprintf(stderr, "floor_client: %s\n", why.c_str());
  std::exit(1);
}

int Port(const std::string& url) {  // "http://127.0.0.1:PORT"
  size_t colon = url.rfind(':');
  if (url.rfind("http://127.0.0.1:", 0) != 0 || colon == std::string::npos)
    Fail("expected http://127.0.0.1:PORT, got " + url);
  return std::atoi(url.c_str() + colon + 1);
}

int Dial(int port, bool nonblocking) {
  int fd = socket(AF_INET, SOCK_STREAM | (nonblocking ? SOCK_NONBLOCK : 0), 0);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 && errno != EINPROGRESS)
    Fail(std::string("connect: ") + std::strerror(errno));
  return fd;
}

// Bytes of one whole response at the front of `in` (0: not all here yet); sets status/body.
size_t Complete(const std::string& in, int* status, std::string* body) {
  size_t head = in.find("\r\n\r\n");
  if (head == std::string::npos) return 0;
  size_t cl = in.find("Content-Length: ");
  if (cl == std::string::npos || cl > head) Fail("a response without Content-Length");
  size_t total = head + 4 + std::strtoul(in.c_str() + cl + 16, nullptr, 10);
  if (in.size() < total) return 0;
  *status = std::atoi(in.c_str() + 9);
  *body = in.substr(head + 4, total - head - 4);
  return total;
}

std::string Exchange(int fd, const std::string& request) {
  if (write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size()))
    Fail("short write to IMDS");
  std::string in, body;
  char buf[16384];
  int status = 0;
  while (Complete(in, &status, &body) == 0) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) Fail("IMDS closed the connection");
    in.append(buf, static_cast<size_t>(n));
  }
  if (status != 200) Fail("IMDS answered " + std::to_string(status));
  return body;
}

std::string JsonField(const std::string& json, const std::string& name) {
  size_t at = json.find("\"" + name + "\"");
  size_t open = at == std::string::npos ? at : json.find('"', json.find(':', at) + 1);
  if (open == std::string::npos) Fail("no " + name + " in the credentials");
  return json.substr(open + 1, json.find('"', open + 1) - open - 1);
}

struct Conn {
  int fd = -1;
  int object = -1;  // the object being fetched; -1 before the first request
  std::string in;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) Fail("usage: floor_client IMDS_URL S3_URL BUCKET N K");
  const int imds_port = Port(argv[1]), s3_port = Port(argv[2]);
  const std::string bucket = argv[3];
  const int n = std::atoi(argv[4]), k = std::max(1, std::min(std::atoi(argv[5]), n));

  int imds = Dial(imds_port, false);
  std::string token = Exchange(imds,
                               "PUT /latest/api/token HTTP/1.1\r\nHost: 169.254.169.254\r\n"
                               "X-aws-ec2-metadata-token-ttl-seconds: 21600\r\n\r\n");
  std::string auth = "Host: 169.254.169.254\r\nX-aws-ec2-metadata-token: " + token + "\r\n\r\n";
  const std::string path = "/latest/meta-data/iam/security-credentials/";
  std::string role = Exchange(imds, "GET " + path + " HTTP/1.1\r\n" + auth);
  role = role.substr(0, role.find('\n'));
  std::string creds = Exchange(imds, "GET " + path + role + " HTTP/1.1\r\n" + auth);
  close(imds);
  const std::string headers = "Host: 127.0.0.1\r\nAuthorization: AWS4-HMAC-SHA256 Credential=" +
                              JsonField(creds, "AccessKeyId") +
                              "/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, "
                              "Signature=0\r\nx-amz-security-token: " +
                              JsonField(creds, "Token") +
                              "\r\nx-amz-content-sha256: UNSIGNED-PAYLOAD\r\n\r\n";

  int ep = epoll_create1(0);
  std::vector<Conn> conns(static_cast<size_t>(k));
  for (int i = 0; i < k; ++i) {
    conns[i].fd = Dial(s3_port, true);
    epoll_event e{};
    e.events = EPOLLOUT;
    e.data.u32 = static_cast<uint32_t>(i);
    epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &e);
  }
  int next = 0, done = 0;
  char buf[65536];
  epoll_event events[256];
  while (done < n) {
    int ready = epoll_wait(ep, events, 256, 10000);
    if (ready <= 0) Fail("no progress for 10 s");
    for (int r = 0; r < ready; ++r) {
      Conn& c = conns[events[r].data.u32];
      if (c.object >= 0) {  // reading a response
        ssize_t got = read(c.fd, buf, sizeof buf);
        if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (got <= 0) Fail("S3 closed a connection");
        c.in.append(buf, static_cast<size_t>(got));
        int status = 0;
        std::string body;
        if (Complete(c.in, &status, &body) == 0) continue;
        if (status != 200) Fail("S3 answered " + std::to_string(status));
        ++done;
        c.in.clear();
      }
      if (next == n) {
        epoll_ctl(ep, EPOLL_CTL_DEL, c.fd, nullptr);
        close(c.fd);
        continue;
      }
      c.object = next++;
      char key[32];
      std::snprintf(key, sizeof key, "/obj-%03d.sh", c.object);
      std::string request = "GET /" + bucket + key + " HTTP/1.1\r\n" + headers;
      if (write(c.fd, request.data(), request.size()) != static_cast<ssize_t>(request.size()))
        Fail("short write to S3");
      epoll_event e{};
      e.events = EPOLLIN;
      e.data.u32 = events[r].data.u32;
      epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &e);
    }
  }
  return 0;
}
