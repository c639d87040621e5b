"""Shared by the bridge_*.py tests: Debian's real cloud-init (22.4) driven offline in a temp
root, like `cloud-init init` (initialize, fetch, instancify, update, consume_data) with a
NoCloud seed, plus `cloud-init single` for the scripts_user / write_files modules.

Each test script is its own process and runs consume_data once (cloud-init imports user-data
part handlers as `part-handler-NNN`; a second run in one interpreter would reuse them).
Paths come through $CLOUD_CFG (Init._reset() drops any other config file); the log goes to
<root>/cloud-init.log, the module output to <root>/out.log, the console to <root>/console.log.
Never `cloud-init init`: it touches /run/cloud-init and the host's /var/lib/cloud."""

import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email import encoders

SOURCE_DIR = os.environ.get('S3US_SOURCE_DIR') or os.path.abspath(
    os.path.join(os.path.dirname(__file__), '..', '..'))
sys.path.insert(0, os.path.join(SOURCE_DIR, 'scripts', 'emulators'))
MODULE = os.path.join(SOURCE_DIR, 'handlers', 'cloudinit', 's3_user_script.py')
INSTALLER = os.path.join(SOURCE_DIR, 'scripts', 'install-bridge.sh')
CLOUD_INIT = '/usr/bin/cloud-init'
PYTHON = '/usr/bin/python3'
INSTANCE_ID = 'i-0bridge0000000001'

from harness import Emulators  # noqa: E402


def binary_from_argv():
    if len(sys.argv) < 2 or not os.access(sys.argv[1], os.X_OK):
        sys.exit('usage: %s /path/to/s3-user-script' % sys.argv[0])
    return os.path.abspath(sys.argv[1])


def mime(*parts):
    """parts: (body str|bytes, content type 'text/x-foo', filename or None for none)."""
    msg = MIMEMultipart()
    for body, ctype, name in parts:
        main, sub = ctype.split('/', 1)
        if isinstance(body, bytes):
            part = MIMEBase(main, sub)
            part.set_payload(body)
            encoders.encode_base64(part)
        else:
            part = MIMEText(body, sub)
        if name is not None:
            part.add_header('Content-Disposition', 'attachment', filename=name)
        msg.attach(part)
    return msg.as_bytes()


class CloudRoot:
    """A temp root with cloud_dir, run_dir, NoCloud seed and the $CLOUD_CFG file."""

    def __init__(self, prefix='s3us-bridge-', root=None):
        """root: an existing root made by CloudRoot (for a child process), else a new one."""
        self.root = root or tempfile.mkdtemp(prefix=prefix)
        self.cloud_dir = os.path.join(self.root, 'var/lib/cloud')
        self.seed = os.path.join(self.cloud_dir, 'seed/nocloud')
        self.log_file = os.path.join(self.root, 'cloud-init.log')
        self.out_file = os.path.join(self.root, 'out.log')
        self.console_file = os.path.join(self.root, 'console.log')
        self.cfg_file = os.path.join(self.root, 'test.cfg')
        self.idir = os.path.join(self.cloud_dir, 'instances', INSTANCE_ID)
        self.scripts = os.path.join(self.idir, 'scripts')
        if root:
            return
        os.makedirs(self.seed)
        with open(self.cfg_file, 'w') as f:
            json.dump({'system_info': {'paths': {'cloud_dir': self.cloud_dir,
                                                 'run_dir': os.path.join(self.root, 'run')}},
                       'datasource_list': ['NoCloud'],
                       'datasource': {'NoCloud': {'fs_label': None}},
                       'def_log_file': '',
                       'log_cfgs': [],
                       'output': {'all': '| tee -a %s' % self.out_file}}, f)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *_):
        if exc_type is None:
            shutil.rmtree(self.root, ignore_errors=True)
        else:
            print('kept for inspection: %s' % self.root, file=sys.stderr)
        return False

    def path(self, *names):
        return os.path.join(self.root, *names)

    def install_system_wide(self):
        subprocess.run(['/bin/sh', INSTALLER, '--cloud-dir', self.cloud_dir], check=True,
                       stdout=subprocess.DEVNULL)

    def consume(self, user_data, env):
        """Runs cloud-init's init stages up to consume_data in THIS process (once)."""
        with open(os.path.join(self.seed, 'meta-data'), 'w') as f:
            f.write('instance-id: %s\n' % INSTANCE_ID)
        with open(os.path.join(self.seed, 'user-data'), 'wb') as f:
            f.write(user_data)
        os.environ.update(env)
        os.environ['CLOUD_CFG'] = self.cfg_file
        from cloudinit import sources, stages, util
        from cloudinit.settings import PER_INSTANCE
        logging.basicConfig(filename=self.log_file, level=logging.DEBUG, force=True,
                            format='%(asctime)s %(levelname)s %(name)s: %(message)s')
        console = self.console_file

        def write_to_console(_conpath, text):  # never the host's /dev/console
            with open(console, 'a') as f:
                f.write(text)
        util.write_to_console = write_to_console
        init = stages.Init(ds_deps=[sources.DEP_FILESYSTEM])
        assert init.paths.cloud_dir == self.cloud_dir, init.paths.cloud_dir
        init.initialize()
        init.fetch(existing='check')
        iid = init.instancify()
        assert iid == INSTANCE_ID, iid
        init.update()
        ran, _ = init.cloudify().run('consume_data', init.consume_data, args=[PER_INSTANCE],
                                     freq=PER_INSTANCE)
        assert ran
        logging.shutdown()

    def single(self, name, env):
        """`cloud-init single --name NAME --frequency always` in a subprocess."""
        e = dict(env)
        e['CLOUD_CFG'] = self.cfg_file
        return subprocess.run([PYTHON, CLOUD_INIT, 'single', '--name', name, '--frequency',
                               'always'], env=e, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=120)

    def read(self, *names):
        with open(self.path(*names), encoding='utf-8', errors='replace') as f:
            return f.read()

    def log(self):
        return self.read('cloud-init.log')

    def all_files(self):
        """Every file of the temp root but the emulators' own state."""
        out = []
        for dirpath, dirs, files in os.walk(self.root):
            if dirpath == self.root and 'emu' in dirs:
                dirs.remove('emu')
            out.extend(os.path.join(dirpath, n) for n in files)
        return out


def module_env(binary, emu):
    env = dict(emu.env)
    env['S3_USER_SCRIPT'] = binary
    return env


def check(cond, what, detail=''):
    if not cond:
        raise AssertionError('%s\n%s' % (what, detail))
    print('ok -', what)


# --- the scenario shared by the system-wide, raw and part-handler cases ----------------------
BUCKET = 'bridge-bkt'
FETCHED_FILE = 'written/from-s3.txt'
FETCHED_FILE_CONTENT = 'fetched via s3\nbyte-exact: \u00e9\t$HOME `x`\n'


def put_standard_objects(emu, root):
    """Two scripts whose own names sort against document order, and a cloud-config."""
    log = root.path('order.log')
    emu.put(BUCKET, 'app/zz-first.sh', ('#!/bin/sh\necho first >> %s\n' % log).encode())
    emu.put(BUCKET, 'app/config.yaml', (
        '#cloud-config\nwrite_files:\n- path: %s\n  permissions: "0640"\n  content: %s\n'
        % (root.path(FETCHED_FILE), json.dumps(FETCHED_FILE_CONTENT))).encode())
    emu.put(BUCKET, 'app/aa-second.sh', ('#!/bin/sh\necho second >> %s\n' % log).encode())


def standard_include():
    return ('#s3-include\ns3://%s/app/zz-first.sh\ns3://%s/app/config.yaml\n'
            's3://%s/app/aa-second.sh\n' % (BUCKET, BUCKET, BUCKET))


def verify_standard_effect(root, env, emu, include='objects.s3', extra_scripts=()):
    """After consume_data: fetched parts were handed to cloud-init's own handlers, named from
    the include part's own name `include`."""
    from harness import assert_no_secrets
    names = sorted(os.listdir(root.scripts))
    fetched = [n for n in names if n.startswith(include + '.')]
    first, second = include + '.001-zz-first.sh', include + '.003-aa-second.sh'
    check(fetched == [first, second],
          "fetched scripts in the scripts folder, named from the include part's name: %s"
          % fetched)
    check(sorted(set(names) - set(fetched)) == sorted(extra_scripts),
          'no other scripts in the folder: %s' % names)
    for n in fetched:
        check(os.stat(os.path.join(root.scripts, n)).st_mode & 0o777 == 0o700,
              '%s is 0700 as cloud-init writes scripts' % n)
    check('echo first' in root.read(root.scripts, first),
          'script content is the fetched object')
    cc = root.read(root.idir, 'cloud-config.txt')
    check('# %s.002-config.yaml' % include in cc and 'write_files' in cc,
          'fetched cloud-config merged into cloud-config.txt by cloud-init')
    check(not os.path.exists(root.path('order.log')), 'nothing ran during consume_data')
    check(not os.path.exists(os.path.join(root.scripts, '00-s3-user-script-failed')),
          'no failure marker')

    r = root.single('scripts_user', env)
    out = r.stdout.decode('utf-8', 'replace')
    check(r.returncode == 0, 'cloud-init single scripts_user succeeds', out[-3000:])
    check(root.read('order.log').split() == ['first', 'second'] + [
        'user' for _ in extra_scripts], 'scripts ran in document order: %r' %
        root.read('order.log'))

    r = root.single('write_files', env)
    check(r.returncode == 0, 'cloud-init single write_files succeeds',
          r.stdout.decode('utf-8', 'replace')[-3000:])
    with open(root.path(FETCHED_FILE), 'rb') as f:
        check(f.read() == FETCHED_FILE_CONTENT.encode(), 'write_files wrote the bytes exactly')
    check(os.stat(root.path(FETCHED_FILE)).st_mode & 0o777 == 0o640, 'with its permissions')

    log = root.log()
    check("handing 3 resolved parts to cloud-init's handlers" in log and
          'registry was not found' not in log, "parts went through cloud-init's registry")
    check('Unhandled' not in log, 'cloud-init logged no unhandled part')
    check('ERROR' not in log, 'no ERROR in the cloud-init log')
    for f in root.all_files():
        with open(f, 'rb') as fh:
            assert_no_secrets(fh.read(), emu)
    check(True, 'no credential in any file of the temp root')


def run_case(case, system_wide=True, standard_objects=True):
    """Runs one bridge case in its own temp cloud root: optionally installs the module
    system-wide, starts the emulators (optionally with the standard objects) and calls
    case(root, emu, env) with the environment cloud-init's module sees."""
    binary = binary_from_argv()
    with CloudRoot() as root:
        if system_wide:
            root.install_system_wide()
        with Emulators(root.path('emu')) as emu:
            if standard_objects:
                put_standard_objects(emu, root)
            case(root, emu, module_env(binary, emu))
    print('PASS')
