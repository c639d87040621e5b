"""SigV4 verification for the S3 emulator: recomputes each request's signature with Debian's
botocore (S3SigV4Auth canonical request / string to sign / signing key) from what arrived on
the wire, and answers with the error S3 would give (InvalidAccessKeyId, InvalidToken,
ExpiredToken, AuthorizationHeaderMalformed, RequestTimeTooSkewed, SignatureDoesNotMatch...).

Header auth and presigned (query) auth. Not responsible for HTTP or for object lookup.
"""

import calendar
import hmac
import re
import time
from urllib.parse import unquote

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.compat import HTTPHeaders
from botocore.credentials import Credentials

MAX_SKEW_SECONDS = 900
_AUTH_PREFIX = 'AWS4-HMAC-SHA256'
_HEX64 = re.compile(r'^[0-9a-f]{64}$')
_PAYLOAD_LITERALS = ('UNSIGNED-PAYLOAD', 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
                     'STREAMING-AWS4-HMAC-SHA256-PAYLOAD')


class AuthError(Exception):
    """An S3 error answer: status, Code, Message, extra XML elements, extra headers."""

    def __init__(self, status, code, message, fields=(), headers=()):
        super().__init__(code)
        self.status = status
        self.code = code
        self.message = message
        self.fields = list(fields)
        self.headers = list(headers)


class _WireSigner(S3SigV4Auth):
    """botocore's S3 signer, but signing exactly the headers the client said it signed."""

    def __init__(self, credentials, region, signed):
        super().__init__(credentials, 's3', region)
        self._signed = signed

    def headers_to_sign(self, request):
        return self._signed


def parse_query(raw_query):
    """Decoded (name, value) pairs, in order; '+' stays '+' as S3 does."""
    pairs = []
    if raw_query:
        for part in raw_query.split('&'):
            name, _, value = part.partition('=')
            pairs.append((unquote(name), unquote(value)))
    return pairs


def _parse_amz_date(value):
    try:
        return calendar.timegm(time.strptime(value, '%Y%m%dT%H%M%SZ'))
    except (TypeError, ValueError):
        return None


def _iso(epoch):
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(epoch))


def _parse_authorization(value):
    if not value.startswith(_AUTH_PREFIX + ' '):
        raise AuthError(400, 'InvalidArgument', 'Unsupported Authorization Type',
                        [('ArgumentName', 'Authorization'), ('ArgumentValue', value.split(' ')[0])])
    fields = {}
    for part in value[len(_AUTH_PREFIX):].split(','):
        name, sep, val = part.strip().partition('=')
        if sep:
            fields[name] = val.strip()
    if not all(k in fields for k in ('Credential', 'SignedHeaders', 'Signature')):
        raise AuthError(400, 'AuthorizationHeaderMalformed',
                        'The authorization header is malformed; the authorization header '
                        'requires three components: Credential, SignedHeaders, and Signature.')
    return fields['Credential'], fields['SignedHeaders'], fields['Signature']


class Verifier:
    """Checks one request. find_credential(akid) returns {SecretAccessKey, Token, expired,
    Expiration} or None; now() is the server clock (epoch seconds, skew applied)."""

    def __init__(self, find_credential, find_token_owner, now):
        self._find = find_credential
        self._token_known = find_token_owner
        self._now = now

    def verify(self, method, raw_path, raw_query, headers, bucket_region):
        """headers: list of (name, value) as received. Returns (access_key, signature); raises
        AuthError."""
        query = parse_query(raw_query)
        qnames = {n for n, _ in query}
        auth = [v for n, v in headers if n.lower() == 'authorization']
        if auth:
            return self._verify_header(method, raw_path, query, headers, auth[0], bucket_region)
        if 'X-Amz-Algorithm' in qnames or 'X-Amz-Signature' in qnames:
            return self._verify_query(method, raw_path, query, headers, bucket_region)
        raise AuthError(403, 'AccessDenied', 'Access Denied')

    def _header(self, headers, name):
        vals = [v for n, v in headers if n.lower() == name]
        return vals[0] if vals else None

    def _credential(self, akid, token, region, bucket_region, query_auth):
        cred = self._find(akid)
        if cred is None:
            if token is not None and not self._token_known(token):
                raise AuthError(400, 'InvalidToken', 'The provided token is malformed or '
                                'otherwise invalid.', [('Token-0', token)])
            raise AuthError(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided '
                            'does not exist in our records.', [('AWSAccessKeyId', akid)])
        expected_token = cred.get('Token')
        if expected_token and token is None:
            raise AuthError(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided '
                            'does not exist in our records.', [('AWSAccessKeyId', akid)])
        if token is not None and not _same(token, expected_token or ''):
            raise AuthError(400, 'InvalidToken', 'The provided token is malformed or '
                            'otherwise invalid.', [('Token-0', token)])
        if expected_token:
            exp = _parse_iso(cred.get('Expiration'))
            if cred.get('expired') or (exp is not None and exp <= self._now()):
                raise AuthError(400, 'ExpiredToken', 'The provided token has expired.',
                                [('Token-0', token)])
        if bucket_region and region != bucket_region:
            if query_auth:
                raise AuthError(400, 'AuthorizationQueryParametersError',
                                f"Error parsing the X-Amz-Credential parameter; the region "
                                f"'{region}' is wrong; expecting '{bucket_region}'",
                                [('Region', bucket_region)],
                                [('x-amz-bucket-region', bucket_region)])
            raise AuthError(400, 'AuthorizationHeaderMalformed',
                            f"The authorization header is malformed; the region '{region}' "
                            f"is wrong; expecting '{bucket_region}'",
                            [('Region', bucket_region)], [('x-amz-bucket-region', bucket_region)])
        return cred

    def _split_scope(self, credential, query_auth):
        parts = credential.split('/')
        if len(parts) != 5 or parts[3] != 's3' or parts[4] != 'aws4_request':
            if query_auth:
                raise AuthError(400, 'AuthorizationQueryParametersError',
                                'Error parsing the X-Amz-Credential parameter; the Credential '
                                'is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/'
                                'aws4_request".')
            raise AuthError(400, 'AuthorizationHeaderMalformed',
                            'The authorization header is malformed; the Credential is '
                            'mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/'
                            'aws4_request".')
        return parts[0], parts[1], parts[2]

    def _check_time(self, amz_date, scope_date, query_auth):
        t = _parse_amz_date(amz_date)
        if t is None:
            raise AuthError(403, 'AccessDenied', 'AWS authentication requires a valid Date or '
                            'x-amz-date header')
        if amz_date[:8] != scope_date:
            code = 'AuthorizationQueryParametersError' if query_auth else \
                'AuthorizationHeaderMalformed'
            raise AuthError(400, code, 'The authorization header is malformed; Invalid '
                            'credential date. Date is not the same as X-Amz-Date.')
        now = self._now()
        if abs(now - t) > MAX_SKEW_SECONDS:
            raise AuthError(403, 'RequestTimeTooSkewed', 'The difference between the request '
                            'time and the current time is too large.',
                            [('RequestTime', amz_date), ('ServerTime', _iso(now)),
                             ('MaxAllowedSkewMilliseconds', str(MAX_SKEW_SECONDS * 1000))])
        return t

    def _check_time_presigned(self, amz_date, scope_date):
        t = _parse_amz_date(amz_date)
        if t is None or amz_date[:8] != scope_date:
            raise AuthError(400, 'AuthorizationQueryParametersError', 'X-Amz-Date must be in '
                            'the ISO8601 Long Format "yyyyMMdd\'T\'HHmmss\'Z\'" and match the '
                            'X-Amz-Credential date')
        return t

    def _verify_header(self, method, raw_path, query, headers, auth, bucket_region):
        credential, signed_list, signature = _parse_authorization(auth)
        akid, scope_date, region = self._split_scope(credential, False)
        token = self._header(headers, 'x-amz-security-token')
        cred = self._credential(akid, token, region, bucket_region, False)
        amz_date = self._header(headers, 'x-amz-date')
        self._check_time(amz_date, scope_date, False)
        payload = self._header(headers, 'x-amz-content-sha256')
        if payload is None:
            raise AuthError(400, 'InvalidRequest', 'Missing required header for this request: '
                            'x-amz-content-sha256')
        if not (_HEX64.match(payload) or payload in _PAYLOAD_LITERALS):
            raise AuthError(400, 'InvalidArgument', 'x-amz-content-sha256 must be '
                            'UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, '
                            'STREAMING-AWS4-HMAC-SHA256-PAYLOAD, or a valid sha256 value.',
                            [('ArgumentName', 'x-amz-content-sha256'),
                             ('ArgumentValue', payload)])
        signed_names = signed_list.split(';')
        unsigned = sorted({n.lower() for n, _ in headers
                           if n.lower().startswith('x-amz-') and n.lower() not in signed_names})
        if 'host' not in signed_names or unsigned:
            raise AuthError(403, 'AccessDenied', 'There were headers present in the request '
                            'which were not signed', [('HeadersNotSigned', ', '.join(unsigned))])
        return self._compare(method, raw_path, query, headers, signed_names, payload, amz_date,
                             scope_date, region, akid, cred, signature)

    def _verify_query(self, method, raw_path, query, headers, bucket_region):
        q = dict(query)
        if q.get('X-Amz-Algorithm') != _AUTH_PREFIX or not all(
                k in q for k in ('X-Amz-Credential', 'X-Amz-Date', 'X-Amz-SignedHeaders',
                                 'X-Amz-Signature', 'X-Amz-Expires')):
            raise AuthError(400, 'AuthorizationQueryParametersError', 'Query-string '
                            'authentication version 4 requires the X-Amz-Algorithm, '
                            'X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, '
                            'and X-Amz-Expires parameters.')
        akid, scope_date, region = self._split_scope(q['X-Amz-Credential'], True)
        cred = self._credential(akid, q.get('X-Amz-Security-Token'), region, bucket_region,
                                True)
        t = self._check_time_presigned(q['X-Amz-Date'], scope_date)
        expires = int(q['X-Amz-Expires']) if q['X-Amz-Expires'].isdigit() else -1
        if not 1 <= expires <= 604800:
            raise AuthError(400, 'AuthorizationQueryParametersError',
                            'X-Amz-Expires must be between 1 and 604800 seconds')
        if self._now() > t + expires:
            raise AuthError(403, 'AccessDenied', 'Request has expired',
                            [('X-Amz-Expires', str(expires)), ('Expires', _iso(t + expires)),
                             ('ServerTime', _iso(self._now()))])
        if t - self._now() > MAX_SKEW_SECONDS:
            raise AuthError(403, 'AccessDenied', 'Request is not valid yet')
        signed = [(n, v) for n, v in query if n != 'X-Amz-Signature']
        return self._compare(method, raw_path, signed, headers,
                             q['X-Amz-SignedHeaders'].split(';'), 'UNSIGNED-PAYLOAD',
                             q['X-Amz-Date'], scope_date, region, akid, cred, q['X-Amz-Signature'])

    def _compare(self, method, raw_path, query, headers, signed_names, payload, amz_date,
                 scope_date, region, akid, cred, provided):
        signed = HTTPHeaders()
        for name in signed_names:
            values = [v for n, v in headers if n.lower() == name]
            for v in values or ['']:
                signed[name] = v
        host = self._header(headers, 'host') or 'localhost'
        request = AWSRequest(method=method, url=f'http://{host}{raw_path}', params=query)
        request.headers['X-Amz-Content-SHA256'] = payload
        request.context['timestamp'] = amz_date
        signer = _WireSigner(Credentials(akid, cred['SecretAccessKey'], cred.get('Token')),
                             region, signed)
        canonical = signer.canonical_request(request)
        sts = signer.string_to_sign(request, canonical)
        expected = signer.signature(sts, request)
        if not _same(expected, provided):
            raise AuthError(403, 'SignatureDoesNotMatch', 'The request signature we calculated '
                            'does not match the signature you provided. Check your key and '
                            'signing method.',
                            [('AWSAccessKeyId', akid), ('StringToSign', sts),
                             ('SignatureProvided', provided),
                             ('StringToSignBytes', _hex_bytes(sts)),
                             ('CanonicalRequest', canonical),
                             ('CanonicalRequestBytes', _hex_bytes(canonical))])
        return akid, provided


def _same(a, b):
    return hmac.compare_digest(a.encode('utf-8', 'surrogateescape'),
                               b.encode('utf-8', 'surrogateescape'))


def _hex_bytes(text):
    return ' '.join(f'{b:02x}' for b in text.encode('utf-8'))


def _parse_iso(value):
    try:
        return calendar.timegm(time.strptime(value, '%Y-%m-%dT%H:%M:%SZ'))
    except (TypeError, ValueError):
        return None
