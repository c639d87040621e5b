#!/usr/bin/python3
"""The bridge module called directly (no cloud-init walker above it, so no registry: the
fallback path), with stand-in binaries for the failure modes: fallback writes scripts only,
every failure hands nothing over and installs the marker, raw lines are wrapped, foreign
payloads get cloud-init's unhandled warning, each include part names its parts from its own name."""
import importlib.util
import logging
import os
import subprocess
import sys
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bridge_common import MODULE, CloudRoot, binary_from_argv, check  # noqa: E402

from cloudinit import helpers, util  # noqa: E402

MARKER = '00-s3-user-script-failed'


class Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append((record.levelname, record.name, record.getMessage()))

    def text(self, level):
        return '\n'.join(m for lv, _, m in self.records if lv == level)


def load_module():
    spec = importlib.util.spec_from_file_location('s3_user_script_under_test', MODULE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def fake_binary(root, name, body):
    path = root.path(name)
    with open(path, 'w') as f:
        f.write('#!/bin/sh\n' + body)
    os.chmod(path, 0o755)
    return path


def mime_doc(*parts):
    """parts: (content type, filename, payload bytes) -> the binary's output format."""
    import base64
    out = 'Content-Type: multipart/mixed; boundary="BB"\nMIME-Version: 1.0\n\n'
    for ctype, name, payload in parts:
        out += ('--BB\nContent-Type: %s\nMIME-Version: 1.0\nContent-Transfer-Encoding: base64\n'
                'Content-Disposition: attachment; filename="%s"\n\n%s\n' %
                (ctype, name, base64.b64encode(payload).decode()))
    return out + '--BB--\n'


class Env:
    def __init__(self, root, mod, cap):
        self.root, self.mod, self.cap = root, mod, cap
        self.cloud = types.SimpleNamespace(
            paths=helpers.Paths({'cloud_dir': root.cloud_dir,
                                 'run_dir': root.path('run')}))
        self.scripts = self.cloud.paths.get_ipath_cur('scripts')

    def begin(self):
        self.cap.records.clear()
        self.mod.handle_part(self.cloud, '__begin__', None, None, 'always')

    def part(self, ctype, payload, name='part-001'):
        self.mod.handle_part(self.cloud, ctype, name, payload, 'always')

    def failing_part(self, ctype, payload, name='part-001'):
        try:
            self.part(ctype, payload, name)
        except self.mod.S3IncludeError as e:
            return str(e)
        raise AssertionError('no S3IncludeError')

    def listing(self):
        return sorted(os.listdir(self.scripts)) if os.path.isdir(self.scripts) else []

    def clear(self):
        for n in self.listing():
            os.unlink(os.path.join(self.scripts, n))


def main():
    binary_from_argv()
    with CloudRoot() as root:
        run(root)
    print('PASS')


def run(root):
    mod = load_module()
    cap = Capture()
    logging.getLogger().addHandler(cap)
    logging.getLogger().setLevel(logging.DEBUG)
    console = []
    util.write_to_console = lambda _path, text: console.append(text)
    env = Env(root, mod, cap)

    check(mod.list_types() == ['text/x-s3-include', 'text/x-not-multipart', 'text/plain'] and
          mod.handler_version == 2 and mod.frequency == 'always',
          'list_types, handler_version 2, frequency always')

    # A stand-in binary that records its argv and stdin and prints a fixed document.
    calls = root.path('calls.log')
    doc_file = root.path('doc.mime')
    recorder = fake_binary(root, 'recorder', 'echo "argv: $*" >> %s\ncat >> %s\ncat %s\n' %
                           (calls, calls, doc_file))
    os.environ['S3_USER_SCRIPT'] = recorder

    def set_doc(text):
        with open(doc_file, 'w') as f:
            f.write(text)

    # Foreign payloads of the shared types: cloud-init's usual warning, binary not called.
    env.begin()
    env.part('text/x-not-multipart', 'just some text\n')
    env.part('text/plain', 'hello\n', 'notes.txt')
    check(not os.path.exists(calls), 'binary not called for payloads not starting #s3-include')
    warnings = cap.text('WARNING')
    check("Unhandled non-multipart (text/x-not-multipart) userdata: 'b'just some text'...'"
          in warnings and "Unhandled unknown content-type (text/plain) userdata" in warnings,
          "cloud-init's unhandled warnings logged", warnings)

    # Fallback (no walker above us): scripts written directly, named in document order.
    set_doc(mime_doc(('text/x-shellscript', 'b.sh', b'#!/bin/sh\necho b\r\n'),
                     ('text/x-shellscript', 'a.sh', b'#!/bin/sh\necho a\n')))
    env.begin()
    env.part('text/x-s3-include', 's3://bkt/b.sh\ns3://bkt/a.sh\n', 'objects.s3')
    with open(calls) as f:
        check(f.read() ==
              'argv: resolve - --on-instance\n#s3-include\ns3://bkt/b.sh\ns3://bkt/a.sh\n',
              'binary run as `resolve - --on-instance` with raw lines wrapped into an #s3-include document')
    check(env.listing() == ['objects.s3.001-b.sh', 'objects.s3.002-a.sh'],
          "fallback wrote the scripts to <instance>/scripts/, named from the include's name",
          env.listing())
    with open(os.path.join(env.scripts, 'objects.s3.001-b.sh')) as f:
        check(f.read() == '#!/bin/sh\necho b\n', 'with dos2unix, as cloud-init does')
    check(os.stat(os.path.join(env.scripts, 'objects.s3.002-a.sh')).st_mode & 0o777 == 0o700,
          'mode 0700')
    check('registry was not found' in cap.text('WARNING'), 'and said so in a warning')

    # Each include part names its own parts; names are cleaned as cloud-init cleans them.
    os.unlink(calls)
    env.part('text/x-not-multipart', '#S3-Include\ns3://bkt/x\n', 'part-002')
    with open(calls) as f:
        check(f.read() == 'argv: resolve - --on-instance\n#S3-Include\ns3://bkt/x\n',
              'a raw #s3-include document is passed unchanged')
    check(env.listing()[2:] == ['part-002.001-b.sh', 'part-002.002-a.sh'],
          'a second include part names its parts from its own name', env.listing())
    os.unlink(calls)
    env.part('text/plain', '  #s3-include\ns3://bkt/y\n', '../p l\u00e4in.txt')
    with open(calls) as f:
        check(f.read() == 'argv: resolve - --on-instance\n  #s3-include\ns3://bkt/y\n' and
              env.listing() == ['.._plin.txt.001-b.sh', '.._plin.txt.002-a.sh',
                                'objects.s3.001-b.sh', 'objects.s3.002-a.sh',
                                'part-002.001-b.sh', 'part-002.002-a.sh'],
              'a text/plain part starting #s3-include is resolved too, its name cleaned',
              env.listing())
    env.clear()
    check(mod.fetched_part_names('part-007', ['a/b.sh', '\u00fc', '', 'x y']) ==
          ['part-007.001-a_b.sh', 'part-007.002-part', 'part-007.003-part', 'part-007.004-xy'],
          'fetched names cleaned; an empty cleaned name becomes "part"')
    long = mod.fetched_part_names('objects.s3', ['app/first.sh', 'app/' + 'x' * 240 + '.sh'])
    check(long[0] == 'objects.s3.001-app_first.sh' and len(long[1].encode()) == 255 and
          long[1].startswith('objects.s3.002-app_xxx'), 'a name past NAME_MAX is cut to fit', long)
    longer = mod.fetched_part_names('i' * 300, ['\u00e9' * 200])
    check(all(len(n.encode()) <= 255 for n in longer) and '.001-' in longer[0],
          'a long include name too, at a UTF-8 boundary', longer)
    wide = mod.fetched_part_names('inc', ['s'] * 1000)
    check(wide[0] == 'inc.0001-s' and wide[-1] == 'inc.1000-s' and wide == sorted(wide),
          'more than 999 parts: one wider width, sorted order still document order')

    # An include with no lines resolves to a document of no parts: nothing handed over, no
    # failure (cloud-init does nothing with an empty #include either).
    set_doc('Content-Type: multipart/mixed; boundary="E"\nMIME-Version: 1.0\n\n--E--\n')
    env.begin()
    env.part('text/x-s3-include', '#s3-include\n# nothing yet\n', 'empty.s3')
    check(env.listing() == [] and not cap.text('ERROR'), 'an empty resolved document is no error',
          env.listing())
    set_doc('Content-Type: multipart/mixed; boundary="E"\nMIME-Version: 1.0\n\n--E--\nx\n')
    msg = env.failing_part('text/x-s3-include', '#s3-include\n', 'empty.s3')
    check('not a multipart/mixed' in msg, 'anything after the close delimiter still fails', msg)
    env.clear()

    # Fallback cannot apply other types: fail closed.
    set_doc(mime_doc(('text/x-shellscript', 'a.sh', b'#!/bin/sh\necho a\n'),
                     ('text/cloud-config', 'c.yaml', b'#cloud-config\n{}\n')))
    env.begin()
    msg = env.failing_part('text/x-s3-include', 's3://bkt/a.sh\n')
    check('text/cloud-config cannot be applied' in msg and env.listing() == [MARKER],
          'fallback with a cloud-config part: nothing written but the marker', env.listing())
    env.clear()

    # Every failure: nothing handed over, ERROR, console, marker, exception.
    cases = [
        ('missing binary', root.path('no-such-binary'), 'cannot run'),
        ('exit 4 with error lines', fake_binary(
            root, 'exit4', "echo \"s3-user-script: error: it's \\$(touch %s) gone\" >&2\n"
            'echo partial\nexit 4\n' % root.path('pwned')), 'exited with status 4'),
        ('killed', fake_binary(root, 'killed', 'kill -9 $$\n'), 'killed by signal 9'),
        ('garbage output', fake_binary(root, 'garbage', 'echo hello\n'), 'not a multipart'),
        ('empty output', fake_binary(root, 'empty', 'true\n'), 'empty output'),
        ('truncated output', fake_binary(
            root, 'truncated', "printf '%%s' '%s'\n" % mime_doc(
                ('text/x-shellscript', 'a.sh', b'#!/bin/sh\n'))[:-8]), 'malformed MIME'),
        ('bad base64', fake_binary(root, 'badb64', "printf '%%s' '%s'\n" % mime_doc(
            ('text/x-shellscript', 'a.sh', b'#!/bin/sh\n')).replace('IyEv', 'I*Ev')),
            'bad base64'),
        ('unexpanded include', fake_binary(root, 'unexpanded', "printf '%%s' '%s'\n" % mime_doc(
            ('text/x-s3-include', 'x', b's3://b/k\n'))), 'unexpanded include'),
        ('timeout', fake_binary(root, 'slow', 'exec sleep 30\n'), 'timed out after 0.5 s'),
    ]
    for what, exe, expected in cases:
        os.environ['S3_USER_SCRIPT'] = exe
        # Only the slow one gets the short timeout: with it, every other fake binary (a
        # shell) had to start and finish within 0.5 s, which load can make it miss.
        if what == 'timeout':
            os.environ['S3_USER_SCRIPT_TIMEOUT'] = '0.5'
        else:
            os.environ.pop('S3_USER_SCRIPT_TIMEOUT', None)
        console.clear()
        env.begin()
        msg = env.failing_part('text/x-s3-include', '#s3-include\ns3://bkt/a.sh\n', 'inc.s3')
        errors = cap.text('ERROR')
        check(expected in msg and expected in errors and any(expected in c for c in console),
              '%s: S3IncludeError, ERROR logged and console written' % what, msg)
        check(env.listing() == [MARKER], '%s: only the marker in the scripts folder' % what,
              env.listing())
        r = subprocess.run([os.path.join(env.scripts, MARKER)], capture_output=True, text=True)
        check(r.returncode == 1 and expected in r.stderr, '%s: the marker prints it, exits 1'
              % what, r.stderr)
        if what == 'exit 4 with error lines':
            check("s3-user-script: error: it's $(touch" in r.stderr and
                  'partial' not in msg + r.stderr and not os.path.exists(root.path('pwned')),
                  'error lines quoted verbatim in the marker; stdout of a failure ignored')
        env.clear()
    os.environ.pop('S3_USER_SCRIPT_TIMEOUT', None)

    # Two failing parts in one run: the marker lists both; a later good run removes it.
    os.environ['S3_USER_SCRIPT'] = root.path('no-such-binary')
    env.begin()
    env.failing_part('text/x-s3-include', 's3://bkt/a\n', 'one.s3')
    env.failing_part('text/x-s3-include', 's3://bkt/b\n', 'two.s3')
    with open(os.path.join(env.scripts, MARKER)) as f:
        marker = f.read()
    check('one.s3:' in marker and 'two.s3:' in marker, 'the marker lists every failure')
    os.environ['S3_USER_SCRIPT'] = recorder
    set_doc(mime_doc(('text/x-shellscript', 'a.sh', b'#!/bin/sh\n')))
    env.part('text/x-s3-include', 's3://bkt/a\n', 'three.s3')
    check(MARKER in env.listing(), 'a success after a failure in the same run keeps it')
    env.begin()
    env.part('text/x-s3-include', 's3://bkt/a\n', 'one.s3')
    check(MARKER not in env.listing(), 'a successful later run removes a stale marker')


if __name__ == '__main__':
    main()
