#!/usr/bin/python3
"""End-to-end: `s3-user-script get` through the real binary against the loopback emulators
(issue 10). Several objects at once, modes regardless of umask, stdout, atomic replacement
when transfers fail or pins mismatch, versions, planted symlinks, missing keys, `get`
from a script that `replay` runs, and a large object with flat memory (issue 16)."""

import hashlib
import os
import stat
import subprocess
import sys
import threading
import time
import tty

import e2e_util
from e2e_util import EXIT_FETCH, EXIT_OK, EXIT_SETUP, E2ETest, sha256
from run_util import wait_for

OLD = b'the previous contents\n'
LARGE = 256 << 20
MAX_RSS_KIB = 32 * 1024  # issue 16: for any object size
STDOUT_BYTES = (9 << 20) + 12345  # many sendfile calls through a pipe, and an odd tail
# Measures one child alone: a fresh interpreter whose only child is the binary.
MEASURE = ('import resource, subprocess, sys\n'
           'rc = subprocess.call(sys.argv[1:], stdin=subprocess.DEVNULL)\n'
           'print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n'
           'sys.exit(rc)\n')


class ManyTest(E2ETest):
    def test_several_objects_into_a_directory_at_once(self):
        n = 12
        # The first 2 GETs are answered once both are in flight, so that a loaded machine's
        # staggered starts cannot hide the overlap; fetched one at a time, the first waits
        # 10 s and the overlap is 1.
        with self.emulators(latency_ms=20, s3_args=['--hold-first', '2']) as emu:
            objects = {f'tools/t{i:02}.bin': os.urandom(1000 + i * 777) for i in range(n)}
            for key, data in objects.items():
                emu.put('bkt', key, data)
            dest = os.path.join(self.out_dir, 'd')
            os.mkdir(dest)
            run = self.run_bin(emu, ['get', '-d', dest] + ['s3://bkt/' + k for k in objects])
            self.assertEqual(run.code, EXIT_OK, run)
            self.assertEqual(run.stdout, b'')
            self.assertEqual(sorted(os.listdir(dest)), sorted(k.split('/')[-1] for k in objects))
            for key, data in objects.items():
                path = os.path.join(dest, key.split('/')[-1])
                with open(path, 'rb') as f:
                    self.assertEqual(f.read(), data, key)
                self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
            s3 = emu.stats('s3')
            self.assertEqual(s3['by_status'], {'200': n})
            self.assertGreater(s3['max_in_flight'], 1)
            self.timing(f'get -d of {n} objects at 20 ms latency', run.seconds)


class UrlFormTest(E2ETest):
    def test_every_url_spelling_fetches_the_exact_key(self):
        with self.emulators() as emu:
            emu.put('bkt', 'dir/a b+c.txt', b'spelled\n')
            emu.put('bkt', 'dir/a b c.txt', b'decoy\n')
            for url in ('s3://bkt/dir/a b+c.txt', 'arn:aws:s3:::bkt/dir/a b+c.txt',
                        'https://bkt.s3.amazonaws.com/dir/a%20b%2Bc.txt',
                        'https://s3.us-east-1.amazonaws.com/bkt/dir/a%20b%2Bc.txt'):
                run = self.run_bin(emu, ['get', '-o', '-', url])
                self.assertEqual(run.code, EXIT_OK, run)
                self.assertEqual(run.stdout, b'spelled\n', url)
            self.assertEqual(emu.stats('s3')['by_request'], {'GET /bkt/dir/a%20b%2Bc.txt': 4})


    def test_a_bucket_named_before_2018_is_fetched_path_style(self):
        # us-east-1 allowed upper case, '_' and 255 characters until March 2018; botocore (and
        # the 2014 tool, `-b`) still reach such buckets, path-style.
        with self.emulators() as emu:
            emu.put('Legacy_Bucket', 'k', b'legacy\n')
            emu.put('Legacy_Bucket', 'web-role/user-script', b'#!/bin/sh\necho role default\n')
            for url in ('s3://Legacy_Bucket/k', 'arn:aws:s3:::Legacy_Bucket/k',
                        'https://s3.amazonaws.com/Legacy_Bucket/k'):
                run = self.run_bin(emu, ['get', '-o', '-', url])
                self.assertEqual(run.code, EXIT_OK, run)
                self.assertEqual(run.stdout, b'legacy\n', url)
            tmpdir = os.path.join(self.out_dir, 'tmp')
            os.mkdir(tmpdir)
            run = self.run_bin(emu, ['-b', 'Legacy_Bucket'], extra_env={'TMPDIR': tmpdir})
            self.assertEqual(run.code, EXIT_OK, run)
            self.assertEqual(run.stdout, b'role default\n')
            self.assertEqual(emu.stats('s3')['by_request'],
                             {'GET /Legacy_Bucket/k': 3,
                              'GET /Legacy_Bucket/web-role/user-script': 1})

class ModeAndStdoutTest(E2ETest):
    def test_mode_is_exact_whatever_the_umask(self):
        with self.emulators() as emu:
            emu.put('bkt', 'conf/app.conf', b'key = value\n')
            for umask in (0o022, 0o077):
                for mode, want in (('0640', 0o640), ('755', 0o755), (None, 0o600)):
                    dest = os.path.join(self.out_dir, f'app-{umask:o}-{mode}')
                    args = ['get', '-o', dest, 's3://bkt/conf/app.conf']
                    if mode:
                        args += ['--mode', mode]
                    run = self.run_bin(emu, args, umask=umask)
                    self.assertEqual(run.code, EXIT_OK, run)
                    st = os.lstat(dest)
                    self.assertTrue(stat.S_ISREG(st.st_mode))
                    self.assertEqual(stat.S_IMODE(st.st_mode), want, (umask, mode))
                    with open(dest, 'rb') as f:
                        self.assertEqual(f.read(), b'key = value\n')

    def test_dash_writes_the_exact_bytes_to_stdout(self):
        data = bytes(range(256)) * 4000 + b'\0\r\n\xff'
        with self.emulators() as emu:
            emu.put('bkt', 'bin/blob', data)
            run = self.run_bin(emu, ['get', '-o', '-', 's3://bkt/bin/blob'])
            self.assertEqual(run.code, EXIT_OK, run)
            self.assertEqual(run.stdout, data)
            self.assertEqual(run.stderr, b'')
            self.assertEqual(os.listdir(self.tmpdir_env), [])
            self.assertEqual(os.listdir(self.out_dir), [])


class StdoutCopyTest(E2ETest):
    """`-o -` copies the verified file out with sendfile(2) where the kernel takes it (a
    pipe, a file) and by reads and writes where it refuses (a file opened O_APPEND; a
    terminal on some kernels): byte-exact every way, nothing when the pin fails."""

    def put_blob(self, emu):
        data = os.urandom(STDOUT_BYTES)
        emu.put('bkt', 'big/blob', data)
        return data

    def run_into(self, emu, stdout_fd):
        """Runs `get -o -` with stdout_fd as its standard output (run_bin's is a pipe)."""
        args = ['get', '-o', '-', 's3://bkt/big/blob']
        started = time.monotonic()
        proc = subprocess.run([e2e_util.BINARY] + args, env=self.env(emu), cwd=self.out_dir,
                              stdin=subprocess.DEVNULL, stdout=stdout_fd,
                              stderr=subprocess.PIPE, timeout=120)
        run = e2e_util.Run(args, proc.returncode, b'', proc.stderr, time.monotonic() - started)
        self.assert_clean(emu, run)
        return run

    def assert_same(self, got, want):
        self.assertEqual((len(got), sha256(got)), (len(want), sha256(want)))

    def test_several_mib_through_a_pipe_arrive_byte_exact(self):
        with self.emulators() as emu:
            data = self.put_blob(emu)
            run = self.run_bin(emu, ['get', '-o', '-', 's3://bkt/big/blob'])
            self.assertEqual(run.code, EXIT_OK, run)
            self.assert_same(run.stdout, data)
            self.assertEqual(run.stderr, b'')
            self.assertEqual(os.listdir(self.tmpdir_env), [])

            run = self.run_bin(emu, ['get', '-o', '-', '--sha256', sha256(b'other'),
                                     's3://bkt/big/blob'])
            self.assert_one_error(run, EXIT_FETCH, 's3://bkt/big/blob', 'sha256 mismatch')
            self.assertEqual(run.stdout, b'')
            self.assertEqual(os.listdir(self.tmpdir_env), [])

    def test_stdout_a_file_or_a_file_appended_to(self):
        with self.emulators() as emu:
            data = self.put_blob(emu)
            for mode, before in (('wb', b''), ('ab', OLD)):
                path = os.path.join(self.tmp, 'stdout-' + mode)
                with open(path, 'wb') as f:
                    f.write(before)
                with open(path, mode) as f:
                    run = self.run_into(emu, f.fileno())
                self.assertEqual(run.code, EXIT_OK, run)
                with open(path, 'rb') as f:
                    self.assert_same(f.read(), before + data)

    def test_stdout_a_terminal(self):
        with self.emulators() as emu:
            data = self.put_blob(emu)
            master, slave = os.openpty()
            tty.setraw(slave)  # no newline translation: the bytes as written
            received = []

            def drain():
                while True:
                    try:
                        chunk = os.read(master, 1 << 16)
                    except OSError:  # EIO: every writer has closed the terminal
                        return
                    if not chunk:
                        return
                    received.append(chunk)

            reader = threading.Thread(target=drain)
            reader.start()
            try:
                run = self.run_into(emu, slave)
            finally:
                os.close(slave)
                reader.join(timeout=60)
                os.close(master)
            self.assertFalse(reader.is_alive())
            self.assertEqual(run.code, EXIT_OK, run)
            self.assert_same(b''.join(received), data)


class AtomicityTest(E2ETest):
    def assert_only(self, names):
        self.assertEqual(sorted(os.listdir(self.out_dir)), sorted(names))

    def existing(self, name):
        path = os.path.join(self.out_dir, name)
        with open(path, 'wb') as f:
            f.write(OLD)
        os.chmod(path, 0o644)
        return path, os.stat(path)

    def assert_untouched(self, path, before):
        after = os.lstat(path)
        self.assertEqual((after.st_ino, after.st_size, after.st_mtime_ns, after.st_mode),
                         (before.st_ino, before.st_size, before.st_mtime_ns, before.st_mode))
        with open(path, 'rb') as f:
            self.assertEqual(f.read(), OLD)

    def test_transfer_cut_every_time_leaves_nothing_and_keeps_an_existing_file(self):
        with self.emulators(s3_args=['--reset-mid-body', '20']) as emu:
            emu.put('bkt', 'big.bin', os.urandom(1 << 20))
            fresh = os.path.join(self.out_dir, 'fresh.bin')
            run = self.run_bin(emu, ['get', '-o', fresh, 's3://bkt/big.bin'])
            self.assert_one_error(run, EXIT_FETCH, 's3://bkt/big.bin', 'connection reset')
            self.assertFalse(os.path.lexists(fresh))
            self.assert_only([])

            path, before = self.existing('kept.bin')
            run = self.run_bin(emu, ['get', '-o', path, 's3://bkt/big.bin'])
            self.assert_one_error(run, EXIT_FETCH, 's3://bkt/big.bin', 'connection reset')
            self.assert_untouched(path, before)
            self.assert_only(['kept.bin'])

            run = self.run_bin(emu, ['get', '-o', '-', 's3://bkt/big.bin'])
            self.assert_one_error(run, EXIT_FETCH, 's3://bkt/big.bin')
            self.assertEqual(run.stdout, b'')
            self.assertEqual(os.listdir(self.tmpdir_env), [])
            s3 = emu.stats('s3')
            self.assertEqual(s3['resets'], s3['total'])

    def test_a_get_killed_mid_download_leaves_nothing(self):
        # SIGKILL runs no clean-up: only a file with no name until it is complete (O_TMPFILE)
        # leaves the directory as it was.
        with self.emulators(s3_args=['--body-mib-per-second', '0.5']) as emu:
            emu.put('bkt', 'slow.bin', os.urandom(4 << 20))
            proc = self.start_bin(emu, ['get', '-o', os.path.join(self.out_dir, 'slow.bin'),
                                        's3://bkt/slow.bin'])
            try:
                def writing():
                    fds = f'/proc/{proc.pid}/fd'
                    try:
                        return any(os.readlink(os.path.join(fds, fd)).startswith(self.out_dir)
                                   for fd in os.listdir(fds))
                    except OSError:
                        return False
                wait_for(writing, 'get to open its file')
                proc.kill()
            finally:
                proc.kill()
                proc.communicate()
            self.assertEqual(proc.returncode, -9)
            self.assert_only([])

    def test_sha256_pin_mismatch_leaves_nothing_and_keeps_an_existing_file(self):
        data = b'#!/bin/sh\necho pinned\n'
        wrong = sha256(b'other')
        with self.emulators() as emu:
            emu.put('bkt', 'pin.sh', data)
            fresh = os.path.join(self.out_dir, 'fresh.sh')
            run = self.run_bin(emu, ['get', '-o', fresh, '--sha256', wrong, 's3://bkt/pin.sh'])
            self.assert_one_error(run, EXIT_FETCH, 's3://bkt/pin.sh', 'sha256 mismatch', wrong,
                                  sha256(data))
            self.assertFalse(os.path.lexists(fresh))

            path, before = self.existing('kept.sh')
            run = self.run_bin(emu, ['get', '-o', path, '--sha256', wrong, 's3://bkt/pin.sh'])
            self.assert_one_error(run, EXIT_FETCH, 's3://bkt/pin.sh', 'sha256 mismatch')
            self.assert_untouched(path, before)
            self.assert_only(['kept.sh'])

            run = self.run_bin(emu, ['get', '-o', path, '--sha256', sha256(data).upper(),
                                     's3://bkt/pin.sh'])
            self.assertEqual(run.code, EXIT_OK, run)
            with open(path, 'rb') as f:
                self.assertEqual(f.read(), data)
            self.assertNotEqual(os.stat(path).st_ino, before.st_ino)
            self.assert_only(['kept.sh'])

    def test_missing_key_is_one_line_and_leaves_nothing(self):
        with self.emulators() as emu:
            emu.make_bucket('bkt')
            dest = os.path.join(self.out_dir, 'absent')
            run = self.run_bin(emu, ['get', '-o', dest, 's3://bkt/no/such/key'])
            self.assert_one_error(run, EXIT_FETCH, 's3://bkt/no/such/key', 'NoSuchKey')
            self.assertEqual(run.stdout, b'')
            self.assert_only([])

    def test_one_missing_among_several_writes_none(self):
        # Issue 14 item 5: all or nothing; the error names the one that failed.
        with self.emulators() as emu:
            emu.put('bkt', 'a.txt', b'a\n')
            emu.put('bkt', 'c.txt', b'c\n')
            run = self.run_bin(emu, ['get', '-d', self.out_dir, 's3://bkt/a.txt',
                                     's3://bkt/b.txt', 's3://bkt/c.txt'])
            self.assert_one_error(run, EXIT_FETCH, 's3://bkt/b.txt', 'NoSuchKey')
            self.assert_only([])


class VersionAndSymlinkTest(E2ETest):
    def test_version_id_fetches_that_version(self):
        with self.emulators() as emu:
            v1 = emu.put('bkt', 'ver.txt', b'version one\n', version_id='v1.Zx_8sH3kqtJlcpXroDTDmJ')
            emu.put('bkt', 'ver.txt', b'version two\n', version_id='v2.Hdfh83jJFJ_xxsH3kqtJlc')
            run = self.run_bin(emu, ['get', '-o', '-', '--version-id', v1['version_id'],
                                     's3://bkt/ver.txt'])
            self.assertEqual(run.code, EXIT_OK, run)
            self.assertEqual(run.stdout, b'version one\n')
            run = self.run_bin(emu, ['get', '-o', '-', 's3://bkt/ver.txt'])
            self.assertEqual(run.stdout, b'version two\n')
            run = self.run_bin(emu, ['get', '-o', '-', '--version-id', 'no-such-version',
                                     's3://bkt/ver.txt'])
            self.assert_one_error(run, EXIT_FETCH, 's3://bkt/ver.txt', 'NoSuchVersion')

    def test_symlink_planted_at_the_destination_is_not_followed(self):
        with self.emulators() as emu:
            emu.put('bkt', 'payload', b'downloaded\n')
            victim = os.path.join(self.tmp, 'victim')
            with open(victim, 'wb') as f:
                f.write(OLD)
            before = os.stat(victim)
            link = os.path.join(self.out_dir, 'dest')
            os.symlink(victim, link)
            run = self.run_bin(emu, ['get', '-o', link, 's3://bkt/payload'])
            # Refused (a setup problem: the destination is unusable), nothing written through.
            self.assert_one_error(run, EXIT_SETUP, link, 'not a regular file')
            with open(victim, 'rb') as f:
                self.assertEqual(f.read(), OLD)
            self.assertEqual(os.stat(victim).st_ino, before.st_ino)
            self.assertEqual(os.readlink(link), victim)

            dangling = os.path.join(self.out_dir, 'dangling')
            missing_target = os.path.join(self.tmp, 'created-through-link')
            os.symlink(missing_target, dangling)
            run = self.run_bin(emu, ['get', '-o', dangling, 's3://bkt/payload'])
            self.assert_one_error(run, EXIT_SETUP, dangling, 'not a regular file')
            self.assertFalse(os.path.lexists(missing_target))
            self.assertEqual(sorted(os.listdir(self.out_dir)), ['dangling', 'dest'])


class FromScriptTest(E2ETest):
    def test_a_replayed_script_gets_objects_with_no_set_up(self):
        results = os.path.join(self.tmp, 'results')
        os.mkdir(results)
        script = (
            '#!/bin/sh\n'
            'set -e\n'
            f'cd "{results}"\n'
            '"$S3_USER_SCRIPT" get -o via-env.txt "s3://bkt/tools/one file.txt"\n'
            's3-user-script get --mode 0644 -d . s3://bkt/tools/two.txt\n'
            's3-user-script get -o - s3://bkt/tools/three.txt > three.out\n'
            'echo done > done\n')
        with self.emulators() as emu:
            emu.put('bkt', 'tools/one file.txt', b'one\n')
            emu.put('bkt', 'tools/two.txt', b'two\n')
            emu.put('bkt', 'tools/three.txt', b'three\n')
            emu.put('bkt', 'boot/setup.sh', script.encode())
            blob = self.write('saved-user-data', b'#s3-include\ns3://bkt/boot/setup.sh\n')
            state = os.path.join(self.tmp, 'state')
            run = self.run_bin(emu, ['replay', '--state-dir', state, blob])
            self.assertEqual(run.code, EXIT_OK, run)
            got = {}
            for name in sorted(os.listdir(results)):
                with open(os.path.join(results, name), 'rb') as f:
                    got[name] = f.read()
            self.assertEqual(got, {'via-env.txt': b'one\n', 'two.txt': b'two\n',
                                   'three.out': b'three\n', 'done': b'done\n'})
            self.assertEqual(stat.S_IMODE(os.stat(os.path.join(results, 'two.txt')).st_mode),
                             0o644)
            # The script's own gets went through the same emulators: 1 include + 3 gets.
            self.assertEqual(emu.stats('s3')['by_status'], {'200': 4})



def file_sha256(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            h.update(block)
    return h.hexdigest()


class LargeObjectTest(E2ETest):
    """A 256 MiB object, generated as a sparse file the emulator streams: marks at uneven
    offsets (across every 1 MiB block edge) make a reordered or lost block change the bytes."""

    def make_large(self, emu, key, size=LARGE):
        bucket = os.path.join(emu.root, 'bkt')
        os.makedirs(bucket, exist_ok=True)
        path = os.path.join(bucket, key)
        with open(path, 'wb') as f:
            f.truncate(size)
            for offset in range(0, size - 16, (1 << 20) - 4099):
                f.seek(offset)
                f.write(offset.to_bytes(8, 'big') * 2)
        return path

    def run_measured(self, emu, args):
        """(exit code, stderr, peak RSS KiB of the binary's process)."""
        proc = subprocess.run(['/usr/bin/python3', '-c', MEASURE, e2e_util.BINARY] + args,
                              env=self.env(emu), cwd=self.out_dir, capture_output=True,
                              timeout=240)
        return proc.returncode, proc.stderr.decode('utf-8', 'replace'), \
            int(proc.stdout.decode().split()[-1])

    def test_large_object_arrives_whole_with_flat_memory(self):
        with self.emulators() as emu:
            source = self.make_large(emu, 'large.bin')
            emu.put('bkt', 'small.bin', b'small\n')
            small = os.path.join(self.out_dir, 'small.bin')
            code, err, small_kib = self.run_measured(emu, ['get', '-o', small,
                                                           's3://bkt/small.bin'])
            self.assertEqual(code, EXIT_OK, err)
            dest = os.path.join(self.out_dir, 'large.bin')
            code, err, large_kib = self.run_measured(emu, ['-v', 'get', '-o', dest,
                                                           's3://bkt/large.bin'])
            self.assertEqual(code, EXIT_OK, err)
            self.assertIn('verified: content-length, x-amz-checksum-sha256', err)
            self.assertEqual(os.path.getsize(dest), LARGE)
            self.assertEqual(file_sha256(dest), file_sha256(source))
            # The pipeline's blocks and libcurl's buffer are the whole difference.
            self.assertLess(large_kib - small_kib, 16 * 1024, (small_kib, large_kib))
            if 'ASAN_OPTIONS' not in os.environ:  # scripts/sanitize.sh: shadow memory
                self.assertLess(large_kib, MAX_RSS_KIB)
            print(f'peak RSS: {small_kib} KiB for 6 bytes, {large_kib} KiB for 256 MiB',
                  file=sys.stderr)

    def test_large_object_declaring_a_crc_is_checked_by_it(self):
        # S3's default for new objects (CRC-64/NVME) and CRC-32C, each computed by the
        # emulator in Python, against ours on the streamed path (blocks past the first MiB);
        # the corrupted copies have one bit flipped mid-body. 24 MiB: streamed by the
        # emulator (over 8 MiB) but quick.
        size = 24 << 20
        algorithms = ('crc64nvme', 'crc32c')
        args = []
        for algorithm in algorithms:
            for key in (f'good-{algorithm}.bin', f'bad-{algorithm}.bin'):
                args += ['--key-checksum', f'{key}={algorithm}']
            args += ['--corrupt', f'bad-{algorithm}.bin']
        with self.emulators(s3_args=args) as emu:
            for algorithm in algorithms:
                with self.subTest(algorithm=algorithm):
                    source = self.make_large(emu, f'good-{algorithm}.bin', size)
                    self.make_large(emu, f'bad-{algorithm}.bin', size)
                    dest = os.path.join(self.out_dir, f'good-{algorithm}.bin')
                    run = self.run_bin(emu, ['-v', 'get', '-o', dest,
                                             f's3://bkt/good-{algorithm}.bin'], timeout=120)
                    self.assertEqual(run.code, EXIT_OK, run)
                    self.assertIn(f'verified: content-length, x-amz-checksum-{algorithm}',
                                  run.err)
                    self.assertEqual(file_sha256(dest), file_sha256(source))
                    bad = os.path.join(self.out_dir, f'bad-{algorithm}.bin')
                    run = self.run_bin(emu, ['get', '-o', bad, f's3://bkt/bad-{algorithm}.bin'],
                                       timeout=120)
                    self.assert_one_error(run, EXIT_FETCH, f's3://bkt/bad-{algorithm}.bin',
                                          'mismatch', f'x-amz-checksum-{algorithm}')
                    self.assertFalse(os.path.exists(bad))

    def test_large_object_that_fails_its_pin_leaves_nothing(self):
        with self.emulators() as emu:
            self.make_large(emu, 'large.bin')
            path = os.path.join(self.out_dir, 'large.bin')
            with open(path, 'wb') as f:
                f.write(OLD)
            wrong = sha256(b'other')
            run = self.run_bin(emu, ['get', '-o', path, '--sha256', wrong, 's3://bkt/large.bin'],
                               timeout=240)
            self.assert_one_error(run, EXIT_FETCH, 's3://bkt/large.bin', 'sha256 mismatch', wrong)
            self.assertEqual(os.listdir(self.out_dir), ['large.bin'])
            with open(path, 'rb') as f:
                self.assertEqual(f.read(), OLD)


if __name__ == '__main__':
    e2e_util.main()
