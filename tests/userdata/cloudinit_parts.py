#!/usr/bin/python3
"""Print what cloud-init's UserDataProcessor makes of every user-data file in DIR.

Usage: /usr/bin/python3 cloudinit_parts.py DIR

Output: one JSON document {file: {"parts": [{content_type, filename, payload_b64,
launch_index[, include][, archive_entry]}]} | {"error": "..."}}. Runs offline: include types
are not fetched but attached in place like any other part (INCLUDE_TYPES emptied), which is
what our Parse() returns for them; an include part's "include" is the [base64 url, once] list
cloud-init's _do_include would fetch (it fetches nothing here); a part an archive exploded
into is marked "archive_entry" and has no "include" (cloud-init never fetches it). Writes
nothing outside a temporary directory.
"""
import base64
import itertools
import json
import os
import sys
import tempfile

from cloudinit import helpers, user_data, util

INCLUDE_TYPES = list(user_data.INCLUDE_TYPES)
CACHE_NAMES = itertools.count()


def payload_bytes(part):
    payload = util.fully_decoded_payload(part)
    if payload is None:
        return b""
    if isinstance(payload, str):
        return payload.encode("utf-8", "surrogateescape")
    return payload


def launch_index(part):
    """The first Launch-Index header, which filters/launch_index.py reads (safe_int of it
    must be the instance's index; a value int() refuses matches none)."""
    value = part.get("Launch-Index")
    return None if value is None else str(value)


def include_entries(processor, payload):
    """[base64 of url, once] for each URL _do_include would fetch, in order; nothing is fetched."""
    entries, once_urls = [], []

    class Empty:
        contents = b""

        def ok(self):
            return True

    def fake_read(url, **_):
        raw = url.encode("utf-8", "surrogateescape")
        entries.append([base64.b64encode(raw).decode("ascii"),
                        bool(once_urls) and once_urls[-1] == url])
        return Empty()

    def fake_once_filename(url):
        once_urls.append(url)  # a fresh path: no cached copy stops the next fake_read
        return os.path.join(processor.paths.cloud_dir, "urlcache-%d" % next(CACHE_NAMES))

    saved = user_data.read_file_or_url
    user_data.read_file_or_url = fake_read
    processor._get_include_once_filename = fake_once_filename
    try:
        processor._do_include(payload, user_data.MIMEMultipart())
    finally:
        user_data.read_file_or_url = saved
        del processor._get_include_once_filename
    return entries


def exploded_from_archives(processor):
    """Marks the parts _explode_archive attaches: cloud-init never reads them as include
    lists (with INCLUDE_TYPES emptied, the document's own include parts are attached too)."""
    attach, explode = processor._attach_part, processor._explode_archive
    exploding = []

    def attach_part(append_msg, part):
        if exploding:
            part.s3us_archive_entry = True
        attach(append_msg, part)

    def explode_archive(archive, append_msg):
        exploding.append(True)
        try:
            explode(archive, append_msg)
        finally:
            exploding.pop()

    processor._attach_part, processor._explode_archive = attach_part, explode_archive


def parts_of(processor, blob):
    msg = processor.process(blob)
    out = []
    for part in msg.walk():
        if part.get_content_maintype() == "multipart":
            continue
        entry = {
            "content_type": part.get_content_type(),
            "filename": part.get_filename(),
            "payload_b64": base64.b64encode(payload_bytes(part)).decode("ascii"),
            "launch_index": launch_index(part),
        }
        if getattr(part, "s3us_archive_entry", False):
            entry["archive_entry"] = True
        elif entry["content_type"] in INCLUDE_TYPES:
            entry["include"] = include_entries(processor, util.fully_decoded_payload(part))
        out.append(entry)
    return out


def main():
    directory = sys.argv[1]
    user_data.INCLUDE_TYPES = []
    result = {}
    with tempfile.TemporaryDirectory() as tmp:
        paths = helpers.Paths({"cloud_dir": tmp, "run_dir": os.path.join(tmp, "run")})
        processor = user_data.UserDataProcessor(paths)
        exploded_from_archives(processor)
        for name in sorted(os.listdir(directory)):
            path = os.path.join(directory, name)
            if not os.path.isfile(path) or name.startswith("."):
                continue
            with open(path, "rb") as f:
                blob = f.read()
            try:
                result[name] = {"parts": parts_of(processor, blob)}
            except Exception as e:  # cloud-init raises on bad user data
                result[name] = {"error": "%s: %s" % (type(e).__name__, e)}
    json.dump(result, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
