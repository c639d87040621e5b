#!/usr/bin/python3
"""Issue 21 end to end: with --allowed-signers every fetched object needs KEY.sig by a
trusted key. An attacker who can write the bucket but holds no trusted key gets nothing to
run: replaced, unsigned, self-signed, deleted-signature and nested-include objects all stop
the boot with exit 4 and one line naming the object, before any part runs."""

import os
import subprocess

import e2e_util
from e2e_util import EXIT_FETCH, EXIT_OK, E2ETest, sha256

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


if __name__ == '__main__':
    e2e_util.main()
