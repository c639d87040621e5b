"""The state directory shared by the IMDS emulator, the S3 emulator and the harness.

Files (all under one flock'ed `lock` file):
  credentials.json  {"credentials": [{AccessKeyId, SecretAccessKey, Token, Expiration,
                    LastUpdated, issued_at, expired, source}]} - every set ever issued
  imds-tokens.json  {"tokens": [{"token", "expires_at"}]} - every IMDSv2 token issued
  signatures.log    one SigV4 signature per line, as seen by the S3 and STS emulators
  secrets.log       web identity and SSO access tokens the STS/SSO emulators accept
Not responsible for HTTP: the emulators serve, this module only keeps the records.
"""

import base64
import os
import secrets
import time

from emu_common import file_lock, read_json, write_json_atomic

CREDENTIALS = 'credentials.json'
TOKENS = 'imds-tokens.json'
SIGNATURES = 'signatures.log'


def iso8601(epoch):
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(epoch))


def _lock(state_dir):
    return file_lock(os.path.join(state_dir, 'lock'))


def _random_access_key():
    alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
    return 'ASIA' + ''.join(secrets.choice(alphabet) for _ in range(16))


def new_credentials(now, lifetime_seconds):
    # Shapes like real ones: the secret has '/' and '+', the session token is long base64.
    return {
        'AccessKeyId': _random_access_key(),
        'SecretAccessKey': base64.b64encode(secrets.token_bytes(30)).decode(),
        'Token': 'IQoJb3JpZ2luX2VjE' + base64.b64encode(secrets.token_bytes(300)).decode(),
        'Expiration': iso8601(now + lifetime_seconds),
        'LastUpdated': iso8601(now),
        'issued_at': now,
        'expired': False,
        'source': 'imds',
    }


def load_credentials(state_dir):
    return read_json(os.path.join(state_dir, CREDENTIALS), {'credentials': []})['credentials']


def current_or_issue(state_dir, lifetime_seconds, rotate_seconds=0.0, now=None):
    """Returns the live credential set, issuing a new one when there is none, the current one
    is marked expired or past its Expiration, or it is older than rotate_seconds."""
    now = time.time() if now is None else now
    path = os.path.join(state_dir, CREDENTIALS)
    with _lock(state_dir):
        data = read_json(path, {'credentials': []})
        issued = [c for c in data['credentials'] if c.get('source') == 'imds']
        if issued:
            cur = issued[-1]
            stale = cur['expired'] or cur['issued_at'] + lifetime_seconds <= now
            rotate = rotate_seconds > 0 and now - cur['issued_at'] >= rotate_seconds
            if not stale and not rotate:
                return cur
        cur = new_credentials(now, lifetime_seconds)
        data['credentials'].append(cur)
        write_json_atomic(path, data)
        return cur


def expire_all(state_dir):
    """Marks every issued credential set expired; returns how many were live."""
    path = os.path.join(state_dir, CREDENTIALS)
    with _lock(state_dir):
        data = read_json(path, {'credentials': []})
        n = 0
        for c in data['credentials']:
            if not c['expired']:
                c['expired'] = True
                n += 1
        write_json_atomic(path, data)
        return n


def record_imds_token(state_dir, token, expires_at):
    path = os.path.join(state_dir, TOKENS)
    with _lock(state_dir):
        data = read_json(path, {'tokens': []})
        data['tokens'].append({'token': token, 'expires_at': expires_at})
        write_json_atomic(path, data)


def record_signature(state_dir, signature):
    with open(os.path.join(state_dir, SIGNATURES), 'a', encoding='ascii') as f:
        f.write(signature + '\n')


def all_secrets(state_dir):
    """Every secret key, session token, IMDS token and signature recorded so far."""
    out = []
    for c in load_credentials(state_dir):
        out += [c['SecretAccessKey'], c['Token']] if c.get('Token') else [c['SecretAccessKey']]
    tokens = read_json(os.path.join(state_dir, TOKENS), {'tokens': []})['tokens']
    out += [t['token'] for t in tokens]
    try:
        with open(os.path.join(state_dir, SIGNATURES), encoding='ascii') as f:
            out += [line.strip() for line in f if line.strip()]
    except FileNotFoundError:
        pass
    return out + recorded_secrets(state_dir)


SECRETS = 'secrets.log'


def record_secret(state_dir, value):
    """A secret that is neither a credential nor a signature (web identity token, SSO access
    token): the harness checks output for it like the others."""
    with _lock(state_dir):
        with open(os.path.join(state_dir, SECRETS), 'a', encoding='utf-8') as f:
            f.write(value + '\n')


def issue(state_dir, record):
    """Appends an issued credential set (STS, SSO portal) to credentials.json, where the S3
    and STS emulators look keys up."""
    path = os.path.join(state_dir, CREDENTIALS)
    with _lock(state_dir):
        data = read_json(path, {'credentials': []})
        data['credentials'].append(record)
        write_json_atomic(path, data)
    return record


def recorded_secrets(state_dir):
    try:
        with open(os.path.join(state_dir, SECRETS), encoding='utf-8') as f:
            return [line.strip() for line in f if line.strip()]
    except FileNotFoundError:
        return []
