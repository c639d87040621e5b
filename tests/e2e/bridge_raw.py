#!/usr/bin/python3
"""Case 2: raw single-part `#s3-include` user data (cloud-init types it text/x-not-multipart)
with the module installed system-wide: same effect as the MIME case."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bridge_common import (CloudRoot, binary_from_argv, check, module_env,  # noqa: E402
                           put_standard_objects, standard_include, verify_standard_effect)
from harness import Emulators  # noqa: E402


def main():
    binary = binary_from_argv()
    with CloudRoot() as root:
        run(binary, root)
    print('PASS')


def run(binary, root):
    root.install_system_wide()
    with Emulators(root.path('emu')) as emu:
        put_standard_objects(emu, root)
        env = module_env(binary, emu)
        root.consume(standard_include().encode(), env)
        check("Calling handler" in root.log() and 'text/x-not-multipart, part-001' in root.log(),
              'cloud-init handed the raw blob to the module as text/x-not-multipart')
        verify_standard_effect(root, env, emu)


if __name__ == '__main__':
    main()
