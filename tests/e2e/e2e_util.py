"""Shared plumbing of the fetch-side end-to-end tests: the binary under test (argv[1]), a
per-test temporary directory, runs of the binary with the emulators' environment, and a
secret scan of every stdout, stderr and file the run could have written. Not a test module.

Every run goes through E2ETest.run_bin(), which scans its output with assert_no_secrets();
every file under the test's directory (except the emulators' own state) is scanned after
each run as well, so no test can forget the scan.
"""

import gzip
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

SOURCE_DIR = os.environ.get('S3US_SOURCE_DIR') or os.path.abspath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
sys.path.insert(0, os.path.join(SOURCE_DIR, 'scripts/emulators'))

from harness import Emulators, assert_no_secrets  # noqa: E402,F401

BINARY = None  # set by main()
ERROR_PREFIX = 's3-user-script: error: '

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_SETUP, EXIT_FETCH = 0, 1, 2, 3, 4


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def gz(data):
    return gzip.compress(data, mtime=0)


def mime(parts, boundary):
    """A multipart/mixed document; parts are (content_type, filename or None, body str)."""
    out = f'Content-Type: multipart/mixed; boundary="{boundary}"\nMIME-Version: 1.0\n\n'
    for content_type, filename, body in parts:
        out += f'--{boundary}\nContent-Type: {content_type}; charset="us-ascii"\n'
        out += 'MIME-Version: 1.0\n'
        if filename:
            out += f'Content-Disposition: attachment; filename="{filename}"\n'
        out += '\n' + body + '\n'
    return (out + f'--{boundary}--\n').encode()


def processes_ended(pid_file, guard=20):
    """Whether every process whose pid is a line of pid_file has ended (its /proc entry
    gone or a zombie's). Looked at every 10 ms for up to `guard` seconds, far above the time
    a SIGKILL takes, so a failure does not hang; nothing is asserted on speed."""
    with open(pid_file) as f:
        pids = [int(line) for line in f if line.strip()]
    end = time.monotonic() + guard
    for pid in pids:
        while True:
            try:
                with open(f'/proc/{pid}/stat') as f:
                    if f.read().rsplit(') ', 1)[1].startswith('Z'):
                        break
            except FileNotFoundError:
                break
            if time.monotonic() > end:
                return False
            time.sleep(0.01)
    return bool(pids)


def run_measured(args, env, cwd, kill_after, preexec_fn=None):
    """Runs the binary (stdin /dev/null), killing it after kill_after seconds; returns a Run
    with its peak RSS in MiB as rss_mib, measured by wait4 on this very child."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        proc = subprocess.Popen([BINARY] + list(args), env=env, cwd=cwd,
                                stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                preexec_fn=preexec_fn)
        timer = threading.Timer(kill_after, lambda: os.kill(proc.pid, signal.SIGKILL))
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        seconds = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        run = Run(args, os.waitstatus_to_exitcode(status), out.read(), err.read(), seconds)
    run.rss_mib = usage.ru_maxrss / 1024
    return run


class Run:
    """One finished run of the binary."""

    def __init__(self, args, code, stdout, stderr, seconds):
        self.args, self.code, self.stdout, self.stderr = args, code, stdout, stderr
        self.seconds = seconds

    @property
    def err(self):
        return self.stderr.decode('utf-8', 'replace')

    @property
    def out(self):
        return self.stdout.decode('utf-8', 'replace')

    def error_lines(self):
        return [line for line in self.err.splitlines() if line.startswith(ERROR_PREFIX)]

    def __repr__(self):
        return (f'<run {self.args!r}: exit {self.code}, {self.seconds:.2f}s\n'
                f'stdout: {self.out[:2000]}\nstderr: {self.err[:4000]}>')


class E2ETest(unittest.TestCase):
    """Base class: self.tmp is a fresh directory per test; self.out_dir a place for outputs."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='s3us-e2e-')
        self.out_dir = os.path.join(self.tmp, 'out')
        self.tmpdir_env = os.path.join(self.tmp, 'tmp')
        os.makedirs(self.out_dir)
        os.makedirs(self.tmpdir_env)
        self.emu = None

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def emulators(self, **kwargs):
        """Emulators rooted in this test's directory; remembered for the secret scans."""
        self.emu = Emulators(self.tmp, **kwargs)
        return self.emu

    def env(self, emu, extra=None, drop=()):
        env = dict(emu.env)
        env['TMPDIR'] = self.tmpdir_env
        for name in drop:
            env.pop(name, None)
        env.update(extra or {})
        return env

    def start_bin(self, emu, args, extra_env=None, umask=None, cwd=None, preexec=None):
        """Starts the binary without waiting (the caller finishes it with finish_bin);
        preexec runs in the child before the exec (a resource limit)."""
        if umask is not None:
            preexec = (lambda then=preexec: (os.umask(umask), then and then()))
        proc = subprocess.Popen([BINARY] + list(args), env=self.env(emu, extra_env),
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, preexec_fn=preexec,
                                cwd=cwd or self.out_dir)
        proc.started = time.monotonic()
        proc.cmd_args = list(args)
        return proc

    def finish_bin(self, emu, proc, timeout=60):
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            stdout, stderr = proc.communicate()
            self.fail(f'{proc.cmd_args!r} did not finish in {timeout}s: {stderr[-2000:]!r}')
        run = Run(proc.cmd_args, proc.returncode, stdout, stderr,
                  time.monotonic() - proc.started)
        self.assert_clean(emu, run)
        return run

    def run_bin(self, emu, args, extra_env=None, umask=None, cwd=None, timeout=60, preexec=None):
        """Runs the binary to the end; scans its output and the test's files for secrets."""
        return self.finish_bin(emu, self.start_bin(emu, args, extra_env, umask, cwd, preexec),
                               timeout)

    def assert_clean(self, emu, run):
        """No secret in the run's stdout/stderr nor in any file under the test directory
        (the emulators' own state, which holds them by design, and the paths a test lists
        in self.secret_inputs, such as a web identity token file, excepted)."""
        self.assertTrue(emu.secrets() or run.code != 0,
                        'a successful run left no secret to scan for')
        try:
            assert_no_secrets(run.stdout, emu)
            assert_no_secrets(run.stderr, emu)
        except AssertionError as e:
            raise AssertionError(f'{e} in the output of {run!r}') from None
        skip = os.path.join(self.tmp, 'emulators')
        for dirpath, dirnames, files in os.walk(self.tmp):
            if dirpath == skip or dirpath.startswith(skip + os.sep):
                dirnames[:] = []
                continue
            for name in files:
                path = os.path.join(dirpath, name)
                if os.path.islink(path) or not os.path.isfile(path) or \
                        path in getattr(self, 'secret_inputs', ()):
                    continue
                with open(path, 'rb') as f:
                    data = f.read()
                try:
                    assert_no_secrets(data, emu)
                except AssertionError as e:
                    raise AssertionError(f'{e} in {path}') from None

    def assert_one_error(self, run, code, *fragments):
        """Exit code `code`, exactly one error line on stderr, containing every fragment."""
        self.assertEqual(run.code, code, run)
        lines = run.error_lines()
        self.assertEqual(len(lines), 1, run)
        for fragment in fragments:
            self.assertIn(fragment, lines[0], run)
        return lines[0]

    def assert_no_plan(self, run):
        """A failed run printed no plan: nothing on stdout, or with --json only the error
        document (docs/usage.md: stdout carries one JSON document whatever happens)."""
        if '--json' not in run.args:
            self.assertEqual(run.stdout, b'', run)
            return
        doc = json.loads(run.stdout)
        self.assertEqual(doc['status'], 'error', run)
        self.assertNotIn('parts', doc, run)

    def write(self, name, data, mode=0o644):
        path = os.path.join(self.tmp, name)
        with open(path, 'wb') as f:
            f.write(data)
        os.chmod(path, mode)
        return path

    def timing(self, label, seconds):
        """Wall times go to stderr (ctest -V shows them); nothing is asserted on them."""
        print(f'TIMING {self.id()}: {label}: {seconds * 1000:.0f} ms', file=sys.stderr)


def main():
    global BINARY
    if len(sys.argv) < 2:
        print(f'usage: {sys.argv[0]} PATH-TO-s3-user-script [unittest args]', file=sys.stderr)
        sys.exit(2)
    BINARY = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
