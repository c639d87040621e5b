#!/usr/bin/python3
"""End-to-end: the real binary against hostile or merely unusual S3 and IMDS servers
(scripts/emulators/hostile.py, which writes every answer byte for byte: chunked framing
cut or overflowing, endless headers and bodies, 1xx answers, differing lengths, a 206,
redirects to another host or to a region that is none, huge or malformed error documents,
bad IMDS tokens, role names and credentials).

Each case: the run completes with the verified object, or fails closed with exactly one
error line naming the object and the cause, inside its --deadline, under a bound on its
peak RSS, and no secret in any output (e2e_util scans every output and file; the hostile
server records the signatures it saw and the token and keys it handed out)."""

import gzip
import json
import os
import shutil
import socket
import tempfile
import threading
import time

import e2e_util
from e2e_util import EXIT_FETCH, EXIT_OK, EXIT_SETUP, E2ETest
from harness import Emulators, _Process

SCRIPT = b'#!/bin/sh\necho hostile-served\n'
URL = 's3://bkt/obj'
USER_DATA = f'#s3-include\n{URL}\n'.encode()
# --deadline of a run the server ends at its deadline (a drip, silence): short, so the test is.
DEADLINE = 3
# --deadline of every other run: one that ends on its own (a limit, a refusal, the object)
# must not end at its deadline instead on a loaded machine, where a Python server can be held
# back for seconds (a 1 MiB credentials document took more than 2 s to start).
SETTLED = 60
# Peak RSS of one run: what an endless or huge answer must not push it past (a clean plan
# takes about 15 MiB; the size limits in play here are 8 and 16 MiB).
MAX_RSS_MIB = 96
if 'ASAN_OPTIONS' in os.environ:  # scripts/sanitize.sh: shadow memory and redzones
    MAX_RSS_MIB *= 4


class BlackholedOnce:
    """A port for `target` (an emulator's URL) that drops every SYN for `seconds` (a listen
    queue of one, filled), then relays each connection to the target."""

    def __init__(self, target, seconds):
        self.target = ('127.0.0.1', int(target.rsplit(':', 1)[1]))
        self.listener = socket.socket()
        self.listener.bind(('127.0.0.1', 0))
        self.listener.listen(0)
        self.url = f'http://127.0.0.1:{self.listener.getsockname()[1]}'
        self.fillers = []
        for _ in range(3):
            s = socket.socket()
            s.setblocking(False)
            s.connect_ex(self.listener.getsockname())
            self.fillers.append(s)
        time.sleep(0.2)
        self.opens = threading.Timer(seconds, self._open)
        self.opens.daemon = True
        self.opens.start()

    def _open(self):
        for s in self.fillers:
            s.close()
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._relay, args=(conn,), daemon=True).start()

    def _relay(self, conn):
        try:
            upstream = socket.create_connection(self.target)
        except OSError:
            conn.close()
            return

        def pump(src, dst):
            try:
                while data := src.recv(65536):
                    dst.sendall(data)
            except OSError:
                pass
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        threading.Thread(target=pump, args=(upstream, conn), daemon=True).start()
        pump(conn, upstream)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.opens.cancel()
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accept (close alone does not)
        except OSError:
            pass
        self.listener.close()
        return False


class HostileTest(E2ETest):
    """One IMDS and S3 emulator pair per class (they only hand out credentials and hold
    the object); a hostile server of its own per test."""

    @classmethod
    def setUpClass(cls):
        cls.shared_dir = tempfile.mkdtemp(prefix='s3us-e2e-hostile-')
        cls.shared = Emulators(cls.shared_dir)
        cls.shared.start()
        cls.shared.put('bkt', 'obj', SCRIPT)

    @classmethod
    def tearDownClass(cls):
        cls.shared.stop()
        shutil.rmtree(cls.shared_dir, ignore_errors=True)

    def hostile(self, mode, body=SCRIPT):
        self.emu = emu = self.shared
        server = _Process('hostile', emu.workdir)
        server.start('hostile.py', ['--mode', mode, '--state-dir', emu.state_dir,
                                    '--body-file', self.write('body', body)])
        self.addCleanup(server.stop)
        return server

    def plan(self, mode, imds=False, extra=(), user_data_file=True, deadline=SETTLED):
        """`plan --json` of one include against the hostile server as S3 (or as IMDS, the
        real S3 emulator behind); returns (run, the hostile server's stats)."""
        server = self.hostile(mode)
        url = f'http://127.0.0.1:{server.port}'
        env = {'AWS_EC2_METADATA_SERVICE_ENDPOINT' if imds else 'AWS_ENDPOINT_URL_S3': url}
        ud = [self.write('ud', USER_DATA)] if user_data_file else []
        args = ['plan'] + ud + ['--json', '--on-instance', '--deadline', str(deadline)]
        run = self.run_measured(self.emu, args + list(extra), env, deadline)
        server.stop()
        return run, server.stats()

    def run_measured(self, emu, args, extra_env, deadline=SETTLED):
        """run_bin, with the run's own peak RSS (wait4 on this very child) as run.rss_mib."""
        # A run still going long after its --deadline hangs: killed, it fails on its exit.
        run = e2e_util.run_measured(args, self.env(emu, extra_env), self.out_dir, deadline + 20)
        self.assert_clean(emu, run)
        self.assertLess(run.rss_mib, MAX_RSS_MIB, run)
        return run

    def run_boot(self, mode):
        """`run --user-data` of one include of a script that leaves a marker; returns (run,
        whether the script ran)."""
        marker = os.path.join(self.tmp, 'marker')
        server = self.hostile(mode, f'#!/bin/sh\necho ran >> {marker}\n'.encode())
        state = os.path.join(self.tmp, 'state')
        args = ['run', '--user-data', self.write('ud', USER_DATA), '--state-dir', state,
                '--cloud-config-dir', state + '.cfg.d', '--deadline', str(SETTLED)]
        run = self.run_measured(self.emu, args,
                                {'AWS_ENDPOINT_URL_S3': f'http://127.0.0.1:{server.port}'})
        ran = os.path.exists(marker)
        if ran:
            with open(marker) as f:
                self.assertEqual(f.read(), 'ran\n')
        return run, ran

    def assert_planned(self, run, evidence):
        """The plan holds the object, byte for byte, verified by `evidence`."""
        self.assertEqual(run.code, EXIT_OK, run)
        [part] = json.loads(run.stdout)['parts']
        self.assertEqual(part['sha256'], e2e_util.sha256(SCRIPT), run)
        self.assertIn(evidence, part['source']['verified_by'], run)
        self.assertEqual(run.error_lines(), [], run)

    def assert_refused(self, run, code, *fragments):
        line = self.assert_one_error(run, code, *fragments)
        self.assert_no_plan(run)
        self.assertLess(len(line), 1000, run)
        self.assertFalse(any(c < ' ' for c in line), run)
        return line


class HostileS3Test(HostileTest):
    # --- framing that is valid -----------------------------------------------------------

    def test_chunked_answer_verified_by_etag(self):
        run, _ = self.plan('chunked')
        self.assert_planned(run, 'etag-md5')

    def test_headers_and_body_in_one_byte_writes(self):
        run, _ = self.plan('dribble')
        self.assert_planned(run, 'content-length')

    def test_informational_answers_before_the_real_one(self):
        # 100 Continue, then 103 Early Hints with a Content-Length of its own: only the
        # final answer's headers count.
        run, _ = self.plan('informational')
        self.assert_planned(run, 'content-length')

    def test_bytes_past_content_length_are_not_part_of_the_body(self):
        run, _ = self.plan('overlong')
        self.assert_planned(run, 'content-length')

    def test_gzip_content_encoding_is_the_stored_bytes_not_decoded(self):
        server = self.hostile('gzip-encoding')
        out = os.path.join(self.out_dir, 'obj')
        run = self.run_measured(self.emu, ['get', URL, '-o', out, '--deadline', str(SETTLED)],
                                {'AWS_ENDPOINT_URL_S3': f'http://127.0.0.1:{server.port}'})
        self.assertEqual(run.code, EXIT_OK, run)
        with open(out, 'rb') as f:
            self.assertEqual(f.read(), gzip.compress(SCRIPT, mtime=0))

    def test_permanent_redirect_with_bucket_region_is_signed_again(self):
        run, stats = self.plan('permanent-redirect')
        self.assert_planned(run, 'content-length')
        self.assertEqual(stats['by_request'], {'GET /bkt/obj': 2})

    def test_close_delimited_verified_by_its_etag(self):
        run, _ = self.plan('close-delimited-etag')
        self.assert_planned(run, 'etag-md5')

    def test_run_of_an_answer_with_bytes_past_its_length_runs_the_object_once(self):
        run, ran = self.run_boot('overlong')
        self.assertEqual(run.code, EXIT_OK, run)
        self.assertTrue(ran, run)

    def test_headers_a_plan_and_report_show_hold_escape_sequences(self):
        run, _ = self.plan('odd-headers')
        self.assert_planned(run, 'content-length')
        self.assertNotIn(b'\x1b', run.stdout + run.stderr)
        run, ran = self.run_boot('odd-headers')
        self.assertEqual(run.code, EXIT_OK, run)
        self.assertTrue(ran, run)
        for dirpath, _, files in os.walk(self.tmp):
            for name in files:
                with open(os.path.join(dirpath, name), 'rb') as f:
                    self.assertNotIn(b'\x1b', f.read(), name)
        self.assertNotIn(b'\x1b', run.stdout + run.stderr)

    # --- framing that is broken: fail closed ---------------------------------------------

    def test_run_of_an_answer_with_differing_lengths_runs_nothing(self):
        run, ran = self.run_boot('duplicate-length')
        self.assert_one_error(run, EXIT_FETCH, URL, 'Content-Length headers that differ')
        self.assertFalse(ran, run)

    def test_run_of_a_chunked_answer_cut_short_runs_nothing(self):
        run, ran = self.run_boot('chunked-truncated')
        self.assert_one_error(run, EXIT_FETCH, URL)
        self.assertFalse(ran, run)

    def test_chunked_without_evidence_is_refused(self):
        run, _ = self.plan('chunked-no-evidence')
        self.assert_refused(run, EXIT_FETCH, URL, 'no evidence')

    def test_chunked_cut_mid_chunk(self):
        run, stats = self.plan('chunked-truncated')
        self.assert_refused(run, EXIT_FETCH, URL)
        self.assertEqual(stats['by_request'], {'GET /bkt/obj': 4})

    def test_chunked_body_past_its_content_length_is_refused_at_once(self):
        # RFC 9112 6.3: chunked framing overrides Content-Length; a body that runs past the
        # length the server declared is a contradiction, named as such and not asked again.
        run, stats = self.plan('chunked-over-length')
        self.assert_refused(run, EXIT_FETCH, URL, 'body longer than its Content-Length',
                            f'expected 5 bytes, received {len(SCRIPT)}')
        self.assertEqual(stats['by_request'], {'GET /bkt/obj': 1})

    def test_chunk_size_overflow(self):
        run, _ = self.plan('chunk-overflow')
        self.assert_refused(run, EXIT_FETCH, URL)

    def test_close_delimited_without_evidence_is_refused(self):
        run, _ = self.plan('close-delimited')
        self.assert_refused(run, EXIT_FETCH, URL, 'no evidence')

    def test_close_delimited_cut_short_fails_its_etag(self):
        run, _ = self.plan('close-delimited-etag-cut')
        self.assert_refused(run, EXIT_FETCH, URL, 'ETag (MD5) mismatch')

    def test_differing_content_lengths(self):
        run, _ = self.plan('duplicate-length')
        self.assert_refused(run, EXIT_FETCH, URL, 'Content-Length headers that differ')

    def test_closed_without_an_answer(self):
        run, stats = self.plan('close-at-once')
        self.assert_refused(run, EXIT_FETCH, URL, 'giving up after 4 attempts')
        self.assertEqual(stats['by_request'], {'GET /bkt/obj': 4})

    def test_not_http(self):
        run, _ = self.plan('not-http')
        self.assert_refused(run, EXIT_FETCH, URL)

    def test_negative_content_length(self):
        run, _ = self.plan('bad-length')
        self.assert_refused(run, EXIT_FETCH, URL)

    def test_a_content_length_past_uint64_is_refused_on_the_headers(self):
        # The connection stays open: read as no length, it would be waited on to the deadline.
        run, _ = self.plan('length-past-uint64')
        self.assert_refused(run, EXIT_FETCH, URL, 'a Content-Length that is no length')
        self.assertLess(run.seconds, SETTLED / 2, run)

    def test_partial_content_to_a_request_for_the_whole(self):
        run, _ = self.plan('partial-content')
        self.assert_refused(run, EXIT_FETCH, URL, '206')

    def test_garbage_checksum_header(self):
        run, _ = self.plan('checksum-garbage')
        self.assert_refused(run, EXIT_FETCH, URL, 'x-amz-checksum-sha256 mismatch')

    # --- time and memory -----------------------------------------------------------------

    def test_one_byte_a_second_ends_at_the_deadline(self):
        # The line names the include's position and keeps libcurl's cause.
        run, _ = self.plan('drip', deadline=DEADLINE)
        self.assert_refused(run, EXIT_FETCH, f'part 1 line 2 ({URL})', 'before the deadline',
                            'bytes received')

    def test_a_connect_lost_once_is_retried(self):
        # S3's accept queue is full for 3.5 s (its SYNs dropped, as for a lost SYN or a
        # blackholed path): the first attempt's connect times out after 3 s, the next one
        # gets through, with most of the deadline left.
        with BlackholedOnce(self.shared.s3_url, seconds=3.5) as s3:
            args = ['plan', self.write('ud', USER_DATA), '--json', '--on-instance',
                    '--deadline', str(SETTLED)]
            run = self.run_measured(self.shared, args, {'AWS_ENDPOINT_URL_S3': s3.url})
        self.assert_planned(run, 'content-length')
        self.assertLess(run.seconds, SETTLED / 2, run)

    def test_a_server_that_never_answers_ends_at_the_deadline(self):
        run, _ = self.plan('silent', deadline=DEADLINE)
        self.assert_refused(run, EXIT_FETCH, URL)

    def test_endless_headers(self):
        run, _ = self.plan('endless-headers')
        self.assert_refused(run, EXIT_FETCH, URL, 'more than 256.0 KiB of headers')

    def test_endless_informational_answers(self):
        run, _ = self.plan('endless-continue')
        self.assert_refused(run, EXIT_FETCH, URL, 'more than 256.0 KiB of headers')

    def test_endless_header_line(self):
        run, _ = self.plan('endless-header-line')
        self.assert_refused(run, EXIT_FETCH, URL, 'header line', 'is over 100 KiB')

    def test_endless_body_stops_at_the_size_limit(self):
        run, _ = self.plan('endless-body', extra=['--max-object-size', '8M'])
        self.assert_refused(run, EXIT_FETCH, URL, 'size limit of 8.0 MiB')

    def test_endless_error_body_is_read_no_further_than_needed(self):
        run, _ = self.plan('endless-error-body')
        # Not `request ... timeout`: the 403 itself, read no further than its start.
        self.assert_refused(run, EXIT_FETCH, URL, 'AccessDenied')

    def test_huge_error_document(self):
        run, _ = self.plan('error-huge')
        self.assert_refused(run, EXIT_FETCH, URL, 'AccessDenied')

    def test_an_error_that_echoes_the_token_and_signature(self):
        run, _ = self.plan('error-echo')
        self.assert_refused(run, EXIT_FETCH, URL, '403', '<redacted>')

    def test_malformed_error_document(self):
        run, _ = self.plan('error-malformed')
        self.assert_refused(run, EXIT_FETCH, URL, '403')

    # --- where credentials go ------------------------------------------------------------

    def test_redirect_to_another_host_is_not_followed(self):
        run, stats = self.plan('redirect-other-host')
        self.assert_refused(run, EXIT_FETCH, URL, '302')
        self.assertNotIn('trap_connections', stats)

    def test_a_region_that_is_no_region_is_not_used(self):
        run, stats = self.plan('redirect-bad-region')
        line = self.assert_refused(run, EXIT_FETCH, URL, '301', 'in another region')
        self.assertNotIn('evil.example', line)
        self.assertEqual(stats['by_request'], {'GET /bkt/obj': 1})


class HostileImdsTest(HostileTest):
    def test_malformed_credentials(self):
        run, _ = self.plan('imds-creds-malformed', imds=True)
        self.assert_refused(run, EXIT_SETUP, URL, 'web-role', 'malformed JSON')

    def test_huge_credentials_document(self):
        run, _ = self.plan('imds-creds-huge', imds=True)
        self.assert_refused(run, EXIT_SETUP, URL, 'web-role', 'limit of 1048576 bytes')

    def test_endless_credentials_document(self):
        run, _ = self.plan('imds-creds-endless', imds=True)
        self.assert_refused(run, EXIT_SETUP, URL, 'web-role', 'limit of 1048576 bytes')

    def test_credential_fields_that_would_break_a_header_are_refused(self):
        for mode, field in (('imds-creds-key-evil', 'AccessKeyId'),
                            ('imds-creds-token-crlf', 'Token')):
            with self.subTest(mode=mode):
                run, stats = self.plan(mode, imds=True)
                line = self.assert_refused(run, EXIT_SETUP, 'credentials from IMDS', field)
                self.assertNotIn('X-Injected', line)
                self.assertNotIn('ASIA/', line)

    def test_credentials_expired_already_are_tried_not_hammered(self):
        # As the AWS SDKs: credentials IMDS hands out are used even when past their
        # Expiration (S3 decides; this S3 knows no key of the hostile IMDS), and asked for
        # again at most once after S3 refused them.
        run, stats = self.plan('imds-creds-expired', imds=True)
        self.assert_refused(run, EXIT_FETCH, URL, 'InvalidToken')
        creds = 'GET /latest/meta-data/iam/security-credentials/web-role'
        self.assertLessEqual(stats['by_request'][creds], 2, stats)

    def test_a_role_name_that_is_no_role_name(self):
        run, stats = self.plan('imds-role-evil', imds=True)
        self.assert_refused(run, EXIT_SETUP, 'instance metadata', 'no IAM role name')
        self.assertEqual(stats['by_request'].get('GET /latest/user-data', 0), 0, stats)

    def test_a_region_that_is_a_host_name(self):
        run, _ = self.plan('imds-region-evil', imds=True)
        self.assert_refused(run, EXIT_SETUP, 'instance metadata', 'no region name')

    def test_endless_user_data(self):
        run, _ = self.plan('imds-userdata-endless', imds=True, user_data_file=False)
        self.assert_refused(run, EXIT_SETUP, '/latest/user-data', 'limit of 16777216 bytes')

    def test_huge_token_is_not_used(self):
        run, stats = self.plan('imds-token-huge', imds=True)
        self.assert_refused(run, EXIT_SETUP, 'token request', 'limit of 1048576 bytes')
        self.assertEqual(set(stats['by_request']), {'PUT /latest/api/token'})

    def test_token_with_control_characters_is_not_used(self):
        run, stats = self.plan('imds-token-control', imds=True)
        self.assert_refused(run, EXIT_SETUP, 'unusable token')
        self.assertNotIn(b'Injected', run.stderr)
        self.assertEqual(set(stats['by_request']), {'PUT /latest/api/token'})


if __name__ == '__main__':
    e2e_util.main()
