#!/usr/bin/python3
"""scripts/install-bridge.sh into a temp cloud dir: installs <cloud_dir>/handlers/
s3_user_script.py (0644, same bytes), is idempotent, replaces a changed copy, rejects bad
arguments, and the installed file is what cloud-init's handler loader accepts."""
import os
import subprocess
import sys
import tempfile
import shutil

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bridge_common import INSTALLER, MODULE, binary_from_argv, check  # noqa: E402


def install(*args):
    return subprocess.run(['/bin/sh', INSTALLER] + list(args), capture_output=True, text=True)


def main():
    binary_from_argv()
    tmp = tempfile.mkdtemp(prefix='s3us-bridge-install-')
    try:
        run(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print('PASS')


def run(tmp):
    cloud_dir = os.path.join(tmp, 'var', 'lib', 'cloud')
    target = os.path.join(cloud_dir, 'handlers', 's3_user_script.py')
    with open(MODULE, 'rb') as f:
        module = f.read()

    r = install('--cloud-dir', cloud_dir)
    check(r.returncode == 0 and 'installed %s' % target in r.stdout, 'first install', r.stderr)
    with open(target, 'rb') as f:
        check(f.read() == module, 'the installed file is the module, byte for byte')
    check(os.stat(target).st_mode & 0o777 == 0o644, 'mode 0644')
    before = os.stat(target)

    r = install('--cloud-dir=%s' % cloud_dir)
    after = os.stat(target)
    check(r.returncode == 0 and 'up to date' in r.stdout and
          (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns),
          'second install leaves the identical copy alone', r.stdout + r.stderr)
    check(os.listdir(os.path.dirname(target)) == ['s3_user_script.py'],
          'nothing else in the handlers dir')

    with open(target, 'ab') as f:
        f.write(b'# local edit\n')
    r = install('--cloud-dir', cloud_dir)
    with open(target, 'rb') as f:
        check(r.returncode == 0 and f.read() == module, 'a changed copy is replaced')

    other = os.path.join(tmp, 'other.py')
    with open(other, 'w') as f:
        f.write('def list_types():\n    return []\n\n\ndef handle_part(*a):\n    pass\n')
    r = install('--cloud-dir', cloud_dir, '--source', other)
    with open(target) as f:
        check(r.returncode == 0 and 'def list_types' in f.read(), '--source FILE installs FILE')

    check(install('--cloud-dir', 'relative/dir').returncode == 2, 'a relative --cloud-dir: 2')
    check(install('--bogus').returncode == 2, 'an unknown argument: exit 2')
    check(install('--cloud-dir').returncode == 2, 'a missing value: exit 2')
    check(install('--cloud-dir', cloud_dir, '--source', '/nonexistent.py').returncode == 1,
          'a missing source: exit 1')
    r = install('--help')
    check(r.returncode == 0 and '--cloud-dir' in r.stdout, '--help')

    # What cloud-init's loader does with <cloud_dir>/handlers (stages._do_handlers).
    install('--cloud-dir', cloud_dir)
    probe = ('import sys; sys.path.insert(0, %r)\n'
             'from cloudinit import importer, util\n'
             'mods = util.get_modules_from_dir(%r)\n'
             'assert list(mods.values()) == ["s3_user_script"], mods\n'
             'locs, _ = importer.find_module("s3_user_script", [""], '
             '["list_types", "handle_part"])\n'
             'mod = importer.import_module(locs[0])\n'
             'print(mod.__file__, mod.list_types())\n' % (os.path.dirname(target),
                                                          os.path.dirname(target)))
    r = subprocess.run(['/usr/bin/python3', '-c', probe], capture_output=True, text=True)
    check(r.returncode == 0 and target in r.stdout and 'text/x-s3-include' in r.stdout,
          "cloud-init's loader finds and imports the installed module", r.stdout + r.stderr)


if __name__ == '__main__':
    main()
