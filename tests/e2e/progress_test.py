"""`get` shows progress on a terminal and never when stderr is a pipe (issue 8); the line has
bytes of total, percent, rate and ETA, is plain with TERM=dumb, and plan fetches show objects
done of known so far, redrawn while they run (issue 17)."""
import os
import pty
import re
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
        # 96 MiB at 48 MiB/s: the get lasts about 2 s whatever this machine's speed, so the
        # line (first drawn after 200 ms) is redrawn several times.
        cls.emu = Emulators(cls.tmp.name, s3_args=['--body-mib-per-second', '48'])
        cls.emu.start()
        cls.emu.put('bucket', 'big.bin', os.urandom(1 << 20) * (SIZE >> 20))

    @classmethod
    def tearDownClass(cls):
        cls.emu.stop()
        cls.tmp.cleanup()

    def get(self, dest, stderr, *extra, env=None):
        return subprocess.run([BINARY, 'get', 's3://bucket/big.bin', '-o', dest, *extra],
                              env=dict(self.emu.env, **dict({'TERM': 'xterm'}, **(env or {}))),
                              stdout=subprocess.PIPE, stderr=stderr, timeout=120)

    def on_terminal(self, name, *extra, env=None):
        """Runs get with stderr on a pseudo-terminal; returns (process, bytes shown)."""
        master, slave = pty.openpty()
        try:
            dest = os.path.join(self.tmp.name, name)
            proc = self.get(dest, slave, *extra, env=env)
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
        # Redrawn while it runs: bytes of the known total, percent, rate and time left.
        self.assertRegex(seen, rb'\r\x1b\[Kbig\.bin  [\d.]+ (B|KiB|MiB) of 96\.0 MiB  \d+%  '
                               rb'[\d.]+ (B|KiB|MiB|GiB)/s  ETA \d+s')
        # The last state stays, on its own line.
        self.assertRegex(seen, rb'\r\x1b\[Kbig\.bin  96\.0 MiB of 96\.0 MiB  100%  '
                               rb'[\d.]+ (B|KiB|MiB|GiB)/s\r?\n$')
        assert_no_secrets(seen, self.emu)

    def test_dumb_terminal_gets_plain_lines(self):
        _, seen = self.on_terminal('dumb.bin', env={'TERM': 'dumb'})
        self.assertNotIn(b'\x1b', seen)
        lines = seen.replace(b'\r\n', b'\n').splitlines()
        self.assertGreaterEqual(len(lines), 1, seen)
        for line in lines:
            self.assertRegex(line, rb'^big\.bin  [\d.]+ (B|KiB|MiB) of 96\.0 MiB  \d+%')
        self.assertTrue(lines[-1].startswith(b'big.bin  96.0 MiB of 96.0 MiB  100%'), seen)

    def test_no_progress_turns_it_off_on_a_terminal(self):
        _, seen = self.on_terminal('quiet.bin', '--no-progress')
        self.assertEqual(seen, b'')

    def test_pipe_shows_nothing(self):
        dest = os.path.join(self.tmp.name, 'pipe.bin')
        proc = self.get(dest, subprocess.PIPE)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stderr, b'')
        self.assertEqual(os.path.getsize(dest), SIZE)



class PlanProgress(unittest.TestCase):
    """Fetches that take longer than a second show objects done of those known so far, redrawn
    while they run."""

    def plan_on_terminal(self, latency_ms, keys, *extra):
        """Runs plan of an #s3-include naming `keys` with stderr on a pseudo-terminal; returns
        (process, bytes shown)."""
        with tempfile.TemporaryDirectory() as tmp, \
                Emulators(tmp, s3_args=['--latency-ms', str(latency_ms)]) as emu:
            for key in keys:
                emu.put('bucket', key, b'#!/bin/sh\n')
            blob = os.path.join(tmp, 'ud')
            with open(blob, 'wb') as f:
                f.write(b'#s3-include\n' + b''.join(b's3://bucket/%s\n' % k.encode() for k in keys))
            master, slave = pty.openpty()
            proc = subprocess.run([BINARY, 'plan', blob, *extra],
                                  env=dict(emu.env, TERM='xterm'), stdout=subprocess.PIPE,
                                  stderr=slave, timeout=120)
            os.close(slave)
            seen = b''
            while True:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                seen += chunk
            os.close(master)
            self.assertEqual(proc.returncode, 0, seen)
            assert_no_secrets(seen, emu)
            return proc, seen

    def test_plan_on_a_terminal_counts_objects_and_clears_its_line(self):
        proc, seen = self.plan_on_terminal(700, [f'{i}.sh' for i in range(4)],
                                           '--max-parallel', '1')
        self.assertTrue(proc.stdout.startswith(b'4 parts, 4 objects fetched'), proc.stdout)
        counts = re.findall(rb'\r\x1b\[Kfetching: (\d) of (\d) objects?', seen)
        self.assertTrue(counts, seen)
        # Queued objects count from the start: it said "1 of 1", "2 of 2" at --max-parallel 1.
        for done, known in counts:
            self.assertEqual(int(known), 4, seen)
            self.assertLessEqual(int(done), 4)
        self.assertTrue(seen.endswith(b'\r\x1b[K'), seen)

    def test_one_slow_object_is_shown_while_it_runs(self):
        # It was drawn only when an object finished: nothing while the only one ran.
        _, seen = self.plan_on_terminal(2500, ['slow.sh'])
        self.assertIn(b'\r\x1b[Kfetching: 0 of 1 object', seen)
        self.assertTrue(seen.endswith(b'\r\x1b[K'), seen)


if __name__ == '__main__':
    unittest.main(argv=[sys.argv[0], '-v'])
