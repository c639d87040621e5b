"""Object storage of the S3 emulator: ROOT/<bucket>/ is a bucket; exact keys (any characters:
spaces, '+', '%', unicode, '//', './', '..') map to content-addressed blobs through an index.

Layout: ROOT/<bucket>/.s3emu/index.json {"objects": {key: [version, ...]}} (latest last; a
version is {version_id (null = unversioned), blob, size, etag, last_modified, content_type})
and ROOT/<bucket>/.s3emu/blobs/<sha256>. A plain file ROOT/<bucket>/<key> whose key is not in
the index is served too (unversioned), which keeps hand-made demo trees simple.
Not responsible for HTTP or authentication.
"""

import hashlib
import json
import os
import secrets
import time

from emu_common import file_lock, read_json, write_json_atomic

META = '.s3emu'
DEFAULT_CONTENT_TYPE = 'binary/octet-stream'


def valid_bucket_name(bucket):
    return bool(bucket) and '/' not in bucket and not bucket.startswith('.') and bucket != '..'


def _meta_dir(root, bucket):
    return os.path.join(root, bucket, META)


def new_version_id():
    # Real version ids: 32 characters of URL-safe text.
    return secrets.token_urlsafe(24)


def put(root, bucket, key, data, version_id=None, content_type=DEFAULT_CONTENT_TYPE):
    """Stores data under the exact key; version_id None replaces the unversioned ("null")
    object, otherwise adds that version as the latest. Returns the version record."""
    if not valid_bucket_name(bucket):
        raise ValueError(f'invalid bucket name {bucket!r}')
    meta = _meta_dir(root, bucket)
    os.makedirs(os.path.join(meta, 'blobs'), exist_ok=True)
    digest = hashlib.sha256(data).hexdigest()
    blob = os.path.join(meta, 'blobs', digest)
    if not os.path.exists(blob):
        tmp = f'{blob}.{secrets.token_hex(4)}.tmp'
        with open(tmp, 'wb') as f:
            f.write(data)
        os.replace(tmp, blob)
    record = {
        'version_id': version_id,
        'blob': digest,
        'size': len(data),
        'etag': hashlib.md5(data).hexdigest(),
        'last_modified': int(time.time()),
        'content_type': content_type,
    }
    with file_lock(os.path.join(meta, 'lock')):
        index_path = os.path.join(meta, 'index.json')
        index = read_json(index_path, {'objects': {}})
        versions = [v for v in index['objects'].get(key, []) if v['version_id'] != version_id]
        versions.append(record)
        index['objects'][key] = versions
        write_json_atomic(index_path, index)
    return record


def make_bucket(root, bucket):
    if not valid_bucket_name(bucket):
        raise ValueError(f'invalid bucket name {bucket!r}')
    os.makedirs(os.path.join(_meta_dir(root, bucket), 'blobs'), exist_ok=True)


def bucket_exists(root, bucket):
    return valid_bucket_name(bucket) and os.path.isdir(os.path.join(root, bucket))


def _plain_file(root, bucket, key):
    parts = key.split('/')
    if any(p in ('', '.', '..') for p in parts) or parts[0] == META or '\0' in key:
        return None
    path = os.path.join(root, bucket, *parts)
    if not os.path.isfile(path) or os.path.islink(path):
        return None
    md5 = file_md5(path)
    return {
        'version_id': None,
        'size': os.path.getsize(path),
        'etag': md5,
        'last_modified': int(os.path.getmtime(path)),
        'content_type': DEFAULT_CONTENT_TYPE,
        'path': path,
    }


_INDEXES = {}  # path -> (the index file's bytes, parsed)


def _read_index(path):
    """The bucket's index, parsed again only when its bytes changed: parsing the whole index
    on every request made each answer cost O(objects) (3 ms of CPU at 512 objects), while
    reading it stays cheap. Compared by content, so no timestamp granularity can hide a put."""
    try:
        with open(path, 'rb') as f:
            raw = f.read()
    except FileNotFoundError:
        return {'objects': {}}
    cached = _INDEXES.get(path)
    if cached is None or cached[0] != raw:
        cached = (raw, json.loads(raw))
        _INDEXES[path] = cached
    return cached[1]


def lookup(root, bucket, key, version_id=None):
    """Returns (record, error): error is 'NoSuchBucket', 'NoSuchKey' or 'NoSuchVersion'.
    The record's 'path' names the file holding the bytes. version_id 'null' selects the
    unversioned object."""
    if not bucket_exists(root, bucket):
        return None, 'NoSuchBucket'
    meta = _meta_dir(root, bucket)
    index = _read_index(os.path.join(meta, 'index.json'))
    versions = index['objects'].get(key)
    if not versions:
        rec = _plain_file(root, bucket, key)
        if rec is None:
            return None, 'NoSuchKey'
        if version_id not in (None, 'null'):
            return None, 'NoSuchVersion'
        return rec, None
    if version_id is None:
        rec = dict(versions[-1])
    else:
        wanted = None if version_id == 'null' else version_id
        found = [v for v in versions if v['version_id'] == wanted]
        if not found:
            return None, 'NoSuchVersion'
        rec = dict(found[-1])
    rec['path'] = os.path.join(meta, 'blobs', rec['blob'])
    return rec, None


_DIGESTS = {}
STREAM_THRESHOLD = 8 << 20


def file_md5(path):
    """The MD5 hex (the ETag) of a file, read in chunks and cached by size and mtime, so
    large objects (the 1 GiB benchmark) never sit in memory."""
    st = os.stat(path)
    key = (path, st.st_size, st.st_mtime_ns)
    if key not in _DIGESTS:
        md5 = hashlib.md5()
        with open(path, 'rb') as f:
            for chunk in iter(lambda: f.read(1 << 20), b''):
                md5.update(chunk)
        _DIGESTS[key] = md5.hexdigest()
    return _DIGESTS[key]


def read_bytes(record):
    with open(record['path'], 'rb') as f:
        return f.read()
