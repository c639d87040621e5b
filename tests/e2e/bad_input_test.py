#!/usr/bin/python3
"""Issue 14, bad-input corpus: every blob of tests/data/bad/ (plus the large ones its
generate.py writes into a temporary directory) goes through `plan` of the real binary against
the emulators, which serve tests/data/bad/objects/. Each run must end with the exit code and
the one error line (a fragment of it) that manifest.json names, within a CPU-time limit and a
peak-RSS bound; a crash, a hang or a second error line fails the test.

    bad_input_test.py BINARY            the test (ctest e2e.bad_input)
    S3US_BAD_PRINT=1 bad_input_test.py BINARY   one line per blob: exit, seconds, MiB, error
"""

import json
import os
import resource
import subprocess
import sys

import e2e_util
from e2e_util import ERROR_PREFIX, E2ETest
from harness import _load_objects

BAD = os.path.join(e2e_util.SOURCE_DIR, 'tests', 'data', 'bad')
CPU_SECONDS = 30  # RLIMIT_CPU: a runaway is killed by SIGXCPU, far above any honest run
WALL_SECONDS = 60
MAX_RSS_MIB = 256  # generous: the largest limit is 64 MiB of decompressed document
if 'ASAN_OPTIONS' in os.environ:  # scripts/sanitize.sh: shadow memory and redzones
    MAX_RSS_MIB *= 2
MAX_ERROR_LINE = 1000  # a few quoted texts of at most 200 bytes each, escaped


def _limits():
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS + 5))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run_bounded(args, env, cwd):
    """Runs the binary with a CPU-time limit; returns (exit code or -signal, stdout, stderr,
    wall seconds, peak RSS in MiB)."""
    run = e2e_util.run_measured(args, env, cwd, WALL_SECONDS, preexec_fn=_limits)
    return run.code, run.stdout, run.stderr, run.seconds, run.rss_mib


class BadInputCorpus(E2ETest):
    def test_every_blob_fails_as_the_manifest_says(self):
        printing = os.environ.get('S3US_BAD_PRINT') == '1'
        with open(os.path.join(BAD, 'manifest.json'), encoding='utf-8') as f:
            manifest = json.load(f)
        large = os.path.join(self.tmp, 'large')
        subprocess.run([sys.executable, os.path.join(BAD, 'generate.py'), '--large', '--out',
                        large], check=True)
        blobs = {name: os.path.join(BAD, 'blobs', name)
                 for name in os.listdir(os.path.join(BAD, 'blobs'))}
        blobs.update({name: os.path.join(large, 'blobs', name)
                      for name in os.listdir(os.path.join(large, 'blobs'))})
        if not printing:
            self.assertEqual(sorted(blobs), sorted(manifest), 'manifest and corpus differ')
        self.assertGreaterEqual(len(blobs), 100)
        failures, worst = [], (0.0, 0.0)
        with self.emulators() as emu:
            _load_objects(emu, os.path.join(BAD, 'objects'))
            env = self.env(emu)
            for name in sorted(blobs):
                expect = manifest.get(name, {})
                args = ['plan', blobs[name]] + expect.get('args', [])
                code, stdout, stderr, seconds, rss = run_bounded(args, env, self.out_dir)
                worst = (max(worst[0], seconds), max(worst[1], rss))
                text = stderr.decode('utf-8', 'replace')
                lines = [ln for ln in text.splitlines() if ln.startswith(ERROR_PREFIX)]
                if printing:
                    print(f'{name}\t{code}\t{seconds:.2f}s\t{rss:.0f}MiB\t'
                          f'{lines[0][len(ERROR_PREFIX):][:200] if lines else ""}'
                          f'{" (+%d)" % (len(lines) - 1) if len(lines) > 1 else ""}')
                    continue
                problems = []
                if code != expect['exit']:
                    problems.append(f'exit {code}, expected {expect["exit"]}')
                if expect['exit'] == 0:
                    if lines:
                        problems.append(f'error lines {lines}')
                elif len(lines) != 1:
                    problems.append(f'{len(lines)} error lines')
                elif expect['error'] not in lines[0]:
                    problems.append(f'error line lacks {expect["error"]!r}')
                # One failure is one printable, bounded line: bytes from the blob are escaped
                # and what it quotes is cut (a 4 MiB include line is not a 4 MiB error line).
                ctl = sorted({c for c in stderr if (c < 0x20 and c not in (0x09, 0x0a)) or c == 0x7f})
                if ctl:
                    problems.append(f'raw control bytes {ctl} on stderr')
                long = [len(ln) for ln in lines if len(ln) > MAX_ERROR_LINE]
                if long:
                    problems.append(f'error lines of {long} characters')
                # What a blob names is shown escaped: no terminal control bytes in the plan.
                raw = [c for c in stdout if c < 0x20 and c not in (0x09, 0x0a)] + \
                    [c for c in stdout if c == 0x7f]
                if raw:
                    problems.append(f'raw control bytes {sorted(set(raw))} on stdout')
                if rss > MAX_RSS_MIB:
                    problems.append(f'peak RSS {rss:.0f} MiB')
                try:
                    e2e_util.assert_no_secrets(stdout + stderr, emu)
                except AssertionError as e:
                    problems.append(str(e))
                if problems:
                    failures.append(f'{name}: {"; ".join(problems)}: {text[-500:]!r}')
        self.timing(f'{len(blobs)} blobs, slowest run', worst[0])
        print(f'PEAK {self.id()}: largest RSS {worst[1]:.0f} MiB', file=sys.stderr)
        self.assertEqual(failures, [], '\n'.join(failures))


if __name__ == '__main__':
    e2e_util.main()
