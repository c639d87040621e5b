#!/usr/bin/python3
"""Case 3: no system-wide install; the module shipped in user data as the FIRST part, a
text/plain part whose first line `#part-handler` makes cloud-init re-type it, followed by the
text/x-s3-include part: same effect as the system-wide case."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bridge_common import (MODULE, CloudRoot, binary_from_argv, check, mime,  # noqa: E402
                           module_env, put_standard_objects, standard_include,
                           verify_standard_effect)
from harness import Emulators  # noqa: E402


def main():
    binary = binary_from_argv()
    with CloudRoot() as root:
        run(binary, root)
    print('PASS')


def run(binary, root):
    with open(MODULE, encoding='utf-8') as f:
        module = f.read()
    with Emulators(root.path('emu')) as emu:
        put_standard_objects(emu, root)
        env = module_env(binary, emu)
        user_data = mime((module, 'text/plain', 's3_user_script.py'),
                         (standard_include(), 'text/x-s3-include', 'objects.s3'))
        root.consume(user_data, env)
        check(os.listdir(os.path.join(root.cloud_dir, 'handlers')) == [],
              'nothing installed system-wide')
        with open(os.path.join(root.idir, 'handlers', 'part-handler-000.py')) as f:
            check(f.read() == module, 'cloud-init wrote the shipped module as part-handler-000')
        verify_standard_effect(root, env, emu)


if __name__ == '__main__':
    main()
