"""A small forward HTTP proxy on loopback for the proxy tests (not a test module).

Plain requests ("GET http://host:port/path") are recorded and forwarded to 127.0.0.1 on the
same port, so names only the proxy can "resolve" (s3.proxied.test) reach the emulators: a
request that arrives proves it went through the proxy. CONNECT is recorded and refused with
403, so a test sees what the binary says when the proxy fails an https request.
"""

import http.client
import http.server
import threading
import urllib.parse


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *args):
        pass

    def _forward(self):
        self.server.seen.append((self.command, self.path))
        target = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length else None
        conn = http.client.HTTPConnection('127.0.0.1', target.port or 80, timeout=30)
        path = target.path + ('?' + target.query if target.query else '')
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() not in ('proxy-connection', 'connection')}
        conn.request(self.command, path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in ('transfer-encoding', 'connection', 'content-length'):
                self.send_header(k, v)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(data)
        conn.close()

    do_GET = do_HEAD = do_PUT = do_POST = _forward

    def do_CONNECT(self):
        self.server.seen.append(('CONNECT', self.path))
        self.send_response(403, 'Forbidden')
        self.send_header('Content-Length', '0')
        self.end_headers()


class LoopbackProxy:
    """with LoopbackProxy() as p: p.url, p.seen (list of (method, target))."""

    def __enter__(self):
        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), _Handler)
        self.server.daemon_threads = True
        self.server.seen = []
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self):
        return f'http://127.0.0.1:{self.server.server_address[1]}'

    @property
    def seen(self):
        return list(self.server.seen)
