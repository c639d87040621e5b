#!/usr/bin/python3
"""Loopback AWS STS emulator: AssumeRole (SigV4-signed, checked with Debian's botocore) and
AssumeRoleWithWebIdentity (unsigned), Query protocol (form POST, XML answers).

Issued credentials are appended to the shared state's credentials.json (source "sts", with
role_arn, session_name, action), so the S3 emulator accepts them and a later AssumeRole can
be signed with them. Error answers are STS's: 400 ValidationError, InvalidIdentityToken,
ExpiredTokenException, MissingAuthenticationToken, IncompleteSignature; 403
InvalidClientTokenId, SignatureDoesNotMatch, AccessDenied.

Options: --state-dir D --credentials-file F (static {AccessKeyId, SecretAccessKey}) --account-id
--web-identity-token T (repeatable; accepted tokens) --deny-role ARN (repeatable)
--external-id ARN=ID (role requires this ExternalId) --lifetime S (default 3600)
"""

import argparse
import calendar
import hmac
import json
import os
import re
import secrets
import sys
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.compat import HTTPHeaders
from botocore.credentials import Credentials

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import emu_common  # noqa: E402
import emu_state  # noqa: E402

_NS = 'https://sts.amazonaws.com/doc/2011-06-15/'
_ROLE_ARN = re.compile(r'^arn:aws[a-z-]*:iam::(\d{12}):role/(?:[\w+=,.@-]+/)*([\w+=,.@-]+)$')
_SESSION = re.compile(r'^[\w+=,.@-]{2,64}$')
_MAX_SKEW = 900


class StsError(Exception):
    def __init__(self, status, code, message, sender=True):
        super().__init__(code)
        self.status, self.code, self.message, self.sender = status, code, message, sender


class _WireSigner(SigV4Auth):
    def __init__(self, credentials, region, signed):
        super().__init__(credentials, 'sts', region)
        self._signed = signed

    def headers_to_sign(self, request):
        return self._signed


def _known_credential(args, akid):
    by_key = {c['AccessKeyId']: c for c in args.static}
    for c in emu_state.load_credentials(args.state_dir):
        by_key[c['AccessKeyId']] = c
    return by_key.get(akid)


def verify_sigv4(args, headers, body):
    """Checks the Authorization header with botocore; returns the caller's credential record."""
    auth = headers.get('Authorization')
    if not auth:
        raise StsError(403, 'MissingAuthenticationToken', 'Request is missing Authentication '
                       'Token')
    m = re.match(r'^AWS4-HMAC-SHA256 Credential=([^,]+), ?SignedHeaders=([^,]+), ?'
                 r'Signature=([0-9a-f]{64})$', auth)
    if not m:
        raise StsError(400, 'IncompleteSignature', 'Authorization header requires '
                       'Credential, SignedHeaders and Signature.')
    scope, signed_list, provided = m.groups()
    parts = scope.split('/')
    if len(parts) != 5 or parts[3] != 'sts' or parts[4] != 'aws4_request':
        raise StsError(400, 'IncompleteSignature', 'Credential should be scoped to a valid '
                       'region, not a service or a date.')
    akid, scope_date, region = parts[0], parts[1], parts[2]
    cred = _known_credential(args, akid)
    if cred is None:
        raise StsError(403, 'InvalidClientTokenId', 'The security token included in the '
                       'request is invalid.')
    token = headers.get('X-Amz-Security-Token')
    if (cred.get('Token') or None) != token:
        raise StsError(403, 'InvalidClientTokenId', 'The security token included in the '
                       'request is invalid.')
    if cred.get('Token') and (cred.get('expired') or _epoch(cred['Expiration']) <= time.time()):
        raise StsError(400, 'ExpiredToken', 'The security token included in the request is '
                       'expired')
    amz_date = headers.get('X-Amz-Date') or ''
    try:
        t = calendar.timegm(time.strptime(amz_date, '%Y%m%dT%H%M%SZ'))
    except ValueError:
        raise StsError(400, 'IncompleteSignature', 'Missing or malformed X-Amz-Date')
    if amz_date[:8] != scope_date or abs(time.time() - t) > _MAX_SKEW:
        raise StsError(403, 'SignatureDoesNotMatch', 'Signature expired or not yet valid')
    signed_names = signed_list.split(';')
    unsigned = [n for n in headers.keys() if n.lower().startswith('x-amz-') and
                n.lower() not in signed_names]
    if 'host' not in signed_names or unsigned:
        raise StsError(403, 'SignatureDoesNotMatch', 'Host and every x-amz-* header must be '
                       'signed')
    signed = HTTPHeaders()
    for name in signed_names:
        signed[name] = headers.get(name, '')
    host = headers.get('Host') or 'localhost'
    request = AWSRequest(method='POST', url=f'http://{host}/', data=body)
    request.context['timestamp'] = amz_date
    signer = _WireSigner(Credentials(akid, cred['SecretAccessKey'], token), region, signed)
    canonical = signer.canonical_request(request)
    expected = signer.signature(signer.string_to_sign(request, canonical), request)
    emu_state.record_signature(args.state_dir, provided)
    if not hmac.compare_digest(expected, provided):
        raise StsError(403, 'SignatureDoesNotMatch', 'The request signature we calculated does '
                       'not match the signature you provided. Check your AWS Secret Access Key '
                       'and signing method.')
    return cred


def _epoch(iso):
    return calendar.timegm(time.strptime(iso, '%Y-%m-%dT%H:%M:%SZ'))


def _role(args, params, action):
    arn = params.get('RoleArn', '')
    m = _ROLE_ARN.match(arn)
    if not m:
        raise StsError(400, 'ValidationError', f"1 validation error detected: Value '{arn}' at "
                       "'roleArn' failed to satisfy constraint")
    session = params.get('RoleSessionName', '')
    if not _SESSION.match(session):
        raise StsError(400, 'ValidationError', "1 validation error detected: Value at "
                       "'roleSessionName' failed to satisfy constraint: Member must satisfy "
                       "regular expression pattern: [\\w+=,.@-]*")
    duration = params.get('DurationSeconds')
    if duration is not None and (not duration.isdigit() or not 900 <= int(duration) <= 43200):
        raise StsError(400, 'ValidationError', "1 validation error detected: Value at "
                       "'durationSeconds' failed to satisfy constraint: Member must have value "
                       "between 900 and 43200")
    if arn in args.deny_role:
        raise StsError(403, 'AccessDenied', f'Not authorized to perform sts:{action}')
    return arn, m.group(1), m.group(2), session, int(duration) if duration else args.lifetime


def assume(args, params, headers, body):
    action = params.get('Action')
    if params.get('Version') != '2011-06-15':
        raise StsError(400, 'InvalidAction', 'Could not find operation for this version')
    if action == 'AssumeRole':
        caller = verify_sigv4(args, headers, body)
        arn, account, name, session, lifetime = _role(args, params, action)
        wanted = args.external_ids.get(arn)
        if wanted is not None and params.get('ExternalId') != wanted:
            raise StsError(403, 'AccessDenied', 'Not authorized to perform sts:AssumeRole')
        source = caller['AccessKeyId']
    elif action == 'AssumeRoleWithWebIdentity':
        arn, account, name, session, lifetime = _role(args, params, action)
        token = params.get('WebIdentityToken', '')
        if len(token) < 4:
            raise StsError(400, 'ValidationError', "1 validation error detected: Value at "
                           "'webIdentityToken' failed to satisfy constraint")
        if not any(hmac.compare_digest(token, t) for t in args.web_identity_token):
            raise StsError(400, 'InvalidIdentityToken', "Couldn't retrieve verification key "
                           "from your identity provider,  please reference "
                           "AssumeRoleWithWebIdentity documentation for requirements")
        source = 'web-identity'
    else:
        raise StsError(400, 'InvalidAction', f'Could not find operation {action} for version '
                       '2011-06-15')
    now = time.time()
    cred = emu_state.new_credentials(now, lifetime)
    cred.update(source='sts', action=action, role_arn=arn, session_name=session,
                external_id=params.get('ExternalId'), duration=params.get('DurationSeconds'),
                caller=source)
    emu_state.issue(args.state_dir, cred)
    assumed = f'arn:aws:sts::{account}:assumed-role/{name}/{session}'
    extra = '<SubjectFromWebIdentityToken>system:serviceaccount:default:default' \
            '</SubjectFromWebIdentityToken>' if action != 'AssumeRole' else ''
    return (f'<{action}Response xmlns="{_NS}">\n  <{action}Result>\n'
            f'    <AssumedRoleUser>\n      <AssumedRoleId>AROA{secrets.token_hex(8).upper()}:'
            f'{escape(session)}</AssumedRoleId>\n      <Arn>{escape(assumed)}</Arn>\n'
            f'    </AssumedRoleUser>\n    <Credentials>\n'
            f'      <AccessKeyId>{cred["AccessKeyId"]}</AccessKeyId>\n'
            f'      <SecretAccessKey>{escape(cred["SecretAccessKey"])}</SecretAccessKey>\n'
            f'      <SessionToken>{escape(cred["Token"])}</SessionToken>\n'
            f'      <Expiration>{cred["Expiration"]}</Expiration>\n    </Credentials>\n'
            f'    {extra}\n  </{action}Result>\n  <ResponseMetadata>\n'
            f'    <RequestId>{secrets.token_hex(16)}</RequestId>\n  </ResponseMetadata>\n'
            f'</{action}Response>\n')


class Handler(emu_common.StatsMixin, BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    args = None
    stats = None

    def log_message(self, format, *args):
        pass

    def _send(self, status, body, content_type='text/xml'):
        data = body.encode('utf-8')
        self.send_response(status)
        self.send_header('x-amzn-RequestId', secrets.token_hex(16))
        self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers_with_body(data)

    def do_POST(self):
        self.stats_begin(self.stats, self.path)
        try:
            length = int(self.headers.get('Content-Length') or 0)
            body = self.rfile.read(length) if length > 0 else b''
            params = dict(parse_qsl(body.decode('utf-8', 'replace'), keep_blank_values=True))
            try:
                if self.path != '/':
                    raise StsError(404, 'UnknownOperationException', 'not found')
                self._send(200, assume(self.args, params, self.headers, body))
            except StsError as e:
                self.stats_counters.append('error:' + e.code)
                self._send(e.status, f'<ErrorResponse xmlns="{_NS}">\n  <Error>\n    <Type>'
                           f'{"Sender" if e.sender else "Receiver"}</Type>\n    <Code>{e.code}'
                           f'</Code>\n    <Message>{escape(e.message)}</Message>\n  </Error>\n'
                           f'  <RequestId>{secrets.token_hex(16)}</RequestId>\n'
                           '</ErrorResponse>\n')
        finally:
            self.stats_record()

    def do_GET(self):
        self.stats_begin(self.stats, self.path)
        try:
            self._send(405, '<ErrorResponse/>')
        finally:
            self.stats_record()


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument('--port-file', required=True)
    p.add_argument('--port', type=int, default=0)
    p.add_argument('--stats-file')
    p.add_argument('--state-dir', required=True)
    p.add_argument('--credentials-file')
    p.add_argument('--web-identity-token', action='append', default=[])
    p.add_argument('--deny-role', action='append', default=[])
    p.add_argument('--external-id', action='append', default=[], metavar='ARN=ID')
    p.add_argument('--lifetime', type=int, default=3600)
    p.add_argument('--latency-ms', type=int, default=0)
    args = p.parse_args(argv)
    args.external_ids = dict(e.split('=', 1) for e in args.external_id)
    args.static = []
    if args.credentials_file:
        with open(args.credentials_file, encoding='utf-8') as f:
            data = json.load(f)
        args.static = data.get('credentials', []) if isinstance(data, dict) else data
    for token in args.web_identity_token:
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
