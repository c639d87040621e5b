#!/usr/bin/python3
"""cloud-init parity of the standalone commands (issue 18): empty user data is no error for
`plan` / `resolve` of a file (cloud-init makes one empty part of it and does nothing), a
`## template: jinja` part is never run unrendered: one warning line, a `skipped` report
entry, nothing written or executed, and real cloud-init makes the same parts of the
differential corpus resolved as of the corpus itself. #include lines are fetched as
cloud-init fetches them, and those inside a #cloud-config-archive not at all."""

import contextlib
import email
import email.policy
import http.server
import json
import os
import subprocess
import threading

import e2e_util
from e2e_util import EXIT_OK, EXIT_SETUP, E2ETest


CORPUS = os.path.join(e2e_util.SOURCE_DIR, 'tests/data/userdata')
CLOUDINIT_PARTS = os.path.join(e2e_util.SOURCE_DIR, 'tests/userdata/cloudinit_parts.py')
# Types that are ours: the resolved document states them, cloud-init re-types the original.
OUR_TYPES = ('text/x-s3-include', 'application/x-executable')


class ParityTest(E2ETest):
    def emulators_with_a_credential(self):
        """The secret scan needs a credential the emulators handed out: one `get` first."""
        emu = self.emulators()
        emu.__enter__()
        emu.put('bkt', 'k', b'x')
        self.assertEqual(self.run_bin(emu, ['get', '-o', '-', 's3://bkt/k']).code, EXIT_OK)
        self.addCleanup(emu.__exit__, None, None, None)
        return emu


class EmptyUserDataTest(ParityTest):
    def test_plan_resolve_and_validate_of_an_empty_file_report_no_parts(self):
        emu = self.emulators_with_a_credential()
        if True:
            empty = self.write('empty', b'')
            run = self.run_bin(emu, ['plan', empty])
            self.assertEqual((run.code, run.out, run.err), (EXIT_OK, 'no parts\n', ''))
            run = self.run_bin(emu, ['plan', '--json', empty])
            self.assertEqual(run.code, EXIT_OK, run)
            plan = json.loads(run.stdout)
            self.assertEqual((plan['parts'], plan['run_order'], plan['objects_fetched']),
                             ([], [], 0))
            run = self.run_bin(emu, ['resolve', empty])
            self.assertEqual((run.code, run.err), (EXIT_OK, ''))
            msg = email.message_from_bytes(run.stdout, policy=email.policy.compat32)
            self.assertEqual(msg.get_content_type(), 'multipart/mixed')
            body = run.stdout.split(b'\n\n', 1)[1]
            self.assertEqual(body, b'--%s--\n' % msg.get_boundary().encode())
            self.assertEqual(emu.stats('s3')['total'], 1)  # the first `get` only
            run = self.run_bin(emu, ['validate', empty])
            self.assertEqual((run.code, run.out, run.err), (EXIT_OK, 'valid: no parts\n', ''))
            run = self.run_bin(emu, ['validate', '--json', empty])
            self.assertEqual((run.code, json.loads(run.stdout)),
                             (EXIT_OK, {'valid': True, 'parts': [], 'problems': []}))

    def test_plan_of_empty_stdin_reports_no_parts(self):
        emu = self.emulators_with_a_credential()
        if True:
            proc = self.start_bin(emu, ['plan', '-'])
            run = self.finish_bin(emu, proc)
            self.assertEqual((run.code, run.out), (EXIT_OK, 'no parts\n'))

    def test_running_empty_user_data_is_still_a_setup_error(self):
        with self.emulators() as emu:
            empty = self.write('empty', b'')
            run = self.run_bin(emu, ['replay', empty, '--state-dir',
                                     os.path.join(self.tmp, 'state')])
            self.assertEqual(run.code, EXIT_SETUP, run)
            self.assertEqual(run.error_lines(),
                             ['s3-user-script: error: no user data in ' + empty])


class ResolveTest(ParityTest):
    def cloud_init_parts(self, directory):
        out = subprocess.run(['/usr/bin/python3', CLOUDINIT_PARTS, directory], check=True,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout
        return json.loads(out)

    def test_cloud_init_reads_the_resolved_corpus_as_it_reads_the_corpus(self):
        """Every blob `resolve` takes (those naming S3 objects the emulators lack are
        refused), given to cloud-init as resolved: the same parts, types, names, payloads,
        launch-index and include URLs as the blob gives it. Unencoded non-ASCII text is
        where base64 would differ (mime-nbsp-before-marker: two text/plain parts cloud-init
        would otherwise run as a script and a cloud-config)."""
        emu = self.emulators_with_a_credential()
        resolved_dir = os.path.join(self.tmp, 'resolved')
        os.makedirs(resolved_dir)
        for name in sorted(os.listdir(CORPUS)):
            run = self.run_bin(emu, ['resolve', os.path.join(CORPUS, name)])
            if run.code == EXIT_OK:
                with open(os.path.join(resolved_dir, name), 'wb') as f:
                    f.write(run.stdout)
        original, resolved = self.cloud_init_parts(CORPUS), self.cloud_init_parts(resolved_dir)
        self.assertIn('mime-nbsp-before-marker', resolved)
        self.assertGreater(len(resolved), 50)

        def index(value):
            try:
                return None if value is None else int(value)
            except ValueError:
                return value

        for name, again in sorted(resolved.items()):
            theirs = original[name]
            self.assertNotIn('error', theirs, name)
            if [p['payload_b64'] for p in theirs['parts']] == [''] and not again['parts']:
                continue  # empty user data: one empty part, which does nothing, or none
            self.assertEqual(len(again['parts']), len(theirs['parts']), name)
            for i, (a, t) in enumerate(zip(again['parts'], theirs['parts'])):
                where = '%s part %d' % (name, i + 1)
                if a['content_type'] not in OUR_TYPES:
                    self.assertEqual(a['content_type'], t['content_type'], where)
                for key in ('filename', 'payload_b64', 'include'):
                    self.assertEqual(a.get(key), t.get(key), where + ' ' + key)
                self.assertEqual(index(a['launch_index']), index(t['launch_index']), where)


@contextlib.contextmanager
def recording_http_server(objects):
    """A loopback HTTP server answering `objects` {raw request path: body}; yields (base URL,
    the list of request paths it was asked for, as sent)."""
    asked = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            asked.append(self.path)
            body = objects.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header('Content-Length', str(len(body or b'')))
            self.end_headers()
            self.wfile.write(body or b'')

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield 'http://127.0.0.1:%d' % server.server_address[1], asked
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class IncludeParityTest(E2ETest):
    def test_an_include_url_with_a_space_is_requested_as_cloud_init_requests_it(self):
        """requests sends `a b.sh` as `a%20b.sh` (Debian cloud-init 22.4, checked)."""
        script = b'#!/bin/sh\necho ab\n'
        with recording_http_server({'/a%20b.sh': script}) as (url, asked), \
                self.emulators() as emu:
            blob = self.write('ud', ('#include\n%s/a b.sh\n' % url).encode())
            run = self.run_bin(emu, ['plan', '--json', blob])
            self.assertEqual(run.code, EXIT_OK, run)
            self.assertEqual(asked, ['/a%20b.sh'])
            parts = json.loads(run.stdout)['parts']
            self.assertEqual([p['sha256'] for p in parts], [e2e_util.sha256(script)])

    def test_an_include_inside_an_archive_is_never_fetched_nor_run(self):
        """cloud-init's _explode_archive attaches it as a part no handler takes."""
        with recording_http_server({}) as (url, asked), self.emulators() as emu:
            marker = os.path.join(self.tmp, 'ran')
            blob = self.write('ud', ('#cloud-config-archive\n'
                                     '- "#include\\n%s/payload.sh"\n'
                                     '- "#!/bin/sh\\ntouch %s\\n"\n' % (url, marker)).encode())
            run = self.run_bin(emu, ['replay', blob, '--state-dir',
                                     os.path.join(self.tmp, 'state'), '--json'])
            self.assertEqual(run.code, EXIT_OK, run)
            self.assertEqual(asked, [])
            self.assertTrue(os.path.exists(marker), 'the archive\'s script did not run')
            report = json.loads(run.stdout)
            self.assertEqual([(p['content_type'], p['outcome']) for p in report['parts']],
                             [('text/x-include-url', 'skipped'), ('text/x-shellscript', 'ok')])


class JinjaTest(E2ETest):
    def test_a_fetched_jinja_script_is_skipped_unrendered_with_one_line(self):
        with self.emulators() as emu:
            marker = os.path.join(self.tmp, 'ran')
            emu.put('bkt', 'tpl.sh', ('## template: jinja\n#!/bin/sh\ntouch %s\n'
                                      'echo {{ v1.instance_id }}\n' % marker).encode())
            emu.put('bkt', 'tpl.yaml', b'## template: jinja\n#cloud-config\n'
                                       b'hostname: {{ v1.instance_id }}\n')
            emu.put('bkt', 'after.sh', ('#!/bin/sh\necho after > %s.after\n' % marker).encode())
            blob = self.write('ud', b'#s3-include\ns3://bkt/tpl.sh\ns3://bkt/tpl.yaml\n'
                                    b's3://bkt/after.sh\n')
            state, cfg = os.path.join(self.tmp, 'state'), os.path.join(self.tmp, 'cfg.d')
            run = self.run_bin(emu, ['replay', blob, '--state-dir', state,
                                     '--cloud-config-dir', cfg, '--json'])
            self.assertEqual(run.code, EXIT_OK, run)
            self.assertFalse(os.path.exists(marker), 'the unrendered template ran')
            self.assertTrue(os.path.exists(marker + '.after'), 'the next part did not run')
            self.assertFalse(os.path.exists(cfg) and os.listdir(cfg), 'a template was written')
            warnings = [ln for ln in run.err.splitlines() if 'jinja' in ln]
            tail = (' not rendered: s3-user-script does not render jinja; cloud-init does, '
                    'through the bridge')
            self.assertEqual(warnings, [
                's3-user-script: warning: part 1 of 3 (text/jinja2 from s3://bkt/tpl.sh, '
                'line 2 of part 1): skipped: jinja template '
                '(text/x-shellscript)' + tail,
                's3-user-script: warning: part 2 of 3 (text/jinja2 from s3://bkt/tpl.yaml, '
                'line 3 of part 1): skipped: jinja template '
                '(text/cloud-config)' + tail])
            report = json.loads(run.stdout)
            outcomes = [(p['handler'], p['outcome']) for p in report['parts']]
            self.assertEqual(outcomes, [('jinja', 'skipped'), ('jinja', 'skipped'),
                                        ('shell-script', 'ok')])


if __name__ == '__main__':
    e2e_util.main()
