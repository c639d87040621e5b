#!/usr/bin/python3
"""Cross-check (issue 19): for the same environment and shared files, Debian's botocore (the
AWS CLI v1's credential resolver) and s3-user-script pick the same credential provider and
the same identity. Both talk to the same emulators; botocore 1.29 has no
AWS_ENDPOINT_URL_STS/_SSO, so its STS and SSO clients get the emulators' URLs injected
(endpoint_url), nothing else is changed. The identity is the emulator's record of the
credentials each one used (action, role, external id; SSO account and role; the IMDS role),
or the static key for keys read from the environment or the files."""

import json
import subprocess

import e2e_util
from credentials_test import STATIC, TOKEN, CredentialTest, SsoTest
from e2e_util import EXIT_OK

ENV_KEYS = {'AWS_ACCESS_KEY_ID': 'AKIAENVIRONMENT00001',
            'AWS_SECRET_ACCESS_KEY': 'environment/secret/key+0001'}
OTHER = {'AccessKeyId': 'AKIAPROCESS000000001', 'SecretAccessKey': 'process/secret/key+0001'}

RESOLVE = r'''
import json, os, sys
import botocore.session
session = botocore.session.Session()
create = session.create_client
def create_client(name, *args, **kwargs):
    url = os.environ.get('XC_ENDPOINT_' + name.upper())
    if url:
        kwargs['endpoint_url'] = url
    return create(name, *args, **kwargs)
session.create_client = create_client
creds = session.get_credentials()
if creds is None:
    print(json.dumps(None))
else:
    frozen = creds.get_frozen_credentials()
    print(json.dumps({'method': creds.method, 'access_key': frozen.access_key}))
'''

# Our -v provider names → botocore's credential methods.
METHODS = (('environment', 'env'), ('assume role', 'assume-role'),
           ('web identity', 'assume-role-with-web-identity'),
           ('IAM Identity Center', 'sso'), ('credential_process', 'custom-process'),
           ('imds role', 'iam-role'), ('profile ', 'shared-credentials-file'))


class CrossCheckTest(CredentialTest):
    def setUp(self):
        super().setUp()
        self.static_file = self.write('static.json',
                                      json.dumps([STATIC, OTHER, {
                                          'AccessKeyId': ENV_KEYS['AWS_ACCESS_KEY_ID'],
                                          'SecretAccessKey': ENV_KEYS['AWS_SECRET_ACCESS_KEY']}])
                                      .encode())
        self.token_file = self.write('token.jwt', TOKEN.encode())
        self.secret_inputs.add(self.token_file)
        helper = self.write('helper.py', (
            '#!/usr/bin/python3\nimport json\nprint(json.dumps({"Version": 1, "AccessKeyId": '
            f'{OTHER["AccessKeyId"]!r}, "SecretAccessKey": {OTHER["SecretAccessKey"]!r}}}))\n')
            .encode(), 0o755)
        self.base = (f'[profile chain]\nrole_arn = arn:aws:iam::111111111111:role/chained\n'
                     f'source_profile = keys\nexternal_id = x-1\n'
                     f'[profile keys]\naws_access_key_id = {STATIC["AccessKeyId"]}\n'
                     f'aws_secret_access_key = {STATIC["SecretAccessKey"]}\n'
                     f'[profile wi]\nrole_arn = arn:aws:iam::222222222222:role/wi\n'
                     f'web_identity_token_file = {self.token_file}\n'
                     f'[profile proc]\ncredential_process = {helper}\n'
                     f'[profile keys_and_proc]\ncredential_process = {helper}\n'
                     f'[profile proc_and_config_keys]\ncredential_process = {helper}\n'
                     f'aws_access_key_id = {STATIC["AccessKeyId"]}\n'
                     f'aws_secret_access_key = {STATIC["SecretAccessKey"]}\n'
                     f'[profile ec2]\nrole_arn = arn:aws:iam::333333333333:role/from-ec2\n'
                     f'credential_source = Ec2InstanceMetadata\n'
                     f'[profile empty]\nregion = us-east-1\n') + SsoTest.SESSION

    def identity(self, emu, access_key=None, since=0):
        """The emulator's record of a credential set: by key, or the last one issued after
        `since` records; ('static', key) for keys no emulator issued."""
        records = emu.credentials()
        if access_key is not None:
            found = [r for r in records if r['AccessKeyId'] == access_key]
            rec = found[-1] if found else None
        else:
            rec = records[since:][-1] if records[since:] else None
        if rec is None:
            return ('static', access_key)
        return (rec['source'], rec.get('action'), rec.get('role_arn'), rec.get('external_id'),
                rec.get('account_id'), rec.get('role_name'))

    def botocore(self, emu, env):
        script = self.write('resolve.py', RESOLVE.encode())
        full = self.env(emu, env)
        full.update({'XC_ENDPOINT_STS': emu.url('sts'), 'XC_ENDPOINT_SSO': emu.url('sso'),
                     'AWS_DEFAULT_REGION': 'us-east-1'})
        out = subprocess.run(['/usr/bin/python3', script], env=full, capture_output=True,
                             timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr.decode()[-2000:])
        return json.loads(out.stdout)

    def test_same_provider_and_identity_as_botocore(self):
        self.files(self.base, f'[keys_and_proc]\naws_access_key_id = {STATIC["AccessKeyId"]}\n'
                   f'aws_secret_access_key = {STATIC["SecretAccessKey"]}\n')
        SsoTest.cache(self, 'corp', SsoTest.LATER)
        scenarios = [
            ('environment keys win over the profile', 'keys', ENV_KEYS, ENV_KEYS['AWS_ACCESS_KEY_ID']),
            ('static keys', 'keys', {}, STATIC['AccessKeyId']),
            ('source_profile chain with external_id', 'chain', {}, None),
            ('web identity from the profile', 'wi', {}, None),
            ('web identity from the environment over static keys', 'keys',
             {'AWS_WEB_IDENTITY_TOKEN_FILE': self.token_file,
              'AWS_ROLE_ARN': 'arn:aws:iam::444444444444:role/env-wi'}, None),
            ('role_arn in the profile over web identity from the environment', 'chain',
             {'AWS_WEB_IDENTITY_TOKEN_FILE': self.token_file,
              'AWS_ROLE_ARN': 'arn:aws:iam::444444444444:role/env-wi'}, None),
            ('IAM Identity Center with sso_session', 'dev', {}, None),
            ('credential_process', 'proc', {}, OTHER['AccessKeyId']),
            ('credentials-file keys over credential_process', 'keys_and_proc', {},
             STATIC['AccessKeyId']),
            ('credential_process over config-file keys', 'proc_and_config_keys', {},
             OTHER['AccessKeyId']),
            ('credential_source Ec2InstanceMetadata', 'ec2', {}, None),
            ('instance role when the profile has no credentials', 'empty', {}, None),
        ]
        with self.start(['--external-id', 'arn:aws:iam::111111111111:role/chained=x-1'],
                        sso_args=[], s3_static=True) as emu:
            emu.put('bkt', 'boot.sh', b'#!/bin/sh\n')
            for label, profile, extra, static_key in scenarios:
                with self.subTest(label):
                    env = self.env_for(dict(extra, AWS_PROFILE=profile))
                    before = len(emu.credentials())
                    run = self.run_bin(emu, ['get', '-v', '-o', '-', 's3://bkt/boot.sh'], env)
                    self.assertEqual(run.code, EXIT_OK, run)
                    provider = run.err.split('credentials from ', 1)[1].splitlines()[0]
                    ours_method = next(m for prefix, m in METHODS if provider.startswith(prefix))
                    if static_key is not None:
                        ours = ('static', static_key)
                    elif ours_method == 'iam-role':  # the live instance role set, maybe reused
                        imds = [r for r in emu.credentials() if r['source'] == 'imds']
                        ours = self.identity(emu, imds[-1]['AccessKeyId'])
                    else:
                        ours = self.identity(emu, since=before)
                    theirs = self.botocore(emu, env)
                    self.assertIsNotNone(theirs, label)
                    method = theirs['method']
                    if method == 'config-file':  # keys from ~/.aws/config, as ours name them
                        method = 'shared-credentials-file'
                    self.assertEqual(ours_method, method, (label, provider))
                    self.assertEqual(ours, self.identity(emu, theirs['access_key']), label)


if __name__ == '__main__':
    e2e_util.main()
