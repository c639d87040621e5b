#!/usr/bin/python3
"""Loopback IMDSv2 emulator: tokens, instance-role credentials, metadata and user data, with the
status codes, headers and XHTML error pages of the real service, plus injectable faults.

Issued credentials are recorded in --state-dir (emu_state.py) so the S3 emulator can verify
signatures. Not responsible for S3, hop limits or the IPv6 endpoint.
"""

import argparse
import base64
import json
import os
import re
import secrets
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import emu_common  # noqa: E402
import emu_state  # noqa: E402

MAX_TTL = 21600
_REASONS = {
    400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found',
    405: 'Method Not Allowed', 429: 'Too Many Requests', 500: 'Internal Server Error',
}


def xhtml_page(status):
    title = f'{status} - {_REASONS[status]}'
    if status == 404:
        return ('<?xml version="1.0" encoding="iso-8859-1"?>\n'
                '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"\n'
                '\t"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
                '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">\n'
                f' <head>\n  <title>{title}</title>\n </head>\n'
                f' <body>\n  <h1>{title}</h1>\n </body>\n</html>\n').encode()
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
            '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
            '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">\n'
            f'   <head>\n      <title>{title}</title>\n   </head>\n'
            f'   <body>\n      <h1>{title}</h1>\n   </body>\n</html>\n').encode()


def imds_json(obj):
    # Real IMDS pretty-prints with 2 spaces and " : " between name and value.
    return json.dumps(obj, indent=2, separators=(',', ' : ')).encode()


class Imds:
    """Configuration and mutable state of one emulator instance."""

    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.tokens = {}  # token -> expiry (epoch seconds)
        self.fail_500 = args.fail_500
        self.fail_429 = args.fail_429
        self.stats = emu_common.Stats(args.stats_file)

    def take_fault(self):
        with self.lock:
            if self.fail_500 > 0:
                self.fail_500 -= 1
                return 500
            if self.fail_429 > 0:
                self.fail_429 -= 1
                return 429
        return None

    def issue_token(self, ttl):
        granted = min(ttl, self.args.token_ttl_cap) if self.args.token_ttl_cap else ttl
        # Real tokens: 56 characters of URL-safe base64 beginning "AQAEA".
        token = base64.urlsafe_b64encode(b'\x01\x00\x04\x00' + secrets.token_bytes(36)).decode()
        expires = time.time() + granted
        with self.lock:
            self.tokens[token] = expires
        emu_state.record_imds_token(self.args.state_dir, token, expires)
        return token, granted

    def token_remaining(self, token):
        with self.lock:
            expires = self.tokens.get(token)
        if expires is None:
            return None
        # A token is valid for its whole TTL: a 1 s token used 0.3 s later still works (int()
        # alone would round its last second down to an immediate 401).
        remaining = expires - time.time()
        return max(1, int(remaining)) if remaining > 0 else None

    def metadata(self):
        a = self.args
        tree = {
            'ami-id': 'ami-0abcdef1234567890',
            'ami-launch-index': str(a.launch_index),
            'hostname': 'ip-172-31-16-10.ec2.internal',
            'instance-id': a.instance_id,
            'instance-type': a.instance_type,
            'local-ipv4': '172.31.16.10',
            'placement/availability-zone': a.availability_zone,
            'placement/region': a.region,
            'services/domain': a.domain,
            'services/partition': a.partition,
        }
        if a.role:
            tree['iam/info'] = imds_json({
                'Code': 'Success',
                'LastUpdated': emu_state.iso8601(time.time()),
                'InstanceProfileArn':
                    f'arn:aws:iam::{a.account_id}:instance-profile/{a.role}',
                'InstanceProfileId': 'AIPAEXAMPLEPROFILE1234',
            }).decode()
            tree[f'iam/security-credentials/{a.role}'] = None  # computed per request
        return tree

    def identity_document(self):
        a = self.args
        return imds_json({
            'accountId': a.account_id,
            'architecture': 'x86_64',
            'availabilityZone': a.availability_zone,
            'billingProducts': None,
            'devpayProductCodes': None,
            'marketplaceProductCodes': None,
            'imageId': 'ami-0abcdef1234567890',
            'instanceId': a.instance_id,
            'instanceType': a.instance_type,
            'kernelId': None,
            'pendingTime': '2026-01-01T00:00:00Z',
            'privateIp': '172.31.16.10',
            'ramdiskId': None,
            'region': a.region,
            'version': '2017-09-30',
        })

    def credentials_document(self):
        c = emu_state.current_or_issue(self.args.state_dir, self.args.credential_lifetime,
                                       self.args.rotate_seconds)
        return imds_json({
            'Code': 'Success',
            'LastUpdated': c['LastUpdated'],
            'Type': 'AWS-HMAC',
            'AccessKeyId': c['AccessKeyId'],
            'SecretAccessKey': c['SecretAccessKey'],
            'Token': c['Token'],
            'Expiration': c['Expiration'],
        })


def _listing(tree, prefix):
    names = set()
    for path in tree:
        if path.startswith(prefix):
            rest = path[len(prefix):]
            head, sep, _ = rest.partition('/')
            names.add(head + ('/' if sep else ''))
    return sorted(names)


class Handler(emu_common.StatsMixin, BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    imds = None  # set by main()

    def version_string(self):
        return 'EC2ws'

    def log_message(self, format, *args):
        pass

    def _raw_path(self):
        parts = self.requestline.split(' ')
        target = parts[1] if len(parts) >= 2 else '/'
        return target.split('?', 1)[0]

    def _send(self, status, body=b'', content_type='text/plain', headers=()):
        self.send_response(status)
        self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers_with_body(body if self.command != 'HEAD' else b'')

    def _error(self, status, headers=()):
        self._send(status, xhtml_page(status), 'text/html', headers)

    def _handle(self):
        imds = self.imds
        self.stats_begin(imds.stats, self._raw_path())
        try:
            length = int(self.headers.get('Content-Length') or 0)
            if length > 0:
                self.rfile.read(length)
            if imds.args.latency_ms:
                time.sleep(imds.args.latency_ms / 1000.0)
            fault = imds.take_fault()
            if fault:
                return self._error(fault)
            if self.headers.get('X-Forwarded-For') is not None:
                return self._error(403)
            path = self._raw_path()
            m = re.match(r'^/(latest|\d{4}-\d{2}-\d{2})(/.*)?$', path)
            if self.command == 'PUT':
                return self._put(m)
            if self.command not in ('GET', 'HEAD'):
                return self._error(405, [('Allow', 'GET, HEAD, PUT')])
            self._get(path, m)
        finally:
            self.stats_record()

    do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = _handle

    def _put(self, m):
        if not m or m.group(2) != '/api/token':
            return self._error(405, [('Allow', 'GET, HEAD')])
        if m.group(1) != 'latest':
            return self._error(403)
        ttl = self.headers.get('X-aws-ec2-metadata-token-ttl-seconds', '')
        if not re.fullmatch(r'[0-9]{1,5}', ttl.strip()) or not 1 <= int(ttl) <= MAX_TTL:
            return self._error(400)
        token, granted = self.imds.issue_token(int(ttl))
        self._send(200, token.encode(), headers=[('X-aws-ec2-metadata-token-ttl-seconds',
                                                  str(granted))])

    def _get(self, path, m):
        imds = self.imds
        token = self.headers.get('X-aws-ec2-metadata-token')
        ttl_headers = []
        if token is not None:
            remaining = imds.token_remaining(token.strip())
            if remaining is None:
                return self._error(401)
            ttl_headers = [('X-aws-ec2-metadata-token-ttl-seconds', str(remaining))]
        elif not imds.args.allow_v1:
            return self._error(401)
        if not m:
            return self._error(404)
        rest = m.group(2) or '/'
        if rest == '/api/token':
            return self._error(405, [('Allow', 'PUT')] + ttl_headers)
        if rest == '/':
            return self._send(200, b'dynamic\nmeta-data\nuser-data', headers=ttl_headers)
        if rest == '/user-data':
            data = self._user_data()
            if data is None:
                return self._error(404, ttl_headers)
            return self._send(200, data, 'application/octet-stream', ttl_headers)
        if rest in ('/dynamic/instance-identity/document',):
            return self._send(200, imds.identity_document(), headers=ttl_headers)
        if rest in ('/dynamic', '/dynamic/'):
            return self._send(200, b'instance-identity/', headers=ttl_headers)
        if rest in ('/dynamic/instance-identity', '/dynamic/instance-identity/'):
            return self._send(200, b'document', headers=ttl_headers)
        if not rest.startswith('/meta-data'):
            return self._error(404, ttl_headers)
        sub = rest[len('/meta-data'):].lstrip('/')
        tree = imds.metadata()
        key = sub.rstrip('/')
        if key in tree:
            if tree[key] is None:
                body = imds.credentials_document()
            else:
                body = tree[key].encode()
            return self._send(200, body, headers=ttl_headers)
        children = _listing(tree, key + '/' if key else '')
        if children:
            return self._send(200, '\n'.join(children).encode(), headers=ttl_headers)
        self._error(404, ttl_headers)

    def _user_data(self):
        if not self.imds.args.user_data:
            return None
        try:
            with open(self.imds.args.user_data, 'rb') as f:
                return f.read()
        except FileNotFoundError:
            return None


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument('--port-file', required=True)
    p.add_argument('--port', type=int, default=0, help='0: any free port')
    p.add_argument('--stats-file')
    p.add_argument('--state-dir')
    p.add_argument('--user-data', help='file served raw as /latest/user-data (404 if absent)')
    p.add_argument('--role', default='web-role')
    p.add_argument('--no-role', action='store_true', help='no instance profile attached')
    p.add_argument('--instance-id', default='i-0123456789abcdef0')
    p.add_argument('--instance-type', default='t3.micro')
    p.add_argument('--launch-index', type=int, default=0)
    p.add_argument('--region', default='us-east-1')
    p.add_argument('--availability-zone')
    p.add_argument('--account-id', default='123456789012')
    p.add_argument('--domain', default='amazonaws.com')
    p.add_argument('--partition', default='aws')
    p.add_argument('--allow-v1', action='store_true', help='answer GETs without a token')
    p.add_argument('--token-ttl-cap', type=int, default=0)
    p.add_argument('--credential-lifetime', type=float, default=6 * 3600)
    p.add_argument('--rotate-seconds', type=float, default=0)
    p.add_argument('--down-seconds', type=float, default=0)
    p.add_argument('--fail-500', type=int, default=0)
    p.add_argument('--fail-429', type=int, default=0)
    p.add_argument('--latency-ms', type=int, default=0)
    args = p.parse_args(argv)
    if args.no_role:
        args.role = ''
    if not args.availability_zone:
        args.availability_zone = args.region + 'a'
    if not args.state_dir:
        args.state_dir = tempfile.mkdtemp(prefix='imds-state-')
    os.makedirs(args.state_dir, exist_ok=True)
    return args


def main(argv):
    args = parse_args(argv)
    Handler.imds = Imds(args)
    emu_common.serve(Handler, args.port_file, delay_listen_seconds=args.down_seconds,
                     port=args.port)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
