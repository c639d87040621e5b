"""Helpers shared by the run/cli/examples end-to-end tests: the binary under test, running it
with the emulators' environment (every output scanned for secrets), MIME building, file
scans. Not a test module itself.

Usage at the top of a test script:
    import run_util as ru      # takes the binary path from argv[1]
    ...
    if __name__ == '__main__': ru.main()
"""

import base64
import json
import os
import stat
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get('S3US_SOURCE_DIR') or os.path.abspath(os.path.join(HERE, '..', '..'))
EXAMPLES = os.path.join(SOURCE_DIR, 'examples')
sys.path.insert(0, os.path.join(SOURCE_DIR, 'scripts/emulators'))

from harness import Emulators, assert_no_secrets  # noqa: E402,F401  (Emulators re-exported)

BINARY = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 and not sys.argv[1].startswith('-') \
    else os.path.join(SOURCE_DIR, 'build', 's3-user-script')
INSTANCE_ID = 'i-0123456789abcdef0'  # the IMDS emulator's default
ERROR_PREFIX = 's3-user-script: error: '


def main():
    """unittest.main without the binary argument."""
    if len(sys.argv) > 1 and not sys.argv[1].startswith('-'):
        del sys.argv[1]
    unittest.main(verbosity=2)


def run(args, emu=None, env=None, input=None, timeout=45, check_secrets=True, cwd=None):
    """Runs the binary with args; returns CompletedProcess (text). env defaults to emu.env;
    stdout and stderr are scanned for the emulators' secrets."""
    if env is None and emu is not None:
        env = dict(emu.env)
    elif env is None:
        env = {'PATH': os.environ.get('PATH', '/bin:/usr/bin'), 'LANG': 'C.UTF-8'}
    proc = subprocess.run([BINARY] + list(args), env=env, input=input, capture_output=True,
                          text=True, timeout=timeout, cwd=cwd)
    if emu is not None and check_secrets:
        assert_no_secrets(proc.stdout, emu)
        assert_no_secrets(proc.stderr, emu)
    return proc


def offline_env(tmp):
    """Environment for commands that must not reach any IMDS or S3 (status, usage errors)."""
    home = os.path.join(tmp, 'offline-home')
    os.makedirs(home, exist_ok=True)
    return {'PATH': os.environ.get('PATH', '/bin:/usr/bin'), 'HOME': home, 'LANG': 'C.UTF-8',
            'AWS_EC2_METADATA_DISABLED': 'true',
            'AWS_CONFIG_FILE': os.path.join(home, 'none'),
            'AWS_SHARED_CREDENTIALS_FILE': os.path.join(home, 'none')}


def scan_tree(root, emu):
    """assert_no_secrets over every regular file under root (symlinks not followed)."""
    count = 0
    for dirpath, _, files in os.walk(root):
        for name in files:
            path = os.path.join(dirpath, name)
            if not stat.S_ISREG(os.lstat(path).st_mode):
                continue
            with open(path, 'rb') as f:
                try:
                    assert_no_secrets(f.read(), emu)
                except AssertionError as e:
                    raise AssertionError(f'{path}: {e}') from None
            count += 1
    return count


def mime(parts, boundary='==e2e-boundary=='):
    """A multipart/mixed blob from (content_type, filename, payload bytes) tuples; payloads
    that are not ASCII text are base64-encoded."""
    out = [f'Content-Type: multipart/mixed; boundary="{boundary}"\nMIME-Version: 1.0\n\n'.encode()]
    for ctype, filename, payload in parts:
        out.append(f'--{boundary}\nContent-Type: {ctype}\n'.encode())
        if filename:
            out.append(f'Content-Disposition: attachment; filename="{filename}"\n'.encode())
        try:
            text = payload.decode('ascii')
            binary = '\x00' in text
        except UnicodeDecodeError:
            binary = True
        if binary:
            out.append(b'Content-Transfer-Encoding: base64\n\n')
            out.append(base64.encodebytes(payload))
        else:
            # The line break before a boundary belongs to the boundary: add one so the
            # payload keeps its own last newline.
            out.append(b'\n' + payload + b'\n')
    out.append(f'--{boundary}--\n'.encode())
    return b''.join(out)


def load_report(state_dir, instance_id=None):
    path = os.path.join(state_dir, 'report.json') if instance_id is None else \
        os.path.join(state_dir, 'instances', instance_id, 'report.json')
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def mode_of(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def outcomes(report):
    """[(index, outcome)] in run order."""
    parts = sorted(report['parts'], key=lambda p: p['run_order'])
    return [(p['index'], p['outcome']) for p in parts]


def read(path):
    with open(path, encoding='utf-8') as f:
        return f.read()


def wait_for(predicate, what, limit=60):
    """Polls predicate (an event: emulator stats, /proc/locks, a file) until it holds; limit
    is a hang guard in seconds, not a timing."""
    end = time.monotonic() + limit
    while not predicate():
        if time.monotonic() > end:
            raise AssertionError(f'gave up waiting for {what}')
        time.sleep(0.01)


class EmulatorTestCase(unittest.TestCase):
    """One pair of emulators per test class, a runs/ directory for the tests' state, and a
    secret scan of everything written there when the class ends. Subclasses may set
    USER_DATA and override load(emu) to put their objects."""
    USER_DATA = None

    @classmethod
    def load(cls, emu):
        pass

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.runs = os.path.join(cls.tmp.name, 'runs')
        os.makedirs(cls.runs)
        cls.emu = Emulators(cls.tmp.name, user_data=cls.USER_DATA)
        cls.emu.__enter__()
        cls.load(cls.emu)

    @classmethod
    def tearDownClass(cls):
        try:
            scan_tree(cls.runs, cls.emu)
        finally:
            cls.emu.__exit__(None, None, None)
            cls.tmp.cleanup()

    def path(self, *names):
        """A path in this test's own directory under runs/, its parent made."""
        p = os.path.join(self.runs, self._testMethodName, *names)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        return p

    def one_error(self, proc, code, stderr=None):
        """The text of the one error line proc printed (checked), after checking its exit
        code; stderr: the text, when proc's was read apart (communicate)."""
        err = proc.stderr if stderr is None else stderr
        self.assertEqual(proc.returncode, code, err)
        lines = err.splitlines()
        self.assertEqual(len(lines), 1, err)
        self.assertTrue(lines[0].startswith(ERROR_PREFIX), lines[0])
        return lines[0][len(ERROR_PREFIX):]
