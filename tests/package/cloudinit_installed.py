"""Child of package_test.py: Debian's real cloud-init (offline, temp root as in the bridge
tests) whose cloud_dir/handlers IS the installed /var/lib/cloud/handlers (a link to it), so
cloud-init imports the packaged handler from where the package put it, and the handler runs
the packaged /usr/bin/s3-user-script (no S3_USER_SCRIPT). The user data is a raw
#s3-include blob, unchanged from what an instance would be given.

usage: cloudinit_installed.py SOURCE_DIR"""

import os
import sys

SOURCE_DIR = os.path.abspath(sys.argv[1])
os.environ['S3US_SOURCE_DIR'] = SOURCE_DIR
sys.path.insert(0, os.path.join(SOURCE_DIR, 'tests', 'e2e'))
from bridge_common import (CloudRoot, Emulators, check, put_standard_objects,  # noqa: E402
                           standard_include, verify_standard_effect)

INSTALLED_HANDLERS = '/var/lib/cloud/handlers'


def main():
    with CloudRoot(prefix='s3us-package-') as root:
        os.makedirs(root.cloud_dir, exist_ok=True)
        os.symlink(INSTALLED_HANDLERS, os.path.join(root.cloud_dir, 'handlers'))
        with Emulators(root.path('emu')) as emu:
            put_standard_objects(emu, root)
            env = dict(emu.env)
            env.pop('S3_USER_SCRIPT', None)
            os.environ.pop('S3_USER_SCRIPT', None)
            # As on an instance, cloud-init leaves the handler's bytecode next to it (the
            # package's prerm must remove it).
            sys.dont_write_bytecode = False
            root.consume(standard_include().encode(), env)
            log = root.log()
            check('Added custom handler' in log and 's3_user_script' in log,
                  'cloud-init registered the installed handler', log[-3000:])
            verify_standard_effect(root, env, emu, include='part-001')  # raw user data
    print('PASS')


if __name__ == '__main__':
    main()
