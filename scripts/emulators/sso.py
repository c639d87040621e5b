#!/usr/bin/python3
"""Loopback IAM Identity Center portal emulator: GET /federation/credentials?account_id=A&
role_name=R with header x-amz-sso_bearer_token, as the SSO GetRoleCredentials API.

Answers {"roleCredentials": {accessKeyId, secretAccessKey, sessionToken, expiration (ms)}}
and appends the set to the shared state's credentials.json (source "sso"), so the S3
emulator accepts it. Errors as the portal gives them (JSON body, x-amzn-ErrorType header):
401 UnauthorizedException for an unknown or missing token, 403 ForbiddenException for a role
not granted, 400 InvalidRequestException for missing parameters.

Options: --state-dir D --access-token T (repeatable; accepted tokens) --grant ACCOUNT/ROLE
(repeatable; none: every role) --lifetime S (3600)
"""

import argparse
import hmac
import json
import os
import secrets
import sys
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl, urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import emu_common  # noqa: E402
import emu_state  # noqa: E402


class Handler(emu_common.StatsMixin, BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    args = None
    stats = None

    def log_message(self, format, *args):
        pass

    def _send(self, status, payload, error_type=None):
        data = json.dumps(payload).encode('utf-8')
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('RequestId', secrets.token_hex(16))
        if error_type:
            self.stats_counters.append('error:' + error_type)
            self.send_header('x-amzn-ErrorType', error_type)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers_with_body(data)

    def do_GET(self):
        url = urlsplit(self.path)
        self.stats_begin(self.stats, url.path)
        try:
            self._serve(url)
        finally:
            self.stats_record()

    def _serve(self, url):
        args = self.args
        if url.path != '/federation/credentials':
            return self._send(404, {'message': 'Not Found'}, 'ResourceNotFoundException')
        q = dict(parse_qsl(url.query))
        account, role = q.get('account_id'), q.get('role_name')
        if not account or not role:
            return self._send(400, {'message': 'account_id and role_name are required'},
                              'InvalidRequestException')
        token = self.headers.get('x-amz-sso_bearer_token') or ''
        if not any(hmac.compare_digest(token, t) for t in args.access_token):
            return self._send(401, {'message': 'Session token not found or invalid'},
                              'UnauthorizedException')
        if args.grant and f'{account}/{role}' not in args.grant:
            return self._send(403, {'message': 'No access'}, 'ForbiddenException')
        now = time.time()
        cred = emu_state.new_credentials(now, args.lifetime)
        cred.update(source='sso', account_id=account, role_name=role)
        emu_state.issue(args.state_dir, cred)
        self._send(200, {'roleCredentials': {
            'accessKeyId': cred['AccessKeyId'], 'secretAccessKey': cred['SecretAccessKey'],
            'sessionToken': cred['Token'], 'expiration': int((now + args.lifetime) * 1000)}})


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument('--port-file', required=True)
    p.add_argument('--port', type=int, default=0)
    p.add_argument('--stats-file')
    p.add_argument('--state-dir', required=True)
    p.add_argument('--access-token', action='append', default=[])
    p.add_argument('--grant', action='append', default=[], metavar='ACCOUNT/ROLE')
    p.add_argument('--lifetime', type=int, default=3600)
    p.add_argument('--latency-ms', type=int, default=0)
    args = p.parse_args(argv)
    for token in args.access_token:
        emu_state.record_secret(args.state_dir, token)
    return args


def main(argv):
    args = parse_args(argv)
    Handler.args = args
    Handler.stats = emu_common.Stats(args.stats_file)
    emu_common.serve(Handler, args.port_file, port=args.port)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
