#!/usr/bin/python3
"""Case 2: raw single-part `#s3-include` user data (cloud-init types it text/x-not-multipart)
with the module installed system-wide: same effect as the MIME case."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bridge_common import check, run_case, standard_include, verify_standard_effect  # noqa: E402


def case(root, emu, env):
    root.consume(standard_include().encode(), env)
    check("Calling handler" in root.log() and 'text/x-not-multipart, part-001' in root.log(),
          'cloud-init handed the raw blob to the module as text/x-not-multipart')
    verify_standard_effect(root, env, emu, include='part-001')


if __name__ == '__main__':
    run_case(case)
