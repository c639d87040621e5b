#!/usr/bin/python3
"""Loopback S3 emulator for GET/HEAD Object: path-style and virtual-hosted addressing, versions,
ranges, SigV4 checked on every request (s3_auth.py, with botocore), S3's error XML and headers,
bucket regions, clock skew, and injectable faults (latency, SlowDown, reset mid-body, corrupt
bytes). Objects live in --root (s3_store.py); credentials come from the IMDS emulator's
--state-dir and an optional --credentials-file.

Not responsible for writes, listings or multipart: GET/HEAD of objects (and HEAD bucket) only.
"""

import argparse
import base64
import email.utils
import json
import os
import re
import secrets
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import unquote, unquote_to_bytes
from xml.sax.saxutils import escape

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import emu_common  # noqa: E402
import emu_state  # noqa: E402
import s3_auth  # noqa: E402
import s3_checksums  # noqa: E402
import s3_store  # noqa: E402

_VIRTUAL_S3 = re.compile(r'^(?P<bucket>.+?)\.s3(?:[.-](?P<rest>.*))?$')
_ENDPOINT_REGION = re.compile(r'(?:^|\.)s3[.-](?P<region>[a-z]{2}(?:-[a-z]+)+-\d+)\.')


class S3:
    """Configuration and mutable state of one emulator instance."""

    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.slowdown = args.slowdown
        self.reset_mid_body = args.reset_mid_body
        self.held = 0  # GETs that arrived under --hold-first
        self.all_held = threading.Condition()
        self.stats = emu_common.Stats(args.stats_file)
        self.bucket_regions = dict(b.split('=', 1) for b in args.bucket_region)
        self._cred_cache = (None, {}, set())
        self.static = _load_static(args.credentials_file)
        self.verifier = s3_auth.Verifier(self.find_credential, self.token_known, self.now)

    def now(self):
        return time.time() + self.args.clock_skew_seconds

    def hold_first(self):
        """--hold-first N: each of the first N GETs waits (10 s at most) until all N have
        arrived, so that N are in flight at once however slowly a loaded machine starts them.
        Each held GET counts in the stats as 'held' when it arrives."""
        n = self.args.hold_first
        with self.all_held:
            if self.held >= n:
                return
            self.held += 1
            self.stats.note('held')
            self.all_held.notify_all()
            self.all_held.wait_for(lambda: self.held >= n, timeout=10)

    def pending(self, counter):
        with self.lock:
            return getattr(self, counter) > 0

    def take(self, counter):
        with self.lock:
            n = getattr(self, counter)
            if n > 0:
                setattr(self, counter, n - 1)
                return True
        return False

    def _credentials(self):
        path = os.path.join(self.args.state_dir, emu_state.CREDENTIALS)
        try:
            st = os.stat(path)
            stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        except FileNotFoundError:
            stamp = None
        with self.lock:
            if self._cred_cache[0] == stamp and stamp is not None:
                return self._cred_cache[1], self._cred_cache[2]
        by_key = {c['AccessKeyId']: c for c in self.static}
        for c in emu_state.load_credentials(self.args.state_dir) if stamp else []:
            by_key[c['AccessKeyId']] = c
        tokens = {c['Token'] for c in by_key.values() if c.get('Token')}
        with self.lock:
            self._cred_cache = (stamp, by_key, tokens)
        return by_key, tokens

    def find_credential(self, akid):
        return self._credentials()[0].get(akid)

    def token_known(self, token):
        return token in self._credentials()[1]

    def region_of(self, bucket):
        return self.bucket_regions.get(bucket, self.args.region)


def _load_static(path):
    if not path:
        return []
    with open(path, encoding='utf-8') as f:
        data = json.load(f)
    items = data.get('credentials', []) if isinstance(data, dict) else data
    return [dict(c, expired=c.get('expired', False), source='static') for c in items]


def _decode_key(raw):
    return unquote_to_bytes(raw).decode('utf-8', 'surrogateescape')


class Handler(emu_common.StatsMixin, BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    s3 = None  # set by main()

    def version_string(self):
        return 'AmazonS3'

    def date_time_string(self, timestamp=None):
        return email.utils.formatdate(self.s3.now() if timestamp is None else timestamp,
                                      usegmt=True)

    def log_message(self, format, *args):
        pass

    def _target(self):
        parts = self.requestline.split(' ')
        target = parts[1] if len(parts) >= 2 else '/'
        path, _, query = target.partition('?')
        return path, query

    def _start(self, status, headers):
        self.send_response(status)
        self.send_header('x-amz-request-id', self._request_id)
        self.send_header('x-amz-id-2', self._host_id)
        for name, value in headers:
            self.send_header(name, value)

    def _error(self, status, code, message, fields=(), headers=()):
        self.stats_counters.append('error:' + code)
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>' + escape(code) +
                '</Code><Message>' + escape(message) + '</Message>' +
                ''.join(f'<{n}>{escape(v)}</{n}>' for n, v in fields) +
                f'<RequestId>{self._request_id}</RequestId><HostId>{self._host_id}</HostId>'
                '</Error>').encode('utf-8', 'surrogateescape')
        self._start(status, list(headers))
        self.send_header('Content-Type', 'application/xml')
        if self.command == 'HEAD':  # HEAD errors carry no body
            return self.end_headers_with_body()
        self.send_header('Content-Length', str(len(body)))
        self.end_headers_with_body(body)

    def _handle(self):
        self._request_id = secrets.token_hex(8).upper()
        self._host_id = base64.b64encode(secrets.token_bytes(56)).decode()
        s3 = self.s3
        raw_path, raw_query = self._target()
        self.stats_begin(s3.stats, raw_path)
        try:
            length = int(self.headers.get('Content-Length') or 0)
            if length > 0:
                self.rfile.read(length)
            if self.command == 'GET':
                s3.hold_first()
            if s3.args.latency_ms:
                time.sleep(s3.args.latency_ms / 1000.0)
            self._serve(raw_path, raw_query)
        finally:
            self.stats_record()

    do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = _handle

    def _address(self, raw_path):
        """(bucket, key, endpoint_region) from the Host header and the raw path."""
        host = (self.headers.get('Host') or '').lower()
        hostname = re.sub(r':\d+$', '', host)
        m = _ENDPOINT_REGION.search(hostname)
        endpoint_region = m.group('region') if m else None
        virtual = None
        if hostname.endswith('.localhost'):
            virtual = hostname[:-len('.localhost')]
        else:
            v = _VIRTUAL_S3.match(hostname)
            if v and not hostname.startswith('s3.') and not hostname.startswith('s3-'):
                virtual = v.group('bucket')
        if virtual:
            key = _decode_key(raw_path[1:]) if len(raw_path) > 1 else None
            return virtual, key, endpoint_region
        if raw_path in ('', '/'):
            return None, None, endpoint_region
        bucket_raw, sep, key_raw = raw_path[1:].partition('/')
        return unquote(bucket_raw), (_decode_key(key_raw) if sep and key_raw else None), \
            endpoint_region

    def _serve(self, raw_path, raw_query):
        s3 = self.s3
        if self.command not in ('GET', 'HEAD'):
            return self._error(405, 'MethodNotAllowed', 'The specified method is not allowed '
                               'against this resource.', [('Method', self.command),
                                                          ('ResourceType', 'OBJECT')])
        if self.command == 'GET' and s3.take('slowdown'):
            return self._error(503, 'SlowDown', 'Please reduce your request rate.')
        bucket, key, endpoint_region = self._address(raw_path)
        region = s3.region_of(bucket) if bucket else None
        if bucket and endpoint_region and endpoint_region != region and \
                s3_store.bucket_exists(s3.args.root, bucket):
            return self._error(301, 'PermanentRedirect', 'The bucket you are attempting to '
                               'access must be addressed using the specified endpoint. Please '
                               'send all future requests to this endpoint.',
                               [('Endpoint', f'{bucket}.s3.{region}.amazonaws.com'),
                                ('Bucket', bucket)], [('x-amz-bucket-region', region)])
        headers = list(self.headers.items())
        anonymous = not any(n.lower() == 'authorization' for n, _ in headers) and \
            'X-Amz-Signature=' not in raw_query
        prefix = s3.args.unsigned_prefix
        if anonymous and prefix is not None and key is not None and key.startswith(prefix):
            self.stats_counters.append('unsigned_requests')
        else:
            try:
                _, signature = s3.verifier.verify(self.command, raw_path, raw_query, headers,
                                                  region)
            except s3_auth.AuthError as e:
                return self._error(e.status, e.code, e.message, e.fields, e.headers)
            finally:
                self._note_signature(headers, raw_query)
        if bucket in s3.args.deny_bucket:
            return self._error(403, 'AccessDenied', 'Access Denied')
        if bucket is None:
            return self._error(501, 'NotImplemented', 'A header you provided implies '
                               'functionality that is not implemented')
        if key is None:
            if not s3_store.bucket_exists(s3.args.root, bucket):
                return self._error(404, 'NoSuchBucket', 'The specified bucket does not exist',
                                   [('BucketName', bucket)])
            if self.command == 'HEAD':
                self._start(200, [('x-amz-bucket-region', region), ('Content-Length', '0'),
                                  ('Content-Type', 'application/xml')])
                return self.end_headers_with_body()
            return self._error(501, 'NotImplemented', 'A header you provided implies '
                               'functionality that is not implemented')
        version_id = dict(s3_auth.parse_query(raw_query)).get('versionId')
        record, err = s3_store.lookup(s3.args.root, bucket, key, version_id)
        if err == 'NoSuchBucket':
            return self._error(404, err, 'The specified bucket does not exist',
                               [('BucketName', bucket)])
        if err == 'NoSuchKey':
            return self._error(404, err, 'The specified key does not exist.', [('Key', key)])
        if err == 'NoSuchVersion':
            return self._error(404, err, 'The specified version does not exist.',
                               [('Key', key), ('VersionId', version_id)])
        self._object(key, record)

    def _note_signature(self, headers, raw_query):
        sig = None
        for n, v in headers:
            if n.lower() == 'authorization':
                m = re.search(r'Signature=([0-9A-Za-z]+)', v)
                sig = m.group(1) if m else None
        q = dict(s3_auth.parse_query(raw_query))
        sig = sig or q.get('X-Amz-Signature')
        if sig:
            self.stats_counters.append('signatures_seen')
            emu_state.record_signature(self.s3.args.state_dir, sig)

    def _checksum_algorithm(self, key):
        """The algorithm the object was uploaded with: --key-checksum, else the default."""
        for spec in self.s3.args.key_checksum:
            name, _, algorithm = spec.rpartition('=')
            if name == key:
                return algorithm
        return self.s3.args.checksum_algorithm

    def _streamed_object(self, key, record, headers):
        """Plain GET/HEAD of a large object: headers from cached digests, body in chunks."""
        if (self.headers.get('x-amz-checksum-mode') or '').upper() == 'ENABLED':
            headers.append(s3_checksums.file_header(self._checksum_algorithm(key),
                                                    record['path']))
        self._start(200, headers + [('Content-Length', str(record['size']))])
        if self.command == 'HEAD':
            return self.end_headers_with_body()
        rate = self.s3.args.body_mib_per_second
        start = time.monotonic()
        with open(record['path'], 'rb') as f:
            self.end_headers_with_body(f.read(1 << 20))
            for sent, chunk in enumerate(iter(lambda: f.read(1 << 20), b''), start=1):
                if rate:  # at most `rate` MiB/s: a transfer that takes a known while
                    time.sleep(max(0.0, start + sent / rate - time.monotonic()))
                self.wfile.write(chunk)

    def _object(self, key, record):
        s3 = self.s3
        if (record['size'] > s3_store.STREAM_THRESHOLD and not self.headers.get('Range') and
                key not in s3.args.corrupt and not s3.pending('reset_mid_body')):
            return self._streamed_object(key, record, [
                ('Last-Modified', email.utils.formatdate(record['last_modified'], usegmt=True)),
                ('ETag', f'"{record["etag"]}"'),
                ('Accept-Ranges', 'bytes'),
                ('Content-Type', record.get('content_type') or s3_store.DEFAULT_CONTENT_TYPE),
            ] + ([('x-amz-version-id', record['version_id'])]
                 if record['version_id'] is not None else []))
        data = s3_store.read_bytes(record)
        headers = [
            ('Last-Modified', email.utils.formatdate(record['last_modified'], usegmt=True)),
            ('ETag', f'"{record["etag"]}"'),
            ('Accept-Ranges', 'bytes'),
            ('Content-Type', record.get('content_type') or s3_store.DEFAULT_CONTENT_TYPE),
        ]
        if record['version_id'] is not None:
            headers.append(('x-amz-version-id', record['version_id']))
        if (self.headers.get('x-amz-checksum-mode') or '').upper() == 'ENABLED':
            headers.append(s3_checksums.header(self._checksum_algorithm(key), data))
        status, body = 200, data
        rng = self.headers.get('Range')
        if rng:
            span = _parse_range(rng, len(data))
            if span == 'invalid':
                return self._error(416, 'InvalidRange', 'The requested range is not '
                                   'satisfiable', [('RangeRequested', rng),
                                                   ('ActualObjectSize', str(len(data)))])
            if span:
                first, last = span
                status, body = 206, data[first:last + 1]
                headers.append(('Content-Range', f'bytes {first}-{last}/{len(data)}'))
        if key in s3.args.corrupt and body:
            body = bytearray(body)
            body[len(body) // 2] ^= 0x01
            body = bytes(body)
        reset = self.command == 'GET' and body and s3.take('reset_mid_body')
        if reset:
            self.stats_counters.append('resets')
        self._start(status, headers + [('Content-Length', str(len(body)))])
        if self.command == 'HEAD':
            return self.end_headers_with_body()
        if reset:
            self.end_headers()
            self.wfile.write(body[:len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            emu_common.free_socket_abruptly(self.connection)
            return
        self.end_headers_with_body(body)


def _parse_range(value, size):
    """(first, last) for a single 'bytes=' range, None to ignore it, 'invalid' for 416."""
    m = re.fullmatch(r'\s*bytes=(\d*)-(\d*)\s*', value)
    if not m or (not m.group(1) and not m.group(2)):
        return None
    if m.group(1):
        first = int(m.group(1))
        last = min(int(m.group(2)), size - 1) if m.group(2) else size - 1
        if first >= size or first > last:
            return 'invalid' if first >= size else None
        return first, last
    n = int(m.group(2))
    if n == 0 or size == 0:
        return 'invalid'
    return max(0, size - n), size - 1


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument('--port-file', required=True)
    p.add_argument('--port', type=int, default=0, help='0: any free port')
    p.add_argument('--stats-file')
    p.add_argument('--root', required=True, help='ROOT/<bucket>/... object store')
    p.add_argument('--state-dir', help='the IMDS emulator\'s state directory')
    p.add_argument('--credentials-file', help='JSON list of static {AccessKeyId, '
                   'SecretAccessKey[, Token]}')
    p.add_argument('--region', default='us-east-1')
    p.add_argument('--bucket-region', action='append', default=[], metavar='BUCKET=REGION')
    p.add_argument('--deny-bucket', action='append', default=[])
    p.add_argument('--clock-skew-seconds', type=float, default=0)
    p.add_argument('--latency-ms', type=int, default=0)
    p.add_argument('--body-mib-per-second', type=float, default=0,
                   help='send bodies over 8 MiB at most this fast (0: as fast as possible)')
    p.add_argument('--slowdown', type=int, default=0, help='first N GETs answer 503 SlowDown')
    p.add_argument('--hold-first', type=int, default=0, metavar='N',
                   help='the first N GETs are answered once all N are in flight (10 s at most)')
    p.add_argument('--reset-mid-body', type=int, default=0,
                   help='first N object GETs send half the body, then reset the connection')
    p.add_argument('--corrupt', action='append', default=[], metavar='KEY')
    p.add_argument('--checksum-algorithm', choices=s3_checksums.ALGORITHMS, default='sha256',
                   help='the x-amz-checksum-* of objects (as if uploaded with it)')
    p.add_argument('--key-checksum', action='append', default=[], metavar='KEY=ALGORITHM',
                   help='this key was uploaded with that checksum algorithm instead')
    p.add_argument('--unsigned-prefix', help='keys under this prefix need no signature')
    args = p.parse_args(argv)
    for spec in args.key_checksum:
        if spec.rpartition('=')[2] not in s3_checksums.ALGORITHMS:
            p.error(f'--key-checksum {spec}: the algorithm is one of '
                    f'{", ".join(s3_checksums.ALGORITHMS)}')
    if not args.state_dir:
        args.state_dir = tempfile.mkdtemp(prefix='s3-state-')
    os.makedirs(args.state_dir, exist_ok=True)
    os.makedirs(args.root, exist_ok=True)
    return args


def main(argv):
    args = parse_args(argv)
    Handler.s3 = S3(args)
    emu_common.serve(Handler, args.port_file, port=args.port)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
