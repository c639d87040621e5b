#!/usr/bin/python3
"""Case 3: no system-wide install; the module shipped in user data as the FIRST part, a
text/plain part whose first line `#part-handler` makes cloud-init re-type it, followed by the
text/x-s3-include part: same effect as the system-wide case."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bridge_common import (MODULE, check, mime, run_case, standard_include,  # noqa: E402
                           verify_standard_effect)


def case(root, emu, env):
    with open(MODULE, encoding='utf-8') as f:
        module = f.read()
    user_data = mime((module, 'text/plain', 's3_user_script.py'),
                     (standard_include(), 'text/x-s3-include', 'objects.s3'))
    root.consume(user_data, env)
    check(os.listdir(os.path.join(root.cloud_dir, 'handlers')) == [],
          'nothing installed system-wide')
    with open(os.path.join(root.idir, 'handlers', 'part-handler-000.py')) as f:
        check(f.read() == module, 'cloud-init wrote the shipped module as part-handler-000')
    verify_standard_effect(root, env, emu)


if __name__ == '__main__':
    run_case(case, system_wide=False)
