#!/usr/bin/python3
"""End-to-end: `get -o` naming a directory (issue 10), as `aws s3 cp` takes it: an existing
directory, `.`, or any name ending in '/' is that directory with the object's name in it;
a new `NEWDIR/` is made (0755, not its parents) and removed again when nothing was written."""

import os
import stat

import e2e_util
from e2e_util import EXIT_FETCH, EXIT_OK, EXIT_SETUP, E2ETest

DATA = b'app\n'


class GetDestTest(E2ETest):
    def files(self):
        return sorted(os.path.relpath(os.path.join(d, f), self.out_dir)
                      for d, _, names in os.walk(self.out_dir) for f in names)

    def test_o_naming_a_directory_writes_the_object_in_it(self):
        with self.emulators() as emu:
            emu.put('bkt', 'conf/app.conf', DATA)
            os.makedirs(os.path.join(self.out_dir, 'd'))
            for dest, written in (('d/', 'd/app.conf'), ('d', 'd/app.conf'), ('.', 'app.conf'),
                                  ('./', 'app.conf'), ('new/', 'new/app.conf')):
                run = self.run_bin(emu, ['get', 's3://bkt/conf/app.conf', '-o', dest])
                self.assertEqual(run.code, EXIT_OK, run)
                path = os.path.join(self.out_dir, written)
                with open(path, 'rb') as f:
                    self.assertEqual(f.read(), DATA, dest)
                self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600, dest)
                os.unlink(path)
            mode = stat.S_IMODE(os.stat(os.path.join(self.out_dir, 'new')).st_mode)
            self.assertEqual(mode, 0o755)

    def test_o_dev_null_fetches_and_verifies_then_drops_the_object(self):
        # As `aws s3 cp s3://b/k /dev/null`, a check that an object can be fetched: it was
        # refused, "/dev/null exists and is not a regular file", exit 3.
        with self.emulators() as emu:
            emu.put('bkt', 'conf/app.conf', DATA)
            run = self.run_bin(emu, ['get', 's3://bkt/conf/app.conf', '-o', '/dev/null'])
            self.assertEqual((run.code, run.stdout), (EXIT_OK, b''), run)
            self.assertEqual(self.files(), [])
            bad = self.run_bin(emu, ['get', 's3://bkt/conf/app.conf', '-o', '/dev/null',
                                     '--sha256', '0' * 64])
            self.assertEqual(bad.code, EXIT_FETCH, bad)

    def test_a_failed_get_leaves_no_new_directory_and_parents_are_not_made(self):
        with self.emulators() as emu:
            emu.put('bkt', 'conf/app.conf', DATA)
            run = self.run_bin(emu, ['get', 's3://bkt/conf/absent', '-o', 'new/'])
            self.assert_one_error(run, EXIT_FETCH, 's3://bkt/conf/absent')
            run = self.run_bin(emu, ['get', 's3://bkt/conf/app.conf', '-o', 'a/b/'])
            self.assert_one_error(run, EXIT_SETUP, '-o a/b/', 'cannot create the directory')
            with open(os.path.join(self.out_dir, 'file'), 'wb') as f:
                f.write(b'x')
            run = self.run_bin(emu, ['get', 's3://bkt/conf/app.conf', '-o', 'file/'])
            self.assert_one_error(run, EXIT_SETUP, '-o file/: not a directory')
            self.assertEqual(self.files(), ['file'])
            self.assertEqual(os.listdir(self.out_dir), ['file'])


if __name__ == '__main__':
    e2e_util.main()
