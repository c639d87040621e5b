"""`get` shows progress on a terminal and never when stderr is a pipe (issue 8)."""
import os
import pty
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.environ['S3US_SOURCE_DIR'], 'scripts/emulators'))
from harness import Emulators, assert_no_secrets  # noqa: E402

BINARY = sys.argv[1] if len(sys.argv) > 1 else 'build/s3-user-script'
SIZE = 96 << 20


class Progress(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.emu = Emulators(cls.tmp.name)
        cls.emu.start()
        cls.emu.put('bucket', 'big.bin', os.urandom(1 << 20) * (SIZE >> 20))

    @classmethod
    def tearDownClass(cls):
        cls.emu.stop()
        cls.tmp.cleanup()

    def get(self, dest, stderr, *extra):
        return subprocess.run([BINARY, 'get', 's3://bucket/big.bin', '-o', dest, *extra],
                              env=self.emu.env, stdout=subprocess.PIPE, stderr=stderr,
                              timeout=120)

    def on_terminal(self, name, *extra):
        """Runs get with stderr on a pseudo-terminal; returns (process, bytes shown)."""
        master, slave = pty.openpty()
        try:
            dest = os.path.join(self.tmp.name, name)
            proc = self.get(dest, slave, *extra)
            os.close(slave)
            slave = -1
            seen = b''
            while True:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                seen += chunk
        finally:
            if slave >= 0:
                os.close(slave)
            os.close(master)
        self.assertEqual(proc.returncode, 0, seen)
        self.assertEqual(os.path.getsize(dest), SIZE)
        return proc, seen

    def test_terminal_shows_progress(self):
        _, seen = self.on_terminal('tty.bin')
        self.assertIn(b'\r\x1b[K', seen)
        self.assertIn(b'big.bin', seen)
        self.assertIn(b'MiB', seen)
        assert_no_secrets(seen, self.emu)

    def test_no_progress_turns_it_off_on_a_terminal(self):
        _, seen = self.on_terminal('quiet.bin', '--no-progress')
        self.assertEqual(seen, b'')

    def test_pipe_shows_nothing(self):
        dest = os.path.join(self.tmp.name, 'pipe.bin')
        proc = self.get(dest, subprocess.PIPE)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stderr, b'')
        self.assertEqual(os.path.getsize(dest), SIZE)


if __name__ == '__main__':
    unittest.main(argv=[sys.argv[0], '-v'])
