#!/usr/bin/python3
"""End-to-end: every credential source through the real binary (issue 19): web identity from
the environment and from a profile, AssumeRole chains (source_profile, credential_source,
external_id, duration_seconds), credential_process and IAM Identity Center, each with `get`
and `plan`, against the STS and SSO portal emulators (sts.py, sso.py; AssumeRole signatures
checked with botocore). The S3 emulator only knows the credentials STS/SSO issued (or the
ones a test hands it), so a successful fetch proves which identity signed it. Failures exit
3 with one error line."""

import hashlib
import http.server
import json
import os
import threading
import time

import e2e_util
from e2e_util import EXIT_OK, EXIT_SETUP, E2ETest

SCRIPT = b'#!/bin/sh\necho from s3\n'
USER_DATA = b'#s3-include\ns3://bkt/boot.sh\n'
TOKEN = 'eyJhbGciOiJSUzI1NiJ9.e2e-web-identity-token.c2lnbmF0dXJl'
SSO_TOKEN = 'aoa-e2e-sso-access-token-0123456789'
STATIC = {'AccessKeyId': 'AKIASTATICE2E000001', 'SecretAccessKey': 'static/e2e+secret/key0001'}


class CredentialTest(E2ETest):
    def setUp(self):
        super().setUp()
        self.secret_inputs = set()
        self.config = os.path.join(self.tmp, 'home', 'aws-config')
        self.credentials = os.path.join(self.tmp, 'home', 'aws-credentials')
        self.static_file = self.write('static.json', json.dumps([STATIC]).encode())

    def start(self, sts_args=(), sso_args=None, s3_static=False, sts=True):
        """IMDS, S3 and (when `sts`) STS emulators, plus the SSO portal when sso_args is not
        None; each emulator costs a process start, so tests ask only for what they use."""
        s3_args = ['--credentials-file', self.static_file] if s3_static else []
        sts_all = ['--credentials-file', self.static_file, '--web-identity-token', TOKEN]
        return self.emulators(
            user_data=USER_DATA, s3_args=s3_args,
            sts_args=sts_all + list(sts_args) if sts else None,
            sso_args=['--access-token', SSO_TOKEN] + list(sso_args) if sso_args is not None
            else None)

    def files(self, config='', credentials=''):
        os.makedirs(os.path.dirname(self.config), exist_ok=True)
        with open(self.config, 'w') as f:
            f.write(config)
        with open(self.credentials, 'w') as f:
            f.write(credentials)

    def env_for(self, extra=None):
        env = {'AWS_CONFIG_FILE': self.config, 'AWS_SHARED_CREDENTIALS_FILE': self.credentials,
               'AWS_REGION': 'us-east-1'}
        env.update(extra or {})
        return env

    def get_and_plan(self, emu, extra_env=None):
        """`get -v` and `plan --json -v` both succeed; returns the -v stderr of `get`."""
        emu.put('bkt', 'boot.sh', SCRIPT)
        env = self.env_for(extra_env)
        run = self.run_bin(emu, ['get', '-v', '-o', '-', 's3://bkt/boot.sh'], env)
        self.assertEqual(run.code, EXIT_OK, run)
        self.assertEqual(run.stdout, SCRIPT)
        user_data = self.write('user-data', USER_DATA)
        plan = self.run_bin(emu, ['plan', '--json', user_data], env)
        self.assertEqual(plan.code, EXIT_OK, plan)
        parts = json.loads(plan.stdout)['parts']
        self.assertEqual([p['sha256'] for p in parts], [hashlib.sha256(SCRIPT).hexdigest()])
        self.assertEqual([c for c in emu.credentials() if c['source'] == 'imds'], [])
        return run.err

    def issued(self, emu, source):
        return [c for c in emu.credentials() if c['source'] == source]

    def fails(self, emu, extra_env, *fragments):
        emu.put('bkt', 'boot.sh', SCRIPT)
        run = self.run_bin(emu, ['get', '-o', '-', 's3://bkt/boot.sh'], self.env_for(extra_env))
        self.assert_one_error(run, EXIT_SETUP, *fragments)
        user_data = self.write('user-data', USER_DATA)
        plan = self.run_bin(emu, ['plan', user_data], self.env_for(extra_env))
        self.assert_one_error(plan, EXIT_SETUP, *fragments)
        return run


class WebIdentityTest(CredentialTest):
    def test_environment_variables_exchange_the_token_instead_of_using_the_instance_role(self):
        token_file = self.write('token.jwt', TOKEN.encode() + b'\n')
        self.secret_inputs.add(token_file)
        self.files()
        with self.start() as emu:
            err = self.get_and_plan(emu, {
                'AWS_WEB_IDENTITY_TOKEN_FILE': token_file,
                'AWS_ROLE_ARN': 'arn:aws:iam::123456789012:role/pod-reader',
                'AWS_ROLE_SESSION_NAME': 'e2e-pod'})
            self.assertIn('credentials from web identity (AWS_WEB_IDENTITY_TOKEN_FILE) as '
                          'arn:aws:sts::123456789012:assumed-role/pod-reader/e2e-pod', err)
            sts = self.issued(emu, 'sts')
            self.assertEqual({c['action'] for c in sts}, {'AssumeRoleWithWebIdentity'})
            self.assertEqual({c['session_name'] for c in sts}, {'e2e-pod'})

    def test_profile_web_identity_token_file(self):
        token_file = self.write('token.jwt', TOKEN.encode())
        self.secret_inputs.add(token_file)
        self.files(f'[profile wi]\nrole_arn = arn:aws:iam::123456789012:role/wi\n'
                   f'web_identity_token_file = {token_file}\n')
        with self.start() as emu:
            err = self.get_and_plan(emu, {'AWS_PROFILE': 'wi'})
            self.assertIn('web identity (profile \'wi\' web_identity_token_file) as '
                          'arn:aws:sts::123456789012:assumed-role/wi/s3-user-script-', err)

    def test_a_rejected_token_is_one_line_exit_3(self):
        token_file = self.write('token.jwt', b'not-the-token')
        self.files()
        with self.start() as emu:
            self.fails(emu, {'AWS_WEB_IDENTITY_TOKEN_FILE': token_file,
                             'AWS_ROLE_ARN': 'arn:aws:iam::123456789012:role/pod-reader'},
                       'could not get credentials', 'InvalidIdentityToken')
            self.assertEqual(self.issued(emu, 'imds'), [])

    def test_a_missing_token_file_is_one_line_exit_3(self):
        self.files()
        with self.start() as emu:
            self.fails(emu, {'AWS_WEB_IDENTITY_TOKEN_FILE': os.path.join(self.tmp, 'nope'),
                             'AWS_ROLE_ARN': 'arn:aws:iam::123456789012:role/pod-reader'},
                       'token file', 'does not exist')


class AssumeRoleTest(CredentialTest):
    CHAIN = ('[profile mid]\nrole_arn = arn:aws:iam::111111111111:role/mid\n'
             'source_profile = base\n'
             '[profile top]\nrole_arn = arn:aws:iam::222222222222:role/top\n'
             'source_profile = mid\nexternal_id = ext-42\nrole_session_name = e2e-top\n'
             'duration_seconds = 1800\n')
    KEYS = (f'[base]\naws_access_key_id = {STATIC["AccessKeyId"]}\n'
            f'aws_secret_access_key = {STATIC["SecretAccessKey"]}\n')

    def test_source_profile_chain_signs_each_step_with_the_previous_credentials(self):
        self.files(self.CHAIN, self.KEYS)
        with self.start(['--external-id', 'arn:aws:iam::222222222222:role/top=ext-42']) as emu:
            err = self.get_and_plan(emu, {'AWS_PROFILE': 'top'})
            self.assertIn("credentials from assume role (profile 'top') as "
                          'arn:aws:sts::222222222222:assumed-role/top/e2e-top', err)
            mid, top = self.issued(emu, 'sts')[:2]
            self.assertEqual(mid['caller'], STATIC['AccessKeyId'])
            self.assertEqual(mid['role_arn'], 'arn:aws:iam::111111111111:role/mid')
            self.assertEqual(top['caller'], mid['AccessKeyId'])
            self.assertEqual((top['external_id'], top['duration']), ('ext-42', '1800'))

    def test_credential_source_environment_and_instance_metadata(self):
        self.files('[profile env]\nrole_arn = arn:aws:iam::123456789012:role/e\n'
                   'credential_source = Environment\n'
                   '[profile ec2]\nrole_arn = arn:aws:iam::123456789012:role/i\n'
                   'credential_source = Ec2InstanceMetadata\n')
        with self.start(s3_static=True) as emu:
            # As with botocore and the AWS CLI (without --profile), keys in the environment
            # come first; credential_source = Environment only names them as a role source.
            err = self.get_and_plan(emu, {'AWS_PROFILE': 'env',
                                          'AWS_ACCESS_KEY_ID': STATIC['AccessKeyId'],
                                          'AWS_SECRET_ACCESS_KEY': STATIC['SecretAccessKey']})
            self.assertIn('credentials from environment', err)
            self.fails(emu, {'AWS_PROFILE': 'env'}, "assume role (profile 'env'): source "
                       'environment has no credentials: AWS_ACCESS_KEY_ID is not set')
            emu.put('bkt', 'boot.sh', SCRIPT)
            run = self.run_bin(emu, ['get', '-v', '-o', '-', 's3://bkt/boot.sh'],
                               self.env_for({'AWS_PROFILE': 'ec2'}))
            self.assertEqual(run.code, EXIT_OK, run)
            self.assertIn('assumed-role/i/', run.err)
            imds_keys = {c['AccessKeyId'] for c in self.issued(emu, 'imds')}
            self.assertIn(self.issued(emu, 'sts')[-1]['caller'], imds_keys)

    def test_refusals_and_bad_profiles_exit_3_with_one_line(self):
        cases = [
            (self.CHAIN.replace('ext-42', 'ext-43'), 'top',
             ['AccessDenied', 'sts AssumeRole for arn:aws:iam::222222222222:role/top']),
            ('[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n'
             '[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = a\n', 'a',
             ['source_profile cycle: a -> b -> a']),
            ('[profile m]\nrole_arn = arn:aws:iam::123456789012:role/m\nsource_profile = base\n'
             'mfa_serial = arn:aws:iam::123456789012:mfa/me\n', 'm',
             ['mfa_serial', 'non-interactively']),
            ('[profile n]\nrole_arn = arn:aws:iam::123456789012:role/n\n', 'n',
             ['neither source_profile nor credential_source']),
        ]
        with self.start(['--external-id', 'arn:aws:iam::222222222222:role/top=ext-42']) as emu:
            for config, profile, fragments in cases:
                with self.subTest(profile=profile):
                    self.files(config, self.KEYS)
                    self.fails(emu, {'AWS_PROFILE': profile}, 'could not get credentials',
                               *fragments)

    def test_a_wrong_source_secret_is_refused_by_the_signature_check(self):
        self.files(self.CHAIN, self.KEYS.replace('secret/key0001', 'secret/key0002'))
        with self.start() as emu:
            self.fails(emu, {'AWS_PROFILE': 'mid'}, 'SignatureDoesNotMatch')
            self.assertEqual(emu.stats('sts')['by_status'], {'403': 2})


class ProcessTest(CredentialTest):
    HELPER = ('#!/usr/bin/python3\nimport json, sys\n'
              'open(sys.argv[1], "w").write(json.dumps(sys.argv[2:]))\n'
              'print("helper: signing in with", %r, file=sys.stderr)\n'
              'mode = sys.argv[2]\n'
              'if mode == "fail":\n    sys.exit(7)\n'
              'if mode == "garbage":\n    print("not json"); sys.exit(0)\n'
              'print(json.dumps({"Version": 2 if mode == "v2" else 1,\n'
              '  "AccessKeyId": %r, "SecretAccessKey": %r,\n'
              '  "Expiration": "2099-01-01T00:00:00Z"}))\n')

    def helper(self):
        return self.write('helper.py', (self.HELPER % (STATIC['SecretAccessKey'],
                                                       STATIC['AccessKeyId'],
                                                       STATIC['SecretAccessKey'])).encode(),
                          0o755)

    def test_helper_runs_without_a_shell_and_its_stderr_is_never_shown(self):
        helper, argv_file = self.helper(), os.path.join(self.tmp, 'argv.json')
        self.files(f'[profile p]\ncredential_process = "{helper}" {argv_file} ok '
                   f"'two words' $HOME\\;x\n")
        with self.start(s3_static=True, sts=False) as emu:
            err = self.get_and_plan(emu, {'AWS_PROFILE': 'p'})
            self.assertIn("credentials from credential_process (profile 'p')", err)
            # It printed the secret key it handed over (as `sh -x` does) onto our stderr.
            self.assertNotIn('helper: signing in', err)
            self.assertNotIn(STATIC['SecretAccessKey'], err)
            with open(argv_file) as f:
                self.assertEqual(json.load(f), ['ok', 'two words', '$HOME;x'])

    def test_a_process_the_helper_leaves_running_is_not_waited_for_and_is_ended(self):
        # The helper prints its credentials and exits, leaving a process that holds its
        # stdout open: botocore's communicate() would wait for it for ever. The credentials
        # are used at once, and the process is killed with the helper's process group.
        pid_file = os.path.join(self.tmp, 'left.pid')
        printed = json.dumps({**STATIC, 'Version': 1})
        helper = self.write('leaves.sh', (f'#!/bin/sh\nsleep 600 &\necho $! >> {pid_file}\n'
                                          f"printf '%s\\n' '{printed}'\n").encode(), 0o755)
        self.files(f'[profile p]\ncredential_process = {helper}\n')
        with self.start(s3_static=True, sts=False) as emu:
            err = self.get_and_plan(emu, {'AWS_PROFILE': 'p'})
            self.assertIn("credentials from credential_process (profile 'p')", err)
        self.assertTrue(e2e_util.processes_ended(pid_file))

    def test_failures_are_one_line_exit_3(self):
        helper, argv_file = self.helper(), os.path.join(self.tmp, 'argv.json')
        with self.start(s3_static=True, sts=False) as emu:
            for mode, fragment in (('fail', 'exited with status 7 (its stderr is not shown: it '
                                            'may hold credentials; run it by hand)'),
                                   ('garbage', 'not a JSON object'),
                                   ('v2', 'no "Version": 1')):
                with self.subTest(mode=mode):
                    self.files(f'[profile p]\ncredential_process = {helper} {argv_file} {mode}\n')
                    run = self.fails(emu, {'AWS_PROFILE': 'p'},
                                     "credential_process (profile 'p')", fragment)
                    self.assertNotIn('helper: signing in', run.err)
            self.files('[profile p]\ncredential_process = /nonexistent/helper --x\n')
            self.fails(emu, {'AWS_PROFILE': 'p'}, 'cannot run it')


class SsoTest(CredentialTest):
    def cache(self, key, expires):
        digest = hashlib.sha1(key.encode()).hexdigest()
        path = os.path.join(self.tmp, 'home', '.aws', 'sso', 'cache', digest + '.json')
        os.makedirs(os.path.dirname(path), exist_ok=True)
        self.secret_inputs.add(path)
        with open(path, 'w') as f:
            json.dump({'startUrl': 'https://corp.awsapps.com/start', 'region': 'eu-west-1',
                       'accessToken': SSO_TOKEN, 'expiresAt': expires}, f)

    SESSION = ('[profile dev]\nsso_session = corp\nsso_account_id = 123456789012\n'
               'sso_role_name = Reader\n'
               '[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n'
               'sso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n')
    LEGACY = ('[profile old]\nsso_start_url = https://corp.awsapps.com/start\n'
              'sso_region = eu-west-1\nsso_account_id = 123456789012\nsso_role_name = Reader\n')
    LATER = time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(time.time() + 3600))
    EARLIER = time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(time.time() - 60))

    def test_sso_session_and_legacy_profiles_use_the_cached_token(self):
        self.files(self.SESSION + self.LEGACY)
        self.cache('corp', self.LATER)
        self.cache('https://corp.awsapps.com/start', self.LATER)
        with self.start(sso_args=['--grant', '123456789012/Reader'], sts=False) as emu:
            for profile in ('dev', 'old'):
                err = self.get_and_plan(emu, {'AWS_PROFILE': profile})
                self.assertIn(f"credentials from IAM Identity Center (profile '{profile}') "
                              'account 123456789012 role Reader', err)
            self.assertEqual(emu.stats('sso')['by_status'], {'200': 4})

    def test_expired_missing_or_refused_tokens_say_run_aws_sso_login(self):
        self.files(self.SESSION)
        with self.emulators(user_data=USER_DATA, sso_args=['--access-token', 'other']) as emu:
            self.fails(emu, {'AWS_PROFILE': 'dev'}, 'no cached token',
                       'run aws sso login --profile dev')
            self.cache('corp', self.EARLIER)
            self.fails(emu, {'AWS_PROFILE': 'dev'}, 'expired',
                       'run aws sso login --profile dev')
            self.cache('corp', self.LATER)  # a token the portal does not know
            self.fails(emu, {'AWS_PROFILE': 'dev'}, 'refused the cached token (HTTP 401)',
                       'run aws sso login --profile dev')
            self.assertEqual(emu.stats('sso')['by_status'], {'401': 2})


class ContainerTest(CredentialTest):
    """ECS tasks and EKS pods: the credentials endpoint the container's environment names
    (a loopback server here, standing in for the agent; the relative-URI form only reaches
    169.254.170.2, so unit tests cover it), with the token file's content as Authorization.
    The S3 emulator knows only the container's credentials and session token."""
    CREDS = {'AccessKeyId': 'ASIACONTAINERE2E0001', 'SecretAccessKey': 'container/e2e+secret/01',
             'Token': 'container-e2e-session-token-0000000001',
             'Expiration': '2099-01-01T00:00:00Z'}
    POD_TOKEN = 'eks-pod-identity-e2e-token-0000000001'

    def setUp(self):
        super().setUp()
        self.static_file = self.write('static.json', json.dumps([self.CREDS]).encode())
        self.token_file = self.write('eks-token', self.POD_TOKEN.encode() + b'\n')
        self.secret_inputs.update({self.static_file, self.token_file})
        self.seen = []
        test = self

        class Agent(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                test.seen.append((self.path, self.headers.get('Authorization')))
                ok = self.path == '/v1/credentials' and \
                    self.headers.get('Authorization') == test.POD_TOKEN
                body = json.dumps(dict(test.CREDS, RoleArn='arn:aws:iam::123456789012:role/pod')
                                  if ok else {'message': 'denied'}).encode()
                self.send_response(200 if ok else 401)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.agent = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Agent)
        threading.Thread(target=self.agent.serve_forever, daemon=True).start()
        self.url = f'http://127.0.0.1:{self.agent.server_address[1]}/v1/credentials'

    def tearDown(self):
        self.agent.shutdown()
        self.agent.server_close()
        super().tearDown()

    def test_full_uri_and_token_file_sign_with_the_container_credentials(self):
        self.files()
        with self.start(s3_static=True, sts=False) as emu:
            err = self.get_and_plan(emu, {'AWS_CONTAINER_CREDENTIALS_FULL_URI': self.url,
                                          'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE':
                                          self.token_file})
            self.assertIn('credentials from container credentials '
                          '(AWS_CONTAINER_CREDENTIALS_FULL_URI)', err)
        self.assertEqual(self.seen, [('/v1/credentials', self.POD_TOKEN)] * 2)

    def test_profile_credential_source_ecs_container_assumes_its_role(self):
        self.files('[profile ecs]\nrole_arn = arn:aws:iam::123456789012:role/deploy\n'
                   'credential_source = EcsContainer\n')
        with self.start() as emu:  # STS knows the container's keys (static.json)
            err = self.get_and_plan(emu, {'AWS_PROFILE': 'ecs',
                                          'AWS_CONTAINER_CREDENTIALS_FULL_URI': self.url,
                                          'AWS_CONTAINER_AUTHORIZATION_TOKEN': self.POD_TOKEN})
            self.assertIn("assume role (profile 'ecs')", err)
            self.assertEqual({c['action'] for c in self.issued(emu, 'sts')}, {'AssumeRole'})

    def test_failures_are_one_line_exit_3_and_never_fall_back_to_the_instance_role(self):
        wrong = self.write('wrong-token', b'not-the-pod-token')
        self.files()
        with self.start(s3_static=True, sts=False) as emu:
            self.fails(emu, {'AWS_CONTAINER_CREDENTIALS_FULL_URI': self.url,
                             'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE': wrong},
                       'could not get credentials from container credentials: '
                       'AWS_CONTAINER_CREDENTIALS_FULL_URI at http://127.0.0.1:', 'HTTP 401')
            self.fails(emu, {'AWS_CONTAINER_CREDENTIALS_FULL_URI': 'http://192.0.2.1/creds'},
                       'plain http to http://192.0.2.1', 'only loopback')
            self.fails(emu, {'AWS_CONTAINER_CREDENTIALS_FULL_URI': self.url,
                             'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE':
                             os.path.join(self.tmp, 'nope')}, 'does not exist')
            self.assertEqual(self.issued(emu, 'imds'), [])


if __name__ == '__main__':
    e2e_util.main()
