"""An IMDS and an S3 on loopback written from the protocols (RFC 9112, the IMDS user guide,
the S3 API reference), not from scripts/emulators: raw sockets, so a test decides every byte
and every close of an answer; botocore checks each SigV4 signature. wire_probe_test.py uses it.

A server calls `handler(conn, request)` for each request; the handler writes what it likes and
returns whether the connection stays open. The default handlers answer as the real services
do; a test replaces one (or wraps it) for the behaviour it probes."""

import datetime
import hashlib
import json
import re
import secrets
import socket
import struct
import threading

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

MAX_HEAD = 64 * 1024


class Request:
    def __init__(self, method, target, version, headers, body):
        self.method, self.target, self.version = method, target, version
        self.headers, self.body = headers, body

    def header(self, name):
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    @property
    def path(self):
        return self.target.split('?', 1)[0]


def read_request(conn, buf):
    """(Request, bytes after it) or (None, b'') when the peer closed or sent garbage."""
    while b'\r\n\r\n' not in buf:
        if len(buf) > MAX_HEAD:
            return None, b''
        try:
            data = conn.recv(65536)
        except OSError:
            return None, b''
        if not data:
            return None, b''
        buf += data
    head, rest = buf.split(b'\r\n\r\n', 1)
    lines = head.decode('latin-1').split('\r\n')
    method, target, version = lines[0].split(' ', 2)
    headers = []
    for line in lines[1:]:
        name, _, value = line.partition(':')
        headers.append((name.strip(), value.strip()))
    request = Request(method, target, version, headers, b'')
    length = int(request.header('content-length') or 0)
    while len(rest) < length:
        data = conn.recv(65536)
        if not data:
            return None, b''
        rest += data
    request.body, rest = rest[:length], rest[length:]
    return request, rest


def answer(status, reason, headers=(), body=b'', length=True, version='HTTP/1.1'):
    """One answer's bytes; Content-Length added unless `length` is False."""
    lines = [f'{version} {status} {reason}'] + [f'{k}: {v}' for k, v in headers]
    if length:
        lines.append(f'Content-Length: {len(body)}')
    return ('\r\n'.join(lines) + '\r\n\r\n').encode('latin-1') + body


def reset(conn):
    """Closes with an RST, not a FIN."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
    conn.close()


class Server:
    """One listening socket; a thread per connection, requests read one after another."""

    def __init__(self, handler):
        self.handler = handler
        self.requests = []  # (connection number, Request)
        self.connections = 0
        self._lock = threading.Lock()
        self._sock = socket.socket()
        self._sock.bind(('127.0.0.1', 0))
        self._sock.listen(64)
        self.port = self._sock.getsockname()[1]
        self.url = f'http://127.0.0.1:{self.port}'
        self._open = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
                number = self.connections
                self._open.append(conn)
            threading.Thread(target=self._serve, args=(conn, number), daemon=True).start()

    def _serve(self, conn, number):
        buf = b''
        try:
            while True:
                request, buf = read_request(conn, buf)
                if request is None:
                    break
                with self._lock:
                    self.requests.append((number, request))
                if not self.handler(conn, request):
                    break
        except OSError:
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def paths(self, method=None):
        with self._lock:
            return [r.path for _, r in self.requests if method in (None, r.method)]

    def stop(self):
        self._sock.close()
        with self._lock:
            for conn in self._open:
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def new_credentials(expires_in=datetime.timedelta(hours=6)):
    expiration = datetime.datetime.now(datetime.timezone.utc) + expires_in
    return {'Code': 'Success', 'LastUpdated': '2026-01-01T00:00:00Z', 'Type': 'AWS-HMAC',
            'AccessKeyId': 'ASIA' + secrets.token_hex(8).upper(),
            'SecretAccessKey': secrets.token_urlsafe(30),
            'Token': 'IQoJ' + secrets.token_urlsafe(120),
            'Expiration': expiration.strftime('%Y-%m-%dT%H:%M:%SZ')}


class Imds:
    """IMDSv2 as the EC2 user guide describes it: PUT a token (TTL 1..21600), every GET
    carries it (401 without or with an unknown one), 404 for what is not there."""

    def __init__(self, role='probe-role', region='us-east-1', user_data=b''):
        self.role, self.region, self.user_data = role, region, user_data
        self.credentials = new_credentials()
        self.handed_out = [self.credentials]  # every set a client was given
        self.tokens = set()
        self.server = Server(self.handle)
        # Overridable: the role listing's and the credential document's bytes.
        self.listing = lambda: (self.role + '\n').encode()
        self.document = lambda: json.dumps(self.credentials, indent=2).encode()

    def rotate(self):
        self.credentials = new_credentials()
        self.handed_out.append(self.credentials)

    def token_answer(self, request):
        ttl = request.header('x-aws-ec2-metadata-token-ttl-seconds')
        if not ttl or not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
            return answer(400, 'Bad Request', [('Content-Type', 'text/plain')], b'400')
        token = 'AQAEA' + secrets.token_urlsafe(40)
        self.tokens.add(token)
        return answer(200, 'OK', [('Content-Type', 'text/plain'),
                                  ('X-Aws-Ec2-Metadata-Token-Ttl-Seconds', ttl)], token.encode())

    def get_answer(self, request):
        if request.header('x-aws-ec2-metadata-token') not in self.tokens:
            return answer(401, 'Unauthorized', [('Content-Type', 'text/plain')], b'401')
        base = '/latest/meta-data/'
        pages = {
            base + 'iam/security-credentials/': self.listing,
            base + 'iam/security-credentials/' + self.role: self.document,
            base + 'placement/region': lambda: self.region.encode(),
            base + 'placement/availability-zone': lambda: (self.region + 'a').encode(),
            base + 'instance-id': lambda: b'i-0123456789abcdef0',
            base + 'instance-type': lambda: b't3.micro',
            base + 'services/domain': lambda: b'amazonaws.com',
            base + 'services/partition': lambda: b'aws',
            '/latest/dynamic/instance-identity/document': lambda: json.dumps({
                'accountId': '123456789012', 'region': self.region,
                'availabilityZone': self.region + 'a', 'instanceId': 'i-0123456789abcdef0',
                'instanceType': 't3.micro', 'imageId': 'ami-0123456789abcdef0'}).encode(),
        }
        if self.user_data:
            pages['/latest/user-data'] = lambda: self.user_data
        page = pages.get(request.path)
        if page is None:
            return answer(404, 'Not Found', [('Content-Type', 'text/html')], b'<html>404</html>')
        return answer(200, 'OK', [('Content-Type', 'text/plain')], page())

    def handle(self, conn, request):
        if request.method == 'PUT' and request.path == '/latest/api/token':
            conn.sendall(self.token_answer(request))
        elif request.method == 'GET':
            conn.sendall(self.get_answer(request))
        else:
            conn.sendall(answer(405, 'Method Not Allowed'))
        return True

    def secrets(self):
        return [v for c in self.handed_out for v in (c['SecretAccessKey'], c['Token'])] + \
            list(self.tokens)


def s3_error(status, reason, code, message, extra='', headers=()):
    body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
            f'<Message>{message}</Message>{extra}<RequestId>PROBE0123456789</RequestId>'
            f'<HostId>probe</HostId></Error>').encode()
    return answer(status, reason, [('Content-Type', 'application/xml')] + list(headers), body)


_AUTH = re.compile(r'AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/s3/aws4_request, *'
                   r'SignedHeaders=([a-z0-9;-]+), *Signature=([0-9a-f]{64})$')


class S3:
    """Path-style S3 GetObject: each request's signature is checked with botocore against
    every credential set IMDS handed out (the newest decides ExpiredToken); a good one gets
    the object with Content-Length and its MD5 ETag."""

    def __init__(self, imds, region='us-east-1'):
        self.imds, self.region = imds, region
        self.objects = {}
        self.signatures = []
        self.refused = []  # (code, why) of every request refused for its authorization
        self.server = Server(self.handle)
        self.respond = self.object_answer  # (conn, request, body) -> keep the connection

    def put(self, bucket, key, body):
        self.objects[f'/{bucket}/{key}'] = body

    def check(self, request):
        """None when the request is signed by the newest credentials for self.region, else
        the error answer S3 would give."""
        m = _AUTH.match(request.header('authorization') or '')
        if not m:
            return s3_error(400, 'Bad Request', 'AuthorizationHeaderMalformed', 'malformed')
        key_id, date, region, signed, signature = m.groups()
        self.signatures.append(signature)
        creds = next((c for c in self.imds.handed_out if c['AccessKeyId'] == key_id), None)
        if creds is None:
            return s3_error(403, 'Forbidden', 'InvalidAccessKeyId', 'unknown key')
        if region != self.region:
            return s3_error(400, 'Bad Request', 'AuthorizationHeaderMalformed',
                            f"the region '{region}' is wrong; expecting '{self.region}'",
                            f'<Region>{self.region}</Region>')
        names = signed.split(';')
        headers = {n: request.header(n) for n in names}
        if None in headers.values() or 'host' not in names or \
                request.header('x-amz-security-token') is None or \
                'x-amz-security-token' not in names:
            return s3_error(403, 'Forbidden', 'AccessDenied', 'unsigned headers')
        aws = AWSRequest(method=request.method, url='http://' + headers['host'] + request.target,
                         headers=headers)
        aws.context['timestamp'] = headers['x-amz-date']
        auth = S3SigV4Auth(Credentials(key_id, creds['SecretAccessKey'], creds['Token']), 's3',
                           region)
        canonical = auth.canonical_request(aws)
        expected = auth.signature(auth.string_to_sign(aws, canonical), aws)
        if expected != signature or headers['x-amz-date'][:8] != date or \
                request.header('x-amz-security-token') != creds['Token']:
            return s3_error(403, 'Forbidden', 'SignatureDoesNotMatch', 'no match')
        if creds is not self.imds.credentials:
            return s3_error(400, 'Bad Request', 'ExpiredToken', 'The provided token has expired.')
        return None

    def object_answer(self, conn, request, body):
        conn.sendall(answer(200, 'OK', [('ETag', f'"{hashlib.md5(body).hexdigest()}"'),
                                        ('Content-Type', 'application/octet-stream')], body))
        return True

    def handle(self, conn, request):
        refusal = self.check(request)
        if refusal is not None:
            self.refused.append(refusal.split(b'<Code>')[1].split(b'<')[0].decode())
            conn.sendall(refusal)
            return True
        body = self.objects.get(request.path)
        if body is None:
            conn.sendall(s3_error(404, 'Not Found', 'NoSuchKey', 'The specified key does not '
                                  'exist.'))
            return True
        return self.respond(conn, request, body)
