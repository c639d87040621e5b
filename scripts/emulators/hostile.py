#!/usr/bin/python3
"""A hostile or merely unusual HTTP server on raw sockets, standing in for S3
(AWS_ENDPOINT_URL_S3) or IMDS (AWS_EC2_METADATA_SERVICE_ENDPOINT): every answer is written
byte for byte as --mode says, framing faults included, which http.server cannot produce.

  --mode MODE        what every answer looks like (below)
  --body-file F      the object S3 modes serve (default: a two-line script)
  --state-dir D      the emulators' state: signatures seen, and the token and keys the IMDS
                     modes hand out, are recorded there for the secret scans
  --trap-host H      also listen on H (default 127.0.0.2), same port: the other host that
                     redirect-other-host points at; each connection to it is counted

S3 modes (the object with Content-Length and its MD5 as ETag unless the mode says otherwise):
  chunked, chunked-no-evidence (no ETag), chunked-truncated (closed mid-chunk),
  chunked-over-length (chunked, with a Content-Length of 5 that the body runs past),
  chunk-overflow (a 24-digit chunk size), dribble (one byte per write), overlong (bytes past
  Content-Length), close-delimited (no length, no ETag), close-delimited-etag (no length),
  close-delimited-etag-cut (half, then FIN), drip (a byte a second), silent (never answers), endless-headers, endless-header-line,
  endless-continue (100 Continue forever), endless-body, endless-error-body (a 403),
  informational (100 and 103 first), odd-headers (ESC sequences in the version id, content
  type, Last-Modified and encryption headers), duplicate-length (two that differ), gzip-encoding
  (Content-Encoding: gzip over the gzip bytes, ETag theirs), close-at-once (FIN, no answer),
  not-http, bad-length (-1),
  partial-content (a 206 of half), checksum-garbage (x-amz-checksum-sha256 of 5000 bytes),
  error-echo (the session token and signature echoed in Code, Message and request id),
  redirect-other-host (302 to the trap host), permanent-redirect (301 PermanentRedirect with
  x-amz-bucket-region eu-west-2 once, then the object), redirect-bad-region (a region that is
  a host name), error-huge (a 32 MiB error document), error-malformed.
IMDS modes (the token, role list, identity document and credentials well, but for the one
thing the name says): imds-token-huge (8 MiB), imds-token-control (CR LF and ESC in it),
imds-role-evil (a role name that is a path), imds-region-evil (a region that is a host
name), imds-userdata-endless, imds-creds-malformed, imds-creds-huge (4 MiB),
imds-creds-endless, imds-creds-expired.

Stats (--stats-file): total and by_request as the emulators' (by_status is not known: 0),
plus `trap_connections`. Not responsible for SigV4: nothing is verified.
"""

import argparse
import gzip
import hashlib
import json
import os
import signal
import socket
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import emu_common  # noqa: E402
import emu_state  # noqa: E402

TOKEN = 'AQAEAhostileTokenForTests0123456789abcdefghijklmnopqrstu'
DEFAULT_BODY = b'#!/bin/sh\necho hostile-served\n'
FAKE_CREDS = {'Code': 'Success', 'Type': 'AWS-HMAC', 'AccessKeyId': 'ASIAHOSTILE0000000000',
              'SecretAccessKey': 'hostileSecretKey/0123456789+abcdefghijklmn',
              'Token': 'IQoJb3JpZ2luX2VjEhostileSessionToken' + 'Q' * 300,
              'Expiration': '2099-01-01T00:00:00Z', 'LastUpdated': '2026-01-01T00:00:00Z'}


def head(status, reason, headers):
    lines = [f'HTTP/1.1 {status} {reason}'] + [f'{n}: {v}' for n, v in headers]
    return ('\r\n'.join(lines) + '\r\n\r\n').encode('latin-1')


def etag(body):
    return ('ETag', f'"{hashlib.md5(body).hexdigest()}"')


def chunked(body, size=7):
    out = b''.join(b'%x\r\n%s\r\n' % (len(body[i:i + size]), body[i:i + size])
                   for i in range(0, len(body), size))
    return out + b'0\r\n\r\n'


def ok(body, *extra):
    return head(200, 'OK', [('Content-Length', len(body)), etag(body)] + list(extra)) + body


def s3_error(status, reason, code, extra=(), message='hostile'):
    body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
            f'<Message>{message}</Message><RequestId>0</RequestId></Error>').encode()
    return head(status, reason, [('Content-Type', 'application/xml'),
                                 ('Content-Length', len(body))] + list(extra)) + body


class Server:
    def __init__(self, args):
        self.args = args
        self.stats = emu_common.Stats(args.stats_file)
        self.lock = threading.Lock()
        self.requests = 0
        self.body = DEFAULT_BODY
        if args.body_file:
            with open(args.body_file, 'rb') as f:
                self.body = f.read()
        if args.state_dir and args.mode.startswith('imds-'):
            for secret in (TOKEN, FAKE_CREDS['SecretAccessKey'], FAKE_CREDS['Token']):
                emu_state.record_secret(args.state_dir, secret)

    def count_trap(self):
        self.stats.begin()
        self.stats.end('CONNECT', self.args.trap_host, 0, ['trap_connections'])

    def next_request(self):
        with self.lock:
            self.requests += 1
            return self.requests


def read_request(conn):
    """(method, target, headers) of one request, or None when the peer closed."""
    data = b''
    while b'\r\n\r\n' not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
        if len(data) > 1 << 20:
            return None
    lines = data.split(b'\r\n\r\n', 1)[0].decode('latin-1').split('\r\n')
    method, target = lines[0].split(' ')[:2]
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(':')
        headers[name.strip().lower()] = value.strip()
    return method, target, headers


def send_slowly(conn, data, step, pause):
    for i in range(0, len(data), step):
        conn.sendall(data[i:i + step])
        time.sleep(pause)


def endless(conn, piece):
    while True:
        conn.sendall(piece)


def s3_answer(server, conn, mode, req_no, headers):
    """Writes the answer of an S3 mode; returns False when the connection must close."""
    body = server.body
    if mode == 'chunked':
        conn.sendall(head(200, 'OK', [('Transfer-Encoding', 'chunked'), etag(body)]) + chunked(body))
    elif mode == 'chunked-over-length':
        conn.sendall(head(200, 'OK', [('Transfer-Encoding', 'chunked'), ('Content-Length', 5),
                                      etag(body)]) + chunked(body))
    elif mode == 'chunked-no-evidence':
        conn.sendall(head(200, 'OK', [('Transfer-Encoding', 'chunked')]) + chunked(body))
    elif mode == 'chunked-truncated':
        data = chunked(body)
        conn.sendall(head(200, 'OK', [('Transfer-Encoding', 'chunked'), etag(body)]) +
                     data[:len(data) // 2])
        return False
    elif mode == 'chunk-overflow':
        conn.sendall(head(200, 'OK', [('Transfer-Encoding', 'chunked'), etag(body)]) +
                     b'FFFFFFFFFFFFFFFFFFFFFFFF\r\n' + body)
        return False
    elif mode == 'dribble':
        send_slowly(conn, ok(body), 1, 0.001)
    elif mode == 'overlong':
        conn.sendall(ok(body) + b'\n#!/bin/sh\necho smuggled\n')
    elif mode == 'close-delimited':
        conn.sendall(head(200, 'OK', [('Connection', 'close')]) + body)
        return False
    elif mode == 'close-delimited-etag':
        conn.sendall(head(200, 'OK', [('Connection', 'close'), etag(body)]) + body)
        return False
    elif mode == 'close-delimited-etag-cut':
        conn.sendall(head(200, 'OK', [('Connection', 'close'), etag(body)]) +
                     body[:len(body) // 2])
        return False
    elif mode == 'drip':
        conn.sendall(head(200, 'OK', [('Content-Length', len(body)), etag(body)]))
        send_slowly(conn, body, 1, 1.0)
    elif mode == 'silent':
        time.sleep(3600)
    elif mode == 'endless-headers':
        conn.sendall(b'HTTP/1.1 200 OK\r\n')
        endless(conn, b'X-Junk: ' + b'j' * 1000 + b'\r\n')
    elif mode == 'endless-continue':
        endless(conn, b'HTTP/1.1 100 Continue\r\n\r\n')
    elif mode == 'endless-header-line':
        conn.sendall(b'HTTP/1.1 200 OK\r\nX-Junk: ')
        endless(conn, b'j' * 65536)
    elif mode == 'endless-body':
        conn.sendall(head(200, 'OK', [('Transfer-Encoding', 'chunked'), etag(body)]))
        endless(conn, b'10000\r\n' + b'#' * 0x10000 + b'\r\n')
    elif mode == 'endless-error-body':
        conn.sendall(head(403, 'Forbidden', [('Transfer-Encoding', 'chunked'),
                                             ('Content-Type', 'application/xml')]))
        conn.sendall(chunked(b'<?xml version="1.0"?><Error><Code>AccessDenied</Code>')[:-5])
        endless(conn, b'10000\r\n' + (b'<Message>' * 0x10000)[:0x10000] + b'\r\n')
    elif mode == 'informational':
        conn.sendall(b'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\n'
                     b'Link: </style.css>; rel=preload\r\nContent-Length: 9999\r\n\r\n' + ok(body))
    elif mode == 'duplicate-length':
        conn.sendall(head(200, 'OK', [('Content-Length', len(body)), etag(body),
                                      ('Content-Length', len(body) + 10)]) + body + b'\n' * 10)
        return False
    elif mode == 'gzip-encoding':
        stored = gzip.compress(body, mtime=0)
        conn.sendall(ok(stored, ('Content-Encoding', 'gzip'), ('Content-Type', 'text/x-shellscript')))
    elif mode == 'close-at-once':
        return False
    elif mode == 'odd-headers':
        # Every header a plan or report shows, holding ESC sequences and a CR of its own.
        odd = '\x1b]0;owned\x07\x1b[2J x\rx ' + 'v' * 3000
        conn.sendall(ok(body, ('x-amz-version-id', odd), ('Content-Type', odd),
                        ('Last-Modified', odd), ('x-amz-server-side-encryption', odd)))
    elif mode == 'not-http':
        conn.sendall(b'SSH-2.0-OpenSSH_9.2\r\n' + body)
        return False
    elif mode == 'bad-length':
        conn.sendall(head(200, 'OK', [('Content-Length', '-1'), etag(body)]) + body)
        return False
    elif mode == 'length-past-uint64':
        # 2^64 + n: no number libcurl reads, so it would wait for a close that never comes.
        conn.sendall(head(200, 'OK', [('Content-Length', 2**64 + len(body)), etag(body)]) + body)
    elif mode == 'partial-content':
        # A 206 to a GET that asked for no range: the first half, its own length, the
        # whole object's ETag as multipart uploads have it (no MD5 of the bytes).
        half = body[:len(body) // 2]
        conn.sendall(head(206, 'Partial Content', [
            ('Content-Length', len(half)), ('ETag', '"0123456789abcdef0123456789abcdef-2"'),
            ('Content-Range', f'bytes 0-{len(half) - 1}/{len(body)}')]) + half)
    elif mode == 'checksum-garbage':
        conn.sendall(ok(body, ('x-amz-checksum-sha256', '\x1b[31m' + 'Z' * 5000)))
    elif mode == 'redirect-other-host':
        location = f'http://{server.args.trap_host}:{server.port}/bkt/obj'
        conn.sendall(s3_error(302, 'Found', 'Found', [('Location', location)]))
    elif mode == 'permanent-redirect':
        # First answer: the bucket is elsewhere (as S3 says it), then the object.
        if req_no == 1:
            conn.sendall(s3_error(301, 'Moved Permanently', 'PermanentRedirect',
                                  [('x-amz-bucket-region', 'eu-west-2')]))
        else:
            conn.sendall(ok(body))
    elif mode == 'redirect-bad-region':
        conn.sendall(s3_error(301, 'Moved Permanently', 'PermanentRedirect',
                              [('x-amz-bucket-region', 'evil.example/x?y=')]))
    elif mode == 'error-huge':
        message = 'm' * (32 << 20)
        conn.sendall(s3_error(403, 'Forbidden', 'AccessDenied', message=message))
    elif mode == 'error-echo':
        # What S3 itself echoes for SignatureDoesNotMatch, and worse: the session token and
        # the signature whole, percent-encoded and cut, in every field an error line names.
        token = headers.get('x-amz-security-token', '')
        signature = headers.get('authorization', '').rpartition('Signature=')[2]
        message = (f'token {token} encoded {urllib.parse.quote(token, safe="")} '
                   f'cut {token[:30]} signature {signature}')
        conn.sendall(s3_error(403, 'Forbidden', token[:40], message=message,
                              extra=[('x-amz-request-id', signature[:40])]))
    elif mode == 'error-malformed':
        junk = b'<Error><Code>\x1b[31mAccess\x00Denied<<Code><Message>\r\n\x07' + bytes(range(256))
        conn.sendall(head(403, 'Forbidden', [('Content-Length', len(junk))]) + junk)
    else:
        raise ValueError(f'unknown mode {mode}')
    return True


def imds_answer(server, conn, mode, method, target):
    if target == '/latest/api/token' and method == 'PUT':
        if mode == 'imds-token-huge':
            token = b'A' * (8 << 20)
        elif mode == 'imds-token-control':
            token = b'AQAE\r\nX-Injected: yes\r\n\x1b[2J' + TOKEN.encode()
        else:
            token = TOKEN.encode()
        conn.sendall(head(200, 'OK', [('Content-Length', len(token)),
                                      ('x-aws-ec2-metadata-token-ttl-seconds', '21600')]) + token)
        return True
    path = target.split('?', 1)[0]
    creds = dict(FAKE_CREDS)
    if path == '/latest/meta-data/iam/security-credentials/':
        evil = mode == 'imds-role-evil'
        body = b'../../latest/user-data?x=\x1b[2J web-role' if evil else b'web-role'
    elif path == '/latest/dynamic/instance-identity/document':
        region = 'evil.example/x?' if mode == 'imds-region-evil' else 'us-east-1'
        body = json.dumps({'instanceId': 'i-0123456789abcdef0', 'region': region,
                           'availabilityZone': 'us-east-1a', 'accountId': '123456789012',
                           'instanceType': 't3.micro'}).encode()
    elif path == '/latest/user-data' and mode == 'imds-userdata-endless':
        conn.sendall(head(200, 'OK', [('Transfer-Encoding', 'chunked')]))
        endless(conn, b'10000\r\n' + b'#' * 0x10000 + b'\r\n')
    elif path == '/latest/meta-data/iam/security-credentials/web-role':
        if mode == 'imds-creds-malformed':
            body = b'{"Code": "Success", "AccessKeyId": "ASIA' + b'\x00\x1b}'
        elif mode == 'imds-creds-huge':
            creds['Padding'] = 'p' * (4 << 20)  # 4x the 1 MiB limit; 48 MiB stalled a loaded machine
            body = json.dumps(creds).encode()
        elif mode == 'imds-creds-endless':
            conn.sendall(head(200, 'OK', [('Transfer-Encoding', 'chunked')]))
            endless(conn, b'10000\r\n' + b'[' * 0x10000 + b'\r\n')
        elif mode == 'imds-creds-expired':
            creds['Expiration'] = '2001-01-01T00:00:00Z'
            body = json.dumps(creds).encode()
        elif mode == 'imds-creds-key-evil':
            creds['AccessKeyId'] = 'ASIA/../ X\x01'
            body = json.dumps(creds).encode()
        elif mode == 'imds-creds-token-crlf':
            creds['Token'] = creds['Token'] + '\r\nX-Injected: yes'
            body = json.dumps(creds).encode()
        else:
            body = json.dumps(creds).encode()
    else:
        conn.sendall(head(404, 'Not Found', [('Content-Length', 0)]))
        return True
    conn.sendall(head(200, 'OK', [('Content-Length', len(body))]) + body)
    return True


def handle(server, conn):
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    with conn:
        while True:
            req = read_request(conn)
            if req is None:
                return
            method, target, headers = req
            auth = headers.get('authorization', '')
            if 'Signature=' in auth and server.args.state_dir:
                emu_state.record_signature(server.args.state_dir,
                                           auth.split('Signature=', 1)[1].strip())
            req_no = server.next_request()
            server.stats.begin()
            server.stats.end(method, target.split('?', 1)[0], 0)
            mode = server.args.mode
            if mode.startswith('imds-'):
                keep = imds_answer(server, conn, mode, method, target)
            else:
                keep = s3_answer(server, conn, mode, req_no, headers)
            if not keep:
                conn.shutdown(socket.SHUT_WR)
                time.sleep(0.2)
                return


def serve_forever(server, listener, trap):
    while True:
        conn, _ = listener.accept()
        if trap:
            server.count_trap()
            conn.close()
            continue
        threading.Thread(target=_guarded, args=(server, conn), daemon=True).start()


def _guarded(server, conn):
    try:
        handle(server, conn)
    except OSError:
        pass  # the client gave up: exactly what a hostile answer may cause


def main(argv):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--port-file', required=True)
    p.add_argument('--stats-file')
    p.add_argument('--port', type=int, default=0)
    p.add_argument('--mode', required=True)
    p.add_argument('--body-file')
    p.add_argument('--state-dir')
    p.add_argument('--trap-host', default='127.0.0.2')
    args = p.parse_args(argv)
    server = Server(args)
    listener = socket.create_server(('127.0.0.1', args.port), backlog=64)
    server.port = listener.getsockname()[1]
    trap = socket.create_server((args.trap_host, server.port), backlog=64)
    threading.Thread(target=serve_forever, args=(server, trap, True), daemon=True).start()
    emu_common.write_port_file(args.port_file, server.port)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    threading.Thread(target=serve_forever, args=(server, listener, False), daemon=True).start()
    stop.wait()
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
