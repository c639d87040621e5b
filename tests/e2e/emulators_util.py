"""Helpers shared by the emulator self-tests: raw HTTP, IMDS credential fetch, botocore signing
with an optional fixed timestamp. Not a test module itself."""

import http.client
import json
import os
import socket
import sys
from urllib.parse import quote, urlsplit

SOURCE_DIR = os.environ.get('S3US_SOURCE_DIR') or os.path.abspath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
sys.path.insert(0, os.path.join(SOURCE_DIR, 'scripts/emulators'))

from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402

EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'


def port_of(url):
    return urlsplit(url).port


def raw(url_or_port, method, target, headers=(), timeout=10):
    """Sends target exactly as given; returns (status, headers dict lower-case, body)."""
    port = url_or_port if isinstance(url_or_port, int) else port_of(url_or_port)
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=timeout)
    try:
        names = {n.lower() for n, _ in headers}
        conn.putrequest(method, target, skip_host='host' in names,
                        skip_accept_encoding=True)
        for name, value in headers:
            conn.putheader(name, value)
        conn.endheaders()
        resp = conn.getresponse()
        body = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body
    finally:
        conn.close()


def imds_token(imds_url, ttl='21600'):
    status, headers, body = raw(imds_url, 'PUT', '/latest/api/token',
                                [('X-aws-ec2-metadata-token-ttl-seconds', ttl)])
    assert status == 200, status
    return body.decode(), headers


def imds_get(imds_url, path, token):
    return raw(imds_url, 'GET', path, [('X-aws-ec2-metadata-token', token)])


def fetch_credentials(imds_url):
    token, _ = imds_token(imds_url)
    status, _, role = imds_get(imds_url, '/latest/meta-data/iam/security-credentials/', token)
    assert status == 200, status
    status, _, body = imds_get(imds_url,
                               '/latest/meta-data/iam/security-credentials/' + role.decode(),
                               token)
    assert status == 200, status
    doc = json.loads(body)
    return Credentials(doc['AccessKeyId'], doc['SecretAccessKey'], doc['Token'])


def key_path(bucket, key):
    return '/' + bucket + '/' + quote(key.encode('utf-8'), safe='/')


class _FixedTimeSigner(S3SigV4Auth):
    def __init__(self, credentials, region, timestamp):
        super().__init__(credentials, 's3', region)
        self._timestamp = timestamp

    def add_auth(self, request):
        request.context['timestamp'] = self._timestamp
        self._modify_request_before_signing(request)
        canonical = self.canonical_request(request)
        sts = self.string_to_sign(request, canonical)
        self._inject_signature_to_request(request, self.signature(sts, request))


def sign(s3_url, method, target, creds, region='us-east-1', headers=(), host=None,
         timestamp=None):
    """botocore-signed headers for target (path?query) sent to s3_url (or Host: host)."""
    host = host or urlsplit(s3_url).netloc
    request = AWSRequest(method=method, url=f'http://{host}{target}', headers=dict(headers))
    request.headers['Host'] = host
    if timestamp:
        _FixedTimeSigner(creds, region, timestamp).add_auth(request)
    else:
        S3SigV4Auth(creds, 's3', region).add_auth(request)
    return list(request.headers.items())


def signed(s3_url, method, target, creds, region='us-east-1', headers=(), host=None,
           timestamp=None):
    hdrs = sign(s3_url, method, target, creds, region, headers, host, timestamp)
    return raw(s3_url, method, target, hdrs)


def presigned_target(s3_url, target, creds, region='us-east-1', expires=300):
    host = urlsplit(s3_url).netloc
    request = AWSRequest(method='GET', url=f'http://{host}{target}')
    S3SigV4QueryAuth(creds, 's3', region, expires=expires).add_auth(request)
    parts = urlsplit(request.url)
    return parts.path + '?' + parts.query


def read_until_closed(port, request_bytes, timeout=10):
    """Sends a raw request and returns everything received until the peer closes or resets."""
    sock = socket.create_connection(('127.0.0.1', port), timeout=timeout)
    data = b''
    try:
        sock.sendall(request_bytes)
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            data += chunk
    finally:
        sock.close()
    return data


def xml_code(body):
    text = body.decode('utf-8', 'replace')
    start = text.find('<Code>')
    return text[start + 6:text.find('</Code>')] if start >= 0 else None


def xml_field(body, name):
    text = body.decode('utf-8', 'replace')
    start = text.find(f'<{name}>')
    return text[start + len(name) + 2:text.find(f'</{name}>')] if start >= 0 else None
