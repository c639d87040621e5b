#!/usr/bin/python3
"""End-to-end: the real binary against wire_probe.py, an IMDS and an S3 written from the
protocols rather than from scripts/emulators, answering as real servers and networks do
where our emulators and fault tests do not: a pooled keep-alive connection the server has
closed or reset, servers that close after each answer without saying so, HTTP/1.0, folded
header lines, a 307, the region only in an AuthorizationHeaderMalformed body, an IMDS token
that stops being valid, credential documents in other shapes and Expiration forms.

Each case completes with the right bytes, verified, or fails closed with one error line;
e2e_util scans every output and file for the IMDS tokens, secret keys, session tokens,
access key ids and signatures handed out or seen."""

import datetime
import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_util  # noqa: E402
import wire_probe  # noqa: E402
from e2e_util import EXIT_FETCH, EXIT_OK, EXIT_SETUP, E2ETest  # noqa: E402
from wire_probe import answer, reset, s3_error  # noqa: E402

SCRIPT = b'#!/bin/sh\necho probe\n'
MD5 = hashlib.md5(SCRIPT).hexdigest()
INCLUDE = b'#s3-include\ns3://bkt/obj\n'
DEADLINE = 30  # a bound, never reached by a passing case


class Probe:
    """The pair of servers as e2e_util wants an emulator: an environment and the secrets."""

    def __init__(self, home):
        self.imds = wire_probe.Imds()
        self.s3 = wire_probe.S3(self.imds)
        self.env = {'PATH': '/usr/bin:/bin', 'HOME': home, 'LANG': 'C.UTF-8',
                    'AWS_EC2_METADATA_SERVICE_ENDPOINT': self.imds.server.url,
                    'AWS_ENDPOINT_URL_S3': self.s3.server.url,
                    'AWS_CONFIG_FILE': os.path.join(home, 'no-such-aws-config'),
                    'AWS_SHARED_CREDENTIALS_FILE': os.path.join(home, 'no-such-credentials')}

    def secrets(self):
        return self.imds.secrets() + self.s3.signatures + [
            c['AccessKeyId'] for c in self.imds.handed_out]

    def stop(self):
        self.imds.server.stop()
        self.s3.server.stop()


class ProbeTest(E2ETest):

    def setUp(self):
        super().setUp()
        self.emu = Probe(self.tmp)
        self.addCleanup(self.emu.stop)
        self.imds, self.s3 = self.emu.imds, self.emu.s3
        self.s3.put('bkt', 'obj', SCRIPT)

    def plan(self, user_data=INCLUDE):
        args = ['plan', '--json', '--on-instance', '--deadline', str(DEADLINE)]
        if user_data is not None:
            args.insert(1, self.write('ud', user_data))
        return self.run_bin(self.emu, args, timeout=DEADLINE + 60)

    def assert_planned(self, run, evidence='content-length'):
        """The plan is the one script, byte for byte, verified by `evidence`."""
        self.assertEqual(run.code, EXIT_OK, run)
        self.assertEqual(run.error_lines(), [], run)
        [part] = json.loads(run.stdout)['parts']
        self.assertEqual(part['sha256'], e2e_util.sha256(SCRIPT), run)
        self.assertIn(evidence, part['source']['verified_by'], run)

    def nested(self):
        """obj includes two, fetched once obj has arrived: on obj's pooled connection."""
        self.s3.put('bkt', 'obj', b'#s3-include\ns3://bkt/two\n')
        self.s3.put('bkt', 'two', SCRIPT)


class ConnectionTest(ProbeTest):
    """A GET is idempotent: a connection that died in the pool costs a new one, not the run."""

    def fail_second_request(self, how):
        self.nested()
        served = []

        def respond(conn, request, body):
            served.append(request.path)
            if len(served) == 2:
                how(conn)
                return False
            return self.s3.object_answer(conn, request, body)
        self.s3.respond = respond
        return served

    def test_a_pooled_connection_closed_as_the_request_arrives_is_replaced(self):
        served = self.fail_second_request(lambda conn: None)
        self.assert_planned(self.plan())
        self.assertEqual(served, ['/bkt/obj', '/bkt/two', '/bkt/two'])
        self.assertEqual(self.s3.server.connections, 2)

    def test_a_pooled_connection_reset_as_the_request_arrives_is_replaced(self):
        served = self.fail_second_request(reset)
        self.assert_planned(self.plan())
        self.assertEqual(served, ['/bkt/obj', '/bkt/two', '/bkt/two'])

    def test_run_past_a_dead_pooled_connection_runs_each_part_once(self):
        self.fail_second_request(lambda conn: None)
        state = os.path.join(self.tmp, 'state')
        run = self.run_bin(self.emu, ['run', '--user-data', self.write('ud', INCLUDE),
                                      '--state-dir', state, '--cloud-config-dir', state + '.cfg',
                                      '--deadline', str(DEADLINE)], timeout=DEADLINE + 60)
        self.assertEqual(run.code, EXIT_OK, run)
        self.assertEqual(run.out.count('probe\n'), 1, run)

    def test_servers_that_close_after_every_answer_without_saying_so(self):
        self.nested()
        self.imds.user_data = INCLUDE
        imds_handle = self.imds.handle
        self.imds.server.handler = lambda conn, request: imds_handle(conn, request) and False
        self.s3.respond = lambda conn, request, body: \
            self.s3.object_answer(conn, request, body) and False
        self.assert_planned(self.plan(user_data=None), 'etag-md5')
        self.assertEqual(self.s3.server.connections, 2)

    def test_http_10_answers_with_connection_close(self):
        self.nested()
        self.s3.respond = lambda conn, request, body: conn.sendall(answer(
            200, 'OK', [('Connection', 'close'), ('ETag', f'"{hashlib.md5(body).hexdigest()}"')],
            body, version='HTTP/1.0')) or False
        self.assert_planned(self.plan(), 'etag-md5')

    def test_imds_answering_http_10_and_chunked_user_data(self):
        self.imds.user_data = INCLUDE
        served = []

        def handle(conn, request):
            data = self.imds.token_answer(request) if request.method == 'PUT' else \
                self.imds.get_answer(request)
            head, body = data.split(b'\r\n\r\n', 1)
            status, *headers = head.split(b'\r\n')
            if request.path == '/latest/user-data' and not served:
                served.append(1)  # chunked, 5 bytes a chunk, each in its own write
                headers = [h for h in headers if not h.lower().startswith(b'content-length')]
                conn.sendall(b'\r\n'.join([status] + headers) +
                             b'\r\nTransfer-Encoding: chunked\r\n\r\n')
                for i in range(0, len(body), 5):
                    conn.sendall(b'%x\r\n%s\r\n' % (len(body[i:i + 5]), body[i:i + 5]))
                conn.sendall(b'0\r\n\r\n')
                return True
            conn.sendall(b'\r\n'.join([b'HTTP/1.0' + status[8:]] + headers) + b'\r\n\r\n' + body)
            return False
        self.imds.server.handler = handle
        self.assert_planned(self.plan(user_data=None))
        self.assertEqual(served, [1])

    def test_imds_answers_without_a_length_are_refused_wherever_they_were_cut(self):
        # Close-delimited (HTTP/1.0, or 1.1 with Connection: close and no length), cut by a
        # FIN in the middle of a line: it looks whole. Nothing of it is used, nothing runs.
        marker = os.path.join(self.tmp, 'SECOND')
        user_data = f'#!/bin/sh\ntouch {marker}\n'.encode()
        cut = user_data[:user_data.index(b'SECOND') + 2]
        for version, path in (('HTTP/1.1', '/latest/user-data'),
                              ('HTTP/1.0', '/latest/user-data'),
                              ('HTTP/1.1', '/latest/meta-data/iam/security-credentials/'
                               + self.imds.role)):
            with self.subTest(version=version, path=path):
                self.imds.user_data = cut if path.endswith('user-data') else INCLUDE
                handle = self.imds.handle

                def unframed(conn, request, version=version, path=path, handle=handle):
                    if request.path != path:
                        return handle(conn, request)
                    data = self.imds.get_answer(request)
                    head, body = data.split(b'\r\n\r\n', 1)
                    status, *headers = head.split(b'\r\n')
                    headers = [h for h in headers if not h.lower().startswith(b'content-length')]
                    conn.sendall(b'\r\n'.join([version.encode() + status[8:]] + headers +
                                               [b'Connection: close']) + b'\r\n\r\n' + body)
                    return False
                self.imds.server.handler = unframed
                state = os.path.join(self.tmp, 'state')
                run = self.run_bin(self.emu, ['run', '--state-dir', state, '--cloud-config-dir',
                                              state + '.cfg', '--deadline', str(DEADLINE)],
                                   timeout=DEADLINE + 60)
                self.imds.server.handler = handle
                self.assert_one_error(run, EXIT_SETUP, path,
                                      'close-delimited (no Content-Length: completeness unproven)')
                self.assertFalse(os.path.exists(marker), run)
                self.assertFalse(os.path.exists(os.path.join(self.tmp, 'SE')), run)


class HeaderTest(ProbeTest):

    def respond_with(self, headers):
        self.s3.respond = lambda conn, request, body: conn.sendall(
            answer(200, 'OK', headers, body)) or True

    def test_a_folded_etag_is_the_etag(self):
        self.respond_with([('ETag', f'\r\n "{MD5}"')])
        self.assert_planned(self.plan(), 'etag-md5')

    def test_a_folded_line_is_no_header_of_its_own(self):
        self.respond_with([('x-amz-meta-note', 'a\r\n x-amz-checksum-sha256: '
                            'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=')])
        self.assert_planned(self.plan())


    def test_two_etags_that_differ_are_no_evidence(self):
        self.respond_with([('ETag', f'"{MD5}"'), ('ETag', f'"{MD5}"')])
        self.assert_planned(self.plan(), 'etag-md5')
        self.respond_with([('ETag', f'"{MD5}"'), ('ETag', '"0123456789abcdef0123456789abcdef"')])
        self.assert_one_error(self.plan(), EXIT_FETCH, 's3://bkt/obj',
                              'etag headers that differ')

    def test_a_content_length_list_is_its_one_value_or_refused(self):
        n = len(SCRIPT)
        self.s3.respond = lambda conn, request, body: conn.sendall(
            answer(200, 'OK', [('Content-Length', f'{n}, {n}')], body, length=False)) or True
        self.assert_planned(self.plan())
        self.s3.respond = lambda conn, request, body: conn.sendall(
            answer(200, 'OK', [('Content-Length', f'{n}, {n + 5}')], body + b'extra',
                   length=False)) or True
        self.assert_one_error(self.plan(), EXIT_FETCH, 's3://bkt/obj',
                              'Content-Length headers that differ')


    def test_a_200_whose_content_range_says_part_is_refused(self):
        self.s3.respond = lambda conn, request, body: conn.sendall(answer(
            200, 'OK', [('Content-Range', f'bytes 0-9/{len(body)}')], body[:10])) or True
        self.assert_one_error(self.plan(), EXIT_FETCH, 's3://bkt/obj', 'a part of the object')


class S3AnswerTest(ProbeTest):

    def test_region_only_in_the_authorization_header_malformed_body_is_learnt(self):
        self.s3.region = 'eu-west-1'  # IMDS says us-east-1; no x-amz-bucket-region header
        self.assert_planned(self.plan())
        self.assertEqual(self.s3.refused, ['AuthorizationHeaderMalformed'])

    def test_a_temporary_redirect_is_refused_as_what_it_is(self):
        self.s3.respond = lambda conn, request, body: conn.sendall(s3_error(
            307, 'Temporary Redirect', 'TemporaryRedirect', 'Please re-send this request to '
            'the specified temporary endpoint.',
            '<Endpoint>bkt.s3-external-1.amazonaws.com</Endpoint><Bucket>bkt</Bucket>',
            [('Location', 'http://bkt.s3-external-1.amazonaws.com/obj'),
             ('x-amz-bucket-region', 'us-east-1')])) or True
        run = self.plan()
        self.assert_one_error(run, EXIT_FETCH, 's3://bkt/obj', 'HTTP 307 TemporaryRedirect',
                              'redirects are not followed')
        self.assertNotIn('another region', run.err)
        self.assertEqual(len(self.s3.server.requests), 1)

    def test_an_error_echoing_the_authorization_header_prints_none_of_it(self):
        self.s3.respond = lambda conn, request, body: conn.sendall(s3_error(
            400, 'Bad Request', 'SomethingNew', 'you sent ' + request.header('authorization'))) \
            or True
        run = self.plan()  # run_bin scans for the access key id and the signature
        self.assert_one_error(run, EXIT_FETCH, 's3://bkt/obj', 'you sent AWS4-HMAC-SHA256 '
                              'Credential=<redacted>/')

    def test_expired_token_takes_the_credentials_imds_has_now(self):
        handle, document = self.imds.handle, self.imds.document

        def rotating(conn, request):  # the first credentials go stale as they are handed out
            if not request.path.endswith('/' + self.imds.role) or len(self.imds.handed_out) > 1:
                return handle(conn, request)
            # Rotated before the answer leaves: the client's first S3 request can come before
            # this thread runs again (it did under load, and S3 took the first set as current).
            stale = json.dumps(self.imds.credentials, indent=2).encode()
            self.imds.rotate()
            self.imds.document = lambda: stale
            try:
                return handle(conn, request)
            finally:
                self.imds.document = document
        self.imds.server.handler = rotating
        self.assert_planned(self.plan())
        self.assertEqual(self.s3.refused, ['ExpiredToken'])


class ImdsTest(ProbeTest):

    def test_a_token_imds_forgot_mid_run_is_replaced_after_one_401(self):
        handle = self.imds.handle
        forgot = []

        def forgetting(conn, request):
            if request.path.endswith('/' + self.imds.role) and not forgot:
                forgot.append(1)
                self.imds.tokens.clear()
            return handle(conn, request)
        self.imds.server.handler = forgetting
        self.assert_planned(self.plan())
        self.assertEqual(forgot, [1])

    def test_a_role_listing_of_several_crlf_lines_names_the_first(self):
        self.imds.listing = lambda: (self.imds.role + '\r\nother-role\r\n').encode()
        self.assert_planned(self.plan())

    def test_credential_documents_in_other_shapes(self):
        expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=6)
        for expiration in (expires.strftime('%Y-%m-%dT%H:%M:%S.%fZ'),
                           expires.astimezone(datetime.timezone(datetime.timedelta(hours=1)))
                           .strftime('%Y-%m-%dT%H:%M:%S+01:00'),
                           '9999-12-31T23:59:59Z'):
            with self.subTest(expiration=expiration):
                def document(expiration=expiration):
                    c = dict(self.imds.credentials, Expiration=expiration,
                             Extra={'nested': [1, 2]})
                    return json.dumps(dict(reversed(list(c.items()))), indent='\t').encode()
                self.imds.document = document
                self.assert_planned(self.plan())


if __name__ == '__main__':
    e2e_util.main()
