#!/usr/bin/python3
"""Issue 21 end to end: with --allowed-signers every fetched object needs KEY.sig by a
trusted key. An attacker who can write the bucket but holds no trusted key gets nothing to
run: replaced, unsigned, self-signed, deleted-signature and nested-include objects all stop
the boot with exit 4 and one line naming the object, before any part runs."""

import http.server
import os
import subprocess
import threading

import e2e_util
from e2e_util import EXIT_FETCH, EXIT_OK, EXIT_SETUP, E2ETest, sha256

PRINCIPAL = 'deploy@example.com'


class SignedBoot(E2ETest):
    def keygen(self, name):
        key = os.path.join(self.tmp, name)
        subprocess.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', key],
                       check=True)
        with open(key + '.pub') as f:
            pub = ' '.join(f.read().split()[:2])
        fp = subprocess.run(['ssh-keygen', '-l', '-f', key + '.pub'], capture_output=True,
                            text=True, check=True).stdout.split()[1]
        return key, pub, fp

    def sign(self, key, data, namespace='s3-user-script'):
        path = os.path.join(self.tmp, 'to-sign')
        with open(path, 'wb') as f:
            f.write(data)
        if os.path.exists(path + '.sig'):
            os.unlink(path + '.sig')
        subprocess.run(['ssh-keygen', '-q', '-Y', 'sign', '-n', namespace, '-f', key, path],
                       check=True)
        with open(path + '.sig', 'rb') as f:
            return f.read()

    def setUp(self):
        super().setUp()
        self.key, self.pub, self.fp = self.keygen('deploy')
        pub = self.pub
        self.attacker, _, self.attacker_fp = self.keygen('attacker')
        self.allowed = self.write('allowed_signers', f'{PRINCIPAL} {pub}\n')
        self.marker = os.path.join(self.tmp, 'ran.txt')
        self.script = f'#!/bin/sh\necho ran >> {self.marker}\n'.encode()
        self.blob = self.write('user-data', b'#s3-include\ns3://boot/step.sh\n')

    def write(self, name, data):
        path = os.path.join(self.tmp, name)
        with open(path, 'wb' if isinstance(data, bytes) else 'w') as f:
            f.write(data)
        return path

    def put_signed(self, emu, key, data, signer=None):
        emu.put('boot', key, data)
        emu.put('boot', key + '.sig', self.sign(signer or self.key, data))

    def replay(self, emu, *extra, blob=None, configured=True):
        state = os.path.join(self.tmp, 'state')
        trust = ['--allowed-signers', self.allowed] if configured else []
        return self.run_bin(emu, ['replay', blob or self.blob, '--state-dir', state, '--force',
                                  *trust, *extra])

    def assert_refused(self, run, *fragments):
        self.assertEqual(run.code, EXIT_FETCH, run)
        lines = [line for line in run.err.splitlines() if 'error:' in line]
        self.assertEqual(len(lines), 1, run.err)
        for frag in fragments:
            self.assertIn(frag, lines[0])
        self.assertFalse(os.path.exists(self.marker), 'a part ran')

    def test_signed_object_runs_and_the_plan_names_the_signer(self):
        with self.emulators() as emu:
            self.put_signed(emu, 'step.sh', self.script)
            run = self.replay(emu)
            self.assertEqual(run.code, EXIT_OK, run)
            with open(self.marker) as f:
                self.assertEqual(f.read(), 'ran\n')
            plan = self.run_bin(emu, ['plan', '--json', self.blob, '--allowed-signers',
                                      self.allowed])
            self.assertEqual(plan.code, EXIT_OK, plan)
            self.assertIn(f'ssh signature by {PRINCIPAL} ({self.fp} ED25519)', plan.out)
            with open(os.path.join(self.tmp, 'state', 'report.json')) as f:
                self.assertIn(self.fp, f.read())

    def test_attacker_with_bucket_write_but_no_key_cannot_run_anything(self):
        evil = f'#!/bin/sh\necho pwned >> {self.marker}\n'.encode()
        with self.emulators() as emu:
            self.put_signed(emu, 'step.sh', self.script)
            # Replaced body, old signature left in place.
            emu.put('boot', 'step.sh', evil)
            self.assert_refused(self.replay(emu), 's3://boot/step.sh', 'signature does not verify')
            # Signed with the attacker's own key.
            self.put_signed(emu, 'step.sh', evil, signer=self.attacker)
            self.assert_refused(self.replay(emu), 's3://boot/step.sh',
                                f'key {self.attacker_fp} is not in allowed_signers')
            # Signature emptied.
            emu.put('boot', 'step.sh.sig', b'')
            self.assert_refused(self.replay(emu), 's3://boot/step.sh',
                                'signature s3://boot/step.sh.sig: malformed ssh signature')

    def test_unsigned_sibling_and_nested_include_are_refused(self):
        with self.emulators() as emu:
            self.put_signed(emu, 'step.sh', self.script)
            emu.put('boot', 'extra.sh', b'#!/bin/sh\necho extra\n')
            blob = self.write('two', b'#s3-include\ns3://boot/step.sh\ns3://boot/extra.sh\n')
            self.assert_refused(self.replay(emu, blob=blob), 's3://boot/extra.sh',
                                'no usable signature')
            # A signed include list pointing at an unsigned object.
            self.put_signed(emu, 'list', b'#s3-include\ns3://boot/extra.sh\n')
            self.assert_refused(self.replay(emu, blob=self.write('n', b'#s3-include\n'
                                                                      b's3://boot/list\n')),
                                's3://boot/extra.sh', 'no usable signature')

    def test_sha256_pins_still_apply_to_signed_objects(self):
        with self.emulators() as emu:
            self.put_signed(emu, 'step.sh', self.script)
            good = self.write('pinned', f'#s3-include\ns3://boot/step.sh sha256={sha256(self.script)}\n')
            self.assertEqual(self.replay(emu, blob=good).code, EXIT_OK)
            bad = self.write('badpin', f'#s3-include\ns3://boot/step.sh sha256={"0" * 64}\n')
            run = self.replay(emu, blob=bad)
            self.assertEqual(run.code, EXIT_FETCH, run)

    # --- trust carried by the user data itself, and signer= -------------------------------

    def inline(self, *lines):
        trust = f'#s3-allowed-signer {PRINCIPAL} {self.pub}\n'
        return self.write('inline', '#s3-include\n' + trust + ''.join(l + '\n' for l in lines))

    def test_trust_in_the_user_data_needs_no_configured_list(self):
        with self.emulators() as emu:
            self.put_signed(emu, 'step.sh', self.script)
            run = self.replay(emu, blob=self.inline('s3://boot/step.sh'), configured=False)
            self.assertEqual(run.code, EXIT_OK, run)
            with open(self.marker) as f:
                self.assertEqual(f.read(), 'ran\n')
            plan = self.run_bin(emu, ['plan', '--json', self.inline('s3://boot/step.sh')])
            self.assertEqual(plan.code, EXIT_OK, plan)
            self.assertIn(f'ssh signature by {PRINCIPAL} ({self.fp} ED25519)', plan.out)
            # The same part's trust covers what its objects include, at any depth.
            os.unlink(self.marker)
            self.put_signed(emu, 'list', b'#s3-include\ns3://boot/extra.sh\n')
            emu.put('boot', 'extra.sh', b'#!/bin/sh\necho extra\n')
            self.assert_refused(self.replay(emu, blob=self.inline('s3://boot/list'),
                                            configured=False),
                                's3://boot/extra.sh', 'no usable signature')

    def test_trust_in_the_user_data_refuses_the_attackers_object(self):
        evil = f'#!/bin/sh\necho pwned >> {self.marker}\n'.encode()
        with self.emulators() as emu:
            self.put_signed(emu, 'step.sh', evil, signer=self.attacker)
            self.assert_refused(self.replay(emu, blob=self.inline('s3://boot/step.sh'),
                                            configured=False),
                                's3://boot/step.sh',
                                f'key {self.attacker_fp} is not in allowed_signers')

    def test_a_fetched_object_cannot_declare_trust(self):
        with self.emulators() as emu:
            # The attacker writes a list that trusts their own key, and signs the payload.
            _, attacker_pub, _ = self.keygen('attacker2')
            evil = f'#!/bin/sh\necho pwned >> {self.marker}\n'.encode()
            emu.put('boot', 'list', (f'#s3-include\n#s3-allowed-signer x {attacker_pub}\n'
                                     's3://boot/evil.sh\n').encode())
            emu.put('boot', 'evil.sh', evil)
            run = self.replay(emu, blob=self.write('l', b'#s3-include\ns3://boot/list\n'),
                              configured=False)
            self.assert_refused(run, 's3://boot/list', 'honoured only in user data')

    def test_signer_names_the_principal_that_must_have_signed(self):
        with self.emulators() as emu:
            self.put_signed(emu, 'step.sh', self.script)
            ok = self.write('ok', f'#s3-include\ns3://boot/step.sh signer={PRINCIPAL}\n')
            self.assertEqual(self.replay(emu, blob=ok).code, EXIT_OK)
            os.unlink(self.marker)
            wrong = self.write('wrong', '#s3-include\ns3://boot/step.sh signer=ops@example.com\n')
            self.assert_refused(self.replay(emu, blob=wrong), 's3://boot/step.sh',
                                'ops@example.com')
            # A signature demanded with nothing to check it against: refused, not ignored.
            self.assert_refused(self.replay(emu, blob=ok, configured=False),
                                's3://boot/step.sh', 'no allowed signers are configured')


    # --- review of issue 21: what must not pass around the signature check ----------------

    def test_include_once_cache_is_reused_only_under_the_trust_that_signed_it(self):
        once = self.write('once', b'#include-once\ns3://boot/once.sh\n')
        with self.emulators() as emu:
            # Cached while no trust applied: unsigned, then refused once trust is configured.
            emu.put('boot', 'once.sh', self.script)
            self.assertEqual(self.replay(emu, blob=once, configured=False).code, EXIT_OK)
            os.unlink(self.marker)
            self.assert_refused(self.replay(emu, blob=once), 's3://boot/once.sh',
                                'no usable signature')
            # Cached signed by the deploy key; that key then removed from the list.
            self.put_signed(emu, 'once.sh', self.script)
            self.assertEqual(self.replay(emu, blob=once).code, EXIT_OK)
            os.unlink(self.marker)
            _, rotated_pub, _ = self.keygen('rotated')
            self.allowed = self.write('allowed_rotated', f'ops@example.com {rotated_pub}\n')
            self.assert_refused(self.replay(emu, blob=once), 's3://boot/once.sh',
                                'is not in allowed_signers')

    def test_a_cached_signed_body_is_reused_without_a_fetch(self):
        once = self.write('once', b'#include-once\ns3://boot/once.sh\n')
        with self.emulators() as emu:
            self.put_signed(emu, 'once.sh', self.script)
            self.assertEqual(self.replay(emu, blob=once).code, EXIT_OK)
            emu.put('boot', 'once.sh', b'#!/bin/sh\necho changed\n')  # not fetched again
            run = self.replay(emu, blob=once)
            self.assertEqual(run.code, EXIT_OK, run)
            with open(self.marker) as f:
                self.assertEqual(f.read(), 'ran\nran\n')

    def test_trust_files_others_could_change_are_refused(self):
        with self.emulators() as emu:
            self.put_signed(emu, 'step.sh', self.script)
            os.chmod(self.allowed, 0o666)
            run = self.replay(emu)
            self.assertEqual(run.code, EXIT_SETUP, run)
            self.assertIn(f'{self.allowed} is writable by group or others', run.err)
            self.assertFalse(os.path.exists(self.marker))
            os.chmod(self.allowed, 0o644)
            self.assertEqual(self.replay(emu).code, EXIT_OK)

    def test_near_miss_trust_lines_are_errors_not_comments(self):
        emu_blobs = {
            'plural': (f'#s3-include\n#s3-allowed-signers {PRINCIPAL} {self.pub}\n'
                       's3://boot/step.sh\n', 'unknown directive #s3-allowed-signers, did you '
                                              'mean #s3-allowed-signer'),
            'include': (f'#include\n#s3-allowed-signer {PRINCIPAL} {self.pub}\n'
                        's3://boot/step.sh\n',
                        '#s3-allowed-signer applies only inside an #s3-include part'),
            'include-once': (f'#include-once\n#s3-allowed-signer {PRINCIPAL} {self.pub}\n'
                             's3://boot/step.sh\n',
                             '#s3-allowed-signer applies only inside an #s3-include part'),
        }
        with self.emulators() as emu:
            emu.put('boot', 'step.sh', self.script)  # unsigned
            for name, (text, message) in emu_blobs.items():
                with self.subTest(name):
                    blob = self.write(name, text.encode())
                    self.assert_refused(self.replay(emu, blob=blob, configured=False),
                                        'part 1: line 2: ' + message)
                    valid = self.run_bin(emu, ['validate', blob])
                    self.assertEqual(valid.code, EXIT_FETCH, valid)
                    self.assertIn('part 1 line 2: ' + message, valid.out + valid.err)

    def test_validate_reads_trust_lines_as_a_boot_does(self):
        with self.emulators() as emu:
            for bad in (f'{PRINCIPAL} ssh-ed25519 AAAA', f'{PRINCIPAL} bogus="1" {self.pub}',
                        f'{PRINCIPAL} cert-authority {self.pub}'):
                with self.subTest(bad):
                    blob = self.write('bad', f'#s3-include\n#s3-allowed-signer {bad}\n'
                                             's3://boot/step.sh\n'.encode())
                    valid = self.run_bin(emu, ['validate', blob])
                    self.assertEqual(valid.code, EXIT_FETCH, valid)
                    self.assertIn('part 1 line 2: ', valid.out + valid.err)
                    self.assertEqual(self.replay(emu, blob=blob, configured=False).code,
                                     EXIT_FETCH)

    def test_the_signature_of_a_key_with_a_query_mark_is_that_key_dot_sig(self):
        with self.emulators() as emu:
            self.put_signed(emu, 'q?x=1', self.script)
            run = self.replay(emu, blob=self.write('q', b'#s3-include\ns3://boot/q?x=1\n'))
            self.assertEqual(run.code, EXIT_OK, run)

    def test_a_pinned_old_version_says_the_signature_is_the_latest(self):
        old = self.script
        new = b'#!/bin/sh\necho new\n'
        with self.emulators() as emu:
            emu.put('boot', 'v.sh', old, version_id='v1')
            self.put_signed(emu, 'v.sh', new)
            run = self.replay(emu, blob=self.write('pin', b'#s3-include\n'
                                                          b's3://boot/v.sh?versionId=v1\n'))
            self.assert_refused(run, 'signature does not verify',
                                "the signature is v.sh.sig's latest version; it does not sign "
                                'version v1')

    def test_get_applies_the_same_trust(self):
        with self.emulators() as emu:
            emu.put('boot', 'next.sh', self.script)
            out = os.path.join(self.tmp, 'next.sh')
            run = self.run_bin(emu, ['get', 's3://boot/next.sh', '-o', out, '--no-progress',
                                     '--allowed-signers', self.allowed])
            self.assertEqual(run.code, EXIT_FETCH, run)
            self.assertIn('no usable signature', run.err)
            self.assertFalse(os.path.exists(out))
            self.put_signed(emu, 'next.sh', self.script)
            run = self.run_bin(emu, ['get', 's3://boot/next.sh', '-o', out, '--no-progress',
                                     '--allowed-signers', self.allowed])
            self.assertEqual(run.code, EXIT_OK, run)
            with open(out, 'rb') as f:
                self.assertEqual(f.read(), self.script)

    def test_a_failed_object_is_reported_without_waiting_for_its_stalled_signature(self):
        release = threading.Event()

        class Stall(http.server.BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def log_message(self, *args):
                pass

            def do_GET(self):
                if self.path.split('?')[0].endswith('.sig'):
                    release.wait(120)  # never answers while the test runs
                    return
                body = b'<Error><Code>NoSuchKey</Code></Error>'
                self.send_response(404)
                self.send_header('Content-Type', 'application/xml')
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Stall)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            with self.emulators() as emu:
                run = self.replay(emu, '--deadline', '60', '--endpoint-url',
                                  f'http://127.0.0.1:{server.server_address[1]}')
                self.assert_refused(run, 's3://boot/step.sh', '404')
                # The deadline is 60 s: the 404 ends both fetches at once.
                self.assertLess(run.seconds, 10, run)
                self.timing('404 with a stalled .sig', run.seconds)
        finally:
            release.set()
            server.shutdown()
            server.server_close()


if __name__ == '__main__':
    e2e_util.main()
